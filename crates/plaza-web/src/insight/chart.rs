//! Charts drawn on the server as SVG with plotters, to be inlined in the page: no script, no
//! style attribute (the CSP allows neither), only presentation attributes. The style sheet makes
//! them as wide as the screen.

use plaza_core::insight::{Cell, Chart, Table};
use plotters::prelude::*;

// Small enough that a phone shrinks the text little, large enough for a desktop column.
const WIDTH: u32 = 520;
const HEIGHT: u32 = 260;
/// Bars drawn at most; the table beside the chart has every row.
const MAX_BARS: usize = 10;
/// Longest bar label, in characters.
const LABEL_CHARS: usize = 20;

const FONT: &str = "sans-serif";
const COLORS: [RGBColor; 4] = [
    RGBColor(0x1f, 0x5f, 0xbf),
    RGBColor(0x99, 0x99, 0x99),
    RGBColor(0xc0, 0x5a, 0x1a),
    RGBColor(0x2e, 0x8b, 0x57),
];

type DrawResult<T> = Result<T, Box<dyn std::error::Error>>;

/// The table's chart as an SVG element, or `None` when it has none or nothing to draw.
pub fn draw(table: &Table) -> Option<String> {
    if table.rows.is_empty() {
        return None;
    }
    let drawn = match table.chart.as_ref()? {
        Chart::Lines { x, series, y_label } => lines(table, *x, series, y_label),
        Chart::Bars { label, value } => bars(table, *label, *value),
    };
    match drawn {
        Ok(svg) => Some(finish(svg, table.title)),
        Err(e) => {
            tracing::warn!(table = table.id, error = %e, "a chart could not be drawn");
            None
        }
    }
}

/// Makes the document an accessible, scalable element of the page.
fn finish(svg: String, title: &str) -> String {
    let label: String = title
        .chars()
        .filter(|c| !matches!(c, '<' | '>' | '&' | '"' | '\''))
        .collect();
    svg.replacen(
        "<svg ",
        &format!("<svg class=\"chart\" role=\"img\" aria-label=\"{label}\" "),
        1,
    )
}

fn value(row: &[Cell], i: usize) -> f64 {
    row.get(i).and_then(Cell::as_f64).unwrap_or(0.0)
}

fn text(row: &[Cell], i: usize) -> String {
    row.get(i).map(Cell::text).unwrap_or_default()
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= LABEL_CHARS {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(LABEL_CHARS - 1).collect();
        out.push('…');
        out
    }
}

/// A y range with room above the highest value.
fn top(max: f64) -> f64 {
    if max <= 0.0 { 1.0 } else { max * 1.1 }
}

#[allow(clippy::cast_precision_loss)]
fn lines(table: &Table, x: usize, series: &[usize], y_label: &str) -> DrawResult<String> {
    let labels: Vec<String> = table.rows.iter().map(|r| text(r, x)).collect();
    let n = labels.len();
    let max = table
        .rows
        .iter()
        .flat_map(|r| series.iter().map(move |i| value(r, *i)))
        .fold(0.0_f64, f64::max);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let x_max = (n.max(2) - 1) as f64;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d(0.0..x_max, 0.0..top(max))?;
        let label_of = |v: &f64| {
            let i = v.round();
            if (v - i).abs() > 0.01 || i < 0.0 {
                return String::new();
            }
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            labels
                .get(i as usize)
                .map(|l| l.get(5..).unwrap_or(l).to_owned())
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .x_labels(n.clamp(2, 8))
            .x_label_formatter(&label_of)
            .y_labels(6)
            .y_desc(y_label)
            .label_style((FONT, 14))
            .light_line_style(WHITE)
            .draw()?;
        for (k, column) in series.iter().enumerate() {
            let color = COLORS.get(k % COLORS.len()).copied().unwrap_or(BLACK);
            let name = table.columns.get(*column).map_or("", |c| c.label);
            let points = table
                .rows
                .iter()
                .enumerate()
                .map(|(i, r)| (i as f64, value(r, *column)));
            chart
                .draw_series(LineSeries::new(points, color.stroke_width(2)))?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font((FONT, 14))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .draw()?;
        root.present()?;
    }
    Ok(svg)
}

#[allow(clippy::cast_precision_loss)]
fn bars(table: &Table, label: usize, column: usize) -> DrawResult<String> {
    let rows: Vec<&Vec<Cell>> = table.rows.iter().take(MAX_BARS).collect();
    let k = rows.len();
    let names: Vec<String> = rows.iter().map(|r| shorten(&text(r, label))).collect();
    let max = rows
        .iter()
        .map(|r| value(r, column))
        .fold(0.0_f64, f64::max);
    let height = 56 + 30 * u32::try_from(k).unwrap_or(10);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(32)
            .y_label_area_size(150)
            .build_cartesian_2d(0.0..top(max), -0.5..(k as f64 - 0.5))?;
        // The first row is drawn at the top.
        let name_at = |v: &f64| {
            let i = v.round();
            if (v - i).abs() > 0.01 || i < 0.0 {
                return String::new();
            }
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let from_top = k.checked_sub(1 + i as usize);
            from_top
                .and_then(|j| names.get(j).cloned())
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .y_labels(k.max(1))
            .y_label_formatter(&name_at)
            .x_labels(6)
            .x_desc(table.columns.get(column).map_or("", |c| c.label))
            .label_style((FONT, 14))
            .light_line_style(WHITE)
            .disable_y_mesh()
            .draw()?;
        let color = COLORS.first().copied().unwrap_or(BLACK);
        chart.draw_series(rows.iter().enumerate().map(|(j, r)| {
            let y = (k - 1 - j) as f64;
            Rectangle::new(
                [(0.0, y - 0.35), (value(r, column), y + 0.35)],
                color.filled(),
            )
        }))?;
        root.present()?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use plaza_core::insight::report::col;

    #[test]
    fn a_chart_is_one_svg_element_with_escaped_labels_and_no_style_attribute() {
        let mut t = Table::new("t", "Hosts", vec![col("name", "Name"), col("n", "Count")])
            .charted(Chart::Bars { label: 0, value: 1 });
        t.rows
            .push(vec![Cell::from("<script>x</script>"), Cell::Int(3)]);
        t.rows.push(vec![Cell::from("b.example"), Cell::Int(1)]);
        let svg = draw(&t).unwrap_or_default();
        assert!(svg.starts_with("<svg class=\"chart\""), "{svg}");
        assert!(!svg.contains("<script"), "{svg}");
        assert!(!svg.contains("style="), "{svg}");
        assert!(svg.contains("b.example"), "{svg}");
    }
}
