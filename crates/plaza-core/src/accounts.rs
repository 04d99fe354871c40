//! Local accounts: creation, log-in with bearer tokens, and who is calling.

use chrono::{NaiveDateTime, TimeDelta};
use plaza_db::local_user::{LocalUserRow, NewLocalUser};
use plaza_db::person::{NewPerson, PersonRow};
use plaza_db::{DbError, api_token, local_user, now, person, site, transaction};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::limits::{EMAIL_MAX, PASSWORD_MAX, PASSWORD_MIN, check_name};
use crate::{Context, CoreError, CoreResult, keys, password};

/// The signed-in caller of an operation.
#[derive(Debug, Clone)]
pub struct Account {
    /// The `local_users` id.
    pub local_user_id: i64,
    /// The person this account acts as.
    pub person_id: i64,
    /// The account's name.
    pub name: String,
    /// Instance administrator.
    pub admin: bool,
    /// Brand staff (shown with an official badge).
    pub staff: bool,
}

impl Account {
    fn from_rows(user: &LocalUserRow, person: &PersonRow) -> Self {
        Self {
            local_user_id: user.id,
            person_id: person.id,
            name: person.name.clone(),
            admin: user.admin,
            staff: user.staff,
        }
    }
}

/// What a new account needs.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// Name (also the handle and URL).
    pub name: String,
    /// Password in clear; only its hash is kept.
    pub password: String,
    /// Optional e-mail address; never shown publicly.
    pub email: Option<String>,
    /// Make this account an administrator.
    pub admin: bool,
}

/// A fresh bearer token. The token itself is shown once; only its hash is stored.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    /// The secret to send as `Authorization: Bearer …`.
    pub token: String,
    /// When it stops working.
    pub expires_at: NaiveDateTime,
    /// Whose it is.
    pub account: Account,
}

/// Hash of a well-formed password, checked when a log-in names an unknown account so that
/// the answer takes as long as for a known one (no account enumeration by timing).
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3W7U2dmCk2jYhnvn5yW3Y3mOQbcLYdVtFQHzhJ7h5w0";

pub(crate) fn check_password(password: &str) -> CoreResult<()> {
    let len = password.chars().count();
    if !(PASSWORD_MIN..=PASSWORD_MAX).contains(&len) {
        return Err(CoreError::invalid(
            "password",
            format!("must be {PASSWORD_MIN} to {PASSWORD_MAX} characters long"),
        ));
    }
    Ok(())
}

pub(crate) fn check_email(email: Option<String>) -> CoreResult<Option<String>> {
    let Some(email) = email.map(|e| e.trim().to_ascii_lowercase()) else {
        return Ok(None);
    };
    if email.is_empty() {
        return Ok(None);
    }
    let well_formed = email.len() <= EMAIL_MAX
        && email
            .split_once('@')
            .is_some_and(|(local, host)| !local.is_empty() && host.contains('.'))
        && !email.chars().any(char::is_whitespace);
    if !well_formed {
        return Err(CoreError::invalid("email", "is not an e-mail address"));
    }
    Ok(Some(email))
}

/// Creates an account with no permission check: for the operator's CLI and for callers that
/// checked already ([`register`], the admin API).
pub async fn create(ctx: &Context, new: NewAccount) -> CoreResult<(LocalUserRow, PersonRow)> {
    check_name("name", &new.name)?;
    check_password(&new.password)?;
    let email = check_email(new.email)?;
    let name = new.name;
    let (keys, password_hash) = tokio::try_join!(keys::generate(), password::hash(new.password))?;
    let ap_id = ctx.urls.person(&name);
    let inbox = ctx.urls.person_inbox(&name);
    let shared_inbox = ctx.urls.shared_inbox();
    let instance_id = ctx.local_instance_id();
    let created = transaction!(&ctx.db, CoreError, |conn| {
        if person::find_local(conn, &name).await?.is_some() {
            return Err(CoreError::Conflict(format!("the name '{name}' is taken")));
        }
        if let Some(email) = &email
            && local_user::email_taken(conn, email).await?
        {
            return Err(CoreError::Conflict(
                "an account with this e-mail address exists".into(),
            ));
        }
        let now = now();
        let person = person::insert(
            conn,
            &NewPerson {
                ap_id: &ap_id,
                instance_id,
                name: &name,
                display_name: None,
                local: true,
                inbox_url: &inbox,
                shared_inbox_url: Some(&shared_inbox),
                public_key: &keys.public_pem,
                private_key: Some(&keys.private_pem),
                created_at: now,
            },
        )
        .await?;
        let user = local_user::insert(
            conn,
            &NewLocalUser {
                person_id: person.id,
                email: email.as_deref(),
                password_hash: &password_hash,
                admin: new.admin,
                staff: new.admin,
                created_at: now,
            },
        )
        .await?;
        if let Some(address) = &user.email
            && ctx.settings.mail.is_some()
        {
            crate::mail::links::queue_verification(conn, user.id, address).await?;
        }
        Ok((user, person))
    });
    if created.is_ok() {
        ctx.wakeup.mails_queued();
    }
    // Two sign-ups racing for one name: the loser hits the unique index.
    created.map_err(|e| match e {
        CoreError::Db(DbError::Unique(_)) => {
            CoreError::Conflict(format!("the name '{name}' is taken"))
        }
        other => other,
    })
}

