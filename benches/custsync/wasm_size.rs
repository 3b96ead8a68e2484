//! The release WASM a browser downloads.
//!
//! The site is built with `--split`: every page loads the shell
//! (`custsync.<hash>.wasm`) and then the chunks `__wasm_split_manifest.<hash>.json`
//! lists for the page's lazy view, each a file of its own. A browser
//! downloads the copy of each file the server sends: the brotli copy
//! (`.br`) where it accepts brotli, the gzip copy (`.gz`) otherwise.
//! `make release` writes both beside each file; the figures add up their
//! sizes.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::report::Figure;

const SHELL: &str = "Release WASM shell every page loads, in the gzip copy the server sends (KiB)";
const EVERY_FILE: &str = "Release WASM, every file together, in the gzip copies (KiB)";
/// The split manifest is `__wasm_split_manifest.<hash>.json`, the shell
/// `custsync.<hash>.wasm` (plain names in a build without hashes).
const MANIFEST: (&str, &str) = ("__wasm_split_manifest", ".json");
const SHELL_FILE: (&str, &str) = ("custsync", ".wasm");
/// The split point of the customer editor, which pages open on a click.
const EDITOR: &str = "custsync_customer_editor";
/// The split point of the register's outbox, which the POS fetches as soon
/// as it has hydrated.
const OUTBOX: &str = "custsync_register_outbox";
const POS_WITH_EDITOR: &str = "Release WASM the POS has downloaded once Add customer has opened the customer editor (with the outbox's code), in the gzip copies (KiB)";

/// Measures the bundle `cargo leptos build --release --split` wrote in
/// `folder`; the figures are not measured when there is none.
pub fn measure(folder: &Path) -> Vec<Figure> {
    let bundle = Bundle::read(folder)
        .inspect_err(|reason| eprintln!("bench: WASM not measured: {reason}; build the site first"))
        .ok();
    let heaviest = bundle.as_ref().and_then(Bundle::heaviest_page);
    let page = heaviest
        .as_ref()
        .map(|load| format!(" ({})", load.page))
        .unwrap_or_default();
    vec![
        Figure::new(
            SHELL,
            "<= 200",
            bundle.iter().map(|bundle| bundle.shell.gzipped_kb).collect(),
        )
        .lower_is_better(200.0),
        Figure::new(
            &format!("Release WASM the heaviest page{page} loads: shell + its chunks, in the gzip copies the server sends (KiB)"),
            "<= 350",
            heaviest
                .as_ref()
                .map(|load| load.gzipped_kb)
                .into_iter()
                .collect(),
        )
        .lower_is_better(350.0),
        Figure::new(
            &format!(
                "Release WASM the heaviest page{page} loads, in the brotli copies the server sends (KiB)"
            ),
            "",
            heaviest.as_ref().map(|load| load.brotli_kb).into_iter().collect(),
        ),
        Figure::new(
            POS_WITH_EDITOR,
            "",
            bundle
                .iter()
                .filter_map(|bundle| bundle.pos_with_editor.as_ref())
                .map(|load| load.gzipped_kb)
                .collect(),
        ),
        Figure::new(
            EVERY_FILE,
            "",
            bundle.iter().map(|bundle| bundle.every_file_kb).collect(),
        ),
    ]
}

/// What one file, or one page's files, weigh in KiB (1,024 bytes).
#[derive(Debug, Clone, Default)]
struct Load {
    page: String,
    gzipped_kb: f64,
    brotli_kb: f64,
}

impl Load {
    fn of_file(path: &Path) -> Result<Load, String> {
        Ok(Load {
            page: String::new(),
            gzipped_kb: copy_kb(path, "gz")?,
            brotli_kb: copy_kb(path, "br")?,
        })
    }

    fn add(mut self, other: &Load) -> Load {
        self.gzipped_kb += other.gzipped_kb;
        self.brotli_kb += other.brotli_kb;
        self
    }
}

struct Bundle {
    shell: Load,
    /// Each page's chunks, without the shell.
    pages: Vec<Load>,
    /// The shell, the POS, its outbox's code and the customer editor, which
    /// Add customer downloads.
    pos_with_editor: Option<Load>,
    every_file_kb: f64,
}

