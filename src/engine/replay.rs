//! A replay's arrivals on one engine thread: the spool `ddbload replay` wrote (one call a line:
//! trace second, operation, key as DynamoDB JSON - or a JSON array of a batch's or transaction's
//! keys; sorted by second), this thread's share of it (by the key field's hash, so each key's
//! single-item calls stay in order on one thread), each trace second's calls spread evenly over
//! that second, and the whole timeline compressed by the speed.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::time::Duration;

use tokio::time::Instant;

use crate::config::ReplayConfig;
use crate::fastpath::wire::{item_from_json, Item};

/// CloudTrail's times are whole seconds: a second's calls are spread over it, kept this share of a
/// second away from either end, so a per-second row (ticked on the same clock) holds exactly that
/// second's calls even when its tick is a few milliseconds late.
const EDGE: f64 = 0.05;

/// One call of the trace: which of the plan's operations, and the keys of the items it names, one
/// per member in request order (None: the spool's keys could not be read as DynamoDB JSON).
pub struct ReplayCall {
    pub op: u16,
    pub keys: Option<Vec<Item>>,
}

pub struct ReplayReader {
    config: ReplayConfig,
    lines: io::Lines<BufReader<File>>,
    /// The first line of the next second, read while the current second was gathered.
    ahead: Option<(u64, String)>,
    due: VecDeque<(Instant, ReplayCall)>,
    start: Instant,
    /// The run's length: no arrival is due at or after it.
    length: Duration,
    /// How many times the trace has been read to its end (with `loop`).
    laps: u64,
    share: (u64, u64),
    ended: bool,
}

impl ReplayReader {
    /// This thread's share (`index` of `count`) of the spool, on a clock starting at `start`.
    pub fn open(
        config: &ReplayConfig,
        (index, count): (usize, usize),
        start: Instant,
        length: Duration,
    ) -> io::Result<ReplayReader> {
        let file = File::open(&config.spool)?;
        Ok(ReplayReader {
            config: config.clone(),
            lines: BufReader::with_capacity(1 << 16, file).lines(),
            ahead: None,
            due: VecDeque::new(),
            start,
            length,
            laps: 0,
            share: (index as u64, count.max(1) as u64),
            ended: false,
        })
    }

    /// When the next call is due (None: the trace, or the run, has ended).
    pub fn next_due(&mut self) -> Option<Instant> {
        while self.due.is_empty() && !self.ended {
            self.gather_second();
        }
        self.due.front().map(|(at, _)| *at)
    }

    pub fn take(&mut self) -> Option<ReplayCall> {
        self.due.pop_front().map(|(_, call)| call)
    }

    /// Reads the next trace second's lines and queues this thread's share, spread over the second.
    fn gather_second(&mut self) {
        let mut raw: Vec<String> = Vec::new();
        let mut second = None;
        loop {
            let next = match self.ahead.take() {
                Some(line) => Some(line),
                None => self.read_line(),
            };
            let Some((at, line)) = next else { break };
            match second {
                None => second = Some(at),
                Some(current) if current != at => {
                    self.ahead = Some((at, line));
                    break;
                }
                Some(_) => {}
            }
            raw.push(line);
        }
        let Some(second) = second else {
            if self.config.repeat && self.laps < u64::MAX && self.restart().is_ok() {
                return;
            }
            self.ended = true;
            return;
        };
        let calls: Vec<(u16, &str)> = raw.iter().filter_map(|l| mine(l, self.share)).collect();
        let offset = (self.laps * self.config.span_s() + second) as f64;
        let n = calls.len() as f64;
        for (j, (op, key)) in calls.into_iter().enumerate() {
            let within = EDGE + (1.0 - 2.0 * EDGE) * (j as f64 + 0.5) / n;
            let at = Duration::from_secs_f64((offset + within) / self.config.speed);
            if at >= self.length {
                self.ended = true;
                return;
            }
            let keys = keys_from_json(key);
            self.due
                .push_back((self.start + at, ReplayCall { op, keys }));
        }
    }

    /// The next line as (trace second, line); a line without a second is skipped (the spool is
    /// written by `ddbload replay`, so there is none).
    fn read_line(&mut self) -> Option<(u64, String)> {
        for line in self.lines.by_ref() {
            let Ok(line) = line else { return None };
            if let Some(second) = line.split('\t').next().and_then(|s| s.parse().ok()) {
                return Some((second, line));
            }
        }
        None
    }

    fn restart(&mut self) -> io::Result<()> {
        let file = File::open(&self.config.spool)?;
        self.lines = BufReader::with_capacity(1 << 16, file).lines();
        self.laps += 1;
        Ok(())
    }
}

/// A spool line's key field: one key (an object) or a batch's or transaction's keys (an array).
fn keys_from_json(text: &str) -> Option<Vec<Item>> {
    match serde_json::from_str(text).ok()? {
        serde_json::Value::Object(key) => Some(vec![item_from_json(&key).ok()?]),
        serde_json::Value::Array(keys) => keys
            .iter()
            .map(|key| item_from_json(key.as_object()?).ok())
            .collect(),
        _ => None,
    }
}

/// (operation, key) of a spool line when its key falls in this thread's share.
fn mine(line: &str, (index, count): (u64, u64)) -> Option<(u16, &str)> {
    let mut fields = line.splitn(3, '\t');
    let (_, op, key) = (fields.next()?, fields.next()?, fields.next()?);
    (fnv1a(key.as_bytes()) % count == index).then_some((op.parse().ok()?, key))
}

