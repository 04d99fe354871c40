//! The instance's public description.

use plaza_db::site::{self, SiteRow, SiteSettings};

use crate::limits::{SITE_DESCRIPTION_MAX, SITE_NAME_MAX, URL_MAX, check_body, check_line};
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
    /// The brand's logo: an absolute https URL; empty clears it.
    pub icon_url: Option<String>,
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
    let icon_url = match patch.icon_url {
        Some(url) => check_icon_url(&url, ctx.urls.base().scheme() == "http")?,
        None => current.icon_url,
    };
    let open = patch
        .registrations_open
        .unwrap_or(current.registrations_open);
    let mut pooled = ctx.db.get().await?;
    let settings = SiteSettings {
        name: &name,
        description: description.as_deref(),
        icon_url: icon_url.as_deref(),
        registrations_open: open,
    };
    Ok(site::update_settings(&mut pooled.conn(), settings).await?)
}

/// Checks a logo URL: absolute https with a host, bounded length; empty clears it. Plain http is
/// accepted only from an instance that is itself served over http (development): an https page
/// would not load an http image, and the pages' Content-Security-Policy allows https images only.
pub fn check_icon_url(value: &str, allow_http: bool) -> CoreResult<Option<String>> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if value.len() > URL_MAX {
        return Err(CoreError::invalid(
            "icon_url",
            format!("must be at most {URL_MAX} characters long"),
        ));
    }
    let url = url::Url::parse(value).map_err(|e| {
        CoreError::invalid(
            "icon_url",
            format!(
                "is not an absolute URL ({e}); give one such as https://brand.example/logo.png"
            ),
        )
    })?;
    let scheme_ok = url.scheme() == "https" || (allow_http && url.scheme() == "http");
    if !scheme_ok {
        let expected = if allow_http {
            "an http or https URL"
        } else {
            "an https URL"
        };
        return Err(CoreError::invalid(
            "icon_url",
            format!("must be {expected}"),
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(CoreError::invalid("icon_url", "must name a host"));
    }
    Ok(Some(url.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_logo_is_an_absolute_https_url_and_empty_clears_it() {
        assert_eq!(
            check_icon_url(" https://brand.example/logo.png ", false).ok(),
            Some(Some("https://brand.example/logo.png".to_owned()))
        );
        assert_eq!(check_icon_url("", false).ok(), Some(None));
        assert_eq!(check_icon_url("   ", false).ok(), Some(None));
    }

    #[test]
    fn other_logo_urls_are_refused_with_a_reason() {
        let cases = [
            ("logo.png", false, "is not an absolute URL"),
            ("/static/logo.png", false, "is not an absolute URL"),
            (
                "http://brand.example/logo.png",
                false,
                "must be an https URL",
            ),
            ("javascript:alert(1)", false, "must be an https URL"),
            (
                "data:image/png;base64,AAAA",
                true,
                "must be an http or https URL",
            ),
        ];
        for (given, allow_http, expected) in cases {
            let message = check_icon_url(given, allow_http)
                .err()
                .map(|e| e.to_string());
            assert!(
                message.as_deref().is_some_and(|m| m.contains(expected)),
                "{given:?}: {message:?}"
            );
        }
        let long = format!("https://brand.example/{}", "a".repeat(URL_MAX));
        assert!(check_icon_url(&long, false).is_err());
    }

    #[test]
    fn plain_http_logos_are_for_instances_served_over_http() {
        assert_eq!(
            check_icon_url("http://localhost:8080/logo.png", true).ok(),
            Some(Some("http://localhost:8080/logo.png".to_owned()))
        );
    }
}
