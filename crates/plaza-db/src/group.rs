//! Groups (communities), their moderators and their bans.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::instance::FederationPolicy;
use crate::person::PersonBrief;
use crate::schema::{
    group_bans, group_follows, group_moderators, groups, instances, persons, posts,
};
use crate::{DbConn, DbError, DbResult, Page, now, on_conn};

/// A group as stored, keys included: never render this directly.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = groups, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct GroupRow {
    pub id: i64,
    pub ap_id: String,
    pub instance_id: i64,
    pub name: String,
    pub title: String,
    pub description_source: Option<String>,
    pub description_html: Option<String>,
    pub icon_url: Option<String>,
    pub banner_url: Option<String>,
    pub local: bool,
    pub inbox_url: String,
    pub shared_inbox_url: Option<String>,
    pub followers_url: Option<String>,
    pub public_key: String,
    pub private_key: Option<String>,
    pub posting_restricted_to_mods: bool,
    pub sensitive: bool,
    pub deleted: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: Option<NaiveDateTime>,
    pub fetched_at: Option<NaiveDateTime>,
    /// A Q&A group: every thread in it is a question.
    pub qa: bool,
    /// The group collects ideas: staff give its threads a status.
    pub ideas: bool,
}

/// A new group row.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = groups)]
pub struct NewGroup<'a> {
    pub ap_id: &'a str,
    pub instance_id: i64,
    pub name: &'a str,
    pub title: &'a str,
    pub description_source: Option<&'a str>,
    pub description_html: Option<&'a str>,
    pub local: bool,
    pub inbox_url: &'a str,
    pub shared_inbox_url: Option<&'a str>,
    pub followers_url: Option<&'a str>,
    pub public_key: &'a str,
    pub private_key: Option<&'a str>,
    pub posting_restricted_to_mods: bool,
    pub created_at: NaiveDateTime,
}

/// A group with its home domain and counts: the read model for listings and the group page.
#[derive(Debug, Clone)]
pub struct GroupView {
    pub group: GroupRow,
    pub domain: String,
    pub follower_count: i64,
    pub thread_count: i64,
}

/// Inserts a group.
pub async fn insert(conn: &mut DbConn<'_>, new: &NewGroup<'_>) -> DbResult<GroupRow> {
    on_conn!(conn, |c| Ok(diesel::insert_into(groups::table)
        .values(new)
        .returning(GroupRow::as_returning())
        .get_result(c)
        .await?))
}

/// Finds a group by id.
pub async fn find(conn: &mut DbConn<'_>, id: i64) -> DbResult<GroupRow> {
    on_conn!(conn, |c| Ok(groups::table
        .find(id)
        .select(GroupRow::as_select())
        .first(c)
        .await?))
}

/// Finds a local group by name.
pub async fn find_local(conn: &mut DbConn<'_>, name: &str) -> DbResult<Option<GroupRow>> {
    on_conn!(conn, |c| Ok(groups::table
        .filter(groups::local.eq(true))
        .filter(groups::name.eq(name))
        .select(GroupRow::as_select())
        .first(c)
        .await
        .optional()?))
}

macro_rules! group_view_select {
    () => {
        (
            GroupRow::as_select(),
            instances::domain,
            group_follows::table
                .filter(group_follows::group_id.eq(groups::id))
                .filter(group_follows::pending.eq(false))
                .count()
                .single_value(),
            posts::table
                .filter(posts::group_id.eq(groups::id))
                .filter(posts::deleted.eq(false))
                .filter(posts::removed.eq(false))
                .count()
                .single_value(),
        )
    };
}

type GroupViewTuple = (GroupRow, String, Option<i64>, Option<i64>);

fn into_view((group, domain, followers, threads): GroupViewTuple) -> GroupView {
    GroupView {
        group,
        domain,
        follower_count: followers.unwrap_or(0),
        thread_count: threads.unwrap_or(0),
    }
}

/// One group with counts.
pub async fn view(conn: &mut DbConn<'_>, id: i64) -> DbResult<GroupView> {
    let row: GroupViewTuple = on_conn!(conn, |c| groups::table
        .inner_join(instances::table)
        .filter(groups::id.eq(id))
        .select(group_view_select!())
        .first(c)
        .await)?;
    Ok(into_view(row))
}

