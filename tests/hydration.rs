//! The server writes pages the browser's build can hydrate. Both are built
//! with Leptos's `erase_components` (`.cargo/config.toml`): an erased view
//! that renders nothing, like the `<Stylesheet>` and `<Title>` at the top of
//! every page, leaves a placeholder comment the browser's build looks for
//! when it hydrates. A server built without the flag leaves none, and no
//! page of the release build hydrated.

mod common;

use axum::http::StatusCode;
use common::http::WebApp;

const PLACEHOLDER: &str = "<!--<() />-->";

#[tokio::test]
async fn a_page_starts_with_the_placeholders_of_its_stylesheet_and_title() {
    let app = WebApp::start().await;
    let page = app.get("/sign-in", "").await;
    assert_eq!(page.status, StatusCode::OK);
    let expected = format!("<body>{PLACEHOLDER}{PLACEHOLDER}<header");
    assert!(
        page.body.contains(&expected),
        "the page's body does not start with {expected}: {}",
        page.body
    );
}
