//! What an insight page shows, independent of how it is shown: named tables of plain values,
//! some with a chart drawn from their columns. The page, the JSON and the CSV export all come
//! from the same tables, so their numbers cannot disagree.

/// One value of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A count.
    Int(i64),
    /// A measure (hours, a share in percent), rounded to two decimals.
    Num(f64),
    /// A name, a date, a URL.
    Text(String),
    /// No value (a median of nothing).
    Empty,
}

impl Cell {
    /// A measure rounded to two decimals, or empty.
    pub fn num(value: Option<f64>) -> Self {
        match value {
            Some(v) if v.is_finite() => Cell::Num((v * 100.0).round() / 100.0),
            _ => Cell::Empty,
        }
    }

    /// The value as a number, for charts (text and empty have none).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            #[allow(clippy::cast_precision_loss)]
            Cell::Int(n) => Some(*n as f64),
            Cell::Num(v) => Some(*v),
            Cell::Text(_) | Cell::Empty => None,
        }
    }

    /// The value as text, as the CSV and the page write it.
    pub fn text(&self) -> String {
        match self {
            Cell::Int(n) => n.to_string(),
            Cell::Num(v) => v.to_string(),
            Cell::Text(s) => s.clone(),
            Cell::Empty => String::new(),
        }
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Int(n)
    }
}

impl From<usize> for Cell {
    fn from(n: usize) -> Self {
        Cell::Int(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

/// A column: its key (JSON, CSV header) and its label (the page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// `snake_case`, stable.
    pub key: &'static str,
    /// For people.
    pub label: &'static str,
}

/// Shorthand for a column.
pub const fn col(key: &'static str, label: &'static str) -> Column {
    Column { key, label }
}

/// How a table is drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chart {
    /// Lines over time: `x` is the column of the bucket's first day, `series` the columns drawn.
    Lines {
        /// Column index of the x labels.
        x: usize,
        /// Column indexes of the lines.
        series: Vec<usize>,
        /// What the y axis measures.
        y_label: &'static str,
    },
    /// Horizontal bars, one per row (the first rows only): `label` names the bar, `value` is its
    /// length.
    Bars {
        /// Column index of the names.
        label: usize,
        /// Column index of the values.
        value: usize,
    },
}

/// A named table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Its id in URLs, JSON and file names.
    pub id: &'static str,
    /// Its heading.
    pub title: &'static str,
    /// What its numbers mean, in a sentence.
    pub note: &'static str,
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
    /// The chart drawn from it, if any.
    pub chart: Option<Chart>,
}

impl Table {
    /// An empty table.
    pub fn new(id: &'static str, title: &'static str, columns: Vec<Column>) -> Self {
        Self {
            id,
            title,
            note: "",
            columns,
            rows: Vec::new(),
            chart: None,
        }
    }

    /// With an explanation.
    pub fn noting(mut self, note: &'static str) -> Self {
        self.note = note;
        self
    }

    /// With a chart.
    pub fn charted(mut self, chart: Chart) -> Self {
        self.chart = Some(chart);
        self
    }

    /// Index of a column by key.
    pub fn column(&self, key: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.key == key)
    }
}
