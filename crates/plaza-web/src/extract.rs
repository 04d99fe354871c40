//! Request extractors whose failures answer in the API's error format, and the bearer-token
//! authentication.

use axum::extract::{FromRequest, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use plaza_core::{Account, CoreError, accounts};

use crate::{ApiError, AppState};

/// A JSON body; malformed, mistyped or oversized bodies answer 400/422/413 as JSON.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// Query parameters; bad ones answer 400 as JSON.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// Path parameters; an id that is not a number answers 404 as JSON.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// The raw bearer token of the request, if it sent one; a malformed header is an error.
fn bearer(parts: &Parts) -> Result<Option<String>, ApiError> {
    let Some(value) = parts.headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::from(CoreError::Unauthorized(
                "the Authorization header must be 'Bearer TOKEN'".into(),
            ))
        })?;
    Ok(Some(token.to_owned()))
}

/// The signed-in caller; answers 401 without a valid token.
pub struct Auth {
    /// Who is calling.
    pub account: Account,
    /// The token they used (to log it out).
    pub token: String,
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts)?.ok_or_else(|| {
            ApiError::from(CoreError::Unauthorized(
                "sign in first: send a bearer token".into(),
            ))
        })?;
        let account = accounts::authenticate(&state.ctx, &token).await?;
        Ok(Self { account, token })
    }
}

/// The caller if signed in. A token that is sent but not valid is still refused, so a client
/// with an expired token learns it instead of silently seeing the anonymous view.
pub struct MaybeAuth(pub Option<Account>);

impl FromRequestParts<AppState> for MaybeAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match bearer(parts)? {
            Some(token) => Ok(Self(Some(
                accounts::authenticate(&state.ctx, &token).await?,
            ))),
            None => Ok(Self(None)),
        }
    }
}
