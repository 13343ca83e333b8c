//! The partition-key hash that orders a table as DynamoDB orders it: Scan's order, its parallel
//! segments and the endpoint's shards all follow the MD5 of a salt and the key's stored bytes.
//!
//! The salt and the number encoding below reproduce the order DynamoDB returns (the order a public
//! emulator's suite records against DynamoDB); nothing else about DynamoDB's storage is implied.

use md5::{Digest, Md5};

use crate::number::Number;
use crate::value::KeyValue;

const SALT: &[u8] = b"Outliers";

/// The first eight bytes of MD5(salt, key bytes), big-endian: ordering by it orders by the digest.
pub fn partition_hash(key: &KeyValue) -> u64 {
    salted_md5(&[key])
}

/// The order of an index's entries that share one index key: by the same salted MD5 over the whole
/// base key, partition then sort (the order dynalite's suite records DynamoDB returning them in).
pub fn base_key_hash(partition: &KeyValue, sort: Option<&KeyValue>) -> u64 {
    match sort {
        Some(sort) => salted_md5(&[partition, sort]),
        None => salted_md5(&[partition]),
    }
}

fn salted_md5(keys: &[&KeyValue]) -> u64 {
    let mut md5 = Md5::new();
    md5.update(SALT);
    for key in keys {
        match key {
            KeyValue::S(text) => md5.update(text.as_bytes()),
            KeyValue::B(bytes) => md5.update(bytes),
            KeyValue::N(number) => md5.update(number_bytes(number)),
        }
    }
    let digest = md5.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

/// A number as DynamoDB stores it: one byte of base-100 exponent, then two decimal digits per byte
/// (plus one; for a negative number 101 minus them, the exponent byte inverted and, when short, a
/// terminating 102), so the bytes sort as the numbers do.
pub fn number_bytes(number: &Number) -> Vec<u8> {
    if number.is_zero() {
        return vec![0x80];
    }
    let (negative, coefficient, exponent) = number.parts();
    let mut digits: Vec<u8> = coefficient.to_string().bytes().map(|d| d - b'0').collect();
    // The value is 0.d1d2... x 10^point; base-100 pairs need an even point, so pad a leading zero.
    let mut point = digits.len() as i64 + i64::from(exponent);
    if point.rem_euclid(2) == 1 {
        digits.insert(0, 0);
        point += 1;
    }
    if digits.len() % 2 == 1 {
        digits.push(0);
    }
    let mut head = (point / 2 - 64) as i32;
    if negative {
        head = !head;
    }
    let mut bytes = vec![(head & 0xff) as u8];
    for pair in digits.chunks(2) {
        let value = pair[0] * 10 + pair[1];
        bytes.push(if negative { 101 - value } else { value + 1 });
    }
    if negative && bytes.len() < 21 {
        bytes.push(102);
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(keys: &[KeyValue]) -> Vec<KeyValue> {
        let mut sorted = keys.to_vec();
        sorted.sort_by_key(partition_hash);
        sorted
    }

    fn numbers(texts: &[&str]) -> Vec<KeyValue> {
        texts
            .iter()
            .map(|t| KeyValue::N(Number::parse(t).unwrap()))
            .collect()
    }

    fn strings(texts: &[&str]) -> Vec<KeyValue> {
        texts.iter().map(|t| KeyValue::S((*t).to_owned())).collect()
    }

    #[test]
    fn numbers_encode_in_base_100_with_their_sign() {
        assert_eq!(number_bytes(&Number::parse("1").unwrap()), [0xc1, 2]);
        assert_eq!(number_bytes(&Number::parse("100").unwrap()), [0xc2, 2]);
        assert_eq!(
            number_bytes(&Number::parse("12.5").unwrap()),
            [0xc1, 13, 51]
        );
        assert_eq!(
            number_bytes(&Number::parse("-1").unwrap()),
            [0x3e, 100, 102]
        );
        assert_eq!(number_bytes(&Number::parse("0").unwrap()), [0x80]);
    }

    // The orders DynamoDB returns for a Scan of these keys, as a public emulator's suite records them.
    #[test]
    fn string_keys_follow_dynamodbs_scan_order() {
        let expected = [
            "2", "8", "9", "1", "6", "hello", "0", "5", "4", "äáöü", "aardman", "7", "3", "zapf",
        ];
        let mut given = expected;
        given.sort();
        assert_eq!(order(&strings(&given)), strings(&expected));
    }

    #[test]
    fn number_keys_follow_dynamodbs_scan_order() {
        let expected = [
            "7", "999.9", "8", "3", "2", "-999.9", "9", "4", "-0.09", "6", "1", "0", "0.012345",
            "5",
        ];
        let mut given = expected;
        given.sort();
        assert_eq!(order(&numbers(&given)), numbers(&expected));
    }
}
