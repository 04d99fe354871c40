//! An idea's status on its thread page: the badge and note everyone sees, the form staff and
//! moderators use, and the form's handler.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use plaza_core::ideas::{self, IdeaStatus};
use plaza_db::post::PostRow;
use serde::Deserialize;

use super::access::poster;
use super::forms::PageForm;
use super::layout::{PageError, respond, see_other};
use super::thread::parse_id;
use crate::AppState;

/// An idea's status as shown.
pub struct IdeaView {
    /// The stored name, also the badge's class.
    pub status: &'static str,
    /// What people read.
    pub label: &'static str,
    /// Staff's note (plain text when shown).
    pub note: Option<String>,
}

impl IdeaView {
    /// The status of a thread, if it has one.
    pub fn of(post: &PostRow) -> Option<Self> {
        let status = IdeaStatus::parse(post.idea_status.as_deref()?)?;
        Some(Self {
            status: status.as_str(),
            label: status.label(),
            note: post.idea_note.clone(),
        })
    }
}

/// One choice of the status form.
pub struct IdeaChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// The form staff and moderators set the status with.
pub struct IdeaForm {
    /// Where it posts.
    pub target: String,
    /// No status, then each status.
    pub choices: Vec<IdeaChoice>,
    /// The current note.
    pub note: String,
}

impl IdeaForm {
    /// The form for a thread, filled with its current status.
    pub fn new(post: &PostRow) -> Self {
        let current = post.idea_status.as_deref().unwrap_or_default();
        let mut choices = vec![IdeaChoice {
            value: "",
            label: "No status",
            selected: current.is_empty(),
        }];
        choices.extend(IdeaStatus::ALL.into_iter().map(|s| IdeaChoice {
            value: s.as_str(),
            label: s.label(),
            selected: s.as_str() == current,
        }));
        Self {
            target: format!("/post/{}/status", post.id),
            choices,
            note: post.idea_note.clone().unwrap_or_default(),
        }
    }
}

/// The form's fields.
#[derive(Debug, Deserialize)]
pub struct StatusFields {
    #[serde(default)]
    status: String,
    #[serde(default)]
    note: String,
}

/// `POST /post/ID/status`: set, change or clear the idea's status.
pub async fn set_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: PageForm<StatusFields>,
) -> Response {
    let result = async {
        let PageForm {
            visitor, fields, ..
        } = form;
        let thread_id = parse_id(&id, "thread")?;
        let account = poster(&visitor)?;
        let status = match fields.status.trim() {
            "" => None,
            name => Some(IdeaStatus::parse(name).ok_or_else(|| {
                PageError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Status not changed",
                    "Choose one of the statuses offered.",
                )
            })?),
        };
        ideas::set_status(&state.ctx, account, thread_id, status, Some(&fields.note)).await?;
        Ok(see_other(&format!("/post/{thread_id}")))
    }
    .await;
    respond(&state.ctx, result).await
}
