//! Ids of incoming activities already applied (replay protection).

use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::schema::received_activities;
use crate::{DbConn, DbResult, now, on_conn};

/// Whether an activity with this id was applied already.
pub async fn seen(conn: &mut DbConn<'_>, ap_id: &str) -> DbResult<bool> {
    on_conn!(conn, |c| Ok(diesel::select(diesel::dsl::exists(
        received_activities::table.find(ap_id)
    ))
    .get_result(c)
    .await?))
}

/// Records an applied activity; returns false when it was recorded before.
pub async fn record(conn: &mut DbConn<'_>, ap_id: &str) -> DbResult<bool> {
    let now = now();
    on_conn!(conn, |c| Ok(diesel::insert_into(
        received_activities::table
    )
    .values((
        received_activities::ap_id.eq(ap_id),
        received_activities::received_at.eq(now),
    ))
    .on_conflict_do_nothing()
    .execute(c)
    .await?
        > 0))
}
