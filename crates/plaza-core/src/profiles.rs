//! What local people say about themselves: display name, bio and avatar. A change federates as
//! `Update(Person)` to the servers that may show the person.

use plaza_db::event::{self, EventKind, NewEvent};
use plaza_db::person::{self, PersonRow, Profile};

use crate::limits::{BIO_MAX, DISPLAY_NAME_MAX, check_body, check_line, check_url};
use crate::{Account, Context, CoreResult, markdown};

/// A change of one's profile. Fields left `None` keep their value; an empty text clears it.
#[derive(Debug, Clone, Default)]
pub struct ProfilePatch {
    /// The name shown instead of the account name.
    pub display_name: Option<String>,
    /// About them, in Markdown.
    pub bio: Option<String>,
    /// A picture of them, as an http(s) URL.
    pub avatar_url: Option<String>,
    /// A picture of them uploaded here, by its hash (empty for none); wins over `avatar_url`.
    pub avatar_upload: Option<String>,
}

/// The caller's own person, profile included.
pub async fn get(ctx: &Context, account: &Account) -> CoreResult<PersonRow> {
    let mut pooled = ctx.db.get().await?;
    Ok(person::find(&mut pooled.conn(), account.person_id).await?)
}

/// An optional one-line text: empty clears it.
fn optional_line(field: &'static str, value: &str, max: usize) -> CoreResult<Option<String>> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    check_line(field, value, max).map(Some)
}

/// Changes the caller's own profile.
pub async fn edit(ctx: &Context, account: &Account, patch: ProfilePatch) -> CoreResult<PersonRow> {
    let display_name = patch
        .display_name
        .as_deref()
        .map(|name| optional_line("display_name", name, DISPLAY_NAME_MAX))
        .transpose()?;
    let bio = patch
        .bio
        .as_deref()
        .map(|bio| check_body("bio", bio, BIO_MAX, false))
        .transpose()?;
    let avatar_url = patch
        .avatar_url
        .as_deref()
        .map(|url| match url.trim() {
            "" => Ok(None),
            url => check_url("avatar_url", url).map(Some),
        })
        .transpose()?;
    crate::event_transaction!(ctx, |conn| {
        let current = person::find(conn, account.person_id).await?;
        let display_name = display_name.unwrap_or(current.display_name);
        let bio_source = bio.unwrap_or(current.bio_source);
        let bio_html = markdown::render_optional("bio", bio_source.as_deref()).await?;
        let uploaded = crate::media::picture_url(
            conn,
            account,
            "avatar_upload",
            patch.avatar_upload.as_deref(),
        )
        .await?;
        let avatar_url = uploaded
            .or(avatar_url.clone())
            .unwrap_or(current.avatar_url);
        let row = person::set_profile(
            conn,
            account.person_id,
            &Profile {
                display_name: display_name.as_deref(),
                bio_source: bio_source.as_deref(),
                bio_html: bio_html.as_deref(),
                avatar_url: avatar_url.as_deref(),
            },
        )
        .await?;
        event::record(
            conn,
            EventKind::PersonUpdated,
            NewEvent {
                actor_id: Some(account.person_id),
                ..NewEvent::default()
            },
        )
        .await?;
        Ok(row)
    })
}
