//! The e-commerce scenario: product catalog, order generator, DynamoDB operations and error classification.

pub mod catalog;
pub mod classify;
mod fast_ops;
pub mod keys;
pub mod money;
pub mod ops;
pub mod orders;
pub mod schema;
mod sdk_ops;
pub mod seeding;
pub mod tables;

pub use ops::{Attempt, AttemptResult, Clients, ConsumedUnits, Request, Workload};
