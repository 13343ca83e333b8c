//! Reading a workload file's JSON form with the path of every value, so each mistake names where it is.

use std::fmt;

use rust_decimal::Decimal;
use serde_json::Value;

/// A mistake in the workload file, with its JSON path ("operations[2].update.table").
#[derive(Debug, Clone, PartialEq)]
pub struct SpecError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// A value of the file and where it is.
#[derive(Debug, Clone)]
pub struct Spec<'a> {
    value: &'a Value,
    path: String,
}

impl<'a> Spec<'a> {
    pub fn root(value: &'a Value, path: &str) -> Self {
        Spec {
            value,
            path: path.to_owned(),
        }
    }

    pub fn value(&self) -> &'a Value {
        self.value
    }

    pub fn error(&self, message: &str) -> SpecError {
        SpecError {
            path: self.path.clone(),
            message: message.to_owned(),
        }
    }

    fn child(&self, key: &str, value: &'a Value) -> Spec<'a> {
        Spec {
            value,
            path: format!("{}.{key}", self.path),
        }
    }

    pub fn get(&self, key: &str) -> Option<Spec<'a>> {
        self.value.get(key).map(|v| self.child(key, v))
    }

    pub fn required(&self, key: &str) -> Result<Spec<'a>, SpecError> {
        if !self.value.is_object() {
            return Err(self.error("expected a mapping"));
        }
        self.get(key)
            .ok_or_else(|| self.error(&format!("{key} is required")))
    }

    /// The one key of `{kind: args}`, and its args.
    pub fn single_key(&self) -> Result<(&'a str, Spec<'a>), SpecError> {
        match self.value.as_object() {
            Some(map) if map.len() == 1 => {
                let (key, value) = map.iter().next().expect("one entry");
                Ok((key.as_str(), self.child(key, value)))
            }
            _ => Err(self.error("expected a mapping with exactly one key (its kind)")),
        }
    }

    pub fn str(&self) -> Result<&'a str, SpecError> {
        self.value
            .as_str()
            .ok_or_else(|| self.error("expected a string"))
    }

    pub fn array(&self) -> Result<Vec<Spec<'a>>, SpecError> {
        let items = self
            .value
            .as_array()
            .ok_or_else(|| self.error("expected a list"))?;
        Ok(items
            .iter()
            .enumerate()
            .map(|(i, v)| Spec {
                value: v,
                path: format!("{}[{i}]", self.path),
            })
            .collect())
    }

    /// A mapping's entries in file order.
    pub fn fields(&self) -> Result<Vec<(String, Spec<'a>)>, SpecError> {
        let map = self
            .value
            .as_object()
            .ok_or_else(|| self.error("expected a mapping"))?;
        Ok(map
            .iter()
            .map(|(k, v)| (k.clone(), self.child(k, v)))
            .collect())
    }

    /// Refuses keys other than `known`: a key the plan would ignore is a mistake, not a no-op.
    pub fn only(&self, known: &[&str]) -> Result<(), SpecError> {
        for (key, value) in self.fields()? {
            if !known.contains(&key.as_str()) {
                return Err(self.child(&key, value.value).error(&format!(
                    "unknown key; expected one of {}",
                    known.join(", ")
                )));
            }
        }
        Ok(())
    }

    pub fn as_int(&self) -> Result<i64, SpecError> {
        self.value
            .as_i64()
            .ok_or_else(|| self.error("expected an integer"))
    }

    pub fn int(&self, key: &str) -> Result<i64, SpecError> {
        self.required(key)?.as_int()
    }

    pub fn optional_int(&self, key: &str) -> Result<Option<i64>, SpecError> {
        self.get(key).map(|v| v.as_int()).transpose()
    }

    /// An exact decimal: written as a string ("9.99") or an integer; a float is refused.
    pub fn decimal(&self, key: &str) -> Result<Decimal, SpecError> {
        let spec = self.required(key)?;
        match spec.value {
            Value::String(s) => s.parse::<Decimal>().map_err(|_| {
                spec.error(&format!(
                    "{s:?} is not a decimal number rust_decimal holds exactly"
                ))
            }),
            Value::Number(n) if n.is_i64() => Ok(Decimal::from(n.as_i64().expect("checked"))),
            Value::Number(n) => Err(spec.error(&format!(
                "{n} is a float; write it as a string (\"{n}\") so it stays exact"
            ))),
            _ => Err(spec.error("expected a decimal number written as a string")),
        }
    }

    /// `length: N` or `length: [MIN, MAX]`.
    pub fn length(&self) -> Result<(usize, usize), SpecError> {
        let spec = self.required("length")?;
        let bound = |s: &Spec| -> Result<usize, SpecError> {
            let n = s.as_int()?;
            usize::try_from(n).map_err(|_| s.error("expected a length of 0 or more"))
        };
        let (min, max) = match spec.value {
            Value::Array(_) => {
                let items = spec.array()?;
                if items.len() != 2 {
                    return Err(spec.error("expected [MIN, MAX]"));
                }
                (bound(&items[0])?, bound(&items[1])?)
            }
            _ => {
                let n = bound(&spec)?;
                (n, n)
            }
        };
        if min > max {
            return Err(spec.error(&format!("min {min} is above max {max}")));
        }
        Ok((min, max))
    }
}
