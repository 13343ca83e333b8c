//! The HTTP side: an HTTP/1.1 server speaking DynamoDB's JSON protocol (POST with X-Amz-Target,
//! application/x-amz-json-1.0) on its own threads. It bounds what a client can make it hold: bodies
//! over DynamoDB's 16 MB request limit are refused early (413), slow or idle connections time out,
//! and accept errors (such as running out of descriptors) back off instead of spinning.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::net::ToSocketAddrs;

use tokio::net::{TcpListener, TcpSocket};
use tokio_util::sync::CancellationToken;

use crate::clock::{Clock, SystemClock};
use crate::error::ApiError;
use crate::ops::{dispatch_signed, Shared};
use crate::store::Store;

/// More server threads than this only adds contention on a machine of any size.
pub const MAX_THREADS: usize = 256;
/// DynamoDB's HTTP request size limit.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// A client has this long to send a request's body once its headers are in.
const READ_TIMEOUT: Duration = Duration::from_secs(30);
/// A connection on which no request has begun for this long is closed: an idle kept-alive one, or
/// one sending its headers too slowly. (hyper's own header timeout would also run while a kept-alive
/// connection waits, closing idle connections SDK pools still count on, so it is not used.)
const IDLE_TIMEOUT: Duration = Duration::from_secs(120);
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);

/// A running emulator. Dropping it stops the server.
pub struct Emulator {
    pub addr: SocketAddr,
    pub store: Arc<Store>,
    shutdown: CancellationToken,
    threads: Vec<JoinHandle<()>>,
    /// Table operations on disk that no longer succeeded when replayed at start (`start_on_disk`).
    pub warnings: Vec<String>,
}

/// What every server thread shares.
struct Context {
    store: Arc<Store>,
    shared: Arc<Shared>,
    requests: Arc<AtomicU64>,
    shutdown: CancellationToken,
    started: Instant,
}

impl Emulator {
    /// Binds `host:port` (port 0 picks a free one) and serves on `threads` worker threads.
    pub fn start(host: &str, port: u16, threads: usize, region: &str) -> io::Result<Emulator> {
        Emulator::start_with_clock(
            host,
            port,
            threads,
            region,
            Arc::new(SystemClock::default()),
        )
    }

    /// `start` keeping tables in `data_dir` (created if missing): the tables it held when the
    /// endpoint last stopped are back, with their items.
    pub fn start_on_disk(
        host: &str,
        port: u16,
        threads: usize,
        region: &str,
        data_dir: &std::path::Path,
    ) -> io::Result<Emulator> {
        check_threads(threads)?;
        let disk = crate::disk::Disk::open(data_dir, region)?;
        let store = Store::on_disk(Arc::new(SystemClock::default()), region, disk);
        let warnings = crate::ops::replay_journal(&store)?;
        let mut emulator = Emulator::serve_store(host, port, threads, Arc::new(store))?;
        emulator.warnings = warnings;
        Ok(emulator)
    }

    /// `start` on a given clock (tests run the real server on simulated time).
    pub fn start_with_clock(
        host: &str,
        port: u16,
        threads: usize,
        region: &str,
        clock: Arc<dyn Clock>,
    ) -> io::Result<Emulator> {
        check_threads(threads)?;
        Emulator::serve_store(host, port, threads, Arc::new(Store::new(clock, region)))
    }

