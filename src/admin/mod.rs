//! Admin operations beside load runs: capacity settings (show, change), auto scaling, sampling a table
//! for `workload init`, cleanup of generated orders, and the Price List API for `cost --prices live`.

pub mod autoscaling;
pub mod cleanup;
pub mod prices;
pub mod sample;
pub mod throttle_retry;
