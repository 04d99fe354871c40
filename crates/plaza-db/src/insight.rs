//! Narrow rows for the insight pages, in the instance's own groups. The overview reads the daily
//! counts that triggers keep as rows are written (`insight_days`, `insight_day_people`), so its
//! cost does not grow with the community; the other sections read when things happened and who
//! did them, and percentiles and rankings happen in `plaza-core`, because percentiles differ
//! between the two SQL dialects; what both dialects do alike (counts per key, ordering, limits)
//! stays in SQL.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date};
use diesel_async::RunQueryDsl;

use crate::schema::{
    comments, group_follows, group_moderators, groups, insight_day_people, insight_days, instances,
    local_users, persons, posts, reports,
};
use crate::{DbConn, DbResult, on_conn};

/// A half-open span of time `[from, to)` and, optionally, one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First instant included.
    pub from: NaiveDateTime,
    /// First instant after the span.
    pub to: NaiveDateTime,
    /// Only this group; `None` for all of the instance's groups.
    pub group_id: Option<i64>,
}

/// Instances keep at most this many ids per `IN (…)` list (SQLite's variable limit is far above).
const CHUNK: usize = 1000;

/// When the accounts that signed up in the window were made (the window's group is not used:
/// an account belongs to the instance).
pub async fn signups(conn: &mut DbConn<'_>, w: Window) -> DbResult<Vec<NaiveDateTime>> {
    on_conn!(conn, |c| Ok(local_users::table
        .filter(local_users::created_at.ge(w.from))
        .filter(local_users::created_at.lt(w.to))
        .select(local_users::created_at)
        .load(c)
        .await?))
}

/// Whole UTC days `first` to `last` (included) and, optionally, one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Days {
    pub first: NaiveDate,
    pub last: NaiveDate,
    /// Only this group; `None` for all of the instance's groups.
    pub group_id: Option<i64>,
}

/// What one of the instance's groups got on one UTC day, as the triggers of the
/// `insight_days` migration count it: threads and comments not deleted, votes as they stand
/// (at their last change), accepted follows (of which `local_follows` from local people).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable)]
pub struct DayCounts {
    pub day: NaiveDate,
    pub threads: i64,
    pub comments: i64,
    pub votes: i64,
    pub follows: i64,
    pub local_follows: i64,
}

/// The daily counts of the days asked, one row per group and day that has any.
pub async fn day_counts(conn: &mut DbConn<'_>, d: Days) -> DbResult<Vec<DayCounts>> {
    on_conn!(conn, |c| {
        let mut q = insight_days::table
            .inner_join(groups::table.on(groups::id.eq(insight_days::group_id)))
            .filter(groups::local.eq(true))
            .filter(insight_days::day.ge(d.first))
            .filter(insight_days::day.le(d.last))
            .select((
                insight_days::day,
                insight_days::threads,
                insight_days::comments,
                insight_days::votes,
                insight_days::follows,
                insight_days::local_follows,
            ))
            .into_boxed();
        if let Some(g) = d.group_id {
            q = q.filter(insight_days::group_id.eq(g));
        }
        Ok(q.load(c).await?)
    })
}

#[derive(QueryableByName)]
struct BucketCount {
    #[diesel(sql_type = BigInt)]
    bucket: i64,
    #[diesel(sql_type = BigInt)]
    people: i64,
}

/// How many different people started a thread, commented or voted in the instance's groups,
/// per run of `step` days from `d.first` on, as `(run, people)` for the runs that have any.
/// Someone active on several days of a run counts once in it, so the runs are counted in SQL
/// (each dialect has its own date arithmetic) rather than added up from days.
pub async fn active_people_per_run(
    conn: &mut DbConn<'_>,
    d: Days,
    step: i64,
) -> DbResult<Vec<(i64, i64)>> {
    // The SQL differs only in its placeholders and in how a day's distance from `first` is
    // written; the group condition is a fixed fragment, never caller text.
    let sql = |run: &str, first: &str, last: &str, group: &str| {
        let one_group = if d.group_id.is_some() {
            format!(" AND a.group_id = {group}")
        } else {
            String::new()
        };
        format!(
            "SELECT {run} AS bucket, COUNT(DISTINCT a.person_id) AS people \
             FROM insight_day_people a JOIN groups g ON g.id = a.group_id \
             WHERE g.local AND a.contributions > 0 AND a.day >= {first} AND a.day <= {last}\
             {one_group} GROUP BY 1"
        )
    };
    let step = step.max(1);
    let rows: Vec<BucketCount> = match conn {
        DbConn::Sqlite(c) => {
            let q = diesel::sql_query(sql(
                "CAST(julianday(a.day) - julianday(?) AS INTEGER) / ?",
                "?",
                "?",
                "?",
            ))
            .bind::<Date, _>(d.first)
            .bind::<BigInt, _>(step)
            .bind::<Date, _>(d.first)
            .bind::<Date, _>(d.last);
            match d.group_id {
                Some(g) => q.bind::<BigInt, _>(g).load(&mut **c).await?,
                None => q.load(&mut **c).await?,
            }
        }
        DbConn::Pg(c) => {
            let q = diesel::sql_query(sql("(a.day - $1) / $2", "$1", "$3", "$4"))
                .bind::<Date, _>(d.first)
                .bind::<BigInt, _>(step)
                .bind::<Date, _>(d.last);
            match d.group_id {
                Some(g) => q.bind::<BigInt, _>(g).load(&mut **c).await?,
                None => q.load(&mut **c).await?,
            }
        }
    };
    Ok(rows.into_iter().map(|r| (r.bucket, r.people)).collect())
}

