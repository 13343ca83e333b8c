//! The load phase's thread layout: one current-thread tokio runtime per core, each with its own DynamoDB
//! client and connection pool, its share of the workers, and one Metrics that only it touches. The
//! caller's task aggregates their one-second reports into rows.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_config::SdkConfig;
use aws_sdk_dynamodb::Client;
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};
use tokio::task::JoinSet;
use tokio::time::{interval_at, Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use super::aggregate::{Aggregator, ThreadMessage};
use super::events::Event;
use super::replay::ReplayReader;
use super::schedule::Schedule;
use super::watch::{self, CapacityWatch};
use super::worker::{open_loop, stream_rng, Arrivals, Sender, Worker};
use crate::config::ReplayConfig;
use crate::fastpath::{FastClient, FastPath};
use crate::metrics::Metrics;
use crate::report::{Measured, TableNames};
use crate::request_ids::RequestIds;
use crate::workload::{Clients, Workload};

pub struct LoadPlan {
    pub workload: Arc<Workload>,
    /// Reads the tables' provisioned figures during the run (None: don't).
    pub watch: Option<CapacityWatch>,
    pub sdk: SdkConfig,
    pub workers: u32,
    pub duration: Duration,
    /// After the deadline, how long operations already on the wire may take to answer.
    pub grace: Duration,
    pub max_attempts: u32,
    /// Request IDs kept of the slowest calls and of the first throttled calls per reason.
    pub keep_request_ids: usize,
    /// The fast path's endpoint and shared credentials (None: every call through the SDK).
    pub fast: Option<Arc<FastPath>>,
    pub read_ratio: f64,
    pub seed: u64,
    /// The open model's schedule (None: the closed model, `workers` in a loop, or a replay).
    pub schedule: Option<Schedule>,
    /// A replay's calls: the open model's arrivals, each thread reading its share of the spool.
    pub replay: Option<ReplayConfig>,
    pub max_in_flight: u32,
    /// Hold the load until a start time arrives here (a distributed run's agreed instant).
    pub begin: Option<tokio::sync::watch::Receiver<Option<f64>>>,
}

/// How an engine thread says its client is built, and learns when the run's clock starts.
struct StartingGate {
    ready: UnboundedSender<()>,
    open: tokio::sync::watch::Receiver<Option<(Instant, Instant)>>,
}

/// Order ids of the open model's engine threads start here (`<run>-900-000000001`), apart from the
/// closed model's workers.
const OPEN_WORKER_IDS: u32 = 900;

/// Runs the load to its deadline (or a cancel), waits up to the grace for operations on the wire,
/// and returns what was measured.
pub async fn run_load(
    plan: LoadPlan,
    events: &UnboundedSender<Event>,
    cancel: &CancellationToken,
) -> Measured {
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    // The open model spreads its schedule over every core; the closed one needs no more threads
    // than workers.
    let thread_count = if plan.schedule.is_some() || plan.replay.is_some() {
        cores.max(1)
    } else {
        cores.min(plan.workers as usize).max(1)
    };
    let plan = Arc::new(plan);
    let (tx, rx) = unbounded_channel();
    let (ready_tx, ready_rx) = unbounded_channel::<()>();
    let (gate_tx, gate) = tokio::sync::watch::channel(None);
    let handles = start_threads(&plan, thread_count, &tx, &ready_tx, &gate, cancel);
    drop((tx, ready_tx));
    all_ready(ready_rx, handles.len()).await;
    if let Some(begin) = plan.begin.clone() {
        wait_for_begin(begin, events, cancel).await;
    }
    let start = Instant::now();
    let _ = gate_tx.send(Some((start, start + plan.duration)));
    let aggregator = aggregate(&plan, thread_count, rx, start, events, cancel).await;
    for handle in handles {
        let _ = handle.join();
    }
    Measured {
        metrics: aggregator.totals,
        timeseries: aggregator.rows,
        // The run's own window: answers that came in the grace are counted, not timed.
        duration_s: start.elapsed().min(plan.duration).as_secs_f64(),
        interrupted: cancel.is_cancelled(),
    }
}

/// One engine thread per share of the load; a thread that cannot start is reported done at once so
/// the rows still flow.
fn start_threads(
    plan: &Arc<LoadPlan>,
    thread_count: usize,
    tx: &UnboundedSender<ThreadMessage>,
    ready: &UnboundedSender<()>,
    gate: &tokio::sync::watch::Receiver<Option<(Instant, Instant)>>,
    cancel: &CancellationToken,
) -> Vec<thread::JoinHandle<()>> {
    let mut handles = Vec::with_capacity(thread_count);
    for index in 0..thread_count {
        let (plan, thread_tx, cancel) = (plan.clone(), tx.clone(), cancel.clone());
        let gate = StartingGate {
            ready: ready.clone(),
            open: gate.clone(),
        };
        let workers: Vec<u32> = (0..plan.workers)
            .filter(|w| *w as usize % thread_count == index)
            .collect();
        let spawned = thread::Builder::new()
            .name(format!("ddbload-load-{index}"))
            .spawn(move || {
                engine_thread(
                    index,
                    thread_count,
                    workers,
                    &plan,
                    gate,
                    &cancel,
                    &thread_tx,
                )
            });
        match spawned {
            Ok(handle) => handles.push(handle),
            Err(_) => {
                let _ = tx.send(ThreadMessage::Done {
                    thread: index,
                    metrics: Box::default(),
                });
            }
        }
    }
    handles
}

/// Waits (10 s at most) until every engine thread has built its client: the clock must not start
/// with a backlog of arrivals that fell due while connection pools were being built.
async fn all_ready(mut ready: tokio::sync::mpsc::UnboundedReceiver<()>, threads: usize) {
    let _ = tokio::time::timeout(Duration::from_secs(10), async {
        for _ in 0..threads {
            if ready.recv().await.is_none() {
                break;
            }
        }
    })
    .await;
}

/// Turns the threads' one-second reports into rows (sent as ticks) until every thread is done,
/// reading the tables' provisioned figures meanwhile when the plan asks for it.
async fn aggregate(
    plan: &LoadPlan,
    thread_count: usize,
    mut rx: tokio::sync::mpsc::UnboundedReceiver<ThreadMessage>,
    start: Instant,
    events: &UnboundedSender<Event>,
    cancel: &CancellationToken,
) -> Aggregator {
    let deadline = start + plan.duration;
    let mut aggregator = Aggregator::new(thread_count);
    aggregator.schedule = plan.schedule.clone();
    aggregator.replay = plan.replay.clone();
    aggregator.tables = TableNames(plan.workload.slot_names());
    aggregator.operation_names = plan.workload.operation_names();
    if let Some(watch) = &plan.watch {
        let _ =
            tokio::time::timeout(watch::EVERY / 2, watch.poll(&mut aggregator.provisioned)).await;
    }
    let mut polls = tokio::time::interval_at(start + watch::EVERY, watch::EVERY);
    polls.set_missed_tick_behavior(MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            message = rx.recv() => match message {
                Some(message) => {
                    for released in aggregator.absorb(message) {
                        let _ = events.send(Event::tick(released));
                    }
                }
                None => break,
            },
            _ = polls.tick(), if plan.watch.is_some() && Instant::now() < deadline && !cancel.is_cancelled() => {
                if let Some(watch) = &plan.watch {
                    // A slow or stalled endpoint must not hold up the rows: the last figures stay.
                    let _ = tokio::time::timeout(watch::EVERY / 2, watch.poll(&mut aggregator.provisioned)).await;
                }
            }
        }
    }
    for released in aggregator.finish() {
        let _ = events.send(Event::tick(released));
    }
    aggregator
}

