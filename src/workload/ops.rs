//! The requests the scenario sends (product reads, orders) and where each attempt goes (the fast path
//! or the SDK), with the units it consumed.

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use rand::Rng;
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;

use super::catalog::{Catalog, STOCK_ATTR};
pub use super::classify::AttemptResult;
use super::fast_ops::{plan_attempt, Sender};
use super::keys::KeyPicker;
use super::orders::OrderGenerator;
use super::schema::KeySchema;
use crate::config::{ReadOp, WriteOp};
use crate::error::EngineError;
use crate::fastpath::wire::Unsupported;
use crate::fastpath::{FastClient, Operation};
use crate::plan::Plan;

pub(super) use crate::fastpath::wire::Item;

/// Tables a run's figures are kept for (the workshop's two, or a workload file's).
pub const MAX_TABLES: usize = 8;
/// Slots of ConsumedUnits: the tables', then a workload file's indexes' (those past the last slot
/// are counted with their table).
pub const MAX_SLOTS: usize = 16;

/// Capacity units consumed, by slot (a table's place in the run's table list, or an index's after
/// them) and kind. Decimal from the SDK's f64 at this boundary.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ConsumedUnits {
    pub read: [Decimal; MAX_SLOTS],
    pub write: [Decimal; MAX_SLOTS],
}

impl ConsumedUnits {
    pub fn add(&mut self, other: &ConsumedUnits) {
        for slot in 0..MAX_SLOTS {
            self.read[slot] += other.read[slot];
            self.write[slot] += other.write[slot];
        }
    }

    pub fn read_units(&self) -> Decimal {
        self.read.iter().sum()
    }

    pub fn write_units(&self) -> Decimal {
        self.write.iter().sum()
    }

    /// Adds what one answer reports for the table in `slot` (None: a table the run does not know,
    /// kept in the last slot's totals rather than lost). The SDK reads units as f64; both clients
    /// turn that figure into a Decimal here.
    pub fn add_answer(&mut self, slot: Option<usize>, units: Option<f64>, write: bool) {
        self.add_units(slot, decimal_units(units), write);
    }

    /// Adds `units` to `slot` (None: the last table slot, as add_answer).
    pub fn add_units(&mut self, slot: Option<usize>, units: Decimal, write: bool) {
        let slot = slot.unwrap_or(MAX_TABLES - 1);
        if write {
            self.write[slot] += units;
        } else {
            self.read[slot] += units;
        }
    }
}

/// An answer's units (f64, as the SDK reads them) as a Decimal; none is 0.
pub fn decimal_units(units: Option<f64>) -> Decimal {
    units.and_then(Decimal::from_f64).unwrap_or_default()
}

/// Which operation of the run's list a request is (the workshop: 0 the read, 1 the order), and
/// whether it counts among reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpRef {
    pub index: u16,
    pub read: bool,
}

/// The workshop's two operations.
pub const WORKSHOP_READ: OpRef = OpRef {
    index: 0,
    read: true,
};
pub const WORKSHOP_WRITE: OpRef = OpRef {
    index: 1,
    read: false,
};

/// One request a worker sends, kept across retries so a retry resends the same order.
#[derive(Debug, Clone)]
pub enum Request {
    Get(usize),
    /// Keys still to fetch: UnprocessedKeys replace them between attempts.
    BatchGet(Vec<Item>),
    Query(usize),
    Put(Item),
    Transact(Vec<TransactWriteItem>),
    /// A workload file's request, written once as DynamoDB JSON (retries resend it).
    Plan(PlanRequest),
}

#[derive(Debug, Clone)]
pub struct PlanRequest {
    /// Which of the plan's operations this is.
    pub op: u16,
    pub operation: Operation,
    /// The request as written (a later page adds its ExclusiveStartKey when sent).
    pub body: Vec<u8>,
    pub read: bool,
    /// Pages still to read after this one (a Query with `pages`), and where the next one starts.
    pub pages_left: u32,
    pub start_key: Option<String>,
    /// The table or index slot and partition-key value it goes to (single-item requests and Query).
    pub key: Option<(usize, String)>,
}

