//! The catalogue of errors the endpoint answers: DynamoDB's error types, HTTP status and message
//! templates, each written once here (wording after DynamoDB and DynamoDB Local), plus the extra
//! fields some carry (ThrottlingReasons, CancellationReasons). The generic constructors (`validation`,
//! `dynamodb`, `serialization`) are private: a new message is a new named constructor here.

use serde_json::{json, Value};

use crate::number::NumberError;

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

    fn dynamodb(code: &str, message: impl Into<String>) -> Self {
        Self::new(format!("{DYNAMODB}{code}"), message)
    }

    fn validation(message: impl Into<String>) -> Self {
        Self::new(
            "com.amazon.coral.validate#ValidationException".into(),
            message,
        )
    }

    fn serialization(message: impl Into<String>) -> Self {
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

    pub fn body_not_json(error: impl std::fmt::Display) -> Self {
        Self::serialization(format!("the request body is not JSON: {error}"))
    }

    /// A DynamoDB call whose body is no JSON: DynamoDB's SerializationException says nothing more.
    pub fn call_not_json() -> Self {
        Self::serialization("")
    }

    /// A signed call to an operation with no body at all: DynamoDB's bare SerializationException.
    pub fn empty_body() -> Self {
        Self::serialization("")
    }

    /// A target that is no DynamoDB operation: DynamoDB's UnknownOperationException says nothing more.
    pub fn unknown_target() -> Self {
        Self::new(
            "com.amazon.coral.service#UnknownOperationException".into(),
            "",
        )
    }

    pub fn missing_authentication_token() -> Self {
        Self::new(
            "com.amazon.coral.service#MissingAuthenticationTokenException".into(),
            "Request is missing Authentication Token",
        )
    }

    /// Both an Authorization header and a presigned query string.
    pub fn signed_twice() -> Self {
        Self::new(
            "com.amazon.coral.service#InvalidSignatureException".into(),
            "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
        )
    }

    /// A signature without some of its parts (`missing` lists them, as DynamoDB words it).
    pub fn incomplete_signature(missing: &str) -> Self {
        Self::new(
            "com.amazon.coral.service#IncompleteSignatureException".into(),
            missing,
        )
    }

    pub fn body_not_object() -> Self {
        Self::serialization("the request body must be a JSON object")
    }

    pub fn body_read_timeout() -> Self {
        Self::serialization("timed out reading the request body")
    }

    pub fn body_unreadable() -> Self {
        Self::serialization("could not read the request body")
    }

    // DynamoDB's deserializer, when a member's JSON type is not its shape's (wording from its Java parser).

    /// A JSON object where a list, or a scalar, belongs.
    pub fn object_not_expected() -> Self {
        Self::serialization("Start of structure or map found where not expected")
    }

    /// A list where a map belongs (`java_type` the map's, e.g. "java.util.Map<java.lang.String, ...>").
    pub fn unrecognized_collection(java_type: &str) -> Self {
        Self::serialization(format!("Unrecognized collection type {java_type}"))
    }

    /// A list where a scalar or a structure belongs (`java_type` its class, e.g. "java.lang.String").
    pub fn unrecognized_collection_class(java_type: &str) -> Self {
        Self::serialization(format!("Unrecognized collection type class {java_type}"))
    }

    /// A wrong value where a list or map nested in a list or map belongs (a Java cast error, verbatim).
    pub fn nested_collection() -> Self {
        Self::serialization(
            "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast \
             to class java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and java.lang.Class \
             are in module java.base of loader 'bootstrap')",
        )
    }

    pub fn unexpected_field_type() -> Self {
        Self::serialization("Unexpected field type")
    }

    /// A scalar where a list's or a map's element that is a structure belongs.
    pub fn unexpected_value_type() -> Self {
        Self::serialization("Unexpected value type in payload")
    }

    /// A blob member (base-64 text) given something other than text.
    pub fn blob_not_text() -> Self {
        Self::serialization("only base-64-encoded strings are convertible to bytes")
    }

    /// A number given as text where a boolean belongs.
    pub fn unexpected_token() -> Self {
        Self::serialization("Unexpected token received from parser")
    }

    /// A scalar of the wrong type: `token` is the JSON parser's name for it (e.g. "STRING_VALUE").
    pub fn not_convertible(token: &str, java_type: &str) -> Self {
        Self::serialization(format!("{token} cannot be converted to {java_type}"))
    }

    /// A 32-bit integer member (Limit) given a number that is not one.
    pub fn not_an_integer(value: &Value) -> Self {
        Self::serialization(format!(
            "NUMBER_VALUE {value} cannot be converted to Integer"
        ))
    }

    pub fn base64_length(len: usize) -> Self {
        Self::serialization(format!(
            "Base64 encoded length is expected a multiple of 4 bytes but found: {len}"
        ))
    }

    /// Base64 whose last character before the padding has bits left over (DynamoDB's spelling).
    pub fn base64_last_character() -> Self {
        Self::serialization("Invalid last non-pad Base64 character dectected")
    }

    pub fn base64_expected() -> Self {
        Self::serialization("Base64 encoded value expected")
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            status: 500,
            ..Self::dynamodb("InternalServerError", message)
        }
    }

    /// A request member's name as DynamoDB's constraint messages give it: "TransactStatements" is
    /// 'transactStatements'.
    pub fn field_name(member: &str) -> String {
        let mut chars = member.chars();
        chars
            .next()
            .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
            .unwrap_or_default()
    }

    pub fn missing(field: &str) -> Self {
        Self::violations(vec![Self::violation(None, field, Self::NOT_NULL.into())])
    }

    /// A list of request objects as DynamoDB's Java model prints them in a violation's value
    /// (`[com.amazonaws.dynamodb.v20120810.WriteRequest@1a2b3c4d, ...]`); the suffix, an identity
    /// hash there, is a hash of each object's JSON here.
    pub fn java_echo(class: &str, objects: &[Value]) -> String {
        let each = objects.iter().map(|object| {
            let hash = object.to_string().bytes().fold(0x811c_9dc5_u32, |h, b| {
                (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
            });
            format!("com.amazonaws.dynamodb.v20120810.{class}@{hash:x}")
        });
        format!("[{}]", each.collect::<Vec<_>>().join(", "))
    }

    /// A member some operations answer missing on its own, in these words (CreateTable's TableName).
    pub fn parameter_required(member: &str) -> Self {
        Self::validation(format!(
            "The parameter '{member}' is required but was not present in the request"
        ))
    }

    /// The constraints a request member failed, listed as DynamoDB lists them (at most 10) before it
    /// reads anything else of the request.
    pub fn violations(list: Vec<String>) -> Self {
        let plural = if list.len() == 1 { "" } else { "s" };
        Self::validation(format!(
            "{} validation error{plural} detected: {}",
            list.len(),
            list.join("; ")
        ))
    }

    /// One failed constraint of the member DynamoDB names `field`; `value` as the request gave it
    /// (None when absent).
    pub fn violation(value: Option<&str>, field: &str, constraint: String) -> String {
        match value {
            Some(value) => {
                format!("Value '{value}' at '{field}' failed to satisfy constraint: {constraint}")
            }
            None => format!("Value null at '{field}' failed to satisfy constraint: {constraint}"),
        }
    }

    pub const NOT_NULL: &str = "Member must not be null";

    pub fn min_length_constraint(min: usize) -> String {
        format!("Member must have length greater than or equal to {min}")
    }

    pub fn max_length_constraint(max: usize) -> String {
        format!("Member must have length less than or equal to {max}")
    }

    pub fn pattern_constraint(pattern: &str) -> String {
        format!("Member must satisfy regular expression pattern: {pattern}")
    }

    /// `values` in the order DynamoDB lists them (not the API reference's).
    pub fn enum_constraint(values: &[&str]) -> String {
        format!(
            "Member must satisfy enum value set: [{}]",
            values.join(", ")
        )
    }

    /// An empty list where at least one member is required (`field` as DynamoDB names it).
    pub fn empty_list(field: &str) -> Self {
        Self::validation(format!(
            "1 validation error detected: Value '[]' at '{field}' failed to satisfy constraint: Member must have \
             length greater than or equal to 1"
        ))
    }

    pub fn value_at_most(field: &str, value: i64, max: i64) -> Self {
        Self::validation(format!(
            "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: Member must \
             have value less than or equal to {max}"
        ))
    }

    /// A data-plane request (GetItem, Query, ...) on a table that does not exist.
    pub fn table_not_found() -> Self {
        Self::dynamodb("ResourceNotFoundException", "Requested resource not found")
    }

    /// A table operation (DescribeTable, UpdateTable, DeleteTable, TTL) on a table that does not
    /// exist: DynamoDB names the table.
    pub fn table_not_found_named(name: &str) -> Self {
        Self::dynamodb(
            "ResourceNotFoundException",
            format!("Requested resource not found: Table: {name} not found"),
        )
    }

    /// A table ARN of this account and region naming no table.
    pub fn resource_not_found(arn: &str) -> Self {
        Self::dynamodb(
            "ResourceNotFoundException",
            format!("Requested resource not found: {arn}"),
        )
    }

    pub fn invalid_table_arn(arn: &str) -> Self {
        Self::validation(format!(
            "Invalid TableArn: Invalid ResourceArn provided as input {arn}"
        ))
    }

    /// A PartiQL statement the parser cannot read (DynamoDB quotes the whole statement).
    pub fn statement_malformed(statement: &str) -> Self {
        Self::validation(format!(
            "Statement wasn't well formed, can't be processed: {statement}"
        ))
    }

    /// A RETURNING clause without its `*` (or with a list of attributes instead).
    pub fn returning_without_star() -> Self {
        Self::validation("Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause")
    }

    /// A DELETE returning anything but the whole old item (`clause`: `RETURNING ALL NEW *`...).
    pub fn delete_returning(clause: &str) -> Self {
        Self::validation(format!(
            "Invalid returning clause: {clause}. Only RETURNING ALL OLD * is allowed in DELETE statements."
        ))
    }

    /// A statement of ExecuteTransaction with a RETURNING clause.
    pub fn transaction_returning(statement: usize) -> Self {
        Self::validation(format!(
            "Validation failed in TransactStatements[{statement}]: RETURNING clause is not supported in \
             ExecuteTransaction."
        ))
    }

    /// `SET a = set_add(b, ...)` (or set_delete): DynamoDB adds to or deletes from `a` itself only.
    pub fn statement_set_function_target(function: &str) -> Self {
        Self::validation(format!(
            "The first argument to {} must equal the assignment value",
            function.to_uppercase()
        ))
    }

    /// Two GlobalSecondaryIndexUpdates naming one index.
    pub fn index_updated_twice(index: &str) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: Only one global secondary index update per index is allowed simultaneously. Index: {index}"
        ))
    }

    /// An operator PartiQL for DynamoDB does not carry out (LIKE).
    pub fn partiql_unsupported_operator(operator: &str) -> Self {
        Self::validation(format!(
            "Unsupported operator in Condition Expression. Operator: {operator}"
        ))
    }

    /// A PartiQL word DynamoDB does not take there (SELECT DISTINCT).
    pub fn partiql_unsupported_token(token: &str) -> Self {
        Self::validation(format!("Unsupported token in expression: {token}"))
    }

    /// A PartiQL statement DynamoDB does not carry out (INSERT ... SELECT: `InsertOp`).
    pub fn partiql_unsupported_operation(operation: &str) -> Self {
        Self::validation(format!("Unsupported operation: {operation}"))
    }

    /// SELECT ... FROM two tables.
    pub fn partiql_single_table_only() -> Self {
        Self::validation("Only select from a single table or index is supported.")
    }

    /// A function PartiQL for DynamoDB does not have (`upper(a)`).
    pub fn partiql_unrecognized_function(function: &str) -> Self {
        Self::validation(format!("Unrecognized function: {function}"))
    }

    /// MISSING as a value (`SET a = MISSING`, `a = MISSING`): PartiQL tests it with IS only.
    pub fn missing_as_value() -> Self {
        Self::validation("MISSING must be compared using IS operator")
    }

    /// EXISTS(...) anywhere but in ExecuteTransaction.
    pub fn exists_outside_transaction() -> Self {
        Self::validation("EXISTS can only be used in ExecuteTransaction write requests.")
    }

    /// EXISTS(...) of anything but one item's key and a condition on it (statement `n`).
    pub fn exists_not_single_item_check(n: usize) -> Self {
        Self::validation(format!(
            "Validation failed in TransactStatements[{n}]: EXISTS() must contain a single item read with additional condition"
        ))
    }

    /// NOT EXISTS(...), which DynamoDB's transactions do not take.
    pub fn not_exists_unsupported() -> Self {
        Self::validation("Unsupported operation in transaction.")
    }

    /// ORDER BY in a statement without WHERE.
    pub fn order_by_needs_where() -> Self {
        Self::validation("Must have WHERE clause in the statement when using ORDER BY clause.")
    }

    /// ORDER BY in a statement whose WHERE gives no partition key to query.
    pub fn order_by_needs_partition_key() -> Self {
        Self::validation(
            "Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause.",
        )
    }

    /// ORDER BY of an attribute outside the key of the table or index read.
    pub fn order_by_not_key(name: &str) -> Self {
        Self::validation(format!(
            "Variable reference {name} in ORDER BY clause must be part of the primary key"
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

    /// A projection or filter path into a key attribute (`Key`) or an index's key (`IndexKey`).
    pub fn path_into_key(kind: &str, attribute: &str) -> Self {
        Self::validation(format!(
            "Key attributes must be scalars; list random access '[]' and map lookup '.' are not \
             allowed: {kind}: {attribute}"
        ))
    }

    pub fn all_attributes_from_partial_gsi(index: &str) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported \
             for global secondary index {index} because its projection type is not ALL"
        ))
    }

    /// A Query of an index filtering on attributes the index does not hold (`names` in name order).
    pub fn filter_not_projected(index: &str, names: &[&str]) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: Secondary index {index} does not project \
             one or more filter attributes: [{}]",
            names.join(", ")
        ))
    }

    /// A read of a global secondary index asking for attributes it does not hold.
    pub fn gsi_does_not_project(index: &str, names: &[&str]) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: Global secondary index {index} does not \
             project [{}]",
            names.join(", ")
        ))
    }

    /// A Query, Scan or statement reading an index the table does not have.
    pub fn no_such_index(index: &str) -> Self {
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

    /// TransactItems of no actions or more than `max`; `echo` is the list as DynamoDB prints it.
    pub fn transact_items_length(echo: &str, count: usize, max: usize) -> Self {
        let constraint = if count == 0 {
            Self::min_length_constraint(1)
        } else {
            Self::max_length_constraint(max)
        };
        Self::violations(vec![Self::violation(
            Some(echo),
            "transactItems",
            constraint,
        )])
    }

    /// A TransactItems entry with none or several of Check, Put, Update and Delete.
    pub fn transact_item_kinds() -> Self {
        Self::validation("TransactItems can only contain one of Check, Put, Update or Delete")
    }

    pub fn transaction_same_item_twice() -> Self {
        Self::validation("Transaction request cannot include multiple operations on one item")
    }

    pub fn client_token_length(token: &str, max: usize) -> Self {
        Self::validation(format!(
            "1 validation error detected: Value '{token}' at 'clientRequestToken' failed to satisfy \
             constraint: Member must have length less than or equal to {max}"
        ))
    }

    /// A ClientRequestToken used again, within its ten minutes, for a different request.
    pub fn idempotent_mismatch() -> Self {
        Self::dynamodb(
            "IdempotentParameterMismatchException",
            "The request uses the same client token as a previous, but non-identical request.",
        )
    }

    /// TransactionCanceledException with one reason per action, in the request's order.
    pub fn transaction_cancelled(reasons: Vec<Value>) -> Self {
        let codes: Vec<&str> = reasons
            .iter()
            .map(|r| r["Code"].as_str().unwrap_or("None"))
            .collect();
        let mut err = Self::dynamodb(
            "TransactionCanceledException",
            format!(
                "Transaction cancelled, please refer cancellation reasons for specific reasons [{}]",
                codes.join(", ")
            ),
        );
        err.extra
            .push(("CancellationReasons", Value::Array(reasons)));
        err
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

    /// DeleteTable, UpdateTable, tagging or a second CreateTable on a table still CREATING.
    pub fn table_being_created(name: &str) -> Self {
        Self::dynamodb(
            "ResourceInUseException",
            format!("Attempt to change a resource which is still in use: Table is being created: {name}"),
        )
    }

    /// UpdateTable on a table whose figures are still being changed (UPDATING), in the words
    /// recorded from DynamoDB in a public catalogue of its ResourceInUseException texts.
    pub fn table_iops_being_updated(name: &str) -> Self {
        Self::dynamodb(
            "ResourceInUseException",
            format!(
                "Attempt to change a resource which is still in use: Table IOPS are currently \
                 being updated. Table: {name}"
            ),
        )
    }

    /// UpdateTable of DeletionProtectionEnabled on a table still UPDATING (from the same catalogue).
    pub fn deletion_protection_needs_active() -> Self {
        Self::dynamodb(
            "ResourceInUseException",
            "Table needs to be in ACTIVE status to modify deletion protection setting.",
        )
    }

    /// DeleteTable on a table still UPDATING (from the same catalogue).
    pub fn table_in_process_of_being_updated(name: &str) -> Self {
        Self::dynamodb(
            "ResourceInUseException",
            format!(
                "Attempt to change a resource which is still in use: Table: {name} is in the \
                 process of being updated."
            ),
        )
    }

    /// UpdateTable of a table's figures or billing mode while a global index of it is being created
    /// (the same catalogue's wording).
    pub fn table_iops_while_index_created(name: &str, indexes: &[&str]) -> Self {
        Self::dynamodb(
            "ResourceInUseException",
            format!(
                "Attempt to change a resource which is still in use: Can't change table IOPS when an \
                 index is being created. Table: {name} Indexes: [{}]",
                indexes.join(", ")
            ),
        )
    }

    /// DeleteTable while a global index of the table is being created (the same catalogue's wording).
    pub fn table_delete_while_index_changes() -> Self {
        Self::dynamodb(
            "ResourceInUseException",
            "Attempt to change a resource which is still in use: Cannot delete table while indexes \
             are being created, updated, or deleted.",
        )
    }

    /// DeleteTable, UpdateTable or tagging on a table still DELETING.
    pub fn table_being_deleted(name: &str) -> Self {
        Self::dynamodb(
            "ResourceInUseException",
            format!("Attempt to change a resource which is still in use: Table is being deleted: {name}"),
        )
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

    /// A global index given ProvisionedThroughput on a PAY_PER_REQUEST table (DynamoDB's words).
    pub fn index_throughput_with_on_demand(index: &str) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: ProvisionedThroughput should not be specified \
             for index: {index} when BillingMode is PAY_PER_REQUEST"
        ))
    }

    /// An index created without the request's AttributeDefinitions.
    pub fn no_attribute_schema() -> Self {
        Self::validation("No Attribute Schema Defined")
    }

    pub fn index_backfilling() -> Self {
        Self::validation("Cannot read from backfilling global secondary index")
    }

    pub fn too_many_lsis(max: usize) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: LocalSecondaryIndex count exceeds the per-table limit of {max}"
        ))
    }

    pub fn lsi_needs_range_key() -> Self {
        Self::validation(
            "One or more parameter values were invalid: Table KeySchema does not have a range key, which is \
             required when specifying a LocalSecondaryIndex",
        )
    }

    /// Two of a CreateTable's indexes, global or local, under one name.
    pub fn duplicate_index_name(index: &str) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: Duplicate index name: {index}"
        ))
    }

    /// A local secondary index not keyed by the table's partition key and a sort key.
    pub fn lsi_hash_key_differs(index: &str) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: Index KeySchema does not have the same leading hash key \
             as table KeySchema for index: {index}"
        ))
    }

    /// A Projection without its ProjectionType (DynamoDB's wording; DynamoDB Local says "Indexes must
    /// have a projection specified").
    pub fn projection_type_missing() -> Self {
        Self::validation("One or more parameter values were invalid: Unknown ProjectionType: null")
    }

    /// NonKeyAttributes beside ProjectionType ALL or KEYS_ONLY (DynamoDB's wording; DynamoDB Local
    /// says "No attributes should be specified to be projected unless projection type is INCLUDE").
    pub fn projection_lists_attributes(kind: &str) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: ProjectionType is {kind}, but NonKeyAttributes is specified"
        ))
    }

    /// ProjectionType INCLUDE without NonKeyAttributes (DynamoDB's wording; DynamoDB Local says "If
    /// Projection type INCLUDE is specified, some non-key attributes ... must be specified as well").
    pub fn include_lists_no_attributes() -> Self {
        Self::validation(
            "One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes \
             is not specified",
        )
    }

    /// One index's NonKeyAttributes naming an attribute twice (DynamoDB's and DynamoDB Local's words).
    pub fn projected_attribute_twice() -> Self {
        Self::validation("Cannot have two attributes with the same name")
    }

    /// More than 100 NonKeyAttributes across a table's indexes. DynamoDB Local's words (they name
    /// the limit of old, 20, and local indexes only, though it counts 100 across all indexes);
    /// DynamoDB's own are not on record.
    pub fn too_many_projected_attributes() -> Self {
        Self::validation(
            "No more than 20 attributes per table can be projected into Local Secondary Indices",
        )
    }

    pub fn unknown_projection_type(projection: &str) -> Self {
        Self::validation(format!("Unknown ProjectionType: {projection}"))
    }

    /// A GlobalSecondaryIndexUpdates entry with none of Update, Create and Delete.
    pub fn index_update_empty() -> Self {
        Self::validation(
            "One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, \
             GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null",
        )
    }

    /// A switch to PROVISIONED leaving a global secondary index without throughput.
    pub fn indexes_need_throughput() -> Self {
        Self::validation(
            "One or more parameter values were invalid: ProvisionedThroughput must be specified for \
             index when BillingMode is PROVISIONED",
        )
    }

    pub fn consistent_read_on_gsi() -> Self {
        Self::validation("Consistent reads are not supported on global secondary indexes")
    }

    /// An item whose value for an index's key attribute is not of the index's key type.
    pub fn index_key_type_mismatch(key: &str, expected: &str, actual: &str, index: &str) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: Type mismatch for Index Key {key} \
             Expected: {expected} Actual: {actual} IndexName: {index}"
        ))
    }

    /// An item whose value for an index's key attribute is longer than an index key may be, in
    /// DynamoDB's words (DynamoDB Local stops after "Size limit exceeded").
    pub fn index_key_too_large(key: &str, size: usize, max: usize, index: &str) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: Size limit exceeded for Index Key {key} \
             Actual Size: {size} bytes Max Size: {max} bytes IndexName: {index}"
        ))
    }

    /// An item whose value for an index's key attribute is an empty string (or, `binary`, empty binary).
    pub fn empty_index_key(index: &str, key: &str, binary: bool) -> Self {
        Self::validation(format!(
            "One or more parameter values are not valid. A value specified for a secondary \
             index key is not supported. The AttributeValue for a key attribute cannot contain \
             an empty {} value. IndexName: {index}, IndexKey: {key}",
            if binary { "binary" } else { "string" },
        ))
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

    pub fn key_schema_length() -> Self {
        Self::validation(
            "1 validation error detected: Value at 'keySchema' failed to satisfy constraint: Member must have \
             length between 1 and 2",
        )
    }

    /// A key attribute missing from AttributeDefinitions: every key and every definition named.
    pub fn key_attribute_undefined(keys: &[&str], definitions: &[&str]) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: Some index key attributes are not defined in \
             AttributeDefinitions. Keys: [{}], AttributeDefinitions: [{}]",
            keys.join(", "),
            definitions.join(", ")
        ))
    }

    /// More key attributes than AttributeDefinitions.
    pub fn key_attributes_exceed_definitions() -> Self {
        Self::validation("Invalid KeySchema: Some index key attribute have no definition")
    }

    pub fn hash_and_range_same_name() -> Self {
        Self::validation(
            "Both the Hash Key and the Range Key element in the KeySchema have the same name",
        )
    }

    pub fn second_key_not_range() -> Self {
        Self::validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
    }

    /// A table without indexes defines exactly its key attributes.
    pub fn definitions_not_key_attributes() -> Self {
        Self::validation(
            "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly \
             match number of attributes defined in AttributeDefinitions",
        )
    }

    /// A table with indexes defines an attribute no key of it uses.
    pub fn definitions_not_used(defined: &[&str], used: &[&str]) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: Some AttributeDefinitions are not used. \
             AttributeDefinitions: [{}], keys used: [{}]",
            defined.join(", "),
            used.join(", ")
        ))
    }

    /// `GlobalSecondaryIndexes: []` or `LocalSecondaryIndexes: []` (`kind`: Global or Local).
    pub fn index_list_empty(kind: &str) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: List of {kind}SecondaryIndexes is empty"
        ))
    }

    pub fn invalid_attribute_type(kind: &str) -> Self {
        Self::validation(format!("Invalid AttributeType {kind}"))
    }

    pub fn first_key_not_hash() -> Self {
        Self::validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
    }

    pub fn invalid_billing_mode(mode: &str) -> Self {
        Self::validation(format!("Invalid BillingMode {mode}"))
    }

    /// A PROVISIONED CreateTable without ProvisionedThroughput (DynamoDB's wording in 2026).
    pub fn no_table_throughput() -> Self {
        Self::validation(
            "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must \
             both be specified when BillingMode is PROVISIONED",
        )
    }

    /// A switch to PROVISIONED without ProvisionedThroughput.
    pub fn table_needs_throughput() -> Self {
        Self::validation(
            "One or more parameter values were invalid: ProvisionedThroughput must be specified \
             when BillingMode is PROVISIONED",
        )
    }

    /// ProvisionedThroughput given for a PAY_PER_REQUEST table.
    pub fn throughput_with_on_demand() -> Self {
        Self::validation(
            "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits \
             can be specified when BillingMode is PAY_PER_REQUEST",
        )
    }

    pub fn throughput_below_one() -> Self {
        Self::validation("Table read and write throughput must be at least 1, and cannot be null")
    }

    /// A provisioned figure past what DynamoDB takes at all (dynalite's suite records the wording).
    pub fn throughput_out_of_bounds(value: &str, name: &str) -> Self {
        Self::validation(format!("Given value {value} for {name} is out of bounds"))
    }

    /// A global index Update's figure past 10^12, once its table is found, whether or not the index
    /// exists (dynalite's suite records DynamoDB's answer).
    pub fn index_update_blocked() -> Self {
        Self::validation(
            "This operation cannot be performed with given input values. Please contact DynamoDB service team for more info: Action Blocked: IndexUpdate",
        )
    }

    pub fn throughput_over_quota() -> Self {
        Self::validation(
            "Cannot increase provisioned throughput to more than 40,000 units per table",
        )
    }

    /// An UpdateTable asking for the provisioned throughput the table has.
    pub fn throughput_unchanged(
        current_read: i64,
        read: i64,
        current_write: i64,
        write: i64,
    ) -> Self {
        Self::validation(format!(
            "The provisioned throughput for the table will not change. The requested value equals the \
             current value. Current ReadCapacityUnits provisioned for the table: {current_read}. Requested \
             ReadCapacityUnits: {read}. Current WriteCapacityUnits provisioned for the table: {current_write}. \
             Requested WriteCapacityUnits: {write}. Refer to the Amazon DynamoDB Developer Guide for \
             current limits and how to request higher limits."
        ))
    }

    /// A decrease of provisioned throughput past the day's allowance.
    pub fn throughput_decrease_limit() -> Self {
        Self::dynamodb(
            "LimitExceededException",
            "Subscriber limit exceeded: Provisioned throughput decreases are limited within a given UTC \
             day. After the first 4 decreases, each subsequent decrease in the same UTC day can be \
             performed at most once every 3600 seconds.",
        )
    }

    /// A switch to on-demand past the `per_day` allowed in 24 hours.
    pub fn on_demand_switch_limit(per_day: usize) -> Self {
        Self::dynamodb(
            "LimitExceededException",
            format!(
                "Subscriber limit exceeded: Switching to on-demand is allowed {per_day} times in 24 hours"
            ),
        )
    }

    pub fn warm_throughput_decrease(current_read: f64, current_write: f64) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: Requested warm throughput is lower than the \
             current warm throughput (read {current_read}, write {current_write}); it cannot be decreased"
        ))
    }

    /// DeleteTable of a table with DeletionProtectionEnabled (DynamoDB Local's words).
    pub fn deletion_protected() -> Self {
        Self::validation(
            "Resource cannot be deleted as it is currently protected against deletion. Disable \
             deletion protection first.",
        )
    }

    pub fn nothing_to_update() -> Self {
        Self::validation("Nothing to update")
    }

    pub fn ttl_on_other_attribute() -> Self {
        Self::validation("TimeToLive is active on a different AttributeName")
    }

    pub fn ttl_already_enabled() -> Self {
        Self::validation("TimeToLive is already enabled")
    }

    pub fn ttl_already_disabled() -> Self {
        Self::validation("TimeToLive is already disabled")
    }

    pub fn invalid_tag() -> Self {
        Self::validation(
            "One or more parameter values were invalid: tag keys must be 1 to 128 characters and values at \
             most 256, of letters, digits, spaces and _ . : / = + - @",
        )
    }

    pub fn reserved_tag_key() -> Self {
        Self::validation(
            "One or more parameter values were invalid: tag keys starting with 'aws:' are reserved for AWS",
        )
    }

    pub fn too_many_tags(max: usize) -> Self {
        Self::dynamodb(
            "LimitExceededException",
            format!("The table would have more than {max} tags"),
        )
    }

    pub fn list_tables_limit_below_one() -> Self {
        Self::validation("Limit must be greater than or equal to 1")
    }

    pub fn list_tables_limit_over_100() -> Self {
        Self::validation("Limit in ListTables must be <= 100")
    }

    pub fn conditional() -> Self {
        Self::dynamodb(
            "ConditionalCheckFailedException",
            "The conditional request failed",
        )
    }

    /// The message of a transaction's ThrottlingError cancellation reason.
    pub const THROTTLED_IN_TRANSACTION: &str =
        "Throughput exceeds the current capacity of your table or index.";

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

    /// A TransactWriteItems whose items add up to more than 4 MB (DynamoDB Local's words).
    pub fn transaction_too_large(bytes: usize) -> Self {
        Self::validation(format!(
            "Transaction payload size cannot exceed 4MB. Payload Size: {bytes}"
        ))
    }

    /// A SET of an index key attribute to a value read from the item, of another type than the
    /// index's key (a value the request itself types is `index_key_type_mismatch`).
    pub fn index_key_set_to_unsupported_type() -> Self {
        Self::validation(
            "The update expression attempted to update the secondary index key to unsupported type",
        )
    }

    pub fn updated_item_too_large() -> Self {
        Self::validation("Item size to update has exceeded the maximum allowed size")
    }

    pub fn key_schema_mismatch() -> Self {
        Self::validation("The provided key element does not match the schema")
    }

    /// A partition key over 2,048 bytes (DynamoDB's message has no space before the figure).
    pub fn partition_key_too_large() -> Self {
        Self::validation(
            "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes",
        )
    }

    pub fn sort_key_too_large() -> Self {
        Self::validation(
            "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes",
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

    /// An item without one of its table's key attributes.
    pub fn item_missing_key(key: &str) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: Missing the key {key} in the item"
        ))
    }

    /// An item whose key attribute is not of the table's key type.
    pub fn item_key_type_mismatch(key: &str, expected: &str, actual: &str) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: Type mismatch for key {key} expected: {expected} actual: {actual}"
        ))
    }

    /// A key attribute given an empty string or binary value.
    /// An empty string or binary key value: in an item (`in_item`) DynamoDB words it "are not
    /// valid", in a Key "were invalid".
    pub fn empty_key_value(key: &str, binary: bool, in_item: bool) -> Self {
        let lead = if in_item {
            "One or more parameter values are not valid."
        } else {
            "One or more parameter values were invalid:"
        };
        let kind = if binary { "binary" } else { "string" };
        Self::validation(format!(
            "{lead} The AttributeValue for a key attribute cannot contain an empty {kind} value. Key: {key}"
        ))
    }

    /// An update of a key attribute.
    pub fn update_of_key(attribute: &str) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: Cannot update attribute {attribute}. This attribute \
             is part of the key"
        ))
    }

    pub fn empty_attribute_name() -> Self {
        Self::validation("Empty attribute name")
    }

    pub fn item_not_a_map() -> Self {
        Self::serialization("expected a map of attribute values")
    }

    /// A PutRequest without its Item.
    pub fn null_item() -> Self {
        Self::validation("The supplied Item contains a null AttributeValue")
    }

    pub fn attribute_value_not_object() -> Self {
        Self::serialization("An AttributeValue must be a JSON object")
    }

    /// An AttributeValue of no type: `{}`.
    pub fn attribute_value_empty() -> Self {
        Self::validation(
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
        )
    }

    /// An AttributeValue of several types; also a BatchWriteItem entry with both or neither of Put and Delete.
    pub fn attribute_value_many_types() -> Self {
        Self::validation(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the \
             supported datatypes",
        )
    }

    /// An AttributeValue whose type (`tag`, e.g. "S") takes text, given something else.
    pub fn attribute_value_not_text(tag: &str) -> Self {
        Self::serialization(format!("{tag} must be a string"))
    }

    /// An AttributeValue whose type (`tag`, e.g. "SS") takes a list, given something else.
    pub fn attribute_value_not_list(tag: &str) -> Self {
        Self::serialization(format!("{tag} must be a list"))
    }

    pub fn set_members_not_text() -> Self {
        Self::serialization("set members must be strings")
    }

    pub fn bool_not_boolean() -> Self {
        Self::serialization("BOOL must be a boolean")
    }

    pub fn map_not_object() -> Self {
        Self::serialization("M must be a map")
    }

    pub fn null_not_true() -> Self {
        Self::validation(
            "One or more parameter values were invalid: Null attribute value types must have the value of true",
        )
    }

    /// Text that is not a DynamoDB number, or a sum or difference beyond one.
    pub fn invalid_number(error: NumberError) -> Self {
        Self::validation(match error {
            NumberError::NotANumber => "A value provided cannot be converted into a number",
            NumberError::Precision => "DynamoDB only supports precision up to 38 digits",
            NumberError::Overflow => {
                "Number overflow. Attempting to store a number with magnitude larger than supported range"
            }
            NumberError::Underflow => {
                "Number underflow. Attempting to store a number with magnitude smaller than supported range"
            }
        })
    }

    /// An empty set (`kind` "string", "number" or "binary"): DynamoDB words a binary set's fault apart
    /// from the others (the double space is DynamoDB's).
    pub fn empty_set(kind: &str) -> Self {
        if kind == "binary" {
            return Self::validation(
                "One or more parameter values were invalid: Binary sets should not be empty",
            );
        }
        Self::validation(format!(
            "One or more parameter values were invalid: An {kind} set  may not be empty"
        ))
    }

    pub fn string_set_duplicates(members: &[&str]) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: Input collection [{}] contains duplicates.",
            members.join(", ")
        ))
    }

    pub fn number_set_duplicates() -> Self {
        Self::validation("Input collection contains duplicates")
    }

    /// `members` as the request gave them (base64); DynamoDB writes no space before "of type".
    pub fn binary_set_duplicates(members: &[&str]) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: Input collection [{}]of type BS contains \
             duplicates.",
            members.join(", ")
        ))
    }

    /// A BatchGetItem or BatchWriteItem whose RequestItems names no table.
    pub fn request_items_empty(operation: &str) -> Self {
        Self::validation(format!(
            "The requestItems parameter is required for {operation}"
        ))
    }

    /// More keys for one table than a BatchGetItem reads (DynamoDB names no value here).
    pub fn batch_get_table_too_many(table: &str, max: usize) -> Self {
        Self::validation(format!(
            "1 validation error detected: Value at 'RequestItems.{table}.member.Keys' failed to satisfy \
             constraint: {}",
            Self::max_length_constraint(max)
        ))
    }

    /// More requests for one table than a BatchWriteItem takes; `echo` is the table's requests as
    /// DynamoDB's Java model prints them.
    pub fn batch_write_table_too_many(table: &str, echo: &str, max: usize) -> Self {
        let value = format!("{{{table}={echo}}}");
        let constraint = format!(
            "Map value must satisfy constraint: [{}, {}]",
            Self::max_length_constraint(max),
            Self::min_length_constraint(1)
        );
        Self::violations(vec![Self::violation(
            Some(&value),
            "requestItems",
            constraint,
        )])
    }

    /// Too many items over all of a batch's tables.
    pub fn batch_get_too_many() -> Self {
        Self::validation("Too many items requested for the BatchGetItem call")
    }

    pub fn batch_write_too_many() -> Self {
        Self::validation("Too many items requested for the BatchWriteItem call")
    }

    pub fn batch_write_list_empty(table: &str) -> Self {
        Self::validation(format!(
            "The batch write request list for a table cannot be null or empty: {table}"
        ))
    }

    pub fn keys_not_a_list() -> Self {
        Self::serialization("Unexpected value type in payload: Keys must be a list")
    }

    /// A key condition with OR, NOT or IN.
    /// A KeyConditionExpression using an operator or function a key condition cannot (OR, NOT, IN,
    /// <>, attribute_exists, attribute_not_exists, attribute_type, contains).
    pub fn key_condition_operator(operator: &str) -> Self {
        Self::validation(format!(
            "Invalid operator used in KeyConditionExpression: {operator}"
        ))
    }

    pub fn key_condition_nested_operations() -> Self {
        Self::validation("KeyConditionExpressions cannot contain nested operations")
    }

    pub fn key_condition_nested_attributes() -> Self {
        Self::validation("KeyConditionExpressions cannot have conditions on nested attributes")
    }

    pub fn key_condition_multiple_names() -> Self {
        Self::validation(
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
        )
    }

    pub fn key_condition_without_key() -> Self {
        Self::validation("Invalid condition in KeyConditionExpression: No key attribute specified")
    }

    pub fn key_condition_twice_on_key() -> Self {
        Self::validation("KeyConditionExpressions must only contain one condition per key")
    }

    /// BETWEEN or begins_with whose first operand is not the key attribute.
    pub fn key_condition_key_not_first(operator: &str) -> Self {
        Self::validation(format!(
            "Invalid condition in KeyConditionExpression: {operator} operator must have the key \
             attribute as its first operand"
        ))
    }

    pub fn key_conditions_count() -> Self {
        Self::validation("Conditions can be of length 1 or 2 only")
    }

    /// A Query's ExclusiveStartKey without the attributes the queried keys need.
    pub fn start_key_incomplete() -> Self {
        Self::validation("The provided starting key is invalid")
    }

    /// A Query's ExclusiveStartKey that is not a valid key of the table, and why.
    pub fn start_key_not_a_key(reason: &ApiError) -> Self {
        Self::validation(format!(
            "The provided starting key is invalid: {}",
            reason.message
        ))
    }

    pub fn start_key_outside_query() -> Self {
        Self::validation(
            "The provided starting key is outside query boundaries based on provided conditions",
        )
    }

    pub fn start_key_outside_sort_condition() -> Self {
        Self::validation("The provided starting key does not match the range key predicate")
    }

    pub fn query_of_one_row_restarted() -> Self {
        Self::validation("The query can return at most one row and cannot be restarted")
    }

    /// A key condition without the partition key, or on an attribute that is not a key.
    pub fn query_missed_key(partition_key: &str) -> Self {
        Self::validation(format!(
            "Query condition missed key schema element: {partition_key}"
        ))
    }

    pub fn key_condition_unsupported() -> Self {
        Self::validation("Query key condition not supported")
    }

    /// A partition key compared with a value of another type.
    pub fn key_condition_type_mismatch() -> Self {
        Self::validation(
            "One or more parameter values were invalid: Condition parameter type does not match schema type",
        )
    }

    pub fn query_needs_key_condition() -> Self {
        Self::validation(
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
        )
    }

    pub fn query_filter_on_key(key: &str) -> Self {
        Self::validation(format!(
            "QueryFilter can only contain non-primary key attributes: Primary key attribute: {key}"
        ))
    }

    pub fn filter_expression_on_key(key: &str) -> Self {
        Self::validation(format!(
            "Filter Expression can only contain non-primary key attributes: Primary key attribute: {key}"
        ))
    }

    /// One of Scan's Segment and TotalSegments without the other.
    pub fn parameter_required_with(member: &str, when: &str) -> Self {
        Self::validation(format!(
            "The {member} parameter is required but was not present in the request when {when}"
        ))
    }

    pub fn segment_not_below_total(segment: i64, total: i64) -> Self {
        Self::validation(format!(
            "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: \
             {segment} is not less than TotalSegments: {total}"
        ))
    }

    /// A Limit below 1: Query's answer names no value and spells the member `Limit`, Scan's does
    /// not (both as DynamoDB answers them).
    pub fn limit_below_one(operation: &str, limit: i64) -> Self {
        let constraint = "Member must have value greater than or equal to 1".to_owned();
        if operation == "Query" {
            return Self::violations(vec![format!(
                "Value at 'Limit' failed to satisfy constraint: {constraint}"
            )]);
        }
        Self::violations(vec![Self::violation(
            Some(&limit.to_string()),
            "limit",
            constraint,
        )])
    }

    /// A projection (`parameter`: AttributesToGet or ProjectionExpression) beside a Select other
    /// than SPECIFIC_ATTRIBUTES.
    pub fn projection_beside_select(parameter: &str, select: &str) -> Self {
        let what = if select == "COUNT" {
            "only the Count"
        } else {
            select
        };
        Self::validation(format!(
            "Cannot specify the {parameter} when choosing to get {what}"
        ))
    }

    pub fn specific_attributes_without_projection() -> Self {
        Self::validation(
            "Must specify the AttributesToGet or ProjectionExpression when choosing to get \
             SPECIFIC_ATTRIBUTES",
        )
    }

    /// DynamoDB's words, "Querying" on a Scan too.
    pub fn all_projected_without_index() -> Self {
        Self::validation(
            "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName",
        )
    }

    pub fn invalid_start_key() -> Self {
        Self::validation(
            "The provided starting key is invalid: The provided key element does not match the schema",
        )
    }

    pub fn start_key_in_other_segment(total: i64, segment: i64) -> Self {
        Self::validation(format!(
            "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use \
             ExclusiveStartKey with correct Segment. TotalSegments: {total} Segment: {segment}"
        ))
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

    pub fn invalid_type_name(kind: ExprKind, name: &str) -> Self {
        Self::expression_invalid(
            kind,
            format_args!(
                "Invalid attribute type name found; type: {name}, valid types: \
                 {{B,NULL,SS,BOOL,L,BS,N,NS,S,M}}"
            ),
        )
    }

    /// A function's operand of a type it does not take (`size(:n)` of a number).
    pub fn function_operand_type(kind: ExprKind, function: &str, type_name: &str) -> Self {
        Self::operand_type(
            kind,
            &format!("operator or function: {function}, operand type: {type_name}"),
        )
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

    /// An ExpressionAttributeNames or ExpressionAttributeValues map given empty.
    pub fn bindings_empty(field: &str) -> Self {
        Self::validation(format!("{field} must not be empty"))
    }

    /// A names key not `#word`, or a values key not `:word`.
    pub fn binding_key_invalid(field: &str, key: &str) -> Self {
        Self::validation(format!(
            "{field} contains invalid key: Syntax error; key: \"{key}\""
        ))
    }

    pub fn attribute_names_not_text() -> Self {
        Self::serialization("ExpressionAttributeNames values must be strings")
    }

    /// An ExpressionAttributeNames value of `max` bytes or more.
    pub fn attribute_name_too_large(key: &str, max: usize) -> Self {
        Self::validation(format!(
            "ExpressionAttributeNames contains invalid value: Attribute name is too large, must \
             be less than {max} bytes for key {key}"
        ))
    }

    /// An expression's `#name` missing from ExpressionAttributeNames.
    pub fn undefined_attribute_name(kind: ExprKind, alias: &str) -> Self {
        Self::expression_invalid(
            kind,
            format_args!(
                "An expression attribute name used in the document path is not defined; attribute \
                 name: {alias}"
            ),
        )
    }

    pub fn paths_overlap(kind: ExprKind, one: &str, two: &str) -> Self {
        Self::two_paths(kind, "overlap", one, two)
    }

    pub fn paths_conflict(kind: ExprKind, one: &str, two: &str) -> Self {
        Self::two_paths(kind, "conflict", one, two)
    }

    fn two_paths(kind: ExprKind, relation: &str, one: &str, two: &str) -> Self {
        Self::expression_invalid(
            kind,
            format_args!(
                "Two document paths {relation} with each other; must remove or rewrite one of these \
                 paths; path one: {one}, path two: {two}"
            ),
        )
    }

    /// A function where it cannot stand: a condition function compared or nested, size() alone.
    pub fn misused_function(kind: ExprKind, name: &str) -> Self {
        Self::expression_invalid(
            kind,
            format_args!(
                "The function is not allowed to be used this way in an expression; function: {name}"
            ),
        )
    }

    /// A document path deeper than DynamoDB's 32 levels (names and list indexes each count).
    pub fn path_too_deep(kind: ExprKind, levels: usize) -> Self {
        Self::expression_invalid(
            kind,
            format_args!("The document path has too many nesting levels; nesting levels: {levels}"),
        )
    }

    /// A list index beyond a 32-bit integer.
    pub fn list_index_out_of_range(kind: ExprKind, index: &str) -> Self {
        Self::expression_invalid(
            kind,
            format_args!("List index is not within the allowable range; index: [{index}]"),
        )
    }

    /// An ExpressionAttributeNames entry naming the empty attribute.
    pub fn empty_attribute_name_for(key: &str) -> Self {
        Self::validation(format!(
            "ExpressionAttributeNames contains invalid value: Empty attribute name for key {key}"
        ))
    }

    /// A function the kind of expression does not take: `size` or a condition function in an update,
    /// `if_not_exists` or `list_append` in a condition or filter.
    pub fn function_not_allowed(kind: ExprKind, name: &str) -> Self {
        let place = if kind == ExprKind::Update {
            "an update"
        } else {
            "a condition"
        };
        Self::expression_invalid(
            kind,
            format_args!("The function is not allowed in {place} expression; function: {name}"),
        )
    }

    /// An IN with more than 100 values to compare with.
    pub fn in_too_many_operands(kind: ExprKind, count: usize) -> Self {
        Self::expression_invalid(
            kind,
            format_args!(
                "The IN operator is provided with too many operands; number of operands: {count}"
            ),
        )
    }

    pub fn operand_count(kind: ExprKind, name: &str, count: usize) -> Self {
        Self::expression_invalid(
            kind,
            format_args!(
                "Incorrect number of operands for operator or function; operator or function: {name}, \
                 number of operands: {count}"
            ),
        )
    }

    pub fn requires_path(kind: ExprKind, name: &str) -> Self {
        Self::expression_invalid(
            kind,
            format_args!(
                "Operator or function requires a document path; operator or function: {name}"
            ),
        )
    }

    /// `a = a`, `contains(a, a)`: `path` as DynamoDB prints it (`[a, b, [1]]`).
    pub fn not_distinct(kind: ExprKind, operator: &str, path: &str) -> Self {
        Self::expression_invalid(
            kind,
            format_args!(
                "The first operand must be distinct from the remaining operands for this operator or \
                 function; operator: {operator}, first operand: {path}"
            ),
        )
    }

    /// A reserved word (`reserved_words.txt`) used as an attribute name, as written.
    pub fn reserved_keyword(kind: ExprKind, word: &str) -> Self {
        Self::expression_invalid(
            kind,
            format_args!("Attribute name is a reserved keyword; reserved keyword: {word}"),
        )
    }

    /// An expression's `:value` missing from ExpressionAttributeValues.
    pub fn undefined_attribute_value(kind: ExprKind, placeholder: &str) -> Self {
        Self::expression_invalid(
            kind,
            format_args!(
                "An expression attribute value used in expression is not defined; attribute value: \
                 {placeholder}"
            ),
        )
    }

    pub fn unused_attribute_names(names: &[String]) -> Self {
        Self::validation(format!(
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {{{}}}",
            names.join(", ")
        ))
    }

    pub fn unused_attribute_values(values: &[String]) -> Self {
        Self::validation(format!(
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {{{}}}",
            values.join(", ")
        ))
    }

    /// ExpressionAttributeValues without an expression (`expression`: the operation's first).
    pub fn values_without_expression(expressions: &[&str]) -> Self {
        let verb = if expressions.len() > 1 { "are" } else { "is" };
        Self::validation(format!(
            "ExpressionAttributeValues can only be specified when using expressions: {} {verb} null",
            expressions.join(" and ")
        ))
    }

    /// ExpressionAttributeNames without any of the operation's expressions.
    pub fn names_without_expression() -> Self {
        Self::validation("ExpressionAttributeNames can only be specified when using expressions")
    }

    /// An update of a path into an attribute the item lacks, or through a value of another type.
    pub fn invalid_update_path() -> Self {
        Self::validation(
            "The document path provided in the update expression is invalid for update",
        )
    }

    /// An update SET from a path the item lacks.
    /// An update operand of the wrong type for its action or function, found against the item.
    pub fn update_operand_wrong_type() -> Self {
        Self::validation("An operand in the update expression has an incorrect data type")
    }

    pub fn update_operand_missing() -> Self {
        Self::validation(
            "The provided expression refers to an attribute that does not exist in the item",
        )
    }

    pub fn mixed_parameters(legacy: &[&str], expressions: &[&str]) -> Self {
        Self::validation(format!(
            "Can not use both expression and non-expression parameters in the same request: Non-expression \
             parameters: {{{}}} Expression parameters: {{{}}}",
            legacy.join(", "),
            expressions.join(", ")
        ))
    }

    /// A legacy ComparisonOperator DynamoDB does not know.
    pub fn legacy_unsupported_operator(operator: &str) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: Unsupported operator: {operator}"
        ))
    }

    /// A legacy comparison with too few or too many values in its AttributeValueList.
    pub fn legacy_argument_count(operator: &str) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: Invalid number of argument(s) for the {operator} \
             ComparisonOperator"
        ))
    }

    /// A key condition with an operator other than EQ, LE, LT, GE, GT, BEGINS_WITH and BETWEEN.
    pub fn not_indexable_operator() -> Self {
        Self::validation("Attempted conditional constraint is not an indexable operation")
    }

    pub fn legacy_values_of_one_type() -> Self {
        Self::validation(
            "One or more parameter values were invalid: AttributeValues inside AttributeValueList must \
             be of same type",
        )
    }

    pub fn legacy_operator_type(operator: &str, type_name: &str) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: ComparisonOperator {operator} is not valid for \
             {type_name} AttributeValue type"
        ))
    }

    pub fn conditional_operator(operator: &str) -> Self {
        Self::validation(format!(
            "1 validation error detected: Value '{operator}' at 'conditionalOperator' failed to satisfy \
             constraint: Member must satisfy enum value set: [OR, AND]"
        ))
    }

    /// An `Expected` entry with both Exists and ComparisonOperator.
    pub fn exists_with_operator(attribute: &str) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: Exists and ComparisonOperator cannot be used together \
             for Attribute: {attribute}"
        ))
    }

    pub fn value_with_exists_false(attribute: &str) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: Value cannot be used when Exists is false for \
             Attribute: {attribute}"
        ))
    }

    /// An Expected entry without a Value, whose Exists is `exists` ("true", or "null" when not given).
    pub fn value_missing_with_exists(attribute: &str, exists: &str) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: Value must be provided when Exists is {exists} \
             for Attribute: {attribute}"
        ))
    }

    pub fn value_with_value_list(attribute: &str) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: Value and AttributeValueList cannot be used \
             together for Attribute: {attribute}"
        ))
    }

    pub fn operator_without_values(operator: &str, attribute: &str) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: Value or AttributeValueList must be used with \
             ComparisonOperator: {operator} for Attribute: {attribute}"
        ))
    }

    pub fn value_list_without_operator(attribute: &str) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: AttributeValueList can only be used with a \
             ComparisonOperator for Attribute: {attribute}"
        ))
    }

    /// An AttributeUpdates PUT without a Value.
    /// An UpdateExpression's ADD of other than a number or set, or DELETE of other than a set.
    pub fn update_operand_type(action: &str, type_name: &str) -> Self {
        Self::expression_invalid(
            ExprKind::Update,
            format_args!(
                "Incorrect operand type for operator or function; operator: {action}, operand type: {}, \
                 typeSet: ALLOWED_FOR_{action}_OPERAND",
                spelled_type(type_name)
            ),
        )
    }

    /// An AttributeUpdates PUT or ADD without a Value.
    pub fn put_without_value() -> Self {
        Self::validation(
            "One or more parameter values were invalid: Only DELETE action is allowed when no attribute value \
             is specified",
        )
    }

    /// An AttributeUpdates DELETE with a Value that is not a set; `type_name` is the value's (S, N...).
    pub fn delete_value_not_set(type_name: &str) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: DELETE action with value is not supported for the type \
             {}",
            spelled_type(type_name)
        ))
    }

    /// An AttributeUpdates ADD of a value that is not a number or a set.
    pub fn add_unsupported(type_name: &str) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: ADD action is not supported for the type {}",
            spelled_type(type_name)
        ))
    }

    pub fn attribute_update_action(attribute: &str, action: &str) -> Self {
        Self::validation(format!(
            "1 validation error detected: Value '{action}' at 'attributeUpdates.{attribute}.member.action' \
             failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]"
        ))
    }

    pub fn attributes_to_get_not_text() -> Self {
        Self::serialization("AttributesToGet members must be strings")
    }

    /// An attribute named twice in AttributesToGet.
    pub fn duplicate_attribute_name(attribute: &str) -> Self {
        Self::validation(format!(
            "One or more parameter values were invalid: Duplicate value in attribute name: {attribute}"
        ))
    }

    pub fn return_values() -> Self {
        Self::validation("Return values set to invalid value")
    }

    pub fn return_consumed_capacity(value: &str) -> Self {
        Self::validation(format!(
            "1 validation error detected: Value '{value}' at 'returnConsumedCapacity' failed to satisfy \
             constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"
        ))
    }

    pub fn return_values_on_condition_check_failure(value: &str) -> Self {
        Self::validation(format!(
            "1 validation error detected: Value '{value}' at 'returnValuesOnConditionCheckFailure' failed to \
             satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]"
        ))
    }

    pub fn tag_keys_not_text() -> Self {
        Self::serialization("TagKeys must be strings")
    }

    // ddbload's fault injection (the DdbloadAdmin API), and the errors it injects.

    pub fn fault_unknown_member(member: &str) -> Self {
        Self::validation(format!("InjectFault: unknown member {member}"))
    }

    pub fn fault_unknown_error(codes: &[&str]) -> Self {
        Self::validation(format!(
            "InjectFault: Error must be one of {}",
            codes.join(", ")
        ))
    }

    /// A fault's Reason without a throttling Error, or not a ThrottlingReason.
    pub fn fault_reason() -> Self {
        Self::validation(
            "InjectFault: Reason goes with Error ProvisionedThroughputExceededException or \
             ThrottlingException and is a ThrottlingReason such as TableWriteKeyRangeThroughputExceeded",
        )
    }

    pub fn fault_partition() -> Self {
        Self::validation(
            "InjectFault: Partition is PART/OF such as 1/4 (OF at most 1000), with a TableName",
        )
    }

    pub fn fault_rate() -> Self {
        Self::validation("InjectFault: Rate must be above 0 and at most 1")
    }

    /// A fault that would do nothing: no Error, LatencyMs or Pause.
    pub fn fault_without_effect() -> Self {
        Self::validation("InjectFault: give Error, LatencyMs or Pause")
    }

    pub fn fault_seconds() -> Self {
        Self::validation("InjectFault: Seconds must be above 0")
    }

    /// The error a fault answers with: DynamoDB's `code`, with its HTTP `status`.
    pub fn injected_fault(code: &str, status: u16) -> Self {
        Self {
            status,
            ..Self::dynamodb(code, "injected by ddbload's fault injection")
        }
    }

    // Application Auto Scaling's errors (JSON 1.1: a bare type name).

    fn autoscaling(kind: &str, message: impl Into<String>) -> Self {
        Self::new(kind.to_owned(), message)
    }

    fn autoscaling_validation(message: impl Into<String>) -> Self {
        Self::autoscaling("ValidationException", message)
    }

    pub fn autoscaling_body_not_json(error: impl std::fmt::Display) -> Self {
        Self::autoscaling(
            "SerializationException",
            format!("the request body is not JSON: {error}"),
        )
    }

    pub fn autoscaling_body_not_object() -> Self {
        Self::autoscaling(
            "SerializationException",
            "the request body must be a JSON object",
        )
    }

    pub fn autoscaling_unknown_operation(operation: &str) -> Self {
        Self::autoscaling(
            "UnknownOperationException",
            format!("The ddbload emulator does not support the Application Auto Scaling operation {operation}"),
        )
    }

    pub fn autoscaling_missing(field: &str) -> Self {
        Self::autoscaling_validation(format!(
            "1 validation error detected: Value null at '{field}' failed to satisfy constraint: Member must not be null"
        ))
    }

    pub fn autoscaling_namespace(namespace: &str) -> Self {
        Self::autoscaling_validation(format!(
            "The ddbload emulator scales only the dynamodb namespace, not {namespace}"
        ))
    }

    pub fn autoscaling_dimension(dimension: &str) -> Self {
        Self::autoscaling_validation(format!("Unsupported scalable dimension: {dimension}"))
    }

    pub fn autoscaling_resource_id(resource: &str) -> Self {
        Self::autoscaling_validation(format!("Unsupported resource ID: {resource}"))
    }

    /// A table's dimension for an index's resource ID, or the other way round.
    pub fn autoscaling_dimension_mismatch(dimension: &str, resource: &str) -> Self {
        Self::autoscaling_validation(format!(
            "Scalable dimension {dimension} does not match resource ID {resource}"
        ))
    }

    pub fn autoscaling_no_such_resource(resource: &str) -> Self {
        Self::autoscaling_validation(format!("DynamoDB table or index {resource} does not exist"))
    }

    pub fn autoscaling_count(field: &str) -> Self {
        Self::autoscaling_validation(format!("{field} must be a whole number of at least 1"))
    }

    /// A new scalable target without MinCapacity or MaxCapacity.
    pub fn autoscaling_capacity_required() -> Self {
        Self::autoscaling_validation(
            "MinCapacity and MaxCapacity are required when registering a new scalable target",
        )
    }

    pub fn autoscaling_min_over_max(min: i64, max: i64) -> Self {
        Self::autoscaling_validation(format!(
            "Minimum capacity cannot be larger than maximum capacity (min {min}, max {max})"
        ))
    }

    /// A PolicyType other than TargetTrackingScaling (`policy_type` as given, if any).
    pub fn autoscaling_policy_type(policy_type: Option<&str>) -> Self {
        Self::autoscaling_validation(format!(
            "The ddbload emulator supports only TargetTrackingScaling policies, not {policy_type:?}"
        ))
    }

    pub fn autoscaling_configuration_required() -> Self {
        Self::autoscaling_validation("TargetTrackingScalingPolicyConfiguration is required")
    }

    pub fn autoscaling_target_value_required() -> Self {
        Self::autoscaling_validation("TargetValue is required")
    }

    pub fn autoscaling_target_value(target: f64) -> Self {
        Self::autoscaling_validation(format!(
            "TargetValue for DynamoDB must be between 20 and 90 (percent), got {target}"
        ))
    }

    /// A predefined metric other than the dimension's (`expected`), e.g. a write metric for reads.
    pub fn autoscaling_metric(expected: &str, dimension: &str, metric: &str) -> Self {
        Self::autoscaling_validation(format!(
            "The ddbload emulator supports the predefined metric {expected} for {dimension}, not {metric:?}"
        ))
    }

    pub fn autoscaling_target_not_registered(resource: &str, dimension: &str) -> Self {
        Self::autoscaling(
            "ObjectNotFoundException",
            format!(
                "No scalable target registered for service namespace: dynamodb, resource ID: {resource}, scalable \
                 dimension: {dimension}"
            ),
        )
    }

    pub fn autoscaling_policy_not_found(resource: &str, dimension: &str, policy: &str) -> Self {
        Self::autoscaling(
            "ObjectNotFoundException",
            format!(
                "No scaling policy found for service namespace: dynamodb, resource ID: {resource}, scalable \
                 dimension: {dimension}: {policy}"
            ),
        )
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
        let mut body = json!({ "__type": self.kind });
        // A few of DynamoDB's errors carry no message at all.
        if !self.message.is_empty() {
            body[key] = json!(self.message);
        }
        for (key, value) in &self.extra {
            body[*key] = value.clone();
        }
        body
    }
}

/// An AttributeValue type as DynamoDB spells it in AttributeUpdates' messages (S is STRING).
fn spelled_type(type_name: &str) -> &'static str {
    match type_name {
        "S" => "STRING",
        "N" => "NUMBER",
        "B" => "BINARY",
        "BOOL" => "BOOLEAN",
        "M" => "MAP",
        "L" => "LIST",
        "SS" => "STRING_SET",
        "NS" => "NUMBER_SET",
        "BS" => "BINARY_SET",
        _ => "NULL",
    }
}
