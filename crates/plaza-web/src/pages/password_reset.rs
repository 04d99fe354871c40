//! Links that come by mail: verifying an address (`/verify-email`), and a forgotten password
//! (`/forgot-password` asks for a link, `/reset-password` sets the new password).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use plaza_core::CoreError;
use plaza_core::limits::PASSWORD_MIN;
use plaza_core::mail::links;
use serde::Deserialize;

use super::forms::{PageForm, fixable};
use super::layout::{Layout, PageError, render, respond};
use super::session::Visitor;
use crate::AppState;
use crate::api::mail::RESET_REQUESTED;

/// A page that only tells how something went.
#[derive(Template)]
#[template(path = "mail_outcome.html")]
pub struct OutcomePage {
    /// The layout (its title is the heading).
    pub layout: Layout,
    /// What happened.
    pub message: String,
    /// Where to go next, and its words.
    pub next: Option<(String, String)>,
}

/// The form that asks for a reset link.
#[derive(Template)]
#[template(path = "forgot_password.html")]
pub struct ForgotPage {
    /// The layout.
    pub layout: Layout,
    /// What was typed.
    pub name_or_email: String,
    /// Why the form was refused.
    pub message: Option<String>,
}

/// The form that sets the new password.
#[derive(Template)]
#[template(path = "reset_password.html")]
pub struct ResetPage {
    /// The layout.
    pub layout: Layout,
    /// The link's token.
    pub token: String,
    /// Why the form was refused.
    pub message: Option<String>,
    /// Shortest password accepted.
    pub password_min: usize,
}

/// `?token=` of a link.
#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

async fn outcome(
    state: &AppState,
    visitor: &Visitor,
    status: StatusCode,
    title: &str,
    message: impl Into<String>,
    next: Option<(&str, &str)>,
) -> Result<Response, PageError> {
    Ok(render(
        status,
        &OutcomePage {
            layout: Layout::new(&state.ctx, visitor, title.to_owned()).await?,
            message: message.into(),
            next: next.map(|(href, words)| (href.to_owned(), words.to_owned())),
        },
    ))
}

const BAD_LINK: &str = "This link does not work: it may have been used already, or it has expired.";

/// `GET /verify-email?token=…`: verifies the address the link was sent to.
pub async fn verify(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<TokenQuery>,
) -> Response {
    let result = async {
        match links::verify_email(&state.ctx, &query.token).await {
            Ok(()) => {
                outcome(&state, &visitor, StatusCode::OK, "Address verified",
                    "Your e-mail address is verified. Choose which notifications come by mail in your settings.",
                    Some(("/settings/mail", "E-mail settings"))).await
            }
            Err(CoreError::Invalid { .. }) => {
                outcome(&state, &visitor, StatusCode::UNPROCESSABLE_ENTITY, "Link not valid",
                    BAD_LINK, Some(("/settings/mail", "Send a new link from your e-mail settings"))).await
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    respond(&state.ctx, result).await
}

/// `GET /forgot-password`.
pub async fn forgot_page(State(state): State<AppState>, visitor: Visitor) -> Response {
    let result = async {
        Ok(render(
            StatusCode::OK,
            &ForgotPage {
                layout: Layout::new(&state.ctx, &visitor, "Forgot your password?".to_owned())
                    .await?,
                name_or_email: String::new(),
                message: None,
            },
        ))
    }
    .await;
    respond(&state.ctx, result).await
}

/// The reset request form.
#[derive(Debug, Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    name_or_email: String,
}

/// `POST /forgot-password`: the same answer whether or not the account exists.
pub async fn forgot(State(state): State<AppState>, form: PageForm<ForgotForm>) -> Response {
    let result = async {
        let PageForm {
            visitor, fields, ..
        } = form;
        match links::request_reset(&state.ctx, &fields.name_or_email).await {
            Ok(()) => {
                outcome(
                    &state,
                    &visitor,
                    StatusCode::OK,
                    "Check your mail",
                    RESET_REQUESTED,
                    Some(("/login", "Back to log in")),
                )
                .await
            }
            Err(e) => {
                let (status, message) = fixable(e)?;
                Ok(render(
                    status,
                    &ForgotPage {
                        layout: Layout::new(
                            &state.ctx,
                            &visitor,
                            "Forgot your password?".to_owned(),
                        )
                        .await?,
                        name_or_email: fields.name_or_email,
                        message: Some(message),
                    },
                ))
            }
        }
    }
    .await;
    respond(&state.ctx, result).await
}

async fn reset_form(
    state: &AppState,
    visitor: &Visitor,
    token: String,
    status: StatusCode,
    message: Option<String>,
) -> Result<Response, PageError> {
    Ok(render(
        status,
        &ResetPage {
            layout: Layout::new(&state.ctx, visitor, "Choose a new password".to_owned()).await?,
            token,
            message,
            password_min: PASSWORD_MIN,
        },
    ))
}

/// `GET /reset-password?token=…`: the new password form, if the link still works.
pub async fn reset_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<TokenQuery>,
) -> Response {
    let result = async {
        if !links::reset_link_works(&state.ctx, &query.token).await? {
            return outcome(
                &state,
                &visitor,
                StatusCode::UNPROCESSABLE_ENTITY,
                "Link not valid",
                BAD_LINK,
                Some(("/forgot-password", "Ask for a new link")),
            )
            .await;
        }
        reset_form(&state, &visitor, query.token, StatusCode::OK, None).await
    }
    .await;
    respond(&state.ctx, result).await
}

/// The new password form.
#[derive(Debug, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

/// `POST /reset-password`: sets the new password; every session of the account ends.
pub async fn reset(State(state): State<AppState>, form: PageForm<ResetForm>) -> Response {
    let result = async {
        let PageForm { visitor, fields, .. } = form;
        match links::reset_password(&state.ctx, &fields.token, &fields.password).await {
            Ok(()) => {
                outcome(&state, &visitor, StatusCode::OK, "Password changed",
                    "Your new password is set, and every session of your account has ended. Log in with the new password.",
                    Some(("/login", "Log in"))).await
            }
            Err(CoreError::Invalid { field: "token", .. }) => {
                outcome(&state, &visitor, StatusCode::UNPROCESSABLE_ENTITY, "Link not valid",
                    BAD_LINK, Some(("/forgot-password", "Ask for a new link"))).await
            }
            Err(e) => {
                let (status, message) = fixable(e)?;
                reset_form(&state, &visitor, fields.token, status, Some(message)).await
            }
        }
    }
    .await;
    respond(&state.ctx, result).await
}
