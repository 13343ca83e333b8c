//! DynamoDB attribute values: parsing the wire JSON with DynamoDB's validation (one type per value,
//! sets non-empty and without duplicates, NULL only true, at most 32 levels of nesting), sizes for
//! capacity units ("Item sizes and formats" in the developer guide), key values and comparisons.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::{json, Map, Value};

use crate::error::ApiError;
use crate::number::Number;

pub type Item = BTreeMap<String, Av>;

/// Nesting levels DynamoDB accepts, the top-level attribute counting as one.
pub const MAX_NESTING: usize = 32;

#[derive(Debug, Clone, PartialEq)]
pub enum Av {
    S(String),
    N(Number),
    B(Vec<u8>),
    Bool(bool),
    Null,
    M(BTreeMap<String, Av>),
    L(Vec<Av>),
    Ss(Vec<String>),
    Ns(Vec<Number>),
    Bs(Vec<Vec<u8>>),
}

pub fn number(text: &str) -> Result<Number, ApiError> {
    Number::parse(text).map_err(ApiError::invalid_number)
}

fn bytes(text: &str) -> Result<Vec<u8>, ApiError> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| ApiError::base64_expected())
}

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// The members that name an AttributeValue's type.
const TYPE_TAGS: [&str; 10] = ["S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"];

impl Av {
    /// An AttributeValue as DynamoDB JSON, checked as DynamoDB checks it.
    pub fn from_json(value: &Value) -> Result<Av, ApiError> {
        Av::parse(value, 1)
    }

    fn parse(value: &Value, level: usize) -> Result<Av, ApiError> {
        let obj = value
            .as_object()
            .ok_or_else(ApiError::attribute_value_not_object)?;
        // A member that names no type is ignored, as DynamoDB's decoder ignores unknown members:
        // `{"a": ""}` is an empty AttributeValue. Each typed member is read (a number parsed, a set
        // checked) before more than one of them is refused, as DynamoDB reports
        // `{"S": "a", "N": "b"}` as a number that cannot be converted.
        let mut parsed = None;
        let mut types = 0;
        for (tag, inner) in obj
            .iter()
            .filter(|(tag, _)| TYPE_TAGS.contains(&tag.as_str()))
        {
            parsed = Some(Av::parse_member(tag, inner, level)?);
            types += 1;
        }
        match (parsed, types) {
            (Some(av), 1) => Ok(av),
            (None, _) => Err(ApiError::attribute_value_empty()),
            _ => Err(ApiError::attribute_value_many_types()),
        }
    }