/// Local groups by name, one page (plus one row to tell whether more follow).
pub async fn list_local(conn: &mut DbConn<'_>, page: Page) -> DbResult<Vec<GroupView>> {
    let rows: Vec<GroupViewTuple> = on_conn!(conn, |c| groups::table
        .inner_join(instances::table)
        .filter(groups::local.eq(true))
        .filter(groups::deleted.eq(false))
        .select(group_view_select!())
        .order((groups::name.asc(), groups::id.asc()))
        .limit(page.fetch_limit())
        .offset(page.offset())
        .load(c)
        .await)?;
    Ok(rows.into_iter().map(into_view).collect())
}

/// Makes a person a moderator of a group (idempotent).
pub async fn add_moderator(conn: &mut DbConn<'_>, group_id: i64, person_id: i64) -> DbResult<()> {
    let now = now();
    on_conn!(conn, |c| {
        diesel::insert_into(group_moderators::table)
            .values((
                group_moderators::group_id.eq(group_id),
                group_moderators::person_id.eq(person_id),
                group_moderators::created_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .execute(c)
            .await?;
        Ok(())
    })
}

/// Replaces a group's moderators with `person_ids`, in that order (a group elsewhere, as it
/// lists them).
pub async fn set_moderators(
    conn: &mut DbConn<'_>,
    group_id: i64,
    person_ids: &[i64],
) -> DbResult<()> {
    on_conn!(conn, |c| {
        diesel::delete(
            group_moderators::table
                .filter(group_moderators::group_id.eq(group_id))
                .filter(group_moderators::person_id.ne_all(person_ids)),
        )
        .execute(c)
        .await?;
        Ok::<_, DbError>(())
    })?;
    for &person_id in person_ids {
        add_moderator(conn, group_id, person_id).await?;
    }
    Ok(())
}

/// Whether a person moderates a group.
pub async fn is_moderator(conn: &mut DbConn<'_>, group_id: i64, person_id: i64) -> DbResult<bool> {
    on_conn!(conn, |c| Ok(diesel::select(diesel::dsl::exists(
        group_moderators::table
            .filter(group_moderators::group_id.eq(group_id))
            .filter(group_moderators::person_id.eq(person_id))
    ))
    .get_result(c)
    .await?))
}

/// A group's moderators, longest-serving first.
pub async fn moderators(conn: &mut DbConn<'_>, group_id: i64) -> DbResult<Vec<PersonBrief>> {
    on_conn!(conn, |c| Ok(group_moderators::table
        .inner_join(persons::table.inner_join(instances::table))
        .filter(group_moderators::group_id.eq(group_id))
        .order(group_moderators::created_at.asc())
        .select(PersonBrief::as_select())
        .load(c)
        .await?))
}

/// The person ids of a group's moderators, for marking them in a list of people.
pub async fn moderator_ids(conn: &mut DbConn<'_>, group_id: i64) -> DbResult<Vec<i64>> {
    on_conn!(conn, |c| Ok(group_moderators::table
        .filter(group_moderators::group_id.eq(group_id))
        .select(group_moderators::person_id)
        .load(c)
        .await?))
}

/// Whether a person is banned from a group now (an expired ban no longer counts).
pub async fn is_banned(conn: &mut DbConn<'_>, group_id: i64, person_id: i64) -> DbResult<bool> {
    let now = now();
    on_conn!(conn, |c| Ok(diesel::select(diesel::dsl::exists(
        group_bans::table
            .filter(group_bans::group_id.eq(group_id))
            .filter(group_bans::person_id.eq(person_id))
            .filter(
                group_bans::expires_at
                    .is_null()
                    .or(group_bans::expires_at.gt(now))
            )
    ))
    .get_result(c)
    .await?))
}

/// A ban in force, as moderators read it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = group_bans, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct BanRow {
    pub reason: Option<String>,
    pub banned_by: Option<i64>,
    pub expires_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// A group's bans in force (expired ones no longer count), newest first, with the banned people.
pub async fn bans(conn: &mut DbConn<'_>, group_id: i64) -> DbResult<Vec<(BanRow, PersonBrief)>> {
    let now = now();
    on_conn!(conn, |c| Ok(group_bans::table
        .inner_join(
            persons::table
                .on(persons::id.eq(group_bans::person_id))
                .inner_join(instances::table)
        )
        .filter(group_bans::group_id.eq(group_id))
        .filter(
            group_bans::expires_at
                .is_null()
                .or(group_bans::expires_at.gt(now))
        )
        .order((group_bans::created_at.desc(), group_bans::person_id.desc()))
        .select((BanRow::as_select(), PersonBrief::as_select()))
        .load(c)
        .await?))
}

/// Bans a person from a group, replacing an earlier ban's reason and expiry.
pub async fn ban(
    conn: &mut DbConn<'_>,
    group_id: i64,
    person_id: i64,
    reason: Option<&str>,
    expires_at: Option<NaiveDateTime>,
    banned_by: Option<i64>,
) -> DbResult<()> {
    let now = now();
    on_conn!(conn, |c| {
        diesel::insert_into(group_bans::table)
            .values((
                group_bans::group_id.eq(group_id),
                group_bans::person_id.eq(person_id),
                group_bans::reason.eq(reason),
                group_bans::expires_at.eq(expires_at),
                group_bans::banned_by.eq(banned_by),
                group_bans::created_at.eq(now),
            ))
            .on_conflict((group_bans::group_id, group_bans::person_id))
            .do_update()
            .set((
                group_bans::reason.eq(reason),
                group_bans::expires_at.eq(expires_at),
                group_bans::banned_by.eq(banned_by),
            ))
            .execute(c)
            .await?;
        Ok(())
    })
}

/// A group's settings as its moderators edit them.
#[derive(Debug, Clone, Copy)]
pub struct GroupSettings<'a> {
    pub title: &'a str,
    pub description_source: Option<&'a str>,
    pub description_html: Option<&'a str>,
    pub posting_restricted_to_mods: bool,
    pub qa: bool,
    pub ideas: bool,
}

/// Replaces a group's title, description, posting rule, Q&A and ideas settings.
pub async fn update_settings(
    conn: &mut DbConn<'_>,
    id: i64,
    settings: GroupSettings<'_>,
) -> DbResult<GroupRow> {
    let GroupSettings {
        title,
        description_source,
        description_html,
        posting_restricted_to_mods,
        qa,
        ideas,
    } = settings;
    let now = now();
    on_conn!(conn, |c| Ok(diesel::update(groups::table.find(id))
        .set((
            groups::title.eq(title),
            groups::description_source.eq(description_source),
            groups::description_html.eq(description_html),
            groups::posting_restricted_to_mods.eq(posting_restricted_to_mods),
            groups::qa.eq(qa),
            groups::ideas.eq(ideas),
            groups::updated_at.eq(now),
        ))
        .returning(GroupRow::as_returning())
        .get_result(c)
        .await?))
}

/// Sets a group's icon and banner (their URLs; `None` for none).
pub async fn set_pictures(
    conn: &mut DbConn<'_>,
    id: i64,
    icon_url: Option<&str>,
    banner_url: Option<&str>,
) -> DbResult<GroupRow> {
    let now = now();
    on_conn!(conn, |c| Ok(diesel::update(groups::table.find(id))
        .set((
            groups::icon_url.eq(icon_url),
            groups::banner_url.eq(banner_url),
            groups::updated_at.eq(now),
        ))
        .returning(GroupRow::as_returning())
        .get_result(c)
        .await?))
}

/// Removes a moderator; returns whether they were one.
pub async fn remove_moderator(
    conn: &mut DbConn<'_>,
    group_id: i64,
    person_id: i64,
) -> DbResult<bool> {
    on_conn!(conn, |c| Ok(diesel::delete(
        group_moderators::table.find((group_id, person_id))
    )
    .execute(c)
    .await?
        > 0))
}

/// Lifts a person's ban from a group; returns whether there was one.
pub async fn unban(conn: &mut DbConn<'_>, group_id: i64, person_id: i64) -> DbResult<bool> {
    on_conn!(conn, |c| Ok(diesel::delete(
        group_bans::table.find((group_id, person_id))
    )
    .execute(c)
    .await?
        > 0))
}

/// Finds a group by ActivityPub id.
pub async fn find_by_ap_id(conn: &mut DbConn<'_>, ap_id: &str) -> DbResult<Option<GroupRow>> {
    on_conn!(conn, |c| Ok(groups::table
        .filter(groups::ap_id.eq(ap_id))
        .select(GroupRow::as_select())
        .first(c)
        .await
        .optional()?))
}

/// Records that a person follows a group (again), with the Follow activity's id.
pub async fn add_follower(
    conn: &mut DbConn<'_>,
    group_id: i64,
    person_id: i64,
    activity_id: &str,
) -> DbResult<()> {
    set_follow(conn, group_id, person_id, activity_id, false).await
}

/// Records a follow of a group on another server, pending until the group accepts it.
pub async fn add_pending_follower(
    conn: &mut DbConn<'_>,
    group_id: i64,
    person_id: i64,
    activity_id: &str,
) -> DbResult<()> {
    set_follow(conn, group_id, person_id, activity_id, true).await
}

/// Marks a pending follow accepted; returns whether there was one (a repeated accept finds none).
pub async fn accept_follower(
    conn: &mut DbConn<'_>,
    group_id: i64,
    person_id: i64,
) -> DbResult<bool> {
    on_conn!(conn, |c| Ok(diesel::update(
        group_follows::table
            .find((group_id, person_id))
            .filter(group_follows::pending.eq(true))
    )
    .set(group_follows::pending.eq(false))
    .execute(c)
    .await?
        > 0))
}

/// Whether anyone here follows the group and the group has accepted it (so what it announces is
/// wanted, and the group knows it is sending to us).
pub async fn has_local_followers(conn: &mut DbConn<'_>, group_id: i64) -> DbResult<bool> {
    on_conn!(conn, |c| Ok(diesel::select(diesel::dsl::exists(
        group_follows::table
            .inner_join(persons::table)
            .filter(group_follows::group_id.eq(group_id))
            .filter(group_follows::pending.eq(false))
            .filter(persons::local.eq(true))
    ))
    .get_result(c)
    .await?))
}

async fn set_follow(
    conn: &mut DbConn<'_>,
    group_id: i64,
    person_id: i64,
    activity_id: &str,
    pending: bool,
) -> DbResult<()> {
    let now = now();
    on_conn!(conn, |c| {
        diesel::insert_into(group_follows::table)
            .values((
                group_follows::group_id.eq(group_id),
                group_follows::person_id.eq(person_id),
                group_follows::pending.eq(pending),
                group_follows::activity_id.eq(activity_id),
                group_follows::created_at.eq(now),
            ))
            .on_conflict((group_follows::group_id, group_follows::person_id))
            .do_update()
            .set((
                group_follows::pending.eq(pending),
                group_follows::activity_id.eq(activity_id),
            ))
            .execute(c)
            .await?;
        Ok(())
    })
}

/// Removes a follower; returns whether they were following.
pub async fn remove_follower(
    conn: &mut DbConn<'_>,
    group_id: i64,
    person_id: i64,
) -> DbResult<bool> {
    on_conn!(conn, |c| Ok(diesel::delete(
        group_follows::table.find((group_id, person_id))
    )
    .execute(c)
    .await?
        > 0))
}

/// The inboxes that reach a group's remote followers: each server's shared inbox where it has
/// one, so one delivery serves all its followers.
pub async fn follower_inboxes(conn: &mut DbConn<'_>, group_id: i64) -> DbResult<Vec<String>> {
    Ok(follower_audience(conn, group_id)
        .await?
        .into_iter()
        .map(|(inbox, _)| inbox)
        .collect())
}

/// Like [`follower_inboxes`], with the software each inbox's server runs (from its NodeInfo,
/// when known), so a publisher can choose the form each server reads best.
pub async fn follower_audience(
    conn: &mut DbConn<'_>,
    group_id: i64,
) -> DbResult<Vec<(String, Option<String>)>> {
    let policy = FederationPolicy::load(conn).await?;
    type Row = (String, Option<String>, Option<String>, String, bool, bool);
    let rows: Vec<Row> = on_conn!(conn, |c| group_follows::table
        .inner_join(persons::table.inner_join(instances::table))
        .filter(group_follows::group_id.eq(group_id))
        .filter(group_follows::pending.eq(false))
        .filter(persons::local.eq(false))
        .select((
            persons::inbox_url,
            persons::shared_inbox_url,
            instances::software,
            instances::domain,
            instances::blocked,
            instances::allowed,
        ))
        .load(c)
        .await)?;
    // Nothing goes to instances Plaza does not federate with (their followers stay, for when
    // it does again).
    let mut audience: Vec<(String, Option<String>)> = rows
        .into_iter()
        .filter(|(_, _, _, domain, blocked, allowed)| {
            policy.check(domain, *blocked, *allowed).is_ok()
        })
        .map(|(inbox, shared, software, ..)| (shared.unwrap_or(inbox), software))
        .collect();
    audience.sort();
    audience.dedup_by(|a, b| a.0 == b.0);
    Ok(audience)
}

/// The inboxes that may show a local person: those of the servers following any group of this
/// instance, and those of the groups elsewhere the person follows; one per server where it has a
/// shared inbox, none on servers this instance does not federate with.
pub async fn person_audience(conn: &mut DbConn<'_>, person_id: i64) -> DbResult<Vec<String>> {
    let policy = FederationPolicy::load(conn).await?;
    type Row = (String, Option<String>, String, bool, bool);
    let followers: Vec<Row> = on_conn!(conn, |c| group_follows::table
        .inner_join(groups::table)
        .inner_join(persons::table.inner_join(instances::table))
        .filter(groups::local.eq(true))
        .filter(group_follows::pending.eq(false))
        .filter(persons::local.eq(false))
        .select((
            persons::inbox_url,
            persons::shared_inbox_url,
            instances::domain,
            instances::blocked,
            instances::allowed,
        ))
        .distinct()
        .load(c)
        .await)?;
    let followed: Vec<Row> = on_conn!(conn, |c| group_follows::table
        .inner_join(groups::table.inner_join(instances::table))
        .filter(group_follows::person_id.eq(person_id))
        .filter(groups::local.eq(false))
        .select((
            groups::inbox_url,
            groups::shared_inbox_url,
            instances::domain,
            instances::blocked,
            instances::allowed,
        ))
        .load(c)
        .await)?;
    let mut inboxes: Vec<String> = followers
        .into_iter()
        .chain(followed)
        .filter(|(_, _, domain, blocked, allowed)| policy.check(domain, *blocked, *allowed).is_ok())
        .map(|(inbox, shared, ..)| shared.unwrap_or(inbox))
        .collect();
    inboxes.sort();
    inboxes.dedup();
    Ok(inboxes)
}

/// A group on another server as last fetched.
#[derive(Debug, Clone)]
pub struct RemoteGroup<'a> {
    pub ap_id: &'a str,
    pub instance_id: i64,
    pub name: &'a str,
    pub title: &'a str,
    pub description_html: Option<&'a str>,
    pub icon_url: Option<&'a str>,
    pub inbox_url: &'a str,
    pub shared_inbox_url: Option<&'a str>,
    pub followers_url: Option<&'a str>,
    pub public_key: &'a str,
    pub posting_restricted_to_mods: bool,
}

