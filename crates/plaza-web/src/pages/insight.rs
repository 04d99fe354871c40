//! The insight pages (`/admin/insight/…`), for staff and administrators: a period and group
//! picker, then each table of the section with its chart and a CSV link. `?format=csv&table=ID`
//! on the same URL downloads one table.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use plaza_core::CoreError;
use plaza_core::insight::{self, Cell, Report, Section};
use serde::{Deserialize, Serialize};

use super::access::{Via, insight_viewer};
use super::forms::fixable;
use super::layout::{Layout, PageError, render, respond, safe_link};
use super::session::Visitor;
use crate::AppState;
use crate::insight::{Format, InsightParams, chart, csv, csv_table, section};

/// The picker's fields as the browser sends them: everything as text, so a bad value is
/// explained on the page rather than refused by the extractor.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct PageParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    days: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    table: Option<String>,
}

impl PageParams {
    fn params(&self) -> Result<InsightParams, CoreError> {
        let days = match self.days.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(d) => Some(
                d.parse::<i64>()
                    .map_err(|_| CoreError::invalid("days", "must be 7, 30 or 90"))?,
            ),
        };
        // A range typed in the form wins over the preset the form also sends.
        let range = self.from.as_deref().is_some_and(|f| !f.trim().is_empty())
            || self.to.as_deref().is_some_and(|t| !t.trim().is_empty());
        Ok(InsightParams {
            days: if range { None } else { days },
            from: self.from.clone(),
            to: self.to.clone(),
            group: self.group.clone(),
            format: self.format.clone(),
            table: self.table.clone(),
        })
    }

    /// This page's query string for one table's CSV.
    fn csv_href(&self, slug: &str, table: &str) -> String {
        let link = PageParams {
            days: self.days.clone().filter(|d| !d.is_empty()),
            from: self.from.clone().filter(|d| !d.is_empty()),
            to: self.to.clone().filter(|d| !d.is_empty()),
            group: self.group.clone().filter(|d| !d.is_empty()),
            format: Some("csv".into()),
            table: Some(table.to_owned()),
        };
        let query = serde_urlencoded::to_string(&link).unwrap_or_default();
        format!("/admin/insight/{slug}?{query}")
    }
}

/// A link to a section.
pub struct SectionLink {
    /// Its heading.
    pub title: &'static str,
    /// Its URL, keeping the period and group.
    pub href: String,
    /// The section shown.
    pub current: bool,
}

/// A cell as the page shows it.
pub struct CellView {
    /// The value.
    pub text: String,
    /// A link, for URL columns.
    pub href: Option<String>,
    /// Numbers align right.
    pub numeric: bool,
    /// Titles may wrap onto several lines; the other cells are single names, dates and
    /// numbers, kept on one line.
    pub wraps: bool,
}

/// A table with its chart.
pub struct TableView {
    /// Anchor and CSV name.
    pub id: &'static str,
    /// Heading.
    pub title: &'static str,
    /// What it counts.
    pub note: &'static str,
    /// Column labels.
    pub headers: Vec<&'static str>,
    /// Rows.
    pub rows: Vec<Vec<CellView>>,
    /// The chart as an SVG element (plotters output, its text escaped).
    pub chart: Option<String>,
    /// Its CSV download.
    pub csv_href: String,
}

/// A group in the picker.
pub struct GroupChoice {
    /// Its name.
    pub name: String,
    /// Chosen.
    pub selected: bool,
}

/// An insight page.
#[derive(Template)]
#[template(path = "insight.html")]
pub struct InsightPage {
    /// The layout.
    pub layout: Layout,
    /// The sections.
    pub sections: Vec<SectionLink>,
    /// This section's URL (the picker's action).
    pub action: String,
    /// The preset chosen (7, 30, 90), or 0 for a range.
    pub days: i64,
    /// The range's first day as typed.
    pub from: String,
    /// The range's last day as typed.
    pub to: String,
    /// The groups.
    pub groups: Vec<GroupChoice>,
    /// "1 May 2026 – 30 May 2026 (30 days), per day, compared with …".
    pub period: String,
    /// Why the picker's values were refused.
    pub message: Option<String>,
    /// The tables.
    pub tables: Vec<TableView>,
}

