//! One attempt of each DynamoDB operation the scenario sends, with the capacity it consumed.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{
    AttributeValue, ConsumedCapacity, KeysAndAttributes, Put, ReturnConsumedCapacity,
    TransactWriteItem, Update,
};
use aws_sdk_dynamodb::Client;
use rand::Rng;
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;

use super::catalog::{Catalog, STOCK_ATTR};
pub use super::classify::AttemptResult;
use super::classify::{classify, classify_transact};
use super::keys::KeyPicker;
use super::orders::OrderGenerator;
use super::schema::KeySchema;
use crate::config::{ReadOp, WriteOp};
use crate::error::EngineError;
use crate::fastpath::FastClient;

type Item = HashMap<String, AttributeValue>;

/// Capacity units consumed, by table role and kind. Decimal from the SDK's f64 at this boundary.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ConsumedUnits {
    pub products_read: Decimal,
    pub products_write: Decimal,
    pub orders_read: Decimal,
    pub orders_write: Decimal,
}

impl ConsumedUnits {
    pub fn add(&mut self, other: &ConsumedUnits) {
        self.products_read += other.products_read;
        self.products_write += other.products_write;
        self.orders_read += other.orders_read;
        self.orders_write += other.orders_write;
    }

    pub fn read_units(&self) -> Decimal {
        self.products_read + self.orders_read
    }

    pub fn write_units(&self) -> Decimal {
        self.products_write + self.orders_write
    }
}

/// One request a worker sends, kept across retries so a retry resends the same order.
#[derive(Debug, Clone)]
pub enum Request {
    Get(usize),
    /// Keys still to fetch: UnprocessedKeys replace them between attempts.
    BatchGet(Vec<Item>),
    Query(usize),
    Put(Item),
    Transact(Vec<TransactWriteItem>),
}

impl Request {
    pub fn is_read(&self) -> bool {
        matches!(self, Self::Get(_) | Self::BatchGet(_) | Self::Query(_))
    }
}

#[derive(Debug, Clone)]
pub struct Attempt {
    pub result: AttemptResult,
    pub capacity: ConsumedUnits,
}

/// The clients one engine thread sends with: the fast path for the hot operations when there is one
/// (`--client fast`), the SDK for Query and for everything with `--client sdk`.
pub struct Clients {
    pub sdk: Client,
    pub fast: Option<FastClient>,
}

/// Everything workers share, read-only, for the whole run.
#[derive(Debug)]
pub struct Workload {
    pub products_table: String,
    pub orders_table: String,
    pub products_schema: KeySchema,
    pub catalog: Catalog,
    /// Which products reads and order lines pick (--key-distribution).
    pub keys: KeyPicker,
    pub orders: OrderGenerator,
    pub read_op: ReadOp,
    pub write_op: WriteOp,
    pub batch_size: usize,
    pub consistent_reads: bool,
}

impl Workload {
    pub fn next_read(&self, rng: &mut impl Rng) -> Request {
        match self.read_op {
            ReadOp::Get => Request::Get(self.keys.pick(rng)),
            ReadOp::Query => Request::Query(self.keys.pick(rng)),
            ReadOp::BatchGet => Request::BatchGet(
                self.keys
                    .pick_distinct(rng, self.batch_size)
                    .into_iter()
                    .map(|i| self.catalog.products[i].key.clone())
                    .collect(),
            ),
        }
    }

    pub fn next_write(
        &self,
        rng: &mut impl Rng,
        worker: u32,
        seq: u64,
    ) -> Result<Request, EngineError> {
        let order = self
            .orders
            .generate(rng, &self.catalog, &self.keys, worker, seq)?;
        let item = self.orders.to_item(&order, &self.catalog)?;
        let pk = &self.orders.schema.partition.name;
        match self.write_op {
            WriteOp::Put => Ok(Request::Put(item)),
            WriteOp::Transact => {
                let put = Put::builder()
                    .table_name(&self.orders_table)
                    .set_item(Some(item))
                    .condition_expression("attribute_not_exists(#pk)")
                    .expression_attribute_names("#pk", pk)
                    .build()
                    .expect("table, item and expression are set");
                let mut actions = vec![TransactWriteItem::builder().put(put).build()];
                for line in &order.lines {
                    let update = Update::builder()
                        .table_name(&self.products_table)
                        .set_key(Some(self.catalog.products[line.product].key.clone()))
                        .update_expression("SET #stock = #stock - :q")
                        .condition_expression("#stock >= :q")
                        .expression_attribute_names("#stock", STOCK_ATTR)
                        .expression_attribute_values(
                            ":q",
                            AttributeValue::N(line.quantity.to_string()),
                        )
                        .build()
                        .expect("table, key and expression are set");
                    actions.push(TransactWriteItem::builder().update(update).build());
                }
                Ok(Request::Transact(actions))
            }
        }
    }

