//! The HTTP error: every failure becomes a status and `{"error": CODE, "message": TEXT}`.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use plaza_core::CoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable machine-readable code: `bad_request`, `invalid`, `unauthorized`, `forbidden`,
    /// `not_found`, `method_not_allowed`, `gone`, `conflict`, `payload_too_large`, `unsupported_media_type`,
    /// `unavailable`, `internal`.
    pub error: &'static str,
    /// A sentence for people.
    pub message: String,
    /// The request field at fault, for `invalid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
}

/// An error on its way to becoming a response.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
}

impl ApiError {
    /// An error with a status, a code and a message.
    pub fn new(status: StatusCode, error: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody {
                error,
                message: message.into(),
                field: None,
            },
        }
    }

    /// 404 for a route that does not exist.
    pub fn no_route() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "no such API endpoint")
    }

    /// The status this error answers with.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let unauthorized = self.status == StatusCode::UNAUTHORIZED;
        let mut response = (self.status, axum::Json(self.body)).into_response();
        if unauthorized {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"plaza\""),
            );
        }
        response
    }
}

impl From<CoreError> for ApiError {
    fn from(err: CoreError) -> Self {
        use StatusCode as S;
        match err {
            CoreError::NotFound(what) => {
                Self::new(S::NOT_FOUND, "not_found", format!("{what} not found"))
            }
            CoreError::Gone(message) => Self::new(S::GONE, "gone", message),
            CoreError::Unauthorized(message) => Self::new(S::UNAUTHORIZED, "unauthorized", message),
            CoreError::Forbidden(message) => Self::new(S::FORBIDDEN, "forbidden", message),
            CoreError::Invalid { field, reason } => Self {
                status: S::UNPROCESSABLE_ENTITY,
                body: ErrorBody {
                    error: "invalid",
                    message: format!("{field} {reason}"),
                    field: Some(field),
                },
            },
            CoreError::Conflict(message) => Self::new(S::CONFLICT, "conflict", message),
            CoreError::Unsupported(message) => {
                Self::new(S::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", message)
            }
            CoreError::TooLarge(message) => {
                Self::new(S::PAYLOAD_TOO_LARGE, "payload_too_large", message)
            }
            CoreError::Unavailable(message) => {
                Self::new(S::SERVICE_UNAVAILABLE, "unavailable", message)
            }
            CoreError::Db(e) if e.is_unavailable() => {
                tracing::warn!(error = %e, "the database is unavailable");
                Self::new(
                    S::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the server is busy, try again shortly",
                )
            }
            other => {
                // The cause goes to the log, never to the client.
                tracing::error!(error = %other, "request failed");
                Self::new(
                    S::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal server error",
                )
            }
        }
    }
}

impl From<plaza_federation::FederationError> for ApiError {
    fn from(err: plaza_federation::FederationError) -> Self {
        use plaza_federation::FederationError as F;
        match err {
            F::NotFound(what) => Self::from(CoreError::NotFound(what)),
            F::Gone(_) => Self::new(StatusCode::GONE, "gone", "deleted".to_owned()),
            F::BadRequest(message) => Self::new(StatusCode::BAD_REQUEST, "bad_request", message),
            F::Core(e) => Self::from(e),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let status = rejection.status();
        let code = match status {
            StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
            StatusCode::UNPROCESSABLE_ENTITY => "invalid",
            _ => "bad_request",
        };
        let message = match status {
            StatusCode::PAYLOAD_TOO_LARGE => "the request body is too large".to_owned(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                "send the body as JSON with Content-Type: application/json".to_owned()
            }
            _ => rejection.body_text(),
        };
        tracing::debug!(%status, %message, "refused request body");
        Self::new(status, code, message)
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            rejection.body_text(),
        )
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", rejection.body_text())
    }
}
