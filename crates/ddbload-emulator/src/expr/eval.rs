//! Evaluating conditions (ConditionExpression, FilterExpression, key conditions) against an item.

use std::cmp::Ordering;

use super::ast::{Cond, Operand, PathPart};
use crate::error::ApiError;
use crate::number::Number;
use crate::value::{Av, Item};

pub fn resolve<'i>(item: &'i Item, path: &[PathPart]) -> Option<&'i Av> {
    let PathPart::Attr(first) = &path[0] else {
        return None;
    };
    let mut current = item.get(first)?;
    for part in &path[1..] {
        current = match (part, current) {
            (PathPart::Attr(name), Av::M(map)) => map.get(name)?,
            (PathPart::Index(i), Av::L(list)) => list.get(*i)?,
            _ => return None,
        };
    }
    Some(current)
}

/// An operand's value against `item` (None when a path is missing).
pub(super) fn value_of(item: &Item, operand: &Operand) -> Result<Option<Av>, ApiError> {
    Ok(match operand {
        Operand::Path(path) => resolve(item, path).cloned(),
        Operand::Value(v) => Some(v.clone()),
        Operand::Size(path) => resolve(item, path)
            .and_then(size_of)
            .map(|n| Av::N(Number::from_i64(n as i64))),
        Operand::IfNotExists(path, fallback) => match resolve(item, path) {
            Some(v) => Some(v.clone()),
            None => value_of(item, fallback)?,
        },
        // An update's operands: a missing attribute, then a wrong type, are DynamoDB's errors.
        Operand::ListAppend(a, b) => match both_present(item, a, b)? {
            (Av::L(mut x), Av::L(y)) => {
                x.extend(y);
                Some(Av::L(x))
            }
            _ => return Err(ApiError::update_operand_wrong_type()),
        },
        Operand::Plus(a, b) | Operand::Minus(a, b) => {
            let (Av::N(x), Av::N(y)) = both_present(item, a, b)? else {
                return Err(ApiError::update_operand_wrong_type());
            };
            let exact = if matches!(operand, Operand::Plus(..)) {
                x.checked_add(&y)
            } else {
                x.checked_sub(&y)
            };
            Some(Av::N(exact.map_err(ApiError::invalid_number)?))
        }
    })
}

/// Two operands' values, or DynamoDB's error for an update that refers to a missing attribute.
fn both_present(item: &Item, a: &Operand, b: &Operand) -> Result<(Av, Av), ApiError> {
    match (value_of(item, a)?, value_of(item, b)?) {
        (Some(x), Some(y)) => Ok((x, y)),
        _ => Err(ApiError::update_operand_missing()),
    }
}

pub fn evaluate(cond: &Cond, item: &Item) -> Result<bool, ApiError> {
    Ok(match cond {
        Cond::And(a, b) => evaluate(a, item)? && evaluate(b, item)?,
        Cond::Or(a, b) => evaluate(a, item)? || evaluate(b, item)?,
        Cond::Not(a) => !evaluate(a, item)?,
        Cond::Exists(path) => resolve(item, path).is_some(),
        Cond::NotExists(path) => resolve(item, path).is_none(),
        Cond::Compare(a, op, b) => {
            let (Some(x), Some(y)) = (value_of(item, a)?, value_of(item, b)?) else {
                // A missing attribute equals nothing and orders against nothing, but is not equal
                // to anything either: `a <> :v` holds when `a` is absent, as in DynamoDB.
                return Ok(*op == "<>");
            };
            match *op {
                "=" => x.same_as(&y),
                "<>" => !x.same_as(&y),
                _ => match x.compare(&y) {
                    Some(ord) => match *op {
                        "<" => ord == Ordering::Less,
                        "<=" => ord != Ordering::Greater,
                        ">" => ord == Ordering::Greater,
                        _ => ord != Ordering::Less,
                    },
                    None => false,
                },
            }
        }
        Cond::Between(v, low, high) => {
            let (Some(x), Some(lo), Some(hi)) = (
                value_of(item, v)?,
                value_of(item, low)?,
                value_of(item, high)?,
            ) else {
                return Ok(false);
            };
            matches!(x.compare(&lo), Some(Ordering::Greater | Ordering::Equal))
                && matches!(x.compare(&hi), Some(Ordering::Less | Ordering::Equal))
        }
        Cond::In(v, options) => {
            let Some(x) = value_of(item, v)? else {
                return Ok(false);
            };
            let mut found = false;
            for option in options {
                found |= value_of(item, option)?.is_some_and(|o| o.same_as(&x));
            }
            found
        }
        Cond::BeginsWith(a, b) => match (value_of(item, a)?, value_of(item, b)?) {
            (Some(Av::S(x)), Some(Av::S(y))) => x.starts_with(&y),
            (Some(Av::B(x)), Some(Av::B(y))) => x.starts_with(&y),
            _ => false,
        },
        Cond::Contains(a, b) => match (value_of(item, a)?, value_of(item, b)?) {
            (Some(Av::S(x)), Some(Av::S(y))) => x.contains(&y),
            (Some(Av::B(x)), Some(Av::B(y))) => {
                x.windows(y.len().max(1)).any(|w| w == y.as_slice())
            }
            (Some(Av::Ss(x)), Some(Av::S(y))) => x.contains(&y),
            (Some(Av::Ns(x)), Some(Av::N(y))) => x.contains(&y),
            (Some(Av::Bs(x)), Some(Av::B(y))) => x.contains(&y),
            (Some(Av::L(x)), Some(y)) => x.iter().any(|v| v.same_as(&y)),
            _ => false,
        },
        Cond::AttrType(path, t) => match (resolve(item, path), value_of(item, t)?) {
            (Some(v), Some(Av::S(name))) => v.type_name() == name,
            _ => false,
        },
    })
}

/// What size() answers: a string's characters (UTF-16 units, as DynamoDB counts: size("abÿ") is 3),
/// a binary's bytes, a set's, list's or map's members; None for a number, boolean or null.
pub fn size_of(value: &Av) -> Option<usize> {
    Some(match value {
        Av::S(s) => s.encode_utf16().count(),
        Av::B(b) => b.len(),
        Av::M(m) => m.len(),
        Av::L(l) => l.len(),
        Av::Ss(s) => s.len(),
        Av::Ns(n) => n.len(),
        Av::Bs(b) => b.len(),
        Av::N(_) | Av::Bool(_) | Av::Null => return None,
    })
}