    /// One typed member of an AttributeValue (`tag` is one of `TYPE_TAGS`).
    fn parse_member(tag: &str, inner: &Value, level: usize) -> Result<Av, ApiError> {
        let text = || {
            inner
                .as_str()
                .ok_or_else(|| ApiError::attribute_value_not_text(tag))
        };
        let list = || {
            inner
                .as_array()
                .ok_or_else(|| ApiError::attribute_value_not_list(tag))
        };
        let texts = || -> Result<Vec<&str>, ApiError> {
            list()?
                .iter()
                .map(|v| v.as_str().ok_or_else(ApiError::set_members_not_text))
                .collect()
        };
        let nested = || {
            if level >= MAX_NESTING {
                Err(ApiError::nesting_too_deep())
            } else {
                Ok(level + 1)
            }
        };
        Ok(match tag {
            "S" => Av::S(text()?.to_owned()),
            "N" => Av::N(number(text()?)?),
            "B" => Av::B(bytes(text()?)?),
            "BOOL" => Av::Bool(inner.as_bool().ok_or_else(ApiError::bool_not_boolean)?),
            "NULL" => {
                if inner.as_bool() != Some(true) {
                    return Err(ApiError::null_not_true());
                }
                Av::Null
            }
            "M" => {
                let level = nested()?;
                let map = inner.as_object().ok_or_else(ApiError::map_not_object)?;
                let mut out = BTreeMap::new();
                for (k, v) in map {
                    out.insert(k.clone(), Av::parse(v, level)?);
                }
                Av::M(out)
            }
            "L" => {
                let level = nested()?;
                Av::L(
                    list()?
                        .iter()
                        .map(|v| Av::parse(v, level))
                        .collect::<Result<_, _>>()?,
                )
            }
            "SS" => {
                let members = texts()?;
                non_empty(&members, "string")?;
                if has_duplicates(&members) {
                    return Err(ApiError::string_set_duplicates(&members));
                }
                Av::Ss(members.into_iter().map(str::to_owned).collect())
            }
            "NS" => {
                let members = texts()?;
                non_empty(&members, "number")?;
                let numbers = members
                    .into_iter()
                    .map(number)
                    .collect::<Result<Vec<_>, _>>()?;
                if has_duplicates(&numbers) {
                    return Err(ApiError::number_set_duplicates());
                }
                Av::Ns(numbers)
            }
            "BS" => {
                let members = texts()?;
                non_empty(&members, "binary")?;
                let blobs = members
                    .iter()
                    .map(|member| bytes(member))
                    .collect::<Result<Vec<_>, _>>()?;
                if has_duplicates(&blobs) {
                    return Err(ApiError::binary_set_duplicates(&members));
                }
                Av::Bs(blobs)
            }
            _ => return Err(ApiError::attribute_value_empty()),
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
            Av::Ns(n) => json!({ "NS": n.iter().map(Number::to_string).collect::<Vec<_>>() }),
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
            Av::N(n) => n.size(),
            Av::B(b) => b.len(),
            Av::Bool(_) | Av::Null => 1,
            // Lists and maps: 3 bytes of overhead, plus 1 byte per element.
            Av::M(m) => 3 + m.iter().map(|(k, v)| k.len() + v.size() + 1).sum::<usize>(),
            Av::L(l) => 3 + l.iter().map(|v| v.size() + 1).sum::<usize>(),
            Av::Ss(s) => s.iter().map(String::len).sum(),
            Av::Ns(n) => n.iter().map(Number::size).sum(),
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

    /// Equality as DynamoDB compares values: sets regardless of order.
    pub fn same_as(&self, other: &Av) -> bool {
        match (self, other) {
            (Av::Ss(a), Av::Ss(b)) => same_members(a, b),
            (Av::Ns(a), Av::Ns(b)) => same_members(a, b),
            (Av::Bs(a), Av::Bs(b)) => same_members(a, b),
            (Av::L(a), Av::L(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_as(y))
            }
            (Av::M(a), Av::M(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.get(k).is_some_and(|w| v.same_as(w)))
            }
            _ => self == other,
        }
    }
}

fn same_members<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}

fn non_empty<T>(members: &[T], kind: &str) -> Result<(), ApiError> {
    if members.is_empty() {
        return Err(ApiError::empty_set(kind));
    }
    Ok(())
}

fn has_duplicates<T: PartialEq>(members: &[T]) -> bool {
    members
        .iter()
        .enumerate()
        .any(|(i, m)| members[..i].contains(m))
}

/// An item (or Key) from its JSON map; attribute names must not be empty.
pub fn item_from_json(value: &Value) -> Result<Item, ApiError> {
    let obj = value.as_object().ok_or_else(ApiError::item_not_a_map)?;
    let mut item = Item::new();
    for (k, v) in obj {
        if k.is_empty() {
            return Err(ApiError::empty_attribute_name());
        }
        item.insert(k.clone(), Av::from_json(v)?);
    }
    Ok(item)
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
    N(Number),
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

    /// Bytes counted against the key size limits (2,048 partition, 1,024 sort).
    pub fn size(&self) -> usize {
        match self {
            KeyValue::N(n) => n.size(),
            KeyValue::S(s) => s.len(),
            KeyValue::B(b) => b.len(),
        }
    }

    /// The partition order DynamoDB's Scan follows (see `key_hash`): stable across runs.
    pub fn stable_hash(&self) -> u64 {
        crate::key_hash::partition_hash(self)
    }
}

/// FNV-1a, 64 bits: a stable hash of bytes, the same in every run.
pub fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(json: Value) -> Item {
        item_from_json(&json).unwrap()
    }

    fn err(json: Value) -> String {
        item_from_json(&json).unwrap_err().message
    }

    #[test]
    fn sizes_follow_the_developer_guide() {
        assert_eq!(item_size(&item(json!({"name": {"S": "héllo"}}))), 4 + 6);
        assert_eq!(Av::from_json(&json!({"N": "12345"})).unwrap().size(), 4);
        let m = item(json!({"m": {"M": {"a": {"BOOL": true}}}}));
        assert_eq!(item_size(&m), 1 + 3 + (1 + 1 + 1));
    }

    #[test]
    fn values_are_validated_like_dynamodb() {
        assert_eq!(
            err(json!({"s": {"NS": ["1", "1.0"]}})),
            "Input collection contains duplicates"
        );
        assert!(err(json!({"s": {"SS": ["a", "a"]}})).ends_with("[a, a] contains duplicates."));
        assert!(err(json!({"s": {"BS": ["Yg==", "Yg=="]}}))
            .ends_with("[Yg==, Yg==]of type BS contains duplicates."));
        assert!(err(json!({"s": {"SS": []}})).ends_with("An string set  may not be empty"));
        // DynamoDB (and DynamoDB Local) word an empty binary set apart.
        assert!(err(json!({"s": {"BS": []}})).ends_with("Binary sets should not be empty"));
        assert!(err(json!({"s": {"NULL": false}})).contains("must have the value of true"));
        assert_eq!(err(json!({"": {"S": "v"}})), "Empty attribute name");
        assert!(err(json!({"s": {}})).contains("is empty"));
        assert!(err(json!({"s": {"S": "a", "N": "1"}})).contains("more than one datatypes"));
        // Each member is read before more than one is refused.
        assert_eq!(
            err(json!({"s": {"S": "a", "N": "b"}})),
            "A value provided cannot be converted into a number"
        );
        assert!(err(json!({"s": {"S": "a", "SS": []}})).ends_with("may not be empty"));
        assert_eq!(
            err(json!({"n": {"N": " 1"}})),
            "A value provided cannot be converted into a number"
        );
    }

    #[test]
    fn nesting_stops_at_32_levels() {
        let nest = |levels: usize| {
            let mut v = json!({"S": "leaf"});
            for _ in 0..levels {
                v = json!({"M": {"m": v}});
            }
            json!({ "m": v })
        };
        assert!(item_from_json(&nest(31)).is_ok());
        assert!(err(nest(32)).starts_with("Nesting Levels have exceeded"));
    }

    #[test]
    fn values_round_trip_and_order() {
        let v = json!({"L": [{"S": "x"}, {"NS": ["1", "2"]}, {"B": "AAE="}, {"NULL": true}]});
        assert_eq!(Av::from_json(&v).unwrap().to_json(), v);
        assert!(
            KeyValue::N(Number::parse("9").unwrap()) < KeyValue::N(Number::parse("10").unwrap())
        );
        assert_eq!(Av::S("a".into()).compare(&Av::N(Number::ZERO)), None);
        assert_eq!(
            KeyValue::S("k".into()).stable_hash(),
            KeyValue::S("k".into()).stable_hash()
        );
    }
}
