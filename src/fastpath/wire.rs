//! DynamoDB's JSON wire format for the fast path: request bodies written straight from the SDK's types
//! (no intermediate JSON document), and answers read for what the load test keeps (consumed capacity,
//! unprocessed keys, the error code, throttling and cancellation reasons).

use std::collections::HashMap;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use base64::Engine as _;
use serde::Deserialize;

pub type Item = HashMap<String, AttributeValue>;

/// A value the wire format cannot carry (an attribute type newer than this build): the request is
/// not sent, rather than sent with part of it left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub &'static str);

/// A JSON object being written: `field` adds `"name":` with the comma rules handled.
pub struct Object<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Object<'a> {
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        Self { out, first: true }
    }

    pub fn field(&mut self, name: &str) -> &mut Vec<u8> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        string(self.out, name);
        self.out.push(b':');
        self.out
    }

    pub fn string(&mut self, name: &str, value: &str) {
        string(self.field(name), value);
    }

    /// A whole number (Limit, Segment, TotalSegments).
    pub fn number(&mut self, name: &str, value: impl Into<i64>) {
        let out = self.field(name);
        out.extend_from_slice(value.into().to_string().as_bytes());
    }

    pub fn bool(&mut self, name: &str, value: bool) {
        let out = self.field(name);
        out.extend_from_slice(if value { b"true" } else { b"false" });
    }

    pub fn item(&mut self, name: &str, item: &Item) -> Result<(), Unsupported> {
        write_item(self.field(name), item)
    }

    pub fn names(&mut self, name: &str, names: &HashMap<String, String>) {
        let mut object = Object::new(self.field(name));
        for (key, value) in names {
            object.string(key, value);
        }
        object.end();
    }

    pub fn end(self) {
        self.out.push(b'}');
    }
}

fn string(out: &mut Vec<u8>, s: &str) {
    serde_json::to_writer(out, s).expect("writing to a Vec cannot fail");
}

pub fn write_item(out: &mut Vec<u8>, item: &Item) -> Result<(), Unsupported> {
    let mut object = Object::new(out);
    for (name, value) in item {
        write_value(object.field(name), value)?;
    }
    object.end();
    Ok(())
}

pub fn write_value(out: &mut Vec<u8>, value: &AttributeValue) -> Result<(), Unsupported> {
    let mut typed = Object::new(out);
    match value {
        AttributeValue::S(s) => typed.string("S", s),
        AttributeValue::N(n) => typed.string("N", n),
        AttributeValue::B(b) => typed.string("B", &blob(b)),
        AttributeValue::Bool(b) => typed.bool("BOOL", *b),
        AttributeValue::Null(b) => typed.bool("NULL", *b),
        AttributeValue::M(m) => write_item(typed.field("M"), m)?,
        AttributeValue::L(values) => list(typed.field("L"), values, write_value)?,
        AttributeValue::Ss(set) => list(typed.field("SS"), set, text)?,
        AttributeValue::Ns(set) => list(typed.field("NS"), set, text)?,
        AttributeValue::Bs(set) => list(typed.field("BS"), set, |out, b| text(out, &blob(b)))?,
        _ => return Err(Unsupported("an attribute type this build does not know")),
    }
    typed.end();
    Ok(())
}

/// A JSON array of `items`, each written by `write`.
pub fn list<T>(
    out: &mut Vec<u8>,
    items: &[T],
    mut write: impl FnMut(&mut Vec<u8>, &T) -> Result<(), Unsupported>,
) -> Result<(), Unsupported> {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write(out, item)?;
    }
    out.push(b']');
    Ok(())
}

/// A string as an element of `list`.
fn text(out: &mut Vec<u8>, s: &impl AsRef<str>) -> Result<(), Unsupported> {
    string(out, s.as_ref());
    Ok(())
}

fn blob(b: &Blob) -> String {
    base64::engine::general_purpose::STANDARD.encode(b.as_ref())
}

