//! Wakes the open model's arrival loop at each arrival's intended start to the microsecond: tokio's
//! timer rounds every sleep up to the next millisecond, which alone would put a millisecond of
//! scheduling lag on most arrivals.

use std::io;
use std::time::Duration;

use tokio::time::Instant;

/// The shortest gap between wake-ups. Arrivals closer than this are sent together, up to this late
/// (measured, as scheduling lag): a timer wake per arrival would cost more CPU than the requests.
const QUANTUM: Duration = Duration::from_micros(200);

/// A one-shot, nanosecond-resolution timer on the current runtime (a Linux timerfd; elsewhere tokio's
/// millisecond timer).
pub struct Pacer {
    #[cfg(target_os = "linux")]
    timer: Option<tokio::io::unix::AsyncFd<TimerFd>>,
    last_wake: Option<Instant>,
}

impl Pacer {
    /// Must be called on the runtime that will await it.
    pub fn new() -> Pacer {
        Pacer {
            #[cfg(target_os = "linux")]
            timer: TimerFd::new().ok().and_then(|fd| {
                // SAFETY: TimerFd owns its fd and never closes or swaps it while the AsyncFd lives.
                unsafe {
                    tokio::io::unix::AsyncFd::register_with_interest(
                        fd,
                        tokio::io::Interest::READABLE,
                    )
                }
                .ok()
            }),
            last_wake: None,
        }
    }

    /// Returns at `at` (at once if it has passed), or up to `QUANTUM` after the previous wake-up.
    pub async fn sleep_until(&mut self, at: Instant) {
        let now = Instant::now();
        if at <= now {
            return;
        }
        // Dense arrivals share a wake-up: at most one per QUANTUM, each sending everything due.
        let at = self.last_wake.map_or(at, |last| at.max(last + QUANTUM));
        self.wait(at).await;
        self.last_wake = Some(Instant::now());
    }

    async fn wait(&mut self, at: Instant) {
        let after = at.saturating_duration_since(Instant::now());
        #[cfg(target_os = "linux")]
        if let Some(timer) = &self.timer {
            if timer.get_ref().arm(after).is_ok() {
                loop {
                    let Ok(mut ready) = timer.readable().await else {
                        break;
                    };
                    if ready.try_io(|fd| fd.get_ref().expired()).is_ok() {
                        // Read, the timer is not readable until it is armed and fires again: forget
                        // the readiness now, or the next wait would begin with a read that finds nothing.
                        ready.clear_ready();
                        return;
                    }
                }
            }
        }
        tokio::time::sleep_until(at).await;
    }
}

#[cfg(target_os = "linux")]
pub struct TimerFd(std::os::fd::OwnedFd);

#[cfg(target_os = "linux")]
impl TimerFd {
    fn new() -> io::Result<TimerFd> {
        use std::os::fd::FromRawFd;
        // SAFETY: timerfd_create has no preconditions; a non-negative result is a new fd we own.
        let fd = unsafe {
            libc::timerfd_create(
                libc::CLOCK_MONOTONIC,
                libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: fd was just created and nothing else owns it.
        Ok(TimerFd(unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) }))
    }

    /// Fires once, `after` from now (relative, so no clock conversion is needed).
    fn arm(&self, after: Duration) -> io::Result<()> {
        use std::os::fd::AsRawFd;
        let after = after.max(Duration::from_nanos(1));
        let spec = libc::itimerspec {
            it_interval: libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: libc::timespec {
                tv_sec: after.as_secs() as libc::time_t,
                tv_nsec: after.subsec_nanos() as libc::c_long,
            },
        };
        // SAFETY: the fd is a live timerfd and spec is a valid itimerspec; the old value is not asked for.
        let rc =
            unsafe { libc::timerfd_settime(self.0.as_raw_fd(), 0, &spec, std::ptr::null_mut()) };
        if rc < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Consumes the expiry count; WouldBlock until the timer has fired.
    fn expired(&self) -> io::Result<()> {
        use std::os::fd::AsRawFd;
        let mut count = 0u64;
        // SAFETY: reads 8 bytes into a u64 we own, as timerfd requires.
        let n = unsafe {
            libc::read(
                self.0.as_raw_fd(),
                (&mut count as *mut u64).cast(),
                std::mem::size_of::<u64>(),
            )
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}

#[cfg(target_os = "linux")]
impl std::os::fd::AsRawFd for TimerFd {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.0.as_raw_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wakes_at_the_instant_not_the_next_millisecond() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let mut pacer = Pacer::new();
            let mut lags = Vec::new();
            for _ in 0..200 {
                let at = Instant::now() + Duration::from_micros(150);
                pacer.sleep_until(at).await;
                lags.push(Instant::now().saturating_duration_since(at));
            }
            lags.sort();
            // A millisecond timer would wake ~850 us late on most of these; allow a loaded machine's
            // scheduling noise at the median.
            assert!(
                lags[100] < Duration::from_micros(500),
                "median lag {:?}",
                lags[100]
            );
        });
    }
}
