//! The release WASM a browser downloads, gzipped as a server would send it.
//!
//! The site is built with `--split`: every page loads the shell
//! (`custsync.wasm`) and then the chunks `__wasm_split_manifest.json` lists
//! for the page's lazy view, each a file of its own.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;

use crate::report::Figure;

const SHELL: &str = "Release WASM shell every page loads, gzipped (KB)";
const EVERY_FILE: &str = "Release WASM, every file together, gzipped (KB)";
const MANIFEST: &str = "__wasm_split_manifest.json";

/// Measures the bundle `cargo leptos build --release --split` wrote; the
/// figures are not measured when there is none.
pub fn measure(shell: &Path) -> Vec<Figure> {
    let bundle = Bundle::read(shell)
        .inspect_err(|reason| eprintln!("bench: WASM not measured: {reason}; build the site first"))
        .ok();
    let heaviest = bundle.as_ref().and_then(Bundle::heaviest_page);
    let page = heaviest
        .as_ref()
        .map(|(page, _)| format!(" ({page})"))
        .unwrap_or_default();
    vec![
        Figure::new(SHELL, "", bundle.iter().map(|bundle| bundle.shell_kb).collect()),
        Figure::new(
            &format!("Release WASM the heaviest page{page} loads: shell + its chunks, gzipped (KB)"),
            "<= 400",
            heaviest.iter().map(|(_, kb)| *kb).collect(),
        )
        .lower_is_better(400.0),
        Figure::new(
            EVERY_FILE,
            "",
            bundle.iter().map(|bundle| bundle.every_file_kb).collect(),
        ),
    ]
}

/// Gzipped sizes in KB: the shell, and each page's chunks.
struct Bundle {
    shell_kb: f64,
    /// Page name and the gzipped size of the chunks it loads.
    pages: Vec<(String, f64)>,
    every_file_kb: f64,
}

impl Bundle {
    fn read(shell: &Path) -> Result<Bundle, String> {
        let folder = shell.parent().ok_or("the bundle path has no folder")?;
        let manifest_path = folder.join(MANIFEST);
        let manifest = std::fs::read_to_string(&manifest_path)
            .map_err(|error| format!("{}: {error}", manifest_path.display()))?;
        let chunks_of: HashMap<String, Vec<String>> = serde_json::from_str(&manifest)
            .map_err(|error| format!("{}: {error}", manifest_path.display()))?;
        let chunk_kb = |chunk: &str| gzipped_kb(&folder.join(format!("{chunk}.wasm")));
        let mut pages = Vec::new();
        for (split_point, chunks) in &chunks_of {
            let Some(page) = page_name(split_point) else {
                continue;
            };
            let sizes: Result<Vec<f64>, String> = chunks.iter().map(|chunk| chunk_kb(chunk)).collect();
            pages.push((page, sizes?.iter().sum()));
        }
        Ok(Bundle {
            shell_kb: gzipped_kb(shell)?,
            pages,
            every_file_kb: every_wasm_file_kb(folder)?,
        })
    }

    /// The page that loads the most, and what it loads with the shell.
    fn heaviest_page(&self) -> Option<(String, f64)> {
        self.pages
            .iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(page, chunks_kb)| (page.clone(), self.shell_kb + chunks_kb))
    }
}

/// The page a split point loads: `__pos_route_view_<hash>` is `pos`; other
/// lazily loaded functions are not pages.
fn page_name(split_point: &str) -> Option<String> {
    let (name, _hash) = split_point.strip_prefix("__")?.rsplit_once("_route_view_")?;
    Some(name.replace('_', " "))
}

fn every_wasm_file_kb(folder: &Path) -> Result<f64, String> {
    let entries = std::fs::read_dir(folder).map_err(|error| format!("{}: {error}", folder.display()))?;
    let mut total = 0.0;
    for entry in entries {
        let path = entry.map_err(|error| error.to_string())?.path();
        if path.extension().is_some_and(|extension| extension == "wasm") {
            total += gzipped_kb(&path)?;
        }
    }
    Ok(total)
}

fn gzipped_kb(path: &Path) -> Result<f64, String> {
    let bytes = std::fs::read(path).map_err(|error| format!("{}: {error}", path.display()))?;
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(&bytes).map_err(|error| error.to_string())?;
    let gzipped = encoder.finish().map_err(|error| error.to_string())?;
    Ok(gzipped.len() as f64 / 1024.0)
}
