//! The backlog of asynchronous operations over time, and the pace of the
//! runs that work it down: what the status page plots, and the arithmetic
//! of its plots.

use serde::{Deserialize, Serialize};

use crate::domain::jobs::{Job, JobRun};
use crate::domain::operation::stored_time_ms;
use crate::domain::status_page::StatusCounts;

/// The backlog as the P-job or the sync found it when a run started or
/// ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct BacklogSample {
    pub sampled_at: String,
    pub pending_upload: i64,
    pub pending_sync: i64,
    pub failed: i64,
}

impl BacklogSample {
    pub fn of(sampled_at: String, counts: &StatusCounts) -> BacklogSample {
        BacklogSample {
            sampled_at,
            pending_upload: counts.pending_upload,
            pending_sync: counts.pending_sync,
            failed: counts.failed,
        }
    }

    /// The three series, in the order the plot draws them.
    pub fn values(&self) -> [i64; 3] {
        [self.pending_upload, self.pending_sync, self.failed]
    }
}

/// The three series' names, in the order of `BacklogSample::values`.
pub const BACKLOG_SERIES: [&str; 3] = ["Pending upload", "Pending sync", "Failed"];

/// What the status page plots: the backlog at each recorded moment, oldest
/// first, and the latest finished runs of the P-job and of the sync,
/// oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacklogTrend {
    pub samples: Vec<BacklogSample>,
    pub runs: Vec<JobRun>,
    /// The backlog as the plots were read.
    pub now: BacklogSample,
}

/// The jobs that work the backlog down; each of their runs records the
/// backlog as it starts and as it ends.
pub const BACKLOG_JOBS: [Job; 2] = [Job::Upload, Job::SyncCustomers];

/// How many samples and runs the plots show.
pub const TREND_SAMPLES: u32 = 120;
pub const TREND_RUNS: u32 = 20;

/// The top of an axis for values up to `max`: 1, 2 or 5 times a power of
/// ten, so that its label is a round number. The plots count in whole
/// numbers: float formatting would add its code to the page's WASM.
pub fn axis_max(max: i64) -> i64 {
    let mut power = 1_i64;
    loop {
        for step in [1, 2, 5] {
            let top = step * power;
            if top >= max {
                return top;
            }
        }
        power = power.saturating_mul(10);
        if power == i64::MAX {
            return i64::MAX;
        }
    }
}

/// A plot's drawing area, in whole SVG units, and the ranges it maps onto
/// it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlotArea {
    pub width: i64,
    pub height: i64,
    pub x_from: i64,
    pub x_to: i64,
    pub y_max: i64,
}

impl PlotArea {
    pub fn x(&self, value: i64) -> i64 {
        let span = (self.x_to - self.x_from).max(1);
        scale(value - self.x_from, self.width, span).clamp(0, self.width)
    }

    /// Upwards from the bottom edge.
    pub fn y(&self, value: i64) -> i64 {
        self.height - scale(value, self.height, self.y_max.max(1)).clamp(0, self.height)
    }

    /// A polyline's `points` for `(x, y)` values, as a step line: a count
    /// holds its value until the next sample.
    pub fn step_points(&self, values: &[(i64, i64)]) -> String {
        let mut points = Vec::with_capacity(values.len() * 2);
        let mut previous_y = None;
        for &(x, y) in values {
            if let Some(previous_y) = previous_y {
                points.push(format!("{},{}", self.x(x), self.y(previous_y)));
            }
            points.push(format!("{},{}", self.x(x), self.y(y)));
            previous_y = Some(y);
        }
        points.join(" ")
    }
}

/// `value * size / span`, rounded, without overflowing.
fn scale(value: i64, size: i64, span: i64) -> i64 {
    let scaled = (i128::from(value) * i128::from(size) * 2 + i128::from(span)) / (2 * i128::from(span));
    i64::try_from(scaled).unwrap_or(if scaled < 0 { i64::MIN } else { i64::MAX })
}

/// The samples as plot points, time in ms since 1970; samples whose time
/// cannot be read are left out.
pub fn timed_samples(samples: &[BacklogSample]) -> Vec<(i64, [i64; 3])> {
    samples
        .iter()
        .filter_map(|sample| Some((stored_time_ms(&sample.sampled_at)?, sample.values())))
        .collect()
}

/// 5000 as "5,000".
pub fn format_count(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut grouped = String::new();
    if value < 0 {
        grouped.push('-');
    }
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_axis_ends_at_a_round_number_at_or_above_the_largest_value() {
        assert_eq!(axis_max(0), 1);
        assert_eq!(axis_max(1), 1);
        assert_eq!(axis_max(3), 5);
        assert_eq!(axis_max(10), 10);
        assert_eq!(axis_max(11), 20);
        assert_eq!(axis_max(4_482), 5_000);
        assert_eq!(axis_max(60_000), 100_000);
        assert_eq!(axis_max(i64::MAX), i64::MAX);
    }

    #[test]
    fn values_map_into_the_area_with_zero_at_the_bottom() {
        let area = PlotArea {
            width: 200,
            height: 100,
            x_from: 1_000,
            x_to: 3_000,
            y_max: 50,
        };
        assert_eq!(area.x(1_000), 0);
        assert_eq!(area.x(2_000), 100);
        assert_eq!(area.x(9_000), 200, "clamped to the area");
        assert_eq!(area.y(0), 100);
        assert_eq!(area.y(50), 0);
        assert_eq!(area.y(25), 50);
        assert_eq!(area.y(1), 98, "rounded");
    }

    #[test]
    fn a_step_line_holds_each_count_until_the_next_sample() {
        let area = PlotArea {
            width: 100,
            height: 10,
            x_from: 0,
            x_to: 100,
            y_max: 10,
        };
        assert_eq!(
            area.step_points(&[(0, 10), (50, 0), (100, 5)]),
            "0,0 50,0 50,10 100,10 100,5"
        );
        assert_eq!(area.step_points(&[]), "");
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(5_000), "5,000");
        assert_eq!(format_count(1_234_567), "1,234,567");
        assert_eq!(format_count(-1_234), "-1,234");
    }

    #[test]
    fn samples_without_a_readable_time_are_left_out() {
        let sample = |at: &str| BacklogSample {
            sampled_at: at.to_string(),
            pending_upload: 3,
            pending_sync: 2,
            failed: 1,
        };
        let timed = timed_samples(&[sample("1970-01-01T00:00:01.000Z"), sample("soon")]);
        assert_eq!(timed, vec![(1_000, [3, 2, 1])]);
    }
}
