//! A workload file compiled once into a plan: tables and operations by index, generators ready, so a
//! request costs array lookups and generator calls only.

pub mod generate;
mod inserts;
mod ops;
pub mod spec;
pub mod tables;

use rand::Rng;
use serde_json::Value;

use crate::workload::keys::KeyDistribution;
use crate::workload::ops::{OpRef, MAX_SLOTS, MAX_TABLES};
pub use ops::{Condition, KeySource, OpKind, PlanOp};
use spec::{Spec, SpecError};
use tables::PlanTable;

/// The compiled workload file.
#[derive(Debug)]
pub struct Plan {
    pub tables: Vec<PlanTable>,
    pub operations: Vec<PlanOp>,
    /// Per stage of the run, running totals of the operations' weights, for drawing one.
    cumulative: Vec<Vec<u64>>,
}

impl Plan {
    /// Compiles the file's JSON form; `distribution` is the default for key draws.
    pub fn compile(file: &Value, distribution: KeyDistribution) -> Result<Plan, SpecError> {
        let root = Spec::root(file, "workload");
        root.only(&["version", "description", "tables", "operations"])?;
        if let Some(version) = root.get("version") {
            if version.as_int()? != 1 {
                return Err(version.error("this ddbload reads workload files of version 1"));
            }
        }
        let mut tables = Vec::new();
        let tables_spec = root.required("tables")?;
        for (alias, spec) in tables_spec.fields()? {
            tables.push(PlanTable::compile(&alias, &spec)?);
        }
        if tables.is_empty() || tables.len() > MAX_TABLES {
            return Err(tables_spec.error(&format!("expected 1 to {MAX_TABLES} tables")));
        }
        let mut operations = Vec::new();
        let ops_spec = root.required("operations")?;
        for spec in ops_spec.array()? {
            operations.push(PlanOp::compile(&spec, &tables, distribution)?);
        }
        if operations.is_empty() {
            return Err(ops_spec.error("expected at least one operation"));
        }
        if operations.len() > usize::from(u16::MAX) {
            return Err(ops_spec.error("too many operations"));
        }
        for (i, op) in operations.iter().enumerate() {
            if operations[..i].iter().any(|o| o.name == op.name) {
                return Err(ops_spec.error(&format!("two operations are named {:?}", op.name)));
            }
        }
        let stages = operations
            .iter()
            .map(|op| op.weights.len())
            .max()
            .unwrap_or(1);
        if let Some(odd) = operations
            .iter()
            .position(|op| ![1, stages].contains(&op.weights.len()))
        {
            return Err(ops_spec.error(&format!(
                "operation {:?} has {} weights where another has {stages}: one per stage, the same count for every operation",
                operations[odd].name,
                operations[odd].weights.len()
            )));
        }
        let mut cumulative = Vec::with_capacity(stages);
        for stage in 0..stages {
            let mut total = 0;
            let running: Vec<u64> = operations
                .iter()
                .map(|op| {
                    total += op.weight_in(stage);
                    total
                })
                .collect();
            if total == 0 {
                return Err(ops_spec.error(&format!(
                    "every weight of stage {} is 0: nothing would be sent",
                    stage + 1
                )));
            }
            cumulative.push(running);
        }
        for op in operations.iter().flat_map(PlanOp::with_actions) {
            if matches!(op.keys, KeySource::Latest(_)) {
                let table = &mut tables[op.table];
                table.inserts = Some(std::sync::Arc::new(inserts::Inserts::new(table.drawable())));
            }
        }
        Ok(Plan {
            tables,
            operations,
            cumulative,
        })
    }

    /// Places the new items of tables read `latest` for this run (its seed, its distributed task).
    pub fn place_inserts(&mut self, seed: u64, task: Option<u32>) {
        for table in &mut self.tables {
            if table.inserts.is_some() {
                let placed = inserts::Inserts::placed(table.drawable(), seed, task);
                table.inserts = Some(std::sync::Arc::new(placed));
            }
        }
    }

    /// How many stages the operations' weights give (1: the same weights all run).
    pub fn stage_count(&self) -> usize {
        self.cumulative.len()
    }

