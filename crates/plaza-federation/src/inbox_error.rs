//! Why an incoming activity was refused, and the status each reason answers with.

use activitypub_federation::error::Error as LibError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use plaza_core::CoreError;

/// A refused or failed incoming activity.
#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    /// Signature, digest, parsing or fetching, as the federation library reports it.
    #[error(transparent)]
    Protocol(#[from] LibError),
    /// Plaza refuses the activity (unknown target, actor mismatch).
    #[error("{0}")]
    Refused(String),
    /// Storage or another internal failure.
    #[error(transparent)]
    Core(#[from] CoreError),
}

impl From<plaza_db::DbError> for InboxError {
    fn from(err: plaza_db::DbError) -> Self {
        InboxError::Core(err.into())
    }
}

impl InboxError {
    fn status(&self) -> (StatusCode, &'static str) {
        match self {
            InboxError::Protocol(e) => match e {
                LibError::ActivitySignatureInvalid => (StatusCode::UNAUTHORIZED, "bad_signature"),
                LibError::ActivityBodyDigestInvalid => (StatusCode::BAD_REQUEST, "bad_digest"),
                LibError::ParseReceivedActivity { .. } => (StatusCode::BAD_REQUEST, "bad_activity"),
                LibError::UrlVerificationError(_) => (StatusCode::BAD_REQUEST, "bad_url"),
                LibError::NotFound => (StatusCode::BAD_REQUEST, "actor_not_found"),
                // The library reports a stale `Date` only as text; it is an authentication
                // failure like a wrong signature (a test pins the wording).
                LibError::Other(m) if m.starts_with("Http Signature is expired") => {
                    (StatusCode::UNAUTHORIZED, "expired_signature")
                }
                LibError::Other(m) if m.starts_with(crate::blocklist::BLOCKED) => {
                    (StatusCode::FORBIDDEN, "blocked")
                }
                // The block list could not be read: not a refusal, the sender should retry.
                LibError::Other(m) if m.starts_with(crate::blocklist::UNAVAILABLE) => {
                    (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
                }
                _ => (StatusCode::BAD_REQUEST, "refused"),
            },
            InboxError::Refused(_) => (StatusCode::BAD_REQUEST, "refused"),
            InboxError::Core(CoreError::NotFound(_)) => (StatusCode::NOT_FOUND, "not_found"),
            InboxError::Core(CoreError::Forbidden(_)) => (StatusCode::FORBIDDEN, "forbidden"),
            InboxError::Core(CoreError::Gone(_)) => (StatusCode::GONE, "gone"),
            InboxError::Core(CoreError::Invalid { .. }) => (StatusCode::BAD_REQUEST, "invalid"),
            InboxError::Core(CoreError::Conflict(_)) => (StatusCode::CONFLICT, "conflict"),
            // The sender retries later, as it would after any 5xx; this one says why.
            InboxError::Core(CoreError::Db(e)) if e.is_unavailable() => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
            }
            InboxError::Core(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for InboxError {
    fn into_response(self) -> Response {
        let (status, code) = self.status();
        let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self, "inbox failed");
            "internal server error".to_owned()
        } else if status == StatusCode::SERVICE_UNAVAILABLE {
            tracing::warn!(error = %self, "inbox could not reach the database");
            "the database is unavailable, try again later".to_owned()
        } else {
            tracing::info!(error = %self, %status, "inbox refused an activity");
            self.to_string()
        };
        crate::inbox::answer(status, code, &message)
    }
}

impl From<plaza_db::reexports::diesel::result::Error> for InboxError {
    fn from(err: plaza_db::reexports::diesel::result::Error) -> Self {
        InboxError::from(plaza_db::DbError::from(err))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreadable_block_list_asks_the_sender_to_retry_and_a_block_refuses() {
        let unavailable = InboxError::Protocol(LibError::Other(format!(
            "{} database connection pool: timed out",
            crate::blocklist::UNAVAILABLE
        )));
        assert_eq!(
            unavailable.status(),
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        );
        let blocked = InboxError::Protocol(LibError::Other(format!(
            "{} evil.example is blocked",
            crate::blocklist::BLOCKED
        )));
        assert_eq!(blocked.status(), (StatusCode::FORBIDDEN, "blocked"));
    }
}
