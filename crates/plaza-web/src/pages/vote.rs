//! Voting from the pages: the up and down buttons beside a thread and each comment, showing the
//! visitor's vote, and the form they post (a core vote, as over the API).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use plaza_core::{thread_view, votes};
use plaza_db::vote::VoteTarget;
use serde::Deserialize;

use super::access::poster;
use super::forms::PageForm;
use super::layout::{PageError, respond, see_other};
use super::thread::parse_id;
use crate::AppState;

/// The two vote buttons of a thread or comment. Pressing the button of the vote one has
/// already cast withdraws it.
pub struct VoteButtons {
    /// Where they post.
    pub target: String,
    /// What the up button sends: `1`, or `0` when it is the current vote.
    pub up: &'static str,
    /// What the down button sends: `-1`, or `0`.
    pub down: &'static str,
    /// The visitor voted up.
    pub up_pressed: bool,
    /// The visitor voted down.
    pub down_pressed: bool,
}

impl VoteButtons {
    fn new(target: String, my_vote: Option<i16>) -> Self {
        let up_pressed = my_vote == Some(1);
        let down_pressed = my_vote == Some(-1);
        Self {
            target,
            up: if up_pressed { "0" } else { "1" },
            down: if down_pressed { "0" } else { "-1" },
            up_pressed,
            down_pressed,
        }
    }

    /// A thread's buttons.
    pub fn thread(id: i64, my_vote: Option<i16>) -> Self {
        Self::new(format!("/post/{id}/vote"), my_vote)
    }

    /// A comment's buttons.
    pub fn comment(id: i64, my_vote: Option<i16>) -> Self {
        Self::new(format!("/comment/{id}/vote"), my_vote)
    }
}

/// The field of the vote form.
#[derive(Debug, Deserialize)]
pub struct VoteForm {
    #[serde(default)]
    score: String,
}

fn score(raw: &str) -> Result<i16, PageError> {
    match raw.trim() {
        "1" => Ok(1),
        "-1" => Ok(-1),
        "0" => Ok(0),
        _ => Err(PageError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Not accepted",
            "A vote is up, down, or withdrawn.",
        )),
    }
}

/// Casts the vote and goes back to what was voted on.
async fn cast(
    state: &AppState,
    form: PageForm<VoteForm>,
    target: VoteTarget,
) -> Result<Response, PageError> {
    let PageForm {
        visitor, fields, ..
    } = form;
    let account = poster(&visitor)?;
    let score = score(&fields.score)?;
    votes::vote(&state.ctx, account, target, score).await?;
    let back = match target {
        VoteTarget::Post(id) => format!("/post/{id}"),
        VoteTarget::Comment(id) => {
            let node = thread_view::comment(&state.ctx, None, id).await?;
            format!("/post/{}#c-{id}", node.comment.post_id)
        }
    };
    Ok(see_other(&back))
}

/// `POST /post/ID/vote`.
pub async fn thread(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: PageForm<VoteForm>,
) -> Response {
    let result = match parse_id(&id, "thread") {
        Ok(id) => cast(&state, form, VoteTarget::Post(id)).await,
        Err(e) => Err(e),
    };
    respond(&state.ctx, result).await
}

/// `POST /comment/ID/vote`.
pub async fn comment(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: PageForm<VoteForm>,
) -> Response {
    let result = match parse_id(&id, "comment") {
        Ok(id) => cast(&state, form, VoteTarget::Comment(id)).await,
        Err(e) => Err(e),
    };
    respond(&state.ctx, result).await
}
