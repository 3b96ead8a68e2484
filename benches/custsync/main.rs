//! `make bench`: measures custsync beside the raw SQLite work it does and
//! writes BENCHMARKS.md. Every figure is taken several times (median, min,
//! max) on data generated in a temporary directory; each baseline runs in
//! the same process, on the same machine, in the same run.
//!
//! `--smoke` runs every figure once on a few hundred rows and writes its
//! report to a temporary file: `make test` runs it so the benchmark cannot rot.

mod baseline;
mod chain_load;
// The tests' HTTP client, shared so that both measure the same way.
#[path = "../../tests/common/client.rs"]
#[allow(dead_code, reason = "the tests use the parts the bench does not")]
mod client;
mod data;
mod http_load;
mod machine;
mod orders_run;
mod report;
mod status_page;
mod sync_run;
// The chain test's scale-unit processes, started the same way.
#[path = "../../tests/common/unit_process.rs"]
mod unit_process;
mod wasm_size;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use report::Figure;

/// What to measure and how much of it.
#[derive(Debug, Clone)]
pub struct Options {
    pub smoke: bool,
    pub runs: usize,
    pub load_duration: Duration,
    pub clients: usize,
    pub operations: usize,
    /// Operations in HQ for the status page figure.
    pub status_rows: usize,
    pub output: PathBuf,
    /// The release build's package folder (`target/site/pkg`).
    pub site_pkg: PathBuf,
    pub command: String,
    /// A PostgreSQL server (`postgres://user@host:port`, no database) on
    /// which the P-job and the sync are measured a second time with HQ on
    /// PostgreSQL: `CUSTSYNC_TEST_POSTGRES_URL`, which `.ci/postgres run`
    /// sets (`make bench` runs the bench under it).
    pub postgres: Option<String>,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options, String> {
        let smoke = args.iter().any(|arg| arg == "--smoke");
        let mut options = Options {
            smoke,
            runs: if smoke { 1 } else { 3 },
            load_duration: Duration::from_secs(if smoke { 1 } else { 30 }),
            clients: 32,
            operations: if smoke { 300 } else { 100_000 },
            status_rows: if smoke { 2_000 } else { 10_000_000 },
            output: if smoke {
                std::env::temp_dir().join("custsync-bench-smoke.md")
            } else {
                PathBuf::from("BENCHMARKS.md")
            },
            site_pkg: PathBuf::from("target/site/pkg"),
            command: bench_command(args),
            postgres: std::env::var("CUSTSYNC_TEST_POSTGRES_URL").ok(),
        };
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            let mut value = |name: &str| {
                rest.next()
                    .cloned()
                    .ok_or_else(|| format!("{name} needs a value"))
            };
            match arg.as_str() {
                "--runs" => options.runs = number(&value("--runs")?)?,
                "--seconds" => options.load_duration = Duration::from_secs(number(&value("--seconds")?)?),
                "--clients" => options.clients = number(&value("--clients")?)?,
                "--operations" => options.operations = number(&value("--operations")?)?,
                "--status-rows" => options.status_rows = number(&value("--status-rows")?)?,
                "--output" => options.output = PathBuf::from(value("--output")?),
                "--site-pkg" => options.site_pkg = PathBuf::from(value("--site-pkg")?),
                // `cargo bench` adds --bench; `--smoke` was read above.
                "--bench" | "--smoke" => {}
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        if options.runs == 0 || options.clients == 0 || options.operations == 0 || options.status_rows == 0 {
            return Err("--runs, --clients, --operations and --status-rows must be above 0".to_string());
        }
        Ok(options)
    }
}

/// The command as a user types it (`cargo bench` adds `--bench` itself).
fn bench_command(args: &[String]) -> String {
    let own: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|arg| *arg != "--bench")
        .collect();
    if own.is_empty() {
        "cargo bench --features ssr --bench custsync".to_string()
    } else {
        format!("cargo bench --features ssr --bench custsync -- {}", own.join(" "))
    }
}

fn number<T: std::str::FromStr>(text: &str) -> Result<T, String> {
    text.parse().map_err(|_| format!("{text:?} is not a number"))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, dir, hq, batch, ..] = args.as_slice()
        && flag == sync_run::CHILD_FLAG
    {
        return sync_run::child(dir, hq, batch);
    }
    let options = match Options::parse(&args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("bench: {message}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(options: &Options) -> Result<(), String> {
    custsync::server::allocator::return_freed_memory_soon();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| error.to_string())?;
    let mut figures: Vec<Figure> = Vec::new();
    eprintln!("bench: Add customer over HTTP, {} clients", options.clients);
    figures.extend(runtime.block_on(http_load::measure(options))?);
    let one_process = figures
        .iter()
        .find(|figure| figure.name() == http_load::CREATES_PER_SECOND)
        .and_then(report::Figure::median);
    eprintln!("bench: Add customer over HTTP on three scale-unit processes");
    figures.extend(runtime.block_on(chain_load::measure(options, one_process))?);
    eprintln!("bench: P-job + sync of {} creates", options.operations);
    figures.extend(sync_run::measure(options, &runtime)?);
    eprintln!(
        "bench: P-job + Synchronize orders of {} sales to pending customers",
        options.operations
    );
    figures.extend(orders_run::measure(options, &runtime)?);
    eprintln!("bench: status page over {} operations", options.status_rows);
    figures.extend(runtime.block_on(status_page::measure(options))?);
    figures.extend(wasm_size::measure(&options.site_pkg));
    report::write(options, &figures)?;
    eprintln!("bench: wrote {}", options.output.display());
    if options.smoke {
        report::check_smoke(&figures)?;
    }
    Ok(())
}