impl Bundle {
    fn read(folder: &Path) -> Result<Bundle, String> {
        let manifest_path = only_file(folder, MANIFEST)?;
        let shell = only_file(folder, SHELL_FILE)?;
        let manifest = std::fs::read_to_string(&manifest_path)
            .map_err(|error| format!("{}: {error}", manifest_path.display()))?;
        let chunks_of: HashMap<String, Vec<String>> = serde_json::from_str(&manifest)
            .map_err(|error| format!("{}: {error}", manifest_path.display()))?;
        let chunks = |split_points: &[&String]| -> BTreeSet<&String> {
            split_points
                .iter()
                .flat_map(|split_point| &chunks_of[*split_point])
                .collect()
        };
        let mut pages = Vec::new();
        for split_point in chunks_of.keys() {
            if let Some(page) = page_name(split_point) {
                pages.push(Load {
                    page,
                    ..load_of(folder, chunks(&[split_point]))?
                });
            }
        }
        let split_point = |prefix: &str| chunks_of.keys().find(|name| name.starts_with(prefix));
        let pos_with_editor = match (
            split_point("__pos_route_view_"),
            split_point(EDITOR),
            split_point(OUTBOX),
        ) {
            (Some(pos), Some(editor), Some(outbox)) => Some(load_of(folder, chunks(&[pos, editor, outbox]))?),
            _ => None,
        };
        let shell = Load::of_file(&shell)?;
        Ok(Bundle {
            pos_with_editor: pos_with_editor.map(|load| load.add(&shell)),
            shell,
            pages,
            every_file_kb: every_wasm_file_kb(folder)?,
        })
    }

    /// The page that loads the most, with the shell.
    fn heaviest_page(&self) -> Option<Load> {
        self.pages
            .iter()
            .max_by(|a, b| a.gzipped_kb.total_cmp(&b.gzipped_kb))
            .map(|page| page.clone().add(&self.shell))
    }
}

/// The files `chunks` together, each counted once.
fn load_of<'a>(folder: &Path, chunks: impl IntoIterator<Item = &'a String>) -> Result<Load, String> {
    chunks.into_iter().try_fold(Load::default(), |load, chunk| {
        Ok(load.add(&Load::of_file(&folder.join(format!("{chunk}.wasm")))?))
    })
}

/// The page a split point loads: `__pos_route_view_<hash>` is `pos`; other
/// lazily loaded functions are not pages.
fn page_name(split_point: &str) -> Option<String> {
    let (name, _hash) = split_point.strip_prefix("__")?.rsplit_once("_route_view_")?;
    Some(name.replace('_', " "))
}

/// The one file of `folder` named `<stem>.<extension>` or
/// `<stem>.<hash>.<extension>`.
fn only_file(folder: &Path, (stem, extension): (&str, &str)) -> Result<PathBuf, String> {
    let entries = std::fs::read_dir(folder).map_err(|error| format!("{}: {error}", folder.display()))?;
    let mut found = Vec::new();
    for entry in entries {
        let path = entry.map_err(|error| error.to_string())?.path();
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or_default();
        let middle = name
            .strip_prefix(stem)
            .and_then(|rest| rest.strip_suffix(extension));
        if middle.is_some_and(|middle| {
            middle.is_empty() || (middle.starts_with('.') && !middle[1..].contains('.'))
        }) {
            found.push(path);
        }
    }
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(format!("no {stem}…{extension} in {}", folder.display())),
        _ => Err(format!(
            "more than one {stem}…{extension} in {}",
            folder.display()
        )),
    }
}

fn every_wasm_file_kb(folder: &Path) -> Result<f64, String> {
    let entries = std::fs::read_dir(folder).map_err(|error| format!("{}: {error}", folder.display()))?;
    let mut total = 0.0;
    for entry in entries {
        let path = entry.map_err(|error| error.to_string())?.path();
        if path.extension().is_some_and(|extension| extension == "wasm") {
            total += copy_kb(&path, "gz")?;
        }
    }
    Ok(total)
}

/// The size of the compressed copy `<path>.<extension>` the server sends.
fn copy_kb(path: &Path, extension: &str) -> Result<f64, String> {
    let mut copy = path.as_os_str().to_owned();
    copy.push(format!(".{extension}"));
    let copy = PathBuf::from(copy);
    let metadata = std::fs::metadata(&copy)
        .map_err(|error| format!("{}: {error} (`make release` writes it)", copy.display()))?;
    Ok(metadata.len() as f64 / 1024.0)
}
