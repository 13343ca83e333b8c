//! New items' numbers for a table read with `distribution: latest`: a sequence, so a read can find the
//! newest item (YCSB's "latest" request distribution, workload D).

use std::sync::atomic::{AtomicU64, Ordering};

/// Distributed runs' tasks number their inserts apart: task t takes base + n * STRIDE + t.
const TASK_STRIDE: u64 = 1000;

#[derive(Debug)]
pub struct Inserts {
    /// Items 0..seeded are the seeded ones, read after this run's inserts.
    seeded: u64,
    /// The first new item's number (past the seeded ones), its step and this task's offset.
    base: u64,
    stride: u64,
    offset: u64,
    /// Inserts drawn so far (counted when drawn, not when acknowledged: an insert still in flight
    /// may be read before it is written, and is then not found).
    drawn: AtomicU64,
}

impl Inserts {
    /// New items numbered from `seeded` on, one after another.
    pub fn new(seeded: u64) -> Inserts {
        Inserts::placed(seeded, 0, None)
    }

    /// This run's sequence: past the seeded items at a point the run's seed picks (so runs against the
    /// same table do not rewrite each other's items), and apart per distributed task.
    pub fn placed(seeded: u64, seed: u64, task: Option<u32>) -> Inserts {
        Inserts {
            seeded,
            base: seeded + ((seed >> 40) << 20),
            stride: if task.is_some() { TASK_STRIDE } else { 1 },
            offset: task.map_or(0, u64::from),
            drawn: AtomicU64::new(0),
        }
    }

    fn number(&self, n: u64) -> u64 {
        self.base + n * self.stride + self.offset
    }

    /// The next new item's number.
    pub fn next(&self) -> u64 {
        self.number(self.drawn.fetch_add(1, Ordering::Relaxed))
    }

    /// The item `back` places behind the newest (0: the newest): one of this run's inserts, or
    /// past them the seeded items from the highest number down.
    pub fn latest(&self, back: u64) -> u64 {
        let drawn = self.drawn.load(Ordering::Relaxed);
        if back < drawn {
            return self.number(drawn - 1 - back);
        }
        let seeded = self.seeded;
        seeded.saturating_sub(1 + (back - drawn).min(seeded.saturating_sub(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_insert_is_found_first_then_older_ones_then_the_seeded_items() {
        let inserts = Inserts::new(10);
        assert_eq!(
            inserts.latest(0),
            9,
            "before any insert: the last seeded item"
        );
        assert_eq!(inserts.latest(3), 6);
        assert_eq!(inserts.latest(50), 0, "never below the first seeded item");
        let first = inserts.next();
        let second = inserts.next();
        assert_eq!((first, second), (10, 11));
        assert_eq!(inserts.latest(0), 11);
        assert_eq!(inserts.latest(1), 10);
        assert_eq!(inserts.latest(2), 9);
    }

    #[test]
    fn tasks_of_a_distributed_run_number_apart_and_runs_start_apart() {
        let a = Inserts::placed(10, 7 << 40, Some(0));
        let b = Inserts::placed(10, 7 << 40, Some(1));
        assert_eq!((a.next(), b.next()), (10 + (7 << 20), 10 + (7 << 20) + 1));
        assert_eq!(a.next(), 10 + (7 << 20) + 1000);
        let other_run = Inserts::placed(10, 8 << 40, None);
        assert_eq!(other_run.next(), 10 + (8 << 20));
    }
}
