//! Writing history: people, follows, threads, replies, votes, answers and reports at chosen
//! times, for a demonstration instance (`plaza demo seed`) and for tests that need a known
//! past. Nothing here records events, so nothing is sent to other servers.

use chrono::NaiveDateTime;
use plaza_db::comment::{self, NewComment};
use plaza_db::person::{self, RemotePerson};
use plaza_db::post::{self, NewPost};
use plaza_db::{instance, seed};

use crate::{Context, CoreResult};

/// Writes rows at the times given.
pub struct Seeder<'a> {
    ctx: &'a Context,
}

impl<'a> Seeder<'a> {
    /// A seeder for this instance.
    pub fn new(ctx: &'a Context) -> Self {
        Self { ctx }
    }

    /// A unique placeholder id for a row whose public id depends on its row id.
    fn placeholder(&self) -> String {
        format!("{}#seed-{:x}", self.ctx.urls.base(), rand::random::<u64>())
    }

    /// Someone from another server, `name@domain`, whose server runs `software` (as its
    /// NodeInfo would say; `None` when unknown). Returns their person id.
    pub async fn remote_person(
        &self,
        domain: &str,
        software: Option<&str>,
        name: &str,
    ) -> CoreResult<i64> {
        let mut pooled = self.ctx.db.get().await?;
        let conn = &mut pooled.conn();
        let home = instance::upsert(conn, domain).await?;
        if let Some(software) = software {
            instance::set_software(conn, domain, software, None).await?;
        }
        let ap_id = format!("https://{domain}/users/{name}");
        let inbox = format!("{ap_id}/inbox");
        let row = person::upsert_remote(
            conn,
            &RemotePerson {
                ap_id: &ap_id,
                instance_id: home.id,
                name,
                display_name: None,
                bio_html: None,
                avatar_url: None,
                inbox_url: &inbox,
                shared_inbox_url: None,
                public_key: "",
                bot: false,
            },
        )
        .await?;
        Ok(row.id)
    }

    /// A follow of a group at `at`.
    pub async fn follow(&self, group_id: i64, person_id: i64, at: NaiveDateTime) -> CoreResult<()> {
        let mut pooled = self.ctx.db.get().await?;
        seed::follow(&mut pooled.conn(), group_id, person_id, at).await?;
        Ok(())
    }

    /// A thread started at `at`; returns its id.
    pub async fn thread(
        &self,
        group_id: i64,
        author_id: i64,
        title: &str,
        question: bool,
        at: NaiveDateTime,
    ) -> CoreResult<i64> {
        let mut pooled = self.ctx.db.get().await?;
        let conn = &mut pooled.conn();
        let author = person::find(conn, author_id).await?;
        let placeholder = self.placeholder();
        let row = post::insert(
            conn,
            &NewPost {
                ap_id: &placeholder,
                group_id,
                author_id,
                title,
                body_source: None,
                body_html: "",
                url: None,
                local: author.local,
                created_at: at,
                last_activity_at: at,
                question,
            },
        )
        .await?;
        post::set_ap_id(conn, row.id, &self.ctx.urls.post(row.id)).await?;
        Ok(row.id)
    }

    /// A top-level reply to a thread at `at`; returns its id.
    pub async fn reply(
        &self,
        thread_id: i64,
        author_id: i64,
        body: &str,
        at: NaiveDateTime,
    ) -> CoreResult<i64> {
        let mut pooled = self.ctx.db.get().await?;
        let conn = &mut pooled.conn();
        let author = person::find(conn, author_id).await?;
        let placeholder = self.placeholder();
        let html = paragraph(body);
        let row = comment::insert(
            conn,
            &NewComment {
                ap_id: &placeholder,
                post_id: thread_id,
                parent_id: None,
                author_id,
                depth: 0,
                body_source: Some(body),
                body_html: &html,
                local: author.local,
                created_at: at,
            },
        )
        .await?;
        comment::set_ap_id(conn, row.id, &self.ctx.urls.comment(row.id)).await?;
        post::count_reply(conn, thread_id, at).await?;
        Ok(row.id)
    }

    /// A vote (+1 or -1) on a thread at `at`.
    pub async fn vote_thread(
        &self,
        thread_id: i64,
        person_id: i64,
        score: i16,
        at: NaiveDateTime,
    ) -> CoreResult<()> {
        let mut pooled = self.ctx.db.get().await?;
        seed::vote_thread(&mut pooled.conn(), thread_id, person_id, score, at).await?;
        Ok(())
    }

    /// A vote (+1 or -1) on a comment at `at`.
    pub async fn vote_comment(
        &self,
        comment_id: i64,
        person_id: i64,
        score: i16,
        at: NaiveDateTime,
    ) -> CoreResult<()> {
        let mut pooled = self.ctx.db.get().await?;
        seed::vote_comment(&mut pooled.conn(), comment_id, person_id, score, at).await?;
        Ok(())
    }

