//! Applying UpdateExpression actions (SET with + and -, if_not_exists, list_append; REMOVE; ADD;
//! DELETE) to an item, with exact number arithmetic; and the paths an update touched (UPDATED_*).

use std::cmp::Ordering;

use super::ast::{Action, Path, PathPart};
use super::eval::{resolve, value_of};
use crate::error::ApiError;
use crate::value::{Av, Item};

fn set_path(item: &mut Item, path: &Path, value: Av) -> Result<(), ApiError> {
    let PathPart::Attr(first) = &path[0] else {
        return Err(ApiError::invalid_update_path());
    };
    if path.len() == 1 {
        item.insert(first.clone(), value);
        return Ok(());
    }
    let mut current = item
        .get_mut(first)
        .ok_or_else(ApiError::invalid_update_path)?;
    for (i, part) in path[1..].iter().enumerate() {
        let last = i == path.len() - 2;
        current = match (part, current) {
            (PathPart::Attr(name), Av::M(map)) => {
                if last {
                    map.insert(name.clone(), value);
                    return Ok(());
                }
                map.get_mut(name)
                    .ok_or_else(ApiError::invalid_update_path)?
            }
            (PathPart::Index(n), Av::L(list)) => {
                if last {
                    if *n < list.len() {
                        list[*n] = value;
                    } else {
                        list.push(value);
                    }
                    return Ok(());
                }
                list.get_mut(*n).ok_or_else(ApiError::invalid_update_path)?
            }
            _ => return Err(ApiError::invalid_update_path()),
        };
    }
    Err(ApiError::invalid_update_path())
}

fn resolve_mut<'i>(item: &'i mut Item, path: &[PathPart]) -> Option<&'i mut Av> {
    let PathPart::Attr(first) = &path[0] else {
        return None;
    };
    let mut current = item.get_mut(first)?;
    for part in &path[1..] {
        current = match (part, current) {
            (PathPart::Attr(name), Av::M(map)) => map.get_mut(name)?,
            (PathPart::Index(i), Av::L(list)) => list.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(current)
}

/// Removes `path`; a nested path whose parent is missing or not a map (for a name) or list (for an
/// index) is DynamoDB's invalid-path error, while a missing last element is nothing to remove.
fn remove_path(item: &mut Item, path: &Path) -> Result<(), ApiError> {
    if let [PathPart::Attr(name)] = path.as_slice() {
        item.remove(name);
        return Ok(());
    }
    let (last, parent) = path.split_last().expect("paths are never empty");
    match (last, resolve_mut(item, parent)) {
        (PathPart::Attr(name), Some(Av::M(map))) => {
            map.remove(name);
        }
        (PathPart::Index(i), Some(Av::L(list))) => {
            if *i < list.len() {
                list.remove(*i);
            }
        }
        _ => return Err(ApiError::invalid_update_path()),
    }
    Ok(())
}

/// Whether a nested path's parent is a container the path can step into (a top-level path always is).
fn parent_holds(item: &Item, path: &Path) -> bool {
    let (last, parent) = path.split_last().expect("paths are never empty");
    parent.is_empty()
        || matches!(
            (last, resolve(item, parent)),
            (PathPart::Attr(_), Some(Av::M(_))) | (PathPart::Index(_), Some(Av::L(_)))
        )
}

fn set_merge<T: PartialEq>(set: &mut Vec<T>, other: Vec<T>, add: bool) {
    if add {
        for v in other {
            if !set.contains(&v) {
                set.push(v);
            }
        }
    } else {
        set.retain(|v| !other.contains(v));
    }
}

/// Paths in document order, list indexes by number (a name before an index where they differ).
fn path_order(a: &Path, b: &Path) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let step = match (x, y) {
            (PathPart::Attr(x), PathPart::Attr(y)) => x.cmp(y),
            (PathPart::Index(x), PathPart::Index(y)) => x.cmp(y),
            (PathPart::Attr(_), PathPart::Index(_)) => Ordering::Less,
            (PathPart::Index(_), PathPart::Attr(_)) => Ordering::Greater,
        };
        if step != Ordering::Equal {
            return step;
        }
    }
    a.len().cmp(&b.len())
}

/// The order DynamoDB's list indexes mean: every index names an element of the list as it was.
/// Writes come first, in ascending path order (so writes past a list's end append in index
/// order), then removals in descending order (so removing one element shifts none still to go).
/// No two actions' paths overlap, so the order changes nothing else.
fn application_order(a: &&Action, b: &&Action) -> Ordering {
    let removes = |action: &Action| matches!(action, Action::Remove(_));
    match (removes(a), removes(b)) {
        (false, true) => Ordering::Less,
        (true, false) => Ordering::Greater,
        (false, false) => path_order(a.path(), b.path()),
        (true, true) => path_order(b.path(), a.path()),
    }
}

