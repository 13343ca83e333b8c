//! Sorts a DynamoDB error into what the load test does next: count a throttle and retry, retry a
//! transient fault, or record a final error by its code.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::batch_get_item::BatchGetItemError;
use aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemError;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::get_item::GetItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::query::QueryError;
use aws_sdk_dynamodb::operation::scan::ScanError;
use aws_sdk_dynamodb::operation::transact_get_items::TransactGetItemsError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::ThrottlingReason;

/// The outcome of one attempt (one HTTP request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptResult {
    Ok,
    /// A GetItem found no item under its key (a replay counts these apart from the items found).
    NotFound,
    /// A page of a multi-page operation (a workload file's Query with `pages`) came back with more to
    /// read: the request now asks for the next page, sent at once (not a retry).
    NextPage,
    /// Throttled by DynamoDB: the error code (ProvisionedThroughputExceededException, ...) and, where
    /// DynamoDB said why, its first ThrottlingReason.
    Throttled {
        code: String,
        cause: Option<ThrottleCause>,
    },
    /// A condition refused the write: the order key already exists. Never retried.
    ConditionalFailed,
    /// A fault worth another attempt (5xx, timeout, transaction conflict, lost connection).
    Retryable(String),
    /// A final error (validation, access denied, ...). Never retried.
    Failed(String),
}

/// Why DynamoDB throttled a request: the API reference's ThrottlingReason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleCause {
    /// "TableReadKeyRangeThroughputExceeded", "IndexWriteProvisionedThroughputExceeded", ...
    pub reason: String,
    /// The table or index it names, by name: "Orders" or "Orders/index/by_status".
    pub resource: Option<String>,
    /// For a cancelled transaction, the first action that was throttled (its CancellationReasons
    /// index); the workload, which built the actions, names its table.
    pub transaction_action: Option<usize>,
}

impl ThrottleCause {
    pub fn new(reason: &str, resource_arn: Option<&str>) -> Self {
        Self {
            reason: reason.to_owned(),
            resource: resource_arn.map(resource_name),
            transaction_action: None,
        }
    }
}

/// "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/index/by_status" -> "Orders/index/by_status".
pub fn resource_name(arn: &str) -> String {
    match arn.split_once(":table/") {
        Some((_, name)) => name.to_owned(),
        None => arn.to_owned(),
    }
}

impl AttemptResult {
    pub fn throttled(code: &str) -> Self {
        Self::Throttled {
            code: code.to_owned(),
            cause: None,
        }
    }

    /// A throttle as results count it: DynamoDB's ThrottlingReason (else the error code), and the
    /// table or index it named.
    pub fn throttle(&self) -> Option<(&str, Option<&str>)> {
        match self {
            Self::Throttled { code, cause } => Some((
                cause.as_ref().map_or(code.as_str(), |c| c.reason.as_str()),
                cause.as_ref().and_then(|c| c.resource.as_deref()),
            )),
            _ => None,
        }
    }
}

/// Operation errors that may carry ThrottlingReasons (the API reference's ThrottlingReason).
pub trait ThrottleDetail {
    fn throttle_cause(&self) -> Option<ThrottleCause>;
}

fn first_cause(reasons: &[ThrottlingReason]) -> Option<ThrottleCause> {
    let first = reasons.first()?;
    Some(ThrottleCause::new(first.reason()?, first.resource()))
}

macro_rules! throttle_detail {
    ($($error:ty),*) => {$(
        impl ThrottleDetail for $error {
            fn throttle_cause(&self) -> Option<ThrottleCause> {
                match self {
                    Self::ProvisionedThroughputExceededException(e) => first_cause(e.throttling_reasons()),
                    Self::ThrottlingException(e) => first_cause(e.throttling_reasons()),
                    Self::RequestLimitExceeded(e) => first_cause(e.throttling_reasons()),
                    _ => None,
                }
            }
        }
    )*};
}

throttle_detail!(
    GetItemError,
    PutItemError,
    UpdateItemError,
    DeleteItemError,
    QueryError,
    ScanError,
    BatchGetItemError,
    BatchWriteItemError,
    TransactWriteItemsError,
    TransactGetItemsError
);

/// Throttling error codes, from the DynamoDB API reference's "Common errors" and each operation's errors.
pub const THROTTLE_CODES: [&str; 3] = [
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
];

/// Classifies a service error by its code and HTTP status.
pub fn classify_code(code: &str, status: u16) -> AttemptResult {
    if THROTTLE_CODES.contains(&code) {
        AttemptResult::throttled(code)
    } else if code == "ConditionalCheckFailedException" {
        AttemptResult::ConditionalFailed
    } else if matches!(
        code,
        "InternalServerError"
            | "ServiceUnavailable"
            | "TransactionConflictException"
            | "TransactionInProgressException"
    ) || status >= 500
    {
        AttemptResult::Retryable(code.to_owned())
    } else {
        AttemptResult::Failed(code.to_owned())
    }
}