    /// The asker accepts a reply as the answer at `at`.
    pub async fn accept(
        &self,
        thread_id: i64,
        comment_id: i64,
        at: NaiveDateTime,
    ) -> CoreResult<()> {
        let mut pooled = self.ctx.db.get().await?;
        let conn = &mut pooled.conn();
        let thread = post::find(conn, thread_id).await?;
        seed::accept(conn, thread_id, comment_id, thread.author_id, at).await?;
        Ok(())
    }

    /// A report about a thread, or one of its comments, at `at`.
    pub async fn report(
        &self,
        reporter_id: i64,
        thread_id: i64,
        comment_id: Option<i64>,
        at: NaiveDateTime,
    ) -> CoreResult<()> {
        let mut pooled = self.ctx.db.get().await?;
        let conn = &mut pooled.conn();
        let thread = post::find(conn, thread_id).await?;
        seed::report(
            conn,
            thread.group_id,
            reporter_id,
            thread_id,
            comment_id,
            at,
        )
        .await?;
        Ok(())
    }

    /// A moderator's removal of a thread.
    pub async fn remove_thread(&self, thread_id: i64) -> CoreResult<()> {
        let mut pooled = self.ctx.db.get().await?;
        post::set_removed(&mut pooled.conn(), thread_id, true).await?;
        Ok(())
    }
}

/// Plain text as one HTML paragraph.
fn paragraph(text: &str) -> String {
    let mut html = String::from("<p>");
    for c in text.chars() {
        match c {
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '&' => html.push_str("&amp;"),
            '"' => html.push_str("&quot;"),
            other => html.push(other),
        }
    }
    html.push_str("</p>");
    html
}

/// How much a demonstration instance gets.
#[derive(Debug, Clone)]
pub struct DemoPlan {
    /// Threads over all groups.
    pub threads: usize,
    /// Comments over all threads.
    pub comments: usize,
    /// How far back the history goes, in days.
    pub days: i64,
    /// Local accounts (one of them staff); they cannot log in until given a password.
    pub local_people: usize,
    /// People from other servers.
    pub remote_people: usize,
    /// The same seed gives the same community.
    pub seed: u64,
}

