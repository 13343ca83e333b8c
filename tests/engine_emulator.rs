//! Engine integration tests against ddbload's own endpoint, started in-process (no wheel, no Java):
//! what the engine counts is checked against what the endpoint holds, and the run's clock against
//! the wall clock.

use std::time::{Duration, Instant};

use ddbload::config::{ClientKind, RunConfig, Stage};
use ddbload::connection::Connection;
use ddbload::engine;
use ddbload_emulator::Emulator;

fn offline_config(server: &Emulator, suffix: &str) -> RunConfig {
    // The endpoint accepts any credentials; the standard chain reads these.
    std::env::set_var("AWS_ACCESS_KEY_ID", "local");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "local");
    let defaults = RunConfig::default();
    RunConfig {
        connection: Connection {
            endpoint_url: Some(server.url()),
            ..defaults.connection.clone()
        },
        products_table: format!("products-{suffix}"),
        orders_table: format!("orders-{suffix}"),
        create_tables: true,
        seed_products: 100,
        threads: 8,
        duration: Duration::from_secs(3),
        ..defaults
    }
}

#[test]
fn every_order_the_table_holds_is_an_order_counted_with_either_client() {
    let server = Emulator::start("127.0.0.1", 0, 2, "us-east-1").unwrap();
    for (client, name) in [(ClientKind::Fast, "fast"), (ClientKind::Sdk, "sdk")] {
        let config = RunConfig {
            client,
            read_ratio: 0.5,
            ..offline_config(&server, name)
        };
        let result = engine::start(config).unwrap().wait().unwrap();
        let writes = &result.summary.writes.counts;
        let stored = server
            .store
            .table(&format!("orders-{name}"))
            .unwrap()
            .item_count();
        assert!(writes.ok > 100, "{name}: {writes:?}");
        // Writes on the wire at the deadline were given the grace to answer, and were counted.
        assert_eq!(
            (writes.timed_out, writes.cut_at_deadline),
            (0, 0),
            "{name}: {writes:?}"
        );
        assert_eq!(stored as u64, writes.ok, "{name}: stored vs counted");
        assert!(result.duration_s <= 3.0, "{name}: {}", result.duration_s);
    }
}

#[test]
fn an_open_run_lasts_its_duration_when_its_schedule_ends_early() {
    let server = Emulator::start("127.0.0.1", 0, 1, "us-east-1").unwrap();
    let slow = RunConfig {
        rate: Some(0.5),
        duration: Duration::from_secs(4),
        ..offline_config(&server, "slow")
    };
    let trailing_zero = RunConfig {
        stages: vec![
            Stage {
                duration: Duration::from_secs(2),
                target: 20.0,
            },
            Stage {
                duration: Duration::from_secs(2),
                target: 0.0,
            },
        ],
        duration: Duration::from_secs(4),
        ..offline_config(&server, "zero")
    };
    for (name, config) in [
        ("--rate 0.5", slow),
        ("a trailing zero stage", trailing_zero),
    ] {
        let mut handle = engine::start(config).unwrap();
        let mut began = None;
        let result = loop {
            match handle.events.blocking_recv().expect("a Finished event") {
                engine::Event::Phase { phase: "load", .. } => began = Some(Instant::now()),
                engine::Event::Finished(result) => break result.unwrap(),
                _ => {}
            }
        };
        let lasted = began.expect("a load phase").elapsed();
        assert!(lasted >= Duration::from_millis(3900), "{name}: {lasted:?}");
        assert!(result.duration_s >= 3.9, "{name}: {}", result.duration_s);
    }
}
