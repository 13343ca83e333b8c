//! Time for the capacity model: the system clock, or a manual one that tests advance.

use std::sync::Mutex;
use std::time::Instant;

pub trait Clock: Send + Sync {
    /// Seconds since an arbitrary start.
    fn now(&self) -> f64;
}

pub struct SystemClock(Instant);

impl Default for SystemClock {
    fn default() -> Self {
        Self(Instant::now())
    }
}

impl Clock for SystemClock {
    fn now(&self) -> f64 {
        self.0.elapsed().as_secs_f64()
    }
}

/// Simulated time for tests.
#[derive(Default)]
pub struct ManualClock(Mutex<f64>);

impl ManualClock {
    pub fn advance(&self, seconds: f64) {
        *self.0.lock().expect("clock lock") += seconds;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> f64 {
        *self.0.lock().expect("clock lock")
    }
}
