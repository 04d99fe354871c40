//! Who may open the pages that are not for everyone: signed-in people, a group's moderators and
//! the instance's administrators. Someone not signed in who opens such a page is sent to log in
//! and back; a form posted after the session ended is refused with 401; anyone else gets 403.

use plaza_core::groups::GroupDetails;
use plaza_core::{Account, CoreError, moderation};

use super::group::local_group;
use super::layout::PageError;
use super::session::Visitor;
use crate::AppState;

/// The signed-in account of a page only signed-in people see.
pub fn account<'a>(visitor: &'a Visitor, back_to: &str) -> Result<&'a Account, PageError> {
    visitor
        .account
        .as_ref()
        .ok_or_else(|| PageError::login_first(back_to))
}

/// The signed-in account that posted a form.
pub fn poster(visitor: &Visitor) -> Result<&Account, PageError> {
    visitor
        .account
        .as_ref()
        .ok_or_else(|| CoreError::Unauthorized(String::new()).into())
}

/// Whether a page is opened (`GET`, sent to log in when needed) or a form posted to it.
#[derive(Debug, Clone, Copy)]
pub enum Via<'a> {
    /// Opened at this path, to come back to after logging in.
    Page(&'a str),
    /// A form.
    Form,
}

impl Via<'_> {
    fn account(self, visitor: &Visitor) -> Result<&Account, PageError> {
        match self {
            Via::Page(path) => account(visitor, path),
            Via::Form => poster(visitor),
        }
    }

    /// "Only `who` may see this page." or "… may do this.", shown to the signed-in `visitor`.
    fn refusal(self, visitor: &Visitor, who: &str) -> PageError {
        let what = match self {
            Via::Page(_) => "see this page",
            Via::Form => "do this",
        };
        PageError::forbidden(format!("Only {who} may {what}.")).seen_by(visitor)
    }
}

/// A group of this instance and the signed-in account moderating it: for the pages and forms
/// only its moderators (and administrators) use.
pub async fn moderator<'a>(
    state: &AppState,
    visitor: &'a Visitor,
    group: &str,
    via: Via<'_>,
) -> Result<(&'a Account, GroupDetails), PageError> {
    let details = local_group(state, group).await?;
    let account = via.account(visitor)?;
    if !moderation::may_moderate_group(&state.ctx, account, details.view.group.id).await? {
        return Err(via.refusal(visitor, "the group's moderators"));
    }
    Ok((account, details))
}

/// The signed-in administrator: for the instance's settings.
pub fn admin<'a>(visitor: &'a Visitor, via: Via<'_>) -> Result<&'a Account, PageError> {
    let account = via.account(visitor)?;
    if account.admin {
        Ok(account)
    } else {
        Err(via.refusal(visitor, "the instance's administrators"))
    }
}

/// The signed-in staff member or administrator: for the insight pages.
pub fn insight_viewer<'a>(visitor: &'a Visitor, via: Via<'_>) -> Result<&'a Account, PageError> {
    let account = via.account(visitor)?;
    if plaza_core::insight::may_see(account) {
        Ok(account)
    } else {
        Err(via.refusal(visitor, "staff and administrators"))
    }
}
