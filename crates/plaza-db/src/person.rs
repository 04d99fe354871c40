//! People: local accounts' public side and cached remote actors.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::schema::{instances, local_users, persons};
use crate::{DbConn, DbResult, on_conn};

/// A person as stored, keys included: never render this directly.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = persons, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct PersonRow {
    pub id: i64,
    pub ap_id: String,
    pub instance_id: i64,
    pub name: String,
    pub display_name: Option<String>,
    pub bio_source: Option<String>,
    pub bio_html: Option<String>,
    pub avatar_url: Option<String>,
    pub local: bool,
    pub inbox_url: String,
    pub shared_inbox_url: Option<String>,
    pub public_key: String,
    pub private_key: Option<String>,
    pub bot: bool,
    pub deleted: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: Option<NaiveDateTime>,
    pub fetched_at: Option<NaiveDateTime>,
}

/// The public face of a person, with their home domain: what views join in for authors.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = persons, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct PersonBrief {
    pub id: i64,
    pub ap_id: String,
    pub name: String,
    pub display_name: Option<String>,
    pub avatar_url: Option<String>,
    pub local: bool,
    pub bot: bool,
    pub deleted: bool,
    #[diesel(select_expression = instances::domain)]
    pub domain: String,
    /// Brand staff: a local account the administrators named staff (never a remote person).
    #[diesel(select_expression = staff_of_person(), select_expression_type = StaffOfPerson)]
    pub staff: bool,
}

/// Whether the person of the surrounding query is a local account marked staff; a subquery, so
/// every query that reads a [`PersonBrief`] keeps its joins.
type StaffOfPerson = diesel::dsl::exists<
    diesel::dsl::Filter<
        diesel::dsl::Filter<
            local_users::table,
            diesel::dsl::Eq<local_users::person_id, persons::id>,
        >,
        local_users::staff,
    >,
>;

fn staff_of_person() -> StaffOfPerson {
    diesel::dsl::exists(
        local_users::table
            .filter(local_users::person_id.eq(persons::id))
            .filter(local_users::staff),
    )
}

/// A new person row.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = persons)]
pub struct NewPerson<'a> {
    pub ap_id: &'a str,
    pub instance_id: i64,
    pub name: &'a str,
    pub display_name: Option<&'a str>,
    pub local: bool,
    pub inbox_url: &'a str,
    pub shared_inbox_url: Option<&'a str>,
    pub public_key: &'a str,
    pub private_key: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

/// Inserts a person.
pub async fn insert(conn: &mut DbConn<'_>, new: &NewPerson<'_>) -> DbResult<PersonRow> {
    on_conn!(conn, |c| Ok(diesel::insert_into(persons::table)
        .values(new)
        .returning(PersonRow::as_returning())
        .get_result(c)
        .await?))
}

/// Finds a person by id.
pub async fn find(conn: &mut DbConn<'_>, id: i64) -> DbResult<PersonRow> {
    on_conn!(conn, |c| Ok(persons::table
        .find(id)
        .select(PersonRow::as_select())
        .first(c)
        .await?))
}

/// Some people's public faces, by id (in no particular order; unknown ids are left out).
pub async fn briefs(conn: &mut DbConn<'_>, ids: &[i64]) -> DbResult<Vec<PersonBrief>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    on_conn!(conn, |c| Ok(persons::table
        .inner_join(instances::table)
        .filter(persons::id.eq_any(ids))
        .select(PersonBrief::as_select())
        .load(c)
        .await?))
}

/// Finds a local person by name.
pub async fn find_local(conn: &mut DbConn<'_>, name: &str) -> DbResult<Option<PersonRow>> {
    on_conn!(conn, |c| Ok(persons::table
        .filter(persons::local.eq(true))
        .filter(persons::name.eq(name))
        .select(PersonRow::as_select())
        .first(c)
        .await
        .optional()?))
}

/// The ids of the local people with these names (unknown names are left out).
pub async fn local_ids_named(conn: &mut DbConn<'_>, names: &[String]) -> DbResult<Vec<i64>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    on_conn!(conn, |c| Ok(persons::table
        .filter(persons::local.eq(true))
        .filter(persons::name.eq_any(names))
        .select(persons::id)
        .load(c)
        .await?))
}

/// The id of some local person, if any (to check that the public URL still matches stored ids).
pub async fn any_local_ap_id(conn: &mut DbConn<'_>) -> DbResult<Option<String>> {
    on_conn!(conn, |c| Ok(persons::table
        .filter(persons::local.eq(true))
        .select(persons::ap_id)
        .first(c)
        .await
        .optional()?))
}

/// A remote actor as last fetched.
#[derive(Debug, Clone)]
pub struct RemotePerson<'a> {
    pub ap_id: &'a str,
    pub instance_id: i64,
    pub name: &'a str,
    pub display_name: Option<&'a str>,
    pub bio_html: Option<&'a str>,
    pub avatar_url: Option<&'a str>,
    pub inbox_url: &'a str,
    pub shared_inbox_url: Option<&'a str>,
    pub public_key: &'a str,
    pub bot: bool,
}

