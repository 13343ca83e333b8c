//! The product catalog a run reads from: sampled keys with exact prices, and the items `--seed-products` writes.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use rand::Rng;
use rust_decimal::Decimal;

use super::money;
use super::schema::{label, KeySchema};
use crate::error::EngineError;

/// The attribute holding a product's unit price (a DynamoDB number).
pub const PRICE_ATTR: &str = "price";
/// The attribute a transactional order decrements.
pub const STOCK_ATTR: &str = "stock";
/// Marks every item ddbload writes, so cleanup can tell them from the user's.
pub const GENERATED_BY_ATTR: &str = "generated_by";
pub const GENERATOR: &str = "ddbload";
/// Seeded products start with this much stock so transactional orders rarely run out.
pub const SEED_STOCK: u64 = 1_000_000_000;

#[derive(Debug, Clone)]
pub struct Product {
    pub key: HashMap<String, AttributeValue>,
    pub label: String,
    pub price: Decimal,
}

#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub products: Vec<Product>,
}

impl Catalog {
    /// Builds the catalog from scanned items. An item's `price` must be an exact decimal; items without
    /// a numeric price get one drawn from `[price_min, price_max]`.
    pub fn from_items(
        items: &[HashMap<String, AttributeValue>],
        schema: &KeySchema,
        rng: &mut impl Rng,
        price_min: Decimal,
        price_max: Decimal,
    ) -> Result<Self, EngineError> {
        let mut products = Vec::with_capacity(items.len());
        for item in items {
            let Some(key) = schema.key_of(item) else {
                continue;
            };
            let product_label = label(&key[&schema.partition.name]);
            let price = match item.get(PRICE_ATTR) {
                Some(AttributeValue::N(text)) => exact_price(&product_label, text)?,
                // A price of another type is the user's data, not a gap: it is never replaced by a guess.
                Some(other) => {
                    return Err(EngineError::Data(format!(
                        "product {product_label}: its price is {}, not a number (N): ddbload does not \
                         guess a price; store it as a number or remove the attribute",
                        type_name(other)
                    )))
                }
                None => random_price(rng, price_min, price_max).ok_or_else(|| {
                    EngineError::Data(format!(
                        "--price-max: prices between {price_min} and {price_max} cannot be drawn exactly"
                    ))
                })?,
            };
            products.push(Product {
                key,
                label: product_label,
                price,
            });
        }
        Ok(Self { products })
    }

