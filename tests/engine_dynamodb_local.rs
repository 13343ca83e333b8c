//! Engine integration tests against Amazon's DynamoDB Local (DDBLOAD_TEST_ENDPOINT, set by
//! scripts/test.sh). Without it they fail under CI=true and are skipped, loudly, elsewhere.

use std::time::Duration;

use ddbload::config::RunConfig;
use ddbload::connection::Connection;
use ddbload::engine::{self, Event};
use ddbload::error::EngineError;

fn endpoint() -> Option<String> {
    match std::env::var("DDBLOAD_TEST_ENDPOINT") {
        Ok(url) => Some(url),
        Err(_) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("DDBLOAD_TEST_ENDPOINT is not set under CI=true: DynamoDB Local was not started")
        }
        Err(_) => {
            eprintln!("skipped: DDBLOAD_TEST_ENDPOINT is not set (run scripts/test.sh)");
            None
        }
    }
}

fn local_config(endpoint: String, suffix: &str) -> RunConfig {
    // DynamoDB Local accepts any credentials; the standard chain reads these.
    std::env::set_var("AWS_ACCESS_KEY_ID", "local");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "local");
    let defaults = RunConfig::default();
    RunConfig {
        connection: Connection {
            endpoint_url: Some(endpoint),
            ..defaults.connection.clone()
        },
        products_table: format!("rs-products-{suffix}"),
        orders_table: format!("rs-orders-{suffix}"),
        create_tables: true,
        seed_products: 300,
        threads: 6,
        duration: Duration::from_secs(3),
        ..defaults
    }
}

#[test]
fn a_short_run_reads_and_writes_every_second() {
    let Some(url) = endpoint() else { return };
    let mut handle = engine::start(local_config(url, "basic")).unwrap();
    let mut ticks = Vec::new();
    let report = loop {
        match handle
            .events
            .blocking_recv()
            .expect("a Finished event ends the stream")
        {
            Event::Tick { row, .. } => ticks.push(*row),
            Event::Finished(result) => break result.unwrap(),
            _ => {}
        }
    };
    assert!(report.summary.reads.counts.ok > 0 && report.summary.writes.counts.ok > 0);
    assert_eq!(
        report.timeseries, ticks,
        "the live rows are the rows of the report"
    );
    let full_seconds: Vec<_> = ticks.iter().filter(|r| r.seconds >= 1.0).collect();
    assert!(full_seconds.len() >= 2, "{ticks:?}");
    for row in full_seconds {
        assert!(
            row.reads_ok > 0 && row.writes_ok > 0,
            "second {} lacks reads or writes",
            row.t
        );
    }
    let summed: u64 = report.timeseries.iter().map(|r| r.writes_ok).sum();
    assert_eq!(summed, report.summary.writes.counts.ok);
    assert!(report.summary.reads.latency_ms.p99 > 0.0);
    assert!(report.consumed_capacity["rs-orders-basic"].write_units > rust_decimal::Decimal::ZERO);
}

#[test]
fn a_missing_table_is_an_error_before_any_load() {
    let Some(url) = endpoint() else { return };
    let mut config = local_config(url, "missing");
    config.create_tables = false;
    let err = engine::start(config).unwrap().wait().unwrap_err();
    assert!(matches!(err, EngineError::Table(_)), "{err:?}");
    assert!(err.to_string().contains("rs-products-missing"), "{err}");
}

#[test]
fn an_unreachable_endpoint_is_reported_as_such() {
    if endpoint().is_none() {
        return;
    }
    // Port 9 (discard) on loopback: nothing listens there.
    let config = local_config("http://127.0.0.1:9".into(), "unreachable");
    let err = engine::start(config).unwrap().wait().unwrap_err();
    assert!(matches!(err, EngineError::Endpoint(_)), "{err:?}");
}
