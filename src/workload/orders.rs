//! Order generation: line items with exact Decimal prices and quantities, totals computed with checked
//! rust_decimal arithmetic, and the DynamoDB item every order becomes (tagged with the run id).

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use aws_sdk_dynamodb::primitives::{DateTime, DateTimeFormat};
use aws_sdk_dynamodb::types::AttributeValue;
use rand::Rng;
use rust_decimal::Decimal;

use super::catalog::{Catalog, GENERATED_BY_ATTR, GENERATOR};
use super::keys::KeyPicker;
use super::money;
use super::schema::KeySchema;
use crate::error::EngineError;

pub const RUN_ID_ATTR: &str = "run_id";
pub const TOTAL_ATTR: &str = "total";
pub const LINES_ATTR: &str = "lines";
pub const TTL_ATTR: &str = "expires_at";

#[derive(Debug, Clone, PartialEq)]
pub struct OrderLine {
    pub product: usize,
    pub unit_price: Decimal,
    pub quantity: u32,
}

impl OrderLine {
    /// Unit price x quantity, exactly (None when it cannot be held exactly).
    pub fn line_total(&self) -> Option<Decimal> {
        money::mul_int(self.unit_price, u64::from(self.quantity))
    }
}

/// The exact sum of quantity x unit price; None when it cannot be held exactly.
pub fn order_total(lines: &[OrderLine]) -> Option<Decimal> {
    lines.iter().try_fold(Decimal::ZERO, |sum, line| {
        money::add(sum, line.line_total()?)
    })
}

#[derive(Debug, Clone)]
pub struct Order {
    pub key: HashMap<String, AttributeValue>,
    pub lines: Vec<OrderLine>,
    pub total: Decimal,
}

/// Makes orders for one run; order keys are `<run_id>-<worker>-<seq>` so they are unique and traceable.
#[derive(Debug, Clone)]
pub struct OrderGenerator {
    pub run_id: String,
    /// Numeric keys: a per-run base plus worker and sequence, for tables keyed by a number.
    pub numeric_base: u64,
    /// A distributed run's task: in every order id (tasks share the run id and `numeric_base`).
    pub task: Option<u32>,
    pub schema: KeySchema,
    pub max_lines: u32,
    pub max_quantity: u32,
    pub ttl: Option<Duration>,
}

impl OrderGenerator {
    pub fn order_id(&self, worker: u32, seq: u64) -> String {
        match self.task {
            Some(task) => format!("{}-t{task:03}-{worker:03}-{seq:09}", self.run_id),
            None => format!("{}-{worker:03}-{seq:09}", self.run_id),
        }
    }

    /// An order of 1 to `max_lines` distinct products drawn by `keys`.
    pub fn generate(
        &self,
        rng: &mut impl Rng,
        catalog: &Catalog,
        keys: &KeyPicker,
        worker: u32,
        seq: u64,
    ) -> Result<Order, EngineError> {
        let line_count = rng.random_range(1..=self.max_lines) as usize;
        let lines: Vec<OrderLine> = keys
            .pick_distinct(rng, line_count)
            .into_iter()
            .map(|product| OrderLine {
                product,
                unit_price: catalog.products[product].price,
                quantity: rng.random_range(1..=self.max_quantity),
            })
            .collect();
        let id = self.order_id(worker, seq);
        let total = order_total(&lines).ok_or_else(|| {
            EngineError::Data(format!(
                "order {id}: its total cannot be held exactly as a decimal"
            ))
        })?;
        let number = self.numeric_base
            + u64::from(self.task.unwrap_or(0)) * 1_000_000_000_000_000
            + u64::from(worker) * 10_000_000_000
            + seq;
        let mut key = HashMap::with_capacity(2);
        key.insert(
            self.schema.partition.name.clone(),
            self.schema.partition.value(&id, number),
        );
        if let Some(sort) = &self.schema.sort {
            key.insert(sort.name.clone(), sort.value(&id, number));
        }
        Ok(Order { key, lines, total })
    }

