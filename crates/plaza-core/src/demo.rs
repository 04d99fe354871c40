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
