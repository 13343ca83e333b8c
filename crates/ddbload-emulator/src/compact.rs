//! Items as the store keeps them: one byte string each, close to the item's DynamoDB size, instead of a
//! tree of maps, strings and numbers (about 11x the data's size in memory). Encoded on write, decoded on
//! read; a top-level attribute can be read without decoding the rest (Time to Live's sweep does).
//!
//! Layout: attribute count, then per attribute its name, its value's length and the value; a value is a
//! type tag and its payload, lengths and counts as LEB128 varints.

use std::cell::RefCell;
use std::collections::BTreeMap;

use crate::number::Number;
use crate::table::ItemKey;
use crate::value::{item_size, Av, Item, KeyValue};

const S: u8 = 0;
const N: u8 = 1;
const B: u8 = 2;
const FALSE: u8 = 3;
const TRUE: u8 = 4;
const NULL: u8 = 5;
const M: u8 = 6;
const L: u8 = 7;
const SS: u8 = 8;
const NS: u8 = 9;
const BS: u8 = 10;

/// One stored item: its size as DynamoDB counts it (4 bytes, little-endian), then its encoding, in one
/// allocation (16 bytes beside the key in a shard's map, not 24).
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    bytes: Box<[u8]>,
}

const SIZE_BYTES: usize = 4;

