//! Who may take part where: the checks shared by threads, comments and votes.

use std::collections::HashSet;

use plaza_db::group::GroupRow;
use plaza_db::{DbConn, group};

use crate::{Account, CoreError, CoreResult};

/// Who takes part, as far as the rules care: a local account or a person from another server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Participant {
    /// The person acting.
    pub person_id: i64,
    /// An administrator of this instance (never true for a remote person).
    pub admin: bool,
}

impl Participant {
    /// A person from another server.
    pub fn remote(person_id: i64) -> Self {
        Self {
            person_id,
            admin: false,
        }
    }
}

impl From<&Account> for Participant {
    fn from(account: &Account) -> Self {
        Self {
            person_id: account.person_id,
            admin: account.admin,
        }
    }
}

/// Refuses an account banned from the group.
pub async fn ensure_not_banned(
    conn: &mut DbConn<'_>,
    group_id: i64,
    who: Participant,
) -> CoreResult<()> {
    if group::is_banned(conn, group_id, who.person_id).await? {
        return Err(CoreError::Forbidden(
            "you are banned from this group".into(),
        ));
    }
    Ok(())
}

/// Refuses a new thread where only moderators may start one and the account is neither a
/// moderator nor an administrator.
pub async fn ensure_may_start_thread(
    conn: &mut DbConn<'_>,
    group: &GroupRow,
    who: Participant,
) -> CoreResult<()> {
    if group.deleted {
        return Err(CoreError::Gone("the group was deleted".into()));
    }
    ensure_not_banned(conn, group.id, who).await?;
    if group.posting_restricted_to_mods
        && !who.admin
        && !group::is_moderator(conn, group.id, who.person_id).await?
    {
        return Err(CoreError::Forbidden(
            "only moderators may start threads in this group".into(),
        ));
    }
    Ok(())
}

/// Refuses to let anyone but the author change a post or comment.
pub fn ensure_author(author_id: i64, who: Participant, what: &str) -> CoreResult<()> {
    if author_id != who.person_id {
        return Err(CoreError::Forbidden(format!(
            "only the author can change this {what}"
        )));
    }
    Ok(())
}

/// [`may_moderate`] for a caller that has read the group's moderators already.
pub fn moderates(who: Participant, moderator_ids: &HashSet<i64>) -> bool {
    who.admin || moderator_ids.contains(&who.person_id)
}

/// Whether someone may remove others' content in a group: its moderators, and administrators of
/// this instance.
pub async fn may_moderate(
    conn: &mut DbConn<'_>,
    group_id: i64,
    who: Participant,
) -> CoreResult<bool> {
    Ok(who.admin || group::is_moderator(conn, group_id, who.person_id).await?)
}

/// Refuses anyone who may not moderate the group, naming what they tried ("read its log").
pub async fn ensure_moderator(
    conn: &mut DbConn<'_>,
    group_id: i64,
    who: Participant,
    what: &str,
) -> CoreResult<()> {
    if may_moderate(conn, group_id, who).await? {
        Ok(())
    } else {
        Err(CoreError::Forbidden(format!(
            "only the group's moderators may {what}"
        )))
    }
}
