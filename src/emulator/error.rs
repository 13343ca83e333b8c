//! Errors the emulator answers with: DynamoDB's error type names, HTTP status and message, plus the
//! extra fields some carry (ThrottlingReasons, CancellationReasons).

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

    pub fn not_found(table: &str) -> Self {
        Self::dynamodb(
            "ResourceNotFoundException",
            format!("Requested resource not found: Table: {table} not found"),
        )
    }

    pub fn conditional() -> Self {
        Self::dynamodb(
            "ConditionalCheckFailedException",
            "The conditional request failed",
        )
    }

    /// A throttle: `reason` is ResourceType+OperationType+LimitType, e.g.
    /// "TableReadProvisionedThroughputExceeded" (API reference, ThrottlingReason).
    pub fn throttled(reason: &str, resource_arn: &str) -> Self {
        let mut err = Self::dynamodb(
            "ProvisionedThroughputExceededException",
            "The level of configured provisioned throughput for the table was exceeded. Consider increasing \
             your provisioning level with the UpdateTable API.",
        );
        err.extra.push((
            "ThrottlingReasons",
            json!([{ "reason": reason, "resource": resource_arn }]),
        ));
        err
    }

    pub fn code(&self) -> &str {
        self.kind.rsplit('#').next().unwrap_or(&self.kind)
    }

    pub fn to_json(&self) -> Value {
        let mut body = json!({ "__type": self.kind, "message": self.message });
        for (key, value) in &self.extra {
            body[*key] = value.clone();
        }
        body
    }
}
