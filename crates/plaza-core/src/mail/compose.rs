//! The text of each mail, composed when it is sent from what the database holds then. A mail
//! whose reason is gone (the address changed, the notification went with its thread, a digest
//! whose notifications were all read) composes to nothing and is dropped.

use chrono::TimeDelta;
use plaza_db::local_user::LocalUserRow;
use plaza_db::mail::{self, MailRow};
use plaza_db::notification::{self, NotificationRow};
use plaza_db::{DbConn, DbError, group, local_user, now, person, post, site};

use super::links::{RESET, VERIFY, new_token};
use super::{Category, RESET_LIFETIME, VERIFY_LIFETIME};
use crate::notifications::Kind;
use crate::{Context, CoreError, CoreResult};

/// Most notifications one digest lists.
const DIGEST_MAX: i64 = 50;

/// A mail ready to go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    pub subject: String,
    pub body: String,
}

/// Composes a claimed mail (making its link's token, if it has one), or says it should be
/// dropped.
pub async fn compose(
    conn: &mut DbConn<'_>,
    ctx: &Context,
    row: &MailRow,
) -> CoreResult<Option<Composed>> {
    let Some(user) = local_user::find(conn, row.local_user_id).await? else {
        return Ok(None);
    };
    // Every mail goes to the account's current address only.
    if user.email.as_deref() != Some(row.to_address.as_str()) {
        return Ok(None);
    }
    let verified = user.email_verified_at.is_some();
    let site_name = site::get(conn)
        .await?
        .map_or_else(|| ctx.urls.domain().to_owned(), |s| s.name);
    let name = person::find(conn, user.person_id).await?.name;
    let composed = match row.kind.as_str() {
        VERIFY if !verified => Some(verification(conn, ctx, &user, &name, &site_name).await?),
        RESET if verified => Some(reset(conn, ctx, &user, &name, &site_name).await?),
        "notification" if verified => match row.notification_id {
            Some(id) => match notification::find(conn, id).await? {
                Some(n) => {
                    let (line, link) = describe(conn, ctx, &n).await?;
                    Some(Composed {
                        subject: format!("[{site_name}] {line}"),
                        body: format!("{line}\n\n{link}\n"),
                    })
                }
                None => None,
            },
            None => None,
        },
        "digest" if verified => digest(conn, ctx, &user, row, &site_name).await?,
        _ => None,
    };
    Ok(composed.map(|mut c| {
        c.body.push_str(&footer(ctx, &site_name));
        c
    }))
}

fn footer(ctx: &Context, site_name: &str) -> String {
    format!(
        "\n-- \nThis mail comes from {site_name} ({}). Choose which mail you get: {}\n",
        ctx.urls.base(),
        page(ctx, "/settings/mail")
    )
}

fn page(ctx: &Context, path: &str) -> String {
    format!("{}{}", ctx.urls.base().as_str().trim_end_matches('/'), path)
}

fn lifetime(d: std::time::Duration) -> CoreResult<TimeDelta> {
    TimeDelta::from_std(d).map_err(|e| CoreError::Config(format!("link lifetime: {e}")))
}

async fn verification(
    conn: &mut DbConn<'_>,
    ctx: &Context,
    user: &LocalUserRow,
    name: &str,
    site_name: &str,
) -> CoreResult<Composed> {
    let (token, hash) = new_token();
    let expires = now() + lifetime(VERIFY_LIFETIME)?;
    mail::insert_token(conn, user.id, VERIFY, &hash, user.email.as_deref(), expires).await?;
    Ok(Composed {
        subject: format!("[{site_name}] Confirm your e-mail address"),
        body: format!(
            "This address was given for the account {name} on {site_name}.\n\n\
             To confirm it is yours, open this link within 48 hours:\n\n{}\n\n\
             Until then, no notification is mailed here. If this was not you, ignore this mail.\n",
            page(ctx, &format!("/verify-email?token={token}"))
        ),
    })
}

async fn reset(
    conn: &mut DbConn<'_>,
    ctx: &Context,
    user: &LocalUserRow,
    name: &str,
    site_name: &str,
) -> CoreResult<Composed> {
    let (token, hash) = new_token();
    let expires = now() + lifetime(RESET_LIFETIME)?;
    // The newest link is the one that works.
    mail::use_tokens(conn, user.id, RESET).await?;
    mail::insert_token(conn, user.id, RESET, &hash, None, expires).await?;
    Ok(Composed {
        subject: format!("[{site_name}] Reset your password"),
        body: format!(
            "Someone asked to reset the password of the account {name} on {site_name}.\n\n\
             To choose a new password, open this link within an hour (it works once):\n\n{}\n\n\
             If this was not you, ignore this mail: your password stays as it is.\n",
            page(ctx, &format!("/reset-password?token={token}"))
        ),
    })
}

