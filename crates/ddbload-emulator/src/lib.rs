//! ddbload's offline endpoint: a DynamoDB-compatible server held in memory that throttles the way
//! DynamoDB does (provisioned buckets with burst credit, on-demand growth, hot keys). No AWS SDK and
//! no Python here: the main crate serves it for `ddbload serve`, `run --local` and `ddbload.Emulator`.

pub mod alarms;
pub mod autoscaling;
pub mod capacity;
pub mod clock;
pub mod cloudwatch;
pub mod cloudwatch_json;
pub mod compact;
pub mod constraints;
pub mod custom_metrics;
pub mod disk;
pub mod error;
pub mod expr;
pub mod faults;
pub mod front_door;
pub mod get_metric_statistics;
pub mod http_edges;
pub mod index;
pub mod key_hash;
pub mod number;
pub mod ops;
pub mod put_metric_data;
pub mod request_metrics;
pub mod request_shapes;
pub mod server;
pub mod shard;
pub mod store;
pub mod stream;
pub mod streams_api;
pub mod table;
pub mod typed_request;
pub mod updating;
pub mod value;

pub use ops::{dispatch, is_valid_table_name, Shared};
pub use server::{Emulator, MAX_THREADS};
pub use store::Store;
