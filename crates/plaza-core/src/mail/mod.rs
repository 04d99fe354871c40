//! E-mail: the SMTP settings, what each person wants by mail, address verification, password
//! reset, and the worker that sends the queue. Mail is queued in the transaction of the change
//! that causes it and composed when it is sent, so a link's token exists only as a hash in the
//! database and in clear only in the mail.

pub mod compose;
pub mod links;
pub mod preferences;
pub mod sender;

use std::fmt;
use std::time::Duration;

use plaza_db::{DbConn, mail};

use crate::notifications::Kind;
use crate::{CoreError, CoreResult};

/// How long a password reset link works.
pub const RESET_LIFETIME: Duration = Duration::from_secs(3600);
/// How long an address verification link works.
pub const VERIFY_LIFETIME: Duration = Duration::from_secs(48 * 3600);

/// Where mail goes out, and as whom. Without it (no `PLAZA_SMTP_URL`), Plaza sends no mail.
#[derive(Clone)]
pub struct MailSettings {
    /// `smtp://[USER:PASSWORD@]HOST[:PORT]` or `smtps://…` (see [`sender::transport`]).
    pub smtp_url: String,
    /// The `From:` address.
    pub from: String,
    /// How often a person who chose digests gets one.
    pub digest_every: Duration,
}

impl MailSettings {
    /// Checks the URL and the sender's address, so a typo stops the start-up, not the first mail.
    pub fn new(smtp_url: &str, from: &str) -> CoreResult<Self> {
        let settings = Self {
            smtp_url: smtp_url.trim().to_owned(),
            from: from.trim().to_owned(),
            digest_every: Duration::from_secs(24 * 3600),
        };
        sender::transport(&settings)?;
        settings
            .from
            .parse::<lettre::message::Mailbox>()
            .map_err(|e| CoreError::Config(format!("PLAZA_MAIL_FROM '{from}': {e}")))?;
        Ok(settings)
    }
}

// The URL may hold a password: never print it.
impl fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailSettings")
            .field("from", &self.from)
            .field("digest_every", &self.digest_every)
            .finish_non_exhaustive()
    }
}

/// What the kinds of notification are grouped into for mail preferences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// Replies to one's threads and comments.
    Replies,
    /// Mentions.
    Mentions,
    /// Moderation of one's content, and one's bans.
    Moderation,
    /// New reports, for moderators, and alerts, for staff.
    Reports,
    /// One's question solved, one's answer accepted.
    Answers,
}

impl Category {
    /// Every category, in the order forms show them.
    pub const ALL: [Category; 5] = [
        Category::Replies,
        Category::Mentions,
        Category::Moderation,
        Category::Reports,
        Category::Answers,
    ];

    /// The category of a kind of notification.
    pub fn of(kind: Kind) -> Self {
        match kind {
            // Staff's decision on an idea comes as a reply to everyone involved.
            Kind::PostReply | Kind::CommentReply | Kind::IdeaStatus => Category::Replies,
            Kind::PostMention | Kind::CommentMention => Category::Mentions,
            Kind::PostRemoved
            | Kind::PostRestored
            | Kind::CommentRemoved
            | Kind::CommentRestored
            | Kind::Banned
            | Kind::Unbanned => Category::Moderation,
            // Alerts go to the people who watch reports, with the same urgency.
            Kind::Report | Kind::Alert => Category::Reports,
            Kind::QuestionSolved | Kind::AnswerAccepted => Category::Answers,
        }
    }

    /// The name in forms and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Replies => "replies",
            Category::Mentions => "mentions",
            Category::Moderation => "moderation",
            Category::Reports => "reports",
            Category::Answers => "answers",
        }
    }

    /// What it covers, for people.
    pub fn label(self) -> &'static str {
        match self {
            Category::Replies => "Replies to my threads and comments",
            Category::Mentions => "Mentions of me",
            Category::Moderation => "Moderation of my content, and bans",
            Category::Reports => "New reports (moderators) and alerts (staff)",
            Category::Answers => "My question solved, my answer accepted",
        }
    }

    /// The kinds of notification in it.
    pub fn kinds(self) -> Vec<&'static str> {
        Kind::ALL
            .into_iter()
            .filter(|k| Category::of(*k) == self)
            .map(Kind::as_str)
            .collect()
    }
}

/// How a person wants one category by mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Choice {
    /// No mail (the default).
    #[default]
    Off,
    /// A mail for each notification, when it is written.
    Instant,
    /// A daily mail listing the unread ones.
    Digest,
}

impl Choice {
    /// Every choice.
    pub const ALL: [Choice; 3] = [Choice::Off, Choice::Instant, Choice::Digest];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Choice::Off => "off",
            Choice::Instant => "instant",
            Choice::Digest => "digest",
        }
    }

    /// The choice of a stored or typed name.
    pub fn parse(name: &str) -> Option<Choice> {
        Choice::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// A notification was just written for `recipient_id` (a person): queues a mail in the same
/// transaction when its account has a verified address and wants this kind at once.
pub(crate) async fn notified(
    conn: &mut DbConn<'_>,
    recipient_id: i64,
    notification_id: i64,
    kind: Kind,
) -> CoreResult<()> {
    let Some((prefs, user)) = mail::preferences_of_person(conn, recipient_id).await? else {
        return Ok(());
    };
    let (Some(address), Some(_)) = (&user.email, user.email_verified_at) else {
        return Ok(());
    };
    if preferences::choice(&prefs, Category::of(kind)) != Choice::Instant {
        return Ok(());
    }
    mail::enqueue(
        conn,
        &mail::NewMail {
            local_user_id: user.id,
            kind: "notification",
            to_address: address,
            notification_id: Some(notification_id),
            ..mail::NewMail::default()
        },
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_notification_has_a_category_and_every_category_a_kind() {
        for category in Category::ALL {
            assert!(!category.kinds().is_empty(), "{category:?}");
        }
        let covered: usize = Category::ALL.iter().map(|c| c.kinds().len()).sum();
        assert_eq!(covered, Kind::ALL.len());
    }

    #[test]
    fn choices_read_back_from_their_names_and_nothing_else() {
        for choice in Choice::ALL {
            assert_eq!(Choice::parse(choice.as_str()), Some(choice));
        }
        assert_eq!(Choice::parse("weekly"), None);
    }

    #[test]
    fn a_bad_smtp_url_or_sender_stops_the_start() {
        assert!(MailSettings::new("smtp://mail.example:2525", "Plaza <plaza@example.com>").is_ok());
        assert!(MailSettings::new("http://mail.example", "plaza@example.com").is_err());
        assert!(MailSettings::new("smtp://mail.example", "not an address").is_err());
        let settings = MailSettings::new("smtp://u:secret@mail.example", "p@example.com");
        assert!(!format!("{settings:?}").contains("secret"));
    }
}