/// Stores a fetched remote actor, or refreshes the stored copy.
pub async fn upsert_remote(conn: &mut DbConn<'_>, p: &RemotePerson<'_>) -> DbResult<PersonRow> {
    let now = crate::now();
    on_conn!(conn, |c| Ok(diesel::insert_into(persons::table)
        .values((
            persons::ap_id.eq(p.ap_id),
            persons::instance_id.eq(p.instance_id),
            persons::name.eq(p.name),
            persons::display_name.eq(p.display_name),
            persons::bio_html.eq(p.bio_html),
            persons::avatar_url.eq(p.avatar_url),
            persons::local.eq(false),
            persons::inbox_url.eq(p.inbox_url),
            persons::shared_inbox_url.eq(p.shared_inbox_url),
            persons::public_key.eq(p.public_key),
            persons::bot.eq(p.bot),
            persons::created_at.eq(now),
            persons::fetched_at.eq(now),
        ))
        .on_conflict(persons::ap_id)
        .do_update()
        .set((
            persons::name.eq(p.name),
            persons::display_name.eq(p.display_name),
            persons::bio_html.eq(p.bio_html),
            persons::avatar_url.eq(p.avatar_url),
            persons::inbox_url.eq(p.inbox_url),
            persons::shared_inbox_url.eq(p.shared_inbox_url),
            persons::public_key.eq(p.public_key),
            persons::bot.eq(p.bot),
            persons::updated_at.eq(now),
            persons::fetched_at.eq(now),
        ))
        .returning(PersonRow::as_returning())
        .get_result(c)
        .await?))
}

/// Finds a person by ActivityPub id.
pub async fn find_by_ap_id(conn: &mut DbConn<'_>, ap_id: &str) -> DbResult<Option<PersonRow>> {
    on_conn!(conn, |c| Ok(persons::table
        .filter(persons::ap_id.eq(ap_id))
        .select(PersonRow::as_select())
        .first(c)
        .await
        .optional()?))
}

/// Finds a person by `name` and their instance's `domain`.
pub async fn find_by_handle(
    conn: &mut DbConn<'_>,
    name: &str,
    domain: &str,
) -> DbResult<Option<PersonRow>> {
    on_conn!(conn, |c| Ok(persons::table
        .inner_join(instances::table)
        .filter(persons::name.eq(name))
        .filter(instances::domain.eq(domain))
        .select(PersonRow::as_select())
        .first(c)
        .await
        .optional()?))
}

/// What a person shows of themselves: their display name, their bio (its Markdown source, for a
/// local person, and its HTML) and their avatar.
#[derive(Debug, Clone, Copy)]
pub struct Profile<'a> {
    pub display_name: Option<&'a str>,
    pub bio_source: Option<&'a str>,
    pub bio_html: Option<&'a str>,
    pub avatar_url: Option<&'a str>,
}

/// Replaces a person's profile.
pub async fn set_profile(conn: &mut DbConn<'_>, id: i64, p: &Profile<'_>) -> DbResult<PersonRow> {
    let now = crate::now();
    on_conn!(conn, |c| Ok(diesel::update(persons::table.find(id))
        .set((
            persons::display_name.eq(p.display_name),
            persons::bio_source.eq(p.bio_source),
            persons::bio_html.eq(p.bio_html),
            persons::avatar_url.eq(p.avatar_url),
            persons::updated_at.eq(now),
        ))
        .returning(PersonRow::as_returning())
        .get_result(c)
        .await?))
}

/// Marks a person deleted and erases their profile; their name stays, so it is never given to
/// someone else.
pub async fn erase(conn: &mut DbConn<'_>, id: i64) -> DbResult<()> {
    let now = crate::now();
    on_conn!(conn, |c| {
        diesel::update(persons::table.find(id))
            .set((
                persons::deleted.eq(true),
                persons::display_name.eq(None::<String>),
                persons::bio_source.eq(None::<String>),
                persons::bio_html.eq(None::<String>),
                persons::avatar_url.eq(None::<String>),
                persons::updated_at.eq(now),
            ))
            .execute(c)
            .await?;
        Ok(())
    })
}

/// Erases every thread and comment of a person, and their attached media, as a deletion by
/// their author does one at a time; returns how many of each.
pub async fn erase_content(conn: &mut DbConn<'_>, id: i64) -> DbResult<(usize, usize)> {
    use crate::schema::{attachments, comments, posts};
    let now = crate::now();
    on_conn!(conn, |c| {
        let their_posts = posts::table
            .filter(posts::author_id.eq(id))
            .select(posts::id);
        let their_comments = comments::table
            .filter(comments::author_id.eq(id))
            .select(comments::id);
        diesel::delete(
            attachments::table.filter(
                attachments::post_id
                    .eq_any(their_posts.nullable())
                    .or(attachments::comment_id.eq_any(their_comments.nullable())),
            ),
        )
        .execute(c)
        .await?;
        // Their replies stop being anyone's accepted answer.
        diesel::update(
            posts::table.filter(
                posts::accepted_comment_id.eq_any(
                    comments::table
                        .filter(comments::author_id.eq(id))
                        .select(comments::id.nullable()),
                ),
            ),
        )
        .set((
            posts::accepted_comment_id.eq(None::<i64>),
            posts::accepted_by.eq(None::<i64>),
            posts::accepted_at.eq(None::<NaiveDateTime>),
            posts::accepted_officially.eq(false),
        ))
        .execute(c)
        .await?;
        let threads = diesel::update(
            posts::table
                .filter(posts::author_id.eq(id))
                .filter(posts::deleted.eq(false)),
        )
        .set((
            posts::deleted.eq(true),
            posts::body_source.eq(None::<String>),
            posts::body_html.eq(""),
            posts::url.eq(None::<String>),
            posts::updated_at.eq(now),
        ))
        .execute(c)
        .await?;
        let replies = diesel::update(
            comments::table
                .filter(comments::author_id.eq(id))
                .filter(comments::deleted.eq(false)),
        )
        .set((
            comments::deleted.eq(true),
            comments::body_source.eq(None::<String>),
            comments::body_html.eq(""),
            comments::updated_at.eq(now),
        ))
        .execute(c)
        .await?;
        Ok((threads, replies))
    })
}
