//! The site's files (the WASM, the script that loads it, the CSS) come with
//! their own status, whatever page is rendered beside them: a page whose
//! script arrives as a 404 never hydrates.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

/// The app's router serving the site in `site`.
fn router_over(site: &std::path::Path, test: &common::TestBackend) -> axum::Router {
    let mut leptos_options = leptos::prelude::get_configuration(Some("Cargo.toml"))
        .expect("the Leptos options in Cargo.toml")
        .leptos_options;
    leptos_options.site_root = site.to_string_lossy().into_owned().into();
    custsync::server::router(leptos_options, test.backend.clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_is_served_whole_while_pages_are_not_found_beside_it() {
    let test = common::start().await;
    let site = tempfile::tempdir().expect("a site folder");
    std::fs::create_dir(site.path().join("pkg")).expect("pkg");
    std::fs::write(site.path().join("pkg/app.js"), "export const loaded = true;\n").expect("a file");
    let router = router_over(site.path(), &test);

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

/// The MD5 of `content` in unpadded base64url, as cargo-leptos names files.
fn content_hash(content: &[u8]) -> String {
    use base64ct::Encoding;
    use md5::Digest;
    base64ct::Base64UrlUnpadded::encode_string(&md5::Md5::digest(content))
}

#[tokio::test]
async fn a_file_named_after_its_content_is_kept_for_a_year_and_any_other_is_asked_for_again() {
    let test = common::start().await;
    let site = tempfile::tempdir().expect("a site folder");
    std::fs::create_dir(site.path().join("pkg")).expect("pkg");
    let chunk = format!("chunk_7.{}.wasm", content_hash(b"\0asm chunk"));
    // Named before it was rewritten, as cargo-leptos names the main script.
    let script = format!("custsync.{}.js", content_hash(b"before"));
    std::fs::write(site.path().join("pkg").join(&chunk), b"\0asm chunk").expect("a chunk");
    std::fs::write(site.path().join("pkg").join(&script), b"after").expect("a script");
    let router = router_over(site.path(), &test);
    let get = |path: String, since: Option<String>| {
        let router = router.clone();
        async move {
            let mut request = Request::get(path);
            if let Some(since) = since {
                request = request.header("if-modified-since", since);
            }
            router
                .oneshot(request.body(Body::empty()).expect("a request"))
                .await
                .expect("an answer")
        }
    };
    let header = |answer: &axum::response::Response, name: &str| {
        answer
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_string)
    };

    let chunk_answer = get(format!("/pkg/{chunk}"), None).await;
    assert_eq!(chunk_answer.status(), StatusCode::OK);
    assert_eq!(
        header(&chunk_answer, "cache-control").as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    let script_answer = get(format!("/pkg/{script}"), None).await;
    assert_eq!(script_answer.status(), StatusCode::OK);
    assert_eq!(
        header(&script_answer, "cache-control").as_deref(),
        Some("no-cache")
    );
    let modified = header(&script_answer, "last-modified").expect("a Last-Modified");
    let asked_again = get(format!("/pkg/{script}"), Some(modified)).await;
    assert_eq!(asked_again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&asked_again, "cache-control").as_deref(), Some("no-cache"));
}

/// Pages show a user's own customers and profile: no browser keeps them, so
/// Back after Sign out does not show them again from its cache.
#[tokio::test]
async fn pages_are_not_kept_in_browsers_caches() {
    let test = common::start().await;
    let site = tempfile::tempdir().expect("a site folder");
    std::fs::create_dir(site.path().join("pkg")).expect("pkg");
    let router = router_over(site.path(), &test);
    for path in ["/", "/sign-in", "/no-such-page"] {
        let request = Request::get(path).body(Body::empty()).expect("a request");
        let answer = router.clone().oneshot(request).await.expect("an answer");
        let cache_control = answer
            .headers()
            .get("cache-control")
            .and_then(|value| value.to_str().ok());
        assert_eq!(cache_control, Some("no-store"), "{path}: {}", answer.status());
    }
}
