//! DynamoDB attribute values in the emulator: parsing the wire JSON, sizes for capacity units
//! ("Item sizes and formats" in the developer guide), ordering of key values, and comparisons.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use base64::Engine as _;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use super::error::ApiError;

pub type Item = BTreeMap<String, Av>;

#[derive(Debug, Clone, PartialEq)]
pub enum Av {
    S(String),
    N(Decimal),
    B(Vec<u8>),
    Bool(bool),
    Null,
    M(BTreeMap<String, Av>),
    L(Vec<Av>),
    Ss(Vec<String>),
    Ns(Vec<Decimal>),
    Bs(Vec<Vec<u8>>),
}

fn number(text: &str) -> Result<Decimal, ApiError> {
    let trimmed = text.trim();
    let parsed = Decimal::from_str_exact(trimmed)
        .or_else(|_| Decimal::from_scientific(trimmed))
        .map_err(|_| {
            ApiError::validation(format!(
                "The parameter cannot be converted to a numeric value: {text} (the ddbload emulator holds \
                 numbers of up to 28 significant digits)"
            ))
        })?;
    Ok(parsed.normalize())
}

fn bytes(text: &str) -> Result<Vec<u8>, ApiError> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| ApiError::serialization("Base64 encoded value expected"))
}

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

impl Av {
    pub fn from_json(value: &Value) -> Result<Av, ApiError> {
        let obj = value
            .as_object()
            .filter(|o| o.len() == 1)
            .ok_or_else(|| ApiError::validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"))?;
        let (tag, inner) = obj.iter().next().expect("one entry");
        let text = || {
            inner
                .as_str()
                .ok_or_else(|| ApiError::serialization(format!("{tag} must be a string")))
        };
        let list = || {
            inner
                .as_array()
                .ok_or_else(|| ApiError::serialization(format!("{tag} must be a list")))
        };
        let texts = || -> Result<Vec<&str>, ApiError> {
            list()?
                .iter()
                .map(|v| {
                    v.as_str()
                        .ok_or_else(|| ApiError::serialization("set members must be strings"))
                })
                .collect()
        };
        Ok(match tag.as_str() {
            "S" => Av::S(text()?.to_owned()),
            "N" => Av::N(number(text()?)?),
            "B" => Av::B(bytes(text()?)?),
            "BOOL" => Av::Bool(
                inner
                    .as_bool()
                    .ok_or_else(|| ApiError::serialization("BOOL must be a boolean"))?,
            ),
            "NULL" => Av::Null,
            "M" => Av::M(item_from_json(inner)?),
            "L" => Av::L(
                list()?
                    .iter()
                    .map(Av::from_json)
                    .collect::<Result<_, _>>()?,
            ),
            "SS" | "NS" | "BS" => {
                let members = texts()?;
                if members.is_empty() {
                    return Err(ApiError::validation("One or more parameter values were invalid: An string set  may not be empty"));
                }
                let mut seen = std::collections::BTreeSet::new();
                if !members.iter().all(|m| seen.insert(*m)) {
                    return Err(ApiError::validation(
                        "One or more parameter values were invalid: Input collection contains duplicates",
                    ));
                }
                match tag.as_str() {
                    "SS" => Av::Ss(members.into_iter().map(str::to_owned).collect()),
                    "NS" => Av::Ns(members.into_iter().map(number).collect::<Result<_, _>>()?),
                    _ => Av::Bs(members.into_iter().map(bytes).collect::<Result<_, _>>()?),
                }
            }
            other => {
                return Err(ApiError::serialization(format!(
                    "Unknown AttributeValue type {other}"
                )))
            }
        })
    }

    pub fn to_json(&self) -> Value {
        match self {
            Av::S(s) => json!({ "S": s }),
            Av::N(n) => json!({ "N": n.to_string() }),
            Av::B(b) => json!({ "B": b64(b) }),
            Av::Bool(b) => json!({ "BOOL": b }),
            Av::Null => json!({ "NULL": true }),
            Av::M(m) => json!({ "M": item_to_json(m) }),
            Av::L(l) => json!({ "L": l.iter().map(Av::to_json).collect::<Vec<_>>() }),
            Av::Ss(s) => json!({ "SS": s }),
            Av::Ns(n) => json!({ "NS": n.iter().map(|d| d.to_string()).collect::<Vec<_>>() }),
            Av::Bs(b) => json!({ "BS": b.iter().map(|x| b64(x)).collect::<Vec<_>>() }),
        }
    }

    /// DynamoDB's type name, as attribute_type() and error messages use it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Av::S(_) => "S",
            Av::N(_) => "N",
            Av::B(_) => "B",
            Av::Bool(_) => "BOOL",
            Av::Null => "NULL",
            Av::M(_) => "M",
            Av::L(_) => "L",
            Av::Ss(_) => "SS",
            Av::Ns(_) => "NS",
            Av::Bs(_) => "BS",
        }
    }

    /// Size in bytes of the value (without its attribute name).
    pub fn size(&self) -> usize {
        match self {
            Av::S(s) => s.len(),
            Av::N(n) => number_size(n),
            Av::B(b) => b.len(),
            Av::Bool(_) | Av::Null => 1,
            // Lists and maps: 3 bytes of overhead, plus 1 byte per element.
            Av::M(m) => 3 + m.iter().map(|(k, v)| k.len() + v.size() + 1).sum::<usize>(),
            Av::L(l) => 3 + l.iter().map(|v| v.size() + 1).sum::<usize>(),
            Av::Ss(s) => s.iter().map(String::len).sum(),
            Av::Ns(n) => n.iter().map(number_size).sum(),
            Av::Bs(b) => b.iter().map(Vec::len).sum(),
        }
    }

    /// Ordering for comparisons and sort keys: numbers numerically, strings and binary bytewise.
    /// None when the types differ or are not ordered.
    pub fn compare(&self, other: &Av) -> Option<Ordering> {
        match (self, other) {
            (Av::N(a), Av::N(b)) => Some(a.cmp(b)),
            (Av::S(a), Av::S(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
            (Av::B(a), Av::B(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

/// About 1 byte per 2 significant digits, plus 1.
fn number_size(n: &Decimal) -> usize {
    let digits = n.mantissa().unsigned_abs().to_string();
    let significant = digits.trim_end_matches('0').len().max(1);
    significant.div_ceil(2) + 1
}

pub fn item_from_json(value: &Value) -> Result<Item, ApiError> {
    let obj = value
        .as_object()
        .ok_or_else(|| ApiError::serialization("expected a map of attribute values"))?;
    obj.iter()
        .map(|(k, v)| Ok((k.clone(), Av::from_json(v)?)))
        .collect()
}

pub fn item_to_json(item: &Item) -> Value {
    Value::Object(
        item.iter()
            .map(|(k, v)| (k.clone(), v.to_json()))
            .collect::<Map<_, _>>(),
    )
}

/// Item size: every attribute's name length plus its value's size.
pub fn item_size(item: &Item) -> usize {
    item.iter().map(|(k, v)| k.len() + v.size()).sum()
}

/// A key attribute's value, ordered the way DynamoDB orders keys.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyValue {
    N(Decimal),
    S(String),
    B(Vec<u8>),
}

impl KeyValue {
    pub fn of(av: &Av) -> Option<KeyValue> {
        match av {
            Av::N(n) => Some(KeyValue::N(*n)),
            Av::S(s) => Some(KeyValue::S(s.clone())),
            Av::B(b) => Some(KeyValue::B(b.clone())),
            _ => None,
        }
    }

    pub fn to_av(&self) -> Av {
        match self {
            KeyValue::N(n) => Av::N(*n),
            KeyValue::S(s) => Av::S(s.clone()),
            KeyValue::B(b) => Av::B(b.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn item(json: Value) -> Item {
        item_from_json(&json).unwrap()
    }

    #[test]
    fn sizes_follow_the_developer_guide() {
        // A string: its UTF-8 bytes; the name counts too.
        assert_eq!(item_size(&item(json!({"name": {"S": "héllo"}}))), 4 + 6);
        // Numbers: 1 byte per 2 significant digits + 1.
        assert_eq!(Av::N(Decimal::from(12345)).size(), 4);
        assert_eq!(
            Av::N(Decimal::from_str("1000").unwrap().normalize()).size(),
            2
        );
        // Maps and lists: 3 bytes overhead + 1 per element.
        let m = item(json!({"m": {"M": {"a": {"BOOL": true}}}}));
        assert_eq!(item_size(&m), 1 + 3 + (1 + 1 + 1));
    }

    #[test]
    fn numbers_are_normalized_like_dynamodb() {
        let n = Av::from_json(&json!({"N": "010.50"})).unwrap();
        assert_eq!(n.to_json(), json!({"N": "10.5"}));
        assert!(Av::from_json(&json!({"N": "abc"})).is_err());
    }

    #[test]
    fn values_round_trip_and_order() {
        let v = json!({"L": [{"S": "x"}, {"NS": ["1", "2"]}, {"B": "AAE="}, {"NULL": true}]});
        assert_eq!(Av::from_json(&v).unwrap().to_json(), v);
        assert!(KeyValue::N(Decimal::from(9)) < KeyValue::N(Decimal::from(10)));
        assert_eq!(Av::S("a".into()).compare(&Av::N(Decimal::ONE)), None);
    }
}
