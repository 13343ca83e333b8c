//! The requests the scenario sends (product reads, orders) and where each attempt goes (the fast path
//! or the SDK), with the units it consumed.

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use rand::Rng;
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;

use super::catalog::{Catalog, STOCK_ATTR};
pub use super::classify::AttemptResult;
use super::keys::KeyPicker;
use super::orders::OrderGenerator;
use super::schema::KeySchema;
use crate::config::{ReadOp, WriteOp};
use crate::error::EngineError;
use crate::fastpath::FastClient;

pub(super) use crate::fastpath::wire::Item;

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
    /// DynamoDB's x-amzn-requestid for this request, when it answered with one.
    pub request_id: Option<String>,
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
        let mut attempt = match &clients.fast {
            Some(fast) if !matches!(request, Request::Query(_)) => {
                self.fast_attempt(fast, request).await
            }
            _ => self.sdk_attempt(&clients.sdk, request).await,
        };
        self.name_throttled_action(&mut attempt.result);
        attempt
    }

    /// A transaction's throttle names the table of the action DynamoDB throttled: the order Put is
    /// action 0, each product's stock update follows.
    fn name_throttled_action(&self, result: &mut AttemptResult) {
        if let AttemptResult::Throttled {
            cause: Some(cause), ..
        } = result
        {
            if let (None, Some(action)) = (&cause.resource, cause.transaction_action) {
                let table = if action == 0 {
                    &self.orders_table
                } else {
                    &self.products_table
                };
                cause.resource = Some(table.clone());
            }
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
