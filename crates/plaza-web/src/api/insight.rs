//! Insight for staff and administrators: each section as JSON, or one of its tables as CSV.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use plaza_core::insight;

use crate::extract::{ApiPath, ApiQuery, Auth};
use crate::insight::json::InsightJson;
use crate::insight::{Format, InsightParams, csv, csv_table, section};
use crate::{ApiError, AppState, ErrorBody};

/// One insight section for a period and a group or the whole instance (staff and
/// administrators). With `format=csv&table=ID`, that table as CSV, with the same values.
#[utoipa::path(get, path = "/admin/insight/{section}", tag = "admin", security(("bearer" = [])),
    params(
        ("section" = String, Path, description = "overview, sources, responsiveness, advocates, friction or demand"),
        InsightParams,
    ),
    responses(
        (status = 200, body = InsightJson, description = "The section; text/csv with format=csv."),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "No such section."),
        (status = 422, body = ErrorBody, description = "A bad period, group, format or table.")))]
pub async fn section_report(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(params): ApiQuery<InsightParams>,
) -> Result<Response, ApiError> {
    if !insight::may_see(&auth.account) {
        return Err(plaza_core::CoreError::Forbidden(
            "only staff and administrators see insight".into(),
        )
        .into());
    }
    let section = section(&slug)?;
    let format = params.format()?;
    let report = insight::build(&state.ctx, &auth.account, section, &params.query()).await?;
    Ok(match format {
        Format::Default => Json(InsightJson::from(&report)).into_response(),
        Format::Csv => csv::response(&report, csv_table(&report, &params)?),
    })
}
