//! Sending operations, in either model. `Sender` sends one operation with retries (exponential
//! backoff, full jitter), cuts it at the run's deadline (counted as cut, so a stalled endpoint cannot
//! stretch a run) and gives it a grace after a cancel. `Worker` is the closed model: send, wait,
//! send. `open_loop` is the open model: arrivals at their intended starts, whatever the answers.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use tokio::sync::Notify;
use tokio::time::{sleep, sleep_until, timeout_at, Instant};
use tokio_util::sync::CancellationToken;

use super::pacer::Pacer;
use super::schedule::Schedule;
use crate::metrics::{Metrics, Outcome};
use crate::workload::{AttemptResult, Clients, Request, Workload};

/// After a cancel, an attempt already on the wire gets this long to answer; then it is counted as
/// "InFlightAtInterrupt" (its effect on the table is unknown).
const CANCEL_GRACE: Duration = Duration::from_millis(700);
const BACKOFF_BASE: Duration = Duration::from_millis(25);
const BACKOFF_CAP: Duration = Duration::from_secs(2);

/// What sending needs, shared by one engine thread's workers or arrivals.
pub struct Sender {
    pub workload: Arc<Workload>,
    pub clients: Clients,
    pub metrics: Rc<RefCell<Metrics>>,
    pub cancel: CancellationToken,
    pub deadline: Instant,
    pub max_attempts: u32,
}

impl Sender {
    /// A read or a write, drawn by `read_ratio`; an order that cannot be generated is recorded.
    fn next_request(
        &self,
        rng: &mut SmallRng,
        read_ratio: f64,
        worker: u32,
        seq: &mut u64,
    ) -> Option<(Request, bool)> {
        let read = rng.random_bool(read_ratio);
        self.request_for(rng, read, worker, seq)
            .map(|request| (request, read))
    }

    /// A read, or an order numbered `seq + 1` (`seq` is advanced); an order that cannot be
    /// generated is recorded.
    fn request_for(
        &self,
        rng: &mut SmallRng,
        read: bool,
        worker: u32,
        seq: &mut u64,
    ) -> Option<Request> {
        if read {
            return Some(self.workload.next_read(rng));
        }
        *seq += 1;
        match self.workload.next_write(rng, worker, *seq) {
            Ok(request) => Some(request),
            Err(_) => {
                let code = "OrderGenerationError".to_owned();
                self.metrics
                    .borrow_mut()
                    .record(false, Outcome::Failed(code), Duration::ZERO);
                None
            }
        }
    }

    /// One operation to its end: the outcome and when its first attempt was sent.
    pub async fn operation(
        &self,
        request: &mut Request,
        read: bool,
        rng: &mut SmallRng,
    ) -> (Outcome, Option<Instant>) {
        let first_send = Cell::new(None);
        let deadline = self.deadline;
        let outcome = {
            let send = self.send_with_retries(request, read, rng, &first_send);
            tokio::pin!(send);
            tokio::select! {
                outcome = &mut send => outcome,
                _ = sleep_until(deadline) => Outcome::Cut,
                _ = self.cancel.cancelled() => {
                    let grace_end = (Instant::now() + CANCEL_GRACE).min(deadline);
                    match timeout_at(grace_end, &mut send).await {
                        Ok(outcome) => outcome,
                        Err(_) if Instant::now() >= deadline => Outcome::Cut,
                        Err(_) => Outcome::Failed("InFlightAtInterrupt".into()),
                    }
                }
            }
        };
        (outcome, first_send.get())
    }