/// Applies update actions to `item` (values are computed against the item as it was).
pub fn apply_update(item: &mut Item, actions: &[Action]) -> Result<(), ApiError> {
    let before = item.clone();
    let mut ordered: Vec<&Action> = actions.iter().collect();
    ordered.sort_by(application_order);
    for action in ordered {
        match action {
            Action::Set(path, operand) => {
                // A path that cannot be set is found before its value is read, as DynamoDB answers.
                if !parent_holds(item, path) {
                    return Err(ApiError::invalid_update_path());
                }
                let value =
                    value_of(&before, operand)?.ok_or_else(ApiError::update_operand_missing)?;
                set_path(item, path, value)?;
            }
            Action::Remove(path) => remove_path(item, path)?,
            Action::Add(path, given) => {
                let merged = match (resolve(&before, path).cloned(), given.clone()) {
                    (None, v @ (Av::N(_) | Av::Ss(_) | Av::Ns(_) | Av::Bs(_) | Av::L(_))) => v,
                    (Some(Av::L(mut x)), Av::L(y)) => {
                        x.extend(y);
                        Av::L(x)
                    }
                    (Some(Av::N(x)), Av::N(y)) => {
                        Av::N(x.checked_add(&y).map_err(ApiError::invalid_number)?)
                    }
                    (Some(Av::Ss(mut x)), Av::Ss(y)) => {
                        set_merge(&mut x, y, true);
                        Av::Ss(x)
                    }
                    (Some(Av::Ns(mut x)), Av::Ns(y)) => {
                        set_merge(&mut x, y, true);
                        Av::Ns(x)
                    }
                    (Some(Av::Bs(mut x)), Av::Bs(y)) => {
                        set_merge(&mut x, y, true);
                        Av::Bs(x)
                    }
                    _ => return Err(ApiError::update_operand_wrong_type()),
                };
                set_path(item, path, merged)?;
            }
            Action::Delete(path, given) => {
                let remaining = match (resolve(&before, path).cloned(), given.clone()) {
                    (None, Av::Ss(_) | Av::Ns(_) | Av::Bs(_)) if parent_holds(&before, path) => {
                        continue
                    }
                    (None, _) => return Err(ApiError::invalid_update_path()),
                    (Some(Av::Ss(mut x)), Av::Ss(y)) => {
                        set_merge(&mut x, y, false);
                        (!x.is_empty()).then_some(Av::Ss(x))
                    }
                    (Some(Av::Ns(mut x)), Av::Ns(y)) => {
                        set_merge(&mut x, y, false);
                        (!x.is_empty()).then_some(Av::Ns(x))
                    }
                    (Some(Av::Bs(mut x)), Av::Bs(y)) => {
                        set_merge(&mut x, y, false);
                        (!x.is_empty()).then_some(Av::Bs(x))
                    }
                    _ => return Err(ApiError::update_operand_wrong_type()),
                };
                match remaining {
                    Some(v) => set_path(item, path, v)?,
                    None => remove_path(item, path)?,
                }
            }
        }
    }
    Ok(())
}

/// The document paths an update wrote or removed, for ReturnValues UPDATED_OLD / UPDATED_NEW.
pub fn updated_paths(actions: &[Action]) -> Vec<Path> {
    actions.iter().map(|a| a.path().clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::super::{parse_update, Bindings};
    use super::*;
    use crate::value::item_from_json;
    use serde_json::json;

    #[test]
    fn list_indexes_name_the_list_as_it_was_whatever_the_order_written() {
        let numbers = |values: &[&str]| -> Vec<serde_json::Value> {
            values.iter().map(|n| json!({"N": n})).collect()
        };
        let mut item =
            item_from_json(&json!({"l": {"L": numbers(&["0", "1", "2", "3", "4"])}})).unwrap();
        let bindings = Bindings::from_request(&json!({
            "ExpressionAttributeValues": {":a": {"S": "a"}, ":b": {"S": "b"}}
        }))
        .unwrap();
        let actions =
            parse_update("SET l[9] = :a, l[7] = :b REMOVE l[0], l[2]", &bindings).unwrap();
        apply_update(&mut item, &actions).unwrap();
        let mut want = numbers(&["1", "3", "4"]);
        want.extend([json!({"S": "b"}), json!({"S": "a"})]);
        assert_eq!(item, item_from_json(&json!({"l": {"L": want}})).unwrap());
    }

    #[test]
    fn updates_set_arithmetic_remove_and_add() {
        let b = Bindings::from_request(&json!({
            "ExpressionAttributeNames": {"#s": "stock"},
            "ExpressionAttributeValues": {":q": {"N": "2"}, ":z": {"N": "10"}}
        }))
        .unwrap();
        let actions = parse_update(
            "SET #s = #s - :q, tally = if_not_exists(tally, :z) REMOVE gone ADD n :q",
            &b,
        )
        .unwrap();
        let mut it = item_from_json(&json!({"stock": {"N": "5"}, "gone": {"S": "x"}})).unwrap();
        apply_update(&mut it, &actions).unwrap();
        let want =
            item_from_json(&json!({"stock": {"N": "3"}, "tally": {"N": "10"}, "n": {"N": "2"}}))
                .unwrap();
        assert_eq!(it, want);
    }

    #[test]
    fn arithmetic_past_38_digits_or_the_range_is_refused_not_rounded() {
        let max = "9.9999999999999999999999999999999999999E+125";
        let b = Bindings::from_request(&json!({"ExpressionAttributeValues": {":v": {"N": max}}}))
            .unwrap();
        for text in ["ADD n :v", "SET n = n + :v"] {
            let actions = parse_update(text, &b).unwrap();
            let mut it = item_from_json(&json!({"n": {"N": max}})).unwrap();
            let err = apply_update(&mut it, &actions).unwrap_err();
            assert_eq!(
                err.message, "DynamoDB only supports precision up to 38 digits",
                "{text}"
            );
        }
        let b =
            Bindings::from_request(&json!({"ExpressionAttributeValues": {":v": {"N": "1E-20"}}}))
                .unwrap();
        let actions = parse_update("SET n = n + :v", &b).unwrap();
        let mut it = item_from_json(&json!({"n": {"N": "1E+20"}})).unwrap();
        assert!(apply_update(&mut it, &actions).is_err());
    }
}
