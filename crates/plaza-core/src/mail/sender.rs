//! The mail worker: claims due mail with a lease (several workers share the queue; a crashed
//! one's claims come back when the lease ends), composes and sends it over SMTP, retries with a
//! growing pause up to a cap, and queues each person's digest when it is due.

use std::future::Future;
use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use plaza_db::mail::{self, MailRow, NewMail};
use plaza_db::{now, transaction};
use std::sync::Arc;

use super::MailSettings;
use super::compose::{Composed, compose};
use crate::{Context, CoreError, CoreResult};

/// The SMTP client.
pub type Transport = AsyncSmtpTransport<Tokio1Executor>;

/// Builds the SMTP client from the URL: `smtps://` is TLS from the first byte (port 465 unless
/// given); `smtp://` with a password requires STARTTLS (port 587 unless given), since a password
/// must not cross the network in clear; `smtp://` without one is plain SMTP (port 25), for a
/// relay on the same host or network. lettre's own `?tls=` parameter may override.
pub fn transport(settings: &MailSettings) -> CoreResult<Transport> {
    let bad = |e: &dyn std::fmt::Display| CoreError::Config(format!("PLAZA_SMTP_URL: {e}"));
    let mut url = url::Url::parse(&settings.smtp_url).map_err(|e| bad(&e))?;
    if !matches!(url.scheme(), "smtp" | "smtps") {
        return Err(bad(&"must start with smtp:// or smtps://"));
    }
    let has_tls = url.query_pairs().any(|(k, _)| k == "tls");
    if url.scheme() == "smtp" && url.password().is_some() && !has_tls {
        url.query_pairs_mut().append_pair("tls", "required");
    }
    let builder = Transport::from_url(url.as_str()).map_err(|e| bad(&e))?;
    Ok(builder.timeout(Some(Duration::from_secs(30))).build())
}

/// How the worker runs.
#[derive(Debug, Clone)]
pub struct MailWorkerSettings {
    /// Mails claimed per round.
    pub batch: i64,
    /// How long a claim holds.
    pub lease: Duration,
    /// The fallback poll when nothing wakes the worker.
    pub idle_poll: Duration,
    /// Attempts before a mail is given up.
    pub max_attempts: i32,
    /// The first pause after a failure; each next one is four times longer, up to six hours.
    pub first_retry: Duration,
}

impl Default for MailWorkerSettings {
    fn default() -> Self {
        Self {
            batch: 20,
            lease: Duration::from_secs(120),
            idle_poll: Duration::from_secs(30),
            max_attempts: 8,
            first_retry: Duration::from_secs(60),
        }
    }
}

/// Sends the mail queue.
pub struct MailWorker {
    ctx: Arc<Context>,
    transport: Transport,
    from: Mailbox,
    settings: MailWorkerSettings,
}

impl MailWorker {
    /// A worker for the instance's mail settings; `None` when it sends no mail.
    pub fn new(ctx: Arc<Context>, settings: MailWorkerSettings) -> CoreResult<Option<Self>> {
        let Some(mail) = ctx.settings.mail.clone() else {
            return Ok(None);
        };
        let transport = transport(&mail)?;
        let from = mail
            .from
            .parse::<Mailbox>()
            .map_err(|e| CoreError::Config(format!("PLAZA_MAIL_FROM: {e}")))?;
        Ok(Some(Self {
            ctx,
            transport,
            from,
            settings,
        }))
    }