thread_local! {
    /// Where encodings are built (the item's, and one attribute's value), reused across writes.
    static SCRATCH: RefCell<(Vec<u8>, Vec<u8>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

impl Stored {
    pub fn encode(item: &Item) -> Stored {
        SCRATCH.with_borrow_mut(|(out, value)| {
            out.clear();
            // Items are at most 400 KB.
            out.extend_from_slice(&(item_size(item) as u32).to_le_bytes());
            put_len(out, item.len());
            for (name, av) in item {
                put_bytes(out, name.as_bytes());
                value.clear();
                put_value(value, av);
                put_bytes(out, value);
            }
            Stored {
                // Copied out at its exact length: a grown buffer shrunk in place keeps its whole
                // block (mimalloc keeps it when at most half is spare), up to twice the item.
                bytes: Box::from(out.as_slice()),
            }
        })
    }

    /// The item's DynamoDB size (`value::item_size`).
    pub fn size(&self) -> usize {
        let (size, _) = self.bytes.split_at(SIZE_BYTES);
        u32::from_le_bytes(size.try_into().expect("four bytes")) as usize
    }

    fn encoding(&self) -> &[u8] {
        &self.bytes[SIZE_BYTES..]
    }

    pub fn decode(&self) -> Item {
        let mut reader = Reader(self.encoding());
        let count = reader.len();
        let mut item = Item::new();
        for _ in 0..count {
            let name = reader.text();
            let value = reader.bytes();
            item.insert(name, Reader(value).value());
        }
        item
    }

    /// One top-level attribute, without decoding the others.
    pub fn attribute(&self, wanted: &str) -> Option<Av> {
        let mut reader = Reader(self.encoding());
        let count = reader.len();
        for _ in 0..count {
            let name = reader.bytes();
            let value = reader.bytes();
            if name == wanted.as_bytes() {
                return Some(Reader(value).value());
            }
        }
        None
    }

    /// Bytes held for the item (its size and encoding; the allocator adds a little).
    pub fn heap_bytes(&self) -> usize {
        self.bytes.len()
    }

    /// The item as `serve --data-dir` writes it: its DynamoDB size, then its encoding.
    pub fn to_disk(&self) -> &[u8] {
        &self.bytes
    }

    /// Reads what `to_disk` wrote.
    pub fn from_disk(bytes: &[u8]) -> Stored {
        Stored {
            bytes: bytes.into(),
        }
    }
}

/// An item's key as `serve --data-dir` writes it: the partition hash (big-endian, so byte order is
/// hash order), then the partition value and the sort value if any.
pub fn encode_key(key: &ItemKey) -> Vec<u8> {
    let mut out = Vec::with_capacity(24);
    out.extend_from_slice(&key.hash.to_be_bytes());
    put_value(&mut out, &key.partition.to_av());
    if let Some(sort) = &key.sort {
        put_value(&mut out, &sort.to_av());
    }
    out
}

/// Reads what `encode_key` wrote.
pub fn decode_key(bytes: &[u8]) -> ItemKey {
    let (hash, rest) = bytes.split_at(8);
    let mut reader = Reader(rest);
    let key_value = |av: Av| KeyValue::of(&av).expect("a stored key is S, N or B");
    let partition = key_value(reader.value());
    let sort = (!reader.0.is_empty()).then(|| Box::new(key_value(reader.value())));
    ItemKey {
        hash: u64::from_be_bytes(hash.try_into().expect("eight bytes")),
        partition,
        sort,
    }
}

fn put_len(out: &mut Vec<u8>, n: usize) {
    put_u128(out, n as u128);
}

fn put_u128(out: &mut Vec<u8>, mut n: u128) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_len(out, bytes.len());
    out.extend_from_slice(bytes);
}

fn put_number(out: &mut Vec<u8>, number: &Number) {
    let (negative, coefficient, exponent) = number.parts();
    out.push(u8::from(negative));
    put_u128(out, coefficient);
    // Zigzag: small negative exponents stay one byte.
    put_u128(out, u128::from(((exponent << 1) ^ (exponent >> 31)) as u32));
}

fn put_value(out: &mut Vec<u8>, av: &Av) {
    match av {
        Av::S(text) => {
            out.push(S);
            put_bytes(out, text.as_bytes());
        }
        Av::N(number) => {
            out.push(N);
            put_number(out, number);
        }
        Av::B(bytes) => {
            out.push(B);
            put_bytes(out, bytes);
        }
        Av::Bool(value) => out.push(if *value { TRUE } else { FALSE }),
        Av::Null => out.push(NULL),
        Av::M(map) => {
            out.push(M);
            put_len(out, map.len());
            for (name, value) in map {
                put_bytes(out, name.as_bytes());
                put_value(out, value);
            }
        }
        Av::L(list) => {
            out.push(L);
            put_len(out, list.len());
            for value in list {
                put_value(out, value);
            }
        }
        Av::Ss(set) => {
            out.push(SS);
            put_len(out, set.len());
            for text in set {
                put_bytes(out, text.as_bytes());
            }
        }
        Av::Ns(set) => {
            out.push(NS);
            put_len(out, set.len());
            for number in set {
                put_number(out, number);
            }
        }
        Av::Bs(set) => {
            out.push(BS);
            put_len(out, set.len());
            for bytes in set {
                put_bytes(out, bytes);
            }
        }
    }
}

/// Reads what `Stored::encode` wrote; the bytes are the store's own, so a malformed one is a bug.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn byte(&mut self) -> u8 {
        let (first, rest) = self.0.split_first().expect("a stored item is well formed");
        self.0 = rest;
        *first
    }

    fn u128(&mut self) -> u128 {
        let (mut n, mut shift) = (0u128, 0);
        loop {
            let byte = self.byte();
            n |= u128::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return n;
            }
            shift += 7;
        }
    }

    fn len(&mut self) -> usize {
        self.u128() as usize
    }

    fn bytes(&mut self) -> &'a [u8] {
        let len = self.len();
        let (bytes, rest) = self.0.split_at(len);
        self.0 = rest;
        bytes
    }

    fn text(&mut self) -> String {
        String::from_utf8(self.bytes().to_vec()).expect("stored text is UTF-8")
    }

    fn number(&mut self) -> Number {
        let negative = self.byte() != 0;
        let coefficient = self.u128();
        let zigzag = self.u128() as u32;
        let exponent = ((zigzag >> 1) as i32) ^ -((zigzag & 1) as i32);
        Number::from_parts(negative, coefficient, exponent)
    }

    fn value(&mut self) -> Av {
        match self.byte() {
            S => Av::S(self.text()),
            N => Av::N(self.number()),
            B => Av::B(self.bytes().to_vec()),
            FALSE => Av::Bool(false),
            TRUE => Av::Bool(true),
            NULL => Av::Null,
            M => {
                let count = self.len();
                let mut map = BTreeMap::new();
                for _ in 0..count {
                    let name = self.text();
                    map.insert(name, self.value());
                }
                Av::M(map)
            }
            L => {
                let count = self.len();
                Av::L((0..count).map(|_| self.value()).collect())
            }
            SS => {
                let count = self.len();
                Av::Ss((0..count).map(|_| self.text()).collect())
            }
            NS => {
                let count = self.len();
                Av::Ns((0..count).map(|_| self.number()).collect())
            }
            BS => {
                let count = self.len();
                Av::Bs((0..count).map(|_| self.bytes().to_vec()).collect())
            }
            tag => panic!("a stored item has an unknown type tag {tag}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::item_from_json;
    use serde_json::json;

    #[test]
    fn every_type_decodes_to_what_was_encoded_and_one_attribute_reads_alone() {
        let item = item_from_json(&json!({
            "pk": {"S": "order-1"}, "total": {"N": "-1234.5600"}, "tiny": {"N": "1E-130"},
            "big": {"N": "99999999999999999999999999999999999999"}, "blob": {"B": "AAEC"},
            "yes": {"BOOL": true}, "no": {"BOOL": false}, "none": {"NULL": true},
            "lines": {"L": [{"M": {"sku": {"S": "x"}, "qty": {"N": "2"}}}, {"L": []}, {"S": ""}]},
            "tags": {"SS": ["a", "b"]}, "sizes": {"NS": ["1", "2.5"]}, "raw": {"BS": ["AA==", "AQ=="]}
        }))
        .unwrap();
        let stored = Stored::encode(&item);
        assert_eq!(stored.decode(), item);
        assert_eq!(stored.attribute("total"), item.get("total").cloned());
        assert_eq!(stored.attribute("missing"), None);
        assert_eq!(stored.size(), item_size(&item));
        assert!(stored.heap_bytes() < item_size(&item) * 2);
        assert_eq!(Stored::from_disk(stored.to_disk()), stored);
    }

    #[test]
    fn keys_read_back_as_written_with_and_without_a_sort_key() {
        let number = |text: &str| KeyValue::N(Number::parse(text).unwrap());
        for key in [
            ItemKey::new(KeyValue::S("order-1".into()), None),
            ItemKey::new(number("-12.5"), Some(KeyValue::B(vec![0, 255]))),
            ItemKey::new(KeyValue::B(vec![]), Some(KeyValue::S(String::new()))),
        ] {
            assert_eq!(decode_key(&encode_key(&key)), key);
        }
    }

    #[test]
    fn an_entry_of_a_shards_map_is_64_bytes() {
        // Every stored item costs its key and this beside it, besides its encoding
        // (bench/store_memory.py measures the whole).
        assert_eq!(std::mem::size_of::<ItemKey>(), 48);
        assert_eq!(std::mem::size_of::<Stored>(), 16);
    }
}
