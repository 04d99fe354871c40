//! One report table as CSV (RFC 4180): a header of column keys, then the rows, with the same
//! values the JSON has.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use plaza_core::insight::{Cell, Report, Table};

/// Characters that make a spreadsheet read a cell as a formula.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

fn field(out: &mut String, cell: &Cell) {
    let mut text = cell.text();
    // Text from other people (thread titles, names) must not run as a formula when the export
    // is opened in a spreadsheet; numbers are left alone.
    if matches!(cell, Cell::Text(_)) && text.starts_with(FORMULA_START) {
        text.insert(0, '\'');
    }
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&text);
    }
}

/// The table as CSV text.
pub fn write(table: &Table) -> String {
    let mut out = String::new();
    let header: Vec<Cell> = table
        .columns
        .iter()
        .map(|c| Cell::Text(c.key.to_owned()))
        .collect();
    for row in std::iter::once(&header).chain(&table.rows) {
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            field(&mut out, cell);
        }
        out.push_str("\r\n");
    }
    out
}

/// The download of one table of a report.
pub fn response(report: &Report, table: &Table) -> Response {
    let group = report.group.as_deref().unwrap_or("all");
    let name = format!(
        "insight-{}-{}-{}-{}-{}.csv",
        report.section.slug(),
        table.id,
        group,
        report.period.first,
        report.period.last
    );
    // Group names are letters, digits and underscores, so the name needs no quoting rules.
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        write(table),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use plaza_core::insight::report::col;

    #[test]
    fn quotes_commas_and_defuses_formulas_but_not_negative_numbers() {
        let mut t = Table::new("t", "T", vec![col("name", "Name"), col("n", "N")]);
        t.rows.push(vec![Cell::from("a, \"b\""), Cell::Int(-3)]);
        t.rows
            .push(vec![Cell::from("=HYPERLINK(1)"), Cell::Num(2.5)]);
        t.rows.push(vec![Cell::Empty, Cell::Int(0)]);
        assert_eq!(
            write(&t),
            "name,n\r\n\"a, \"\"b\"\"\",-3\r\n'=HYPERLINK(1),2.5\r\n,0\r\n"
        );
    }
}
