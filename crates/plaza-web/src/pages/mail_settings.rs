//! One's e-mail settings (`/settings/mail`): the address, and per category of notification
//! whether it comes by mail at once, in a daily digest, or not at all.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use plaza_core::Account;
use plaza_core::mail::preferences::{self, parse_choice};
use plaza_core::mail::{Category, links};
use serde::Deserialize;

use super::access::{account, poster};
use super::forms::{PageForm, SavedQuery, fixable};
use super::layout::{Layout, PageError, render, respond, see_other};
use super::session::Visitor;
use crate::AppState;

const PATH: &str = "/settings/mail";

/// One category's row of the form.
pub struct CategoryRow {
    /// The field name.
    pub name: &'static str,
    /// What it covers.
    pub label: &'static str,
    /// The current choice's name.
    pub choice: &'static str,
}

/// The e-mail settings page.
#[derive(Template)]
#[template(path = "mail_settings.html")]
pub struct MailSettingsPage {
    /// The layout.
    pub layout: Layout,
    /// The address in the form.
    pub email: String,
    /// Whether the stored address is verified.
    pub verified: bool,
    /// Whether an address is stored.
    pub has_email: bool,
    /// Whether this instance sends mail.
    pub mail_enabled: bool,
    /// The categories and their choices.
    pub categories: Vec<CategoryRow>,
    /// The settings were saved.
    pub saved: bool,
    /// Why the form was refused.
    pub message: Option<String>,
}

impl MailSettingsPage {
    async fn new(state: &AppState, visitor: &Visitor, me: &Account) -> Result<Self, PageError> {
        let view = preferences::get(&state.ctx, me).await?;
        Ok(Self {
            layout: Layout::new(&state.ctx, visitor, "E-mail".to_owned()).await?,
            has_email: view.email.is_some(),
            email: view.email.unwrap_or_default(),
            verified: view.verified,
            mail_enabled: view.mail_enabled,
            categories: view
                .choices
                .into_iter()
                .map(|(c, choice)| CategoryRow {
                    name: c.as_str(),
                    label: c.label(),
                    choice: choice.as_str(),
                })
                .collect(),
            saved: false,
            message: None,
        })
    }
}

/// `GET /settings/mail`.
pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<SavedQuery>,
) -> Response {
    let result = async {
        let me = account(&visitor, PATH)?;
        let mut page = MailSettingsPage::new(&state, &visitor, me).await?;
        page.saved = query.saved.is_some();
        Ok(render(StatusCode::OK, &page))
    }
    .await;
    respond(&state.ctx, result).await
}

/// The address form.
#[derive(Debug, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

/// `POST /settings/mail/email`: sets, changes or removes the address.
pub async fn save_email(State(state): State<AppState>, form: PageForm<EmailForm>) -> Response {
    let result = async {
        let PageForm {
            visitor, fields, ..
        } = form;
        let me = poster(&visitor)?;
        match links::set_email(&state.ctx, me, Some(fields.email.clone())).await {
            Ok(_) => Ok(see_other(&format!("{PATH}?saved=1"))),
            Err(e) => {
                let (status, message) = fixable(e)?;
                let mut page = MailSettingsPage::new(&state, &visitor, me).await?;
                page.email = fields.email;
                page.message = Some(message);
                Ok(render(status, &page))
            }
        }
    }
    .await;
    respond(&state.ctx, result).await
}

/// The preferences form: one field per category.
#[derive(Debug, Deserialize)]
pub struct PreferencesForm {
    replies: Option<String>,
    mentions: Option<String>,
    moderation: Option<String>,
    reports: Option<String>,
    answers: Option<String>,
}

/// `POST /settings/mail/preferences`.
pub async fn save_preferences(
    State(state): State<AppState>,
    form: PageForm<PreferencesForm>,
) -> Response {
    let result = async {
        let PageForm {
            visitor, fields, ..
        } = form;
        let me = poster(&visitor)?;
        let typed = [
            (Category::Replies, "replies", &fields.replies),
            (Category::Mentions, "mentions", &fields.mentions),
            (Category::Moderation, "moderation", &fields.moderation),
            (Category::Reports, "reports", &fields.reports),
            (Category::Answers, "answers", &fields.answers),
        ];
        let mut changes = Vec::new();
        for (category, field, value) in typed {
            if let Some(value) = value {
                match parse_choice(field, value) {
                    Ok(choice) => changes.push((category, choice)),
                    Err(e) => {
                        let (status, message) = fixable(e)?;
                        let mut page = MailSettingsPage::new(&state, &visitor, me).await?;
                        page.message = Some(message);
                        return Ok(render(status, &page));
                    }
                }
            }
        }
        preferences::set(&state.ctx, me, &changes).await?;
        Ok(see_other(&format!("{PATH}?saved=1")))
    }
    .await;
    respond(&state.ctx, result).await
}
