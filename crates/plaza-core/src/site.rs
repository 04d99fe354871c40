//! The instance's public description.

use plaza_db::site::{self, SiteRow};

use crate::{Context, CoreError, CoreResult};

/// Reads the site row (created when the instance was opened).
pub async fn get(ctx: &Context) -> CoreResult<SiteRow> {
    let mut pooled = ctx.db.get().await?;
    site::get(&mut pooled.conn())
        .await?
        .ok_or(CoreError::NotFound("site"))
}
