//! custsync: the asynchronous customer mode of a retail HQ/store system.
//!
//! The code stands on floors, each importing only from those below it
//! (README, "Code map"; `tests/architecture.rs` checks it): `domain` (plain
//! types and rules, shared by server and browser, with `error` and `wire`,
//! what crosses the wire), `storage` (every SQL statement), `services` (the
//! channel, CDX, the sync, the jobs, sign-in), `api` (the server functions),
//! `views` (the pages, which reach the rest through the server functions)
//! and `server` (the start-up).

// The release WASM build computes the layout of the deepest page views
// (the customer editor) past the default limit of 128.
#![recursion_limit = "256"]

pub mod api;
pub mod domain;
pub mod error;
pub mod views;
pub mod wire;

#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod services;
#[cfg(feature = "ssr")]
pub mod storage;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let document = leptos::prelude::document();
    let Some(body) = document.body() else {
        return;
    };
    // Pages are lazily loaded chunks, so hydration waits for the page's chunk
    // before it can attach the page's event handlers.
    wasm_bindgen_futures::spawn_local(async move {
        let search = leptos::prelude::window().location().search().unwrap_or_default();
        if !views::opened_forms::download_their_code(&search).await {
            // Hydrating the form without its code would stop the page's code
            // anyway: the page goes on as without JavaScript, and says so.
            leptos::logging::warn!("the code of the form this page opens could not be downloaded");
            say_the_code_is_missing(&document, &body);
            return;
        }
        let typed_early = views::typed_early::TypedEarly::watch(&document);
        views::hydration::set_hydrating(true);
        let app = leptos::mount::hydrate_from_async(body.clone(), views::app::App).await;
        views::hydration::set_hydrating(false);
        app.forget();
        // After the page's effects have run once: one that starts a signal
        // over (the status page's selection) would otherwise undo what is
        // given back.
        leptos::task::tick().await;
        typed_early.give_back();
        mark_hydrated(&body);
    });
}

/// At the top of a page left without its code: what the cashier can do.
#[cfg(feature = "hydrate")]
fn say_the_code_is_missing(document: &web_sys::Document, body: &web_sys::HtmlElement) {
    let Ok(note) = document.create_element("p") else {
        return;
    };
    note.set_class_name("error-note");
    let _ = note.set_attribute("role", "alert");
    note.set_text_content(Some(
        "Part of this page's code could not be downloaded: the network is down, or the server does not \
         answer. Its forms still save, but nothing is kept in this browser: reload the page once the \
         connection is back.",
    ));
    let _ = body.prepend_with_node_1(&note);
}

/// Browser tests wait for this attribute before they click: event handlers
/// work only once the whole page, its lazily loaded part included, is
/// hydrated.
#[cfg(feature = "hydrate")]
fn mark_hydrated(body: &web_sys::HtmlElement) {
    let _ = body.set_attribute("data-hydrated", "true");
}
