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

    /// A list member of too few or too many entries (DynamoDB quotes the list; its rendering is left out).
    pub fn length_constraint(field: &str, min: usize, max: usize, len: usize) -> Self {
        let bound = if len < min {
            format!("greater than or equal to {min}")
        } else {
            format!("less than or equal to {max}")
        };
        Self::validation(format!(
            "1 validation error detected: Value at '{field}' failed to satisfy constraint: Member must have length {bound}"
        ))
    }

    pub fn batch_statements_mixed() -> Self {
        Self::validation("Read and write requests together in the same batch is not supported.")
    }

    pub fn batch_select_not_single_item() -> Self {
        Self::validation("Only single item select is supported")
    }

    pub fn transaction_statements_mixed() -> Self {
        Self::validation(
            "ExecuteTransaction API does not support both read and write operations in the same request.",
        )
    }

    pub fn transaction_select_not_single_item(statement: usize) -> Self {
        Self::validation(format!(
            "Validation failed in TransactStatements[{statement}]: Select statements within ExecuteTransaction \
             must specify the primary key in the where clause."
        ))
    }

    pub fn stream_view_type_missing() -> Self {
        Self::validation(
            "Invalid StreamViewType: Stream ViewType must not be null or empty when enabling streams.",
        )
    }

    pub fn stream_view_type_when_disabled() -> Self {
        Self::validation(
            "Invalid StreamViewType: Stream StreamEnabled was false but a StreamViewType was present.",
        )
    }

    pub fn stream_view_type_invalid(view: &str) -> Self {
        Self::validation(format!(
            "1 validation error detected: Value '{view}' at 'streamSpecification.streamViewType' failed to \
             satisfy constraint: Member must satisfy enum value set: [NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY]"
        ))
    }

    pub fn stream_already_enabled() -> Self {
        Self::validation("Table already has an enabled stream")
    }

    pub fn no_stream_to_disable() -> Self {
        Self::validation("Table has no stream to disable")
    }

    pub fn stream_not_found(arn: &str) -> Self {
        Self::dynamodb(
            "ResourceNotFoundException",
            format!("Requested resource not found: Stream: {arn} not found"),
        )
    }

    pub fn shard_not_found(_shard: &str) -> Self {
        Self::dynamodb(
            "ResourceNotFoundException",
            "Requested resource not found: Shard does not exist",
        )
    }

    pub fn stream_limit(limit: i64, max: usize) -> Self {
        let bound = if limit < 1 {
            "greater than or equal to 1".to_owned()
        } else {
            format!("less than or equal to {max}")
        };
        Self::validation(format!(
            "1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value {bound}"
        ))
    }

    pub fn invalid_sequence_number() -> Self {
        Self::validation("One or more parameter values were invalid: Invalid SequenceNumber")
    }

    pub fn shard_iterator_type(kind: &str) -> Self {
        Self::validation(format!(
            "1 validation error detected: Value '{kind}' at 'shardIteratorType' failed to satisfy constraint: \
             Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_SEQUENCE_NUMBER, TRIM_HORIZON]"
        ))
    }

    pub fn invalid_iterator() -> Self {
        Self::validation("Invalid ShardIterator")
    }

    /// A read before the oldest record a stream keeps (24 hours).
    pub fn trimmed(_stream: &str) -> Self {
        Self::dynamodb(
            "TrimmedDataAccessException",
            "The operation attempted to read past the oldest stream record in a shard.",
        )
    }

    /// A shard iterator used more than 15 minutes after it was issued (times on the endpoint's clock).
    pub fn iterator_expired(issued: f64, now: f64) -> Self {
        Self::dynamodb(
            "ExpiredIteratorException",
            format!(
                "Iterator expired. The iterator was created at time {:.0} while right now it is {:.0} which is \
                 further in the future than the tolerated delay of 900000 milliseconds.",
                issued * 1000.0,
                now * 1000.0
            ),
        )
    }

    /// A PartiQL INSERT of a key that exists.
    pub fn duplicate_item() -> Self {
        Self::dynamodb(
            "DuplicateItemException",
            "Duplicate primary key exists in table",
        )
    }

    /// A transaction's cancellation reason for an INSERT of a key that exists.
    pub fn duplicate_item_in_transaction() -> Value {
        json!({"Code": "ValidationError", "Message": "Duplicate primary key exists in table"})
    }

    pub fn index_not_found(index: &str) -> Self {
        Self::dynamodb(
            "ResourceNotFoundException",
            format!("Requested resource not found: Index: {index} not found"),
        )
    }

    /// Two index creations or deletions at once, or one while an index is still backfilling.
    pub fn one_index_change_at_a_time() -> Self {
        Self::dynamodb(
            "LimitExceededException",
            "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table",
        )
    }

    /// Creating an index under a name the table already has (DynamoDB Local's wording).
    pub fn index_exists() -> Self {
        Self::validation("Attempting to create an index which already exists")
    }

    /// Creating an index under the name of one still being created (DynamoDB Local's wording).
    pub fn index_being_created() -> Self {
        Self::dynamodb(
            "ResourceInUseException",
            "Attempt to change a resource which is still in use: Index is being created.",
        )
    }

    pub fn too_many_gsis() -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of {}",
            crate::ops::MAX_GSIS
        ))
    }

    pub fn index_needs_throughput(index: &str) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: ProvisionedThroughput must be specified for index: {index}"
        ))
    }

    /// An index created without the request's AttributeDefinitions.
    pub fn no_attribute_schema() -> Self {
        Self::validation("No Attribute Schema Defined")
    }

    pub fn index_backfilling() -> Self {
        Self::validation("Cannot read from backfilling global secondary index")
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
