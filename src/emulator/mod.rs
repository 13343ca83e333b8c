//! The offline endpoint: a DynamoDB-compatible HTTP server held in memory, whose capacity model
//! throttles the way DynamoDB does (provisioned buckets with burst credit, on-demand growth, hot keys).

pub mod capacity;
mod control;
mod data;
pub mod error;
pub mod expr;
mod server;
pub mod store;
pub mod value;

pub use server::{dispatch, Emulator};
