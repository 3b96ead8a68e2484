//! The axum state: Leptos options for rendering, the backend for server
//! functions (given to each of them as context).

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use crate::services::backend::Backend;

#[derive(Debug, Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub backend: Backend,
}
