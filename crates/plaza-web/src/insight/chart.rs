//! Charts drawn on the server as SVG with plotters, to be inlined in the page: no script, no
//! style attribute (the CSP allows neither), only presentation attributes. The style sheet makes
//! them as wide as the screen.

use plaza_core::insight::{Cell, Chart, Table};
use plotters::prelude::*;

// Small enough that a phone shrinks the text little, large enough for a desktop column.
const WIDTH: u32 = 520;
const HEIGHT: u32 = 260;
/// Room on the right for half of the last x label, which is centred on the plot's edge.
const RIGHT_MARGIN: u32 = 36;
const MARGIN: i32 = 12;
/// Height of a line of the legend.
const LEGEND_ROW: i32 = 20;
/// Where the legend starts: above the y axis.
const LEGEND_LEFT: i32 = MARGIN + 56;
/// Radius of the marker of a value with no neighbour to draw a line to.
const MARKER: u32 = 3;
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

fn series_color(k: usize) -> RGBColor {
    COLORS.get(k % COLORS.len()).copied().unwrap_or(BLACK)
}

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

fn value(row: &[Cell], i: usize) -> Option<f64> {
    row.get(i).and_then(Cell::as_f64)
}

/// The present values of one column as runs of consecutive rows: a line is drawn through each
/// run and never across a missing value, which is unknown rather than zero.
#[allow(clippy::cast_precision_loss)]
fn runs(rows: &[Vec<Cell>], column: usize) -> Vec<Vec<(f64, f64)>> {
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        match value(row, column) {
            Some(v) => current.push((i as f64, v)),
            None if current.is_empty() => {}
            None => runs.push(std::mem::take(&mut current)),
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
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
        .flat_map(|r| series.iter().filter_map(move |i| value(r, *i)))
        .fold(0.0_f64, f64::max);
    let mut svg = String::new();
    {
        let legend = LEGEND_ROW * i32::try_from(series.len()).unwrap_or(0);
        let height = HEIGHT + legend.unsigned_abs();
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let x_max = (n.max(2) - 1) as f64;
        let mut chart = ChartBuilder::on(&root)
            .margin(MARGIN)
            .margin_top(MARGIN + legend)
            .margin_right(RIGHT_MARGIN)
            .x_label_area_size(36)
            .y_label_area_size(LEGEND_LEFT - MARGIN)
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
            let color = series_color(k);
            for run in runs(&table.rows, *column) {
                if let [point] = run[..] {
                    chart.draw_series(std::iter::once(Circle::new(
                        point,
                        MARKER,
                        color.filled(),
                    )))?;
                } else {
                    chart.draw_series(LineSeries::new(run, color.stroke_width(2)))?;
                }
            }
        }
        // The legend sits above the plot, where it cannot hide a line.
        for (k, column) in series.iter().enumerate() {
            let color = series_color(k);
            let name = table.columns.get(*column).map_or("", |c| c.label);
            let top = MARGIN + LEGEND_ROW * i32::try_from(k).unwrap_or(0);
            root.draw(&PathElement::new(
                vec![(LEGEND_LEFT, top + 8), (LEGEND_LEFT + 18, top + 8)],
                color.stroke_width(2),
            ))?;
            root.draw(&Text::new(
                name,
                (LEGEND_LEFT + 26, top),
                (FONT, 14).into_font(),
            ))?;
        }
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
        .filter_map(|r| value(r, column))
        .fold(0.0_f64, f64::max);
    let height = 56 + 30 * u32::try_from(k).unwrap_or(10);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(MARGIN)
            .margin_right(RIGHT_MARGIN)
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
        // A row without a value gets no bar, not an empty one at zero.
        chart.draw_series(rows.iter().enumerate().filter_map(|(j, r)| {
            let y = (k - 1 - j) as f64;
            let v = value(r, column)?;
            Some(Rectangle::new(
                [(0.0, y - 0.35), (v, y + 0.35)],
                color.filled(),
            ))
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

    /// A day-by-day table of one measure, `None` where the day has no value.
    fn daily(values: &[Option<f64>]) -> Table {
        let mut t = Table::new(
            "t",
            "Replies",
            vec![col("day", "Day"), col("hours", "Hours")],
        )
        .charted(Chart::Lines {
            x: 0,
            series: vec![1],
            y_label: "hours",
        });
        for (i, v) in values.iter().enumerate() {
            t.rows.push(vec![
                Cell::from(format!("2026-12-{:02}", i + 1)),
                Cell::num(*v),
            ]);
        }
        t
    }

    /// The point lists of the polylines drawn in the first series' colour (the legend's sample
    /// included), as (x, y) pairs.
    fn lines_of_first_series(svg: &str) -> Vec<Vec<(f64, f64)>> {
        let RGBColor(r, g, b) = COLORS[0];
        let stroke = format!("stroke=\"#{r:02X}{g:02X}{b:02X}\"");
        svg.split("<polyline")
            .skip(1)
            .filter_map(|element| element.split("/>").next())
            .filter(|element| element.contains(&stroke))
            .map(|element| {
                let points = element
                    .split("points=\"")
                    .nth(1)
                    .and_then(|rest| rest.split('"').next())
                    .unwrap_or_default();
                points
                    .split_whitespace()
                    .filter_map(|pair| {
                        let (x, y) = pair.split_once(',')?;
                        Some((x.parse().ok()?, y.parse().ok()?))
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_missing_value_breaks_the_line_instead_of_dropping_to_zero() {
        let svg = draw(&daily(&[
            Some(1.0),
            Some(2.0),
            None,
            Some(3.0),
            Some(4.0),
            None,
            Some(5.0),
        ]))
        .unwrap_or_default();
        let lines = lines_of_first_series(&svg);
        // Two runs of two days and the legend's sample; no line runs through the gaps.
        assert_eq!(lines.len(), 3, "{lines:?} in {svg}");
        assert!(lines.iter().all(|l| l.len() == 2), "{lines:?}");
        // The last day stands alone: a marker, not a line.
        let RGBColor(r, g, b) = COLORS[0];
        let fill = format!("fill=\"#{r:02X}{g:02X}{b:02X}\"");
        let markers = svg
            .split("<circle")
            .skip(1)
            .filter_map(|element| element.split("/>").next())
            .filter(|element| element.contains(&fill))
            .count();
        assert_eq!(markers, 1, "{svg}");
        // Nothing is drawn at zero: no point lies below the first day's, the smallest value.
        // The legend's sample comes last, drawn after the series.
        let data: Vec<(f64, f64)> = lines[..2].iter().flatten().copied().collect();
        let first_day = data[0];
        assert!(data.iter().all(|p| p.1 <= first_day.1), "{data:?}");
    }

    #[test]
    fn a_series_with_no_value_still_has_its_legend_and_draws_no_line() {
        let svg = draw(&daily(&[None, None, None])).unwrap_or_default();
        assert!(svg.contains("Hours"), "{svg}");
        assert_eq!(lines_of_first_series(&svg).len(), 1, "{svg}");
    }
}
