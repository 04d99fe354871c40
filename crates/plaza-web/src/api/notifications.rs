//! The signed-in person's notifications: the list, the unread count, marking read.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use plaza_core::limits::check_page;
use plaza_core::notifications::{self, NotificationView};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::views::{PageJson, PersonJson};
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::{ApiError, AppState, ErrorBody};

/// Which notifications, and which page.
#[derive(Debug, Deserialize, IntoParams)]
pub struct NotificationQuery {
    /// Only the unread ones (default false).
    pub unread: Option<bool>,
    /// 1-based page number (default 1).
    pub page: Option<u32>,
    /// Items per page, 1–50 (default 20).
    pub limit: Option<u32>,
}

/// The group a notification happened in.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotifiedGroupJson {
    pub id: i64,
    pub name: String,
    pub title: String,
    /// `name@domain`.
    pub handle: String,
    /// ActivityPub id and page URL.
    pub url: String,
    pub local: bool,
}

/// The thread a notification concerns.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotifiedThreadJson {
    pub id: i64,
    pub title: String,
    /// ActivityPub id and page URL.
    pub url: String,
}

/// The comment a notification concerns.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotifiedCommentJson {
    pub id: i64,
    /// ActivityPub id and page URL.
    pub url: String,
}

/// Something that happened that concerns the signed-in person.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationJson {
    pub id: i64,
    /// `post_reply`, `comment_reply` (a reply to one's thread or comment), `post_mention`,
    /// `comment_mention`, `post_removed`, `post_restored`, `comment_removed`,
    /// `comment_restored` (a moderator acted on one's content), `banned`, `unbanned`, `report`
    /// (a new report in a group one moderates).
    pub kind: String,
    /// Who acted: the replier, the moderator, the reporter.
    pub actor: Option<PersonJson>,
    pub group: NotifiedGroupJson,
    pub thread: Option<NotifiedThreadJson>,
    /// The reply, the mentioning comment, or the comment moderated or reported.
    pub comment: Option<NotifiedCommentJson>,
    /// The moderator's or the reporter's reason.
    pub reason: Option<String>,
    pub read: bool,
    pub created_at: DateTime<Utc>,
}

impl From<NotificationView> for NotificationJson {
    fn from(n: NotificationView) -> Self {
        let g = n.group;
        Self {
            id: n.row.id,
            kind: n.row.kind,
            actor: n.actor.map(PersonJson::from),
            group: NotifiedGroupJson {
                handle: format!("{}@{}", g.name, g.domain),
                id: g.id,
                name: g.name,
                title: g.title,
                url: g.ap_id,
                local: g.local,
            },
            thread: n.thread.map(|t| NotifiedThreadJson {
                id: t.id,
                title: t.title,
                url: t.ap_id,
            }),
            comment: n.comment.map(|c| NotifiedCommentJson {
                id: c.id,
                url: c.ap_id,
            }),
            reason: n.row.reason,
            read: n.row.read_at.is_some(),
            created_at: n.row.created_at.and_utc(),
        }
    }
}

/// How many notifications are unread.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadCountJson {
    pub unread: i64,
}

/// Notifications to mark read.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MarkReadRequest {
    /// Ids of one's own notifications, 1–100; others' ids are passed over.
    pub ids: Vec<i64>,
}

/// How many notifications a request marked read.
#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedJson {
    pub marked: usize,
}

/// The signed-in person's notifications, newest first.
#[utoipa::path(get, path = "/notifications", tag = "notifications", security(("bearer" = [])),
    params(NotificationQuery),
    responses((status = 200, body = PageJson<NotificationJson>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(query): ApiQuery<NotificationQuery>,
) -> Result<Json<PageJson<NotificationJson>>, ApiError> {
    let page = check_page(query.page, query.limit)?;
    let unread_only = query.unread.unwrap_or(false);
    let listing = notifications::list(&state.ctx, &auth.account, unread_only, page).await?;
    Ok(Json(PageJson::from_listing(
        listing,
        NotificationJson::from,
    )))
}

/// How many of the signed-in person's notifications are unread.
#[utoipa::path(get, path = "/notifications/unread_count", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = UnreadCountJson), (status = 401, body = ErrorBody)))]
pub async fn unread_count(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<UnreadCountJson>, ApiError> {
    let unread = notifications::unread_count(&state.ctx, &auth.account).await?;
    Ok(Json(UnreadCountJson { unread }))
}

/// Marks some of one's notifications read.
#[utoipa::path(post, path = "/notifications/read", tag = "notifications", security(("bearer" = [])),
    request_body = MarkReadRequest,
    responses((status = 200, body = MarkedJson), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn mark_read(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<MarkReadRequest>,
) -> Result<Json<MarkedJson>, ApiError> {
    let marked = notifications::mark_read(&state.ctx, &auth.account, &req.ids).await?;
    Ok(Json(MarkedJson { marked }))
}

/// Marks all of one's notifications read.
#[utoipa::path(post, path = "/notifications/read_all", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = MarkedJson), (status = 401, body = ErrorBody)))]
pub async fn mark_all_read(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<MarkedJson>, ApiError> {
    let marked = notifications::mark_all_read(&state.ctx, &auth.account).await?;
    Ok(Json(MarkedJson { marked }))
}
