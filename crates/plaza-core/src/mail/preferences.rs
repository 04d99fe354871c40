//! A person's e-mail settings: their address and whether it is verified, and what they want by
//! mail per category.

use plaza_db::mail::{self, MailPreferencesRow};
use plaza_db::{local_user, now, transaction};

use super::{Category, Choice};
use crate::{Account, Context, CoreError, CoreResult};

/// What a person sees of their e-mail settings.
#[derive(Debug, Clone)]
pub struct MailSettingsView {
    /// The address, if any.
    pub email: Option<String>,
    /// Whether it is verified (only a verified address gets notifications).
    pub verified: bool,
    /// Whether this instance sends mail at all.
    pub mail_enabled: bool,
    /// The choice per category, in [`Category::ALL`]'s order.
    pub choices: Vec<(Category, Choice)>,
}

/// The choice a stored row holds for a category (an unknown stored name reads as off).
pub fn choice(row: &MailPreferencesRow, category: Category) -> Choice {
    let stored = match category {
        Category::Replies => &row.replies,
        Category::Mentions => &row.mentions,
        Category::Moderation => &row.moderation,
        Category::Reports => &row.reports,
        Category::Answers => &row.answers,
    };
    Choice::parse(stored).unwrap_or_default()
}

/// The caller's e-mail settings.
pub async fn get(ctx: &Context, account: &Account) -> CoreResult<MailSettingsView> {
    let mut pooled = ctx.db.get().await?;
    let conn = &mut pooled.conn();
    let user = local_user::find(conn, account.local_user_id)
        .await?
        .ok_or(CoreError::NotFound("account"))?;
    let prefs = mail::preferences(conn, account.local_user_id).await?;
    let choices = Category::ALL
        .into_iter()
        .map(|c| (c, prefs.as_ref().map_or(Choice::Off, |p| choice(p, c))))
        .collect();
    Ok(MailSettingsView {
        verified: user.email.is_some() && user.email_verified_at.is_some(),
        email: user.email,
        mail_enabled: ctx.settings.mail.is_some(),
        choices,
    })
}

/// Parses a choice typed for a category.
pub fn parse_choice(field: &'static str, value: &str) -> CoreResult<Choice> {
    Choice::parse(value.trim())
        .ok_or_else(|| CoreError::invalid(field, "must be one of off, instant, digest"))
}

/// Changes some of the caller's choices; the others stay. The first digest covers what comes
/// after this change.
pub async fn set(
    ctx: &Context,
    account: &Account,
    changes: &[(Category, Choice)],
) -> CoreResult<MailSettingsView> {
    transaction!(&ctx.db, CoreError, |conn| {
        let mut row = mail::preferences(conn, account.local_user_id)
            .await?
            .unwrap_or_else(|| MailPreferencesRow {
                local_user_id: account.local_user_id,
                replies: "off".into(),
                mentions: "off".into(),
                moderation: "off".into(),
                reports: "off".into(),
                answers: "off".into(),
                digest_through: now(),
            });
        for &(category, choice) in changes {
            let slot = match category {
                Category::Replies => &mut row.replies,
                Category::Mentions => &mut row.mentions,
                Category::Moderation => &mut row.moderation,
                Category::Reports => &mut row.reports,
                Category::Answers => &mut row.answers,
            };
            *slot = choice.as_str().to_owned();
        }
        mail::save_preferences(conn, &row).await?;
        Ok(())
    })?;
    get(ctx, account).await
}
