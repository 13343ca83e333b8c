//! The open model's arrival schedule: a rate (operations per second) over time, constant or in
//! stages with linear ramps, and when its n-th arrival is due. Each engine thread takes a share of
//! it and computes every arrival's intended start itself: no shared clock, no channel per request.

use std::time::Duration;

pub use crate::config::Stage;

#[derive(Debug, Clone, Copy, PartialEq)]
struct Segment {
    start: f64,
    length: f64,
    from: f64,
    to: f64,
    /// Arrivals due before this segment starts.
    before: f64,
}

impl Segment {
    fn rate_at(&self, t: f64) -> f64 {
        self.from + (self.to - self.from) * ((t - self.start) / self.length).clamp(0.0, 1.0)
    }

    /// Arrivals due in the first `tau` seconds of the segment.
    fn arrivals(&self, tau: f64) -> f64 {
        let tau = tau.clamp(0.0, self.length);
        self.from * tau + (self.to - self.from) * tau * tau / (2.0 * self.length)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    segments: Vec<Segment>,
}

impl Schedule {
    pub fn constant(rate: f64, duration: Duration) -> Schedule {
        Schedule::stages(
            rate,
            &[Stage {
                duration,
                target: rate,
            }],
        )
    }

    /// Stages ramping from `start_rate`.
    pub fn stages(start_rate: f64, stages: &[Stage]) -> Schedule {
        let (mut start, mut from, mut before) = (0.0, start_rate, 0.0);
        let mut segments = Vec::with_capacity(stages.len());
        for stage in stages {
            let segment = Segment {
                start,
                length: stage.duration.as_secs_f64(),
                from,
                to: stage.target,
                before,
            };
            before += segment.arrivals(segment.length);
            start += segment.length;
            from = stage.target;
            segments.push(segment);
        }
        Schedule { segments }
    }

    /// This schedule at `factor` times the rate (one engine thread's share).
    pub fn scaled(&self, factor: f64) -> Schedule {
        Schedule {
            segments: self
                .segments
                .iter()
                .map(|s| Segment {
                    from: s.from * factor,
                    to: s.to * factor,
                    before: s.before * factor,
                    ..*s
                })
                .collect(),
        }
    }

    /// The stage (0-based) second `t` of the run falls in; past the end, the last.
    pub fn stage_at(&self, t: f64) -> usize {
        self.segments
            .iter()
            .position(|s| t < s.start + s.length)
            .unwrap_or(self.segments.len().saturating_sub(1))
    }

    pub fn duration(&self) -> f64 {
        self.segments.last().map_or(0.0, |s| s.start + s.length)
    }

    /// The target rate at second `t` of the run.
    pub fn rate_at(&self, t: f64) -> f64 {
        self.segments
            .iter()
            .find(|s| t < s.start + s.length)
            .or(self.segments.last())
            .map_or(0.0, |s| s.rate_at(t))
    }

    /// Arrivals due by second `t`.
    pub fn arrivals_by(&self, t: f64) -> f64 {
        self.segments
            .iter()
            .rev()
            .find(|s| t >= s.start)
            .map_or(0.0, |s| s.before + s.arrivals(t - s.start))
    }

    /// When the cumulative arrivals reach `n` (the n-th arrival's intended start), or None when the
    /// schedule ends first.
    pub fn time_of(&self, n: f64) -> Option<f64> {
        let segment = self
            .segments
            .iter()
            .find(|s| n <= s.before + s.arrivals(s.length))?;
        let need = n - segment.before;
        let slope = (segment.to - segment.from) / segment.length;
        // from * tau + slope / 2 * tau^2 = need
        let tau = if slope.abs() < 1e-12 {
            if segment.from <= 0.0 {
                return None;
            }
            need / segment.from
        } else {
            let a = slope / 2.0;
            let disc = (segment.from * segment.from + 4.0 * a * need).max(0.0);
            (-segment.from + disc.sqrt()) / (2.0 * a)
        };
        Some(segment.start + tau.clamp(0.0, segment.length))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constant_rate_spaces_arrivals_evenly() {
        let s = Schedule::constant(100.0, Duration::from_secs(10));
        assert_eq!(s.time_of(1.0), Some(0.01));
        assert!((s.time_of(500.0).unwrap() - 5.0).abs() < 1e-9);
        assert_eq!(s.time_of(1001.0), None);
        assert!((s.arrivals_by(10.0) - 1000.0).abs() < 1e-9);
    }

    #[test]
    fn ramps_follow_their_stages() {
        // 0 -> 100/s over 10 s (500 arrivals), then 100/s for 10 s (1,000 more).
        let s = Schedule::stages(
            0.0,
            &[
                Stage {
                    duration: Duration::from_secs(10),
                    target: 100.0,
                },
                Stage {
                    duration: Duration::from_secs(10),
                    target: 100.0,
                },
            ],
        );
        assert!((s.arrivals_by(10.0) - 500.0).abs() < 1e-9);
        assert!((s.arrivals_by(20.0) - 1500.0).abs() < 1e-9);
        assert!((s.rate_at(5.0) - 50.0).abs() < 1e-9);
        // Half the ramp's arrivals (250) are due at sqrt(0.5) of its length.
        assert!((s.time_of(250.0).unwrap() - 10.0 * 0.5f64.sqrt()).abs() < 1e-6);
        for n in [1.0, 100.0, 499.0, 500.0, 501.0, 1499.0] {
            let t = s.time_of(n).unwrap();
            assert!((s.arrivals_by(t) - n).abs() < 1e-6, "{n} at {t}");
        }
        let half = s.scaled(0.5);
        assert!((half.arrivals_by(20.0) - 750.0).abs() < 1e-9);
    }

    #[test]
    fn stages_parse_or_name_the_flag() {
        let stages = crate::config::parse_stages("2m:1000, 30s:8000,5m:8000").unwrap();
        assert_eq!(
            stages[1],
            Stage {
                duration: Duration::from_secs(30),
                target: 8000.0
            }
        );
        for bad in ["2m", "2m:x", "soon:10", "1m:-5", ""] {
            assert_eq!(
                crate::config::parse_stages(bad).unwrap_err().option,
                "--stages",
                "{bad}"
            );
        }
    }
}