/// One TransactWriteItems action: a Put or an Update, as the workload builds them. Any other action
/// or member is refused (the fast path must not send part of what it was given).
pub fn write_transact_item(
    out: &mut Vec<u8>,
    action: &TransactWriteItem,
) -> Result<(), Unsupported> {
    let mut object = Object::new(out);
    match (
        action.put(),
        action.update(),
        action.delete(),
        action.condition_check(),
    ) {
        (Some(put), None, None, None) => write_put(object.field("Put"), put)?,
        (None, Some(update), None, None) => write_update(object.field("Update"), update)?,
        _ => {
            return Err(Unsupported(
                "a transaction action other than one Put or Update",
            ))
        }
    }
    object.end();
    Ok(())
}

fn write_put(out: &mut Vec<u8>, put: &Put) -> Result<(), Unsupported> {
    if put.return_values_on_condition_check_failure().is_some() {
        return Err(Unsupported("ReturnValuesOnConditionCheckFailure"));
    }
    let mut object = Object::new(out);
    object.string("TableName", put.table_name());
    object.item("Item", put.item())?;
    expressions(
        &mut object,
        put.condition_expression(),
        put.expression_attribute_names(),
        put.expression_attribute_values(),
    )?;
    object.end();
    Ok(())
}

fn write_update(out: &mut Vec<u8>, update: &Update) -> Result<(), Unsupported> {
    if update.return_values_on_condition_check_failure().is_some() {
        return Err(Unsupported("ReturnValuesOnConditionCheckFailure"));
    }
    let mut object = Object::new(out);
    object.string("TableName", update.table_name());
    object.item("Key", update.key())?;
    object.string("UpdateExpression", update.update_expression());
    expressions(
        &mut object,
        update.condition_expression(),
        update.expression_attribute_names(),
        update.expression_attribute_values(),
    )?;
    object.end();
    Ok(())
}

fn expressions(
    object: &mut Object,
    condition: Option<&str>,
    names: Option<&HashMap<String, String>>,
    values: Option<&Item>,
) -> Result<(), Unsupported> {
    if let Some(condition) = condition {
        object.string("ConditionExpression", condition);
    }
    if let Some(names) = names {
        object.names("ExpressionAttributeNames", names);
    }
    if let Some(values) = values {
        object.item("ExpressionAttributeValues", values)?;
    }
    Ok(())
}

/// What a successful answer holds that the load test keeps.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Answer {
    #[serde(default)]
    pub consumed_capacity: Option<OneOrMany>,
    #[serde(default)]
    pub unprocessed_keys: Option<HashMap<String, Unprocessed>>,
    /// BatchWriteItem's writes left undone, by table (RequestItems' shape: sent again as they are).
    #[serde(default)]
    pub unprocessed_items: Option<serde_json::Map<String, serde_json::Value>>,
    /// A Query or Scan page's last key when there is more to read (kept as JSON, sent back as is).
    #[serde(default)]
    pub last_evaluated_key: Option<serde_json::Map<String, serde_json::Value>>,
    /// GetItem's item, when there was one (its attributes are skipped, not kept).
    #[serde(default)]
    pub item: Option<serde::de::IgnoredAny>,
}

/// GetItem and PutItem answer one ConsumedCapacity, BatchGetItem and TransactWriteItems a list.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(Consumed),
    Many(Vec<Consumed>),
}