/// The people who started a thread, commented or voted in the instance's groups on the days
/// of the window (whole UTC days), once each.
pub async fn active_people(conn: &mut DbConn<'_>, w: Window) -> DbResult<Vec<i64>> {
    on_conn!(conn, |c| {
        let mut q = insight_day_people::table
            .inner_join(groups::table.on(groups::id.eq(insight_day_people::group_id)))
            .filter(groups::local.eq(true))
            .filter(insight_day_people::contributions.gt(0))
            .filter(insight_day_people::day.ge(w.from.date()))
            .filter(insight_day_people::day.lt(w.to.date()))
            .select(insight_day_people::person_id)
            .distinct()
            .into_boxed();
        if let Some(g) = w.group_id {
            q = q.filter(insight_day_people::group_id.eq(g));
        }
        Ok(q.load(c).await?)
    })
}

/// Where a person lives: their instance, and whether that is this one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    /// The person.
    pub person_id: i64,
    /// Their instance's domain.
    pub domain: String,
    /// The software their instance runs, from its NodeInfo, when known.
    pub software: Option<String>,
    /// A local account.
    pub local: bool,
}

/// The homes of these people.
pub async fn homes(conn: &mut DbConn<'_>, person_ids: &[i64]) -> DbResult<Vec<Home>> {
    let mut out = Vec::with_capacity(person_ids.len());
    for chunk in person_ids.chunks(CHUNK) {
        let rows: Vec<(i64, String, Option<String>, bool)> = on_conn!(conn, |c| DbResult::Ok(
            persons::table
                .inner_join(instances::table)
                .filter(persons::id.eq_any(chunk))
                .select((
                    persons::id,
                    instances::domain,
                    instances::software,
                    persons::local
                ))
                .load(c)
                .await?
        ))?;
        out.extend(
            rows.into_iter()
                .map(|(person_id, domain, software, local)| Home {
                    person_id,
                    domain,
                    software,
                    local,
                }),
        );
    }
    Ok(out)
}

/// The people who follow the instance's groups now (or one group), once each.
pub async fn follower_ids(conn: &mut DbConn<'_>, group_id: Option<i64>) -> DbResult<Vec<i64>> {
    on_conn!(conn, |c| {
        let mut q = group_follows::table
            .inner_join(groups::table)
            .filter(groups::local.eq(true))
            .filter(group_follows::pending.eq(false))
            .select(group_follows::person_id)
            .distinct()
            .into_boxed();
        if let Some(g) = group_id {
            q = q.filter(group_follows::group_id.eq(g));
        }
        Ok(q.load(c).await?)
    })
}

/// A thread and when it got its first reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadReplies {
    pub id: i64,
    pub group_id: i64,
    pub author_id: i64,
    pub created_at: NaiveDateTime,
    /// The thread is a question (its own flag or its group's).
    pub question: bool,
    /// It has an accepted answer.
    pub solved: bool,
    /// The first reply by someone other than the thread's author.
    pub first_reply_at: Option<NaiveDateTime>,
}