/// Says the run is ready, then waits for its start time (wall clock) and for that instant; a cancel
/// ends the wait (the load then ends at once).
async fn wait_for_begin(
    mut begin: tokio::sync::watch::Receiver<Option<f64>>,
    events: &UnboundedSender<Event>,
    cancel: &CancellationToken,
) {
    let _ = events.send(Event::phase(
        "ready",
        "connected; waiting for the start time",
    ));
    let wait = async {
        let Ok(at) = begin
            .wait_for(Option::is_some)
            .await
            .map(|at| at.unwrap_or(0.0))
        else {
            return;
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        // A start time further off than a minute is a clock problem, not a plan: wait no longer.
        let delay = (at - now).clamp(0.0, 60.0);
        tokio::time::sleep(Duration::from_secs_f64(delay)).await;
    };
    tokio::select! {
        () = wait => {}
        _ = cancel.cancelled() => {}
    }
}

fn engine_thread(
    index: usize,
    thread_count: usize,
    worker_ids: Vec<u32>,
    plan: &LoadPlan,
    mut gate: StartingGate,
    cancel: &CancellationToken,
    tx: &UnboundedSender<ThreadMessage>,
) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime starts");
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async {
        let clients = thread_clients(plan);
        let _ = gate.ready.send(());
        let Ok(opened) = gate.open.wait_for(Option::is_some).await else {
            return;
        };
        let Some((start, deadline)) = *opened else {
            return;
        };
        let metrics = Rc::new(RefCell::new(Metrics {
            request_ids: RequestIds::new(plan.keep_request_ids),
            ..Metrics::default()
        }));
        let sender = Rc::new(Sender {
            workload: plan.workload.clone(),
            clients,
            metrics: metrics.clone(),
            cancel: cancel.clone(),
            deadline,
            grace_end: deadline + plan.grace,
            max_attempts: plan.max_attempts,
        });
        let workers = spawn_load(plan, sender, (index, thread_count), worker_ids, start);
        report_until_done(workers, &metrics, tx, index, start).await;
    });
}