impl OneOrMany {
    pub fn iter(&self) -> impl Iterator<Item = &Consumed> {
        match self {
            Self::One(one) => std::slice::from_ref(one).iter(),
            Self::Many(many) => many.iter(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Consumed {
    pub table_name: Option<String>,
    /// f64 as the SDK reads it, so both clients turn the same figure into the same Decimal.
    pub capacity_units: Option<f64>,
    /// ReturnConsumedCapacity INDEXES: each global index's part of `capacity_units`.
    #[serde(default)]
    pub global_secondary_indexes: Option<HashMap<String, IndexUnits>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IndexUnits {
    pub capacity_units: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Unprocessed {
    #[serde(default)]
    pub keys: Vec<serde_json::Map<String, serde_json::Value>>,
}

/// A DynamoDB error answer (awsJson1_0): its type and the reasons the load test reports.
#[derive(Debug, Default, Deserialize)]
pub struct ErrorAnswer {
    #[serde(rename = "__type", alias = "code", alias = "Code")]
    pub error_type: Option<String>,
    #[serde(rename = "ThrottlingReasons", default)]
    pub throttling_reasons: Vec<Reason>,
    #[serde(rename = "CancellationReasons", default)]
    pub cancellation_reasons: Vec<Cancellation>,
}

#[derive(Debug, Deserialize)]
pub struct Reason {
    #[serde(rename = "reason")]
    pub reason: Option<String>,
    #[serde(rename = "resource")]
    pub resource: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Cancellation {
    #[serde(rename = "Code")]
    pub code: Option<String>,
}

/// The error code as the SDK's awsJson parser reads it: the header wins, then the body; any namespace
/// before '#' and anything after ':' are dropped.
pub fn error_code(header: Option<&str>, body: &ErrorAnswer) -> Option<String> {
    let raw = header.or(body.error_type.as_deref())?;
    let name = raw.rsplit('#').next().unwrap_or(raw);
    let name = name.split(':').next().unwrap_or(name);
    Some(name.to_owned())
}

/// A key as JSON (from UnprocessedKeys) back into the SDK's type, for the next attempt.
pub fn item_from_json(
    object: &serde_json::Map<String, serde_json::Value>,
) -> Result<Item, Unsupported> {
    object
        .iter()
        .map(|(name, value)| Ok((name.clone(), value_from_json(value)?)))
        .collect()
}

fn value_from_json(value: &serde_json::Value) -> Result<AttributeValue, Unsupported> {
    use serde_json::Value;
    let bad = Unsupported("an attribute value DynamoDB's JSON does not define");
    let Value::Object(typed) = value else {
        return Err(bad);
    };
    let Some((kind, inner)) = typed.iter().next() else {
        return Err(bad);
    };
    let text = |v: &Value| v.as_str().map(str::to_owned).ok_or(bad.clone());
    let texts = |v: &Value| -> Result<Vec<String>, Unsupported> {
        v.as_array().ok_or(bad.clone())?.iter().map(text).collect()
    };
    let decode = |s: String| {
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map(Blob::new)
            .map_err(|_| bad.clone())
    };
    Ok(match kind.as_str() {
        "S" => AttributeValue::S(text(inner)?),
        "N" => AttributeValue::N(text(inner)?),
        "B" => AttributeValue::B(decode(text(inner)?)?),
        "BOOL" => AttributeValue::Bool(inner.as_bool().ok_or(bad.clone())?),
        "NULL" => AttributeValue::Null(inner.as_bool().ok_or(bad.clone())?),
        "SS" => AttributeValue::Ss(texts(inner)?),
        "NS" => AttributeValue::Ns(texts(inner)?),
        "BS" => AttributeValue::Bs(
            texts(inner)?
                .into_iter()
                .map(decode)
                .collect::<Result<_, _>>()?,
        ),
        "M" => AttributeValue::M(item_from_json(inner.as_object().ok_or(bad.clone())?)?),
        "L" => AttributeValue::L(
            inner
                .as_array()
                .ok_or(bad.clone())?
                .iter()
                .map(value_from_json)
                .collect::<Result<_, _>>()?,
        ),
        _ => return Err(bad),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_item() -> Item {
        Item::from([
            ("id".into(), AttributeValue::S("p\"1\n".into())),
            ("price".into(), AttributeValue::N("19.99".into())),
            (
                "raw".into(),
                AttributeValue::B(Blob::new(vec![0u8, 255, 7])),
            ),
            ("ok".into(), AttributeValue::Bool(true)),
            ("none".into(), AttributeValue::Null(true)),
            (
                "tags".into(),
                AttributeValue::Ss(vec!["a".into(), "b".into()]),
            ),
            (
                "sizes".into(),
                AttributeValue::Ns(vec!["1".into(), "2.5".into()]),
            ),
            (
                "blobs".into(),
                AttributeValue::Bs(vec![Blob::new(vec![1u8])]),
            ),
            (
                "lines".into(),
                AttributeValue::L(vec![AttributeValue::M(Item::from([(
                    "qty".into(),
                    AttributeValue::N("3".into()),
                )]))]),
            ),
        ])
    }

    #[test]
    fn every_attribute_type_survives_a_round_trip() {
        let item = sample_item();
        let mut out = Vec::new();
        write_item(&mut out, &item).unwrap();
        let parsed: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(&out).expect("valid JSON");
        assert_eq!(parsed["price"], serde_json::json!({"N": "19.99"}));
        assert_eq!(parsed["raw"], serde_json::json!({"B": "AP8H"}));
        assert_eq!(item_from_json(&parsed).unwrap(), item);
    }

    #[test]
    fn a_transaction_update_keeps_every_member() {
        let update = Update::builder()
            .table_name("Products")
            .key("id", AttributeValue::S("p1".into()))
            .update_expression("SET #stock = #stock - :q")
            .condition_expression("#stock >= :q")
            .expression_attribute_names("#stock", "stock")
            .expression_attribute_values(":q", AttributeValue::N("2".into()))
            .build()
            .unwrap();
        let mut out = Vec::new();
        write_transact_item(
            &mut out,
            &TransactWriteItem::builder().update(update).build(),
        )
        .unwrap();
        let parsed: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!({"Update": {
                "TableName": "Products",
                "Key": {"id": {"S": "p1"}},
                "UpdateExpression": "SET #stock = #stock - :q",
                "ConditionExpression": "#stock >= :q",
                "ExpressionAttributeNames": {"#stock": "stock"},
                "ExpressionAttributeValues": {":q": {"N": "2"}},
            }})
        );
    }

    #[test]
    fn an_action_the_fast_path_does_not_write_is_refused() {
        let check = aws_sdk_dynamodb::types::ConditionCheck::builder()
            .table_name("T")
            .key("id", AttributeValue::S("x".into()))
            .condition_expression("attribute_exists(id)")
            .build()
            .unwrap();
        let action = TransactWriteItem::builder().condition_check(check).build();
        assert!(write_transact_item(&mut Vec::new(), &action).is_err());
    }

    #[test]
    fn error_codes_are_read_as_the_sdk_reads_them() {
        let body: ErrorAnswer = serde_json::from_str(
            r#"{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                "message":"slow down","ThrottlingReasons":[{"reason":"TableReadProvisionedThroughputExceeded","resource":"arn:x"}]}"#,
        )
        .unwrap();
        assert_eq!(
            error_code(None, &body).as_deref(),
            Some("ProvisionedThroughputExceededException")
        );
        assert_eq!(
            body.throttling_reasons[0].reason.as_deref(),
            Some("TableReadProvisionedThroughputExceeded")
        );
        assert_eq!(
            error_code(Some("ThrottlingException:http://internal"), &body).as_deref(),
            Some("ThrottlingException")
        );
        assert_eq!(error_code(None, &ErrorAnswer::default()), None);
    }

    #[test]
    fn answers_hold_one_or_many_consumed_capacities() {
        let one: Answer =
            serde_json::from_str(r#"{"Item":{"id":{"S":"p1"}},"ConsumedCapacity":{"TableName":"P","CapacityUnits":0.5}}"#)
                .unwrap();
        let many: Answer = serde_json::from_str(
            r#"{"ConsumedCapacity":[{"TableName":"P","CapacityUnits":1.0},{"TableName":"O","CapacityUnits":2.0}],
                "UnprocessedKeys":{"P":{"Keys":[{"id":{"S":"p9"}}]}}}"#,
        )
        .unwrap();
        assert_eq!(
            one.consumed_capacity
                .unwrap()
                .iter()
                .map(|c| c.capacity_units)
                .collect::<Vec<_>>(),
            [Some(0.5)]
        );
        assert_eq!(many.consumed_capacity.unwrap().iter().count(), 2);
        let keys = &many.unprocessed_keys.unwrap()["P"].keys;
        assert_eq!(
            item_from_json(&keys[0]).unwrap(),
            Item::from([("id".into(), AttributeValue::S("p9".into()))])
        );
    }
}