/// The threads started in the window, with their first reply by someone else (kept on the
/// thread by the `thread_replies` triggers).
pub async fn thread_replies(conn: &mut DbConn<'_>, w: Window) -> DbResult<Vec<ThreadReplies>> {
    type Row = (
        i64,
        i64,
        i64,
        NaiveDateTime,
        bool,
        bool,
        Option<NaiveDateTime>,
    );
    let rows: Vec<Row> = on_conn!(conn, |c| {
        let mut q = posts::table
            .inner_join(groups::table)
            .filter(groups::local.eq(true))
            .filter(posts::deleted.eq(false))
            .filter(posts::created_at.ge(w.from))
            .filter(posts::created_at.lt(w.to))
            .select((
                posts::id,
                posts::group_id,
                posts::author_id,
                posts::created_at,
                posts::question.or(groups::qa),
                posts::accepted_comment_id.is_not_null(),
                posts::first_reply_at,
            ))
            .into_boxed();
        if let Some(g) = w.group_id {
            q = q.filter(posts::group_id.eq(g));
        }
        DbResult::Ok(q.load(c).await?)
    })?;
    Ok(rows
        .into_iter()
        .map(
            |(id, group_id, author_id, created_at, question, solved, first_reply_at)| {
                ThreadReplies {
                    id,
                    group_id,
                    author_id,
                    created_at,
                    question,
                    solved,
                    first_reply_at,
                }
            },
        )
        .collect())
}

/// Who answers officially: the instance's staff and administrators, and each group's
/// moderators as `(group, person)`.
pub async fn responders(conn: &mut DbConn<'_>) -> DbResult<(Vec<i64>, Vec<(i64, i64)>)> {
    on_conn!(conn, |c| {
        let staff = local_users::table
            .filter(local_users::staff.or(local_users::admin))
            .select(local_users::person_id)
            .load(c)
            .await?;
        let moderators = group_moderators::table
            .select((group_moderators::group_id, group_moderators::person_id))
            .load(c)
            .await?;
        Ok((staff, moderators))
    })
}

/// A reply: in which thread, by whom, when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reply {
    pub post_id: i64,
    pub author_id: i64,
    pub created_at: NaiveDateTime,
}

/// The replies by these people to threads started in the window by someone else, oldest first.
pub async fn replies_by(conn: &mut DbConn<'_>, w: Window, people: &[i64]) -> DbResult<Vec<Reply>> {
    if people.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for chunk in people.chunks(CHUNK) {
        let rows: Vec<(i64, i64, NaiveDateTime)> = on_conn!(conn, |c| {
            let mut q = comments::table
                .inner_join(posts::table.inner_join(groups::table))
                .filter(groups::local.eq(true))
                .filter(posts::deleted.eq(false))
                .filter(posts::created_at.ge(w.from))
                .filter(posts::created_at.lt(w.to))
                .filter(comments::author_id.ne(posts::author_id))
                .filter(comments::author_id.eq_any(chunk))
                .select((comments::post_id, comments::author_id, comments::created_at))
                .into_boxed();
            if let Some(g) = w.group_id {
                q = q.filter(posts::group_id.eq(g));
            }
            DbResult::Ok(q.load(c).await?)
        })?;
        out.extend(
            rows.into_iter()
                .map(|(post_id, author_id, created_at)| Reply {
                    post_id,
                    author_id,
                    created_at,
                }),
        );
    }
    out.sort_by_key(|r| (r.created_at, r.post_id));
    Ok(out)
}

/// How many of the threads started in the window each person replied to first (before anyone
/// else but the thread's author), as `(person, threads)`.
pub async fn first_answers(conn: &mut DbConn<'_>, w: Window) -> DbResult<Vec<(i64, i64)>> {
    on_conn!(conn, |c| {
        let mut q = posts::table
            .inner_join(groups::table)
            .filter(groups::local.eq(true))
            .filter(posts::deleted.eq(false))
            .filter(posts::created_at.ge(w.from))
            .filter(posts::created_at.lt(w.to))
            .filter(posts::first_reply_by.is_not_null())
            .group_by(posts::first_reply_by)
            .select((posts::first_reply_by.assume_not_null(), count_star()))
            .into_boxed();
        if let Some(g) = w.group_id {
            q = q.filter(posts::group_id.eq(g));
        }
        Ok(q.load(c).await?)
    })
}

/// How many accepted answers each person wrote, counting acceptances made in the window.
pub async fn accepted_answers(conn: &mut DbConn<'_>, w: Window) -> DbResult<Vec<(i64, i64)>> {
    on_conn!(conn, |c| {
        let mut q = comments::table
            .inner_join(posts::table.on(posts::accepted_comment_id.eq(comments::id.nullable())))
            .inner_join(groups::table.on(groups::id.eq(posts::group_id)))
            .filter(groups::local.eq(true))
            .filter(posts::deleted.eq(false))
            .filter(comments::deleted.eq(false))
            .filter(posts::accepted_at.ge(w.from))
            .filter(posts::accepted_at.lt(w.to))
            .group_by(comments::author_id)
            .select((comments::author_id, count_star()))
            .into_boxed();
        if let Some(g) = w.group_id {
            q = q.filter(posts::group_id.eq(g));
        }
        Ok(q.load(c).await?)
    })
}

