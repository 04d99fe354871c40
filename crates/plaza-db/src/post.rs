//! Threads: the post that starts one, its counters, and the group listing.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::person::PersonBrief;
use crate::schema::{comments, groups, instances, persons, posts};
use crate::{DbConn, DbResult, Page, now, on_conn};

/// Threads with no live reply (every reply deleted or removed, or none), themselves neither
/// deleted nor removed. It is written out as the `posts_unanswered` partial index's condition,
/// literally rather than with bound values, so that both planners see that the index holds
/// exactly these threads.
pub(crate) fn unanswered() -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    diesel::dsl::sql("posts.live_comments = 0 AND NOT posts.deleted AND NOT posts.removed")
}

/// A thread's opening post as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = posts, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct PostRow {
    pub id: i64,
    pub ap_id: String,
    pub group_id: i64,
    pub author_id: i64,
    pub title: String,
    pub body_source: Option<String>,
    pub body_html: String,
    pub url: Option<String>,
    pub local: bool,
    pub locked: bool,
    pub pinned: bool,
    pub removed: bool,
    pub deleted: bool,
    pub upvotes: i64,
    pub downvotes: i64,
    pub score: i64,
    pub comment_count: i64,
    pub created_at: NaiveDateTime,
    /// Any change of its text: an edit or the deletion.
    pub updated_at: Option<NaiveDateTime>,
    pub last_activity_at: NaiveDateTime,
    pub fetched_at: Option<NaiveDateTime>,
    /// The last edit of its text: what "edited" means.
    pub edited_at: Option<NaiveDateTime>,
    /// Its author asked a question (a thread in a Q&A group is one whatever this says).
    pub question: bool,
    /// The reply the asker, a moderator or staff accepted as the answer.
    pub accepted_comment_id: Option<i64>,
    /// Who accepted it.
    pub accepted_by: Option<i64>,
    /// When it was accepted.
    pub accepted_at: Option<NaiveDateTime>,
    /// A moderator, staff or an administrator accepted it (not only the asker).
    pub accepted_officially: bool,
    /// In a group that collects ideas: what the brand decided (`under_review`, `planned`,
    /// `in_progress`, `done`, `declined`).
    pub idea_status: Option<String>,
    /// Why, in staff's words.
    pub idea_note: Option<String>,
    /// Who set the status.
    pub idea_status_by: Option<i64>,
    /// When.
    pub idea_status_at: Option<NaiveDateTime>,
}

/// A new post. Local posts get a placeholder `ap_id` replaced by [`set_ap_id`] in the same
/// transaction, since their public URL contains the id the insert assigns.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = posts)]
pub struct NewPost<'a> {
    pub ap_id: &'a str,
    pub group_id: i64,
    pub author_id: i64,
    pub title: &'a str,
    pub body_source: Option<&'a str>,
    pub body_html: &'a str,
    pub url: Option<&'a str>,
    pub local: bool,
    pub created_at: NaiveDateTime,
    pub last_activity_at: NaiveDateTime,
    pub question: bool,
}

/// The order of a group's thread list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThreadSort {
    /// Newest first.
    #[default]
    New,
    /// Most recent activity (post or reply) first.
    Active,
    /// Highest score first.
    Top,
}

/// Which of a group's threads a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThreadFilter {
    /// Every visible thread.
    #[default]
    All,
    /// Threads with no live reply yet.
    Unanswered,
    /// Questions without an accepted answer.
    Unsolved,
    /// Threads with an accepted answer.
    Solved,
    /// Ideas with this status.
    IdeaStatus(&'static str),
}

/// A question nobody has replied to, for the staff's list.
#[derive(Debug, Clone)]
pub struct WaitingQuestion {
    pub post: PostRow,
    pub author: PersonBrief,
    pub group_name: String,
}

/// Inserts a post.
pub async fn insert(conn: &mut DbConn<'_>, new: &NewPost<'_>) -> DbResult<PostRow> {
    on_conn!(conn, |c| Ok(diesel::insert_into(posts::table)
        .values(new)
        .returning(PostRow::as_returning())
        .get_result(c)
        .await?))
}

/// Sets a post's public id.
pub async fn set_ap_id(conn: &mut DbConn<'_>, id: i64, ap_id: &str) -> DbResult<PostRow> {
    on_conn!(conn, |c| Ok(diesel::update(posts::table.find(id))
        .set(posts::ap_id.eq(ap_id))
        .returning(PostRow::as_returning())
        .get_result(c)
        .await?))
}