    /// Draws an operation by its weight in `stage` (a stage past the last takes the last's weights).
    pub fn draw(&self, rng: &mut impl Rng, stage: usize) -> OpRef {
        let cumulative = &self.cumulative[stage.min(self.cumulative.len() - 1)];
        let total = *cumulative.last().expect("compile refuses an empty plan");
        let at = rng.random_range(0..total);
        let index = cumulative.partition_point(|c| *c <= at);
        OpRef {
            index: index as u16,
            read: self.operations[index].kind.is_read(),
        }
    }

    /// The slot of a table in ConsumedUnits, by its DynamoDB name.
    pub fn table_slot(&self, name: &str) -> Option<usize> {
        self.tables.iter().position(|t| t.name == name)
    }

    /// (table, global index) of each global index with a ConsumedUnits slot of its own, in slot order
    /// from MAX_TABLES.
    pub fn index_slots(&self) -> impl Iterator<Item = (&str, &str)> {
        self.tables
            .iter()
            .flat_map(|t| {
                // A local index shares its table's capacity: its units stay the table's.
                let global = t.indexes.iter().filter(|i| !i.local);
                global.map(|i| (t.name.as_str(), i.name.as_str()))
            })
            .take(MAX_SLOTS - MAX_TABLES)
    }

    /// The slot of an index in ConsumedUnits (None: past the slots, counted with its table).
    /// The slot an operation's units and keys count in: its global index's for a Query on one that has
    /// a slot, else its table's.
    pub fn slot_of(&self, op: &PlanOp) -> usize {
        let table = &self.tables[op.table].name;
        match &op.kind {
            OpKind::Query {
                index: Some(index), ..
            }
            | OpKind::Scan {
                index: Some(index), ..
            } => self.index_slot(table, index).unwrap_or(op.table),
            _ => op.table,
        }
    }

