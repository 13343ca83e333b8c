//! What a run sends: the workshop's e-commerce scenario (catalog, orders) or a workload file's plan,
//! the DynamoDB operations and error classification.

pub mod catalog;
pub mod classify;
mod fast_ops;
pub mod keys;
pub mod money;
pub mod ops;
pub mod orders;
pub mod schema;
mod sdk_ops;
mod sdk_plan;
pub mod seeding;
pub mod tables;

pub use ops::{
    Attempt, AttemptResult, Clients, ConsumedUnits, OpRef, Request, Workload, Workshop, MAX_TABLES,
};