    async fn send_with_retries(
        &self,
        request: &mut Request,
        read: bool,
        rng: &mut SmallRng,
        first_send: &Cell<Option<Instant>>,
    ) -> Outcome {
        let mut attempt = 1;
        loop {
            self.metrics.borrow_mut().record_attempt(read);
            if first_send.get().is_none() {
                first_send.set(Some(Instant::now()));
            }
            let sent = self.workload.attempt(&self.clients, request).await;
            let retry_code = {
                let mut metrics = self.metrics.borrow_mut();
                metrics.add_capacity(&sent.capacity);
                match sent.result {
                    AttemptResult::Ok => return Outcome::Ok,
                    AttemptResult::ConditionalFailed => return Outcome::ConditionalFailed,
                    AttemptResult::Failed(code) => return Outcome::Failed(code),
                    AttemptResult::Throttled { code, reason } => {
                        metrics.record_throttle(read, reason.as_deref().unwrap_or(&code));
                        code
                    }
                    AttemptResult::Retryable(code) => code,
                }
            };
            if attempt >= self.max_attempts {
                return Outcome::GaveUp(retry_code);
            }
            if self.cancel.is_cancelled() {
                return Outcome::Failed(retry_code);
            }
            let ceiling = BACKOFF_BASE
                .saturating_mul(1 << (attempt - 1).min(16))
                .min(BACKOFF_CAP);
            let backoff = ceiling.mul_f64(rng.random::<f64>());
            if Instant::now() + backoff >= self.deadline {
                return Outcome::Cut;
            }
            tokio::select! {
                _ = sleep(backoff) => {}
                _ = self.cancel.cancelled() => return Outcome::Failed(retry_code),
            }
            attempt += 1;
        }
    }
}

