//! Figures, their summaries, and BENCHMARKS.md.

use std::time::Duration;

use crate::{Options, machine};

/// Everything after this heading in BENCHMARKS.md is kept as it is: the
/// record of what was measured before and after each fix.
const HISTORY_HEADING: &str = "## Before and after";

#[derive(Debug, Clone)]
enum Goal {
    None,
    AtLeast(f64),
    AtMost(f64),
}

/// One measured figure: its samples, one per run, and the baseline's median.
#[derive(Debug, Clone)]
pub struct Figure {
    name: String,
    target: String,
    goal: Goal,
    samples: Vec<f64>,
    baseline: Option<f64>,
}

impl Figure {
    pub fn new(name: &str, target: &str, samples: Vec<f64>) -> Figure {
        Figure {
            name: name.to_string(),
            target: target.to_string(),
            goal: Goal::None,
            samples,
            baseline: None,
        }
    }

    pub fn higher_is_better(mut self, at_least: f64) -> Figure {
        self.goal = Goal::AtLeast(at_least);
        self
    }

    pub fn lower_is_better(mut self, at_most: f64) -> Figure {
        self.goal = Goal::AtMost(at_most);
        self
    }

    pub fn with_baseline(mut self, baseline: f64) -> Figure {
        self.baseline = Some(baseline);
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The median of the runs; none when nothing was measured.
    pub fn median(&self) -> Option<f64> {
        (!self.samples.is_empty()).then(|| Summary::of(&self.samples).median)
    }

    /// Whether the median meets the target; none when there is no target
    /// or nothing was measured.
    pub fn met(&self) -> Option<bool> {
        let median = (!self.samples.is_empty()).then(|| Summary::of(&self.samples).median)?;
        match self.goal {
            Goal::None => None,
            Goal::AtLeast(limit) => Some(median >= limit),
            Goal::AtMost(limit) => Some(median <= limit),
        }
    }

    fn row(&self) -> String {
        if self.samples.is_empty() {
            return format!("| {} | {} | not measured | | | | | |", self.name, self.target);
        }
        let summary = Summary::of(&self.samples);
        let (baseline, ratio) = match self.baseline {
            Some(baseline) if baseline != 0.0 => {
                (number(baseline), format!("{:.2}", summary.median / baseline))
            }
            _ => (String::new(), String::new()),
        };
        let met = match self.met() {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "",
        };
        format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            self.name,
            self.target,
            number(summary.median),
            number(summary.min),
            number(summary.max),
            baseline,
            ratio,
            met
        )
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Summary {
    pub fn of(values: &[f64]) -> Summary {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let middle = sorted.len() / 2;
        let median = match sorted.len() {
            0 => 0.0,
            n if n % 2 == 0 => (sorted[middle - 1] + sorted[middle]) / 2.0,
            _ => sorted[middle],
        };
        Summary {
            median,
            min: sorted.first().copied().unwrap_or(0.0),
            max: sorted.last().copied().unwrap_or(0.0),
        }
    }
}

/// The `fraction` percentile (0.99 for p99) of some latencies.
pub fn percentile(latencies: &[Duration], fraction: f64) -> Duration {
    let mut sorted = latencies.to_vec();
    sorted.sort();
    let index = ((sorted.len() as f64 * fraction).ceil() as usize).saturating_sub(1);
    sorted.get(index).copied().unwrap_or_default()
}

fn number(value: f64) -> String {
    if value.abs() >= 100.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

pub fn write(options: &Options, figures: &[Figure]) -> Result<(), String> {
    let history = std::fs::read_to_string(&options.output)
        .ok()
        .and_then(|old| old.find(HISTORY_HEADING).map(|at| old[at..].to_string()))
        .unwrap_or_else(|| format!("{HISTORY_HEADING}\n"));
    let rows: Vec<String> = figures.iter().map(Figure::row).collect();
    let text = format!(
        "# Benchmarks\n\n\
         Written by `make bench`, which runs `{command}` after `make release`, the release build of the site.\n\n\
         - Date: {date}\n\
         - Machine: {machine}\n\
         - Each figure is the median of {runs} run(s), with the smallest and largest run beside it.\n\
         - Floors and baselines, measured in the same run. The HTTP floor: the same server and clients \
           calling a server function that only reads the session and answers (the Add customer row's \
           baseline). The SQLite floors are bare loops over one connection through SQLite's own API \
           (`rusqlite`, each statement prepared once, no async runtime or worker thread between a statement \
           and the library), with the app's pragmas (WAL, `synchronous=FULL`, foreign keys), on the app's \
           schema with its indexes and triggers. The group-commit floor: a create's rows (customer, address, \
           contact) in transactions of the writer's group size; the same loop one create a transaction is \
           the p99 row's baseline. The P-job + sync's bulk floor: the uploaded copy, the customer with its \
           address and contact, and the completed flag, in transactions of the jobs' batch size. For each of \
           the status page's pages, HQ's queries of the page bare: its 51 rows (the app's columns and joins) \
           and its counts per status, each row's p50 and p99 beside the same percentile of those queries; for the CSV export, its reads \
           bare (every operation in the export's pages of 1,000 by their keyset, the first page's time beside \
           the first byte). For \
           the chain of three scale units, the one-process Add customer figure of the same run.\n\
         - Add customer: {clients} clients, each on a keep-alive connection, posting to the real \
           `create_customer` server function for {seconds} s per run; a customer has 1 address and 1 contact.\n\
         - WASM: the release build (`make release`) is split per page (`--split`). A page loads the shell and \
           the chunks its lazy view needs, each a file of its own. What a page fetches after it has shown \
           itself (the customer forms and New sale's fields, which open on a click, and the POS's outbox, which reads and sends \
           what the browser keeps) is not in a page's figure; the POS with its outbox and the customer \
           editor opened has a line of its own. The figures add up the compressed copies of \
           those files the server sends: the `.gz` copies zopfli wrote, for every browser, and the `.br` \
           copies, for browsers that accept brotli. Sizes are in KiB (1,024 bytes), the unit the WASM targets are \
           read in; memory in MiB.\n\n\
         | figure | target | median | min | max | baseline | app / baseline | met |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- |\n\
         {rows}\n\n\
         {history}",
        command = options.command,
        date = machine::now(),
        machine = machine::describe(),
        runs = options.runs,
        clients = options.clients,
        seconds = options.load_duration.as_secs(),
        rows = rows.join("\n"),
    );
    std::fs::write(&options.output, text).map_err(|error| format!("{}: {error}", options.output.display()))
}

/// The smoke run's check: every figure was measured, and nothing was lost
/// or failed (speed targets do not apply to a few hundred rows).
pub fn check_smoke(figures: &[Figure]) -> Result<(), String> {
    for figure in figures {
        let must_be_zero = figure.name.contains("errors") || figure.name.contains("missing");
        let summary = Summary::of(&figure.samples);
        if must_be_zero && summary.max != 0.0 {
            return Err(format!("{}: {}", figure.name, summary.max));
        }
    }
    Ok(())
}
