//! Merges the per-thread one-second intervals into time-series rows, in order, as soon as every
//! engine thread has reported a second (or finished).

use std::collections::BTreeMap;

use super::replay::arrivals_by;
use super::schedule::Schedule;
use crate::metrics::{Interval, Metrics};
use crate::report::{encode_histogram, named_seconds, Provisioned, TableNames, TimeseriesRow};

/// What an engine thread sends the aggregator: about one message a second, never one per request.
pub enum ThreadMessage {
    Tick {
        thread: usize,
        second: u64,
        seconds: f64,
        interval: Box<Interval>,
    },
    Done {
        thread: usize,
        metrics: Box<Metrics>,
    },
}

/// A completed second: its row and its latency histogram, encoded.
pub struct Released {
    pub row: TimeseriesRow,
    pub latency_histogram: String,
    pub read_latency_histogram: String,
    pub write_latency_histogram: String,
    /// Each named operation's latency that second (those that ended that second).
    pub operation_histograms: BTreeMap<String, String>,
}

pub struct Aggregator {
    reported_up_to: Vec<u64>,
    finished: Vec<bool>,
    pending: BTreeMap<u64, (f64, Interval)>,
    pub totals: Metrics,
    pub rows: Vec<TimeseriesRow>,
    /// The provisioned figures last read: attached to each row as it is released.
    pub provisioned: BTreeMap<String, Provisioned>,
    /// Open model: the whole schedule, for each second's target.
    pub schedule: Option<Schedule>,
    /// A replay: its trace's calls per second, for each second's target.
    pub replay: Option<crate::config::ReplayConfig>,
    /// For each second's units by table.
    pub tables: TableNames,
    /// The workload's operations by OpRef index, for each second's per-operation figures.
    pub operation_names: Vec<String>,
}

impl Aggregator {
    pub fn new(threads: usize) -> Self {
        Self {
            reported_up_to: vec![0; threads],
            finished: vec![false; threads],
            pending: BTreeMap::new(),
            totals: Metrics::default(),
            rows: Vec::new(),
            provisioned: BTreeMap::new(),
            schedule: None,
            replay: None,
            tables: TableNames::default(),
            operation_names: Vec::new(),
        }
    }

    /// Takes one message; returns the rows it completed, oldest first.
    pub fn absorb(&mut self, message: ThreadMessage) -> Vec<Released> {
        match message {
            ThreadMessage::Tick {
                thread,
                second,
                seconds,
                interval,
            } => {
                self.reported_up_to[thread] = self.reported_up_to[thread].max(second);
                let (row_seconds, merged) = self.pending.entry(second).or_default();
                *row_seconds = row_seconds.max(seconds);
                merged.merge(&interval);
            }
            ThreadMessage::Done { thread, metrics } => {
                self.finished[thread] = true;
                self.totals.merge_totals(&metrics);
            }
        }
        self.release(false)
    }

    /// Rows still waiting (at the end, every thread has finished and all are complete).
    pub fn finish(&mut self) -> Vec<Released> {
        self.release(true)
    }

    fn release(&mut self, all: bool) -> Vec<Released> {
        let mut out = Vec::new();
        while let Some((&second, _)) = self.pending.first_key_value() {
            let complete = all
                || self
                    .reported_up_to
                    .iter()
                    .zip(&self.finished)
                    .all(|(&up_to, &done)| done || up_to >= second);
            if !complete {
                break;
            }
            let (seconds, interval) = self.pending.remove(&second).expect("key was just seen");
            let end = second as f64;
            let target = match (&self.schedule, &self.replay) {
                (Some(s), _) => Some(s.arrivals_by(end) - s.arrivals_by(end - 1.0)),
                (None, Some(r)) => Some(arrivals_by(r, end) - arrivals_by(r, end - 1.0)),
                (None, None) => None,
            };
            let row = TimeseriesRow::from_interval(
                second,
                seconds,
                &interval,
                &self.tables,
                &self.operation_names,
                &self.provisioned,
                target,
            );
            self.rows.push(row.clone());
            out.push(Released {
                row,
                latency_histogram: encode_histogram(&interval.latency_us),
                read_latency_histogram: encode_histogram(&interval.read_latency_us),
                write_latency_histogram: encode_histogram(&interval.write_latency_us),
                operation_histograms: named_seconds(&interval, &self.operation_names)
                    .map(|(name, s)| (name.clone(), encode_histogram(&s.latency_us)))
                    .collect(),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Outcome;
    use std::time::Duration;

    fn tick(thread: usize, second: u64, reads: u64) -> ThreadMessage {
        let mut m = Metrics::default();
        for _ in 0..reads {
            m.record(
                crate::workload::ops::WORKSHOP_READ,
                Outcome::Ok,
                Duration::from_millis(1),
            );
        }
        ThreadMessage::Tick {
            thread,
            second,
            seconds: 1.0,
            interval: Box::new(m.take_interval()),
        }
    }

    #[test]
    fn a_second_is_released_once_every_thread_reported_it() {
        let mut agg = Aggregator::new(2);
        assert!(agg.absorb(tick(0, 1, 5)).is_empty());
        assert!(agg.absorb(tick(0, 2, 1)).is_empty());
        let rows = agg.absorb(tick(1, 1, 7));
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].row.t, rows[0].row.reads_ok), (1, 12));
        let second = crate::report::decode_histogram(&rows[0].latency_histogram).unwrap();
        assert_eq!(
            second.len(),
            12,
            "the second's histogram holds its 12 reads"
        );
        let rows = agg.absorb(ThreadMessage::Done {
            thread: 1,
            metrics: Box::default(),
        });
        assert_eq!(
            (rows[0].row.t, rows[0].row.reads_ok),
            (2, 1),
            "a finished thread is not waited for"
        );
        assert_eq!(agg.rows.len(), 2);
    }
}
