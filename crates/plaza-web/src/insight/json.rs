//! The JSON shape of an insight report.

use plaza_core::insight::{Cell, Chart, Period, Report, Table};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// A span of whole UTC days.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodJson {
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, included.
    pub to: String,
    pub days: i64,
    /// How the time series cut it: `day` or `week` (seven days from `from`; the last week may
    /// be shorter).
    pub bucket: &'static str,
}

impl From<Period> for PeriodJson {
    fn from(p: Period) -> Self {
        Self {
            from: p.first.to_string(),
            to: p.last.to_string(),
            days: p.days(),
            bucket: p.bucket.as_str(),
        }
    }
}

/// A column of a table.
#[derive(Debug, Serialize, ToSchema)]
pub struct ColumnJson {
    /// Stable `snake_case` key, also the CSV header.
    pub key: &'static str,
    /// What the page shows.
    pub label: &'static str,
}

/// How the page charts a table, by column keys.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChartJson {
    /// `lines` (over time) or `bars` (ranked).
    pub kind: &'static str,
    /// The column of the x labels (lines) or bar names (bars).
    pub x: &'static str,
    /// The columns drawn.
    pub series: Vec<&'static str>,
}

/// One table: rows of values in column order (numbers, strings, or null for no value).
#[derive(Debug, Serialize, ToSchema)]
pub struct TableJson {
    pub id: &'static str,
    pub title: &'static str,
    /// What the numbers count.
    pub note: &'static str,
    pub columns: Vec<ColumnJson>,
    #[schema(value_type = Vec<Vec<Object>>)]
    pub rows: Vec<Vec<Value>>,
    pub chart: Option<ChartJson>,
}

/// An insight section for a period: its tables, as the page shows them and the CSV exports them.
#[derive(Debug, Serialize, ToSchema)]
pub struct InsightJson {
    /// `overview`, `sources`, `responsiveness`, `advocates`, `friction` or `demand`.
    pub section: &'static str,
    pub period: PeriodJson,
    /// The span of the same length just before, which the overview compares with.
    pub previous_period: PeriodJson,
    /// The group, or null for all of the instance's groups.
    pub group: Option<String>,
    pub tables: Vec<TableJson>,
}

fn value(cell: &Cell) -> Value {
    match cell {
        Cell::Int(n) => Value::from(*n),
        Cell::Num(v) => serde_json::Number::from_f64(*v).map_or(Value::Null, Value::Number),
        Cell::Text(s) => Value::from(s.as_str()),
        Cell::Empty => Value::Null,
    }
}

fn chart(table: &Table) -> Option<ChartJson> {
    let key = |i: &usize| table.columns.get(*i).map_or("", |c| c.key);
    match table.chart.as_ref()? {
        Chart::Lines { x, series, .. } => Some(ChartJson {
            kind: "lines",
            x: key(x),
            series: series.iter().map(key).collect(),
        }),
        Chart::Bars { label, value } => Some(ChartJson {
            kind: "bars",
            x: key(label),
            series: vec![key(value)],
        }),
    }
}

impl From<&Report> for InsightJson {
    fn from(r: &Report) -> Self {
        Self {
            section: r.section.slug(),
            period: r.period.into(),
            previous_period: r.previous.into(),
            group: r.group.clone(),
            tables: r
                .tables
                .iter()
                .map(|t| TableJson {
                    id: t.id,
                    title: t.title,
                    note: t.note,
                    columns: t
                        .columns
                        .iter()
                        .map(|c| ColumnJson {
                            key: c.key,
                            label: c.label,
                        })
                        .collect(),
                    rows: t
                        .rows
                        .iter()
                        .map(|row| row.iter().map(value).collect())
                        .collect(),
                    chart: chart(t),
                })
                .collect(),
        }
    }
}