/// Stores a fetched remote group, or refreshes the stored copy.
pub async fn upsert_remote(conn: &mut DbConn<'_>, g: &RemoteGroup<'_>) -> DbResult<GroupRow> {
    let now = now();
    on_conn!(conn, |c| Ok(diesel::insert_into(groups::table)
        .values((
            groups::ap_id.eq(g.ap_id),
            groups::instance_id.eq(g.instance_id),
            groups::name.eq(g.name),
            groups::title.eq(g.title),
            groups::description_html.eq(g.description_html),
            groups::icon_url.eq(g.icon_url),
            groups::local.eq(false),
            groups::inbox_url.eq(g.inbox_url),
            groups::shared_inbox_url.eq(g.shared_inbox_url),
            groups::followers_url.eq(g.followers_url),
            groups::public_key.eq(g.public_key),
            groups::posting_restricted_to_mods.eq(g.posting_restricted_to_mods),
            groups::created_at.eq(now),
            groups::fetched_at.eq(now),
        ))
        .on_conflict(groups::ap_id)
        .do_update()
        .set((
            groups::name.eq(g.name),
            groups::title.eq(g.title),
            groups::description_html.eq(g.description_html),
            groups::icon_url.eq(g.icon_url),
            groups::inbox_url.eq(g.inbox_url),
            groups::shared_inbox_url.eq(g.shared_inbox_url),
            groups::followers_url.eq(g.followers_url),
            groups::public_key.eq(g.public_key),
            groups::posting_restricted_to_mods.eq(g.posting_restricted_to_mods),
            groups::updated_at.eq(now),
            groups::fetched_at.eq(now),
        ))
        .returning(GroupRow::as_returning())
        .get_result(c)
        .await?))
}