impl Default for DemoPlan {
    fn default() -> Self {
        Self {
            threads: 3000,
            comments: 12_000,
            days: 90,
            local_people: 8,
            remote_people: 60,
            seed: 1,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub groups: usize,
    pub people: usize,
    pub threads: usize,
    pub comments: usize,
    pub votes: usize,
}

/// The demonstration groups: name, title, and whether they are Q&A groups.
const GROUPS: [(&str, &str); 4] = [
    ("support", "Support"),
    ("ideas", "Ideas and feature requests"),
    ("showcase", "Show and tell"),
    ("news", "News"),
];

/// The other servers demonstration people come from, with the software their NodeInfo names.
const SERVERS: [(&str, Option<&str>); 6] = [
    ("mastodon.example", Some("mastodon")),
    ("social.example", Some("mastodon")),
    ("lemmy.example", Some("lemmy")),
    ("misskey.example", Some("misskey")),
    ("mbin.example", Some("mbin")),
    ("quiet.example", None),
];

const SUBJECTS: [&str; 10] = [
    "the router",
    "the app",
    "firmware 2.1",
    "the kettle",
    "billing",
    "the dashboard",
    "shipping",
    "the API",
    "dark mode",
    "the warranty",
];

const ASKS: [&str; 6] = [
    "How do I reset {}?",
    "Problem with {} after the update",
    "Idea: make {} faster",
    "Is {} broken for anyone else?",
    "Love {}!",
    "Refund for {}?",
];

/// Fills the instance with a few groups and a made-up history: local and remote people who
/// follow, ask, answer, vote, accept answers and report, spread over `plan.days` days up to now.
/// `progress(done, total)` is called as threads are written.
pub async fn fill(
    ctx: &Context,
    plan: &DemoPlan,
    mut progress: impl FnMut(usize, usize),
) -> CoreResult<DemoSummary> {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    let mut rng = StdRng::seed_from_u64(plan.seed);
    let seeder = Seeder::new(ctx);
    let now = plaza_db::now();
    let start = now - chrono::TimeDelta::days(plan.days.max(1));
    let span = (now - start).num_seconds().max(1);
    let mut summary = DemoSummary::default();

    let mut locals = Vec::new();
    let mut staff_user = None;
    for i in 0..plan.local_people.max(1) {
        let name = format!("demo_{}", i + 1);
        let account = match crate::accounts::find(ctx, &name).await {
            Ok(a) => a,
            Err(_) => {
                let password = format!("demo-{:x}", rand::random::<u128>());
                crate::accounts::create(
                    ctx,
                    crate::accounts::NewAccount {
                        name: name.clone(),
                        password,
                        email: None,
                        admin: false,
                    },
                )
                .await?;
                crate::accounts::find(ctx, &name).await?
            }
        };
        staff_user.get_or_insert(account.local_user_id);
        locals.push(account.person_id);
    }
    // The first local account is staff: its replies count as official ones.
    if let Some(user) = staff_user {
        let mut pooled = ctx.db.get().await?;
        plaza_db::local_user::set_staff(&mut pooled.conn(), user, true).await?;
    }
    let mut remotes = Vec::new();
    for i in 0..plan.remote_people {
        let (domain, software) = SERVERS[i % SERVERS.len()];
        remotes.push(
            seeder
                .remote_person(domain, software, &format!("fan{}", i + 1))
                .await?,
        );
    }
    let people: Vec<i64> = locals.iter().chain(&remotes).copied().collect();
    summary.people = people.len();
    let pick = |rng: &mut StdRng| people[rng.gen_range(0..people.len())];

    let mut groups = Vec::new();
    for (name, title) in GROUPS {
        let existing = {
            let mut pooled = ctx.db.get().await?;
            plaza_db::group::find_local(&mut pooled.conn(), name).await?
        };
        let id = match existing {
            Some(g) => g.id,
            None => {
                crate::groups::create(
                    ctx,
                    crate::groups::NewGroupInput {
                        name: name.to_owned(),
                        title: title.to_owned(),
                        description: None,
                        posting_restricted_to_mods: false,
                    },
                    &locals[..1],
                )
                .await?
                .view
                .group
                .id
            }
        };
        groups.push(id);
    }
    summary.groups = groups.len();
    for person in &people {
        for group in &groups {
            if rng.gen_bool(0.5) {
                let at = start + chrono::TimeDelta::seconds(rng.gen_range(0..span));
                seeder.follow(*group, *person, at).await?;
            }
        }
    }

    let threads = plan.threads.max(1);
    let per_thread = plan.comments / threads;
    let mut extra = plan.comments % threads;
    for n in 0..threads {
        let g = rng.gen_range(0..groups.len());
        let group = groups[g];
        let author = pick(&mut rng);
        let at = start + chrono::TimeDelta::seconds(rng.gen_range(0..span));
        let subject = SUBJECTS[rng.gen_range(0..SUBJECTS.len())];
        let title = ASKS[rng.gen_range(0..ASKS.len())].replace("{}", subject);
        let question = g == 0 || title.ends_with('?');
        let thread = seeder.thread(group, author, &title, question, at).await?;
        summary.threads += 1;

        let mut replies = per_thread;
        if extra > 0 {
            replies += 1;
            extra -= 1;
        }
        // Some threads draw more than their share and some nothing at all.
        if rng.gen_bool(0.15) {
            replies = 0;
        }
        let mut when = at;
        let mut reply_ids = Vec::new();
        for _ in 0..replies {
            when += chrono::TimeDelta::minutes(rng.gen_range(5..(60 * 18)));
            if when > now {
                break;
            }
            let who = if rng.gen_bool(0.2) {
                locals[0]
            } else {
                pick(&mut rng)
            };
            let id = seeder
                .reply(thread, who, "Thanks, that helps.", when)
                .await?;
            reply_ids.push((id, when));
            summary.comments += 1;
            if rng.gen_bool(0.5) {
                let voter = pick(&mut rng);
                let score = if rng.gen_bool(0.85) { 1 } else { -1 };
                seeder.vote_comment(id, voter, score, when).await?;
                summary.votes += 1;
            }
        }
        let heated = rng.gen_bool(0.05);
        for _ in 0..rng.gen_range(0..8) {
            let voter = pick(&mut rng);
            let score = if heated || rng.gen_bool(0.1) { -1 } else { 1 };
            let at = at + chrono::TimeDelta::minutes(rng.gen_range(1..600));
            if at <= now {
                seeder.vote_thread(thread, voter, score, at).await?;
                summary.votes += 1;
            }
        }
        if question
            && rng.gen_bool(0.5)
            && let Some((answer, answered)) = reply_ids.first()
        {
            seeder
                .accept(
                    thread,
                    *answer,
                    (*answered + chrono::TimeDelta::hours(2)).min(now),
                )
                .await?;
        }
        if heated || rng.gen_bool(0.01) {
            seeder
                .report(pick(&mut rng), thread, None, at.max(when).min(now))
                .await?;
        }
        if rng.gen_bool(0.005) {
            seeder.remove_thread(thread).await?;
        }
        if n % 50 == 0 || n + 1 == threads {
            progress(n + 1, threads);
        }
    }
    Ok(summary)
}
