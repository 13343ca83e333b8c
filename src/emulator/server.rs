//! The emulator's HTTP side: an HTTP/1.1 server speaking DynamoDB's JSON protocol (POST with
//! X-Amz-Target, application/x-amz-json-1.0), on its own threads, stopped cleanly on request.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::capacity::SystemClock;
use super::error::ApiError;
use super::store::Store;
use super::{control, data};

const TARGET_PREFIX: &str = "DynamoDB_20120810.";
/// More server threads than this only adds contention on a machine of any size.
pub const MAX_THREADS: usize = 256;

/// A running emulator. Dropping it stops the server.
pub struct Emulator {
    pub addr: SocketAddr,
    shutdown: CancellationToken,
    thread: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Binds `host:port` (port 0 picks a free one) and serves on `threads` worker threads.
    pub fn start(host: &str, port: u16, threads: usize, region: &str) -> io::Result<Emulator> {
        if !(1..=MAX_THREADS).contains(&threads) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("threads must be between 1 and {MAX_THREADS}, got {threads}"),
            ));
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name("ddbload-emulator")
            .enable_all()
            .build()?;
        let listener = runtime.block_on(TcpListener::bind((host, port)))?;
        let addr = listener.local_addr()?;
        let store = Arc::new(Store::new(Arc::new(SystemClock::default()), region));
        let shutdown = CancellationToken::new();
        let stop = shutdown.clone();
        let thread = std::thread::Builder::new()
            .name("ddbload-emulator-accept".into())
            .spawn(move || {
                runtime.block_on(serve(listener, store, stop));
                runtime.shutdown_background();
            })?;
        Ok(Emulator {
            addr,
            shutdown,
            thread: Some(thread),
        })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn stop(&mut self) {
        self.shutdown.cancel();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn serve(listener: TcpListener, store: Arc<Store>, shutdown: CancellationToken) {
    let requests = Arc::new(AtomicU64::new(0));
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.cancelled() => return,
        };
        let Ok((stream, _)) = accepted else { continue };
        let _ = stream.set_nodelay(true);
        let (store, requests, shutdown) = (store.clone(), requests.clone(), shutdown.clone());
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let (store, requests) = (store.clone(), requests.clone());
                async move { Ok::<_, Infallible>(respond(req, &store, &requests).await) }
            });
            let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                _ = shutdown.cancelled() => {}
            }
        });
    }
}

async fn respond(
    req: Request<Incoming>,
    store: &Store,
    requests: &AtomicU64,
) -> Response<Full<Bytes>> {
    let id = requests.fetch_add(1, Ordering::Relaxed);
    let target = req
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let result = match req.into_body().collect().await {
        Ok(body) => dispatch(store, &target, &body.to_bytes()),
        Err(_) => Err(ApiError::serialization("could not read the request body")),
    };
    let (status, body) = match result {
        Ok(value) => (StatusCode::OK, value),
        Err(err) => (
            StatusCode::from_u16(err.status).unwrap_or(StatusCode::BAD_REQUEST),
            err.to_json(),
        ),
    };
    Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amzn-requestid", format!("ddbload-{id:016x}"))
        .body(Full::new(Bytes::from(
            serde_json::to_vec(&body).expect("JSON values serialize"),
        )))
        .expect("static response parts are valid")
}

/// Routes one request by its X-Amz-Target.
pub fn dispatch(store: &Store, target: &str, body: &[u8]) -> Result<Value, ApiError> {
    let operation = target.strip_prefix(TARGET_PREFIX).ok_or_else(|| {
        ApiError::unknown_operation(if target.is_empty() {
            "(no X-Amz-Target)"
        } else {
            target
        })
    })?;
    let request: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::serialization(format!("the request body is not JSON: {e}")))?;
    match operation {
        "CreateTable" => control::create_table(store, &request),
        "DescribeTable" => control::describe_table(store, &request),
        "UpdateTable" => control::update_table(store, &request),
        "ListTables" => control::list_tables(store, &request),
        "DeleteTable" => control::delete_table(store, &request),
        "GetItem" => data::get_item(store, &request),
        "PutItem" => data::put_item(store, &request),
        "UpdateItem" => data::update_item(store, &request),
        "DeleteItem" => data::delete_item(store, &request),
        "BatchGetItem" => data::batch_get_item(store, &request),
        "BatchWriteItem" => data::batch_write_item(store, &request),
        "Query" => data::query(store, &request),
        "Scan" => data::scan(store, &request),
        "TransactWriteItems" => data::transact_write_items(store, &request),
        other => Err(ApiError::unknown_operation(other)),
    }
}
