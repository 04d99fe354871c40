//! Logging in and out, and signing up, in a browser.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use plaza_core::accounts::{self, IssuedToken, NewAccount};
use plaza_core::{CoreError, limits};
use serde::Deserialize;

use super::forms::{NoFields, PageForm};
use super::layout::{Layout, PageError, render, respond, see_other};
use super::session::{Visitor, end_session, local_path, start_session};
use crate::AppState;

/// The log-in page.
#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    /// The layout.
    pub layout: Layout,
    /// The name typed so far.
    pub name: String,
    /// Where to go afterwards.
    pub next: String,
    /// Why the last try failed.
    pub message: Option<String>,
}

/// The sign-up page.
#[derive(Template)]
#[template(path = "signup.html")]
pub struct SignupPage {
    /// The layout.
    pub layout: Layout,
    /// The name typed so far.
    pub name: String,
    /// The e-mail address typed so far.
    pub email: String,
    /// Why the last try failed.
    pub message: Option<String>,
    /// Shortest password accepted.
    pub password_min: usize,
}

/// `?next=` of the log-in page.
#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// The log-in form's fields.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
    next: Option<String>,
}

/// The sign-up form's fields.
#[derive(Debug, Deserialize)]
pub struct SignupForm {
    name: String,
    password: String,
    email: Option<String>,
}

/// A 303 to `to` that also sets or clears the session cookie.
fn redirect_with_cookie(to: &str, cookie: HeaderValue) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(location) = HeaderValue::from_str(to) {
        response.headers_mut().insert(LOCATION, location);
    }
    response.headers_mut().append(SET_COOKIE, cookie);
    response
}

/// The answer to a successful log-in or sign-up: the session cookie and a redirect.
fn signed_in(state: &AppState, issued: &IssuedToken, next: &str) -> Response {
    let cookie = start_session(
        &issued.token,
        state.ctx.settings.token_lifetime,
        state.config.secure_cookies,
    );
    redirect_with_cookie(next, cookie)
}

/// `GET /login`.
pub async fn login_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<NextQuery>,
) -> Response {
    let next = local_path(query.next.as_deref());
    if visitor.account.is_some() {
        return see_other(&next);
    }
    respond(
        &state.ctx,
        login_form(&state, &visitor, String::new(), next, None, StatusCode::OK).await,
    )
    .await
}

async fn login_form(
    state: &AppState,
    visitor: &Visitor,
    name: String,
    next: String,
    message: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let layout = Layout::new(&state.ctx, visitor, "Log in").await?;
    Ok(render(
        status,
        &LoginPage {
            layout,
            name,
            next,
            message,
        },
    ))
}

/// `POST /login`.
pub async fn login(State(state): State<AppState>, form: PageForm<LoginForm>) -> Response {
    let PageForm {
        visitor, fields, ..
    } = form;
    let next = local_path(fields.next.as_deref());
    let result = match accounts::login(&state.ctx, fields.name.trim(), &fields.password).await {
        Ok(issued) => Ok(signed_in(&state, &issued, &next)),
        Err(CoreError::Unauthorized(_)) => {
            login_form(
                &state,
                &visitor,
                fields.name,
                next,
                Some("Wrong name or password.".to_owned()),
                StatusCode::UNAUTHORIZED,
            )
            .await
        }
        Err(e) => Err(e.into()),
    };
    respond(&state.ctx, result).await
}

/// `POST /logout`: revokes the session's token and clears the cookie.
pub async fn logout(State(state): State<AppState>, form: PageForm<NoFields>) -> Response {
    if let Some(token) = form.visitor.session_token()
        && let Err(e) = accounts::logout(&state.ctx, token).await
    {
        return PageError::from(e).render(&state.ctx).await;
    }
    redirect_with_cookie("/", end_session(state.config.secure_cookies))
}

/// `GET /signup`.
pub async fn signup_page(State(state): State<AppState>, visitor: Visitor) -> Response {
    if visitor.account.is_some() {
        return see_other("/");
    }
    respond(
        &state.ctx,
        signup_form(&state, &visitor, String::new(), String::new(), None).await,
    )
    .await
}

async fn signup_form(
    state: &AppState,
    visitor: &Visitor,
    name: String,
    email: String,
    message: Option<(StatusCode, String)>,
) -> Result<Response, PageError> {
    let layout = Layout::new(&state.ctx, visitor, "Sign up").await?;
    if !layout.registrations_open {
        return Err(PageError::forbidden(
            "This instance does not accept sign-ups. You can still follow and reply from any fediverse account.",
        ));
    }
    let (status, message) = match message {
        Some((status, m)) => (status, Some(m)),
        None => (StatusCode::OK, None),
    };
    Ok(render(
        status,
        &SignupPage {
            layout,
            name,
            email,
            message,
            password_min: limits::PASSWORD_MIN,
        },
    ))
}

/// `POST /signup`.
pub async fn signup(State(state): State<AppState>, form: PageForm<SignupForm>) -> Response {
    let PageForm {
        visitor, fields, ..
    } = form;
    let new = NewAccount {
        name: fields.name.trim().to_owned(),
        password: fields.password,
        email: fields.email.clone().filter(|e| !e.trim().is_empty()),
        admin: false,
    };
    let refused = |status: StatusCode, message: String| Some((status, message));
    let result = match accounts::register(&state.ctx, new).await {
        Ok(issued) => Ok(signed_in(&state, &issued, "/")),
        Err(CoreError::Invalid { field, reason }) => {
            signup_form(
                &state,
                &visitor,
                fields.name,
                fields.email.unwrap_or_default(),
                refused(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!("The {field} {reason}."),
                ),
            )
            .await
        }
        Err(CoreError::Conflict(reason)) => {
            signup_form(
                &state,
                &visitor,
                fields.name,
                fields.email.unwrap_or_default(),
                refused(StatusCode::CONFLICT, super::layout::capitalized(&reason)),
            )
            .await
        }
        Err(e) => Err(e.into()),
    };
    respond(&state.ctx, result).await
}
