//! Moderating from the pages: the buttons a group's moderators see beside a thread, its comments
//! and the reports that name them, and the forms those buttons post (pin, lock, remove and their
//! undoing), each one core moderation action; and marking one's own answer official.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use plaza_core::comments;
use plaza_core::moderation::{self, Action};
use plaza_core::thread_view;
use plaza_db::comment::CommentRow;
use plaza_db::post::PostRow;
use serde::Deserialize;

use super::access::poster;
use super::forms::PageForm;
use super::layout::{PageError, respond, see_other};
use super::session::local_path;
use super::thread::parse_id;
use crate::AppState;

/// One moderation button: a small form of its own posting `action`.
pub struct ModButton {
    /// Where it posts.
    pub target: String,
    /// The action posted: `pin`, `unpin`, `lock`, `unlock`, `remove`, `restore`.
    pub action: &'static str,
    /// The button's text: "Pin", "Unpin", "Lock", "Unlock", "Remove", "Restore".
    pub label: &'static str,
    /// The form takes an optional reason (removing).
    pub reason: bool,
    /// Where to come back to afterwards (empty: the thread).
    pub back: String,
}

impl ModButton {
    fn new(target: String, (action, label): (&'static str, &'static str)) -> Self {
        Self {
            target,
            action,
            label,
            reason: action == "remove",
            back: String::new(),
        }
    }

    /// Pin or unpin, lock or unlock, remove or restore a thread, as it stands now.
    pub fn for_thread(post: &PostRow) -> Vec<Self> {
        let target = format!("/post/{}/moderate", post.id);
        let pin = if post.pinned {
            ("unpin", "Unpin")
        } else {
            ("pin", "Pin")
        };
        let lock = if post.locked {
            ("unlock", "Unlock")
        } else {
            ("lock", "Lock")
        };
        vec![
            Self::new(target.clone(), pin),
            Self::new(target, lock),
            Self::removal_of_thread(post),
        ]
    }

    /// Remove or restore a thread, as it stands now.
    pub fn removal_of_thread(post: &PostRow) -> Self {
        Self::new(
            format!("/post/{}/moderate", post.id),
            remove_or_restore(post.removed),
        )
    }

    /// Remove or restore a comment, as it stands now.
    pub fn for_comment(comment: &CommentRow) -> Self {
        Self::new(
            format!("/comment/{}/moderate", comment.id),
            remove_or_restore(comment.removed),
        )
    }

    /// The same button, coming back to `path` afterwards.
    pub fn back_to(mut self, path: &str) -> Self {
        path.clone_into(&mut self.back);
        self
    }
}

fn remove_or_restore(removed: bool) -> (&'static str, &'static str) {
    if removed {
        ("restore", "Restore")
    } else {
        ("remove", "Remove")
    }
}

/// The fields of a moderation button's form.
#[derive(Debug, Deserialize)]
pub struct ModerateForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    back: Option<String>,
}

impl ModerateForm {
    /// Where to go afterwards: the page the button was on, if it said so and is ours.
    fn back(&self) -> Option<String> {
        self.back
            .as_deref()
            .filter(|b| !b.trim().is_empty())
            .map(|b| local_path(Some(b)))
    }
}

fn unknown_action(allowed: &str) -> PageError {
    PageError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Not accepted",
        format!("That is not something a moderator does here; the actions are {allowed}."),
    )
}

/// `POST /post/ID/moderate`: pin, unpin, lock, unlock, remove or restore a thread.
pub async fn thread(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: PageForm<ModerateForm>,
) -> Response {
    let result = async {
        let PageForm {
            visitor, fields, ..
        } = form;
        let id = parse_id(&id, "thread")?;
        let account = poster(&visitor)?;
        let action = match fields.action.as_str() {
            "pin" => Action::Pin(id),
            "unpin" => Action::Unpin(id),
            "lock" => Action::Lock(id),
            "unlock" => Action::Unlock(id),
            "remove" => Action::RemovePost(id),
            "restore" => Action::RestorePost(id),
            _ => {
                return Err(unknown_action(
                    "pin, unpin, lock, unlock, remove and restore",
                ));
            }
        };
        moderation::act(&state.ctx, account, action, Some(&fields.reason)).await?;
        Ok(see_other(
            &fields.back().unwrap_or_else(|| format!("/post/{id}")),
        ))
    }
    .await;
    respond(&state.ctx, result).await
}

/// `POST /comment/ID/moderate`: remove or restore a comment.
pub async fn comment(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: PageForm<ModerateForm>,
) -> Response {
    let result = async {
        let PageForm {
            visitor, fields, ..
        } = form;
        let id = parse_id(&id, "comment")?;
        let account = poster(&visitor)?;
        let action = match fields.action.as_str() {
            "remove" => Action::RemoveComment(id),
            "restore" => Action::RestoreComment(id),
            _ => return Err(unknown_action("remove and restore")),
        };
        moderation::act(&state.ctx, account, action, Some(&fields.reason)).await?;
        let back = match fields.back() {
            Some(back) => back,
            None => {
                let node = thread_view::comment(&state.ctx, None, id).await?;
                format!("/post/{}#c-{id}", node.comment.post_id)
            }
        };
        Ok(see_other(&back))
    }
    .await;
    respond(&state.ctx, result).await
}

/// The fields of the official-answer button.
#[derive(Debug, Deserialize)]
pub struct OfficialForm {
    #[serde(default)]
    official: String,
}

/// `POST /comment/ID/official`: mark one's own answer official (`official=true`) or not.
pub async fn official(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: PageForm<OfficialForm>,
) -> Response {
    let result = async {
        let PageForm {
            visitor, fields, ..
        } = form;
        let id = parse_id(&id, "comment")?;
        let account = poster(&visitor)?;
        let official = match fields.official.as_str() {
            "true" => true,
            "false" => false,
            _ => {
                return Err(PageError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Not accepted",
                    "An answer is either marked official or not.",
                ));
            }
        };
        let row = comments::distinguish(&state.ctx, account, id, official).await?;
        Ok(see_other(&format!("/post/{}#c-{id}", row.post_id)))
    }
    .await;
    respond(&state.ctx, result).await
}
