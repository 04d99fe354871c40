//! The span an insight page covers: the last 7, 30 or 90 UTC days, or a range of UTC days, cut
//! into days (or weeks for long spans), and the span of the same length just before it.

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use plaza_db::insight::Window;

use crate::{CoreError, CoreResult};

/// The spans offered as shortcuts, in days.
pub const PRESETS: [i64; 3] = [7, 30, 90];

/// The longest range one may ask for, in days.
pub const MAX_DAYS: i64 = 366;

/// Spans longer than this are shown per week.
const DAILY_UP_TO: i64 = 31;

/// How a span is cut for the charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// One UTC day.
    Day,
    /// Seven UTC days from the span's first day (the last one may be shorter).
    Week,
}

impl Bucket {
    /// `day` or `week`.
    pub fn as_str(self) -> &'static str {
        match self {
            Bucket::Day => "day",
            Bucket::Week => "week",
        }
    }

    /// How many days one bucket covers.
    pub fn days(self) -> i64 {
        match self {
            Bucket::Day => 1,
            Bucket::Week => 7,
        }
    }
}

/// Whole UTC days, `first` to `last` included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// First day.
    pub first: NaiveDate,
    /// Last day (included).
    pub last: NaiveDate,
    /// How the charts cut it.
    pub bucket: Bucket,
}

/// What the caller asked for, as received.
#[derive(Debug, Clone, Default)]
pub struct PeriodQuery {
    /// 7, 30 or 90: the last so many days, today included.
    pub days: Option<i64>,
    /// First day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (included).
    pub to: Option<String>,
}

fn parse_day(field: &'static str, raw: &str) -> CoreResult<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| CoreError::invalid(field, "expected a date as YYYY-MM-DD"))
}

