//! Which products a run reads and orders: uniform, Zipf-skewed, or a few hot keys taking a share of
//! the traffic (a lightning deal), so hot-partition throttling can be rehearsed.

use std::fmt;
use std::str::FromStr;

use rand::Rng;
use rand_distr::{Distribution, Zipf};

use crate::error::ConfigError;

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum KeyDistribution {
    #[default]
    Uniform,
    /// Zipf with exponent `theta` (YCSB's default skew is 0.99).
    Zipf { theta: f64 },
    /// The first `keys` products take `share` of the picks.
    Hot { keys: u32, share: f64 },
}

impl fmt::Display for KeyDistribution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyDistribution::Uniform => f.write_str("uniform"),
            KeyDistribution::Zipf { theta } => write!(f, "zipf:{theta}"),
            KeyDistribution::Hot { keys, share } => write!(f, "hot:{keys}:{share}"),
        }
    }
}

impl FromStr for KeyDistribution {
    type Err = ConfigError;

    fn from_str(text: &str) -> Result<Self, ConfigError> {
        let bad = |why: &str| {
            ConfigError::new(
                "--key-distribution",
                format!("expected uniform, zipf[:THETA] or hot:KEYS:SHARE such as hot:1:0.3 ({why}), got {text:?}"),
            )
        };
        let parts: Vec<&str> = text.split(':').collect();
        match parts.as_slice() {
            ["uniform"] => Ok(KeyDistribution::Uniform),
            ["zipf"] => Ok(KeyDistribution::Zipf { theta: 0.99 }),
            ["zipf", theta] => {
                let theta: f64 = theta.parse().map_err(|_| bad("THETA is a number"))?;
                if !(theta > 0.0 && theta <= 10.0) {
                    return Err(bad("THETA must be more than 0 and at most 10"));
                }
                Ok(KeyDistribution::Zipf { theta })
            }
            ["hot", keys, share] => {
                let keys: u32 = keys
                    .parse()
                    .ok()
                    .filter(|k| *k >= 1)
                    .ok_or_else(|| bad("KEYS is at least 1"))?;
                let share: f64 = share
                    .parse()
                    .ok()
                    .filter(|s: &f64| *s > 0.0 && *s <= 1.0)
                    .ok_or_else(|| bad("SHARE is more than 0 and at most 1"))?;
                Ok(KeyDistribution::Hot { keys, share })
            }
            _ => Err(bad("unknown form")),
        }
    }
}

/// Picks product indexes out of `n` by a distribution.
#[derive(Debug, Clone)]
pub struct KeyPicker {
    distribution: KeyDistribution,
    n: usize,
    zipf: Option<Zipf<f64>>,
}

impl KeyPicker {
    pub fn new(distribution: KeyDistribution, n: usize) -> KeyPicker {
        let zipf = match distribution {
            KeyDistribution::Zipf { theta } if n > 0 => Zipf::new(n as f64, theta).ok(),
            _ => None,
        };
        KeyPicker {
            distribution,
            n,
            zipf,
        }
    }

    pub fn pick(&self, rng: &mut impl Rng) -> usize {
        match (self.distribution, &self.zipf) {
            (KeyDistribution::Zipf { .. }, Some(zipf)) => {
                (zipf.sample(rng) as usize).clamp(1, self.n) - 1
            }
            (KeyDistribution::Hot { keys, share }, _) => {
                let hot = (keys as usize).min(self.n);
                if hot == self.n || rng.random_bool(share) {
                    rng.random_range(0..hot)
                } else {
                    rng.random_range(hot..self.n)
                }
            }
            _ => rng.random_range(0..self.n),
        }
    }