/// The calls due in the replay's first `t` seconds of run time (for each row's target): a trace
/// second's calls spread evenly over its middle, as `ReplayReader` lays them out.
pub fn arrivals_by(config: &ReplayConfig, t: f64) -> f64 {
    let span = config.per_second.len();
    if span == 0 || t <= 0.0 {
        return 0.0;
    }
    let position = t * config.speed;
    let laps = (position / span as f64).floor();
    if laps >= 1.0 && !config.repeat {
        return config.per_second.iter().sum::<u64>() as f64;
    }
    let within = position - laps * span as f64;
    let second = (within.floor() as usize).min(span - 1);
    let whole: u64 = config.per_second[..second].iter().sum();
    let part = ((within - second as f64 - EDGE) / (1.0 - 2.0 * EDGE)).clamp(0.0, 1.0);
    let total: u64 = config.per_second.iter().sum();
    laps * total as f64 + whole as f64 + part * config.per_second[second] as f64
}

/// A stable hash (FNV-1a, 64 bits): every thread and every run splits the keys the same way.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A spool file of these lines, removed when dropped.
    struct Spool(std::path::PathBuf);

    impl Drop for Spool {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    fn spool(lines: &[&str]) -> Spool {
        let text = lines.join("\n");
        let name = format!(
            "ddbload-replay-{}-{}",
            std::process::id(),
            fnv1a(text.as_bytes())
        );
        let path = std::env::temp_dir().join(name);
        let mut file = File::create(&path).unwrap();
        writeln!(file, "{text}").unwrap();
        Spool(path)
    }

    fn reader(
        path: &std::path::Path,
        speed: f64,
        repeat: bool,
        share: (usize, usize),
    ) -> ReplayReader {
        let config = ReplayConfig {
            spool: path.to_owned(),
            speed,
            per_second: vec![2, 0, 1],
            repeat,
        };
        ReplayReader::open(&config, share, Instant::now(), Duration::from_secs(6)).unwrap()
    }

    fn offsets(r: &mut ReplayReader) -> Vec<(f64, u16)> {
        let start = r.start;
        let mut out = Vec::new();
        while let Some(at) = r.next_due() {
            let call = r.take().unwrap();
            assert!(call.keys.is_some_and(|keys| keys.len() == 1));
            out.push(((at - start).as_secs_f64(), call.op));
        }
        out
    }

    const KEY: &str = r#"{"id":{"S":"a"}}"#;

    #[test]
    fn a_seconds_calls_are_spread_inside_it_and_compressed_by_the_speed() {
        let lines = [
            format!("0\t0\t{KEY}"),
            format!("0\t1\t{KEY}"),
            format!("2\t0\t{KEY}"),
        ];
        let file = spool(&lines.iter().map(String::as_str).collect::<Vec<_>>());
        let got = offsets(&mut reader(&file.0, 2.0, false, (0, 1)));
        let want = [(0.275 / 2.0, 0), (0.725 / 2.0, 1), (2.5 / 2.0, 0)];
        assert_eq!(got.len(), want.len());
        for ((at, op), (want_at, want_op)) in got.iter().zip(want) {
            assert!((at - want_at).abs() < 1e-6, "{at} vs {want_at}");
            assert_eq!(*op, want_op);
        }
    }

    #[test]
    fn a_transactions_keys_are_read_in_order_and_a_bad_one_spoils_the_call() {
        let two = keys_from_json(r#"[{"id":{"S":"a"}},{"id":{"N":"7"}}]"#).unwrap();
        assert_eq!(two.len(), 2);
        assert_eq!(
            two[1]["id"],
            aws_sdk_dynamodb::types::AttributeValue::N("7".into())
        );
        assert!(keys_from_json(r#"[{"id":{"S":"a"}},{"id":{"Q":"7"}}]"#).is_none());
        assert!(keys_from_json("7").is_none());
    }

    #[test]
    fn a_loop_starts_the_trace_again_until_the_runs_length() {
        let line = format!("1\t0\t{KEY}");
        let file = spool(&[line.as_str()]);
        let got = offsets(&mut reader(&file.0, 1.0, true, (0, 1)));
        let at: Vec<f64> = got
            .iter()
            .map(|(at, _)| (at * 10.0).round() / 10.0)
            .collect();
        assert_eq!(at, vec![1.5, 4.5]);
    }

    #[test]
    fn each_run_seconds_target_is_the_trace_seconds_it_covers() {
        let config = ReplayConfig {
            spool: std::path::PathBuf::new(),
            speed: 2.0,
            per_second: vec![10, 20, 30, 40],
            repeat: false,
        };
        let second = |t: f64| arrivals_by(&config, t) - arrivals_by(&config, t - 1.0);
        assert_eq!(second(1.0), 30.0);
        assert_eq!(second(2.0), 70.0);
        assert_eq!(second(3.0), 0.0);
        let looped = ReplayConfig {
            repeat: true,
            ..config
        };
        assert_eq!(arrivals_by(&looped, 3.0), 130.0);
    }

    #[test]
    fn threads_share_the_keys_and_each_key_stays_on_one() {
        let keys: Vec<String> = (0..40)
            .map(|n| format!(r#"0	0	{{"id":{{"S":"k{n}"}}}}"#))
            .collect();
        let file = spool(&keys.iter().map(String::as_str).collect::<Vec<_>>());
        let first = offsets(&mut reader(&file.0, 1.0, false, (0, 2))).len();
        let second = offsets(&mut reader(&file.0, 1.0, false, (1, 2))).len();
        assert_eq!(first + second, 40);
        assert!(first > 5 && second > 5, "{first} / {second}");
    }
}
