//! Retrying an admin call while DynamoDB throttles it: cleanup must finish on a 2-RCU/2-WCU table,
//! however long that takes, so a throttle is waited out with capped exponential backoff, never
//! given up on.

use std::future::Future;
use std::time::Duration;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

use crate::workload::classify::THROTTLE_CODES;

const FIRST_WAIT: Duration = Duration::from_millis(50);
// Long enough to let a 1-unit table refill, short enough that the caller sees progress.
const LONGEST_WAIT: Duration = Duration::from_secs(2);

/// Sends `request()` until it is answered with anything but a throttle; `on_throttle` is called
/// for every throttled attempt.
pub async fn until_not_throttled<T, E, F, Fut>(
    mut request: F,
    mut on_throttle: impl FnMut(),
) -> Result<T, SdkError<E>>
where
    E: ProvideErrorMetadata,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E>>>,
{
    let mut wait = FIRST_WAIT;
    loop {
        match request().await {
            Err(err) if is_throttle(&err) => {
                on_throttle();
                // Full jitter: requests throttled together do not come back together.
                let jittered = wait.mul_f64(rand::random::<f64>().max(0.1));
                tokio::time::sleep(jittered).await;
                wait = (wait * 2).min(LONGEST_WAIT);
            }
            answer => return answer,
        }
    }
}

fn is_throttle<E: ProvideErrorMetadata>(err: &SdkError<E>) -> bool {
    matches!(err, SdkError::ServiceError(_))
        && err
            .code()
            .is_some_and(|code| THROTTLE_CODES.contains(&code))
}