/// Self-service sign-up, when the instance allows it.
pub async fn register(ctx: &Context, new: NewAccount) -> CoreResult<IssuedToken> {
    let open = {
        let mut pooled = ctx.db.get().await?;
        site::get(&mut pooled.conn())
            .await?
            .is_some_and(|s| s.registrations_open)
    };
    if !open {
        return Err(CoreError::Forbidden(
            "this instance does not accept sign-ups".into(),
        ));
    }
    let (user, person) = create(
        ctx,
        NewAccount {
            admin: false,
            ..new
        },
    )
    .await?;
    issue_token(ctx, Account::from_rows(&user, &person)).await
}

/// Checks a name and password and issues a token. Unknown names and wrong passwords get the
/// same answer.
pub async fn login(ctx: &Context, name: &str, password: &str) -> CoreResult<IssuedToken> {
    let found = {
        let mut pooled = ctx.db.get().await?;
        local_user::find_by_name(&mut pooled.conn(), name).await?
    };
    // A deleted account has no password left; it is checked against the dummy like an unknown
    // name, so the answer takes as long and says as little.
    let found = found.filter(|(_, person)| !person.deleted);
    let stored = found
        .as_ref()
        .map_or(DUMMY_HASH, |(user, _)| user.password_hash.as_str());
    let matches = password::verify(password.to_owned(), stored.to_owned()).await?;
    let (user, person) = match found {
        Some(rows) if matches => rows,
        _ => {
            tracing::info!(name, "failed log-in");
            return Err(CoreError::Unauthorized("wrong name or password".into()));
        }
    };
    {
        let mut pooled = ctx.db.get().await?;
        local_user::touch_login(&mut pooled.conn(), user.id).await?;
    }
    issue_token(ctx, Account::from_rows(&user, &person)).await
}

