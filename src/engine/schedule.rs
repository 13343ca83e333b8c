//! The open model's arrival schedule: a rate (operations per second) over time, constant or in
//! stages with linear ramps, and when its n-th arrival is due. Each engine thread takes a share of
//! it and computes every arrival's intended start itself: no shared clock, no channel per request.

use std::time::Duration;

pub use crate::config::{RateChange, Stage};

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
    /// Where each of the run's stages ends: a timeline's rate changes split segments, not stages.
    stage_ends: Vec<f64>,
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
        let stage_ends = segments.iter().map(|s| s.start + s.length).collect();
        Schedule {
            segments,
            stage_ends,
        }
    }

    /// This schedule with a timeline's stage actions laid over it: while a change lasts (the one that
    /// began last wins), the rate ramps from what it was to the change's rate, then holds it.
    pub fn with_changes(&self, changes: &[RateChange]) -> Schedule {
        if changes.is_empty() {
            return self.clone();
        }
        let end = self.duration();
        let mut cuts: Vec<f64> = self.segments.iter().map(|s| s.start).collect();
        for c in changes {
            cuts.extend([c.at, c.at + c.ramp]);
            cuts.extend(c.until);
        }
        cuts.push(end);
        cuts.retain(|t| (0.0..=end).contains(t));
        cuts.sort_by(f64::total_cmp);
        cuts.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
        let mut segments = Vec::with_capacity(cuts.len());
        let mut before = 0.0;
        for pair in cuts.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            // The rate is linear between two cuts: read it at two inner points and extend the line.
            let (t1, t2) = (a + (b - a) / 3.0, a + 2.0 * (b - a) / 3.0);
            let (r1, r2) = (
                self.changed_rate(changes, t1),
                self.changed_rate(changes, t2),
            );
            let slope = (r2 - r1) / (t2 - t1);
            let segment = Segment {
                start: a,
                length: b - a,
                from: (r1 - slope * (t1 - a)).max(0.0),
                to: (r2 + slope * (b - t2)).max(0.0),
                before,
            };
            before += segment.arrivals(segment.length);
            segments.push(segment);
        }
        Schedule {
            segments,
            stage_ends: self.stage_ends.clone(),
        }
    }

    /// The rate at `t` with `changes` laid over this schedule (`t` not at a change's start).
    fn changed_rate(&self, changes: &[RateChange], t: f64) -> f64 {
        let lasting = |c: &&RateChange| c.at <= t && c.until.is_none_or(|u| t < u);
        let Some(change) = changes
            .iter()
            .filter(lasting)
            .max_by(|a, b| a.at.total_cmp(&b.at))
        else {
            return self.rate_at(t);
        };
        if change.ramp <= 0.0 || t >= change.at + change.ramp {
            return change.rate;
        }
        // What the rate was just before the change began, itself perhaps changed.
        let earlier: Vec<RateChange> = changes
            .iter()
            .filter(|c| c.at < change.at)
            .cloned()
            .collect();
        let from = self.changed_rate(&earlier, (change.at - 1e-9).max(0.0));
        from + (change.rate - from) * (t - change.at) / change.ramp
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
            stage_ends: self.stage_ends.clone(),
        }
    }

    /// The stage (0-based) second `t` of the run falls in; past the end, the last.
    pub fn stage_at(&self, t: f64) -> usize {
        self.stage_ends
            .iter()
            .position(|end| t < *end)
            .unwrap_or(self.stage_ends.len().saturating_sub(1))
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
    fn a_timelines_stage_actions_change_the_rate_while_they_last() {
        let base = Schedule::constant(10.0, Duration::from_secs(20));
        let change = |at: f64, until: Option<f64>, rate: f64, ramp: f64| RateChange {
            at,
            until,
            rate,
            ramp,
        };
        // 50/s from 5 s to 10 s, then back to 10/s; from 15 s a ramp to 30/s over 2 s, kept.
        let s = base.with_changes(&[
            change(5.0, Some(10.0), 50.0, 0.0),
            change(15.0, None, 30.0, 2.0),
        ]);
        for (t, rate) in [
            (4.9, 10.0),
            (5.1, 50.0),
            (9.9, 50.0),
            (10.1, 10.0),
            (16.0, 20.0),
            (18.0, 30.0),
        ] {
            assert!((s.rate_at(t) - rate).abs() < 1e-6, "{t}: {}", s.rate_at(t));
        }
        let expected = 5.0 * 10.0 + 5.0 * 50.0 + 5.0 * 10.0 + 2.0 * 20.0 + 3.0 * 30.0;
        assert!((s.arrivals_by(20.0) - expected).abs() < 1e-6);
        assert_eq!(
            (s.duration(), s.stage_at(12.0)),
            (20.0, 0),
            "still one stage"
        );
        // A change within a change returns to the outer one's rate.
        let nested = base.with_changes(&[
            change(2.0, Some(12.0), 40.0, 0.0),
            change(4.0, Some(6.0), 80.0, 0.0),
        ]);
        assert!(
            (nested.rate_at(7.0) - 40.0).abs() < 1e-6 && (nested.rate_at(13.0) - 10.0).abs() < 1e-6
        );
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