    /// Refuses a catalog whose prices could make an order total that cannot be held exactly.
    pub fn check_totals(&self, max_quantity: u32, max_lines: u32) -> Result<(), EngineError> {
        let scale = self
            .products
            .iter()
            .map(|p| p.price.scale())
            .max()
            .unwrap_or(0);
        let Some(dearest) = self.products.iter().max_by_key(|p| p.price) else {
            return Ok(());
        };
        if money::largest_total(dearest.price, scale, max_quantity, max_lines).is_none() {
            return Err(EngineError::Data(format!(
                "product {}: price {} x up to {} units ({max_lines} lines of {max_quantity}) makes an order \
                 total that cannot be held exactly as a decimal; lower --max-quantity or --max-lines",
                dearest.label,
                dearest.price,
                u64::from(max_quantity) * u64::from(max_lines)
            )));
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.products.len()
    }

    /// The catalog as JSON (`[{"key": {"product_id": {"S": "..."}}, "price": "12.34"}, ...]`), so a
    /// distributed run samples the table once and hands the same catalog to every task.
    pub fn to_json(&self) -> serde_json::Value {
        let products = self.products.iter().map(|p| {
            let key: serde_json::Map<String, serde_json::Value> = p
                .key
                .iter()
                .filter_map(|(name, value)| Some((name.clone(), key_to_json(value)?)))
                .collect();
            serde_json::json!({"key": key, "price": p.price.to_string()})
        });
        serde_json::Value::Array(products.collect())
    }

    /// Reads `to_json`'s form back; every key must fit the products table's key schema.
    pub fn from_json(text: &str, schema: &KeySchema) -> Result<Self, EngineError> {
        let bad = |why: String| EngineError::Data(format!("catalog: {why}"));
        let entries: Vec<serde_json::Value> =
            serde_json::from_str(text).map_err(|e| bad(format!("not a JSON list ({e})")))?;
        let mut products = Vec::with_capacity(entries.len());
        for entry in &entries {
            let mut item = HashMap::new();
            for (name, value) in entry["key"].as_object().into_iter().flatten() {
                item.insert(
                    name.clone(),
                    key_from_json(value)
                        .ok_or_else(|| bad(format!("key {value} is not S, N or B")))?,
                );
            }
            let key = schema
                .key_of(&item)
                .ok_or_else(|| bad(format!("{entry} lacks the table's key")))?;
            let price_text = entry["price"].as_str().unwrap_or_default();
            let price = Decimal::from_str_exact(price_text).map_err(|_| {
                bad(format!(
                    "price {:?} is not an exact decimal",
                    entry["price"]
                ))
            })?;
            products.push(Product {
                label: label(&key[&schema.partition.name]),
                key,
                price,
            });
        }
        Ok(Self { products })
    }

    pub fn is_empty(&self) -> bool {
        self.products.is_empty()
    }
}

fn key_to_json(value: &AttributeValue) -> Option<serde_json::Value> {
    use base64::Engine as _;
    Some(match value {
        AttributeValue::S(s) => serde_json::json!({ "S": s }),
        AttributeValue::N(n) => serde_json::json!({ "N": n }),
        AttributeValue::B(b) => {
            serde_json::json!({ "B": base64::engine::general_purpose::STANDARD.encode(b.as_ref()) })
        }
        _ => return None,
    })
}

fn key_from_json(value: &serde_json::Value) -> Option<AttributeValue> {
    use base64::Engine as _;
    let (kind, text) = value.as_object()?.iter().next()?;
    let text = text.as_str()?.to_owned();
    match kind.as_str() {
        "S" => Some(AttributeValue::S(text)),
        "N" => Some(AttributeValue::N(text)),
        "B" => base64::engine::general_purpose::STANDARD
            .decode(text)
            .ok()
            .map(|bytes| AttributeValue::B(bytes.into())),
        _ => None,
    }
}

/// A product's stored price: exact, and more than zero (an order of it must cost something).
fn exact_price(product_label: &str, text: &str) -> Result<Decimal, EngineError> {
    let price = Decimal::from_str_exact(text).map_err(|_| {
        EngineError::Data(format!(
            "product {product_label}: price {text} cannot be held exactly as a decimal \
             (at most 28 significant digits)"
        ))
    })?;
    if price <= Decimal::ZERO {
        return Err(EngineError::Data(format!(
            "product {product_label}: price {text} is not more than zero; orders of it would be free \
             or negative: fix the item or read from another --products-table"
        )));
    }
    Ok(price)
}

/// DynamoDB's name for an attribute value's type, as a user sees it in the console ("a string (S)").
fn type_name(value: &AttributeValue) -> &'static str {
    match value {
        AttributeValue::S(_) => "a string (S)",
        AttributeValue::Bool(_) => "a boolean (BOOL)",
        AttributeValue::Null(_) => "null (NULL)",
        AttributeValue::M(_) => "a map (M)",
        AttributeValue::L(_) => "a list (L)",
        AttributeValue::B(_) => "binary (B)",
        AttributeValue::Ss(_) | AttributeValue::Ns(_) | AttributeValue::Bs(_) => "a set",
        _ => "of another type",
    }
}

/// A price in `[min, max]` at the finer of the two scales (cents at least, where that fits exactly);
/// None when the bounds cannot be written at one scale exactly.
pub fn random_price(rng: &mut impl Rng, min: Decimal, max: Decimal) -> Option<Decimal> {
    let scale = money::price_scale(min, max);
    let (lo, hi) = (
        money::mantissa_at(min, scale)?,
        money::mantissa_at(max, scale)?,
    );
    Decimal::try_from_i128_with_scale(rng.random_range(lo..=hi), scale).ok()
}

/// The `index`-th seeded product; its key is namespaced ("ddbload-p-0000042") so seeding never
/// collides with a user's own products.
pub fn seed_item(
    index: u64,
    schema: &KeySchema,
    price: Decimal,
) -> HashMap<String, AttributeValue> {
    let id = seed_product_id(index);
    let mut item = HashMap::with_capacity(8);
    item.insert(
        schema.partition.name.clone(),
        schema.partition.value(&id, index),
    );
    if let Some(sort) = &schema.sort {
        item.insert(sort.name.clone(), sort.value("ddbload", 0));
    }
    let mut put = |name: &str, value: AttributeValue| {
        item.entry(name.to_owned()).or_insert(value);
    };
    put("name", AttributeValue::S(format!("Sample product {index}")));
    put(
        "category",
        AttributeValue::S(
            ["books", "toys", "garden", "kitchen", "sports"][(index % 5) as usize].into(),
        ),
    );
    put(PRICE_ATTR, AttributeValue::N(price.to_string()));
    put(STOCK_ATTR, AttributeValue::N(SEED_STOCK.to_string()));
    put(
        "description",
        AttributeValue::S("A product seeded by ddbload for a peak-event rehearsal. ".repeat(3)),
    );
    put(GENERATED_BY_ATTR, AttributeValue::S(GENERATOR.into()));
    item
}

