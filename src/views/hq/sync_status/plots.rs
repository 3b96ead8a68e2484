//! The status page's plots, drawn by the server: the backlog over time
//! (pending upload, pending sync, failed), and the pace of the latest P-job
//! and sync runs. SVG from what HQ records, each with its figures as a table
//! beside it. The browser receives them as HTML (`trend`), so the drawing
//! code is not part of the page's WASM.

use leptos::prelude::*;

use crate::domain::backlog::{
    BACKLOG_SERIES, BacklogSample, BacklogTrend, PlotArea, axis_max, format_count, timed_samples,
};
use crate::domain::jobs::{Job, JobRun, seconds_text};
use crate::domain::operation::display_time;

use super::trend::{DrawnPlot, DrawnPlots};

/// Both plots, drawn from what HQ records.
pub fn draw(trend: BacklogTrend) -> DrawnPlots {
    DrawnPlots {
        backlog: draw_backlog(trend.samples, trend.now),
        throughput: draw_throughput(trend.runs),
    }
}

/// The SVG's size, in its own units; the page scales it to its width.
const WIDTH: i64 = 640;
const HEIGHT: i64 = 180;
/// Room for the value labels on the left and the time labels below.
const LEFT: i64 = 56;
const BOTTOM: i64 = 22;
const TOP: i64 = 8;

/// The series' CSS classes, in the order of `BACKLOG_SERIES`.
const SERIES_CLASSES: [&str; 3] = ["pending-upload", "pending-sync", "failed"];

/// Nothing before HQ has recorded a sample.
fn draw_backlog(mut samples: Vec<BacklogSample>, now: BacklogSample) -> Option<DrawnPlot> {
    samples.push(now);
    let timed = timed_samples(&samples);
    let (first, last) = (timed.first()?, timed.last()?);
    let highest = timed.iter().flat_map(|(_, values)| *values).max().unwrap_or(0);
    let area = PlotArea {
        width: WIDTH - LEFT,
        height: HEIGHT - BOTTOM - TOP,
        x_from: first.0,
        x_to: last.0.max(first.0 + 1),
        y_max: axis_max(highest),
    };
    let lines = (0..BACKLOG_SERIES.len())
        .map(|series| {
            let points: Vec<(i64, i64)> = timed.iter().map(|(at, values)| (*at, values[series])).collect();
            view! {
                <polyline class=format!("series {}", SERIES_CLASSES[series]) points=area.step_points(&points) />
            }
        })
        .collect_view();
    let latest = samples.last().map(BacklogSample::values).unwrap_or_default();
    let from = display_time(&samples[0].sampled_at);
    let summary = format!(
        "Backlog from {from} to {}: now {} pending upload, {} pending sync, {} failed; at most {highest}.",
        display_time(&samples[samples.len() - 1].sampled_at),
        latest[0],
        latest[1],
        latest[2],
    );
    let picture = view! {
        <ul class="legend">
            {(0..BACKLOG_SERIES.len())
                .map(|series| view! {
                    <li class=SERIES_CLASSES[series]>{format!("{}: {}", BACKLOG_SERIES[series], latest[series])}</li>
                })
                .collect_view()}
        </ul>
        <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=summary>
            <Axes area from to="now".to_string() />
            <g transform=format!("translate({LEFT},{TOP})")>{lines}</g>
        </svg>
    }
    .to_html();
    let table = view! { <BacklogTable samples /> }.to_html();
    Some(DrawnPlot { picture, table })
}

/// The value axis (0 and its top) and the time axis (first and last time).
#[component]
fn Axes(area: PlotArea, from: String, to: String) -> impl IntoView {
    let bottom = TOP + area.height;
    view! {
        <g class="axes" aria-hidden="true">
            <line x1=LEFT y1=TOP x2=LEFT y2=bottom />
            <line x1=LEFT y1=bottom x2=WIDTH y2=bottom />
            <line class="grid" x1=LEFT y1=TOP x2=WIDTH y2=TOP />
            <text x=LEFT - 6 y=TOP + 4 text-anchor="end">{format_count(area.y_max)}</text>
            <text x=LEFT - 6 y=bottom text-anchor="end">"0"</text>
            <text x=LEFT y=HEIGHT - 4>{from}</text>
            <text x=WIDTH y=HEIGHT - 4 text-anchor="end">{to}</text>
        </g>
    }
}

