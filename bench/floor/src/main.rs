//! The floor for client CPU per operation: ddbload's GetItem/PutItem mix signed with aws-sigv4 and sent over
//! hyper's HTTP/1 connections, and nothing more (no SDK, no retries, no per-table accounting).
//!
//! Usage: `ddbload-floor URL SECONDS [WORKERS=20] [READ_RATIO=0.8]`; prints one JSON line with ops,
//! errors, seconds, p50_ms and p99_ms. CPU is measured from outside (bench/null_endpoint.py).

use std::net::SocketAddr;
use std::process::exit;
use std::time::{Duration, Instant, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use bytes::Bytes;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// One current-thread runtime per core of the project's 2-core machine, as ddbload's engine has.
const THREADS: usize = 2;
/// The products the null endpoint's Scan lists (bench/nginx.conf.template), with their prices in cents.
const PRODUCTS: [(&str, i64); 4] = [("p1", 1999), ("p2", 500), ("p3", 12050), ("p4", 99)];

struct Target {
    url: String,
    host: String,
    addr: SocketAddr,
}

struct Tally {
    ops: u64,
    errors: u64,
    latency_us: Histogram<u64>,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = || -> ! {
        eprintln!("usage: ddbload-floor http://HOST:PORT SECONDS [WORKERS] [READ_RATIO]");
        exit(2)
    };
    let (Some(url), Some(seconds)) = (args.get(1), args.get(2).and_then(|s| s.parse::<f64>().ok()))
    else {
        usage()
    };
    let workers: usize = args
        .get(3)
        .map_or(Some(20), |s| s.parse().ok())
        .unwrap_or_else(|| usage());
    let read_ratio: f64 = args
        .get(4)
        .map_or(Some(0.8), |s| s.parse().ok())
        .unwrap_or_else(|| usage());
    let Some(host) = url
        .strip_prefix("http://")
        .map(|h| h.trim_end_matches('/').to_owned())
    else {
        usage()
    };
    let Ok(addr) = host.parse::<SocketAddr>() else {
        usage()
    };
    let target = Target {
        url: format!("http://{host}/"),
        host,
        addr,
    };
    let key = std::env::var("AWS_ACCESS_KEY_ID").unwrap_or_else(|_| "x".into());
    let secret = std::env::var("AWS_SECRET_ACCESS_KEY").unwrap_or_else(|_| "x".into());
    let identity: Identity = Credentials::new(key, secret, None, None, "floor").into();

    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
    let tallies: Vec<Tally> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|thread| {
                let (target, identity) = (&target, &identity);
                scope.spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    let local = tokio::task::LocalSet::new();
                    local.block_on(&runtime, async {
                        let mut tasks = tokio::task::JoinSet::new();
                        for id in (thread..workers).step_by(THREADS) {
                            let (target, identity) = (target.clone_parts(), identity.clone());
                            tasks.spawn_local(worker(
                                id as u64, target, identity, read_ratio, deadline,
                            ));
                        }
                        let mut tallies = Vec::new();
                        while let Some(joined) = tasks.join_next().await {
                            tallies.push(joined.expect("a worker does not panic"));
                        }
                        tallies
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a thread does not panic"))
            .collect()
    });
    let seconds = started.elapsed().as_secs_f64();
    let mut total = Tally {
        ops: 0,
        errors: 0,
        latency_us: Histogram::new(3).unwrap(),
    };
    for tally in tallies {
        total.ops += tally.ops;
        total.errors += tally.errors;
        total.latency_us.add(&tally.latency_us).unwrap();
    }
    println!(
        "{{\"ops\": {}, \"errors\": {}, \"seconds\": {seconds:.3}, \"p50_ms\": {:.3}, \"p99_ms\": {:.3}}}",
        total.ops,
        total.errors,
        total.latency_us.value_at_quantile(0.5) as f64 / 1000.0,
        total.latency_us.value_at_quantile(0.99) as f64 / 1000.0,
    );
}

impl Target {
    fn clone_parts(&self) -> Target {
        Target {
            url: self.url.clone(),
            host: self.host.clone(),
            addr: self.addr,
        }
    }
}

/// One connection, one request at a time, until the deadline.
async fn worker(
    id: u64,
    target: Target,
    identity: Identity,
    read_ratio: f64,
    deadline: Instant,
) -> Tally {
    let mut tally = Tally {
        ops: 0,
        errors: 0,
        latency_us: Histogram::new(3).unwrap(),
    };
    let stream = tokio::net::TcpStream::connect(target.addr)
        .await
        .expect("the endpoint accepts");
    stream.set_nodelay(true).unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("HTTP/1 handshake");
    tokio::task::spawn_local(connection);
    let mut rng = SmallRng::seed_from_u64(id);
    let mut seq = 0u64;
    while Instant::now() < deadline {
        let (operation, body) = if rng.random::<f64>() < read_ratio {
            ("GetItem", get_item(&mut rng))
        } else {
            seq += 1;
            ("PutItem", put_item(&mut rng, id, seq))
        };
        let request = signed(&target, operation, body, &identity);
        let began = Instant::now();
        let answered = match sender.send_request(request).await {
            Ok(response) => {
                let ok = response.status().is_success();
                response.into_body().collect().await.is_ok() && ok
            }
            Err(_) => false,
        };
        let _ = tally.latency_us.record(began.elapsed().as_micros() as u64);
        if answered {
            tally.ops += 1;
        } else {
            tally.errors += 1;
        }
    }
    tally
}

fn get_item(rng: &mut SmallRng) -> String {
    let (product, _) = PRODUCTS[rng.random_range(0..PRODUCTS.len())];
    format!(
        r#"{{"TableName":"BenchProducts","Key":{{"id":{{"S":"{product}"}}}},"ConsistentRead":false,"ReturnConsumedCapacity":"TOTAL"}}"#
    )
}

/// An order as ddbload writes one: one to three lines, money as exact decimal strings.
fn put_item(rng: &mut SmallRng, worker: u64, seq: u64) -> String {
    let mut lines = Vec::new();
    let mut total_cents = 0i64;
    for _ in 0..rng.random_range(1..=3) {
        let (product, cents) = PRODUCTS[rng.random_range(0..PRODUCTS.len())];
        let quantity = rng.random_range(1..=5i64);
        total_cents += cents * quantity;
        lines.push(format!(
            r#"{{"M":{{"product_id":{{"S":"{product}"}},"unit_price":{{"N":"{}"}},"quantity":{{"N":"{quantity}"}},"line_total":{{"N":"{}"}}}}}}"#,
            money(cents),
            money(cents * quantity)
        ));
    }
    format!(
        r##"{{"TableName":"BenchOrders","Item":{{"order_id":{{"S":"floor-{worker:03}-{seq}"}},"run_id":{{"S":"floor"}},"created_at":{{"S":"2026-11-26T00:00:00Z"}},"status":{{"S":"PLACED"}},"currency":{{"S":"USD"}},"line_count":{{"N":"{}"}},"lines":{{"L":[{}]}},"total":{{"N":"{}"}},"generated_by":{{"S":"ddbload"}}}},"ConditionExpression":"attribute_not_exists(#pk)","ExpressionAttributeNames":{{"#pk":"order_id"}},"ReturnConsumedCapacity":"TOTAL"}}"##,
        lines.len(),
        lines.join(","),
        money(total_cents)
    )
}

fn money(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

fn signed(
    target: &Target,
    operation: &str,
    body: String,
    identity: &Identity,
) -> http::Request<Full<Bytes>> {
    let amz_target = format!("DynamoDB_20120810.{operation}");
    let headers = [
        ("content-type", "application/x-amz-json-1.0"),
        ("host", target.host.as_str()),
        ("x-amz-target", amz_target.as_str()),
    ];
    let params = v4::SigningParams::builder()
        .identity(identity)
        .region("us-east-1")
        .name("dynamodb")
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .expect("signing parameters are complete")
        .into();
    let signable = SignableRequest::new(
        "POST",
        &target.url,
        headers.iter().copied(),
        SignableBody::Bytes(body.as_bytes()),
    )
    .expect("a valid request");
    let (instructions, _) = sign(signable, &params)
        .expect("signing succeeds")
        .into_parts();
    let mut request = http::Request::post("/");
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let mut request = request
        .body(Full::new(Bytes::from(body)))
        .expect("a valid request");
    instructions.apply_to_request_http1x(&mut request);
    request
}
