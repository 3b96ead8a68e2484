//! The server writes pages the browser's build can hydrate. Both are built
//! with Leptos's `erase_components` (`.cargo/config.toml`): an erased view
//! that renders nothing, like the `<Title>` at the top of every page, leaves
//! a placeholder comment the browser's build looks for when it hydrates. A
//! server built without the flag leaves none, and no page of the release
//! build hydrated.

mod common;

use axum::http::StatusCode;
use common::http::WebApp;

const PLACEHOLDER: &str = "<!--<() />-->";

#[tokio::test]
async fn a_page_starts_with_the_placeholder_of_its_title() {
    let app = WebApp::start().await;
    let page = app.get("/sign-in", "").await;
    assert_eq!(page.status, StatusCode::OK);
    let expected = format!("<body>{PLACEHOLDER}<header");
    // The stylesheet is written by the shell, in the head, for the server only.
    assert!(
        page.body
            .contains(r#"<link id="leptos" rel="stylesheet" href="/pkg/custsync"#)
    );
    assert!(
        page.body.contains(&expected),
        "the page's body does not start with {expected}: {}",
        page.body
    );
}
