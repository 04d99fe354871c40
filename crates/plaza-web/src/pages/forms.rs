//! The extractor of every form a page posts: the fields, the visitor, and the CSRF check done
//! before a handler sees anything. A refused form answers with the friendly error page.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::Response;
use plaza_core::CoreError;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::layout::{PageError, capitalized};
use super::session::{Visitor, same_origin};
use crate::AppState;

/// A posted form whose CSRF token matched.
pub struct PageForm<T> {
    /// Who posted it.
    pub visitor: Visitor,
    /// Its fields.
    pub fields: T,
    /// The files chosen in a form sent as `multipart/form-data` (a picture), each with the name
    /// of its field; a file input left empty sends none.
    pub files: Vec<(String, Bytes)>,
}

/// A form with nothing but its CSRF token (log out, one-button actions).
#[derive(Debug, Deserialize)]
pub struct NoFields {}

/// `?saved=1` on the page a settings form sends the browser back to, which then says so.
#[derive(Debug, Deserialize)]
pub struct SavedQuery {
    /// Present after a save.
    pub saved: Option<String>,
}

#[derive(Deserialize)]
struct Token {
    #[serde(default)]
    csrf: String,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for PageForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        match read(request, state).await {
            Ok(form) => Ok(form),
            Err(e) => Err(e.render(&state.ctx).await),
        }
    }
}

async fn read<T: DeserializeOwned>(
    request: Request,
    state: &AppState,
) -> Result<PageForm<T>, PageError> {
    let (mut parts, body) = request.into_parts();
    let Ok(visitor) = Visitor::from_request_parts(&mut parts, state).await;
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let multipart = content_type.starts_with("multipart/form-data");
    if !content_type.starts_with("application/x-www-form-urlencoded") && !multipart {
        return Err(PageError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Not a form",
            "This address takes the form of its page.",
        ));
    }
    if !same_origin(&parts.headers, state) {
        tracing::info!(path = %parts.uri.path(), "form posted from another site refused");
        return Err(stale_form());
    }
    let request = Request::from_parts(parts, body);
    let (bytes, files) = if multipart {
        read_multipart(request, state).await?
    } else {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|e| unreadable(e.status()))?;
        (bytes, Vec::new())
    };
    let token: Token = serde_urlencoded::from_bytes(&bytes).unwrap_or(Token {
        csrf: String::new(),
    });
    if !visitor.check_csrf(&token.csrf) {
        tracing::info!("form with a missing or wrong CSRF token refused");
        return Err(stale_form());
    }
    let fields = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
        tracing::info!(error = %e, "malformed form");
        PageError::new(
            StatusCode::BAD_REQUEST,
            "Not accepted",
            "The form is incomplete or malformed. Go back and try again.",
        )
    })?;
    Ok(PageForm {
        visitor,
        fields,
        files,
    })
}

fn unreadable(status: StatusCode) -> PageError {
    PageError::new(
        status,
        "Not accepted",
        "The form could not be read: it may be too large.",
    )
}

/// A form sent as `multipart/form-data`: its text fields, encoded as a plain form would be so
/// that one parser reads both, and its non-empty files.
async fn read_multipart(
    request: Request,
    state: &AppState,
) -> Result<(Bytes, Vec<(String, Bytes)>), PageError> {
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|e| unreadable(e.status()))?;
    let mut text = Vec::new();
    let mut files = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| unreadable(e.status()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if field.file_name().is_some() {
            let bytes = field.bytes().await.map_err(|e| unreadable(e.status()))?;
            if !bytes.is_empty() {
                files.push((name, bytes));
            }
        } else {
            let value = field.text().await.map_err(|e| unreadable(e.status()))?;
            text.push((name, value));
        }
    }
    let encoded =
        serde_urlencoded::to_string(&text).map_err(|_| unreadable(StatusCode::BAD_REQUEST))?;
    Ok((Bytes::from(encoded), files))
}

/// A refusal the visitor can fix (an empty title, too long a text, a name that is taken) shows
/// the form again with what they typed, with this status and sentence; anything else is the
/// error page.
pub fn fixable(error: CoreError) -> Result<(StatusCode, String), PageError> {
    let refusal = match error {
        CoreError::Invalid { field, reason } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("The {field} {reason}."),
        ),
        CoreError::Conflict(reason) => (StatusCode::CONFLICT, capitalized(&reason)),
        CoreError::Unsupported(reason) => {
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, capitalized(&reason))
        }
        CoreError::TooLarge(reason) => (StatusCode::PAYLOAD_TOO_LARGE, capitalized(&reason)),
        other => return Err(other.into()),
    };
    tracing::info!(status = %refusal.0, message = %refusal.1, "form refused");
    Ok(refusal)
}

/// The person a form names (`name` here, `name@domain` elsewhere); someone unknown is a
/// mistake the visitor can fix, not a missing page.
pub async fn person_field(state: &AppState, handle: &str) -> Result<i64, CoreError> {
    match plaza_core::people::by_handle(&state.ctx, handle).await {
        Err(CoreError::NotFound(_)) => Err(CoreError::invalid(
            "person",
            format!(
                "'{}' is not known here: give a name here, or name@domain for someone elsewhere",
                handle.trim()
            ),
        )),
        found => found,
    }
}

/// A form that did not come from our page as this browser last saw it.
fn stale_form() -> PageError {
    PageError::forbidden(
        "This form has expired or was sent from another site. Go back, reload the page and try again.",
    )
}
