//! A workload file's value generators, compiled once: each draws one DynamoDB attribute value.

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use rand::distr::Alphanumeric;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use serde_json::Value;

use super::spec::{Spec, SpecError};

/// One compiled generator. Numbers are exact: decimals are drawn as integers of the bounds' scale.
#[derive(Debug, Clone)]
pub enum Generator {
    Const(AttributeValue),
    Int {
        min: i64,
        max: i64,
    },
    Decimal {
        min: i128,
        max: i128,
        scale: u32,
    },
    String {
        min: usize,
        max: usize,
    },
    Bytes {
        min: usize,
        max: usize,
    },
    Bool,
    Uuid,
    /// Seconds since the epoch when drawn, plus an offset (a TTL attribute).
    Now {
        plus_seconds: i64,
    },
    Choice(Vec<AttributeValue>),
    List {
        of: Box<Generator>,
        min: usize,
        max: usize,
    },
    /// SS, NS or BS of distinct values (at least one: DynamoDB has no empty set).
    Set {
        of: Box<Generator>,
        min: usize,
        max: usize,
    },
    Map(Vec<(String, Generator)>),
}

impl Generator {
    /// Compiles the generator at `path` (one key naming its kind).
    pub fn compile(spec: &Spec) -> Result<Generator, SpecError> {
        let (kind, args) = spec.single_key()?;
        match kind {
            "const" => Ok(Generator::Const(scalar(&args)?)),
            "int" => {
                let (min, max) = (args.int("min")?, args.int("max")?);
                ordered(&args, min, max)?;
                Ok(Generator::Int { min, max })
            }
            "decimal" => {
                let (min, max) = (args.decimal("min")?, args.decimal("max")?);
                ordered(&args, min, max)?;
                let scale = min.scale().max(max.scale());
                let units = |d: Decimal| {
                    let mut d = d;
                    d.rescale(scale);
                    d.mantissa()
                };
                Ok(Generator::Decimal {
                    min: units(min),
                    max: units(max),
                    scale,
                })
            }
            "string" => {
                let (min, max) = args.length()?;
                Ok(Generator::String { min, max })
            }
            "bytes" => {
                let (min, max) = args.length()?;
                Ok(Generator::Bytes { min, max })
            }
            "bool" => Ok(Generator::Bool),
            "uuid" => Ok(Generator::Uuid),
            "now" => Ok(Generator::Now {
                plus_seconds: args.optional_int("plus_seconds")?.unwrap_or(0),
            }),
            "choice" => {
                let values = args.array()?;
                if values.is_empty() {
                    return Err(args.error("needs at least one value"));
                }
                Ok(Generator::Choice(
                    values.iter().map(scalar).collect::<Result<_, _>>()?,
                ))
            }
            "list" => {
                let (min, max) = args.length()?;
                let of = Generator::compile(&args.required("of")?)?;
                Ok(Generator::List {
                    of: Box::new(of),
                    min,
                    max,
                })
            }
            "set" => {
                let (min, max) = args.length()?;
                if min == 0 {
                    return Err(
                        args.error("a set holds at least one value (DynamoDB has no empty set)")
                    );
                }
                let of = Generator::compile(&args.required("of")?)?;
                let probe = of.value(&mut rand::rngs::SmallRng::seed_from_u64(0));
                if !matches!(
                    probe,
                    AttributeValue::S(_) | AttributeValue::N(_) | AttributeValue::B(_)
                ) {
                    return Err(args.error("a set is of strings, numbers or bytes"));
                }
                Ok(Generator::Set {
                    of: Box::new(of),
                    min,
                    max,
                })
            }
            "map" => Ok(Generator::Map(
                args.fields()?
                    .into_iter()
                    .map(|(name, spec)| Ok((name, Generator::compile(&spec)?)))
                    .collect::<Result<_, SpecError>>()?,
            )),
            other => Err(spec.error(&format!(
                "unknown generator {other:?}; one of const, int, decimal, string, bytes, bool, \
                 uuid, now, choice, list, set, map"
            ))),
        }
    }