async fn issue_token(ctx: &Context, account: Account) -> CoreResult<IssuedToken> {
    let mut secret = [0_u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let token = hex::encode(secret);
    let lifetime = TimeDelta::from_std(ctx.settings.token_lifetime)
        .map_err(|e| CoreError::Config(format!("token lifetime: {e}")))?;
    let expires_at = now() + lifetime;
    let mut pooled = ctx.db.get().await?;
    api_token::insert(
        &mut pooled.conn(),
        account.local_user_id,
        &token_hash(&token),
        expires_at,
    )
    .await?;
    Ok(IssuedToken {
        token,
        expires_at,
        account,
    })
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Resolves a bearer token to its account.
pub async fn authenticate(ctx: &Context, token: &str) -> CoreResult<Account> {
    let mut pooled = ctx.db.get().await?;
    let conn = &mut pooled.conn();
    let Some((row, user, person)) = api_token::find(conn, &token_hash(token)).await? else {
        return Err(CoreError::Unauthorized("the token is not valid".into()));
    };
    if row.expires_at <= now() {
        return Err(CoreError::Unauthorized(
            "the token has expired: log in again".into(),
        ));
    }
    // Recording every use would make each signed-in read a write (SQLite has one writer at a
    // time); "last used" to within a few minutes is enough.
    let stale = row
        .last_used_at
        .is_none_or(|at| now() - at > TimeDelta::minutes(5));
    if stale {
        api_token::touch(conn, row.id).await?;
    }
    Ok(Account::from_rows(&user, &person))
}

/// Revokes a token.
pub async fn logout(ctx: &Context, token: &str) -> CoreResult<()> {
    let mut pooled = ctx.db.get().await?;
    api_token::delete(&mut pooled.conn(), &token_hash(token)).await?;
    Ok(())
}

/// Finds an account by name (for the operator's CLI).
pub async fn find(ctx: &Context, name: &str) -> CoreResult<Account> {
    let mut pooled = ctx.db.get().await?;
    let (user, person) = local_user::find_by_name(&mut pooled.conn(), name)
        .await?
        .ok_or(CoreError::NotFound("account"))?;
    Ok(Account::from_rows(&user, &person))
}

/// Makes an account brand staff, or not (administrators): staff answers can be marked official.
pub async fn set_staff(
    ctx: &Context,
    admin: &Account,
    name: &str,
    staff: bool,
) -> CoreResult<Account> {
    if !admin.admin {
        return Err(CoreError::Forbidden(
            "only administrators can name staff".into(),
        ));
    }
    let mut pooled = ctx.db.get().await?;
    let conn = &mut pooled.conn();
    let (user, person) = local_user::find_by_name(conn, name)
        .await?
        .ok_or(CoreError::NotFound("account"))?;
    local_user::set_staff(conn, user.id, staff).await?;
    let mut account = Account::from_rows(&user, &person);
    account.staff = staff;
    Ok(account)
}

/// Deletes the caller's own account, once they confirm with their password. Their threads and
/// comments are erased (replies to them stay, under a deleted placeholder), their profile, e-mail
/// address and password hash are erased, their follows and moderator roles end and every token
/// is revoked; the name stays taken. Other servers learn of it as `Delete(Person)`.
pub async fn delete_own(ctx: &Context, account: &Account, password: &str) -> CoreResult<()> {
    let stored = {
        let mut pooled = ctx.db.get().await?;
        local_user::find_by_name(&mut pooled.conn(), &account.name)
            .await?
            .ok_or(CoreError::NotFound("account"))?
    };
    if !password::verify(password.to_owned(), stored.0.password_hash.clone()).await? {
        return Err(CoreError::Forbidden(
            "the password is not right: the account was not deleted".into(),
        ));
    }
    let was_admin = stored.0.admin;
    crate::event_transaction!(ctx, |conn| {
        // An instance nobody can administer any more could only be repaired from the command
        // line; the last administrator hands the role on first.
        if was_admin && local_user::admin_person_ids(conn).await?.len() <= 1 {
            return Err(CoreError::Conflict(
                "the last administrator cannot delete their account: make someone else an \
                 administrator first"
                    .into(),
            ));
        }
        // Who may show the person, read before their follows end: the groups elsewhere they
        // followed must hear of it too.
        let inboxes = plaza_db::group::person_audience(conn, account.person_id).await?;
        let (threads, comments) = person::erase_content(conn, account.person_id).await?;
        plaza_db::group::forget_person(conn, account.person_id).await?;
        person::erase(conn, account.person_id).await?;
        local_user::erase(conn, account.local_user_id).await?;
        plaza_db::event::record(
            conn,
            plaza_db::event::EventKind::PersonDeleted,
            plaza_db::event::NewEvent {
                actor_id: Some(account.person_id),
                payload: Some(serde_json::json!({ "inboxes": inboxes })),
                ..plaza_db::event::NewEvent::default()
            },
        )
        .await?;
        tracing::info!(name = %account.name, threads, comments, "an account was deleted by its owner");
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() -> CoreResult<()> {
        assert_eq!(
            check_email(Some(" Ada@Example.COM ".into()))?,
            Some("ada@example.com".into())
        );
        assert_eq!(check_email(Some(String::new()))?, None);
        assert!(check_email(Some("not-an-address".into())).is_err());
        assert!(check_email(Some("a b@example.com".into())).is_err());
        Ok(())
    }

    #[tokio::test]
    async fn the_dummy_hash_is_a_valid_phc_string() -> CoreResult<()> {
        // A malformed dummy would make unknown names fail fast and so be told apart by timing.
        assert!(!password::verify("x".into(), DUMMY_HASH.into()).await?);
        Ok(())
    }
}
