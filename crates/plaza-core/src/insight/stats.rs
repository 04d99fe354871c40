//! Medians and percentiles of durations, computed here because the two SQL dialects disagree on
//! them.

/// The `p`-th percentile (0–100) of the values, by the nearest-rank method: the smallest value
/// with at least `p` percent of the values at or below it. `None` for no values.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    #[allow(clippy::cast_precision_loss)]
    let n = sorted.len() as f64;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let rank = ((p / 100.0) * n).ceil().max(1.0) as usize;
    sorted.get(rank.min(sorted.len()) - 1).copied()
}

/// Median and 90th percentile of unsorted values.
pub fn median_p90(mut values: Vec<f64>) -> (Option<f64>, Option<f64>) {
    values.sort_by(f64::total_cmp);
    (percentile(&values, 50.0), percentile(&values, 90.0))
}

/// Seconds as hours.
#[allow(clippy::cast_precision_loss)]
pub fn hours(seconds: i64) -> f64 {
    seconds as f64 / 3600.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles_pick_a_value_that_exists() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert_eq!(percentile(&v, 50.0), Some(5.0));
        assert_eq!(percentile(&v, 90.0), Some(9.0));
        assert_eq!(percentile(&v, 100.0), Some(10.0));
        assert_eq!(percentile(&[4.0], 90.0), Some(4.0));
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(median_p90(vec![3.0, 1.0, 2.0]), (Some(2.0), Some(3.0)));
    }
}
