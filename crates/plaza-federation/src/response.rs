//! Responses in ActivityPub's media type, and the errors of the federation endpoints.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use plaza_core::CoreError;
use serde::Serialize;

use crate::protocol::context::WithContext;
use crate::protocol::object::Tombstone;

/// The media type of everything served here.
pub const ACTIVITY_JSON: &str = "application/activity+json; charset=utf-8";

/// A document served as `application/activity+json` with its `@context`.
pub struct ActivityJson<T>(pub T);

fn activity_response<T: Serialize>(status: StatusCode, document: T) -> Response {
    match serde_json::to_vec(&WithContext::new(document)) {
        Ok(body) => {
            let mut response = (status, body).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(ACTIVITY_JSON),
            );
            // The same URLs will answer HTML to browsers: caches must keep both apart.
            headers.insert(header::VARY, HeaderValue::from_static("Accept"));
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot serialize an ActivityPub document");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

impl<T: Serialize> IntoResponse for ActivityJson<T> {
    fn into_response(self) -> Response {
        activity_response(StatusCode::OK, self.0)
    }
}

/// Why a federation endpoint did not answer with the document.
#[derive(Debug, thiserror::Error)]
pub enum FederationError {
    /// Nothing local by that name or id.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Deleted: answered with a `Tombstone` and 410.
    #[error("deleted")]
    Gone(Tombstone),
    /// A malformed request (a WebFinger query without a resource).
    #[error("{0}")]
    BadRequest(String),
    /// Anything else.
    #[error(transparent)]
    Core(#[from] CoreError),
}

impl From<plaza_db::DbError> for FederationError {
    fn from(err: plaza_db::DbError) -> Self {
        FederationError::Core(err.into())
    }
}

impl From<plaza_db::reexports::diesel::result::Error> for FederationError {
    fn from(err: plaza_db::reexports::diesel::result::Error) -> Self {
        FederationError::from(plaza_db::DbError::from(err))
    }
}

#[derive(Serialize)]
struct ErrorJson<'a> {
    error: &'static str,
    message: &'a str,
}

impl IntoResponse for FederationError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            FederationError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            FederationError::Gone(tombstone) => {
                return activity_response(StatusCode::GONE, tombstone);
            }
            FederationError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            FederationError::Core(CoreError::NotFound(_)) => (StatusCode::NOT_FOUND, "not_found"),
            FederationError::Core(CoreError::Db(e)) if e.is_unavailable() => {
                tracing::warn!(error = %e, "the database is unavailable");
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
            }
            FederationError::Core(e) => {
                tracing::error!(error = %e, "federation endpoint failed");
                let body = ErrorJson {
                    error: "internal",
                    message: "internal server error",
                };
                return (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response();
            }
        };
        let message = self.to_string();
        (
            status,
            axum::Json(ErrorJson {
                error: code,
                message: &message,
            }),
        )
            .into_response()
    }
}
