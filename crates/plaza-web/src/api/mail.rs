//! E-mail through the API: one's address and what one wants by mail, following a verification
//! link, and resetting a forgotten password by mail.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use plaza_core::mail::preferences::{self, MailSettingsView};
use plaza_core::mail::{Category, Choice, links};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::extract::{ApiJson, Auth};
use crate::{ApiError, AppState, ErrorBody};

/// How one category of notifications comes by mail.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MailChoice {
    /// No mail.
    Off,
    /// A mail for each notification.
    Instant,
    /// Listed in a daily mail of the unread ones.
    Digest,
}

impl From<Choice> for MailChoice {
    fn from(c: Choice) -> Self {
        match c {
            Choice::Off => MailChoice::Off,
            Choice::Instant => MailChoice::Instant,
            Choice::Digest => MailChoice::Digest,
        }
    }
}

impl From<MailChoice> for Choice {
    fn from(c: MailChoice) -> Self {
        match c {
            MailChoice::Off => Choice::Off,
            MailChoice::Instant => Choice::Instant,
            MailChoice::Digest => Choice::Digest,
        }
    }
}

/// The choice per category; in a change, categories left out keep theirs.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailPreferencesJson {
    /// Replies to one's threads and comments.
    pub replies: Option<MailChoice>,
    /// Mentions of one.
    pub mentions: Option<MailChoice>,
    /// Moderation of one's content, and one's bans.
    pub moderation: Option<MailChoice>,
    /// New reports in groups one moderates.
    pub reports: Option<MailChoice>,
    /// One's question solved, one's answer accepted.
    pub answers: Option<MailChoice>,
}

impl MailPreferencesJson {
    fn changes(&self) -> Vec<(Category, Choice)> {
        [
            (Category::Replies, self.replies),
            (Category::Mentions, self.mentions),
            (Category::Moderation, self.moderation),
            (Category::Reports, self.reports),
            (Category::Answers, self.answers),
        ]
        .into_iter()
        .filter_map(|(c, choice)| choice.map(|choice| (c, choice.into())))
        .collect()
    }
}

/// One's e-mail settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct MailSettingsJson {
    /// Never shown to others.
    pub email: Option<String>,
    /// Only a verified address gets notifications and reset links.
    pub email_verified: bool,
    /// Whether this instance sends mail at all; when false, nothing is mailed.
    pub mail_enabled: bool,
    pub preferences: MailPreferencesJson,
}

impl From<MailSettingsView> for MailSettingsJson {
    fn from(v: MailSettingsView) -> Self {
        let mut preferences = MailPreferencesJson::default();
        for (category, choice) in v.choices {
            let slot = match category {
                Category::Replies => &mut preferences.replies,
                Category::Mentions => &mut preferences.mentions,
                Category::Moderation => &mut preferences.moderation,
                Category::Reports => &mut preferences.reports,
                Category::Answers => &mut preferences.answers,
            };
            *slot = Some(choice.into());
        }
        Self {
            email: v.email,
            email_verified: v.verified,
            mail_enabled: v.mail_enabled,
            preferences,
        }
    }
}

/// A new address.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EmailRequest {
    /// The address; null or "" removes it.
    pub email: Option<String>,
}

/// A verification link's token.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VerifyRequest {
    pub token: String,
}

/// Who forgot their password.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResetRequest {
    /// The account's name or its e-mail address.
    pub name_or_email: String,
}

/// The answer to a reset request, the same whether or not the account exists.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResetRequested {
    pub message: &'static str,
}

/// A new password, with the reset link's token.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResetConfirm {
    pub token: String,
    /// 8–256 characters.
    pub password: String,
}

/// The words every reset request gets back.
pub const RESET_REQUESTED: &str = "If an account with a verified e-mail address matches, a link to choose a new password is on its way. It works once, for an hour.";

/// One's e-mail settings.
#[utoipa::path(get, path = "/me/mail", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = MailSettingsJson), (status = 401, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<MailSettingsJson>, ApiError> {
    Ok(Json(
        preferences::get(&state.ctx, &auth.account).await?.into(),
    ))
}

/// Changes what one gets by mail, per category (`off`, `instant` or `digest`).
#[utoipa::path(patch, path = "/me/mail", tag = "accounts", security(("bearer" = [])),
    request_body = MailPreferencesJson,
    responses((status = 200, body = MailSettingsJson), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn edit(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<MailPreferencesJson>,
) -> Result<Json<MailSettingsJson>, ApiError> {
    let view = preferences::set(&state.ctx, &auth.account, &req.changes()).await?;
    Ok(Json(view.into()))
}

/// Sets, changes or removes one's address. A new address gets a verification link; until it is
/// followed, no notification is mailed there.
#[utoipa::path(put, path = "/me/email", tag = "accounts", security(("bearer" = [])),
    request_body = EmailRequest,
    responses((status = 200, body = MailSettingsJson), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_email(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<EmailRequest>,
) -> Result<Json<MailSettingsJson>, ApiError> {
    let view = links::set_email(&state.ctx, &auth.account, req.email).await?;
    Ok(Json(view.into()))
}

/// Follows a verification link.
#[utoipa::path(post, path = "/auth/verify-email", tag = "accounts", request_body = VerifyRequest,
    responses((status = 204), (status = 422, body = ErrorBody, description = "The link is unknown, used or expired.")))]
pub async fn verify(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<VerifyRequest>,
) -> Result<StatusCode, ApiError> {
    links::verify_email(&state.ctx, &req.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Asks for a password reset link by mail. The answer is the same whether or not the account
/// exists.
#[utoipa::path(post, path = "/auth/password-reset", tag = "accounts", request_body = ResetRequest,
    responses((status = 202, body = ResetRequested), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody, description = "This instance sends no mail.")))]
pub async fn request_reset(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<ResetRequest>,
) -> Result<(StatusCode, Json<ResetRequested>), ApiError> {
    links::request_reset(&state.ctx, &req.name_or_email).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(ResetRequested {
            message: RESET_REQUESTED,
        }),
    ))
}

/// Sets a new password with a reset link's token; every token of the account stops working.
#[utoipa::path(post, path = "/auth/password-reset/confirm", tag = "accounts", request_body = ResetConfirm,
    responses((status = 204), (status = 422, body = ErrorBody, description = "The link is unknown, used or expired, or the password is not acceptable.")))]
pub async fn reset_password(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<ResetConfirm>,
) -> Result<StatusCode, ApiError> {
    links::reset_password(&state.ctx, &req.token, &req.password).await?;
    Ok(StatusCode::NO_CONTENT)
}
