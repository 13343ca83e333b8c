//! Benchmark: GetItem and PutItem straight through `dispatch` (no HTTP, no client) on 1 and 2
//! threads, to show that the store itself scales with threads. Prints operations per second, CPU
//! per operation and the 2-thread/1-thread ratio, then the share of one request's dispatch time that
//! the typed decoding layer (`typed_request::check`, run on every request) takes. Usage: cargo run --release -p ddbload-emulator
//! --example dispatch_scaling -- [SECONDS]   (bench/run-emulator.sh runs it)

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ddbload_emulator::clock::Clock;
use ddbload_emulator::{dispatch, Shared, Store};
use serde_json::json;

// As in the ddbload extension, which serves this crate (src/lib.rs of the main crate).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// CPU seconds this process has used (user + system), from /proc.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// Time that runs a thousand times faster: capacity buckets refill so fast that they never limit
/// the benchmark, while every request still pays for the capacity check.
struct Fast(Instant);

impl Clock for Fast {
    fn now(&self) -> f64 {
        self.0.elapsed().as_secs_f64() * 1000.0
    }
}

fn call(store: &Store, shared: &Shared, op: &str, body: &serde_json::Value) {
    let target = format!("DynamoDB_20120810.{op}");
    dispatch(store, shared, &target, body.to_string().as_bytes())
        .expect("benchmark requests succeed");
}

