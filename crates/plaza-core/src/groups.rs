//! Groups: creating them and reading them.

use plaza_db::event::{EventKind, NewEvent};
use plaza_db::group::{GroupRow, GroupView, NewGroup};
use plaza_db::person::PersonBrief;
use plaza_db::{DbError, Page, event, group, now};

use crate::limits::{GROUP_DESCRIPTION_MAX, GROUP_TITLE_MAX, check_body, check_line, check_name};
use crate::{Account, Context, CoreError, CoreResult, Listing, keys, markdown};

/// What a new group needs.
#[derive(Debug, Clone, Default)]
pub struct NewGroupInput {
    /// Name (handle and URL: `!name@domain`, `/g/name`).
    pub name: String,
    /// Display title.
    pub title: String,
    /// Markdown description.
    pub description: Option<String>,
    /// Only moderators may start threads.
    pub posting_restricted_to_mods: bool,
}

/// A group with its moderators.
#[derive(Debug, Clone)]
pub struct GroupDetails {
    /// The group and its counts.
    pub view: GroupView,
    /// Its moderators.
    pub moderators: Vec<PersonBrief>,
}

/// Creates a group by an account's request: administrators only. The creator moderates it.
pub async fn create_by(
    ctx: &Context,
    account: &Account,
    input: NewGroupInput,
) -> CoreResult<GroupDetails> {
    if !account.admin {
        return Err(CoreError::Forbidden(
            "only administrators can create groups".into(),
        ));
    }
    create(ctx, input, &[account.person_id]).await
}

/// Creates a group with the given moderators, with no permission check (the operator's CLI).
pub async fn create(
    ctx: &Context,
    input: NewGroupInput,
    moderator_ids: &[i64],
) -> CoreResult<GroupDetails> {
    check_name("name", &input.name)?;
    let title = check_line("title", &input.title, GROUP_TITLE_MAX)?;
    let description = input
        .description
        .as_deref()
        .map(|d| check_body("description", d, GROUP_DESCRIPTION_MAX, false))
        .transpose()?
        .flatten();
    let description_html = markdown::render_optional("description", description.as_deref()).await?;
    let keys = keys::generate().await?;
    let name = input.name;
    let ap_id = ctx.urls.group(&name);
    let inbox = ctx.urls.group_inbox(&name);
    let followers = ctx.urls.group_followers(&name);
    let shared_inbox = ctx.urls.shared_inbox();
    let instance_id = ctx.local_instance_id();
    let result = crate::event_transaction!(ctx, |conn| {
        if group::find_local(conn, &name).await?.is_some() {
            return Err(CoreError::Conflict(format!(
                "a group named '{name}' exists"
            )));
        }
        let row = group::insert(
            conn,
            &NewGroup {
                ap_id: &ap_id,
                instance_id,
                name: &name,
                title: &title,
                description_source: description.as_deref(),
                description_html: description_html.as_deref(),
                local: true,
                inbox_url: &inbox,
                shared_inbox_url: Some(&shared_inbox),
                followers_url: Some(&followers),
                public_key: &keys.public_pem,
                private_key: Some(&keys.private_pem),
                posting_restricted_to_mods: input.posting_restricted_to_mods,
                created_at: now(),
            },
        )
        .await?;
        for person_id in moderator_ids {
            group::add_moderator(conn, row.id, *person_id).await?;
        }
        event::record(
            conn,
            EventKind::GroupCreated,
            NewEvent {
                actor_id: moderator_ids.first().copied(),
                group_id: Some(row.id),
                ..NewEvent::default()
            },
        )
        .await?;
        details(conn, row.id).await
    });
    result.map_err(|e| match e {
        CoreError::Db(DbError::Unique(_)) => {
            CoreError::Conflict(format!("a group named '{name}' exists"))
        }
        other => other,
    })
}

/// Finds a group by the name people use for it: `name` for a group of this instance,
/// `name@domain` for one anywhere (a group on another server is known here once someone has
/// looked it up or followed it).
pub async fn find_named(
    ctx: &Context,
    conn: &mut plaza_db::DbConn<'_>,
    name: &str,
) -> CoreResult<GroupRow> {
    // One sigil at most: `!name@domain` (Lemmy) or `@name@domain` (Mastodon).
    let name = name
        .strip_prefix('!')
        .or_else(|| name.strip_prefix('@'))
        .unwrap_or(name);
    let found = match name.split_once('@') {
        Some((name, domain)) if !domain.eq_ignore_ascii_case(ctx.urls.domain()) => {
            group::find_by_handle(conn, name, &domain.to_ascii_lowercase()).await?
        }
        Some((name, _)) => group::find_local(conn, name).await?,
        None => group::find_local(conn, name).await?,
    };
    found
        .filter(|g| !g.deleted)
        .ok_or(CoreError::NotFound("group"))
}

/// Reads a group by name (see [`find_named`]), with its moderators.
pub async fn get(ctx: &Context, name: &str) -> CoreResult<GroupDetails> {
    let mut pooled = ctx.db.get().await?;
    let conn = &mut pooled.conn();
    let row = find_named(ctx, conn, name).await?;
    details(conn, row.id).await
}

/// A group's read model with its moderators.
async fn details(conn: &mut plaza_db::DbConn<'_>, id: i64) -> CoreResult<GroupDetails> {
    Ok(GroupDetails {
        view: group::view(conn, id).await?,
        moderators: group::moderators(conn, id).await?,
    })
}