    /// The order as a DynamoDB item; key attributes win over any same-named order attribute.
    pub fn to_item(
        &self,
        order: &Order,
        catalog: &Catalog,
    ) -> Result<HashMap<String, AttributeValue>, EngineError> {
        let now = SystemTime::now();
        let mut item = order.key.clone();
        let mut put = |name: &str, value: AttributeValue| {
            item.entry(name.to_owned()).or_insert(value);
        };
        let mut lines = Vec::with_capacity(order.lines.len());
        for line in &order.lines {
            let line_total = line.line_total().ok_or_else(|| {
                EngineError::Data("an order line total cannot be held exactly as a decimal".into())
            })?;
            lines.push(AttributeValue::M(HashMap::from([
                (
                    "product_id".to_owned(),
                    AttributeValue::S(catalog.products[line.product].label.clone()),
                ),
                (
                    "unit_price".to_owned(),
                    AttributeValue::N(line.unit_price.to_string()),
                ),
                (
                    "quantity".to_owned(),
                    AttributeValue::N(line.quantity.to_string()),
                ),
                (
                    "line_total".to_owned(),
                    AttributeValue::N(line_total.to_string()),
                ),
            ])));
        }
        put(RUN_ID_ATTR, AttributeValue::S(self.run_id.clone()));
        put(
            "created_at",
            AttributeValue::S(
                DateTime::from(now)
                    .fmt(DateTimeFormat::DateTime)
                    .unwrap_or_default(),
            ),
        );
        put("status", AttributeValue::S("PLACED".into()));
        put("currency", AttributeValue::S("USD".into()));
        put(
            "line_count",
            AttributeValue::N(order.lines.len().to_string()),
        );
        put(LINES_ATTR, AttributeValue::L(lines));
        put(TOTAL_ATTR, AttributeValue::N(order.total.to_string()));
        if let Some(ttl) = self.ttl {
            let expires = now + ttl;
            let secs = expires
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs();
            put(TTL_ATTR, AttributeValue::N(secs.to_string()));
        }
        put(GENERATED_BY_ATTR, AttributeValue::S(GENERATOR.into()));
        Ok(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::catalog::seed_item;
    use crate::workload::schema::{KeyAttr, KeyKind};
    use rand::rngs::SmallRng;
    use rand::SeedableRng;
    use std::str::FromStr;

    fn line(price: &str, quantity: u32) -> OrderLine {
        OrderLine {
            product: 0,
            unit_price: Decimal::from_str(price).unwrap(),
            quantity,
        }
    }

    #[test]
    fn totals_are_exact_where_binary_floats_are_not() {
        // 0.1 + 0.2 is 0.30000000000000004 in f64; in Decimal it is 0.3.
        let lines = [line("0.10", 1), line("0.20", 1)];
        assert_eq!(order_total(&lines).unwrap().to_string(), "0.30");
        let lines = [line("19.99", 3), line("0.01", 7), line("1234.565", 2)];
        assert_eq!(
            order_total(&lines).unwrap(),
            Decimal::from_str("2529.17").unwrap()
        );
    }

    #[test]
    fn overflowing_totals_are_errors_not_rounding() {
        let huge = line("79228162514264337593543950335", 2);
        assert_eq!(order_total(&[huge]), None);
        // Each line is exact; their sum needs more than 96 bits: rust_decimal would round it.
        let long = || line("9.999999999999999999999999999", 5);
        assert!(long().line_total().is_some());
        assert_eq!(order_total(&[long(), long()]), None);
    }

    fn generator(kind: KeyKind) -> OrderGenerator {
        OrderGenerator {
            run_id: "r1".into(),
            numeric_base: 1_000_000_000_000_000,
            task: None,
            schema: KeySchema {
                partition: KeyAttr {
                    name: "order_id".into(),
                    kind,
                },
                sort: None,
            },
            max_lines: 4,
            max_quantity: 3,
            ttl: Some(Duration::from_secs(3600)),
        }
    }

    fn uniform(catalog: &Catalog) -> KeyPicker {
        KeyPicker::new(
            crate::workload::keys::KeyDistribution::Uniform,
            catalog.len(),
        )
    }

    fn catalog() -> Catalog {
        let schema = KeySchema {
            partition: KeyAttr {
                name: "product_id".into(),
                kind: KeyKind::S,
            },
            sort: None,
        };
        let items: Vec<_> = (0..20)
            .map(|i| seed_item(i, &schema, Decimal::new(1000 + i as i64 * 7, 2)))
            .collect();
        let mut rng = SmallRng::seed_from_u64(0);
        Catalog::from_items(&items, &schema, &mut rng, Decimal::ONE, Decimal::TEN).unwrap()
    }

    #[test]
    fn tasks_of_one_distributed_run_never_share_an_order_key() {
        let catalog = catalog();
        let keys = uniform(&catalog);
        let mut seen = std::collections::HashSet::new();
        for kind in [KeyKind::S, KeyKind::N] {
            for task in [Some(0), Some(1), Some(999)] {
                let gen = OrderGenerator {
                    task,
                    ..generator(kind)
                };
                for worker in [0, 1, 900] {
                    let mut rng = SmallRng::seed_from_u64(7);
                    let order = gen.generate(&mut rng, &catalog, &keys, worker, 1).unwrap();
                    let mut key: Vec<_> = order.key.iter().map(|kv| format!("{kv:?}")).collect();
                    key.sort();
                    assert!(seen.insert(key), "{task:?} {worker}");
                }
            }
        }
        let gen = OrderGenerator {
            task: Some(2),
            ..generator(KeyKind::S)
        };
        assert_eq!(gen.order_id(5, 7), "r1-t002-005-000000007");
    }

    #[test]
    fn generated_orders_carry_run_id_lines_and_their_exact_total() {
        let gen = generator(KeyKind::S);
        let catalog = catalog();
        let mut rng = SmallRng::seed_from_u64(42);
        for seq in 1..50 {
            let order = gen
                .generate(&mut rng, &catalog, &uniform(&catalog), 2, seq)
                .unwrap();
            assert!((1..=4).contains(&order.lines.len()));
            let item = gen.to_item(&order, &catalog).unwrap();
            assert_eq!(
                item["order_id"],
                AttributeValue::S(format!("r1-002-{seq:09}"))
            );
            assert_eq!(item[RUN_ID_ATTR], AttributeValue::S("r1".into()));
            let AttributeValue::L(lines) = &item[LINES_ATTR] else {
                panic!()
            };
            let mut sum = Decimal::ZERO;
            for l in lines {
                let AttributeValue::M(m) = l else { panic!() };
                let n = |k: &str| Decimal::from_str(m[k].as_n().unwrap()).unwrap();
                assert_eq!(n("unit_price") * n("quantity"), n("line_total"));
                sum += n("line_total");
            }
            assert_eq!(item[TOTAL_ATTR], AttributeValue::N(sum.to_string()));
            assert!(item.contains_key(TTL_ATTR));
        }
    }

    #[test]
    fn numeric_order_keys_are_unique_per_worker_and_sequence() {
        let gen = generator(KeyKind::N);
        let catalog = catalog();
        let mut rng = SmallRng::seed_from_u64(1);
        let a = gen
            .generate(&mut rng, &catalog, &uniform(&catalog), 1, 5)
            .unwrap();
        let b = gen
            .generate(&mut rng, &catalog, &uniform(&catalog), 2, 5)
            .unwrap();
        assert_ne!(a.key, b.key);
        assert_eq!(
            a.key["order_id"],
            AttributeValue::N("1000010000000005".into())
        );
    }
}
