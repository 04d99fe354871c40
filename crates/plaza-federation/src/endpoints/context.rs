//! `/post/ID/context`: a thread's conversation (FEP-7888), the collection a thread's `Page` and
//! its comments' `Note`s name in `context`. Servers that follow the convention read it to get a
//! whole thread at once. It lists the opening post, then every comment, oldest first, in pages;
//! a deleted or removed comment stays in its place as a `Tombstone`, so replies to it keep their
//! parent. Only threads of this instance have one; a thread that is gone takes its conversation
//! with it (410).

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use plaza_core::Context;
use plaza_db::group::GroupView;
use plaza_db::post::PostRow;
use plaza_db::{DbConn, comment, group, post};
use serde::{Deserialize, Serialize};

use crate::convert::post::thread_context;
use crate::endpoints::objects::{gone, notes, page_of};
use crate::protocol::collection::{OrderedCollectionPage, PagedCollection};
use crate::protocol::object::ConversationItem;
use crate::response::{ActivityJson, FederationError};

/// Items on one page.
pub const PAGE_SIZE: i64 = 50;

/// `?page=N` (1-based); without it, the collection itself.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    page: Option<i64>,
}

/// The collection or one of its pages.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum ConversationDocument {
    /// The collection: its size and its first and last pages.
    Collection(PagedCollection),
    /// A page of items.
    Page(OrderedCollectionPage<ConversationItem>),
}

/// How many pages `total` items fill (at least one: the opening post is always there).
fn page_count(total: i64) -> i64 {
    ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1)
}

/// The comments on page `n`: the opening post takes the first place of the first page.
fn comment_slice(n: i64) -> (i64, i64) {
    let first_item = (n - 1) * PAGE_SIZE;
    if n == 1 {
        (0, PAGE_SIZE - 1)
    } else {
        (first_item - 1, PAGE_SIZE)
    }
}

fn page_url(collection: &str, n: i64) -> String {
    format!("{collection}?page={n}")
}

/// The conversation of the local thread `id`, or page `?page=N` of it.
pub async fn conversation(
    State(ctx): State<Arc<Context>>,
    Path(id): Path<i64>,
    Query(query): Query<PageQuery>,
) -> Result<ActivityJson<ConversationDocument>, FederationError> {
    let mut pooled = ctx.db.get().await?;
    let conn = &mut pooled.conn();
    let thread = post::find(conn, id)
        .await
        .ok()
        .filter(|p| p.local)
        .ok_or(FederationError::NotFound("thread"))?;
    let collection = thread_context(&thread).ok_or(FederationError::NotFound("thread"))?;
    if thread.deleted || thread.removed {
        return Err(FederationError::Gone(gone(
            &collection,
            "OrderedCollection",
            thread.updated_at,
        )));
    }
    let total = 1 + comment::count_of_post(conn, thread.id).await?;
    let pages = page_count(total);
    let group = group::view(conn, thread.group_id).await?;
    let Some(n) = query.page else {
        return Ok(ActivityJson(ConversationDocument::Collection(
            PagedCollection {
                kind: "OrderedCollection".to_owned(),
                attributed_to: group.group.ap_id.clone(),
                total_items: total,
                first: page_url(&collection, 1),
                last: page_url(&collection, pages),
                id: collection,
            },
        )));
    };
    if !(1..=pages).contains(&n) {
        return Err(FederationError::NotFound("page"));
    }
    let items = page_items(conn, &thread, &group, n).await?;
    Ok(ActivityJson(ConversationDocument::Page(
        OrderedCollectionPage {
            id: page_url(&collection, n),
            kind: "OrderedCollectionPage".to_owned(),
            ordered_items: items,
            prev: (n > 1).then(|| page_url(&collection, n - 1)),
            next: (n < pages).then(|| page_url(&collection, n + 1)),
            part_of: collection,
        },
    )))
}

/// The items of page `n`: on the first, the opening post, then the comments in order.
async fn page_items(
    conn: &mut DbConn<'_>,
    thread: &PostRow,
    group: &GroupView,
    n: i64,
) -> Result<Vec<ConversationItem>, FederationError> {
    let (offset, limit) = comment_slice(n);
    let comments = comment::slice_of_post(conn, thread.id, offset, limit).await?;
    let mut items = Vec::with_capacity(comments.len() + 1);
    if n == 1 {
        let (page, _) = page_of(conn, thread, group).await?;
        items.push(ConversationItem::Thread(Box::new(page)));
    }
    for note in notes(conn, thread, group, &comments).await? {
        items.push(match note {
            Ok(note) => ConversationItem::Comment(Box::new(note)),
            Err(tombstone) => ConversationItem::Gone(tombstone),
        });
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_opening_post_takes_the_first_place_so_pages_stay_full() {
        assert_eq!(page_count(1), 1);
        assert_eq!(page_count(PAGE_SIZE), 1);
        assert_eq!(page_count(PAGE_SIZE + 1), 2);
        assert_eq!(comment_slice(1), (0, PAGE_SIZE - 1));
        assert_eq!(comment_slice(2), (PAGE_SIZE - 1, PAGE_SIZE));
        assert_eq!(comment_slice(3), (2 * PAGE_SIZE - 1, PAGE_SIZE));
    }
}
