//! What every server function does around its work: authorize, find the
//! backend, map a service's error to `AppError` and set the status
//! (`respond`); the axum state the server functions are given.

pub mod app_state;
pub mod respond;
