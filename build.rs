//! Link settings for the browser build.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // wasm-ld merges the read-only data of every function into a few
    // segments, which the split build cannot divide between its chunks: a
    // page's strings would stay in the shell every page loads
    // (leptos-rs/cargo-leptos#679).
    let target = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if target.starts_with("wasm") {
        println!("cargo:rustc-link-arg-cdylib=--no-merge-data-segments");
    }
}
