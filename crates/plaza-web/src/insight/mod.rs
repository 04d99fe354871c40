//! What the insight API and pages share: the query string, the JSON shape of a report, its CSV
//! export and its charts.

pub mod chart;
pub mod csv;
pub mod json;

use plaza_core::CoreError;
use plaza_core::insight::{InsightQuery, PeriodQuery, Report, Section, Table};
use serde::Deserialize;
use utoipa::IntoParams;

/// The query string of every insight URL.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
pub struct InsightParams {
    /// 7, 30 or 90: the last so many UTC days, today included (default 30).
    pub days: Option<i64>,
    /// First UTC day of a range, `YYYY-MM-DD` (with `to`, instead of `days`).
    pub from: Option<String>,
    /// Last UTC day of a range, `YYYY-MM-DD`, included.
    pub to: Option<String>,
    /// One of the instance's groups by name; all of them when absent or empty.
    pub group: Option<String>,
    /// `json` (the default on the API, the page on the site) or `csv` (one table, see `table`).
    pub format: Option<String>,
    /// The table to export as CSV, by id.
    pub table: Option<String>,
}

/// What to answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The JSON document (API) or the page (site).
    Default,
    /// One table as CSV.
    Csv,
}

impl InsightParams {
    /// The core's query.
    pub fn query(&self) -> InsightQuery {
        let blank = |s: &Option<String>| s.clone().filter(|v| !v.trim().is_empty());
        InsightQuery {
            period: PeriodQuery {
                days: self.days,
                from: blank(&self.from),
                to: blank(&self.to),
            },
            group: blank(&self.group),
        }
    }

    /// The format asked for.
    pub fn format(&self) -> Result<Format, CoreError> {
        match self.format.as_deref() {
            None | Some("" | "json" | "html") => Ok(Format::Default),
            Some("csv") => Ok(Format::Csv),
            Some(_) => Err(CoreError::invalid("format", "must be json or csv")),
        }
    }
}

/// The section named in a URL, or 404.
pub fn section(slug: &str) -> Result<Section, CoreError> {
    Section::from_slug(slug).ok_or(CoreError::NotFound("insight section"))
}

/// The table a CSV export asks for.
pub fn csv_table<'r>(report: &'r Report, params: &InsightParams) -> Result<&'r Table, CoreError> {
    let ids = report
        .tables
        .iter()
        .map(|t| t.id)
        .collect::<Vec<_>>()
        .join(", ");
    let Some(id) = params.table.as_deref().filter(|t| !t.is_empty()) else {
        return Err(CoreError::invalid(
            "table",
            format!("a CSV export needs one table: {ids}"),
        ));
    };
    report.table(id).ok_or_else(|| {
        CoreError::invalid("table", format!("no such table; this section has {ids}"))
    })
}
