//! Admin operations beside load runs: capacity settings (show, change), auto scaling, and cleanup of
//! generated orders.

pub mod autoscaling;
pub mod cleanup;
pub mod throttle_retry;
