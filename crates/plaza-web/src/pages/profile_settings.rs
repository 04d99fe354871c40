//! One's own profile (`/settings/profile`): display name, bio (Markdown) and avatar. The core
//! checks each field and federates the change as `Update(Person)`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use plaza_core::Account;
use plaza_core::accounts;
use plaza_core::limits::{BIO_MAX, DISPLAY_NAME_MAX};
use plaza_core::profiles::{self, ProfilePatch};
use serde::Deserialize;

use super::access::account;
use super::forms::{PageForm, SavedQuery, fixable};
use super::layout::{Layout, PageError, render, respond, see_other};
use super::picture_field;
use super::session::Visitor;
use crate::AppState;

const PATH: &str = "/settings/profile";

/// The profile page.
#[derive(Template)]
#[template(path = "profile_settings.html")]
pub struct ProfilePage {
    /// The layout.
    pub layout: Layout,
    /// The person's own page.
    pub person_href: String,
    /// The display name in the form.
    pub display_name: String,
    /// The bio's Markdown in the form.
    pub bio: String,
    /// The avatar's URL in the form.
    pub avatar_url: String,
    /// The profile was saved.
    pub saved: bool,
    /// Why the form was refused.
    pub message: Option<String>,
    /// Why the deletion was refused.
    pub delete_message: Option<String>,
    /// Longest display name.
    pub display_name_max: usize,
    /// Longest bio.
    pub bio_max: usize,
}

impl ProfilePage {
    async fn new(state: &AppState, visitor: &Visitor, me: &Account) -> Result<Self, PageError> {
        let person = profiles::get(&state.ctx, me).await?;
        Ok(Self {
            layout: Layout::new(&state.ctx, visitor, "Your profile".to_owned()).await?,
            person_href: format!("/u/{}", me.name),
            display_name: person.display_name.unwrap_or_default(),
            bio: person.bio_source.unwrap_or_default(),
            avatar_url: person.avatar_url.unwrap_or_default(),
            saved: false,
            message: None,
            delete_message: None,
            display_name_max: DISPLAY_NAME_MAX,
            bio_max: BIO_MAX,
        })
    }
}

/// The form's fields.
#[derive(Debug, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    bio: String,
    #[serde(default)]
    avatar_url: String,
}

/// The account deletion form's field.
#[derive(Debug, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    password: String,
}

/// `POST /settings/delete`: deletes the visitor's account once they confirm with their
/// password, then shows the home page signed out.
pub async fn delete(State(state): State<AppState>, form: PageForm<DeleteForm>) -> Response {
    let result = async {
        let PageForm {
            visitor, fields, ..
        } = form;
        let me = super::access::poster(&visitor)?;
        match accounts::delete_own(&state.ctx, me, &fields.password).await {
            Ok(()) => Ok(see_other("/")),
            Err(e) => {
                let (status, message) = fixable(e)?;
                let mut page = ProfilePage::new(&state, &visitor, me).await?;
                page.delete_message = Some(message);
                Ok(render(status, &page))
            }
        }
    }
    .await;
    respond(&state.ctx, result).await
}

/// `GET /settings/profile`.
pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<SavedQuery>,
) -> Response {
    let result = async {
        let me = account(&visitor, PATH)?;
        let mut page = ProfilePage::new(&state, &visitor, me).await?;
        page.saved = query.saved.is_some();
        Ok(render(StatusCode::OK, &page))
    }
    .await;
    respond(&state.ctx, result).await
}

/// `POST /settings/profile`.
pub async fn save(State(state): State<AppState>, form: PageForm<ProfileForm>) -> Response {
    let result = async {
        let PageForm {
            visitor,
            fields,
            files,
        } = form;
        let me = super::access::poster(&visitor)?;
        // A picture chosen wins over the address typed.
        let edited = match picture_field::chosen(&state, me, &files, "avatar", "").await {
            Ok(picture) => {
                let patch = ProfilePatch {
                    display_name: Some(fields.display_name.clone()),
                    bio: Some(fields.bio.clone()),
                    avatar_url: Some(fields.avatar_url.clone()),
                    avatar_upload: picture.map(|p| p.hash),
                };
                profiles::edit(&state.ctx, me, patch).await
            }
            Err(e) => Err(e),
        };
        match edited {
            Ok(_) => Ok(see_other(&format!("{PATH}?saved=1"))),
            Err(e) => {
                let (status, message) = fixable(e)?;
                let mut page = ProfilePage::new(&state, &visitor, me).await?;
                page.display_name = fields.display_name;
                page.bio = fields.bio;
                page.avatar_url = fields.avatar_url;
                page.message = Some(message);
                Ok(render(status, &page))
            }
        }
    }
    .await;
    respond(&state.ctx, result).await
}