    pub fn value(&self, rng: &mut impl Rng) -> AttributeValue {
        match self {
            Generator::Const(value) => value.clone(),
            Generator::Int { min, max } => {
                AttributeValue::N(rng.random_range(*min..=*max).to_string())
            }
            Generator::Decimal { min, max, scale } => {
                let units = rng.random_range(*min..=*max);
                AttributeValue::N(Decimal::from_i128_with_scale(units, *scale).to_string())
            }
            Generator::String { min, max } => {
                let len = rng.random_range(*min..=*max);
                AttributeValue::S((0..len).map(|_| rng.sample(Alphanumeric) as char).collect())
            }
            Generator::Bytes { min, max } => {
                let len = rng.random_range(*min..=*max);
                AttributeValue::B(Blob::new(
                    (0..len).map(|_| rng.random()).collect::<Vec<u8>>(),
                ))
            }
            Generator::Bool => AttributeValue::Bool(rng.random()),
            Generator::Uuid => AttributeValue::S(uuid_v4(rng)),
            Generator::Now { plus_seconds } => {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as i64);
                AttributeValue::N((now + plus_seconds).to_string())
            }
            Generator::Choice(values) => values[rng.random_range(0..values.len())].clone(),
            Generator::List { of, min, max } => {
                let len = rng.random_range(*min..=*max);
                AttributeValue::L((0..len).map(|_| of.value(rng)).collect())
            }
            Generator::Set { of, min, max } => {
                let len = rng.random_range(*min..=*max);
                let mut values: Vec<AttributeValue> = Vec::with_capacity(len);
                for _ in 0..len.max(1) {
                    let value = of.value(rng);
                    if !values.contains(&value) {
                        values.push(value);
                    }
                }
                let text = |v: &AttributeValue| match v {
                    AttributeValue::S(s) | AttributeValue::N(s) => s.clone(),
                    _ => String::new(),
                };
                match values[0] {
                    AttributeValue::N(_) => AttributeValue::Ns(values.iter().map(text).collect()),
                    AttributeValue::B(_) => AttributeValue::Bs(
                        values
                            .into_iter()
                            .filter_map(|v| match v {
                                AttributeValue::B(b) => Some(b),
                                _ => None,
                            })
                            .collect(),
                    ),
                    _ => AttributeValue::Ss(values.iter().map(text).collect()),
                }
            }
            Generator::Map(fields) => AttributeValue::M(
                fields
                    .iter()
                    .map(|(name, generator)| (name.clone(), generator.value(rng)))
                    .collect(),
            ),
        }
    }
}

fn ordered<T: PartialOrd + std::fmt::Display>(
    spec: &Spec,
    min: T,
    max: T,
) -> Result<(), SpecError> {
    if min > max {
        return Err(spec.error(&format!("min {min} is above max {max}")));
    }
    Ok(())
}

/// A constant: a string is S, an integer N, a decimal written as a string with `n:` N, true/false BOOL.
/// A float is refused: quantities are exact.
fn scalar(spec: &Spec) -> Result<AttributeValue, SpecError> {
    match spec.value() {
        Value::String(s) => match s.strip_prefix("n:") {
            Some(number) => number
                .parse::<Decimal>()
                .map(|d| AttributeValue::N(d.to_string()))
                .map_err(|_| spec.error(&format!("{number:?} is not an exact decimal number"))),
            None => Ok(AttributeValue::S(s.clone())),
        },
        Value::Number(n) if n.is_i64() || n.is_u64() => Ok(AttributeValue::N(n.to_string())),
        Value::Number(n) => Err(spec.error(&format!(
            "{n} is a float; write decimals as strings (\"n:{n}\") so they stay exact"
        ))),
        Value::Bool(b) => Ok(AttributeValue::Bool(*b)),
        _ => Err(spec.error("expected a string, an integer or true/false")),
    }
}

/// A random (version 4) UUID as text.
fn uuid_v4(rng: &mut impl Rng) -> String {
    let mut b: [u8; 16] = rng.random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::SmallRng;
    use rand::SeedableRng;
    use serde_json::json;

    fn compile(value: Value) -> Result<Generator, SpecError> {
        Generator::compile(&Spec::root(&value, "gen"))
    }

    #[test]
    fn decimals_are_drawn_exactly_at_the_bounds_scale() {
        let g = compile(json!({"decimal": {"min": "0.01", "max": "9.99"}})).unwrap();
        let mut rng = SmallRng::seed_from_u64(1);
        for _ in 0..500 {
            let AttributeValue::N(n) = g.value(&mut rng) else {
                panic!("a number")
            };
            let d: Decimal = n.parse().unwrap();
            assert_eq!(d.scale(), 2, "{n}");
            assert!(d >= Decimal::new(1, 2) && d <= Decimal::new(999, 2));
        }
    }

    #[test]
    fn a_float_constant_is_refused_with_its_path() {
        let err = compile(json!({"const": 1.5})).unwrap_err();
        assert!(err.to_string().contains("gen.const"), "{err}");
        assert!(err.to_string().contains("float"), "{err}");
    }

    #[test]
    fn nested_generators_make_maps_and_lists() {
        let g = compile(
            json!({"map": {"tags": {"list": {"of": {"choice": ["a", "b"]}, "length": [1, 3]}}}}),
        )
        .unwrap();
        let AttributeValue::M(m) = g.value(&mut SmallRng::seed_from_u64(2)) else {
            panic!("a map")
        };
        let AttributeValue::L(tags) = &m["tags"] else {
            panic!("a list")
        };
        assert!((1..=3).contains(&tags.len()));
    }
}