#[component]
fn BacklogTable(samples: Vec<BacklogSample>) -> impl IntoView {
    view! {
        <table>
            <caption>"Backlog"</caption>
            <thead>
                <tr>
                    <th scope="col">"Time"</th>
                    {BACKLOG_SERIES.map(|name| view! { <th scope="col">{name}</th> })}
                </tr>
            </thead>
            <tbody>
                {samples
                    .into_iter()
                    .rev()
                    .map(|sample| {
                        let values = sample.values();
                        view! {
                            <tr>
                                <td>{display_time(&sample.sampled_at)}</td>
                                {values.map(|value| view! { <td>{value}</td> })}
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// The latest runs' rows per second, a bar each, the P-job's and the sync's
/// in their own colours. Nothing before either has moved a row.
fn draw_throughput(runs: Vec<JobRun>) -> Option<DrawnPlot> {
    let paced: Vec<(JobRun, i64)> = runs
        .into_iter()
        .filter_map(|run| run.rows_per_second().map(|pace| (run, pace)))
        .filter(|(run, _)| run.rows_done > 0)
        .collect();
    if paced.is_empty() {
        return None;
    }
    let fastest = paced.iter().map(|(_, pace)| *pace).max().unwrap_or(0);
    let area = PlotArea {
        width: WIDTH - LEFT,
        height: HEIGHT - BOTTOM - TOP,
        x_from: 0,
        x_to: paced.len() as i64,
        y_max: axis_max(fastest),
    };
    let bars = paced
        .iter()
        .enumerate()
        .map(|(index, (run, pace))| {
            let top = area.y(*pace);
            let label = run_label(run, *pace);
            let (left, right) = (area.x(index as i64), area.x(index as i64 + 1));
            let gap = (right - left) / 6;
            view! {
                <rect
                    class=format!("bar {}", job_class(&run.job))
                    x=left + gap
                    y=top
                    width=(right - left - 2 * gap).max(1)
                    height=area.height - top
                >
                    <title>{label}</title>
                </rect>
            }
        })
        .collect_view();
    let first = paced
        .first()
        .map(|(run, _)| run.started_at.clone())
        .unwrap_or_default();
    let last = paced
        .last()
        .map(|(run, _)| run.started_at.clone())
        .unwrap_or_default();
    let summary = format!(
        "Rows per second of the last {} runs of the P-job and the sync; the fastest {}.",
        paced.len(),
        format_count(fastest)
    );
    let picture = view! {
        <ul class="legend">
            <li class="upload">{Job::Upload.name()}</li>
            <li class="sync">{Job::SyncCustomers.name()}</li>
        </ul>
        <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=summary>
            <Axes area from=display_time(&first) to=display_time(&last) />
            <g transform=format!("translate({LEFT},{TOP})")>{bars}</g>
        </svg>
    }
    .to_html();
    let table = view! { <ThroughputTable paced /> }.to_html();
    Some(DrawnPlot { picture, table })
}

fn job_class(code: &str) -> &'static str {
    if code == Job::Upload.code() {
        "upload"
    } else {
        "sync"
    }
}

fn job_name(code: &str) -> &'static str {
    Job::from_code(code).map_or("Job", Job::name)
}

/// "Run 12, P-0001: 4,500 rows in 1.2 s (3,750 rows/s)".
fn run_label(run: &JobRun, pace: i64) -> String {
    format!(
        "Run {}, {}: {} rows in {} s ({} rows/s)",
        run.run_id,
        job_name(&run.job),
        format_count(run.rows_done),
        seconds_text(run.duration_ms().unwrap_or(0)),
        format_count(pace)
    )
}

#[component]
fn ThroughputTable(paced: Vec<(JobRun, i64)>) -> impl IntoView {
    view! {
        <table>
            <caption>"Throughput"</caption>
            <thead>
                <tr>
                    <th scope="col">"Run"</th>
                    <th scope="col">"Job"</th>
                    <th scope="col">"Started"</th>
                    <th scope="col">"Rows"</th>
                    <th scope="col">"Seconds"</th>
                    <th scope="col">"Rows per second"</th>
                </tr>
            </thead>
            <tbody>
                {paced
                    .into_iter()
                    .rev()
                    .map(|(run, pace)| {
                        view! {
                            <tr>
                                <td>{run.run_id}</td>
                                <td>{job_name(&run.job)}</td>
                                <td>{display_time(&run.started_at)}</td>
                                <td>{run.rows_done}</td>
                                <td>{seconds_text(run.duration_ms().unwrap_or(0))}</td>
                                <td>{format_count(pace)}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(sampled_at: &str, values: [i64; 3]) -> BacklogSample {
        BacklogSample {
            sampled_at: sampled_at.to_string(),
            pending_upload: values[0],
            pending_sync: values[1],
            failed: values[2],
        }
    }

    fn run(run_id: i64, job: Job, rows_done: i64) -> JobRun {
        JobRun {
            run_id,
            job: job.code().to_string(),
            trigger: "Run now".to_string(),
            started_at: "2026-12-05T10:00:00.000Z".to_string(),
            ended_at: Some("2026-12-05T10:00:02.000Z".to_string()),
            rows_total: rows_done,
            rows_done,
            succeeded: rows_done,
            failed: 0,
            outcome: "Succeeded".to_string(),
            message: None,
            scale_unit: None,
        }
    }

    #[test]
    fn the_backlog_is_drawn_with_its_summary_and_a_row_a_sample() {
        let plots = draw(BacklogTrend {
            samples: vec![sample("2026-12-05T10:00:00.000Z", [3, 0, 0])],
            runs: Vec::new(),
            now: sample("2026-12-05T10:05:00.000Z", [0, 2, 1]),
        });
        let backlog = plots.backlog.expect("a backlog plot");
        assert!(backlog.picture.contains(r#"role="img""#), "{}", backlog.picture);
        assert!(
            backlog.picture.contains(
                "Backlog from 2026-12-05 10:00:00 UTC to 2026-12-05 10:05:00 UTC: now 0 pending upload, \
                 2 pending sync, 1 failed; at most 3."
            ),
            "{}",
            backlog.picture
        );
        assert!(backlog.picture.contains("Failed: 1"), "{}", backlog.picture);
        assert_eq!(backlog.table.matches("<tr>").count(), 3, "{}", backlog.table);
        assert!(
            backlog.table.contains("<caption>Backlog</caption>"),
            "{}",
            backlog.table
        );
    }

    #[test]
    fn the_throughput_waits_for_a_run_that_moved_rows() {
        let idle = draw(BacklogTrend {
            samples: Vec::new(),
            runs: vec![run(1, Job::Upload, 0)],
            now: sample("2026-12-05T10:05:00.000Z", [0, 0, 0]),
        });
        assert_eq!(idle.throughput, None);

        let busy = draw(BacklogTrend {
            samples: Vec::new(),
            runs: vec![run(1, Job::Upload, 4_500), run(2, Job::SyncCustomers, 3_000)],
            now: sample("2026-12-05T10:05:00.000Z", [0, 0, 0]),
        });
        let throughput = busy.throughput.expect("a throughput plot");
        assert_eq!(
            throughput.picture.matches("<rect").count(),
            2,
            "{}",
            throughput.picture
        );
        assert!(
            throughput
                .picture
                .contains("Run 1, P-job (upload channel transactions): 4,500 rows in 2.0 s (2,250 rows/s)"),
            "{}",
            throughput.picture
        );
        assert_eq!(
            throughput.table.matches("<tr>").count(),
            3,
            "{}",
            throughput.table
        );
    }
}
