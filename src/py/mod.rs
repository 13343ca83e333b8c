//! The Python binding layer (the only code that touches pyo3): LoadConfig, RunHandle, exceptions.

mod admin;
mod config;
mod convert;
mod emulator;
mod errors;
mod handle;
mod histograms;
mod run_options;
mod scaling_sim;
mod workload_check;

use pyo3::prelude::*;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<config::LoadConfig>()?;
    m.add_class::<handle::RunHandle>()?;
    m.add_class::<emulator::Emulator>()?;
    m.add_function(wrap_pyfunction!(handle::start, m)?)?;
    m.add_function(wrap_pyfunction!(admin::describe_capacity, m)?)?;
    m.add_function(wrap_pyfunction!(admin::sample_table, m)?)?;
    m.add_function(wrap_pyfunction!(admin::describe_limits, m)?)?;
    m.add_function(wrap_pyfunction!(admin::dynamodb_price_list, m)?)?;
    m.add_function(wrap_pyfunction!(admin::cloudwatch_get_metric_data, m)?)?;
    m.add_function(wrap_pyfunction!(admin::cloudwatch_put_metric_data, m)?)?;
    m.add_function(wrap_pyfunction!(admin::cloudwatch_put_alarms, m)?)?;
    m.add_function(wrap_pyfunction!(admin::cloudwatch_alarm_states, m)?)?;
    m.add_function(wrap_pyfunction!(admin::cloudwatch_delete_alarms, m)?)?;
    m.add_function(wrap_pyfunction!(admin::update_capacity, m)?)?;
    m.add_function(wrap_pyfunction!(admin::cleanup_orders, m)?)?;
    m.add_function(wrap_pyfunction!(admin::describe_scaling, m)?)?;
    m.add_function(wrap_pyfunction!(admin::apply_scaling, m)?)?;
    m.add_function(wrap_pyfunction!(run_options::run_options, m)?)?;
    m.add_function(wrap_pyfunction!(histograms::merge_histograms, m)?)?;
    m.add_function(wrap_pyfunction!(histograms::histogram_quantiles, m)?)?;
    m.add_function(wrap_pyfunction!(histograms::histogram_summary, m)?)?;
    m.add_function(wrap_pyfunction!(scaling_sim::simulate_autoscaling, m)?)?;
    m.add_function(wrap_pyfunction!(workload_check::check_workload, m)?)?;
    errors::register(m)
}
