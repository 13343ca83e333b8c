//! The catalogue of errors the endpoint answers: DynamoDB's error types, HTTP status and message
//! templates, each written once here (wording after DynamoDB and DynamoDB Local), plus the extra
//! fields some carry (ThrottlingReasons, CancellationReasons).

use serde_json::{json, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    /// The full `__type`, e.g. "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException".
    pub kind: String,
    pub message: String,
    pub extra: Vec<(&'static str, Value)>,
}

const DYNAMODB: &str = "com.amazonaws.dynamodb.v20120810#";

/// Which expression parameter a message is about ("Invalid ConditionExpression: ...").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExprKind {
    Condition,
    Filter,
    KeyCondition,
    Update,
    Projection,
}

impl ExprKind {
    pub fn parameter(self) -> &'static str {
        match self {
            ExprKind::Condition => "ConditionExpression",
            ExprKind::Filter => "FilterExpression",
            ExprKind::KeyCondition => "KeyConditionExpression",
            ExprKind::Update => "UpdateExpression",
            ExprKind::Projection => "ProjectionExpression",
        }
    }
}

impl ApiError {
    fn new(kind: String, message: impl Into<String>) -> Self {
        Self {
            status: 400,
            kind,
            message: message.into(),
            extra: Vec::new(),
        }
    }

    pub fn dynamodb(code: &str, message: impl Into<String>) -> Self {
        Self::new(format!("{DYNAMODB}{code}"), message)
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(
            "com.amazon.coral.validate#ValidationException".into(),
            message,
        )
    }

    pub fn serialization(message: impl Into<String>) -> Self {
        Self::new(
            "com.amazon.coral.service#SerializationException".into(),
            message,
        )
    }

    pub fn unknown_operation(target: &str) -> Self {
        Self::new(
            "com.amazon.coral.service#UnknownOperationException".into(),
            format!("The ddbload emulator does not support the operation {target}"),
        )
    }

    /// A request parameter the emulator does not implement: refused, never ignored.
    pub fn unsupported(what: &str) -> Self {
        Self::validation(format!("The ddbload emulator does not support {what}"))
    }

    /// The request body is larger than DynamoDB accepts (HTTP 413).
    pub fn too_large() -> Self {
        Self {
            status: 413,
            ..Self::new(
                "com.amazon.coral.service#RequestEntityTooLargeException".into(),
                "Request entity too large",
            )
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            status: 500,
            ..Self::dynamodb("InternalServerError", message)
        }
    }

    pub fn missing(field: &str) -> Self {
        Self::validation(format!(
            "1 validation error detected: Value null at '{field}' failed to satisfy constraint: Member must not be null"
        ))
    }

    pub fn table_not_found() -> Self {
        Self::dynamodb(
            "ResourceNotFoundException",
            "Cannot do operations on a non-existent table",
        )
    }

    /// A PartiQL statement the parser cannot read (DynamoDB quotes the whole statement).
    pub fn statement_malformed(statement: &str) -> Self {
        Self::validation(format!(
            "Statement wasn't well formed, can't be processed: {statement}"
        ))
    }

    pub fn statement_parameters_mismatch() -> Self {
        Self::validation("Number of parameters in request and statement don't match.")
    }

    pub fn statement_item_lacks_key(attribute: &str) -> Self {
        Self::validation(format!(
            "Key attribute should be present in the item: Key {attribute}"
        ))
    }

    pub fn statement_no_such_index(index: &str) -> Self {
        Self::validation(format!(
            "The table does not have the specified index: {index}"
        ))
    }

    pub fn statement_needs_whole_key() -> Self {
        Self::validation("Where clause does not contain a mandatory equality on all key attributes")
    }

    pub fn statement_bad_next_token() -> Self {
        Self::validation("Invalid NextToken")
    }

    /// A PartiQL INSERT of a key that exists.
    pub fn duplicate_item() -> Self {
        Self::dynamodb(
            "DuplicateItemException",
            "Duplicate primary key exists in table",
        )
    }

    pub fn index_not_found(index: &str) -> Self {
        Self::dynamodb(
            "ResourceNotFoundException",
            format!("Requested resource not found: Index: {index} not found"),
        )
    }

    pub fn table_exists(table: &str) -> Self {
        Self::dynamodb(
            "ResourceInUseException",
            format!("Table already exists: {table}"),
        )
    }

    pub fn bad_table_name() -> Self {
        Self::validation(
            "Invalid table/index name.  Table/index names must be between 3 and 255 characters long, and may \
             contain only the characters a-z, A-Z, 0-9, '_', '-', and '.'",
        )
    }

    pub fn conditional() -> Self {
        Self::dynamodb(
            "ConditionalCheckFailedException",
            "The conditional request failed",
        )
    }

    pub fn transaction_conflict() -> Self {
        Self::dynamodb(
            "TransactionConflictException",
            "Transaction is ongoing for the item",
        )
    }

