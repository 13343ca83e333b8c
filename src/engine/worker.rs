//! Sending operations, in either model. `Sender` sends one operation with retries (exponential
//! backoff, full jitter); at the run's deadline nothing new starts, an attempt on the wire gets the
//! run's grace to answer (then it is cut: a stalled endpoint cannot stretch a run by more), and after
//! a cancel it gets a shorter grace. `Worker` is the closed model: send, wait,
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
use super::replay::{ReplayCall, ReplayReader};
use super::schedule::Schedule;
use crate::fastpath::wire::Item;
use crate::metrics::{Metrics, Outcome};
use crate::workload::{AttemptResult, Clients, OpRef, Request, Workload};

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
    /// No operation, attempt or retry starts after this.
    pub deadline: Instant,
    /// An attempt still on the wire at the deadline is awaited until here, then cut.
    pub grace_end: Instant,
    pub max_attempts: u32,
}

impl Sender {
    /// The next operation, drawn by the workload (`read_ratio` for the workshop); a request that
    /// cannot be generated is recorded.
    fn next_request(
        &self,
        rng: &mut SmallRng,
        read_ratio: f64,
        worker: u32,
        seq: &mut u64,
    ) -> Option<(Request, OpRef)> {
        // A closed loop has no stages (--stages is an open-model schedule).
        let op = self.workload.draw(rng, read_ratio, 0);
        self.request_for(rng, op, worker, seq, None)
            .map(|request| (request, op))
    }

    /// The request for `op` (`seq` is advanced for each one: the workshop numbers its orders with
    /// it), on `key` when a replay gives it; one that cannot be generated is recorded.
    fn request_for(
        &self,
        rng: &mut SmallRng,
        op: OpRef,
        worker: u32,
        seq: &mut u64,
        keys: Option<&[Item]>,
    ) -> Option<Request> {
        if !op.read {
            *seq += 1;
        }
        match self.workload.request(rng, op, worker, *seq, keys) {
            Ok(request) => Some(request),
            Err(_) => {
                let code = "RequestGenerationError".to_owned();
                self.metrics
                    .borrow_mut()
                    .record(op, Outcome::Failed(code), Duration::ZERO);
                None
            }
        }
    }

