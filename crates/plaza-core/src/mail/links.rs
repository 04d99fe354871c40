//! The two links Plaza mails: one that verifies an address, one that resets a password. Each
//! token is made when its mail is composed and stored only as its SHA-256; a link works once and
//! for a limited time.

use plaza_db::mail::{self, NewMail};
use plaza_db::{DbConn, local_user, transaction};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::preferences::{self, MailSettingsView};
use crate::accounts::{check_email, check_password};
use crate::{Account, Context, CoreError, CoreResult, password};

/// The `purpose` of a verification link.
pub const VERIFY: &str = "verify";
/// The `purpose` of a password reset link.
pub const RESET: &str = "reset";

/// A fresh secret for a link, and its stored hash.
pub(crate) fn new_token() -> (String, String) {
    let mut secret = [0_u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let token = hex::encode(secret);
    let hash = hash(&token);
    (token, hash)
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

fn bad_link() -> CoreError {
    CoreError::invalid("token", "is not a valid link: it may be used up or expired")
}

fn mail_off() -> CoreError {
    CoreError::Unavailable(
        "this instance sends no e-mail (no mail server is set up): ask its administrators".into(),
    )
}

/// Queues the mail that verifies `address`, unless one is waiting already.
pub(crate) async fn queue_verification(
    conn: &mut DbConn<'_>,
    local_user_id: i64,
    address: &str,
) -> CoreResult<()> {
    if !mail::waiting(conn, local_user_id, VERIFY).await? {
        mail::enqueue(
            conn,
            &NewMail {
                local_user_id,
                kind: VERIFY,
                to_address: address,
                ..NewMail::default()
            },
        )
        .await?;
    }
    Ok(())
}

/// Sets, changes or (with `None` or "") removes the caller's address. A new address is not
/// verified: a link goes to it, and until it is followed no notification is mailed there. The
/// address set again while unverified sends the link again.
pub async fn set_email(
    ctx: &Context,
    account: &Account,
    email: Option<String>,
) -> CoreResult<MailSettingsView> {
    let email = check_email(email)?;
    let mail_enabled = ctx.settings.mail.is_some();
    transaction!(&ctx.db, CoreError, |conn| {
        let user = local_user::find(conn, account.local_user_id)
            .await?
            .ok_or(CoreError::NotFound("account"))?;
        if user.email == email && user.email_verified_at.is_some() {
            return Ok(());
        }
        if user.email != email {
            if let Some(address) = &email
                && local_user::email_taken(conn, address).await?
            {
                return Err(CoreError::Conflict(
                    "an account with this e-mail address exists".into(),
                ));
            }
            local_user::set_email(conn, user.id, email.as_deref()).await?;
            // Mail queued for the old address, and links sent to it, are void.
            mail::drop_unsent(conn, user.id).await?;
            mail::use_tokens(conn, user.id, VERIFY).await?;
        }
        if let Some(address) = &email
            && mail_enabled
        {
            queue_verification(conn, user.id, address).await?;
        }
        Ok(())
    })?;
    ctx.wakeup.mails_queued();
    preferences::get(ctx, account).await
}

/// Follows a verification link: the address it was sent to is verified, if it is still the
/// account's.
pub async fn verify_email(ctx: &Context, token: &str) -> CoreResult<()> {
    let hash = hash(token);
    transaction!(&ctx.db, CoreError, |conn| {
        let row = mail::live_token(conn, &hash, VERIFY)
            .await?
            .ok_or_else(bad_link)?;
        let address = row.email.as_deref().ok_or_else(bad_link)?;
        if !local_user::mark_email_verified(conn, row.local_user_id, address).await? {
            return Err(bad_link());
        }
        mail::use_tokens(conn, row.local_user_id, VERIFY).await?;
        tracing::info!(
            local_user_id = row.local_user_id,
            "an e-mail address was verified"
        );
        Ok(())
    })
}

/// Asks for a password reset link for an account named by its name or its address. The answer
/// is the same whether or not such an account exists (and has a verified address): the link
/// goes only to a verified address, so only its owner learns anything.
pub async fn request_reset(ctx: &Context, name_or_email: &str) -> CoreResult<()> {
    if ctx.settings.mail.is_none() {
        return Err(mail_off());
    }
    let wanted = name_or_email.trim();
    if wanted.is_empty() || wanted.chars().count() > 320 {
        return Err(CoreError::invalid(
            "name_or_email",
            "must be an account's name or e-mail address",
        ));
    }
    let wanted = if wanted.contains('@') {
        wanted.to_ascii_lowercase()
    } else {
        wanted.to_owned()
    };
    transaction!(&ctx.db, CoreError, |conn| {
        let Some((user, _)) = local_user::find_by_name_or_email(conn, &wanted).await? else {
            return Ok(());
        };
        let (Some(address), Some(_)) = (&user.email, user.email_verified_at) else {
            return Ok(());
        };
        // One waiting mail is enough: asking again does not flood the inbox.
        if !mail::waiting(conn, user.id, RESET).await? {
            mail::enqueue(
                conn,
                &NewMail {
                    local_user_id: user.id,
                    kind: RESET,
                    to_address: address,
                    ..NewMail::default()
                },
            )
            .await?;
        }
        Ok(())
    })?;
    ctx.wakeup.mails_queued();
    Ok(())
}

/// Whether a reset link still works (for the page that asks for the new password).
pub async fn reset_link_works(ctx: &Context, token: &str) -> CoreResult<bool> {
    let mut pooled = ctx.db.get().await?;
    Ok(mail::live_token(&mut pooled.conn(), &hash(token), RESET)
        .await?
        .is_some())
}

/// Follows a reset link: sets the new password, uses up every reset link of the account and
/// revokes all its tokens (every session signs in again).
pub async fn reset_password(ctx: &Context, token: &str, new_password: &str) -> CoreResult<()> {
    check_password(new_password)?;
    let hash = hash(token);
    let password_hash = password::hash(new_password.to_owned()).await?;
    transaction!(&ctx.db, CoreError, |conn| {
        let row = mail::live_token(conn, &hash, RESET)
            .await?
            .ok_or_else(bad_link)?;
        local_user::set_password(conn, row.local_user_id, &password_hash).await?;
        mail::use_tokens(conn, row.local_user_id, RESET).await?;
        tracing::info!(
            local_user_id = row.local_user_id,
            "a password was reset by mail"
        );
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_token_is_stored_only_as_its_hash() {
        let (token, stored) = new_token();
        assert_eq!(token.len(), 64);
        assert_ne!(token, stored);
        assert_eq!(hash(&token), stored);
        assert_ne!(new_token().0, token);
    }
}