impl Request {
    pub fn is_read(&self) -> bool {
        match self {
            Self::Plan(request) => request.read,
            _ => matches!(self, Self::Get(_) | Self::BatchGet(_) | Self::Query(_)),
        }
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
/// (`--client fast`), the SDK for the workshop's Query and for everything with `--client sdk`.
pub struct Clients {
    pub sdk: Client,
    pub fast: Option<FastClient>,
}

/// What a run sends: the workshop's shop, or a workload file's plan.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // one per run, shared behind an Arc: its size costs nothing
pub enum Workload {
    Workshop(Workshop),
    File(Plan),
}

impl Workload {
    /// The next operation: the workshop draws a read by `read_ratio`, a plan by its weights in
    /// stage `stage` of the run.
    pub fn draw(&self, rng: &mut impl Rng, read_ratio: f64, stage: usize) -> OpRef {
        match self {
            Workload::Workshop(_) if rng.random_bool(read_ratio) => WORKSHOP_READ,
            Workload::Workshop(_) => WORKSHOP_WRITE,
            Workload::File(plan) => plan.draw(rng, stage),
        }
    }

    /// The plan's operation number `index` (a replayed call's).
    pub fn op_ref(&self, index: u16) -> OpRef {
        let read = match self {
            Workload::Workshop(_) => index == WORKSHOP_READ.index,
            Workload::File(plan) => plan
                .operations
                .get(usize::from(index))
                .is_some_and(|op| op.kind.is_read()),
        };
        OpRef { index, read }
    }

    /// The request for `op` (on `keys` when a replay gives them, one per member, else drawn ones);
    /// the workshop's order is numbered `seq`.
    pub fn request(
        &self,
        rng: &mut impl Rng,
        op: OpRef,
        worker: u32,
        seq: u64,
        keys: Option<&[Item]>,
    ) -> Result<Request, EngineError> {
        match self {
            Workload::Workshop(shop) if op.read => Ok(shop.next_read(rng)),
            Workload::Workshop(shop) => shop.next_write(rng, worker, seq),
            Workload::File(plan) => {
                let planned = plan
                    .operations
                    .get(usize::from(op.index))
                    .ok_or_else(|| EngineError::Internal("no such operation".into()))?;
                let mut body = Vec::with_capacity(256);
                let (operation, key) = planned
                    .write_keyed(&mut body, &plan.tables, rng, keys)
                    .map_err(|Unsupported(what)| EngineError::Internal(what.to_owned()))?;
                let key = key.map(|key| (plan.slot_of(planned), key));
                Ok(Request::Plan(PlanRequest {
                    op: op.index,
                    operation,
                    body,
                    read: op.read,
                    pages_left: planned.kind.pages().saturating_sub(1),
                    start_key: None,
                    key,
                }))
            }
        }
    }

    /// The table or index slot and partition-key value `request` goes to, when it goes to one.
    pub fn key_of<'r>(&'r self, request: &'r Request) -> Option<(usize, &'r str)> {
        match (self, request) {
            (Workload::Workshop(shop), Request::Get(index) | Request::Query(index)) => {
                Some((0, shop.catalog.products[*index].label.as_str()))
            }
            (_, Request::Plan(planned)) => planned.key.as_ref().map(|(s, k)| (*s, k.as_str())),
            _ => None,
        }
    }

    /// Sends one attempt of `request`.
    pub async fn attempt(&self, clients: &Clients, request: &mut Request) -> Attempt {
        match self {
            Workload::Workshop(shop) => shop.attempt(clients, request).await,
            Workload::File(plan) => match (&clients.fast, request) {
                (Some(fast), Request::Plan(planned)) => {
                    plan_attempt(plan, Sender::Fast(fast), planned).await
                }
                (None, Request::Plan(planned)) => {
                    plan_attempt(plan, Sender::Sdk(&clients.sdk), planned).await
                }
                _ => Attempt {
                    result: AttemptResult::Failed(
                        "RequestNotSent: a workshop request in a workload file's run".into(),
                    ),
                    capacity: ConsumedUnits::default(),
                    request_id: None,
                },
            },
        }
    }

    /// The operations' names, by OpRef index.
    pub fn operation_names(&self) -> Vec<String> {
        match self {
            Workload::Workshop(shop) => vec![
                match shop.read_op {
                    ReadOp::Get => "get_product",
                    ReadOp::Query => "query_product",
                    ReadOp::BatchGet => "batch_get_products",
                }
                .to_owned(),
                match shop.write_op {
                    WriteOp::Put => "put_order",
                    WriteOp::Transact => "place_order",
                }
                .to_owned(),
            ],
            Workload::File(plan) => plan.operations.iter().map(|o| o.name.clone()).collect(),
        }
    }

    /// The tables by ConsumedUnits slot.
    pub fn table_names(&self) -> Vec<String> {
        match self {
            Workload::Workshop(shop) => {
                vec![shop.products_table.clone(), shop.orders_table.clone()]
            }
            Workload::File(plan) => plan.tables.iter().map(|t| t.name.clone()).collect(),
        }
    }

    /// What each ConsumedUnits slot holds: the tables, then (a workload file) "TABLE/index/NAME"
    /// for the indexes with a slot of their own; "" for a slot no table uses.
    pub fn slot_names(&self) -> Vec<String> {
        let mut names = self.table_names();
        if let Workload::File(plan) = self {
            names.resize(MAX_TABLES, String::new());
            names.extend(
                plan.index_slots()
                    .map(|(table, index)| format!("{table}/index/{index}")),
            );
        }
        names
    }
}

/// The workshop's shop: everything workers share, read-only, for the whole run.
#[derive(Debug)]
pub struct Workshop {
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

impl Workshop {
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

    /// Adds the units one answer reports to the right table (slot 0 products, 1 orders) and kind.
    pub(super) fn add_units(
        &self,
        capacity: &mut ConsumedUnits,
        table: Option<&str>,
        units: Option<f64>,
        write: bool,
    ) {
        let products = table == Some(self.products_table.as_str());
        capacity.add_answer(Some(if products { 0 } else { 1 }), units, write);
    }
}
