//! The axum state: Leptos options for rendering, the backend for server
//! functions (given to each of them as context).

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use crate::services::backend::Backend;

/// One shared reference: leptos_axum clones the state for each server
/// function request, provides it as context and each `use_context` clones
/// it again, and a copy of the Leptos options took a dozen reference counts
/// and an allocation each time.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Parts>);

#[derive(Debug)]
pub struct Parts {
    pub leptos_options: LeptosOptions,
    pub backend: Backend,
}

impl AppState {
    pub fn new(leptos_options: LeptosOptions, backend: Backend) -> AppState {
        AppState(Arc::new(Parts {
            leptos_options,
            backend,
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// What leptos_axum's page and file handlers take from the state.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> LeptosOptions {
        state.leptos_options.clone()
    }
}
