//! Admin operations beside load runs: capacity settings (show, change), auto scaling, sampling a table
//! for `workload init`, and cleanup of generated orders.

pub mod autoscaling;
pub mod cleanup;
pub mod sample;
pub mod throttle_retry;