    pub fn index_slot(&self, table: &str, index: &str) -> Option<usize> {
        self.index_slots()
            .position(|(t, i)| t == table && i == index)
            .map(|n| MAX_TABLES + n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::SmallRng;
    use rand::SeedableRng;
    use serde_json::json;

    fn file(operations: Value) -> Value {
        json!({
            "tables": {"carts": {"partition_key": {"name": "user", "type": "S"}, "key_prefix": "u-", "items": 10}},
            "operations": operations,
        })
    }

    fn compile(file: &Value) -> Result<Plan, SpecError> {
        Plan::compile(file, KeyDistribution::Uniform)
    }

    #[test]
    fn return_values_are_refused_where_dynamodb_has_none() {
        let in_transaction = json!([{"name": "t", "transact": [
            {"update": {"table": "carts", "add": {"n": {"const": 1}}, "return_values": "ALL_NEW"}}]}]);
        let refused = compile(&file(in_transaction)).unwrap_err().to_string();
        assert!(
            refused.contains("return_values does not apply"),
            "{refused}"
        );
        let put_new = json!([{"name": "p", "put": {"table": "carts", "return_values": "ALL_NEW"}}]);
        let refused = compile(&file(put_new)).unwrap_err().to_string();
        assert!(refused.contains("one of NONE, ALL_OLD"), "{refused}");
        let update_new = json!([{"name": "u", "update": {"table": "carts", "return_values": "UPDATED_NEW",
            "add": {"n": {"const": 1}}}}]);
        assert!(compile(&file(update_new)).is_ok());
    }

    #[test]
    fn operations_are_drawn_in_proportion_to_their_weights() {
        let plan = compile(&file(json!([
            {"name": "a", "weight": 70, "get": {"table": "carts"}},
            {"name": "b", "weight": 0, "get": {"table": "carts"}},
            {"name": "c", "weight": 30, "put": {"table": "carts"}},
        ])))
        .unwrap();
        let mut rng = SmallRng::seed_from_u64(7);
        let mut counts = [0u32; 3];
        for _ in 0..100_000 {
            counts[usize::from(plan.draw(&mut rng, 0).index)] += 1;
        }
        assert_eq!(counts[1], 0, "weight 0 is never drawn");
        assert!((69_500..=70_500).contains(&counts[0]), "{counts:?}");
        assert!(!plan.draw(&mut rng, 0).read || counts[2] > 0);
    }

    #[test]
    fn an_update_is_written_with_placeholders_for_every_name_and_value() {
        let plan = compile(&file(json!([{"name": "visit", "update": {
            "table": "carts", "add": {"visits": {"const": 1}}, "set": {"status": {"const": "OPEN"}},
            "remove": ["promo"], "condition": "attribute_exists(#u)", "names": {"#u": "user"}}}])))
        .unwrap();
        let mut body = Vec::new();
        let operation = plan.operations[0]
            .write(&mut body, &plan.tables, &mut SmallRng::seed_from_u64(1))
            .unwrap();
        assert_eq!(operation, crate::fastpath::Operation::UpdateItem);
        let sent: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            sent["UpdateExpression"],
            "SET #ddbset0 = :ddbset0 ADD #ddbadd0 :ddbadd0 REMOVE #ddbremove0"
        );
        assert_eq!(sent["ExpressionAttributeNames"]["#ddbadd0"], "visits");
        assert_eq!(sent["ExpressionAttributeNames"]["#u"], "user");
        assert_eq!(
            sent["ExpressionAttributeValues"][":ddbadd0"],
            json!({"N": "1"})
        );
        let user = sent["Key"]["user"]["S"].as_str().unwrap();
        assert!(
            user.starts_with("u-") && user[2..].parse::<u64>().unwrap() < 10,
            "{user}"
        );
    }

    #[test]
    fn batches_carry_distinct_keys_in_request_items() {
        let plan = compile(&file(json!([
            {"name": "fetch", "batch_get": {"table": "carts", "count": 8, "consistent_read": true}},
            {"name": "load", "batch_write": {"table": "carts", "count": 3}},
            {"name": "purge", "batch_write": {"table": "carts", "count": 20, "delete": true}},
        ])))
        .unwrap();
        let mut rng = SmallRng::seed_from_u64(9);
        let body = |op: &PlanOp, rng: &mut SmallRng| {
            let mut out = Vec::new();
            op.write(&mut out, &plan.tables, rng).unwrap();
            serde_json::from_slice::<Value>(&out).unwrap()
        };
        let users = |keys: &[Value], path: &[&str]| -> std::collections::BTreeSet<String> {
            keys.iter()
                .map(|k| {
                    path.iter().fold(k, |v, p| &v[*p])["user"]["S"]
                        .as_str()
                        .unwrap()
                        .to_owned()
                })
                .collect()
        };
        let fetch = body(&plan.operations[0], &mut rng);
        let wanted = &fetch["RequestItems"]["carts"];
        assert_eq!(wanted["ConsistentRead"], true);
        assert_eq!(users(wanted["Keys"].as_array().unwrap(), &[]).len(), 8);
        let load = body(&plan.operations[1], &mut rng);
        let puts = load["RequestItems"]["carts"].as_array().unwrap();
        assert_eq!(users(puts, &["PutRequest", "Item"]).len(), 3);
        // 20 distinct keys asked of 10 seeded items: the batch holds the 10 there are.
        let purge = body(&plan.operations[2], &mut rng);
        let deletes = purge["RequestItems"]["carts"].as_array().unwrap();
        assert_eq!(users(deletes, &["DeleteRequest", "Key"]).len(), 10);
    }

    #[test]
    fn a_batch_get_list_names_each_table_once_and_reads_at_most_100_keys() {
        let twice = json!([{"name": "b", "batch_get": [
            {"table": "carts", "count": 1}, {"table": "carts", "count": 2}]}]);
        let refused = compile(&file(twice)).unwrap_err().to_string();
        assert!(refused.contains("each table once"), "{refused}");
        let many = json!([{"name": "b", "batch_get": [
            {"table": "carts", "count": 1}, {"table": "nope", "count": 1}]}]);
        let refused = compile(&file(many)).unwrap_err().to_string();
        assert!(refused.contains("no table \"nope\""), "{refused}");
        let empty = json!([{"name": "b", "batch_get": []}]);
        let refused = compile(&file(empty)).unwrap_err().to_string();
        assert!(refused.contains("1 to 100 keys"), "{refused}");
    }

    #[test]
    fn a_scan_draws_its_segment_and_a_transactional_read_lists_its_gets() {
        let plan = compile(&file(json!([
            {"name": "sweep", "scan": {"table": "carts", "limit": 7, "segments": 4, "pages": 3}},
            {"name": "pair", "transact_get": [{"get": {"table": "carts"}}, {"get": {"table": "carts"}}]},
        ])))
        .unwrap();
        let mut rng = SmallRng::seed_from_u64(4);
        let mut out = Vec::new();
        let op = plan.operations[0]
            .write(&mut out, &plan.tables, &mut rng)
            .unwrap();
        let sweep: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(op, crate::fastpath::Operation::Scan);
        assert_eq!(
            (sweep["Limit"].as_i64(), sweep["TotalSegments"].as_i64()),
            (Some(7), Some(4))
        );
        assert!((0..4).contains(&sweep["Segment"].as_i64().unwrap()));
        assert_eq!(plan.operations[0].kind.pages(), 3);
        out.clear();
        let op = plan.operations[1]
            .write(&mut out, &plan.tables, &mut rng)
            .unwrap();
        let pair: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(op, crate::fastpath::Operation::TransactGetItems);
        let gets = pair["TransactItems"].as_array().unwrap();
        assert!(gets
            .iter()
            .all(|g| g["Get"]["Key"]["user"]["S"].is_string()
                && g["Get"]["ConsistentRead"].is_null()));
        assert!(plan.operations[1].kind.is_read());
        let refused = compile(&file(json!([{"name": "p", "transact_get": [
            {"get": {"table": "carts", "consistent_read": true}}]}])));
        assert!(refused.unwrap_err().message.contains("always consistent"));
    }

    #[test]
    fn each_stage_draws_by_its_own_weights() {
        let plan = compile(&file(json!([
            {"name": "browse", "weights": [90, 10], "get": {"table": "carts"}},
            {"name": "buy", "weights": [10, 90], "put": {"table": "carts"}},
        ])))
        .unwrap();
        assert_eq!(plan.stage_count(), 2);
        let mut rng = SmallRng::seed_from_u64(5);
        for (stage, browse_share) in [(0, 0.9), (1, 0.1), (7, 0.1)] {
            let browsed = (0..10_000)
                .filter(|_| plan.draw(&mut rng, stage).index == 0)
                .count();
            assert!(
                (browsed as f64 / 10_000.0 - browse_share).abs() < 0.02,
                "stage {stage}: {browsed}"
            );
        }
        let uneven = compile(&file(json!([
            {"name": "a", "weights": [1, 2], "get": {"table": "carts"}},
            {"name": "b", "weights": [1, 2, 3], "get": {"table": "carts"}},
        ])));
        assert!(uneven.unwrap_err().message.contains("one per stage"));
    }

    /// Each operation's share of all operations, in percent.
    type Shares = &'static [(&'static str, f64)];

    /// YCSB's core workloads: (preset, its file, its operations' shares).
    const YCSB: [(&str, &str, Shares); 6] = [
        (
            "ycsb-a",
            include_str!("../../python/ddbload/workloads/ycsb-a.json"),
            &[("read", 50.0), ("update", 50.0)],
        ),
        (
            "ycsb-b",
            include_str!("../../python/ddbload/workloads/ycsb-b.json"),
            &[("read", 95.0), ("update", 5.0)],
        ),
        (
            "ycsb-c",
            include_str!("../../python/ddbload/workloads/ycsb-c.json"),
            &[("read", 100.0)],
        ),
        (
            "ycsb-d",
            include_str!("../../python/ddbload/workloads/ycsb-d.json"),
            &[("read", 95.0), ("insert", 5.0)],
        ),
        (
            "ycsb-e",
            include_str!("../../python/ddbload/workloads/ycsb-e.json"),
            &[("scan", 95.0), ("insert", 5.0)],
        ),
        (
            "ycsb-f",
            include_str!("../../python/ddbload/workloads/ycsb-f.json"),
            &[("read", 50.0), ("read_modify_write", 50.0)],
        ),
    ];

    #[test]
    fn ycsb_presets_draw_their_operations_within_half_a_point_over_100000() {
        for (preset, text, shares) in YCSB {
            let plan = compile(&serde_json::from_str(text).unwrap()).unwrap();
            let mut rng = SmallRng::seed_from_u64(11);
            let mut counts = vec![0u32; plan.operations.len()];
            for _ in 0..100_000 {
                counts[usize::from(plan.draw(&mut rng, 0).index)] += 1;
            }
            assert_eq!(plan.operations.len(), shares.len(), "{preset}");
            for (op, (name, share)) in plan.operations.iter().zip(shares) {
                assert_eq!(&op.name, name, "{preset}");
                let drawn = f64::from(
                    counts[plan
                        .operations
                        .iter()
                        .position(|o| &o.name == name)
                        .unwrap()],
                ) / 1000.0;
                assert!(
                    (drawn - share).abs() < 0.5,
                    "{preset} {name}: {drawn}% of 100,000, YCSB says {share}%"
                );
            }
            let record = plan.tables[0].item(0, &mut rng);
            let bytes: usize = (0..10)
                .map(|i| match &record[&format!("field{i}")] {
                    aws_sdk_dynamodb::types::AttributeValue::S(s) => s.len(),
                    _ => 0,
                })
                .sum();
            assert_eq!(
                (record.len() - 1 - usize::from(preset == "ycsb-e"), bytes),
                (10, 1000),
                "{preset}: 10 fields of 100 bytes"
            );
        }
    }

    #[test]
    fn a_transaction_writes_each_action_under_its_member_with_its_own_placeholders() {
        let plan = compile(&file(json!([{"name": "checkout", "transact": [
            {"update": {"table": "carts", "add": {"n": {"const": -1}}, "condition": "#n > :z",
                        "names": {"#n": "n"}, "values": {":z": {"const": 0}}}},
            {"put": {"table": "carts"}},
            {"check": {"table": "carts", "condition": "attribute_exists(#u)", "names": {"#u": "user"}}},
        ]}])))
        .unwrap();
        let mut body = Vec::new();
        let operation = plan.operations[0]
            .write(&mut body, &plan.tables, &mut SmallRng::seed_from_u64(3))
            .unwrap();
        assert_eq!(operation, crate::fastpath::Operation::TransactWriteItems);
        let sent: Value = serde_json::from_slice(&body).unwrap();
        let items = sent["TransactItems"].as_array().unwrap();
        assert_eq!(items.len(), 3);
        assert_eq!(
            items[0]["Update"]["UpdateExpression"],
            "ADD #ddbadd0 :ddbadd0"
        );
        assert_eq!(
            items[0]["Update"]["ExpressionAttributeValues"][":z"],
            json!({"N": "0"})
        );
        assert!(items[1]["Put"]["Item"]["user"]["S"].is_string());
        assert_eq!(
            items[2]["ConditionCheck"]["ConditionExpression"],
            "attribute_exists(#u)"
        );
        assert_eq!(sent["ReturnConsumedCapacity"], "INDEXES");
        let err = compile(&file(
            json!([{"name": "t", "transact": [{"get": {"table": "carts"}}]}]),
        ))
        .unwrap_err();
        assert_eq!(err.path, "workload.operations[0].transact[0].get");
    }

    #[test]
    fn each_mistake_names_its_path() {
        let cases = [
            (
                json!([{"name": "a", "get": {"table": "cart"}}]),
                "workload.operations[0].get.table",
            ),
            (
                json!([{"name": "a", "get": {"table": "carts"}, "put": {"table": "carts"}}]),
                "workload.operations[0]",
            ),
            (
                json!([{"name": "a", "update": {"table": "carts", "add": {"user": {"const": 1}}}}]),
                "workload.operations[0].update",
            ),
            (
                json!([{"name": "a", "weight": 0, "get": {"table": "carts"}}]),
                "workload.operations",
            ),
            (
                json!([{"name": "a", "query": {"table": "carts", "index": "nope"}}]),
                "workload.operations[0].query.index",
            ),
        ];
        for (operations, path) in cases {
            let err = compile(&file(operations)).unwrap_err();
            assert_eq!(err.path, path, "{err}");
        }
    }
}
