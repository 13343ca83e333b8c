//! Admin operations beside load runs: capacity settings (show, change), auto scaling, sampling a table
//! for `workload init`, cleanup of generated orders, the Price List API for `cost --prices live`, and
//! CloudWatch (GetMetricData for DynamoDB's own view of a run, PutMetricData and alarms for
//! `--cloudwatch-metrics`).

pub mod alarms;
pub mod autoscaling;
pub mod cleanup;
pub mod metric_data;
pub mod prices;
pub mod sample;
pub mod throttle_retry;

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::error::{root_cause, EngineError};

/// An SDK call's failure as one line: `api` ("pricing:GetProducts") and `service` ("the AWS Price List
/// API") name what was asked, `endpoint` where.
pub fn sdk_failure<E, R>(
    err: SdkError<E, R>,
    api: &str,
    service: &str,
    endpoint: &str,
) -> EngineError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    match &err {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => EngineError::Endpoint(format!(
            "cannot reach {service} at {endpoint}: {}",
            root_cause(&err, 200)
        )),
        SdkError::ServiceError(_) => match err.code() {
            Some(code) => EngineError::Aws(format!(
                "{api}: {code}: {}",
                err.message().unwrap_or_default()
            )),
            // DynamoDB Local, asked for CloudWatch, answers an error that names nothing.
            None => EngineError::Endpoint(format!(
                "{endpoint} does not answer {api}: its error names no code (it does not speak {service}'s API)"
            )),
        },
        _ => EngineError::Endpoint(format!(
            "unexpected answer from {service} at {endpoint}: {}",
            root_cause(&err, 200)
        )),
    }
}