/// Upvotes on the replies written in the window to threads their authors did not start, summed
/// per author as `(author, upvotes)`. The condition is the `comments_upvoted` partial index's,
/// written out literally so that both planners read the window from that index alone.
pub async fn upvoted_replies(conn: &mut DbConn<'_>, w: Window) -> DbResult<Vec<(i64, i64)>> {
    on_conn!(conn, |c| {
        let mut q = comments::table
            .inner_join(posts::table.inner_join(groups::table))
            .filter(groups::local.eq(true))
            .filter(sql::<Bool>("comments.upvotes > 0 AND NOT comments.deleted"))
            .filter(comments::author_id.ne(posts::author_id))
            .filter(comments::created_at.ge(w.from))
            .filter(comments::created_at.lt(w.to))
            .group_by(comments::author_id)
            // SUM of a BIGINT is NUMERIC on PostgreSQL: cast back so both dialects give an i64.
            .select((
                comments::author_id,
                sql::<BigInt>("CAST(SUM(comments.upvotes) AS BIGINT)"),
            ))
            .into_boxed();
        if let Some(g) = w.group_id {
            q = q.filter(posts::group_id.eq(g));
        }
        Ok(q.load(c).await?)
    })
}

/// A thread with its counters, for rankings.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct ThreadStat {
    pub id: i64,
    pub ap_id: String,
    pub title: String,
    pub group_name: String,
    pub author_id: i64,
    pub upvotes: i64,
    pub downvotes: i64,
    pub score: i64,
    pub comment_count: i64,
    pub removed: bool,
    pub created_at: NaiveDateTime,
}

/// How to rank threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadRank {
    /// Highest score first.
    Score,
    /// Most comments first.
    Comments,
    /// Most downvotes first (only threads with some).
    Downvotes,
    /// Threads with a negative score, most comments first.
    NegativeByComments,
}

/// The threads started in the window, ranked, at most `limit`.
pub async fn top_threads(
    conn: &mut DbConn<'_>,
    w: Window,
    rank: ThreadRank,
    limit: i64,
) -> DbResult<Vec<ThreadStat>> {
    on_conn!(conn, |c| {
        let mut q = posts::table
            .inner_join(groups::table)
            .filter(groups::local.eq(true))
            .filter(posts::deleted.eq(false))
            .filter(posts::created_at.ge(w.from))
            .filter(posts::created_at.lt(w.to))
            .select((
                posts::id,
                posts::ap_id,
                posts::title,
                groups::name,
                posts::author_id,
                posts::upvotes,
                posts::downvotes,
                posts::score,
                posts::comment_count,
                posts::removed,
                posts::created_at,
            ))
            .into_boxed();
        if let Some(g) = w.group_id {
            q = q.filter(posts::group_id.eq(g));
        }
        q = match rank {
            ThreadRank::Score => q
                .filter(posts::removed.eq(false))
                .order((posts::score.desc(), posts::id.asc())),
            ThreadRank::Comments => q
                .filter(posts::removed.eq(false))
                .order((posts::comment_count.desc(), posts::id.asc())),
            ThreadRank::Downvotes => q
                .filter(posts::downvotes.gt(0))
                .order((posts::downvotes.desc(), posts::id.asc())),
            ThreadRank::NegativeByComments => q
                .filter(posts::score.lt(0))
                .order((posts::comment_count.desc(), posts::id.asc())),
        };
        Ok(q.limit(limit).load(c).await?)
    })
}

/// These threads, with their counters.
pub async fn thread_stats(conn: &mut DbConn<'_>, ids: &[i64]) -> DbResult<Vec<ThreadStat>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<ThreadStat> = on_conn!(conn, |c| DbResult::Ok(
            posts::table
                .inner_join(groups::table)
                .filter(posts::id.eq_any(chunk))
                .select((
                    posts::id,
                    posts::ap_id,
                    posts::title,
                    groups::name,
                    posts::author_id,
                    posts::upvotes,
                    posts::downvotes,
                    posts::score,
                    posts::comment_count,
                    posts::removed,
                    posts::created_at,
                ))
                .load(c)
                .await?
        ))?;
        out.extend(rows);
    }
    Ok(out)
}

/// A report made in the window: the thread it concerns and the author of what was reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reported {
    pub post_id: i64,
    pub author_id: i64,
}