    fn serve_store(
        host: &str,
        port: u16,
        threads: usize,
        store: Arc<Store>,
    ) -> io::Result<Emulator> {
        let shutdown = CancellationToken::new();
        let shared = Arc::new(Shared::default());
        let requests = Arc::new(AtomicU64::new(first_request_number()));
        let started = Instant::now();
        // One current-thread runtime per server thread, each with its own listener on the same port
        // (SO_REUSEPORT: the kernel spreads connections): no work stealing between threads.
        let mut addr = (host, port).to_socket_addrs()?.next().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("cannot resolve {host}"),
            )
        })?;
        let mut handles = Vec::with_capacity(threads);
        for index in 0..threads {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let listener = {
                let _entered = runtime.enter();
                let socket = if addr.is_ipv4() {
                    TcpSocket::new_v4()?
                } else {
                    TcpSocket::new_v6()?
                };
                socket.set_reuseaddr(true)?;
                if threads > 1 {
                    socket.set_reuseport(true)?;
                }
                socket.bind(addr)?;
                socket.listen(1024)?
            };
            addr = listener.local_addr()?;
            let context = Context {
                store: store.clone(),
                shared: shared.clone(),
                requests: requests.clone(),
                shutdown: shutdown.clone(),
                started,
            };
            handles.push(
                std::thread::Builder::new()
                    .name(format!("ddbload-emulator-{index}"))
                    .spawn(move || {
                        if index == 0 {
                            runtime.spawn(sweep_in_background(
                                context.store.clone(),
                                context.shutdown.clone(),
                            ));
                        }
                        runtime.block_on(serve(listener, context));
                        runtime.shutdown_background();
                    })?,
            );
        }
        Ok(Emulator {
            addr,
            store,
            shutdown,
            threads: handles,
            warnings: Vec::new(),
        })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn stop(&mut self) {
        self.shutdown.cancel();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
        self.store.flush_disk();
        if let Some(disk) = &self.store.disk {
            disk.close();
        }
    }
}

fn check_threads(threads: usize) -> io::Result<()> {
    if (1..=MAX_THREADS).contains(&threads) {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("threads must be between 1 and {MAX_THREADS}, got {threads}"),
        ))
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn serve(listener: TcpListener, context: Context) {
    let Context {
        store,
        shared,
        requests,
        shutdown,
        started,
    } = context;
    let mut backoff = Duration::from_millis(10);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.cancelled() => return,
        };
        let stream = match accepted {
            Ok((stream, _)) => {
                backoff = Duration::from_millis(10);
                stream
            }
            Err(_) => {
                // Out of descriptors (or a similar transient fault): wait rather than spin.
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = shutdown.cancelled() => return,
                }
                backoff = (backoff * 2).min(ACCEPT_BACKOFF_MAX);
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let (store, shared, requests, shutdown) = (
            store.clone(),
            shared.clone(),
            requests.clone(),
            shutdown.clone(),
        );
        tokio::spawn(async move {
            let last_request = Arc::new(AtomicU64::new(0));
            let seen = last_request.clone();
            let service = service_fn(move |req| {
                let (store, shared, requests, seen) = (
                    store.clone(),
                    shared.clone(),
                    requests.clone(),
                    seen.clone(),
                );
                async move {
                    seen.store(started.elapsed().as_secs(), Ordering::Relaxed);
                    Ok::<_, Infallible>(respond(req, &store, &shared, &requests).await)
                }
            });
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(None)
                .serve_connection(TokioIo::new(stream), service);
            tokio::pin!(connection);
            last_request.store(started.elapsed().as_secs(), Ordering::Relaxed);
            let mut closing = false;
            loop {
                tokio::select! {
                    _ = &mut connection => return,
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(Duration::from_secs(5)) => {
                        let idle = started.elapsed().as_secs() - last_request.load(Ordering::Relaxed);
                        if idle > IDLE_TIMEOUT.as_secs() {
                            if closing {
                                // Still open 5 s after asking it to close (headers half sent): drop it.
                                return;
                            }
                            connection.as_mut().graceful_shutdown();
                            closing = true;
                        }
                    }
                }
            }
        });
    }
}

/// Seconds of the endpoint's clock between two sweeps (`Store::tick`): expired items are deleted
/// within about this long, without consuming capacity, and auto scaling's policies are evaluated
/// as often.
pub const SWEEP_SECONDS: f64 = 5.0;
/// How often the sweeper reads the clock (real time): a simulated clock moved forward is seen
/// within this long.
const SWEEP_POLL: Duration = Duration::from_millis(250);