    /// One operation to its end: the outcome and when its first attempt was sent.
    pub async fn operation(
        &self,
        request: &mut Request,
        op: OpRef,
        rng: &mut SmallRng,
    ) -> (Outcome, Option<Instant>) {
        let first_send = Cell::new(None);
        let grace_end = self.grace_end;
        let outcome = {
            let send = self.send_with_retries(request, op, rng, &first_send);
            tokio::pin!(send);
            tokio::select! {
                outcome = &mut send => outcome,
                _ = sleep_until(grace_end) => Outcome::Cut,
                _ = self.cancel.cancelled() => {
                    let interrupted_by = (Instant::now() + CANCEL_GRACE).min(grace_end);
                    match timeout_at(interrupted_by, &mut send).await {
                        Ok(outcome) => outcome,
                        Err(_) if Instant::now() >= grace_end => Outcome::Cut,
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
        op: OpRef,
        rng: &mut SmallRng,
        first_send: &Cell<Option<Instant>>,
    ) -> Outcome {
        let mut attempt = 1;
        loop {
            if Instant::now() >= self.deadline {
                return Outcome::TimedOut;
            }
            self.metrics.borrow_mut().record_attempt(op);
            if first_send.get().is_none() {
                first_send.set(Some(Instant::now()));
            }
            let sent_at = Instant::now();
            let sent = self.workload.attempt(&self.clients, request).await;
            let took = sent_at.elapsed();
            let retry_code = {
                let mut metrics = self.metrics.borrow_mut();
                metrics.add_capacity(&sent.capacity);
                if let Some(id) = &sent.request_id {
                    metrics.keep_request_id(id, op.read, took, &sent.result);
                }
                let throttle = sent.result.throttle();
                if let Some((reason, resource)) = throttle {
                    metrics.record_throttle(op, reason, resource);
                }
                if let Some((slot, key)) = self.workload.key_of(request) {
                    let reason = throttle.map(|(reason, _)| reason);
                    metrics.keys.record(slot, key, reason);
                    metrics.interval.keys.record(slot, key, reason);
                }
                match sent.result {
                    AttemptResult::Ok => return Outcome::Ok,
                    AttemptResult::NotFound => {
                        metrics.record_not_found(op);
                        return Outcome::Ok;
                    }
                    AttemptResult::NextPage => {
                        attempt = 1;
                        continue;
                    }
                    AttemptResult::ConditionalFailed => return Outcome::ConditionalFailed,
                    AttemptResult::Failed(code) => return Outcome::Failed(code),
                    AttemptResult::Throttled { code, .. } => code,
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
                return Outcome::TimedOut;
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
            let Some((mut request, op)) =
                sender.next_request(&mut self.rng, self.read_ratio, self.id, &mut seq)
            else {
                continue;
            };
            let started = Instant::now();
            let (outcome, first_send) = sender.operation(&mut request, op, &mut self.rng).await;
            if first_send.is_none() && outcome == Outcome::TimedOut {
                // The deadline passed while this worker drew its next request: nothing was sent, so
                // there is no operation to count (an open model's waiting arrival is another matter).
                break;
            }
            // Intended start and send are one here: latency and service time are the same.
            let took = started.elapsed();
            sender
                .metrics
                .borrow_mut()
                .record_timed(op, outcome, took, took);
        }
    }
}

/// Arrivals that may wait for a free slot, per slot: a stall of a few seconds queues (its wait counted
/// in latency) rather than drops, while a dead endpoint cannot grow the queue without bound.
pub const QUEUED_PER_SLOT: usize = 100;

/// One engine thread's share of the open model.
pub struct Arrivals {
    /// This thread's share of the schedule (unused when `replay` gives the arrivals).
    pub schedule: Schedule,
    /// A replay's calls for this thread, instead of the schedule's arrivals and drawn operations.
    pub replay: Option<ReplayReader>,
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
    op: OpRef,
    seq: u64,
    rng: SmallRng,
    /// A sender was free when it arrived: its send - intended start is the scheduler's own lag.
    slot_was_free: bool,
    /// The keys of the items a replayed call acts on, one per member.
    keys: Option<Vec<Item>>,
}

/// One engine thread's open model: the schedule's next arrival, the arrivals waiting to be sent, and
/// its senders.
struct OpenModel {
    arrivals: Arrivals,
    replay: RefCell<Option<ReplayReader>>,
    /// The next arrival's number and intended start (None: the schedule has ended).
    next: Cell<(u64, Option<Instant>)>,
    waiting: RefCell<VecDeque<Arrival>>,
    wake: Notify,
    idle: Cell<usize>,
    /// Senders started (they live until the schedule ends).
    senders: Cell<usize>,
    /// Arrivals wait with no sender idle and room for another: the arrival loop starts one.
    more_senders: Notify,
    /// The schedule has ended: senders drain what waits and stop.
    closed: Cell<bool>,
}

impl OpenModel {
    fn new(mut arrivals: Arrivals) -> OpenModel {
        let model = OpenModel {
            replay: RefCell::new(arrivals.replay.take()),
            arrivals,
            next: Cell::new((0, None)),
            waiting: RefCell::new(VecDeque::new()),
            wake: Notify::new(),
            idle: Cell::new(0),
            senders: Cell::new(0),
            more_senders: Notify::new(),
            closed: Cell::new(false),
        };
        model.next.set((0, model.due(0)));
        model
    }

    /// When arrival `k` is due: the replay's next call, or the schedule's k-th arrival.
    fn due(&self, k: u64) -> Option<Instant> {
        match self.replay.borrow_mut().as_mut() {
            Some(replay) => replay.next_due(),
            None => self.intended(k),
        }
    }

    /// When arrival `k` should start (None: after the schedule's end).
    fn intended(&self, k: u64) -> Option<Instant> {
        let a = &self.arrivals;
        let at = a.schedule.time_of(k as f64 + a.offset)?;
        (at < a.schedule.duration()).then(|| a.start + Duration::from_secs_f64(at))
    }

    /// Queues every arrival due by `now` (or counts it dropped when the queue is full). Called by the
    /// arrival loop when its timer fires and by each sender as it becomes free, so that on a busy
    /// thread an arrival is taken up by the next free sender rather than after the timer's task has
    /// waited its turn behind every answer being read.
    fn release_due(&self, sender: &Sender, now: Instant) {
        while let (k, Some(intended)) = self.next.get() {
            if intended > now {
                return;
            }
            let call = self
                .replay
                .borrow_mut()
                .as_mut()
                .and_then(ReplayReader::take);
            self.next.set((k + 1, self.due(k + 1)));
            self.admit(sender, k, intended, call);
        }
    }

    fn admit(&self, sender: &Sender, k: u64, intended: Instant, call: Option<ReplayCall>) {
        let (a, metrics) = (&self.arrivals, &sender.metrics);
        metrics.borrow_mut().record_arrival();
        let waiting = self.waiting.borrow().len();
        let free = self.idle.get() > waiting || self.senders.get() < a.in_flight;
        if !free && waiting >= a.in_flight * QUEUED_PER_SLOT {
            metrics.borrow_mut().record_dropped();
            return;
        }
        let mut rng = stream_rng(a.seed, k);
        let stage = a
            .schedule
            .stage_at(intended.saturating_duration_since(a.start).as_secs_f64());
        let (op, keys) = match call {
            Some(ReplayCall { op, keys: None }) => {
                // Never a drawn key in its place: the call is not sent, and counted.
                let code = Outcome::Failed("ReplayKeyUnreadable".into());
                metrics
                    .borrow_mut()
                    .record(sender.workload.op_ref(op), code, Duration::ZERO);
                return;
            }
            Some(call) => (sender.workload.op_ref(call.op), call.keys),
            None => (sender.workload.draw(&mut rng, a.read_ratio, stage), None),
        };
        self.waiting.borrow_mut().push_back(Arrival {
            intended,
            op,
            seq: k,
            rng,
            slot_was_free: free,
            keys,
        });
        if self.idle.get() > 0 {
            self.wake.notify_one();
        } else if self.senders.get() < a.in_flight {
            self.more_senders.notify_one();
        }
    }

    /// Senders to start now: one per waiting arrival no idle sender will take, within `in_flight`.
    fn senders_wanted(&self) -> usize {
        let unserved = self.waiting.borrow().len().saturating_sub(self.idle.get());
        unserved.min(self.arrivals.in_flight.saturating_sub(self.senders.get()))
    }
}

/// The open model: every arrival is sent at its intended start (or waits for a free sender, its
/// wait counting in its latency), whatever the answers to earlier ones. Up to `in_flight`
/// long-lived senders per thread take arrivals from a queue: no task, permit or allocation per
/// arrival beyond its place in the queue.
pub async fn open_loop(sender: Rc<Sender>, arrivals: Arrivals) {
    let model = Rc::new(OpenModel::new(arrivals));
    let mut senders = tokio::task::JoinSet::new();
    let mut pacer = Pacer::new();
    while !sender.cancel.is_cancelled() {
        model.release_due(&sender, Instant::now());
        for _ in 0..model.senders_wanted() {
            model.senders.set(model.senders.get() + 1);
            senders.spawn_local(send_arrivals(sender.clone(), model.clone()));
        }
        let Some(next) = model.next.get().1 else {
            // The schedule has ended (a trailing zero rate, or a rate so low that the last arrival
            // falls early): the run still lasts until its deadline.
            tokio::select! {
                _ = sleep_until(sender.deadline) => {}
                _ = sender.cancel.cancelled() => {}
            }
            break;
        };
        tokio::select! {
            _ = pacer.sleep_until(next) => {}
            _ = model.more_senders.notified() => {}
            _ = sender.cancel.cancelled() => {}
        }
    }
    model.closed.set(true);
    model.wake.notify_waiters();
    while senders.join_next().await.is_some() {}
}

/// One sender: takes arrivals in order and sends each; arrivals still waiting at the deadline or
/// after a cancel are counted as timed out.
async fn send_arrivals(sender: Rc<Sender>, model: Rc<OpenModel>) {
    let worker = model.arrivals.worker_id;
    loop {
        if !model.closed.get() && !sender.cancel.is_cancelled() {
            model.release_due(&sender, Instant::now());
        }
        let next = model.waiting.borrow_mut().pop_front();
        let Some(mut arrival) = next else {
            if model.closed.get() {
                return;
            }
            model.idle.set(model.idle.get() + 1);
            tokio::select! {
                _ = model.wake.notified() => {}
                _ = sender.cancel.cancelled() => {}
            }
            model.idle.set(model.idle.get() - 1);
            if sender.cancel.is_cancelled() && model.waiting.borrow().is_empty() {
                return;
            }
            continue;
        };
        if sender.cancel.is_cancelled() || Instant::now() >= sender.deadline {
            // It waited for a slot until the end: a timeout, its wait a lower bound on its latency.
            sender.metrics.borrow_mut().record(
                arrival.op,
                Outcome::TimedOut,
                arrival.intended.elapsed(),
            );
            continue;
        }
        let mut seq = arrival.seq;
        let keys = arrival.keys.as_deref();
        let Some(mut request) =
            sender.request_for(&mut arrival.rng, arrival.op, worker, &mut seq, keys)
        else {
            continue;
        };
        let (outcome, sent) = sender
            .operation(&mut request, arrival.op, &mut arrival.rng)
            .await;
        let sent = sent.unwrap_or_else(Instant::now);
        let mut metrics = sender.metrics.borrow_mut();
        if arrival.slot_was_free {
            metrics.record_lag(sent.saturating_duration_since(arrival.intended));
        }
        metrics.record_timed(
            arrival.op,
            outcome,
            arrival.intended.elapsed(),
            sent.elapsed(),
        );
    }
}