/// What a group elsewhere says of itself in an `Update`.
#[derive(Debug, Clone)]
pub struct RemoteProfile<'a> {
    pub title: &'a str,
    pub description_html: Option<&'a str>,
    pub icon_url: Option<&'a str>,
    pub posting_restricted_to_mods: bool,
}

/// Applies a group elsewhere's `Update` of itself to the stored copy.
pub async fn apply_remote_profile(
    conn: &mut DbConn<'_>,
    id: i64,
    p: &RemoteProfile<'_>,
) -> DbResult<GroupRow> {
    let now = now();
    on_conn!(conn, |c| Ok(diesel::update(groups::table.find(id))
        .set((
            groups::title.eq(p.title),
            groups::description_html.eq(p.description_html),
            groups::icon_url.eq(p.icon_url),
            groups::posting_restricted_to_mods.eq(p.posting_restricted_to_mods),
            groups::updated_at.eq(now),
        ))
        .returning(GroupRow::as_returning())
        .get_result(c)
        .await?))
}

/// Finds a group by `name` and its instance's `domain` (local or remote).
pub async fn find_by_handle(
    conn: &mut DbConn<'_>,
    name: &str,
    domain: &str,
) -> DbResult<Option<GroupRow>> {
    on_conn!(conn, |c| Ok(groups::table
        .inner_join(instances::table)
        .filter(groups::name.eq(name))
        .filter(instances::domain.eq(domain))
        .select(GroupRow::as_select())
        .first(c)
        .await
        .optional()?))
}