/// Classifies an operation's SDK error, keeping DynamoDB's throttling reason when it gave one.
pub fn classify<E: ProvideErrorMetadata + ThrottleDetail>(err: &SdkError<E>) -> AttemptResult {
    match err {
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            match classify_code(err.code().unwrap_or("UnknownServiceError"), status) {
                AttemptResult::Throttled { code, .. } => AttemptResult::Throttled {
                    code,
                    cause: service.err().throttle_cause(),
                },
                other => other,
            }
        }
        SdkError::TimeoutError(_) => AttemptResult::Retryable("Timeout".into()),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => {
            AttemptResult::Retryable("Timeout".into())
        }
        SdkError::DispatchFailure(_) => AttemptResult::Retryable("ConnectionError".into()),
        SdkError::ResponseError(_) => AttemptResult::Retryable("ResponseError".into()),
        _ => AttemptResult::Failed("RequestNotSent".into()),
    }
}

/// Transactions report why they were cancelled per action; the order Put is action 0.
pub fn classify_transact(err: &SdkError<TransactWriteItemsError>) -> AttemptResult {
    let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
        err.as_service_error()
    else {
        return classify(err);
    };
    classify_cancellation_reasons(cancelled.cancellation_reasons())
}

/// A cancelled transaction (write or read), by its actions' CancellationReasons.
pub fn classify_cancellation_reasons(
    reasons: &[aws_sdk_dynamodb::types::CancellationReason],
) -> AttemptResult {
    let codes: Vec<&str> = reasons.iter().map(|r| r.code().unwrap_or("None")).collect();
    classify_cancellation(&codes)
}

pub fn classify_cancellation(codes: &[&str]) -> AttemptResult {
    let throttled = codes
        .iter()
        .position(|c| *c == "ThrottlingError" || *c == "ProvisionedThroughputExceeded");
    if let Some(action) = throttled {
        const CODE: &str = "TransactionCanceled/ThrottlingError";
        AttemptResult::Throttled {
            code: CODE.into(),
            cause: Some(ThrottleCause {
                reason: CODE.into(),
                resource: None,
                transaction_action: Some(action),
            }),
        }
    } else if codes.contains(&"TransactionConflict") {
        AttemptResult::Retryable("TransactionCanceled/TransactionConflict".into())
    } else if codes.first() == Some(&"ConditionalCheckFailed") {
        AttemptResult::ConditionalFailed
    } else if codes.contains(&"ConditionalCheckFailed") {
        AttemptResult::Failed("TransactionCanceled/InsufficientStock".into())
    } else {
        let first = codes.iter().find(|c| **c != "None").unwrap_or(&"Unknown");
        AttemptResult::Failed(format!("TransactionCanceled/{first}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_actions() {
        for code in THROTTLE_CODES {
            assert_eq!(classify_code(code, 400), AttemptResult::throttled(code));
        }
        assert_eq!(
            classify_code("ConditionalCheckFailedException", 400),
            AttemptResult::ConditionalFailed
        );
        assert!(matches!(
            classify_code("InternalServerError", 500),
            AttemptResult::Retryable(_)
        ));
        assert!(matches!(
            classify_code("Whatever", 503),
            AttemptResult::Retryable(_)
        ));
        assert_eq!(
            classify_code("ValidationException", 400),
            AttemptResult::Failed("ValidationException".into())
        );
    }

    #[test]
    fn a_throttle_names_its_table_or_index() {
        let arn = "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/index/by_status";
        assert_eq!(resource_name(arn), "Orders/index/by_status");
        assert_eq!(
            resource_name("arn:aws:dynamodb:us-east-1:1:table/Orders"),
            "Orders"
        );
    }

    #[test]
    fn transaction_cancellations_name_their_cause() {
        assert!(matches!(
            classify_cancellation(&["None", "None", "ThrottlingError"]),
            AttemptResult::Throttled {
                cause: Some(ThrottleCause {
                    transaction_action: Some(2),
                    ..
                }),
                ..
            }
        ));
        assert_eq!(
            classify_cancellation(&["ConditionalCheckFailed", "None"]),
            AttemptResult::ConditionalFailed
        );
        assert_eq!(
            classify_cancellation(&["None", "ConditionalCheckFailed"]),
            AttemptResult::Failed("TransactionCanceled/InsufficientStock".into())
        );
        assert!(matches!(
            classify_cancellation(&["TransactionConflict", "None"]),
            AttemptResult::Retryable(_)
        ));
    }
}