/// Finds a post by id.
pub async fn find(conn: &mut DbConn<'_>, id: i64) -> DbResult<PostRow> {
    on_conn!(conn, |c| Ok(posts::table
        .find(id)
        .select(PostRow::as_select())
        .first(c)
        .await?))
}

/// Some posts by id (in no particular order; unknown ids are left out).
pub async fn find_many(conn: &mut DbConn<'_>, ids: &[i64]) -> DbResult<Vec<PostRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    on_conn!(conn, |c| Ok(posts::table
        .filter(posts::id.eq_any(ids))
        .select(PostRow::as_select())
        .load(c)
        .await?))
}

/// Finds a post with its author.
pub async fn find_with_author(conn: &mut DbConn<'_>, id: i64) -> DbResult<(PostRow, PersonBrief)> {
    on_conn!(conn, |c| Ok(posts::table
        .inner_join(persons::table.inner_join(instances::table))
        .filter(posts::id.eq(id))
        .select((PostRow::as_select(), PersonBrief::as_select()))
        .first(c)
        .await?))
}

/// Replaces a post's title and body.
pub async fn update_content(
    conn: &mut DbConn<'_>,
    id: i64,
    title: &str,
    body_source: Option<&str>,
    body_html: &str,
    url: Option<&str>,
) -> DbResult<PostRow> {
    let now = now();
    on_conn!(conn, |c| Ok(diesel::update(posts::table.find(id))
        .set((
            posts::title.eq(title),
            posts::body_source.eq(body_source),
            posts::body_html.eq(body_html),
            posts::url.eq(url),
            posts::updated_at.eq(now),
            posts::edited_at.eq(now),
        ))
        .returning(PostRow::as_returning())
        .get_result(c)
        .await?))
}

/// Marks a post deleted by its author and erases its body and link; the title stays so the
/// thread's replies keep their context.
pub async fn mark_deleted(conn: &mut DbConn<'_>, id: i64) -> DbResult<PostRow> {
    // Its media go with its text.
    crate::attachment::replace(conn, crate::attachment::Owner::Post(id), &[]).await?;
    let now = now();
    on_conn!(conn, |c| Ok(diesel::update(posts::table.find(id))
        .set((
            posts::deleted.eq(true),
            posts::body_source.eq(None::<String>),
            posts::body_html.eq(""),
            posts::url.eq(None::<String>),
            posts::updated_at.eq(now),
        ))
        .returning(PostRow::as_returning())
        .get_result(c)
        .await?))
}

/// Counts a new reply and bumps the thread's activity time.
pub async fn count_reply(conn: &mut DbConn<'_>, id: i64, at: NaiveDateTime) -> DbResult<()> {
    on_conn!(conn, |c| {
        diesel::update(posts::table.find(id))
            .set((
                posts::comment_count.eq(posts::comment_count + 1),
                posts::last_activity_at.eq(at),
            ))
            .execute(c)
            .await?;
        Ok(())
    })
}

/// Locks or unlocks a thread (a locked one takes no replies).
pub async fn set_locked(conn: &mut DbConn<'_>, id: i64, locked: bool) -> DbResult<PostRow> {
    on_conn!(conn, |c| Ok(diesel::update(posts::table.find(id))
        .set(posts::locked.eq(locked))
        .returning(PostRow::as_returning())
        .get_result(c)
        .await?))
}

/// Pins or unpins a thread in its group (the group's `featured` collection).
pub async fn set_pinned(conn: &mut DbConn<'_>, id: i64, pinned: bool) -> DbResult<PostRow> {
    on_conn!(conn, |c| Ok(diesel::update(posts::table.find(id))
        .set(posts::pinned.eq(pinned))
        .returning(PostRow::as_returning())
        .get_result(c)
        .await?))
}

/// Finds a post by its ActivityPub id.
pub async fn find_by_ap_id(conn: &mut DbConn<'_>, ap_id: &str) -> DbResult<Option<PostRow>> {
    on_conn!(conn, |c| Ok(posts::table
        .filter(posts::ap_id.eq(ap_id))
        .select(PostRow::as_select())
        .first(c)
        .await
        .optional()?))
}

/// Sets or clears a moderator's removal. Unlike a deletion it keeps the content, so a removal
/// can be undone.
pub async fn set_removed(conn: &mut DbConn<'_>, id: i64, removed: bool) -> DbResult<PostRow> {
    on_conn!(conn, |c| Ok(diesel::update(posts::table.find(id))
        .set(posts::removed.eq(removed))
        .returning(PostRow::as_returning())
        .get_result(c)
        .await?))
}