fn table_views(report: &Report, page: &PageParams) -> Vec<TableView> {
    let slug = report.section.slug();
    report
        .tables
        .iter()
        .map(|t| TableView {
            id: t.id,
            title: t.title,
            note: t.note,
            headers: t.columns.iter().map(|c| c.label).collect(),
            rows: t
                .rows
                .iter()
                .map(|row| {
                    row.iter()
                        .zip(&t.columns)
                        .map(|(cell, column)| {
                            let text = cell.text();
                            let href = (column.key == "url")
                                .then(|| safe_link(Some(&text)))
                                .flatten();
                            CellView {
                                text: if href.is_some() { "open".into() } else { text },
                                href,
                                numeric: matches!(cell, Cell::Int(_) | Cell::Num(_)),
                                wraps: column.key == "thread",
                            }
                        })
                        .collect()
                })
                .collect(),
            chart: chart::draw(t),
            csv_href: page.csv_href(slug, t.id),
        })
        .collect()
}

fn describe(report: &Report) -> String {
    let p = report.period;
    let prev = report.previous;
    let scope = report
        .group
        .as_deref()
        .map_or_else(|| "all groups".to_owned(), |g| format!("the group {g}"));
    format!(
        "{} to {} (UTC, {} days, per {}), {}; compared with {} to {}.",
        p.first,
        p.last,
        p.days(),
        p.bucket.as_str(),
        scope,
        prev.first,
        prev.last
    )
}

async fn show(state: &AppState, visitor: &Visitor, slug: &str, page: PageParams) -> Response {
    let path = format!("/admin/insight/{slug}");
    let result = async {
        let account = insight_viewer(visitor, Via::Page(&path))?;
        let section = section(slug)?;
        let built = async {
            let params = page.params()?;
            let format = params.format()?;
            let report = insight::build(&state.ctx, account, section, &params.query()).await?;
            Ok::<_, CoreError>((params, format, report))
        }
        .await;
        let (report, message, status) = match built {
            Ok((params, Format::Csv, report)) => {
                let table = csv_table(&report, &params).map_err(PageError::from)?;
                return Ok(csv::response(&report, table));
            }
            Ok((_, Format::Default, report)) => (Some(report), None, StatusCode::OK),
            Err(e) => {
                let (status, message) = fixable(e)?;
                (None, Some(message), status)
            }
        };
        let chosen_group = page.group.clone().unwrap_or_default();
        let groups = insight::groups(&state.ctx, account)
            .await?
            .into_iter()
            .map(|name| GroupChoice {
                selected: name == chosen_group,
                name,
            })
            .collect();
        let keep = serde_urlencoded::to_string(PageParams {
            days: page.days.clone().filter(|d| !d.is_empty()),
            from: page.from.clone().filter(|d| !d.is_empty()),
            to: page.to.clone().filter(|d| !d.is_empty()),
            group: page.group.clone().filter(|d| !d.is_empty()),
            format: None,
            table: None,
        })
        .unwrap_or_default();
        let sections = Section::ALL
            .into_iter()
            .map(|s| SectionLink {
                title: s.title(),
                href: if keep.is_empty() {
                    format!("/admin/insight/{}", s.slug())
                } else {
                    format!("/admin/insight/{}?{keep}", s.slug())
                },
                current: s == section,
            })
            .collect();
        let ranged = page.from.as_deref().is_some_and(|f| !f.is_empty());
        let days = if ranged {
            0
        } else {
            page.days
                .as_deref()
                .and_then(|d| d.parse().ok())
                .unwrap_or(30)
        };
        let layout =
            Layout::new(&state.ctx, visitor, format!("Insight: {}", section.title())).await?;
        let view = InsightPage {
            layout,
            sections,
            action: path.clone(),
            days,
            from: page.from.clone().unwrap_or_default(),
            to: page.to.clone().unwrap_or_default(),
            groups,
            period: report.as_ref().map(describe).unwrap_or_default(),
            message,
            tables: report
                .as_ref()
                .map(|r| table_views(r, &page))
                .unwrap_or_default(),
        };
        Ok(render(status, &view))
    }
    .await;
    respond(&state.ctx, result).await
}

/// `GET /admin/insight`: the overview.
pub async fn overview(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(page): Query<PageParams>,
) -> Response {
    show(&state, &visitor, Section::Overview.slug(), page).await
}

/// `GET /admin/insight/{section}`.
pub async fn section_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Query(page): Query<PageParams>,
) -> Response {
    show(&state, &visitor, &slug, page).await
}
