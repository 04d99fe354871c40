//! Browser sessions and the CSRF token every form carries.
//!
//! A signed-in browser holds its log-in token in an HttpOnly cookie; the same token works as a
//! bearer token on the API, and logging out revokes it. Every form carries a CSRF token derived
//! from a secret the browser holds in an HttpOnly cookie (the session token once signed in, a
//! random value before), which another site can neither read nor compute. Form posts whose
//! `Origin` names another site are refused as well.

use axum::extract::{FromRequestParts, Request};
use axum::http::header::{COOKIE, ORIGIN, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use plaza_core::{Account, CoreError, accounts};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::AppState;

/// The cookie holding a signed-in browser's token.
pub const SESSION_COOKIE: &str = "plaza_session";
/// The cookie holding a browser's form secret before it signs in.
pub const FORM_COOKIE: &str = "plaza_form";

/// Who is looking at a page, and the CSRF token their forms carry.
#[derive(Debug, Clone)]
pub struct Visitor {
    /// The signed-in account, if any.
    pub account: Option<Account>,
    /// The session token (to log out).
    session: Option<String>,
    /// The CSRF token of this browser's forms.
    pub csrf: String,
}

impl Visitor {
    /// Checks a form's CSRF token against this browser's.
    pub fn check_csrf(&self, sent: &str) -> bool {
        !self.csrf.is_empty() && bool::from(self.csrf.as_bytes().ct_eq(sent.as_bytes()))
    }

    /// The session token, when signed in.
    pub fn session_token(&self) -> Option<&str> {
        self.session.as_deref()
    }

    /// A visitor nobody is signed in as and who has no form secret (error pages).
    pub fn nobody() -> Self {
        Self {
            account: None,
            session: None,
            csrf: String::new(),
        }
    }
}

/// The CSRF token bound to a browser secret. A hash, so the token on the page does not reveal
/// the secret in the cookie (which is the session token itself once signed in).
fn csrf_token(secret: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(b"plaza form token\0");
    hash.update(secret.as_bytes());
    hex::encode(hash.finalize())
}

fn random_secret() -> String {
    let mut secret = [0_u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    hex::encode(secret)
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        if let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()) {
            match accounts::authenticate(&state.ctx, &token).await {
                Ok(account) => {
                    return Ok(Self {
                        account: Some(account),
                        csrf: csrf_token(&token),
                        session: Some(token),
                    });
                }
                // An expired or revoked session reads as signed out; the page offers to log in.
                Err(CoreError::Unauthorized(reason)) => {
                    tracing::debug!(%reason, "session cookie no longer valid");
                }
                Err(e) => tracing::warn!(error = %e, "cannot check a session cookie"),
            }
        }
        let csrf = jar
            .get(FORM_COOKIE)
            .map(|c| csrf_token(c.value()))
            .unwrap_or_default();
        Ok(Self {
            account: None,
            session: None,
            csrf,
        })
    }
}

/// Cookie attributes shared by both cookies: never readable by scripts, sent on top-level
/// navigation (a link from Mastodon keeps the session) but not on cross-site posts.
fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build()
}

/// The `Set-Cookie` value that starts a session.
pub fn start_session(token: &str, lifetime: std::time::Duration, secure: bool) -> HeaderValue {
    let mut c = cookie(SESSION_COOKIE, token.to_owned(), secure);
    c.set_max_age(time_duration(lifetime));
    header_value(&c)
}

/// The `Set-Cookie` value that ends a session.
pub fn end_session(secure: bool) -> HeaderValue {
    let mut c = cookie(SESSION_COOKIE, String::new(), secure);
    c.make_removal();
    header_value(&c)
}

fn time_duration(d: std::time::Duration) -> cookie::time::Duration {
    cookie::time::Duration::seconds(i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn header_value(c: &Cookie<'_>) -> HeaderValue {
    // Names and values here are ASCII (hex tokens), so the header is always valid.
    HeaderValue::from_str(&c.encoded().to_string()).unwrap_or(HeaderValue::from_static(""))
}

/// Middleware on the pages: a browser with neither cookie gets a form secret, set on the
/// response and visible to this request's handler as if the browser had sent it.
pub async fn form_secret(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let jar = CookieJar::from_headers(request.headers());
    let fresh =
        (jar.get(SESSION_COOKIE).is_none() && jar.get(FORM_COOKIE).is_none()).then(random_secret);
    if let Some(secret) = &fresh
        && let Ok(value) = HeaderValue::from_str(&format!("{FORM_COOKIE}={secret}"))
    {
        request.headers_mut().append(COOKIE, value);
    }
    let mut response = next.run(request).await;
    if let Some(secret) = fresh {
        let c = cookie(FORM_COOKIE, secret, state.config.secure_cookies);
        response.headers_mut().append(SET_COOKIE, header_value(&c));
    }
    response
}

/// Whether a form post comes from one of our own pages as far as `Origin` tells: absent (older
/// browsers, tests) is allowed, the CSRF token still decides; another origin is refused.
pub fn same_origin(headers: &HeaderMap, state: &AppState) -> bool {
    let Some(origin) = headers.get(ORIGIN) else {
        return true;
    };
    let ours = state.ctx.urls.base().origin().ascii_serialization();
    origin.to_str().is_ok_and(|o| o == ours)
}

/// Where to go after logging in: only a path on this site, so a crafted link cannot send a
/// fresh session to another one.
pub fn local_path(next: Option<&str>) -> String {
    match next.map(str::trim) {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_owned(),
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_depend_on_the_secret_and_do_not_reveal_it() {
        let a = csrf_token("secret-a");
        assert_eq!(a, csrf_token("secret-a"));
        assert_ne!(a, csrf_token("secret-b"));
        assert!(!a.contains("secret-a"));
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn only_the_browsers_own_token_passes() {
        let visitor = Visitor {
            account: None,
            session: None,
            csrf: csrf_token("s"),
        };
        assert!(visitor.check_csrf(&csrf_token("s")));
        assert!(!visitor.check_csrf(&csrf_token("t")));
        assert!(!visitor.check_csrf(""));
        // A browser without a secret has no valid token at all, not even the empty one.
        assert!(!Visitor::nobody().check_csrf(""));
    }

    #[test]
    fn only_local_paths_are_followed_after_log_in() {
        assert_eq!(local_path(Some("/post/3")), "/post/3");
        assert_eq!(local_path(Some("//evil.example/x")), "/");
        assert_eq!(local_path(Some("https://evil.example/")), "/");
        assert_eq!(local_path(Some("/\\evil.example")), "/");
        assert_eq!(local_path(None), "/");
    }
}
