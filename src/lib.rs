//! ddbload: a DynamoDB load tester for peak-event rehearsals. The engine is plain Rust; with the
//! `python` feature this crate is also the `ddbload._engine` extension module.

pub mod admin;
pub mod capacity;
pub mod config;
pub mod connection;
pub mod control_plane;
pub mod engine;
pub mod error;
pub mod fastpath;
pub mod key_counts;
pub mod metrics;
pub mod plan;
pub mod report;
pub mod request_ids;
pub mod workload;

// See bench/README.md: the allocator was the largest single cost in the engine's profile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "python")]
mod py;

#[cfg(feature = "python")]
#[pyo3::pymodule]
#[pyo3(name = "_engine")]
fn engine_module(m: &pyo3::Bound<'_, pyo3::types::PyModule>) -> pyo3::PyResult<()> {
    py::register(m)
}
