//! The machine and the time a report was written on.

use std::process::Command;

/// Cores, processor and memory, from Linux's /proc.
pub fn describe() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_else(|| "unknown processor".to_string());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_gib = meminfo
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    format!("{cores} cores ({model}), {memory_gib:.1} GiB memory")
}

/// The current UTC time, as `date` prints it.
pub fn now() -> String {
    Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .ok()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_string())
        .filter(|date| !date.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

/// A memory figure of this process from Linux's /proc/self/status, in MiB:
/// `VmRSS` (resident now) or `VmHWM` (its peak).
pub fn process_memory_mb(field: &str) -> Result<f64, String> {
    let status = std::fs::read_to_string("/proc/self/status").map_err(|error| error.to_string())?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .ok_or_else(|| format!("no {field} in /proc/self/status"))
}

/// Starts the process's peak resident memory (`VmHWM`) again from what is
/// resident now.
pub fn reset_peak_memory() -> Result<(), String> {
    std::fs::write("/proc/self/clear_refs", "5").map_err(|error| error.to_string())
}

/// The bytes free for this user on the disk that holds `path`, as `df`
/// reports them.
pub fn free_disk_bytes(path: &std::path::Path) -> Result<u64, String> {
    let output = Command::new("df")
        .args(["--output=avail", "-B1"])
        .arg(path)
        .output()
        .map_err(|error| error.to_string())?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .nth(1)
        .and_then(|line| line.trim().parse().ok())
        .ok_or_else(|| format!("df told nothing of {}", path.display()))
}

/// Linux counts a thread's CPU time in ticks of 1/100 s (`USER_HZ`).
const TICKS_PER_SECOND: f64 = 100.0;

/// CPU time (user and system) this process's live threads named `name`
/// have used so far, in seconds.
pub fn cpu_seconds(name: &str) -> Result<f64, String> {
    let mut named = 0.0;
    for task in std::fs::read_dir("/proc/self/task").map_err(|error| error.to_string())? {
        let task = task.map_err(|error| error.to_string())?.path();
        let comm = std::fs::read_to_string(task.join("comm")).unwrap_or_default();
        if comm.trim_end() == name {
            // A thread that ended since the listing has no figures left.
            if let Ok(stat) = std::fs::read_to_string(task.join("stat")) {
                named += cpu_of_stat(&stat)?;
            }
        }
    }
    Ok(named)
}

/// User plus system time of a `/proc/self/task/…/stat` line, in seconds: its 14th
/// and 15th fields, counted after the command name in parentheses, which
/// may hold spaces.
fn cpu_of_stat(stat: &str) -> Result<f64, String> {
    let after_name = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or_default();
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |index: usize| {
        fields
            .get(index)
            .and_then(|field| field.parse::<f64>().ok())
            .ok_or_else(|| format!("no CPU time in {stat:?}"))
    };
    // Fields are numbered from 1 and the state, the first after the name,
    // is the 3rd.
    Ok((ticks(14 - 3)? + ticks(15 - 3)?) / TICKS_PER_SECOND)
}
