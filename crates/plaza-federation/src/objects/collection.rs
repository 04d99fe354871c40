//! Reading a collection on another server (a group's outbox, a thread's conversation): its items
//! whether served whole or in pages, within a bound on pages and items, from its own server only.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::fetch_object_http;
use serde_json::Value;
use url::Url;

use crate::AppData;
use crate::domain_of;
use crate::inbox_error::InboxError;
use crate::protocol::received::ReceivedCollection;

/// How much of a collection is read.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// Pages fetched after the collection itself.
    pub pages: usize,
    /// Items kept; the rest is not read.
    pub items: usize,
}

/// The first `bounds.items` items of the collection at `url`, as served (ids or embedded
/// objects). Pages on another server than the collection's are not followed. The fetches are
/// signed and counted apart from the caller's.
pub async fn read(
    data: &Data<AppData>,
    url: &Url,
    bounds: Bounds,
) -> Result<Vec<Value>, InboxError> {
    let collection: ReceivedCollection = fetch_object_http(url, &data.reset_request_count())
        .await?
        .object;
    read_from(data, url, collection, bounds).await
}

/// Like [`read`], for a collection fetched already.
pub async fn read_from(
    data: &Data<AppData>,
    url: &Url,
    collection: ReceivedCollection,
    bounds: Bounds,
) -> Result<Vec<Value>, InboxError> {
    let data = data.reset_request_count();
    let host = domain_of(url);
    let (mut items, mut next) = split(collection);
    let mut pages = 0;
    while let Some(page_url) = next.take() {
        if pages >= bounds.pages || items.len() >= bounds.items {
            break;
        }
        if domain_of(&page_url) != host {
            tracing::info!(collection = %url, page = %page_url, "not following a page on another server");
            break;
        }
        pages += 1;
        let page: ReceivedCollection = fetch_object_http(&page_url, &data).await?.object;
        let (more, after) = split(page);
        items.extend(more);
        next = after;
    }
    items.truncate(bounds.items);
    Ok(items)
}

/// A collection's or page's own items, and the page to read next: the first page (when it is
/// embedded, its items are taken and its `next` is the page to read), else the page after this.
fn split(mut collection: ReceivedCollection) -> (Vec<Value>, Option<Url>) {
    let mut items = collection.take_items();
    let next = match collection.first.take() {
        Some(Value::String(first)) => Url::parse(&first).ok(),
        Some(embedded @ Value::Object(_)) => {
            match serde_json::from_value::<ReceivedCollection>(embedded) {
                Ok(mut page) => {
                    items.extend(page.take_items());
                    page.next
                }
                Err(_) => collection.next,
            }
        }
        _ => collection.next,
    };
    (items, next)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(value: Value) -> ReceivedCollection {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn items_come_from_the_collection_or_its_embedded_first_page() {
        let whole = parse(json!({
            "id": "https://a.example/outbox", "type": "OrderedCollection",
            "orderedItems": ["https://a.example/1", {"id": "https://a.example/2"}]
        }));
        let (items, next) = split(whole);
        assert_eq!(items.len(), 2);
        assert!(next.is_none());

        let linked = parse(json!({
            "id": "https://a.example/c", "type": "OrderedCollection",
            "first": "https://a.example/c?page=1"
        }));
        let (items, next) = split(linked);
        assert!(items.is_empty());
        assert_eq!(next.unwrap().as_str(), "https://a.example/c?page=1");

        let embedded = parse(json!({
            "id": "https://a.example/c", "type": "Collection",
            "first": {
                "id": "https://a.example/c?page=1", "type": "CollectionPage",
                "items": ["https://a.example/1"], "next": "https://a.example/c?page=2"
            }
        }));
        let (items, next) = split(embedded);
        assert_eq!(items, vec![json!("https://a.example/1")]);
        assert_eq!(next.unwrap().as_str(), "https://a.example/c?page=2");
    }
}
