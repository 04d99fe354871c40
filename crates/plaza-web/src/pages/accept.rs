//! The Accept / Withdraw buttons under a question's replies, and the form they post.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use plaza_core::answers;
use serde::Deserialize;

use super::access::poster;
use super::forms::PageForm;
use super::layout::{PageError, respond, see_other};
use super::thread::parse_id;
use crate::AppState;

/// An Accept or Withdraw button on one reply.
pub struct AcceptButton {
    /// Where it posts.
    pub target: String,
    /// The reply it names.
    pub comment_id: i64,
    /// `accept` or `withdraw`.
    pub action: &'static str,
    /// Its text.
    pub label: &'static str,
}

impl AcceptButton {
    /// The button a reply gets: Withdraw on the accepted one, Accept on the others.
    pub fn new(thread_id: i64, comment_id: i64, accepted: Option<i64>) -> Self {
        let is_accepted = accepted == Some(comment_id);
        Self {
            target: format!("/post/{thread_id}/accept"),
            comment_id,
            action: if is_accepted { "withdraw" } else { "accept" },
            label: if is_accepted {
                "Withdraw accepted answer"
            } else {
                "Accept as answer"
            },
        }
    }
}

/// The fields of the button's form.
#[derive(Debug, Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    comment: String,
}

/// `POST /post/ID/accept`: accept a reply as the answer (`action=accept`, `comment=ID`) or
/// withdraw the accepted one (`action=withdraw`).
pub async fn accept(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: PageForm<AcceptForm>,
) -> Response {
    let result = async {
        let PageForm {
            visitor, fields, ..
        } = form;
        let thread_id = parse_id(&id, "thread")?;
        let account = poster(&visitor)?;
        match fields.action.as_str() {
            "accept" => {
                let comment_id = fields.comment.trim().parse::<i64>().map_err(|_| {
                    PageError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "Not accepted",
                        "Choose the reply to accept.",
                    )
                })?;
                answers::accept(&state.ctx, account, thread_id, comment_id).await?;
                Ok(see_other(&format!("/post/{thread_id}#c-{comment_id}")))
            }
            "withdraw" => {
                answers::withdraw(&state.ctx, account, thread_id).await?;
                Ok(see_other(&format!("/post/{thread_id}")))
            }
            _ => Err(PageError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Not accepted",
                "An answer is either accepted or withdrawn.",
            )),
        }
    }
    .await;
    respond(&state.ctx, result).await
}
