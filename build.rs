//! Link settings for the browser build.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // wasm-ld merges the read-only data of every function into a few
    // segments, which the split release build cannot divide between its
    // chunks: a page's strings would stay in the shell every page loads
    // (leptos-rs/cargo-leptos#679). Release builds only: unmerged, the
    // debug build's WASM comes out thirteen times as large.
    let target = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let profile = std::env::var("PROFILE").unwrap_or_default();
    if target.starts_with("wasm") && profile == "release" {
        println!("cargo:rustc-link-arg-cdylib=--no-merge-data-segments");
    }
}
