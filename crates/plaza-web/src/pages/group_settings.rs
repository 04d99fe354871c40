//! A group's settings (`/g/NAME/settings`), for its moderators: title, description (Markdown),
//! whether only moderators start threads, and who moderates it. The core checks and federates
//! each change (the group's `Update`, Lemmy's moderator `Add`/`Remove`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use plaza_core::groups::{self, GroupDetails, GroupPatch};
use plaza_core::limits::{GROUP_DESCRIPTION_MAX, GROUP_TITLE_MAX};
use serde::Deserialize;

use super::access::{Via, moderator};
use super::forms::{PageForm, SavedQuery, fixable, person_field};
use super::layout::{Layout, PageError, PersonView, render, respond, safe_link, see_other};
use super::picture_field;
use super::session::Visitor;
use crate::AppState;

/// The settings page.
#[derive(Template)]
#[template(path = "group_settings.html")]
pub struct SettingsPage {
    /// The layout.
    pub layout: Layout,
    /// The group's name.
    pub name: String,
    /// The group's title as stored (for the links above the form).
    pub group_title: String,
    /// The title in the form.
    pub title: String,
    /// The description's Markdown in the form.
    pub description: String,
    /// Only moderators start threads.
    pub moderators_only: bool,
    /// A Q&A group: every new thread is a question.
    pub qa: bool,
    /// The group collects ideas.
    pub ideas: bool,
    /// Its moderators.
    pub moderators: Vec<PersonView>,
    /// The person typed in the add-a-moderator form.
    pub new_moderator: String,
    /// The settings were saved.
    pub saved: bool,
    /// Why the settings form was refused.
    pub message: Option<String>,
    /// Why the moderators form was refused.
    pub moderators_message: Option<String>,
    /// Longest title.
    pub title_max: usize,
    /// Longest description.
    pub description_max: usize,
    /// The group's icon, when it has one.
    pub icon: Option<String>,
    /// The group's banner, when it has one.
    pub banner: Option<String>,
}

impl SettingsPage {
    async fn new(
        state: &AppState,
        visitor: &Visitor,
        details: &GroupDetails,
    ) -> Result<Self, PageError> {
        let g = &details.view.group;
        let layout = Layout::new(&state.ctx, visitor, format!("Settings of {}", g.title)).await?;
        Ok(Self {
            layout,
            name: g.name.clone(),
            group_title: g.title.clone(),
            title: g.title.clone(),
            description: g.description_source.clone().unwrap_or_default(),
            moderators_only: g.posting_restricted_to_mods,
            qa: g.qa,
            ideas: g.ideas,
            moderators: details.moderators.iter().map(PersonView::from).collect(),
            new_moderator: String::new(),
            saved: false,
            message: None,
            moderators_message: None,
            title_max: GROUP_TITLE_MAX,
            description_max: GROUP_DESCRIPTION_MAX,
            icon: safe_link(g.icon_url.as_deref()),
            banner: safe_link(g.banner_url.as_deref()),
        })
    }
}

/// The settings form's fields; an unticked box is not sent at all.
#[derive(Debug, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    moderators_only: Option<String>,
    qa: Option<String>,
    ideas: Option<String>,
    /// Ticked to show no icon (or banner) any more.
    remove_icon: Option<String>,
    remove_banner: Option<String>,
}

/// The moderators form's fields: `action` is `add` or `remove`.
#[derive(Debug, Deserialize)]
pub struct ModeratorForm {
    #[serde(default)]
    person: String,
    #[serde(default)]
    action: String,
}

/// `GET /g/NAME/settings`.
pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(name): Path<String>,
    Query(query): Query<SavedQuery>,
) -> Response {
    let result = async {
        let path = format!("/g/{name}/settings");
        let (_, details) = moderator(&state, &visitor, &name, Via::Page(&path)).await?;
        let mut page = SettingsPage::new(&state, &visitor, &details).await?;
        page.saved = query.saved.is_some();
        Ok(render(StatusCode::OK, &page))
    }
    .await;
    respond(&state.ctx, result).await
}

/// `POST /g/NAME/settings`.
pub async fn save(
    State(state): State<AppState>,
    Path(name): Path<String>,
    form: PageForm<SettingsForm>,
) -> Response {
    let result = async {
        let PageForm {
            visitor,
            fields,
            files,
        } = form;
        let (account, details) = moderator(&state, &visitor, &name, Via::Form).await?;
        let g = &details.view.group;
        let updated = async {
            let icon = picture_field::chosen(&state, account, &files, "icon", "").await?;
            let banner = picture_field::chosen(&state, account, &files, "banner", "").await?;
            // A new picture, or none when the box is ticked, or the one there (field absent).
            let choice = |picture: Option<plaza_db::upload::UploadRow>, remove: bool| {
                picture.map(|p| p.hash).or_else(|| remove.then(String::new))
            };
            let patch = GroupPatch {
                title: Some(fields.title.clone()),
                description: Some(fields.description.clone()),
                posting_restricted_to_mods: Some(fields.moderators_only.is_some()),
                qa: Some(fields.qa.is_some()),
                ideas: Some(fields.ideas.is_some()),
                icon_upload: choice(icon, fields.remove_icon.is_some()),
                banner_upload: choice(banner, fields.remove_banner.is_some()),
            };
            groups::update(&state.ctx, account, &g.name, patch).await
        }
        .await;
        match updated {
            Ok(_) => Ok(see_other(&format!("/g/{}/settings?saved=1", g.name))),
            Err(e) => {
                let (status, message) = fixable(e)?;
                let mut page = SettingsPage::new(&state, &visitor, &details).await?;
                page.title = fields.title;
                page.description = fields.description;
                page.moderators_only = fields.moderators_only.is_some();
                page.qa = fields.qa.is_some();
                page.ideas = fields.ideas.is_some();
                page.message = Some(message);
                Ok(render(status, &page))
            }
        }
    }
    .await;
    respond(&state.ctx, result).await
}

/// `POST /g/NAME/settings/moderators`: appoint or remove a moderator.
pub async fn moderators(
    State(state): State<AppState>,
    Path(name): Path<String>,
    form: PageForm<ModeratorForm>,
) -> Response {
    let result = async {
        let PageForm {
            visitor, fields, ..
        } = form;
        let (account, details) = moderator(&state, &visitor, &name, Via::Form).await?;
        let add = match fields.action.as_str() {
            "add" => true,
            "remove" => false,
            _ => {
                return Err(PageError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Not accepted",
                    "A moderator is either added or removed.",
                ));
            }
        };
        let g = &details.view.group;
        let changed = match person_field(&state, &fields.person).await {
            Ok(person) => groups::set_moderator(&state.ctx, account, &g.name, person, add)
                .await
                .map(|_| ()),
            Err(e) => Err(e),
        };
        match changed {
            Ok(()) => Ok(see_other(&format!(
                "/g/{}/settings?saved=1#moderators",
                g.name
            ))),
            Err(e) => {
                let (status, message) = fixable(e)?;
                let mut page = SettingsPage::new(&state, &visitor, &details).await?;
                if add {
                    page.new_moderator = fields.person;
                }
                page.moderators_message = Some(message);
                Ok(render(status, &page))
            }
        }
    }
    .await;
    respond(&state.ctx, result).await
}
