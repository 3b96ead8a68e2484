//! The site's files (the WASM, the script that loads it, the CSS) come with
//! their own status, whatever page is rendered beside them: a page whose
//! script arrives as a 404 never hydrates.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use custsync::api::app_state::AppState;
use tower::ServiceExt;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_is_served_whole_while_pages_are_not_found_beside_it() {
    let test = common::start().await;
    let site = tempfile::tempdir().expect("a site folder");
    std::fs::create_dir(site.path().join("pkg")).expect("pkg");
    std::fs::write(site.path().join("pkg/app.js"), "export const loaded = true;\n").expect("a file");
    let mut leptos_options = leptos::prelude::get_configuration(Some("Cargo.toml"))
        .expect("the Leptos options in Cargo.toml")
        .leptos_options;
    leptos_options.site_root = site.path().to_string_lossy().into_owned().into();
    let router = custsync::server::router(AppState {
        leptos_options,
        backend: test.backend.clone(),
    });

    let mut requests = Vec::new();
    for n in 0..400 {
        let path = if n % 2 == 0 { "/pkg/app.js" } else { "/favicon.ico" };
        let router = router.clone();
        requests.push(tokio::spawn(async move {
            let request = Request::get(path).body(Body::empty()).expect("a request");
            let status = router.oneshot(request).await.expect("an answer").status();
            (path, status)
        }));
    }
    let mut file_statuses = Vec::new();
    for request in requests {
        let (path, status) = request.await.expect("the request ran");
        match path {
            "/pkg/app.js" => file_statuses.push(status),
            _ => assert_eq!(status, StatusCode::NOT_FOUND, "{path}"),
        }
    }
    let wrong = file_statuses.iter().filter(|s| **s != StatusCode::OK).count();
    assert_eq!(
        wrong,
        0,
        "of {} answers for the file, {wrong} were not 200 OK",
        file_statuses.len()
    );
}