    /// Sends one attempt of `request`.
    pub async fn attempt(&self, clients: &Clients, request: &mut Request) -> Attempt {
        match &clients.fast {
            Some(fast) if !matches!(request, Request::Query(_)) => {
                self.fast_attempt(fast, request).await
            }
            _ => self.sdk_attempt(&clients.sdk, request).await,
        }
    }

    async fn sdk_attempt(&self, client: &Client, request: &mut Request) -> Attempt {
        let total = ReturnConsumedCapacity::Total;
        let mut capacity = ConsumedUnits::default();
        let result = match request {
            Request::Get(index) => {
                let sent = client
                    .get_item()
                    .table_name(&self.products_table)
                    .set_key(Some(self.catalog.products[*index].key.clone()))
                    .consistent_read(self.consistent_reads)
                    .return_consumed_capacity(total)
                    .send()
                    .await;
                match sent {
                    Ok(out) => {
                        self.add_consumed(&mut capacity, out.consumed_capacity(), false);
                        AttemptResult::Ok
                    }
                    Err(err) => classify(&err),
                }
            }
            Request::Query(index) => {
                let key = &self.catalog.products[*index].key;
                let schema = &self.products_schema;
                let mut query = client
                    .query()
                    .table_name(&self.products_table)
                    .consistent_read(self.consistent_reads)
                    .return_consumed_capacity(total)
                    .key_condition_expression("#pk = :pk")
                    .expression_attribute_names("#pk", &schema.partition.name)
                    .expression_attribute_values(":pk", key[&schema.partition.name].clone());
                if let Some(sort) = &schema.sort {
                    query = query
                        .key_condition_expression("#pk = :pk AND #sk = :sk")
                        .expression_attribute_names("#sk", &sort.name)
                        .expression_attribute_values(":sk", key[&sort.name].clone());
                }
                match query.send().await {
                    Ok(out) => {
                        self.add_consumed(&mut capacity, out.consumed_capacity(), false);
                        AttemptResult::Ok
                    }
                    Err(err) => classify(&err),
                }
            }
            Request::BatchGet(keys) => {
                let wanted = KeysAndAttributes::builder()
                    .set_keys(Some(keys.clone()))
                    .consistent_read(self.consistent_reads)
                    .build()
                    .expect("keys are set");
                let sent = client
                    .batch_get_item()
                    .request_items(&self.products_table, wanted)
                    .return_consumed_capacity(total)
                    .send()
                    .await;
                match sent {
                    Ok(out) => {
                        for cc in out.consumed_capacity() {
                            self.add_consumed(&mut capacity, Some(cc), false);
                        }
                        let left: Vec<Item> = out
                            .unprocessed_keys()
                            .and_then(|u| u.get(&self.products_table))
                            .map(|k| k.keys().to_vec())
                            .unwrap_or_default();
                        if left.is_empty() {
                            AttemptResult::Ok
                        } else {
                            *keys = left;
                            AttemptResult::throttled("UnprocessedKeys")
                        }
                    }
                    Err(err) => classify(&err),
                }
            }
            Request::Put(item) => {
                let sent = client
                    .put_item()
                    .table_name(&self.orders_table)
                    .set_item(Some(item.clone()))
                    .condition_expression("attribute_not_exists(#pk)")
                    .expression_attribute_names("#pk", &self.orders.schema.partition.name)
                    .return_consumed_capacity(total)
                    .send()
                    .await;
                match sent {
                    Ok(out) => {
                        self.add_consumed(&mut capacity, out.consumed_capacity(), true);
                        AttemptResult::Ok
                    }
                    Err(err) => classify(&err),
                }
            }
            Request::Transact(actions) => {
                let sent = client
                    .transact_write_items()
                    .set_transact_items(Some(actions.clone()))
                    .return_consumed_capacity(total)
                    .send()
                    .await;
                match sent {
                    Ok(out) => {
                        for cc in out.consumed_capacity() {
                            self.add_consumed(&mut capacity, Some(cc), true);
                        }
                        AttemptResult::Ok
                    }
                    Err(err) => classify_transact(&err),
                }
            }
        };
        Attempt { result, capacity }
    }

    fn add_consumed(
        &self,
        capacity: &mut ConsumedUnits,
        consumed: Option<&ConsumedCapacity>,
        write: bool,
    ) {
        if let Some(cc) = consumed {
            self.add_units(capacity, cc.table_name(), cc.capacity_units(), write);
        }
    }

    /// Adds the units one answer reports to the right table and kind. The SDK reads them as f64;
    /// both clients turn that figure into a Decimal here.
    pub(super) fn add_units(
        &self,
        capacity: &mut ConsumedUnits,
        table: Option<&str>,
        units: Option<f64>,
        write: bool,
    ) {
        let units = units.and_then(Decimal::from_f64).unwrap_or_default();
        let products = table == Some(self.products_table.as_str());
        let slot = match (products, write) {
            (true, false) => &mut capacity.products_read,
            (true, true) => &mut capacity.products_write,
            (false, false) => &mut capacity.orders_read,
            (false, true) => &mut capacity.orders_write,
        };
        *slot += units;
    }
}