    /// A throttle: `reason` is ResourceType+OperationType+LimitType, e.g.
    /// "TableReadProvisionedThroughputExceeded" (API reference, ThrottlingReason).
    pub fn throttled(throttle: crate::capacity::Throttle, resource_arn: &str) -> Self {
        let mut err = Self::dynamodb(
            "ProvisionedThroughputExceededException",
            "The level of configured provisioned throughput for the table was exceeded. Consider increasing \
             your provisioning level with the UpdateTable API.",
        );
        err.extra.push((
            "ThrottlingReasons",
            json!([{ "reason": throttle.to_string(), "resource": resource_arn }]),
        ));
        err
    }

    pub fn item_too_large() -> Self {
        Self::validation("Item size has exceeded the maximum allowed size")
    }

    pub fn updated_item_too_large() -> Self {
        Self::validation("Item size to update has exceeded the maximum allowed size")
    }

    pub fn key_schema_mismatch() -> Self {
        Self::validation("The provided key element does not match the schema")
    }

    pub fn key_too_large() -> Self {
        Self::validation(
            "Hash primary key values must be under 2048 bytes, and range primary key values must be under 1024 bytes",
        )
    }

    pub fn duplicate_keys() -> Self {
        Self::validation("Provided list of item keys contains duplicates")
    }

    pub fn nesting_too_deep() -> Self {
        Self::validation(
            "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond \
             supported limit",
        )
    }

    pub fn expression_syntax(kind: ExprKind, token: &str, near: &str) -> Self {
        Self::validation(format!(
            "Invalid {}: Syntax error; token: \"{token}\", near: \"{near}\"",
            kind.parameter()
        ))
    }

    pub fn expression_invalid(kind: ExprKind, detail: impl std::fmt::Display) -> Self {
        Self::validation(format!("Invalid {}: {detail}", kind.parameter()))
    }

    /// A legacy BETWEEN (Expected, QueryFilter...) whose bounds are the wrong way round.
    pub fn legacy_between_reversed() -> Self {
        Self::validation(
            "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound",
        )
    }

    /// An expression's BETWEEN whose two bounds are values of different types (`{N:1}`, `{S:a}`).
    pub fn between_types_differ(kind: ExprKind, low: &str, high: &str) -> Self {
        Self::expression_invalid(
            kind,
            format_args!(
                "The BETWEEN operator requires same data type for lower and upper bounds; lower bound \
                 operand: AttributeValue: {low}, upper bound operand: AttributeValue: {high}"
            ),
        )
    }

    /// An expression's BETWEEN whose value bounds are the wrong way round.
    pub fn between_reversed(kind: ExprKind, low: &str, high: &str) -> Self {
        Self::expression_invalid(
            kind,
            format_args!(
                "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; \
                 lower bound operand: AttributeValue: {low}, upper bound operand: AttributeValue: {high}"
            ),
        )
    }

    pub fn expression_too_long(kind: ExprKind, size: usize) -> Self {
        Self::expression_invalid(
            kind,
            format_args!(
                "Expression size has exceeded the maximum allowed size; expression size: {size}"
            ),
        )
    }

    pub fn too_many_operators(kind: ExprKind) -> Self {
        Self::expression_invalid(
            kind,
            "The expression contains too many operators; operator count: 301",
        )
    }

    pub fn redundant_parentheses(kind: ExprKind) -> Self {
        Self::expression_invalid(kind, "The expression has redundant parentheses;")
    }

    pub fn operand_type(kind: ExprKind, detail: &str) -> Self {
        Self::expression_invalid(
            kind,
            format_args!("Incorrect operand type for operator or function; {detail}"),
        )
    }

    /// ExpressionAttributeValues with a value DynamoDB refuses.
    pub fn invalid_value(key: &str, inner: &ApiError) -> Self {
        Self::validation(format!(
            "ExpressionAttributeValues contains invalid value: {} for key {key}",
            inner.message
        ))
    }

    pub fn mixed_parameters(legacy: &[&str], expressions: &[&str]) -> Self {
        Self::validation(format!(
            "Can not use both expression and non-expression parameters in the same request: Non-expression \
             parameters: {{{}}} Expression parameters: {{{}}}",
            legacy.join(", "),
            expressions.join(", ")
        ))
    }

    pub fn return_values() -> Self {
        Self::validation("Return values set to invalid value")
    }

    pub fn code(&self) -> &str {
        self.kind.rsplit('#').next().unwrap_or(&self.kind)
    }

    pub fn to_json(&self) -> Value {
        // DynamoDB capitalises the message of its deserializer's errors only.
        let key = if self.code() == "SerializationException" {
            "Message"
        } else {
            "message"
        };
        let mut body = json!({ "__type": self.kind, key: self.message });
        for (key, value) in &self.extra {
            body[*key] = value.clone();
        }
        body
    }
}
