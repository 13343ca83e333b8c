//! The data-plane fast path (`--client fast`): the hot operations signed with aws-sigv4 (the SDK's own
//! signing crate) and sent through the SDK's own HTTP connector (TLS, pool, connect timeout), skipping
//! the SDK's per-request orchestration. Answers are read with DynamoDB's error and throttling semantics
//! (see `wire` and `workload::classify`); everything else stays on the SDK.

pub(crate) mod credentials;
pub mod wire;

use std::sync::Arc;
use std::time::SystemTime;

use aws_config::SdkConfig;
use aws_sdk_dynamodb::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
use aws_smithy_http_client::Connector;
use aws_smithy_runtime_api::client::http::{HttpConnector, HttpConnectorSettings};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use aws_types::service_config::ServiceConfigKey;
use bytes::Bytes;

use crate::connection::{ATTEMPT_TIMEOUT, CONNECT_TIMEOUT};
use crate::workload::classify::{
    classify_cancellation, classify_code, AttemptResult, ThrottleCause,
};
use credentials::CredentialCache;
use wire::{error_code, Answer, ErrorAnswer};

const USER_AGENT: &str = concat!("ddbload/", env!("CARGO_PKG_VERSION"), " fast-path");

/// The operations the fast path sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    GetItem,
    PutItem,
    BatchGetItem,
    TransactWriteItems,
    UpdateItem,
    DeleteItem,
    Query,
    BatchWriteItem,
    Scan,
    TransactGetItems,
}

impl Operation {
    fn target(self) -> &'static str {
        match self {
            Self::GetItem => "DynamoDB_20120810.GetItem",
            Self::PutItem => "DynamoDB_20120810.PutItem",
            Self::BatchGetItem => "DynamoDB_20120810.BatchGetItem",
            Self::TransactWriteItems => "DynamoDB_20120810.TransactWriteItems",
            Self::UpdateItem => "DynamoDB_20120810.UpdateItem",
            Self::DeleteItem => "DynamoDB_20120810.DeleteItem",
            Self::Query => "DynamoDB_20120810.Query",
            Self::BatchWriteItem => "DynamoDB_20120810.BatchWriteItem",
            Self::Scan => "DynamoDB_20120810.Scan",
            Self::TransactGetItems => "DynamoDB_20120810.TransactGetItems",
        }
    }
}

/// What every engine thread's fast path shares: where requests go and one credential cache.
pub struct FastPath {
    uri: String,
    host: String,
    region: String,
    credentials: CredentialCache,
}

impl FastPath {
    /// The fast path for the SDK configuration's region, endpoint and credentials, sending where the
    /// SDK's DynamoDB client would (its endpoint rules, FIPS and dual-stack included), or None where
    /// that cannot be worked out: then the SDK sends everything.
    pub async fn new(sdk: &SdkConfig) -> Option<Arc<Self>> {
        let region = sdk.region()?.to_string();
        let provider = sdk.credentials_provider()?;
        let params = Params::builder()
            .region(region.clone())
            .use_fips(sdk.use_fips().unwrap_or(false))
            .use_dual_stack(sdk.use_dual_stack().unwrap_or(false))
            .set_endpoint(configured_endpoint(sdk))
            .build()
            .ok()?;
        let resolved = DefaultResolver::new()
            .resolve_endpoint(&params)
            .await
            .ok()?;
        let uri = resolved.url().to_owned();
        let host = uri.parse::<http::Uri>().ok()?.authority()?.to_string();
        Some(Arc::new(Self {
            uri,
            host,
            region,
            credentials: CredentialCache::new(provider),
        }))
    }
}

/// The endpoint URL aws-sdk-dynamodb's client is configured with from the same SdkConfig: one set in
/// code wins, then `AWS_ENDPOINT_URL_DYNAMODB` or the profile's `dynamodb` `endpoint_url`, then
/// `AWS_ENDPOINT_URL` (the order of `Config::from(&SdkConfig)`).
fn configured_endpoint(sdk: &SdkConfig) -> Option<String> {
    let global = || sdk.endpoint_url().map(str::to_owned);
    if sdk.get_origin("endpoint_url").is_client_config() {
        return global();
    }
    let key = ServiceConfigKey::builder()
        .service_id("DynamoDB")
        .env("AWS_ENDPOINT_URL")
        .profile("endpoint_url")
        .build()
        .expect("service id, env and profile are set");
    sdk.service_config()
        .and_then(|config| config.load_config(key))
        .or_else(global)
}

/// One engine thread's fast-path client: its own connection pool (connections live on the runtime
/// that drives them).
pub struct FastClient {
    connector: Connector,
    path: Arc<FastPath>,
}

/// One attempt's answer (or why there is none to use) and its request ID.
pub struct Sent {
    pub answer: Result<Answer, AttemptResult>,
    pub request_id: Option<String>,
}

impl Sent {
    fn unanswered(result: AttemptResult) -> Self {
        Self {
            answer: Err(result),
            request_id: None,
        }
    }
}

impl FastClient {
    pub fn new(path: Arc<FastPath>) -> Self {
        let connector = Connector::builder()
            .connector_settings(
                HttpConnectorSettings::builder()
                    .connect_timeout(CONNECT_TIMEOUT)
                    .build(),
            )
            .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
            .build();
        Self { connector, path }
    }