/// This thread's clients, on its own runtime: a connection pool of its own (connections live on the
/// runtime that drives them) for the SDK, and the fast path's.
fn thread_clients(plan: &LoadPlan) -> Clients {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
        .build_https();
    Clients {
        sdk: Client::from_conf(
            aws_sdk_dynamodb::config::Builder::from(&plan.sdk)
                .http_client(http)
                .build(),
        ),
        fast: plan.fast.clone().map(FastClient::new),
    }
}

/// The thread's share of the load: its closed-loop workers, or its share of the open model's arrivals.
fn spawn_load(
    plan: &LoadPlan,
    sender: Rc<Sender>,
    (index, thread_count): (usize, usize),
    worker_ids: Vec<u32>,
    start: Instant,
) -> JoinSet<()> {
    let mut workers = JoinSet::new();
    let replayed = match &plan.replay {
        None => None,
        Some(replay) => {
            match ReplayReader::open(replay, (index, thread_count), start, plan.duration) {
                Ok(reader) => Some(reader),
                // `ddbload replay` wrote the spool just before; should it be gone, this thread's share
                // is not sent (never drawn instead), and the counts against the trace show it.
                Err(_) => return workers,
            }
        }
    };
    // The schedule is not read when a replay gives the arrivals.
    let placeholder = replayed
        .is_some()
        .then(|| Schedule::constant(1.0, plan.duration));
    match plan.schedule.as_ref().or(placeholder.as_ref()) {
        Some(schedule) => {
            let share = 1.0 / thread_count as f64;
            let arrivals = Arrivals {
                replay: replayed,
                schedule: schedule.scaled(share),
                offset: (index + 1) as f64 / thread_count as f64,
                start,
                read_ratio: plan.read_ratio,
                in_flight: (plan.max_in_flight as usize).div_ceil(thread_count).max(1),
                worker_id: OPEN_WORKER_IDS + index as u32,
                seed: plan.seed ^ (index as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03),
            };
            workers.spawn_local(open_loop(sender, arrivals));
        }
        None => {
            for id in worker_ids {
                let worker = Worker {
                    id,
                    sender: sender.clone(),
                    read_ratio: plan.read_ratio,
                    rng: stream_rng(plan.seed, u64::from(id)),
                };
                workers.spawn_local(worker.run());
            }
        }
    }
    workers
}

/// Sends the aggregator this thread's figures every second until its load ends, then the last
/// (partial) second and everything it measured.
async fn report_until_done(
    mut workers: JoinSet<()>,
    metrics: &RefCell<Metrics>,
    tx: &UnboundedSender<ThreadMessage>,
    index: usize,
    start: Instant,
) {
    let mut ticker = interval_at(start + Duration::from_secs(1), Duration::from_secs(1));
    ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut last_second = 0u64;
    loop {
        tokio::select! {
            at = ticker.tick() => {
                let second = (at - start).as_secs_f64().round() as u64;
                let interval = metrics.borrow_mut().take_interval();
                let _ = tx.send(ThreadMessage::Tick { thread: index, second, seconds: 1.0, interval: Box::new(interval) });
                last_second = second;
            }
            joined = workers.join_next() => if joined.is_none() { break },
        }
    }
    let seconds = (start.elapsed().as_secs_f64() - last_second as f64).clamp(0.0, 1.0);
    let interval = metrics.borrow_mut().take_interval();
    if !interval.is_empty() || seconds >= 0.05 {
        let _ = tx.send(ThreadMessage::Tick {
            thread: index,
            second: last_second + 1,
            seconds: (seconds * 1000.0).round() / 1000.0,
            interval: Box::new(interval),
        });
    }
    let metrics = std::mem::take(&mut *metrics.borrow_mut());
    let _ = tx.send(ThreadMessage::Done {
        thread: index,
        metrics: Box::new(metrics),
    });
}
