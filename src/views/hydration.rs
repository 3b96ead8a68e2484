//! Whether the browser is hydrating the page the server sent.

#[cfg(feature = "hydrate")]
thread_local! {
    static HYDRATING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the browser is hydrating the page the server sent: the views
/// being made are the server's, forms open as it rendered them. Leptos's own
/// `during_hydration` cannot say: `hydrate_from_async` never ends it.
pub fn hydrating() -> bool {
    #[cfg(feature = "hydrate")]
    {
        HYDRATING.get()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        false
    }
}

/// Marks the start and the end of the page's hydration.
#[cfg(feature = "hydrate")]
pub fn set_hydrating(hydrating: bool) {
    HYDRATING.set(hydrating);
}