fn measure(op: &str, threads: usize, seconds: f64) -> (f64, f64) {
    let store = Arc::new(Store::new(Arc::new(Fast(Instant::now())), "us-east-1"));
    let shared = Arc::new(Shared::default());
    call(
        &store,
        &shared,
        "CreateTable",
        &json!({"TableName": "bench",
        "ProvisionedThroughput": {"ReadCapacityUnits": 40000, "WriteCapacityUnits": 40000},
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}),
    );
    for i in 0..10_000 {
        call(
            &store,
            &shared,
            "PutItem",
            &json!({"TableName": "bench", "Item": {"pk": {"S": format!("p{i}")},
            "price": {"N": "19.99"}, "name": {"S": "a product for the benchmark"}}}),
        );
    }
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|t| {
            let (store, shared, stop, done) = (store.clone(), shared.clone(), stop.clone(), done.clone());
            let op = op.to_owned();
            std::thread::spawn(move || {
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let body = if op == "GetItem" {
                        json!({"TableName": "bench", "Key": {"pk": {"S": format!("p{}", (i * 7919 + t as u64) % 10_000)}}})
                    } else {
                        json!({"TableName": "bench", "Item": {"pk": {"S": format!("o{t}-{i}")}, "total": {"N": "59.97"},
                            "status": {"S": "PLACED"}}})
                    };
                    call(&store, &shared, &op, &body);
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs_f64(seconds));
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().expect("benchmark thread");
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_before;
    let ops = done.load(Ordering::Relaxed) as f64;
    (ops / elapsed, cpu / ops * 1e6)
}

/// A store on the fast clock with one table created by `definition`, for the one-thread timings.
fn store_with(definition: serde_json::Value) -> (Store, Shared) {
    let store = Store::new(Arc::new(Fast(Instant::now())), "us-east-1");
    let shared = Shared::default();
    call(&store, &shared, "CreateTable", &definition);
    (store, shared)
}

/// Microseconds per request of `op` with `body`, sent `rounds` times through `dispatch`.
fn us_per_request(
    store: &Store,
    shared: &Shared,
    op: &str,
    body: &serde_json::Value,
    rounds: u32,
) -> f64 {
    let (target, bytes) = (format!("DynamoDB_20120810.{op}"), body.to_string());
    let started = Instant::now();
    for _ in 0..rounds {
        dispatch(store, shared, &target, bytes.as_bytes()).expect("benchmark requests succeed");
    }
    started.elapsed().as_secs_f64() / f64::from(rounds) * 1e6
}

/// Microseconds per request, on one thread: the whole dispatch (JSON parse, typed check, the store)
/// and the typed check alone on the same parsed body.
fn typed_layer_share(op: &str, rounds: u32) -> (f64, f64) {
    let (store, shared) = store_with(
        json!({"TableName": "bench", "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}),
    );
    let body = if op == "GetItem" {
        json!({"TableName": "bench", "Key": {"pk": {"S": "p1"}}})
    } else {
        json!({"TableName": "bench", "Item": {"pk": {"S": "p1"}, "total": {"N": "59.97"},
            "status": {"S": "PLACED"}, "lines": {"L": [{"M": {"sku": {"S": "x"}, "qty": {"N": "2"}}}]}}})
    };
    let whole = us_per_request(&store, &shared, op, &body, rounds);
    let started = Instant::now();
    for _ in 0..rounds {
        let mut parsed = body.clone();
        ddbload_emulator::typed_request::check(op, &mut parsed).expect("the body is well typed");
        std::hint::black_box(&parsed);
    }
    let clone_only = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(body.clone());
    }
    let clones = clone_only.elapsed().as_secs_f64();
    let typed = (started.elapsed().as_secs_f64() - 2.0 * clones).max(0.0) / f64::from(rounds) * 1e6;
    (whole, typed)
}

/// Microseconds per Query of `limit` items (forward, then backward) on one partition of 10,000
/// orders, and per GetItem of one of them, on one thread: what a Query costs beyond the items it reads.
fn query_in_a_large_partition(limit: u32, rounds: u32) -> (f64, f64, f64) {
    let (store, shared) = store_with(
        json!({"TableName": "bench", "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "customer", "AttributeType": "S"},
                                 {"AttributeName": "at", "AttributeType": "N"}],
        "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"},
                      {"AttributeName": "at", "KeyType": "RANGE"}]}),
    );
    for i in 0..10_000 {
        call(
            &store,
            &shared,
            "PutItem",
            &json!({"TableName": "bench", "Item": {"customer": {"S": "c1"}, "at": {"N": i.to_string()},
            "total": {"N": "59.97"}, "status": {"S": "PLACED"},
            "lines": {"L": [{"M": {"sku": {"S": "sku-1"}, "qty": {"N": "2"}}}]}}}),
        );
    }
    let timed =
        |op: &str, body: serde_json::Value| us_per_request(&store, &shared, op, &body, rounds);
    let query = |forward: bool| {
        json!({"TableName": "bench", "Limit": limit, "ScanIndexForward": forward,
        "KeyConditionExpression": "customer = :c AND #at > :t", "ExpressionAttributeNames": {"#at": "at"},
        "ExpressionAttributeValues": {":c": {"S": "c1"}, ":t": {"N": "-1"}}})
    };
    let get = json!({"TableName": "bench", "Key": {"customer": {"S": "c1"}, "at": {"N": "5000"}}});
    (
        timed("Query", query(true)),
        timed("Query", query(false)),
        timed("GetItem", get),
    )
}

fn main() {
    let seconds: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5.0);
    println!(
        "{:<9} {:>8} {:>12} {:>12}",
        "operation", "threads", "ops/s", "CPU us/op"
    );
    for op in ["GetItem", "PutItem"] {
        let (one, cpu_one) = measure(op, 1, seconds);
        let (two, cpu_two) = measure(op, 2, seconds);
        println!("{op:<9} {:>8} {one:>12.0} {cpu_one:>12.1}", 1);
        println!("{op:<9} {:>8} {two:>12.0} {cpu_two:>12.1}", 2);
        println!(
            "{op:<9} 2 threads / 1 thread: throughput {:.2}x, CPU per op {:.2}x",
            two / one,
            cpu_two / cpu_one
        );
    }
    let (forward, backward, get) = query_in_a_large_partition(10, 2_000);
    println!(
        "Query Limit 10 in a 10,000-item partition: forward {forward:.1} us, backward {backward:.1} us; \
         GetItem {get:.2} us; forward / GetItem {:.1}x",
        forward / get
    );
    for op in ["GetItem", "PutItem"] {
        let (whole, typed) = typed_layer_share(op, 200_000);
        println!(
            "{op:<9} dispatch {whole:.2} us/request, of which the typed check {typed:.2} us ({:.1}%)",
            typed / whole * 100.0
        );
    }
}