/// Adds to a post's vote counters (deltas may be negative).
pub async fn add_votes(conn: &mut DbConn<'_>, id: i64, up: i64, down: i64) -> DbResult<PostRow> {
    on_conn!(conn, |c| Ok(diesel::update(posts::table.find(id))
        .set((
            posts::upvotes.eq(posts::upvotes + up),
            posts::downvotes.eq(posts::downvotes + down),
            posts::score.eq(posts::score + (up - down)),
        ))
        .returning(PostRow::as_returning())
        .get_result(c)
        .await?))
}

/// One page of a group's visible threads with their authors; pinned threads come first. In a
/// Q&A group (`qa_group`) every thread counts as a question.
pub async fn list_for_group(
    conn: &mut DbConn<'_>,
    group_id: i64,
    qa_group: bool,
    filter: ThreadFilter,
    sort: ThreadSort,
    page: Page,
) -> DbResult<Vec<(PostRow, PersonBrief)>> {
    on_conn!(conn, |c| {
        let mut query = posts::table
            .inner_join(persons::table.inner_join(instances::table))
            .filter(posts::group_id.eq(group_id))
            .filter(posts::deleted.eq(false))
            .filter(posts::removed.eq(false))
            .select((PostRow::as_select(), PersonBrief::as_select()))
            .limit(page.fetch_limit())
            .offset(page.offset())
            .into_boxed();
        match filter {
            ThreadFilter::All => {}
            ThreadFilter::Unanswered => {
                query = query.filter(unanswered());
            }
            ThreadFilter::Unsolved => {
                query = query.filter(posts::accepted_comment_id.is_null());
                if !qa_group {
                    query = query.filter(posts::question.eq(true));
                }
            }
            ThreadFilter::Solved => {
                query = query.filter(posts::accepted_comment_id.is_not_null());
            }
            ThreadFilter::IdeaStatus(status) => {
                query = query.filter(posts::idea_status.eq(status));
            }
        }
        let query = match sort {
            ThreadSort::New => query.order((
                posts::pinned.desc(),
                posts::created_at.desc(),
                posts::id.desc(),
            )),
            ThreadSort::Active => query.order((
                posts::pinned.desc(),
                posts::last_activity_at.desc(),
                posts::id.desc(),
            )),
            ThreadSort::Top => query.order((
                posts::pinned.desc(),
                posts::score.desc(),
                posts::created_at.desc(),
                posts::id.desc(),
            )),
        };
        Ok(query.load(c).await?)
    })
}

/// A group's visible threads for federation collections, newest first: pinned ones only
/// (`featured`) or all (`outbox`), at most `limit`.
pub async fn recent_in_group(
    conn: &mut DbConn<'_>,
    group_id: i64,
    pinned_only: bool,
    limit: i64,
) -> DbResult<Vec<(PostRow, PersonBrief)>> {
    on_conn!(conn, |c| {
        let mut query = posts::table
            .inner_join(persons::table.inner_join(instances::table))
            .filter(posts::group_id.eq(group_id))
            .filter(posts::deleted.eq(false))
            .filter(posts::removed.eq(false))
            .select((PostRow::as_select(), PersonBrief::as_select()))
            .order((posts::created_at.desc(), posts::id.desc()))
            .limit(limit)
            .into_boxed();
        if pinned_only {
            query = query.filter(posts::pinned.eq(true));
        }
        Ok(query.load(c).await?)
    })
}

/// Finds a post and, on PostgreSQL, locks its row until the transaction ends, so concurrent
/// changes to its counters (votes) are applied one after the other. SQLite transactions here
/// start with `BEGIN IMMEDIATE`, which already serializes writers.
pub async fn find_for_update(conn: &mut DbConn<'_>, id: i64) -> DbResult<PostRow> {
    Ok(match conn {
        DbConn::Sqlite(c) => {
            posts::table
                .find(id)
                .select(PostRow::as_select())
                .first(&mut **c)
                .await?
        }
        DbConn::Pg(c) => {
            posts::table
                .find(id)
                .select(PostRow::as_select())
                .for_update()
                .first(&mut **c)
                .await?
        }
    })
}

/// Whether a thread is marked a question by its author.
pub async fn set_question(conn: &mut DbConn<'_>, id: i64, question: bool) -> DbResult<PostRow> {
    on_conn!(conn, |c| Ok(diesel::update(posts::table.find(id))
        .set(posts::question.eq(question))
        .returning(PostRow::as_returning())
        .get_result(c)
        .await?))
}

