//! Sign-up, log-in, log-out, the caller's account, and account creation by administrators.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use plaza_core::accounts::{self, IssuedToken, NewAccount};
use plaza_core::{Account, CoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::views::AccountJson;
use crate::extract::{ApiJson, ApiPath, Auth};
use crate::{ApiError, AppState, ErrorBody};

/// Sign-up form.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterRequest {
    /// 1–30 of a-z, 0-9, _.
    pub name: String,
    /// 8–256 characters.
    pub password: String,
    /// Optional; never shown publicly.
    pub email: Option<String>,
}

/// Log-in form.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub name: String,
    pub password: String,
}

/// An administrator's new account.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateAccountRequest {
    pub name: String,
    pub password: String,
    pub email: Option<String>,
    /// Make the account an administrator too.
    #[serde(default)]
    pub admin: bool,
}

/// A bearer token and whose it is.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenJson {
    /// Send as `Authorization: Bearer TOKEN`.
    pub token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    pub expires_at: DateTime<Utc>,
    pub account: AccountJson,
}

pub(crate) fn account_json(state: &AppState, account: Account) -> AccountJson {
    AccountJson {
        person_id: account.person_id,
        handle: format!("{}@{}", account.name, state.ctx.urls.domain()),
        name: account.name,
        admin: account.admin,
        staff: account.staff,
    }
}

fn token_json(state: &AppState, issued: IssuedToken) -> TokenJson {
    TokenJson {
        token: issued.token,
        token_type: "Bearer",
        expires_at: issued.expires_at.and_utc(),
        account: account_json(state, issued.account),
    }
}

/// Creates an account and signs it in.
#[utoipa::path(post, path = "/accounts", tag = "accounts", request_body = RegisterRequest,
    responses((status = 201, body = TokenJson), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 403, description = "sign-ups are closed", body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> Result<(StatusCode, Json<TokenJson>), ApiError> {
    let issued = accounts::register(
        &state.ctx,
        NewAccount {
            name: req.name,
            password: req.password,
            email: req.email,
            admin: false,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(token_json(&state, issued))))
}

/// Exchanges a name and password for a bearer token.
#[utoipa::path(post, path = "/auth/login", tag = "accounts", request_body = LoginRequest,
    responses((status = 200, body = TokenJson), (status = 401, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<TokenJson>, ApiError> {
    let issued = accounts::login(&state.ctx, &req.name, &req.password).await?;
    Ok(Json(token_json(&state, issued)))
}

/// Revokes the token used for this request.
#[utoipa::path(post, path = "/auth/logout", tag = "accounts", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, auth: Auth) -> Result<StatusCode, ApiError> {
    accounts::logout(&state.ctx, &auth.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in account.
#[utoipa::path(get, path = "/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = AccountJson), (status = 401, body = ErrorBody)))]
pub async fn me(State(state): State<AppState>, auth: Auth) -> Json<AccountJson> {
    Json(account_json(&state, auth.account))
}

/// The confirmation of an account's deletion.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeleteAccountRequest {
    /// The account's password.
    pub password: String,
}

/// Deletes the caller's account: their threads and comments are erased, their profile, e-mail
/// address and password too, and other servers are sent `Delete(Person)`. The name stays taken.
#[utoipa::path(delete, path = "/me", tag = "accounts", security(("bearer" = [])),
    request_body = DeleteAccountRequest,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "The password is not right.")))]
pub async fn delete_me(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<DeleteAccountRequest>,
) -> Result<StatusCode, ApiError> {
    accounts::delete_own(&state.ctx, &auth.account, &req.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Creates an account (administrators only), e.g. for brand staff.
#[utoipa::path(post, path = "/admin/accounts", tag = "admin", security(("bearer" = [])),
    request_body = CreateAccountRequest,
    responses((status = 201, body = AccountJson), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_account(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<CreateAccountRequest>,
) -> Result<(StatusCode, Json<AccountJson>), ApiError> {
    if !auth.account.admin {
        return Err(CoreError::Forbidden("only administrators can create accounts".into()).into());
    }
    let (user, person) = accounts::create(
        &state.ctx,
        NewAccount {
            name: req.name,
            password: req.password,
            email: req.email,
            admin: req.admin,
        },
    )
    .await?;
    let account = Account {
        local_user_id: user.id,
        person_id: person.id,
        name: person.name,
        admin: user.admin,
        staff: user.staff,
    };
    Ok((StatusCode::CREATED, Json(account_json(&state, account))))
}

/// Names an account brand staff (their answers can be marked official).
#[utoipa::path(put, path = "/admin/accounts/{name}/staff", tag = "admin", security(("bearer" = [])),
    params(("name" = String, Path, description = "The account's name")),
    responses((status = 200, body = AccountJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_staff(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<AccountJson>, ApiError> {
    let account = plaza_core::accounts::set_staff(&state.ctx, &auth.account, &name, true).await?;
    Ok(Json(account_json(&state, account)))
}

/// Takes an account off the staff.
#[utoipa::path(delete, path = "/admin/accounts/{name}/staff", tag = "admin", security(("bearer" = [])),
    params(("name" = String, Path, description = "The account's name")),
    responses((status = 200, body = AccountJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_staff(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<AccountJson>, ApiError> {
    let account = plaza_core::accounts::set_staff(&state.ctx, &auth.account, &name, false).await?;
    Ok(Json(account_json(&state, account)))
}
