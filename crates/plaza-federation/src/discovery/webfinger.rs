//! WebFinger (RFC 7033): `acct:name@domain` to actor ids. Mastodon users type `@support@domain`,
//! Lemmy users `!support@domain`; both ask for `acct:support@domain`.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use plaza_core::Context;
use plaza_db::{group, person};
use serde::{Deserialize, Serialize};

use crate::response::FederationError;

/// The query: `?resource=acct:name@domain` (or an actor URL).
#[derive(Debug, Deserialize)]
pub struct WebfingerQuery {
    resource: Option<String>,
}

/// A JSON Resource Descriptor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Jrd {
    /// `acct:name@domain`.
    pub subject: String,
    /// The actor ids.
    pub aliases: Vec<String>,
    /// Where to find them.
    pub links: Vec<JrdLink>,
}

/// One link of a descriptor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JrdLink {
    /// `self` for the actor, or the profile-page relation.
    pub rel: String,
    /// Media type of the target.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The target.
    pub href: String,
    /// Lemmy's way of telling a group from a person of the same name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<serde_json::Value>,
}

const PROFILE_PAGE: &str = "http://webfinger.net/rel/profile-page";
const AS_TYPE: &str = "https://www.w3.org/ns/activitystreams#type";

/// The local name a resource asks for, if it is on this domain.
fn local_name<'r>(resource: &'r str, ctx: &Context) -> Option<&'r str> {
    let domain = ctx.urls.domain();
    if let Some(acct) = resource
        .strip_prefix("acct:")
        .or_else(|| resource.strip_prefix('@'))
        .or(Some(resource).filter(|r| !r.contains("://")))
    {
        let acct = acct.trim_start_matches(['@', '!']);
        let (name, host) = acct.rsplit_once('@')?;
        return host.eq_ignore_ascii_case(domain).then_some(name);
    }
    // An actor URL: https://domain/u/NAME or /g/NAME.
    let path = resource.strip_prefix(ctx.urls.base().as_str())?;
    path.strip_prefix("u/")
        .or_else(|| path.strip_prefix("g/"))
        .filter(|name| !name.contains('/'))
}

fn actor_links(href: &str, kind: &str) -> [JrdLink; 2] {
    [
        JrdLink {
            rel: "self".to_owned(),
            kind: Some("application/activity+json".to_owned()),
            href: href.to_owned(),
            properties: Some(serde_json::json!({ AS_TYPE: kind })),
        },
        JrdLink {
            rel: PROFILE_PAGE.to_owned(),
            kind: Some("text/html".to_owned()),
            href: href.to_owned(),
            properties: None,
        },
    ]
}

/// Answers a WebFinger query. A group comes before a person of the same name, so Mastodon, which
/// takes the first `self` link, follows the group.
pub async fn webfinger(
    State(ctx): State<Arc<Context>>,
    Query(query): Query<WebfingerQuery>,
) -> Result<Response, FederationError> {
    let resource = query
        .resource
        .filter(|r| !r.trim().is_empty())
        .ok_or_else(|| FederationError::BadRequest("the resource parameter is missing".into()))?;
    let name = local_name(resource.trim(), &ctx).ok_or(FederationError::NotFound("account"))?;
    let domain = ctx.urls.domain().to_owned();
    let mut aliases = Vec::new();
    let mut links = Vec::new();
    if name.eq_ignore_ascii_case(&domain) {
        let id = ctx.urls.instance_actor();
        links.extend(actor_links(&id, "Application"));
        aliases.push(id);
    } else {
        let name = name.to_ascii_lowercase();
        let mut pooled = ctx.db.get().await?;
        let conn = &mut pooled.conn();
        if let Some(g) = group::find_local(conn, &name).await?.filter(|g| !g.deleted) {
            links.extend(actor_links(&g.ap_id, "Group"));
            aliases.push(g.ap_id);
        }
        if let Some(p) = person::find_local(conn, &name)
            .await?
            .filter(|p| !p.deleted)
        {
            links.extend(actor_links(&p.ap_id, "Person"));
            aliases.push(p.ap_id);
        }
    }
    if links.is_empty() {
        return Err(FederationError::NotFound("account"));
    }
    let jrd = Jrd {
        subject: format!("acct:{}@{domain}", name.to_ascii_lowercase()),
        aliases,
        links,
    };
    let mut response = axum::Json(jrd).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/jrd+json"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    Ok(response)
}