/// The random stream numbered `n` of a run seeded `seed`: a closed worker's, or an open arrival's.
pub fn stream_rng(seed: u64, n: u64) -> SmallRng {
    SmallRng::seed_from_u64(seed ^ (n + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// The closed model: one worker sends, waits for the answer, sends again.
pub struct Worker {
    pub id: u32,
    pub sender: Rc<Sender>,
    pub read_ratio: f64,
    pub rng: SmallRng,
}

impl Worker {
    pub async fn run(mut self) {
        let sender = self.sender.clone();
        let mut seq = 0u64;
        while !sender.cancel.is_cancelled() && Instant::now() < sender.deadline {
            let Some((mut request, read)) =
                sender.next_request(&mut self.rng, self.read_ratio, self.id, &mut seq)
            else {
                continue;
            };
            let started = Instant::now();
            let (outcome, _) = sender.operation(&mut request, read, &mut self.rng).await;
            // Intended start and send are one here: latency and service time are the same.
            let took = started.elapsed();
            sender
                .metrics
                .borrow_mut()
                .record_timed(read, outcome, took, took);
        }
    }
}

/// Arrivals that may wait for a free slot, per slot: a stall of a few seconds queues (its wait counted
/// in latency) rather than drops, while a dead endpoint cannot grow the queue without bound.
pub const QUEUED_PER_SLOT: usize = 100;

/// One engine thread's share of the open model.
pub struct Arrivals {
    /// This thread's share of the schedule.
    pub schedule: Schedule,
    /// Where in the cumulative count this thread's arrivals fall (0 < offset <= 1): threads
    /// interleave instead of arriving together.
    pub offset: f64,
    pub start: Instant,
    pub read_ratio: f64,
    /// Requests in flight at once on this thread; `QUEUED_PER_SLOT` times as many may wait, the rest
    /// are dropped.
    pub in_flight: usize,
    pub worker_id: u32,
    pub seed: u64,
}

/// An arrival waiting for a sender: what it is and when it should have started.
struct Arrival {
    intended: Instant,
    read: bool,
    seq: u64,
    rng: SmallRng,
    /// A sender was free when it arrived: its send - intended start is the scheduler's own lag.
    slot_was_free: bool,
}

/// One engine thread's arrivals waiting to be sent, and its senders.
struct Queue {
    waiting: RefCell<VecDeque<Arrival>>,
    wake: Notify,
    idle: Cell<usize>,
    /// The schedule has ended: senders drain what waits and stop.
    closed: Cell<bool>,
}

/// The open model: every arrival is sent at its intended start (or waits for a free sender, its
/// wait counting in its latency), whatever the answers to earlier ones. Up to `in_flight`
/// long-lived senders per thread take arrivals from a queue: no task, permit or allocation per
/// arrival beyond its place in the queue.
pub async fn open_loop(sender: Rc<Sender>, arrivals: Arrivals) {
    let queue = Rc::new(Queue {
        waiting: RefCell::new(VecDeque::new()),
        wake: Notify::new(),
        idle: Cell::new(0),
        closed: Cell::new(false),
    });
    let mut senders = tokio::task::JoinSet::new();
    let horizon = arrivals.schedule.duration();
    let mut pacer = Pacer::new();
    for k in 0u64.. {
        let Some(at) = arrivals.schedule.time_of(k as f64 + arrivals.offset) else {
            break;
        };
        if at >= horizon {
            break;
        }
        let intended = arrivals.start + Duration::from_secs_f64(at);
        if intended > Instant::now() {
            tokio::select! {
                _ = pacer.sleep_until(intended) => {}
                _ = sender.cancel.cancelled() => break,
            }
        } else if sender.cancel.is_cancelled() {
            break;
        }
        sender.metrics.borrow_mut().record_arrival();
        let free =
            queue.idle.get() > queue.waiting.borrow().len() || senders.len() < arrivals.in_flight;
        if !free && queue.waiting.borrow().len() >= arrivals.in_flight * QUEUED_PER_SLOT {
            sender.metrics.borrow_mut().record_dropped();
            continue;
        }
        let mut rng = stream_rng(arrivals.seed, k);
        let read = rng.random_bool(arrivals.read_ratio);
        queue.waiting.borrow_mut().push_back(Arrival {
            intended,
            read,
            seq: k,
            rng,
            slot_was_free: free,
        });
        if queue.idle.get() > 0 {
            queue.wake.notify_one();
        } else if senders.len() < arrivals.in_flight {
            senders.spawn_local(send_arrivals(
                sender.clone(),
                queue.clone(),
                arrivals.worker_id,
            ));
        }
    }
    queue.closed.set(true);
    queue.wake.notify_waiters();
    while senders.join_next().await.is_some() {}
}

/// One sender: takes arrivals in order and sends each; arrivals still waiting at the deadline or
/// after a cancel are counted as cut.
async fn send_arrivals(sender: Rc<Sender>, queue: Rc<Queue>, worker: u32) {
    loop {
        let next = queue.waiting.borrow_mut().pop_front();
        let Some(mut arrival) = next else {
            if queue.closed.get() {
                return;
            }
            queue.idle.set(queue.idle.get() + 1);
            tokio::select! {
                _ = queue.wake.notified() => {}
                _ = sender.cancel.cancelled() => {}
            }
            queue.idle.set(queue.idle.get() - 1);
            if sender.cancel.is_cancelled() && queue.waiting.borrow().is_empty() {
                return;
            }
            continue;
        };
        if sender.cancel.is_cancelled() || Instant::now() >= sender.deadline {
            sender
                .metrics
                .borrow_mut()
                .record(arrival.read, Outcome::Cut, Duration::ZERO);
            continue;
        }
        let mut seq = arrival.seq;
        let Some(mut request) =
            sender.request_for(&mut arrival.rng, arrival.read, worker, &mut seq)
        else {
            continue;
        };
        let (outcome, sent) = sender
            .operation(&mut request, arrival.read, &mut arrival.rng)
            .await;
        let sent = sent.unwrap_or_else(Instant::now);
        let mut metrics = sender.metrics.borrow_mut();
        if arrival.slot_was_free {
            metrics.record_lag(sent.saturating_duration_since(arrival.intended));
        }
        metrics.record_timed(
            arrival.read,
            outcome,
            arrival.intended.elapsed(),
            sent.elapsed(),
        );
    }
}
