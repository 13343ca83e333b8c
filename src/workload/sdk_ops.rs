//! One attempt of each operation through the AWS SDK (`--client sdk`, and Query always): the request
//! sent, then its answer settled into an Attempt the same way for every operation.

use std::slice;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::batch_get_item::BatchGetItemOutput;
use aws_sdk_dynamodb::operation::RequestId;
use aws_sdk_dynamodb::types::{ConsumedCapacity, KeysAndAttributes, ReturnConsumedCapacity};
use aws_sdk_dynamodb::Client;

use super::classify::{classify, classify_transact, AttemptResult};
use super::ops::{Attempt, ConsumedUnits, Item, Request, Workshop};

const TOTAL: ReturnConsumedCapacity = ReturnConsumedCapacity::Total;

impl Workshop {
    pub(super) async fn sdk_attempt(&self, client: &Client, request: &mut Request) -> Attempt {
        let mut capacity = ConsumedUnits::default();
        let mut request_id = None;
        let units = (&mut capacity, &mut request_id);
        let result = match request {
            Request::Get(index) => {
                let sent = client
                    .get_item()
                    .table_name(&self.products_table)
                    .set_key(Some(self.catalog.products[*index].key.clone()))
                    .consistent_read(self.consistent_reads)
                    .return_consumed_capacity(TOTAL)
                    .send()
                    .await;
                self.settle(sent, units, false, |o| one(o.consumed_capacity()), classify)
            }
            Request::Query(index) => {
                let sent = self.query(client, *index).send().await;
                self.settle(sent, units, false, |o| one(o.consumed_capacity()), classify)
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
                    .return_consumed_capacity(TOTAL)
                    .send()
                    .await;
                let left = sent
                    .as_ref()
                    .map(|o| self.unprocessed(o))
                    .unwrap_or_default();
                match self.settle(sent, units, false, |o| o.consumed_capacity(), classify) {
                    AttemptResult::Ok if !left.is_empty() => {
                        *keys = left;
                        AttemptResult::throttled("UnprocessedKeys")
                    }
                    settled => settled,
                }
            }
            Request::Put(item) => {
                let sent = client
                    .put_item()
                    .table_name(&self.orders_table)
                    .set_item(Some(item.clone()))
                    .condition_expression("attribute_not_exists(#pk)")
                    .expression_attribute_names("#pk", &self.orders.schema.partition.name)
                    .return_consumed_capacity(TOTAL)
                    .send()
                    .await;
                self.settle(sent, units, true, |o| one(o.consumed_capacity()), classify)
            }
            Request::Transact(actions) => {
                let sent = client
                    .transact_write_items()
                    .set_transact_items(Some(actions.clone()))
                    .return_consumed_capacity(TOTAL)
                    .send()
                    .await;
                self.settle(
                    sent,
                    units,
                    true,
                    |o| o.consumed_capacity(),
                    classify_transact,
                )
            }
            Request::Plan(_) => AttemptResult::Failed(
                "RequestNotSent: a workload file's request in the workshop".into(),
            ),
        };
        Attempt {
            result,
            capacity,
            request_id,
        }
    }

    /// The units the answer reports added to the capacity, its request ID kept, or the error classified.
    fn settle<O: RequestId, E>(
        &self,
        sent: Result<O, SdkError<E>>,
        (capacity, request_id): (&mut ConsumedUnits, &mut Option<String>),
        write: bool,
        consumed: impl Fn(&O) -> &[ConsumedCapacity],
        classify_error: impl Fn(&SdkError<E>) -> AttemptResult,
    ) -> AttemptResult
    where
        SdkError<E>: RequestId,
    {
        *request_id = match &sent {
            Ok(out) => out.request_id(),
            Err(err) => err.request_id(),
        }
        .map(str::to_owned);
        match sent {
            Ok(out) => {
                for cc in consumed(&out) {
                    self.add_units(capacity, cc.table_name(), cc.capacity_units(), write);
                }
                AttemptResult::Ok
            }
            Err(err) => classify_error(&err),
        }
    }

    /// A Query for one product's key (partition, and sort key where the table has one).
    fn query(
        &self,
        client: &Client,
        index: usize,
    ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        let key = &self.catalog.products[index].key;
        let schema = &self.products_schema;
        let query = client
            .query()
            .table_name(&self.products_table)
            .consistent_read(self.consistent_reads)
            .return_consumed_capacity(TOTAL)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", &schema.partition.name)
            .expression_attribute_values(":pk", key[&schema.partition.name].clone());
        match &schema.sort {
            Some(sort) => query
                .key_condition_expression("#pk = :pk AND #sk = :sk")
                .expression_attribute_names("#sk", &sort.name)
                .expression_attribute_values(":sk", key[&sort.name].clone()),
            None => query,
        }
    }

    /// The products table's keys DynamoDB left unprocessed, to send again.
    fn unprocessed(&self, out: &BatchGetItemOutput) -> Vec<Item> {
        out.unprocessed_keys()
            .and_then(|u| u.get(&self.products_table))
            .map(|k| k.keys().to_vec())
            .unwrap_or_default()
    }
}

fn one(consumed: Option<&ConsumedCapacity>) -> &[ConsumedCapacity] {
    consumed.map(slice::from_ref).unwrap_or_default()
}
