//! Fetching a document from its own server: what a third party passes on (a group's announce, a
//! collection's items) is believed only as its origin serves it.

use crate::AppData;
use activitypub_federation::config::Data;
use activitypub_federation::fetch::fetch_object_http;
use url::Url;

/// Fetches `id` and returns it only when it was served under that very id, after redirects too.
/// A failure is logged and gives `None`.
pub async fn fetch_exact<T: serde::de::DeserializeOwned>(
    data: &Data<AppData>,
    id: &Url,
) -> Option<T> {
    match fetch_object_http::<_, T>(id, data).await {
        Ok(fetched) if &fetched.url == id => Some(fetched.object),
        Ok(fetched) => {
            tracing::info!(%id, served = %fetched.url, "its origin served another document under that id");
            None
        }
        Err(e) => {
            tracing::info!(%id, error = %e, "could not fetch a document from its origin");
            None
        }
    }
}