async fn sweep_in_background(store: Arc<Store>, shutdown: CancellationToken) {
    let mut last = store.now();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(SWEEP_POLL) => {}
            _ = shutdown.cancelled() => return,
        }
        if store.now() - last < SWEEP_SECONDS {
            continue;
        }
        last = store.now();
        let store = store.clone();
        // A sweep walks every item of tables with TTL: off the thread that answers requests.
        let _ = tokio::task::spawn_blocking(move || store.tick()).await;
    }
}

/// The x-amzn-requestid of request number `id`, in DynamoDB's form (52 characters, A-Z and 0-9):
/// "DDBLOAD", the millisecond this process first answered, and the number. Each endpoint of a process
/// numbers its requests from its own base (`first_request_number`), so no two requests share an ID.
pub fn request_id(id: u64) -> String {
    static PREFIX: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let prefix = PREFIX.get_or_init(|| {
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        format!("DDBLOAD{:013}", started % 10_u128.pow(13))
    });
    // Written by hand: this runs on every answer, and format! was 1.5% of a GetItem's server CPU.
    let mut digits = [b'0'; 32];
    let mut rest = id;
    for digit in digits.iter_mut().rev() {
        *digit = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let mut text = String::with_capacity(prefix.len() + digits.len());
    text.push_str(prefix);
    text.push_str(std::str::from_utf8(&digits).expect("ASCII digits"));
    text
}

/// Where an endpoint's request numbers start: each endpoint of the process 2^40 after the last.
fn first_request_number() -> u64 {
    static ENDPOINTS: AtomicU64 = AtomicU64::new(0);
    ENDPOINTS.fetch_add(1, Ordering::Relaxed) << 40
}

fn answer(result: Result<serde_json::Value, ApiError>, id: u64) -> Response<Full<Bytes>> {
    let (status, body) = match result {
        Ok(value) => (StatusCode::OK, value),
        Err(err) => (
            StatusCode::from_u16(err.status).unwrap_or(StatusCode::BAD_REQUEST),
            err.to_json(),
        ),
    };
    let body = serde_json::to_vec(&body).expect("JSON values serialize");
    Response::builder()
        .status(status)
        .header(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("application/x-amz-json-1.0"),
        )
        .header(crate::http_edges::REQUEST_ID, request_id(id))
        .header(crate::http_edges::CRC32, crate::http_edges::crc32(&body))
        .body(Full::new(Bytes::from(body)))
        .expect("static response parts are valid")
}

async fn respond(
    req: Request<Incoming>,
    store: &Store,
    shared: &Shared,
    requests: &AtomicU64,
) -> Response<Full<Bytes>> {
    let id = requests.fetch_add(1, Ordering::Relaxed);
    let origin = req.headers().contains_key(hyper::header::ORIGIN);
    let mut response =
        match crate::http_edges::answer(req.method(), req.headers(), &store.region, id) {
            Some(response) => response,
            None => respond_to_call(req, store, shared, id).await,
        };
    crate::http_edges::allow_origin(&mut response, origin);
    response
}

/// An API call: its body read within the endpoint's limits and dispatched by its target.
async fn respond_to_call(
    req: Request<Incoming>,
    store: &Store,
    shared: &Shared,
    id: u64,
) -> Response<Full<Bytes>> {
    // CloudWatch's protocol (Smithy RPC v2 CBOR) names the operation in the path.
    let cloudwatch = req
        .uri()
        .path()
        .strip_prefix(crate::cloudwatch::PATH_PREFIX)
        .map(str::to_owned);
    let target = req
        .headers()
        .get(crate::http_edges::TARGET)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    // DynamoDB's own calls are read only as JSON and only when signed (other services' are left to them).
    let media = crate::front_door::json_content_type(req.headers());
    // DynamoDB answers in the JSON type the call was sent in, application/json when it named none.
    let answered_in = media.unwrap_or("application/json");
    let signature = crate::front_door::signature(req.headers(), req.uri().query());
    let declared = req
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return in_type(answer(Err(ApiError::too_large()), id), answered_in);
    }
    let body = Limited::new(req.into_body(), MAX_BODY_BYTES);
    let collected = match tokio::time::timeout(READ_TIMEOUT, body.collect()).await {
        Err(_) => Err(ApiError::body_read_timeout()),
        Ok(Err(err))
            if err
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            Err(ApiError::too_large())
        }
        Ok(Err(_)) => Err(ApiError::body_unreadable()),
        Ok(Ok(body)) => Ok(body.to_bytes()),
    };
    if let Some(operation) = cloudwatch {
        let answer = match collected {
            Ok(bytes) => crate::cloudwatch::dispatch(store, shared, &operation, &bytes),
            Err(_) => crate::cloudwatch::Answer::error(
                413,
                "InvalidParameterValue",
                "the request body could not be read",
            ),
        };
        return answer.into_response(id);
    }
    if let Some(operation) = target.strip_prefix(crate::cloudwatch_json::TARGET_PREFIX) {
        let body = collected.as_deref().ok();
        return crate::cloudwatch_json::respond(store, shared, operation, body, id);
    }
    if let Some(operation) = target.strip_prefix(crate::autoscaling::TARGET_PREFIX) {
        let result =
            collected.and_then(|bytes| crate::autoscaling::dispatch(store, operation, &bytes));
        let mut response = answer(result, id);
        response.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("application/x-amz-json-1.1"),
        );
        return response;
    }
    if let Some(operation) = target.strip_prefix(crate::streams_api::TARGET_PREFIX) {
        let result =
            collected.and_then(|bytes| crate::streams_api::dispatch(store, operation, &bytes));
        return answer(result, id);
    }
    if let Some(operation) = target.strip_prefix(crate::faults::TARGET_PREFIX) {
        let result = collected.and_then(|bytes| shared.faults.admin(store, operation, &bytes));
        return answer(result, id);
    }
    if collected.as_ref().is_ok_and(|b| !b.is_empty()) && media.is_none() {
        return crate::http_edges::no_operation(id);
    }
    if let (Ok(bytes), Ok(())) = (&collected, &signature) {
        if let Some(hit) = shared
            .faults
            .hit_request(store, &target, bytes, store.now())
        {
            if hit.wait_s > 0.0 {
                tokio::time::sleep(Duration::from_secs_f64(hit.wait_s.min(3600.0))).await;
            }
            if let Some((code, status)) = hit.error {
                let mut injected = ApiError::injected_fault(&code, status);
                let req = serde_json::from_slice(bytes).unwrap_or_default();
                let table = crate::faults::table_of(&req).unwrap_or_default();
                if code.ends_with("ProvisionedThroughputExceededException")
                    || code.ends_with("ThrottlingException")
                {
                    let operation = target
                        .strip_prefix(crate::ops::TARGET_PREFIX)
                        .unwrap_or_default();
                    shared
                        .requests
                        .record_injected_throttle(operation, &table, store.now());
                }
                if let Some(reason) = hit.reason {
                    injected.extra.push((
                        "ThrottlingReasons",
                        serde_json::json!([{ "reason": reason, "resource": store.arn(&table) }]),
                    ));
                }
                return in_type(answer(Err(injected), id), answered_in);
            }
        }
    }
    let result =
        collected.and_then(|bytes| dispatch_signed(store, shared, &target, &bytes, signature));
    in_type(answer(result, id), answered_in)
}

/// A DynamoDB answer in `media` (`answer` writes application/x-amz-json-1.0).
fn in_type(mut response: Response<Full<Bytes>>, media: &'static str) -> Response<Full<Bytes>> {
    if media != "application/x-amz-json-1.0" {
        response.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static(media),
        );
    }
    response
}