pub fn seed_product_id(index: u64) -> String {
    format!("ddbload-p-{index:07}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::schema::{KeyAttr, KeyKind};
    use rand::rngs::SmallRng;
    use rand::SeedableRng;

    fn schema() -> KeySchema {
        KeySchema {
            partition: KeyAttr {
                name: "product_id".into(),
                kind: KeyKind::S,
            },
            sort: None,
        }
    }

    #[test]
    fn a_catalog_shared_as_json_comes_back_the_same() {
        let mut rng = SmallRng::seed_from_u64(3);
        let two_keys = KeySchema {
            partition: KeyAttr {
                name: "shop".into(),
                kind: KeyKind::B,
            },
            sort: Some(KeyAttr {
                name: "sku".into(),
                kind: KeyKind::N,
            }),
        };
        for schema in [schema(), two_keys] {
            let items: Vec<_> = (1..=5)
                .map(|i| seed_item(i, &schema, Decimal::new(12_345 + i as i64, 3)))
                .collect();
            let catalog =
                Catalog::from_items(&items, &schema, &mut rng, Decimal::ONE, Decimal::TEN).unwrap();
            let back = Catalog::from_json(&catalog.to_json().to_string(), &schema).unwrap();
            let view = |c: &Catalog| {
                c.products
                    .iter()
                    .map(|p| {
                        let mut key: Vec<_> = p.key.iter().map(|kv| format!("{kv:?}")).collect();
                        key.sort();
                        (key, p.label.clone(), p.price)
                    })
                    .collect::<Vec<_>>()
            };
            assert_eq!(view(&back), view(&catalog));
            assert_eq!(back.products[0].price.to_string(), "12.346");
        }
        for (bad, says) in [
            ("{}", "not a JSON list"),
            (
                r#"[{"key": {"other": {"S": "x"}}, "price": "1"}]"#,
                "lacks the table's key",
            ),
            (
                r#"[{"key": {"product_id": {"S": "x"}}, "price": 1.5}]"#,
                "not an exact decimal",
            ),
            (
                r#"[{"key": {"product_id": {"SS": ["x"]}}, "price": "1"}]"#,
                "is not S, N or B",
            ),
        ] {
            let err = Catalog::from_json(bad, &schema()).unwrap_err().to_string();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn random_prices_stay_in_range_at_cent_scale() {
        let mut rng = SmallRng::seed_from_u64(7);
        let (min, max) = (Decimal::new(100, 2), Decimal::new(5, 0));
        for _ in 0..1000 {
            let p = random_price(&mut rng, min, max).unwrap();
            assert!(p >= min && p <= max, "{p}");
            assert_eq!(p.scale(), 2);
        }
    }

    #[test]
    fn the_largest_prices_keep_their_value() {
        // Rescaling the largest decimal to cents cannot be exact: it is drawn at its own scale.
        let mut rng = SmallRng::seed_from_u64(7);
        let max = Decimal::MAX;
        let p = random_price(&mut rng, max, max).unwrap();
        assert_eq!(p, max);
    }

    #[test]
    fn catalogs_whose_totals_cannot_be_exact_are_refused() {
        let mut rng = SmallRng::seed_from_u64(1);
        let price = Decimal::from_str_exact("9.999999999999999999999999999").unwrap();
        let cat = Catalog::from_items(
            &[seed_item(1, &schema(), price)],
            &schema(),
            &mut rng,
            Decimal::ONE,
            Decimal::TEN,
        )
        .unwrap();
        assert!(cat.check_totals(1, 1).is_ok());
        let err = cat.check_totals(5, 5).unwrap_err();
        assert!(err.to_string().contains("ddbload-p-0000001"), "{err}");
    }

    #[test]
    fn scanned_prices_are_exact_and_overlong_ones_rejected() {
        let mut rng = SmallRng::seed_from_u64(1);
        let item = |price: &str| {
            let mut i = seed_item(1, &schema(), Decimal::ONE);
            i.insert(PRICE_ATTR.into(), AttributeValue::N(price.into()));
            i
        };
        let cat = Catalog::from_items(
            &[item("19.99")],
            &schema(),
            &mut rng,
            Decimal::ONE,
            Decimal::TEN,
        )
        .unwrap();
        assert_eq!(cat.products[0].price, Decimal::new(1999, 2));
        assert_eq!(cat.products[0].label, "ddbload-p-0000001");
        let err = Catalog::from_items(
            &[item("1.000000000000000000000000000000001")],
            &schema(),
            &mut rng,
            Decimal::ONE,
            Decimal::TEN,
        )
        .unwrap_err();
        assert!(err.to_string().contains("cannot be held exactly"), "{err}");
    }

    #[test]
    fn distinct_picks_never_repeat() {
        let mut rng = SmallRng::seed_from_u64(3);
        let items: Vec<_> = (0..10)
            .map(|i| seed_item(i, &schema(), Decimal::ONE))
            .collect();
        let cat =
            Catalog::from_items(&items, &schema(), &mut rng, Decimal::ONE, Decimal::TEN).unwrap();
        let keys = crate::workload::keys::KeyPicker::new(
            crate::workload::keys::KeyDistribution::Uniform,
            cat.len(),
        );
        let mut picks = keys.pick_distinct(&mut rng, 25);
        assert_eq!(picks.len(), 10);
        picks.sort();
        picks.dedup();
        assert_eq!(picks.len(), 10);
    }
}