/// Who accepted an answer: the person, when known, and whether they did so as a moderator or
/// staff.
#[derive(Debug, Clone, Copy)]
pub struct Acceptance {
    pub comment_id: i64,
    pub by: Option<i64>,
    pub officially: bool,
}

/// Sets a thread's accepted answer (the comment, who accepted it, when), or clears it.
pub async fn set_accepted(
    conn: &mut DbConn<'_>,
    id: i64,
    accepted: Option<Acceptance>,
) -> DbResult<PostRow> {
    let (comment_id, by, at, officially) = match accepted {
        Some(a) => (Some(a.comment_id), a.by, Some(now()), a.officially),
        None => (None, None, None, false),
    };
    on_conn!(conn, |c| Ok(diesel::update(posts::table.find(id))
        .set((
            posts::accepted_comment_id.eq(comment_id),
            posts::accepted_by.eq(by),
            posts::accepted_at.eq(at),
            posts::accepted_officially.eq(officially),
        ))
        .returning(PostRow::as_returning())
        .get_result(c)
        .await?))
}

/// Everyone who voted on a thread or wrote a live comment in it.
pub async fn participants(conn: &mut DbConn<'_>, id: i64) -> DbResult<Vec<i64>> {
    use crate::schema::post_votes;
    on_conn!(conn, |c| {
        let mut people: Vec<i64> = post_votes::table
            .filter(post_votes::post_id.eq(id))
            .select(post_votes::person_id)
            .load(c)
            .await?;
        let writers: Vec<i64> = comments::table
            .filter(comments::post_id.eq(id))
            .filter(comments::deleted.eq(false))
            .select(comments::author_id)
            .distinct()
            .load(c)
            .await?;
        people.extend(writers);
        people.sort_unstable();
        people.dedup();
        Ok(people)
    })
}

/// Sets (or with `None` clears) a thread's idea status and note.
pub async fn set_idea_status(
    conn: &mut DbConn<'_>,
    id: i64,
    status: Option<(&str, Option<&str>)>,
    by: i64,
) -> DbResult<PostRow> {
    let (status, note, by, at) = match status {
        Some((status, note)) => (Some(status), note, Some(by), Some(now())),
        None => (None, None, None, None),
    };
    on_conn!(conn, |c| Ok(diesel::update(posts::table.find(id))
        .set((
            posts::idea_status.eq(status),
            posts::idea_note.eq(note),
            posts::idea_status_by.eq(by),
            posts::idea_status_at.eq(at),
        ))
        .returning(PostRow::as_returning())
        .get_result(c)
        .await?))
}

/// Clears the accepted answer of the thread that has `comment_id` as one; returns that thread.
pub async fn clear_accepted_comment(
    conn: &mut DbConn<'_>,
    comment_id: i64,
) -> DbResult<Option<PostRow>> {
    on_conn!(conn, |c| Ok(diesel::update(
        posts::table.filter(posts::accepted_comment_id.eq(comment_id))
    )
    .set((
        posts::accepted_comment_id.eq(None::<i64>),
        posts::accepted_by.eq(None::<i64>),
        posts::accepted_at.eq(None::<NaiveDateTime>),
        posts::accepted_officially.eq(false),
    ))
    .returning(PostRow::as_returning())
    .get_result(c)
    .await
    .optional()?))
}

/// Visible questions in live groups that nobody has replied to, oldest first.
pub async fn unanswered_questions(
    conn: &mut DbConn<'_>,
    page: Page,
) -> DbResult<Vec<WaitingQuestion>> {
    let rows: Vec<(PostRow, PersonBrief, String)> = on_conn!(conn, |c| DbResult::Ok(
        posts::table
            .inner_join(groups::table)
            .inner_join(persons::table.inner_join(instances::table))
            .filter(unanswered())
            .filter(groups::deleted.eq(false))
            .filter(posts::question.eq(true).or(groups::qa.eq(true)))
            .select((PostRow::as_select(), PersonBrief::as_select(), groups::name))
            .order((posts::created_at.asc(), posts::id.asc()))
            .limit(page.fetch_limit())
            .offset(page.offset())
            .load(c)
            .await?
    ))?;
    Ok(rows
        .into_iter()
        .map(|(post, author, group_name)| WaitingQuestion {
            post,
            author,
            group_name,
        })
        .collect())
}
