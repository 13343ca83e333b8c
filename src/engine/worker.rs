//! One closed-loop worker: pick a read or a write, send it with retries (exponential backoff, full
//! jitter), record the outcome in its thread's metrics, repeat until the deadline or a cancel. The
//! deadline is the deadline: an operation still in flight (or waiting to retry) then is cut and
//! counted as cut, so a stalled endpoint cannot stretch a run.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use rand::rngs::SmallRng;
use rand::Rng;
use tokio::time::{sleep, sleep_until, timeout_at, Instant};
use tokio_util::sync::CancellationToken;

use crate::metrics::{Metrics, Outcome};
use crate::workload::{AttemptResult, Request, Workload};

/// After a cancel, an attempt already on the wire gets this long to answer; then it is counted as
/// "InFlightAtInterrupt" (its effect on the table is unknown).
const CANCEL_GRACE: Duration = Duration::from_millis(700);
const BACKOFF_BASE: Duration = Duration::from_millis(25);
const BACKOFF_CAP: Duration = Duration::from_secs(2);

pub struct Worker {
    pub id: u32,
    pub workload: Arc<Workload>,
    pub client: Client,
    pub metrics: Rc<RefCell<Metrics>>,
    pub cancel: CancellationToken,
    pub deadline: Instant,
    pub max_attempts: u32,
    pub read_ratio: f64,
    pub rng: SmallRng,
}

impl Worker {
    pub async fn run(mut self) {
        let cancel = self.cancel.clone();
        let mut seq = 0u64;
        while !cancel.is_cancelled() && Instant::now() < self.deadline {
            let read = self.rng.random_bool(self.read_ratio);
            let mut request = if read {
                self.workload.next_read(&mut self.rng)
            } else {
                seq += 1;
                match self.workload.next_write(&mut self.rng, self.id, seq) {
                    Ok(request) => request,
                    Err(_) => {
                        let code = "OrderGenerationError".to_owned();
                        self.metrics.borrow_mut().record(
                            false,
                            Outcome::Failed(code),
                            Duration::ZERO,
                        );
                        continue;
                    }
                }
            };
            let started = Instant::now();
            let deadline = self.deadline;
            let outcome = {
                let send = self.send_with_retries(&mut request, read);
                tokio::pin!(send);
                tokio::select! {
                    outcome = &mut send => outcome,
                    _ = sleep_until(deadline) => Outcome::Cut,
                    _ = cancel.cancelled() => {
                        let grace_end = (Instant::now() + CANCEL_GRACE).min(deadline);
                        match timeout_at(grace_end, &mut send).await {
                            Ok(outcome) => outcome,
                            Err(_) if Instant::now() >= deadline => Outcome::Cut,
                            Err(_) => Outcome::Failed("InFlightAtInterrupt".into()),
                        }
                    }
                }
            };
            self.metrics
                .borrow_mut()
                .record(read, outcome, started.elapsed());
        }
    }

    async fn send_with_retries(&mut self, request: &mut Request, read: bool) -> Outcome {
        let mut attempt = 1;
        loop {
            self.metrics.borrow_mut().record_attempt(read);
            let sent = self.workload.attempt(&self.client, request).await;
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
            let backoff = ceiling.mul_f64(self.rng.random::<f64>());
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
