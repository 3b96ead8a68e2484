//! The release WASM bundle, gzipped as a server would send it.

use std::io::Write;
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;

use crate::report::Figure;

const NAME: &str = "Release WASM bundle, gzipped (KB)";

/// Gzips the bundle `cargo leptos build --release` wrote; not measured
/// when there is none.
pub fn measure(wasm: &Path) -> Figure {
    let size = std::fs::read(wasm).ok().and_then(|bytes| {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
        encoder.write_all(&bytes).ok()?;
        encoder.finish().ok().map(|gzipped| gzipped.len() as f64 / 1024.0)
    });
    if size.is_none() {
        eprintln!(
            "bench: no WASM bundle at {}; build the site first",
            wasm.display()
        );
    }
    Figure::new(NAME, "<= 400", size.into_iter().collect()).lower_is_better(400.0)
}