    /// Runs rounds until `shutdown` resolves; digests are looked for once a minute.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut last_digest_look: Option<tokio::time::Instant> = None;
        loop {
            if last_digest_look.is_none_or(|at| at.elapsed() >= Duration::from_secs(60)) {
                last_digest_look = Some(tokio::time::Instant::now());
                if let Err(e) = queue_digests(&self.ctx, now()).await {
                    tracing::warn!(error = %e, "queueing digests failed; will look again");
                }
            }
            let worked = match self.run_once().await {
                Ok(n) => n > 0,
                Err(e) => {
                    tracing::error!(error = %e, task = "mail", "background round failed");
                    false
                }
            };
            if worked {
                continue;
            }
            tokio::select! {
                () = &mut shutdown => break,
                () = self.ctx.wakeup.mails().notified() => {}
                () = tokio::time::sleep(self.settings.idle_poll) => {}
            }
        }
        tracing::info!(task = "mail", "stopped");
    }

    /// Claims and sends one batch; returns how many mails it handled.
    pub async fn run_once(&self) -> CoreResult<usize> {
        let lease = TimeDelta::from_std(self.settings.lease)
            .map_err(|e| CoreError::Config(format!("mail lease: {e}")))?;
        let claimed = transaction!(&self.ctx.db, CoreError, |conn| {
            Ok(mail::claim_due(conn, self.settings.batch, lease).await?)
        })?;
        for row in &claimed {
            self.send_one(row).await?;
        }
        Ok(claimed.len())
    }

    async fn send_one(&self, row: &MailRow) -> CoreResult<()> {
        // Composing may store a link's token: in a transaction of its own, before sending.
        let composed = transaction!(&self.ctx.db, CoreError, |conn| {
            compose(conn, &self.ctx, row).await
        })?;
        let Some(composed) = composed else {
            tracing::info!(mail_id = row.id, kind = %row.kind, "mail dropped: its reason is gone");
            self.ctx.metrics.mail("dropped");
            return self
                .finish(row.id, "dropped: its reason is gone", None)
                .await;
        };
        match self.deliver(&row.to_address, &composed).await {
            Ok(()) => {
                tracing::info!(mail_id = row.id, kind = %row.kind, "mail sent");
                self.ctx.metrics.mail("sent");
                let mut pooled = self.ctx.db.get().await?;
                mail::mark_sent(&mut pooled.conn(), row.id).await?;
                Ok(())
            }
            Err((error, permanent)) => {
                let attempts = row.attempts + 1;
                let retry_at = (!permanent && attempts < self.settings.max_attempts)
                    .then(|| retry_time(now(), self.settings.first_retry, attempts));
                tracing::warn!(mail_id = row.id, kind = %row.kind, attempts, error = %error,
                    retry = retry_at.is_some(), "sending a mail failed");
                self.ctx.metrics.mail(if retry_at.is_some() {
                    "retry"
                } else {
                    "given_up"
                });
                self.finish(row.id, &error, retry_at).await
            }
        }
    }

    async fn finish(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<NaiveDateTime>,
    ) -> CoreResult<()> {
        let mut pooled = self.ctx.db.get().await?;
        mail::mark_failed(&mut pooled.conn(), id, error, retry_at).await?;
        Ok(())
    }

    /// Sends one mail; an error says whether trying again is pointless.
    async fn deliver(&self, to: &str, composed: &Composed) -> Result<(), (String, bool)> {
        let to = to
            .parse::<Mailbox>()
            .map_err(|e| (format!("bad address: {e}"), true))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(composed.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(composed.body.clone())
            .map_err(|e| (format!("cannot build the mail: {e}"), true))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| (e.to_string(), e.is_permanent()))
    }
}

/// When to try again after the `attempts`-th failure.
fn retry_time(from: NaiveDateTime, first: Duration, attempts: i32) -> NaiveDateTime {
    let factor = 4_u32.saturating_pow(u32::try_from(attempts.saturating_sub(1)).unwrap_or(0));
    let pause = first
        .saturating_mul(factor)
        .min(Duration::from_secs(6 * 3600));
    from + TimeDelta::from_std(pause).unwrap_or(TimeDelta::hours(6))
}

/// Queues a digest for each person due one at `at`: it covers their notifications since their
/// last digest up to `at`. The mark moves forward in the same transaction that queues the mail,
/// and only if no other process moved it first, so a digest is never queued twice and no
/// notification falls between two digests. Returns how many were queued.
pub async fn queue_digests(ctx: &Context, at: NaiveDateTime) -> CoreResult<usize> {
    let Some(settings) = &ctx.settings.mail else {
        return Ok(0);
    };
    let every = TimeDelta::from_std(settings.digest_every)
        .map_err(|e| CoreError::Config(format!("digest interval: {e}")))?;
    let due = {
        let mut pooled = ctx.db.get().await?;
        mail::digests_due(&mut pooled.conn(), at - every, 100).await?
    };
    let mut queued = 0;
    for (prefs, user) in due {
        let Some(address) = user.email.clone() else {
            continue;
        };
        let moved = transaction!(&ctx.db, CoreError, |conn| {
            if !mail::advance_digest(conn, user.id, prefs.digest_through, at).await? {
                return Ok(false);
            }
            mail::enqueue(
                conn,
                &NewMail {
                    local_user_id: user.id,
                    kind: "digest",
                    to_address: &address,
                    period_start: Some(prefs.digest_through),
                    period_end: Some(at),
                    ..NewMail::default()
                },
            )
            .await?;
            Ok(true)
        })?;
        queued += usize::from(moved);
    }
    if queued > 0 {
        ctx.wakeup.mails_queued();
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_six_hours() {
        let start = now();
        let first = Duration::from_secs(60);
        let waits: Vec<i64> = (1..=8)
            .map(|n| (retry_time(start, first, n) - start).num_seconds())
            .collect();
        assert_eq!(&waits[..4], &[60, 240, 960, 3840]);
        assert!(waits.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(waits[7], 6 * 3600);
    }

    #[test]
    fn a_password_in_the_smtp_url_requires_starttls() {
        let settings = |url: &str| MailSettings {
            smtp_url: url.to_owned(),
            from: "p@example.com".into(),
            digest_every: Duration::from_secs(60),
        };
        assert!(transport(&settings("smtp://localhost:2525")).is_ok());
        assert!(transport(&settings("smtp://user:pw@mail.example:587")).is_ok());
        assert!(transport(&settings("smtps://mail.example")).is_ok());
        assert!(transport(&settings("smtp://mail.example?tls=sometimes")).is_err());
        assert!(transport(&settings("ftp://mail.example")).is_err());
    }
}