/// One line telling what a notification is about, and a link to it.
async fn describe(
    conn: &mut DbConn<'_>,
    ctx: &Context,
    n: &NotificationRow,
) -> CoreResult<(String, String)> {
    let actor = match n.actor_id {
        Some(id) => {
            let p = person::find(conn, id).await?;
            p.display_name
                .filter(|d| !d.trim().is_empty())
                .unwrap_or(p.name)
        }
        None => "Someone".to_owned(),
    };
    let group_title = group::find(conn, n.group_id).await?.title;
    let thread = match n.post_id {
        Some(id) => match post::find(conn, id).await {
            Ok(p) => format!("“{}”", p.title),
            Err(DbError::NotFound) => "a thread".to_owned(),
            Err(e) => return Err(e.into()),
        },
        None => String::new(),
    };
    let link = match (n.post_id, n.comment_id) {
        _ if Kind::parse(&n.kind) == Some(Kind::Alert) => {
            page(ctx, &format!("/admin/alerts#incident-{}", n.subject_id))
        }
        (Some(p), Some(c)) => page(ctx, &format!("/post/{p}#c-{c}")),
        (Some(p), None) => page(ctx, &format!("/post/{p}")),
        _ => page(ctx, "/notifications"),
    };
    let mut line = match Kind::parse(&n.kind) {
        Some(Kind::PostReply) => format!("{actor} replied to your thread {thread}"),
        Some(Kind::CommentReply) => format!("{actor} replied to your comment in {thread}"),
        Some(Kind::PostMention | Kind::CommentMention) => {
            format!("{actor} mentioned you in {thread}")
        }
        Some(Kind::PostRemoved) => format!("{actor} removed your thread {thread}"),
        Some(Kind::PostRestored) => format!("{actor} restored your thread {thread}"),
        Some(Kind::CommentRemoved) => format!("{actor} removed your comment in {thread}"),
        Some(Kind::CommentRestored) => format!("{actor} restored your comment in {thread}"),
        Some(Kind::Banned) => format!("{actor} banned you from {group_title}"),
        Some(Kind::Unbanned) => format!("{actor} lifted your ban from {group_title}"),
        Some(Kind::Report) => format!("{actor} reported content in {group_title}"),
        Some(Kind::Alert) => format!(
            "Alert in {group_title}: {}",
            n.reason.as_deref().unwrap_or("a rule fired")
        ),
        Some(Kind::QuestionSolved) => format!("Your question {thread} is solved"),
        Some(Kind::AnswerAccepted) => format!("{actor} accepted your answer in {thread}"),
        Some(Kind::IdeaStatus) => format!(
            "{actor} changed the status of {thread} to {}",
            n.reason.as_deref().unwrap_or("none")
        ),
        None => format!("Something happened in {group_title}"),
    };
    let stated = matches!(Kind::parse(&n.kind), Some(Kind::IdeaStatus | Kind::Alert));
    if let Some(reason) = n
        .reason
        .as_deref()
        .filter(|r| !stated && !r.trim().is_empty())
    {
        line.push_str(&format!(" (reason: {})", reason.trim()));
    }
    // One line: a subject must not carry a line break from someone's title or reason.
    let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
    Ok((line, link))
}

async fn digest(
    conn: &mut DbConn<'_>,
    ctx: &Context,
    user: &LocalUserRow,
    row: &MailRow,
    site_name: &str,
) -> CoreResult<Option<Composed>> {
    let (Some(start), Some(end)) = (row.period_start, row.period_end) else {
        return Ok(None);
    };
    let Some(prefs) = mail::preferences(conn, user.id).await? else {
        return Ok(None);
    };
    let kinds: Vec<&str> = Category::ALL
        .into_iter()
        .filter(|c| super::preferences::choice(&prefs, *c) == super::Choice::Digest)
        .flat_map(Category::kinds)
        .collect();
    let rows =
        notification::unread_between(conn, user.person_id, &kinds, start, end, DIGEST_MAX).await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut body = format!("Unread notifications on {site_name}:\n\n");
    for n in &rows {
        let (line, link) = describe(conn, ctx, n).await?;
        body.push_str(&format!("- {line}\n  {link}\n"));
    }
    body.push_str(&format!("\nAll of them: {}\n", page(ctx, "/notifications")));
    Ok(Some(Composed {
        subject: format!("[{site_name}] {} unread notifications", rows.len()),
        body,
    }))
}
