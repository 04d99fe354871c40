//! The instance's public description.

use plaza_db::site::{self, SiteRow};

use crate::limits::{SITE_DESCRIPTION_MAX, SITE_NAME_MAX, check_body, check_line};
use crate::{Account, Context, CoreError, CoreResult};

/// Reads the site row (created when the instance was opened).
pub async fn get(ctx: &Context) -> CoreResult<SiteRow> {
    let mut pooled = ctx.db.get().await?;
    site::get(&mut pooled.conn())
        .await?
        .ok_or(CoreError::NotFound("site"))
}

/// A change of the instance's settings: fields left `None` keep their value.
#[derive(Debug, Clone, Default)]
pub struct SitePatch {
    /// The brand's name, shown everywhere.
    pub name: Option<String>,
    /// A short description (Markdown source kept as given); empty clears it.
    pub description: Option<String>,
    /// Whether anyone may sign up.
    pub registrations_open: Option<bool>,
}

/// Changes the instance's settings (administrators).
pub async fn update(ctx: &Context, account: &Account, patch: SitePatch) -> CoreResult<SiteRow> {
    if !account.admin {
        return Err(CoreError::Forbidden(
            "only administrators can change the instance's settings".into(),
        ));
    }
    let current = get(ctx).await?;
    let name = match &patch.name {
        Some(name) => check_line("name", name, SITE_NAME_MAX)?,
        None => current.name,
    };
    let description = match patch.description {
        Some(d) => check_body("description", &d, SITE_DESCRIPTION_MAX, false)?,
        None => current.description,
    };
    let open = patch
        .registrations_open
        .unwrap_or(current.registrations_open);
    let mut pooled = ctx.db.get().await?;
    Ok(site::update_settings(&mut pooled.conn(), &name, description.as_deref(), open).await?)
}
