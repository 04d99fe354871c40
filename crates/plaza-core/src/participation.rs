//! Who may take part where: the checks shared by threads, comments and votes.

use plaza_db::group::GroupRow;
use plaza_db::{DbConn, group};

use crate::{Account, CoreError, CoreResult};

/// Refuses an account banned from the group.
pub async fn ensure_not_banned(
    conn: &mut DbConn<'_>,
    group_id: i64,
    account: &Account,
) -> CoreResult<()> {
    if group::is_banned(conn, group_id, account.person_id).await? {
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
    account: &Account,
) -> CoreResult<()> {
    if group.deleted {
        return Err(CoreError::Gone("the group was deleted".into()));
    }
    ensure_not_banned(conn, group.id, account).await?;
    if group.posting_restricted_to_mods
        && !account.admin
        && !group::is_moderator(conn, group.id, account.person_id).await?
    {
        return Err(CoreError::Forbidden(
            "only moderators may start threads in this group".into(),
        ));
    }
    Ok(())
}

/// Refuses to let anyone but the author change a post or comment.
pub fn ensure_author(author_id: i64, account: &Account, what: &str) -> CoreResult<()> {
    if author_id != account.person_id {
        return Err(CoreError::Forbidden(format!(
            "only the author can change this {what}"
        )));
    }
    Ok(())
}