impl Period {
    /// The period a query asks for, with today's UTC date; the last 30 days when it asks for
    /// none.
    pub fn from_query(q: &PeriodQuery, today: NaiveDate) -> CoreResult<Self> {
        let (first, last) = match (q.days, q.from.as_deref(), q.to.as_deref()) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                return Err(CoreError::invalid(
                    "days",
                    "give either days or from and to, not both",
                ));
            }
            (days, None, None) => {
                let days = days.unwrap_or(30);
                if !PRESETS.contains(&days) {
                    return Err(CoreError::invalid("days", "must be 7, 30 or 90"));
                }
                (today - TimeDelta::days(days - 1), today)
            }
            (None, Some(from), Some(to)) => (parse_day("from", from)?, parse_day("to", to)?),
            (None, Some(_), None) => {
                return Err(CoreError::invalid("to", "a range needs both from and to"));
            }
            (None, None, Some(_)) => {
                return Err(CoreError::invalid("from", "a range needs both from and to"));
            }
        };
        if last < first {
            return Err(CoreError::invalid("to", "must not be before from"));
        }
        if last > today {
            return Err(CoreError::invalid("to", "must not be after today (UTC)"));
        }
        let days = (last - first).num_days() + 1;
        if days > MAX_DAYS {
            return Err(CoreError::invalid(
                "from",
                format!("a range covers at most {MAX_DAYS} days"),
            ));
        }
        Ok(Self::new(first, last))
    }

    /// The days `first` to `last`, cut by day or by week according to their number.
    pub fn new(first: NaiveDate, last: NaiveDate) -> Self {
        let days = (last - first).num_days() + 1;
        let bucket = if days > DAILY_UP_TO {
            Bucket::Week
        } else {
            Bucket::Day
        };
        Self {
            first,
            last,
            bucket,
        }
    }

    /// How many days it covers.
    pub fn days(&self) -> i64 {
        (self.last - self.first).num_days() + 1
    }

    /// The span of the same length just before, cut the same way.
    pub fn previous(&self) -> Self {
        let days = TimeDelta::days(self.days());
        Self {
            first: self.first - days,
            last: self.last - days,
            bucket: self.bucket,
        }
    }

    /// Its start, midnight UTC of the first day.
    pub fn start(&self) -> NaiveDateTime {
        self.first.and_time(chrono::NaiveTime::MIN)
    }

    /// Midnight UTC after the last day.
    pub fn end(&self) -> NaiveDateTime {
        (self.last + TimeDelta::days(1)).and_time(chrono::NaiveTime::MIN)
    }

    /// The rows' window over it.
    pub fn window(&self, group_id: Option<i64>) -> Window {
        Window {
            from: self.start(),
            to: self.end(),
            group_id,
        }
    }

    /// The first day of each bucket.
    pub fn buckets(&self) -> Vec<NaiveDate> {
        let step = self.bucket.days();
        let n = (self.days() + step - 1) / step;
        (0..n)
            .map(|i| self.first + TimeDelta::days(i * step))
            .collect()
    }

    /// The bucket an instant falls in, if it falls in the period.
    pub fn bucket_of(&self, at: NaiveDateTime) -> Option<usize> {
        self.bucket_of_day(at.date())
    }

    /// The bucket a day falls in, if it falls in the period.
    pub fn bucket_of_day(&self, day: NaiveDate) -> Option<usize> {
        if day < self.first || day > self.last {
            return None;
        }
        usize::try_from((day - self.first).num_days() / self.bucket.days()).ok()
    }

    /// Its days, for the daily counts.
    pub fn days_window(&self, group_id: Option<i64>) -> plaza_db::insight::Days {
        plaza_db::insight::Days {
            first: self.first,
            last: self.last,
            group_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn q(days: Option<i64>, from: Option<&str>, to: Option<&str>) -> PeriodQuery {
        PeriodQuery {
            days,
            from: from.map(str::to_owned),
            to: to.map(str::to_owned),
        }
    }

    #[test]
    fn the_last_days_end_today_and_the_previous_span_ends_the_day_before() {
        let today = day("2026-03-10");
        let p =
            Period::from_query(&q(Some(7), None, None), today).unwrap_or(Period::new(today, today));
        assert_eq!((p.first, p.last), (day("2026-03-04"), today));
        assert_eq!(p.bucket, Bucket::Day);
        assert_eq!(p.buckets().len(), 7);
        let prev = p.previous();
        assert_eq!(
            (prev.first, prev.last),
            (day("2026-02-25"), day("2026-03-03"))
        );
    }

    #[test]
    fn long_spans_are_cut_into_weeks_with_a_shorter_last_one() {
        let today = day("2026-03-31");
        let p = Period::from_query(&q(Some(90), None, None), today)
            .unwrap_or(Period::new(today, today));
        assert_eq!(p.bucket, Bucket::Week);
        assert_eq!(p.buckets().len(), 13);
        assert_eq!(p.bucket_of(p.end() - TimeDelta::seconds(1)), Some(12));
        assert_eq!(p.bucket_of(p.start()), Some(0));
        assert_eq!(p.bucket_of(p.end()), None);
        assert_eq!(p.bucket_of(p.start() - TimeDelta::seconds(1)), None);
    }

    #[test]
    fn odd_periods_are_refused_with_the_field_named() {
        let today = day("2026-03-31");
        let refused = |query: PeriodQuery, field: &str| match Period::from_query(&query, today) {
            Err(CoreError::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("expected {field} refused, got {other:?}"),
        };
        refused(q(Some(8), None, None), "days");
        refused(q(Some(0), None, None), "days");
        refused(q(Some(7), Some("2026-03-01"), None), "days");
        refused(q(None, Some("2026-03-01"), None), "to");
        refused(q(None, None, Some("2026-03-01")), "from");
        refused(q(None, Some("March"), Some("2026-03-01")), "from");
        refused(q(None, Some("2026-03-05"), Some("2026-03-01")), "to");
        refused(q(None, Some("2026-03-05"), Some("2026-04-01")), "to");
        refused(q(None, Some("2024-01-01"), Some("2026-03-01")), "from");
        let one = Period::from_query(&q(None, Some("2026-03-05"), Some("2026-03-05")), today);
        assert!(matches!(one, Ok(p) if p.days() == 1));
    }
}