/// Lists local groups.
pub async fn list(ctx: &Context, page: Page) -> CoreResult<Listing<GroupView>> {
    let mut pooled = ctx.db.get().await?;
    let rows = group::list_local(&mut pooled.conn(), page).await?;
    Ok(Listing::from_rows(rows, page))
}

/// A change of a group's settings: fields left `None` keep their value; an empty description
/// clears it.
#[derive(Debug, Clone, Default)]
pub struct GroupPatch {
    /// Display title.
    pub title: Option<String>,
    /// Markdown description (rules included).
    pub description: Option<String>,
    /// Only moderators may start threads.
    pub posting_restricted_to_mods: Option<bool>,
    /// A Q&A group: every new thread is a question.
    pub qa: Option<bool>,
    /// The group collects ideas: staff and moderators give threads a status.
    pub ideas: Option<bool>,
    /// The group's icon: an upload's hash, or empty for none.
    pub icon_upload: Option<String>,
    /// The group's banner: an upload's hash, or empty for none.
    pub banner_upload: Option<String>,
}

/// Changes a group's settings (its moderators and administrators). The change federates as the
/// group's `Update`.
pub async fn update(
    ctx: &Context,
    account: &Account,
    name: &str,
    patch: GroupPatch,
) -> CoreResult<GroupDetails> {
    let title = patch
        .title
        .as_deref()
        .map(|t| check_line("title", t, GROUP_TITLE_MAX))
        .transpose()?;
    let description = patch
        .description
        .as_deref()
        .map(|d| check_body("description", d, GROUP_DESCRIPTION_MAX, false))
        .transpose()?;
    crate::event_transaction!(ctx, |conn| {
        let row = find_named(ctx, conn, name).await?;
        ensure_local_moderator(conn, &row, account).await?;
        let description_source = match &description {
            Some(new) => new.clone(),
            None => row.description_source.clone(),
        };
        let description_html =
            markdown::render_optional("description", description_source.as_deref()).await?;
        let row = group::update_settings(
            conn,
            row.id,
            group::GroupSettings {
                title: title.as_deref().unwrap_or(&row.title),
                description_source: description_source.as_deref(),
                description_html: description_html.as_deref(),
                posting_restricted_to_mods: patch
                    .posting_restricted_to_mods
                    .unwrap_or(row.posting_restricted_to_mods),
                qa: patch.qa.unwrap_or(row.qa),
                ideas: patch.ideas.unwrap_or(row.ideas),
            },
        )
        .await?;
        let icon =
            crate::media::picture_url(conn, account, "icon_upload", patch.icon_upload.as_deref())
                .await?
                .unwrap_or(row.icon_url.clone());
        let banner = crate::media::picture_url(
            conn,
            account,
            "banner_upload",
            patch.banner_upload.as_deref(),
        )
        .await?
        .unwrap_or(row.banner_url.clone());
        let row = if (&icon, &banner) != (&row.icon_url, &row.banner_url) {
            group::set_pictures(conn, row.id, icon.as_deref(), banner.as_deref()).await?
        } else {
            row
        };
        event::record(
            conn,
            EventKind::GroupUpdated,
            NewEvent {
                actor_id: Some(account.person_id),
                group_id: Some(row.id),
                ..NewEvent::default()
            },
        )
        .await?;
        details(conn, row.id).await
    })
}

/// Adds (`add`) or removes a moderator of a group of this instance (its moderators and
/// administrators). Recorded in the log; federates as Lemmy's `Add`/`Remove` to the moderators
/// collection.
pub async fn set_moderator(
    ctx: &Context,
    account: &Account,
    name: &str,
    person_id: i64,
    add: bool,
) -> CoreResult<GroupDetails> {
    crate::event_transaction!(ctx, |conn| {
        let row = find_named(ctx, conn, name).await?;
        ensure_local_moderator(conn, &row, account).await?;
        let changed = if add {
            let before = group::is_moderator(conn, row.id, person_id).await?;
            group::add_moderator(conn, row.id, person_id).await?;
            !before
        } else {
            if group::moderators(conn, row.id).await?.len() <= 1
                && group::is_moderator(conn, row.id, person_id).await?
            {
                return Err(CoreError::Conflict(
                    "a group keeps at least one moderator".into(),
                ));
            }
            group::remove_moderator(conn, row.id, person_id).await?
        };
        if changed {
            let action = if add {
                "add_moderator"
            } else {
                "remove_moderator"
            };
            plaza_db::mod_log::record(
                conn,
                &plaza_db::mod_log::NewModLog {
                    group_id: row.id,
                    moderator_id: Some(account.person_id),
                    action,
                    person_id: Some(person_id),
                    ..Default::default()
                },
            )
            .await?;
            event::record(
                conn,
                EventKind::Moderation,
                NewEvent {
                    actor_id: Some(account.person_id),
                    group_id: Some(row.id),
                    payload: Some(serde_json::json!({"action": action, "person_id": person_id})),
                    ..NewEvent::default()
                },
            )
            .await?;
        }
        details(conn, row.id).await
    })
}

async fn ensure_local_moderator(
    conn: &mut plaza_db::DbConn<'_>,
    group: &GroupRow,
    account: &Account,
) -> CoreResult<()> {
    if !group.local {
        return Err(CoreError::Forbidden(
            "a group on another server is managed there".into(),
        ));
    }
    if account.admin || group::is_moderator(conn, group.id, account.person_id).await? {
        Ok(())
    } else {
        Err(CoreError::Forbidden(
            "only the group's moderators may change it".into(),
        ))
    }
}