/// The reports made in the window about threads and comments of the instance's groups.
pub async fn reports(conn: &mut DbConn<'_>, w: Window) -> DbResult<Vec<Reported>> {
    type Pairs = Vec<(i64, i64)>;
    let (on_threads, on_comments): (Pairs, Pairs) = on_conn!(conn, |c| {
        let mut t = reports::table
            .inner_join(posts::table.on(reports::post_id.eq(posts::id.nullable())))
            .filter(reports::comment_id.is_null())
            .filter(reports::created_at.ge(w.from))
            .filter(reports::created_at.lt(w.to))
            .select((posts::id, posts::author_id))
            .into_boxed();
        let mut m = reports::table
            .inner_join(comments::table.on(reports::comment_id.eq(comments::id.nullable())))
            .filter(reports::created_at.ge(w.from))
            .filter(reports::created_at.lt(w.to))
            .select((comments::post_id, comments::author_id))
            .into_boxed();
        if let Some(g) = w.group_id {
            t = t.filter(reports::group_id.eq(g));
            m = m.filter(reports::group_id.eq(g));
        }
        DbResult::Ok((t.load(c).await?, m.load(c).await?))
    })?;
    Ok(on_threads
        .into_iter()
        .chain(on_comments)
        .map(|(post_id, author_id)| Reported { post_id, author_id })
        .collect())
}

/// What people wrote in the window that drew criticism: per thread or comment with downvotes or
/// removed, `(thread, author, downvotes, removed)`.
pub async fn criticised_content(
    conn: &mut DbConn<'_>,
    w: Window,
) -> DbResult<Vec<(i64, i64, i64, bool)>> {
    on_conn!(conn, |c| {
        let mut t = posts::table
            .inner_join(groups::table)
            .filter(groups::local.eq(true))
            .filter(posts::deleted.eq(false))
            .filter(posts::downvotes.gt(0).or(posts::removed.eq(true)))
            .filter(posts::created_at.ge(w.from))
            .filter(posts::created_at.lt(w.to))
            .select((
                posts::id,
                posts::author_id,
                posts::downvotes,
                posts::removed,
            ))
            .into_boxed();
        let mut m = comments::table
            .inner_join(posts::table.inner_join(groups::table))
            .filter(groups::local.eq(true))
            // The `comments_criticised` partial index's condition, literally (see `upvoted_replies`).
            .filter(sql::<Bool>(
                "(comments.downvotes > 0 OR comments.removed) AND NOT comments.deleted",
            ))
            .filter(comments::created_at.ge(w.from))
            .filter(comments::created_at.lt(w.to))
            .select((
                comments::post_id,
                comments::author_id,
                comments::downvotes,
                comments::removed,
            ))
            .into_boxed();
        if let Some(g) = w.group_id {
            t = t.filter(posts::group_id.eq(g));
            m = m.filter(posts::group_id.eq(g));
        }
        let mut all: Vec<(i64, i64, i64, bool)> = t.load(c).await?;
        all.extend(m.load::<(i64, i64, i64, bool)>(c).await?);
        Ok(all)
    })
}

/// A question nobody has answered yet.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct OpenQuestion {
    pub id: i64,
    pub ap_id: String,
    pub title: String,
    pub group_name: String,
    pub author_name: String,
    pub author_domain: String,
    pub author_local: bool,
    pub created_at: NaiveDateTime,
}

/// Questions without any live reply, oldest first, at most `limit`.
pub async fn open_questions(
    conn: &mut DbConn<'_>,
    group_id: Option<i64>,
    limit: i64,
) -> DbResult<Vec<OpenQuestion>> {
    on_conn!(conn, |c| {
        let mut q = posts::table
            .inner_join(groups::table)
            .inner_join(persons::table.inner_join(instances::table))
            .filter(groups::local.eq(true))
            .filter(groups::deleted.eq(false))
            .filter(crate::post::unanswered())
            .filter(posts::question.eq(true).or(groups::qa.eq(true)))
            .select((
                posts::id,
                posts::ap_id,
                posts::title,
                groups::name,
                persons::name,
                instances::domain,
                persons::local,
                posts::created_at,
            ))
            .order((posts::created_at.asc(), posts::id.asc()))
            .limit(limit)
            .into_boxed();
        if let Some(g) = group_id {
            q = q.filter(posts::group_id.eq(g));
        }
        Ok(q.load(c).await?)
    })
}

/// The names of the instance's groups by id.
pub async fn group_names(conn: &mut DbConn<'_>) -> DbResult<Vec<(i64, String)>> {
    on_conn!(conn, |c| Ok(groups::table
        .filter(groups::local.eq(true))
        .select((groups::id, groups::name))
        .order(groups::name.asc())
        .load(c)
        .await?))
}