    /// The indexes this distribution picks most, with the share of picks each gets, most picked
    /// first: at most `count` of them, and only those with at least `min_share`.
    pub fn busiest(&self, count: usize, min_share: f64) -> Vec<(usize, f64)> {
        if self.n == 0 {
            return Vec::new();
        }
        let shares: Vec<(usize, f64)> = match self.distribution {
            KeyDistribution::Uniform => (0..self.n.min(count))
                .map(|i| (i, 1.0 / self.n as f64))
                .collect(),
            KeyDistribution::Zipf { theta } => {
                let total: f64 = (1..=self.n).map(|k| (k as f64).powf(-theta)).sum();
                (0..self.n.min(count))
                    .map(|i| (i, ((i + 1) as f64).powf(-theta) / total))
                    .collect()
            }
            KeyDistribution::Hot { keys, share } => {
                let hot = (keys as usize).min(self.n);
                let each = if hot == self.n {
                    1.0 / self.n as f64
                } else {
                    share / hot as f64
                };
                (0..hot.min(count)).map(|i| (i, each)).collect()
            }
        };
        shares
            .into_iter()
            .filter(|(_, s)| *s >= min_share)
            .collect()
    }

    /// Up to `count` distinct indexes (BatchGetItem and transactions refuse duplicate keys), drawn by
    /// the distribution; the rest uniformly once it keeps repeating itself.
    pub fn pick_distinct(&self, rng: &mut impl Rng, count: usize) -> Vec<usize> {
        let count = count.min(self.n);
        let mut out = Vec::with_capacity(count);
        let mut tries = 0;
        while out.len() < count {
            let index = if tries < 8 * count {
                self.pick(rng)
            } else {
                rng.random_range(0..self.n)
            };
            tries += 1;
            if !out.contains(&index) {
                out.push(index);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::SmallRng;
    use rand::SeedableRng;

    #[test]
    fn the_busiest_keys_are_the_ones_the_picks_favour() {
        let hot = KeyPicker::new("hot:1:0.9".parse().unwrap(), 1000);
        assert_eq!(hot.busiest(3, 0.01), vec![(0, 0.9)]);
        let zipf = KeyPicker::new("zipf:0.99".parse().unwrap(), 1000);
        let top = zipf.busiest(3, 0.01);
        assert_eq!(top.len(), 3);
        assert!(
            (top[0].1 - share_of_first("zipf:0.99", 1000)).abs() < 0.01,
            "{top:?}"
        );
        let uniform = KeyPicker::new(KeyDistribution::Uniform, 1000);
        assert!(uniform.busiest(3, 0.01).is_empty(), "0.1% each is not hot");
        let few = KeyPicker::new(KeyDistribution::Uniform, 4);
        assert_eq!(few.busiest(3, 0.01), vec![(0, 0.25), (1, 0.25), (2, 0.25)]);
    }

    fn share_of_first(distribution: &str, n: usize) -> f64 {
        let picker = KeyPicker::new(distribution.parse().unwrap(), n);
        let mut rng = SmallRng::seed_from_u64(5);
        let hits = (0..100_000).filter(|_| picker.pick(&mut rng) == 0).count();
        hits as f64 / 100_000.0
    }

    #[test]
    fn distributions_put_their_weight_where_they_say() {
        assert!((share_of_first("uniform", 100) - 0.01).abs() < 0.003);
        assert!((share_of_first("hot:1:0.3", 100) - 0.3).abs() < 0.01);
        assert!(
            share_of_first("zipf:0.99", 1000) > 0.1,
            "the first key of a Zipf is the hottest"
        );
        let picker = KeyPicker::new("hot:2:0.9".parse().unwrap(), 10);
        let mut rng = SmallRng::seed_from_u64(1);
        let mut picks = picker.pick_distinct(&mut rng, 5);
        picks.sort();
        picks.dedup();
        assert_eq!(picks.len(), 5);
        for bad in ["zipf:0", "hot:0:0.5", "hot:1:1.5", "pareto", "hot:1"] {
            assert_eq!(
                bad.parse::<KeyDistribution>().unwrap_err().option,
                "--key-distribution"
            );
        }
    }
}