    /// Sends one attempt: the answer on success, else how the load test treats the failure; and
    /// DynamoDB's request ID when the response had one.
    pub async fn send(&self, operation: Operation, body: Vec<u8>) -> Sent {
        let request = match self.signed(operation, body).await {
            Ok(request) => request,
            Err(failed) => return Sent::unanswered(failed),
        };
        let answered = tokio::time::timeout(ATTEMPT_TIMEOUT, async {
            let response = match self.connector.call(request).await {
                Ok(response) => response,
                Err(err) => {
                    let code = if err.is_timeout() {
                        "Timeout"
                    } else {
                        "ConnectionError"
                    };
                    return Sent::unanswered(AttemptResult::Retryable(code.into()));
                }
            };
            let request_id = response
                .headers()
                .get("x-amzn-requestid")
                .map(str::to_owned);
            Sent {
                answer: read_answer(operation, response).await,
                request_id,
            }
        })
        .await;
        answered.unwrap_or_else(|_| Sent::unanswered(AttemptResult::Retryable("Timeout".into())))
    }

    async fn signed(
        &self,
        operation: Operation,
        body: Vec<u8>,
    ) -> Result<HttpRequest, AttemptResult> {
        let path = &*self.path;
        let identity = path
            .credentials
            .identity()
            .await
            .map_err(|_| AttemptResult::Failed("RequestNotSent".into()))?;
        let target = operation.target();
        let length = body.len().to_string();
        let headers = [
            ("content-type", "application/x-amz-json-1.0"),
            ("content-length", length.as_str()),
            ("host", path.host.as_str()),
            ("x-amz-target", target),
        ];
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&path.region)
            .name("dynamodb")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .expect("identity, region, name, time and settings are set")
            .into();
        let signable = SignableRequest::new(
            "POST",
            &path.uri,
            headers.iter().copied(),
            SignableBody::Bytes(&body),
        )
        .map_err(|_| AttemptResult::Failed("RequestNotSent".into()))?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|_| AttemptResult::Failed("RequestNotSent".into()))?
            .into_parts();
        let mut request = HttpRequest::new(SdkBody::from(Bytes::from(body)));
        request.set_method("POST").expect("POST is a method");
        request
            .set_uri(path.uri.as_str())
            .expect("the endpoint parsed as a URI when the client was built");
        let out = request.headers_mut();
        for (name, value) in headers {
            out.insert(name, value.to_owned());
        }
        out.insert("user-agent", USER_AGENT);
        let (signing_headers, _) = instructions.into_parts();
        for header in signing_headers {
            out.insert(header.name(), header.value().to_owned());
        }
        Ok(request)
    }
}

/// The largest answer read: DynamoDB's largest (BatchGetItem, 16 MB) and room for its JSON. A larger
/// or endless body is a failed attempt, not memory spent.
const MAX_ANSWER_BYTES: usize = 17 * 1024 * 1024;

/// A response body, read chunk by chunk and refused once it passes `limit` bytes.
async fn read_bounded(body: SdkBody, limit: usize) -> Result<Bytes, AttemptResult> {
    let mut stream = ByteStream::new(body);
    let mut read = bytes::BytesMut::new();
    while let Some(chunk) = stream
        .try_next()
        .await
        .map_err(|_| AttemptResult::Retryable("ResponseError".into()))?
    {
        if read.len() + chunk.len() > limit {
            return Err(AttemptResult::Failed("ResponseTooLarge".into()));
        }
        read.extend_from_slice(&chunk);
    }
    Ok(read.freeze())
}

async fn read_answer(
    operation: Operation,
    response: HttpResponse,
) -> Result<Answer, AttemptResult> {
    let status = response.status().as_u16();
    let error_header = response
        .headers()
        .get("x-amzn-errortype")
        .map(str::to_owned);
    let body = read_bounded(response.into_body(), MAX_ANSWER_BYTES).await?;
    if (200..300).contains(&status) {
        return serde_json::from_slice(&body)
            .map_err(|_| AttemptResult::Retryable("ResponseError".into()));
    }
    let error: ErrorAnswer = serde_json::from_slice(&body).unwrap_or_default();
    let code =
        error_code(error_header.as_deref(), &error).unwrap_or_else(|| "UnknownServiceError".into());
    let transaction = matches!(
        operation,
        Operation::TransactWriteItems | Operation::TransactGetItems
    );
    if transaction && code == "TransactionCanceledException" {
        let codes: Vec<&str> = error
            .cancellation_reasons
            .iter()
            .map(|r| r.code.as_deref().unwrap_or("None"))
            .collect();
        return Err(classify_cancellation(&codes));
    }
    Err(match classify_code(&code, status) {
        AttemptResult::Throttled { code, .. } => AttemptResult::Throttled {
            code,
            cause: error.throttling_reasons.first().and_then(|r| {
                Some(ThrottleCause::new(
                    r.reason.as_deref()?,
                    r.resource.as_deref(),
                ))
            }),
        },
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_answer_past_the_limit_is_a_failed_attempt_not_memory() {
        let big = SdkBody::from(vec![b' '; 4096]);
        assert!(matches!(
            read_bounded(big, 4095).await,
            Err(AttemptResult::Failed(code)) if code == "ResponseTooLarge"
        ));
        let fits = SdkBody::from(vec![b'{', b'}']);
        assert_eq!(read_bounded(fits, 2).await.unwrap().as_ref(), b"{}");
    }
}
