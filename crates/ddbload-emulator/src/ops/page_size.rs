//! The size a Query or Scan page counts against its 1 MB: DynamoDB measures items as it stores them
//! (each attribute name as one byte, a length prefix per value, 18 bytes of overhead per started 3 KB
//! plus the sort key), so its pages end a little before the items' billed sizes reach 1 MB.
//!
//! These rules reproduce where DynamoDB ends pages of known items (as a public emulator's suite
//! records them); billed capacity still follows the documented item size (`value::item_size`).

use crate::number::Number;
use crate::value::{Av, Item};

/// Storage overhead per started 3 KB of an item, before its sort key's own bytes.
const CHUNK_OVERHEAD: usize = 18;
const CHUNK_BYTES: usize = 3072;

/// The bytes `item` counts towards a page's 1 MB; `sort_key` is the table's sort key attribute.
pub fn page_size(item: &Item, sort_key: Option<&str>) -> usize {
    let mut sort_key_size = 0;
    let mut size = 0;
    for (name, value) in item {
        if Some(name.as_str()) == sort_key {
            sort_key_size = stored_size(value, false);
        } else {
            size += stored_size(value, true) + 1;
        }
    }
    2 + size + (1 + (1 + size) / CHUNK_BYTES) * (CHUNK_OVERHEAD + sort_key_size)
}

/// A value's bytes with its length prefix when `prefixed` (the sort key is stored without one).
fn stored_size(value: &Av, prefixed: bool) -> usize {
    let size = value_size(value);
    if !prefixed {
        return size;
    }
    match value {
        Av::S(_) if size < 128 => size + 1,
        Av::S(_) if size < 16_384 => size + 2,
        Av::S(_) => size + 3,
        Av::B(_) | Av::N(_) => size + 1,
        Av::Ss(v) => size + v.len() + 1,
        Av::Ns(v) => size + v.len() + 1,
        Av::Bs(v) => size + v.len() + 1,
        Av::Null => 0,
        Av::Bool(_) => 1,
        Av::L(_) | Av::M(_) => size,
    }
}

fn value_size(value: &Av) -> usize {
    match value {
        Av::S(s) => s.len(),
        Av::B(b) => b.len(),
        Av::N(n) => number_size(n),
        Av::Ss(v) => v.iter().map(String::len).sum(),
        Av::Bs(v) => v.iter().map(Vec::len).sum(),
        Av::Ns(v) => v.iter().map(number_size).sum(),
        Av::Null | Av::Bool(_) => 1,
        Av::L(values) => {
            3 + values
                .iter()
                .map(|v| 1 + stored_size(v, true))
                .sum::<usize>()
        }
        Av::M(map) => {
            3 + map.len()
                + map
                    .values()
                    .map(|v| stored_size(v, true) + 1)
                    .sum::<usize>()
        }
    }
}

/// A number's stored bytes: an exponent byte, two digits per byte, and a byte more for an even
/// digit count at an even exponent or for a negative sign.
fn number_size(number: &Number) -> usize {
    if number.is_zero() {
        return 1;
    }
    let (negative, _, exponent) = number.parts();
    let digits = number.digits();
    // The exponent of the first digit (value = d.ddd x 10^first).
    let first = digits as i64 - 1 + i64::from(exponent);
    let aligned = digits % 2 == 1 || first.rem_euclid(2) == 1;
    1 + digits.div_ceil(2) + usize::from(!aligned) + usize::from(negative)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::item_from_json;
    use serde_json::json;

    fn size(json: serde_json::Value, sort_key: Option<&str>) -> usize {
        page_size(&item_from_json(&json).unwrap(), sort_key)
    }

    #[test]
    fn a_large_string_item_carries_overhead_per_3_kb() {
        let b = "b".repeat(43_411);
        // a: 2 + 1 prefix + 1 name; b: 43,411 + 3 prefix + 1 name; 2 + 15 chunks x 18.
        assert_eq!(size(json!({"a": {"S": "00"}, "b": {"S": b}}), None), 43_691);
    }

    #[test]
    fn the_sort_key_is_counted_per_chunk_without_its_prefix() {
        assert_eq!(
            size(json!({"a": {"S": "x"}, "r": {"S": "abc"}}), Some("r")),
            2 + 3 + (18 + 3)
        );
    }

    #[test]
    fn numbers_count_digit_pairs() {
        let n = |text: &str| number_size(&Number::parse(text).unwrap());
        assert_eq!(n("0"), 1);
        assert_eq!(n("1"), 2);
        assert_eq!(n("12"), 2);
        assert_eq!(n("-12"), 3);
        assert_eq!(n("1.2"), 3);
        assert_eq!(n("12.3456"), 4);
    }
}