/// The follow (group, person) that the `Follow` activity `activity_id` asked for, if any.
pub async fn follow_by_activity(
    conn: &mut DbConn<'_>,
    activity_id: &str,
) -> DbResult<Option<(i64, i64)>> {
    on_conn!(conn, |c| Ok(group_follows::table
        .filter(group_follows::activity_id.eq(activity_id))
        .select((group_follows::group_id, group_follows::person_id))
        .first(c)
        .await
        .optional()?))
}

/// A person's follow of a group: (pending, the Follow activity's id), if they follow it.
pub async fn follow_of(
    conn: &mut DbConn<'_>,
    group_id: i64,
    person_id: i64,
) -> DbResult<Option<(bool, Option<String>)>> {
    on_conn!(conn, |c| Ok(group_follows::table
        .find((group_id, person_id))
        .select((group_follows::pending, group_follows::activity_id))
        .first(c)
        .await
        .optional()?))
}

/// Ends a person's follows and moderator roles, in every group (their account is deleted).
pub async fn forget_person(conn: &mut DbConn<'_>, person_id: i64) -> DbResult<()> {
    on_conn!(conn, |c| {
        diesel::delete(group_follows::table.filter(group_follows::person_id.eq(person_id)))
            .execute(c)
            .await?;
        diesel::delete(group_moderators::table.filter(group_moderators::person_id.eq(person_id)))
            .execute(c)
            .await?;
        Ok(())
    })
}
