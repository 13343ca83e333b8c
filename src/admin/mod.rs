//! Admin operations beside load runs: capacity settings (show, change) and cleanup of generated orders.

pub mod cleanup;
pub mod tables;
