//! What the endpoint answers around the API, as DynamoDB's endpoint does: the GET health check, CORS
//! (a browser's preflight, and the allowed origin on every answer to a request that names one), and
//! 404 for other methods.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Response, StatusCode};

/// Header names every call reads or every answer carries, parsed once (a name given as a string is
/// parsed again on each use).
pub const TARGET: HeaderName = HeaderName::from_static("x-amz-target");
pub const AMZ_DATE: HeaderName = HeaderName::from_static("x-amz-date");
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-amzn-requestid");
pub const CRC32: HeaderName = HeaderName::from_static("x-amz-crc32");

/// How long a browser may keep a preflight's answer, as DynamoDB says (two days).
const PREFLIGHT_MAX_AGE: &str = "172800";
/// DynamoDB's body for a method it does not serve.
const UNKNOWN_OPERATION: &str = "<UnknownOperationException/>\n";

/// The answer to a request that is no API call (None: an API call, to dispatch).
pub fn answer(
    method: &Method,
    headers: &HeaderMap,
    region: &str,
    id: u64,
) -> Option<Response<Full<Bytes>>> {
    match *method {
        Method::POST => None,
        Method::GET => Some(plain(
            StatusCode::OK,
            &format!("healthy: dynamodb.{region}.amazonaws.com "),
            id,
        )),
        Method::OPTIONS if headers.contains_key("origin") => Some(preflight(headers, id)),
        _ => Some(plain(StatusCode::NOT_FOUND, UNKNOWN_OPERATION, id)),
    }
}

/// DynamoDB's answer to a call whose body is in another content type than JSON: no operation (404).
pub fn no_operation(id: u64) -> Response<Full<Bytes>> {
    plain(StatusCode::NOT_FOUND, UNKNOWN_OPERATION, id)
}

/// Adds CORS's allowed origin when the request named an origin (any origin is allowed).
pub fn allow_origin(response: &mut Response<Full<Bytes>>, request_had_origin: bool) {
    if request_had_origin {
        response
            .headers_mut()
            .insert("access-control-allow-origin", HeaderValue::from_static("*"));
    }
}

/// The x-amz-crc32 header of a body: DynamoDB's, which SDKs check when it is present.
pub fn crc32(body: &[u8]) -> HeaderValue {
    HeaderValue::from(crc32fast::hash(body))
}

fn plain(status: StatusCode, body: &str, id: u64) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header(CRC32, crc32(body.as_bytes()))
        .header(REQUEST_ID, crate::server::request_id(id))
        .body(Full::new(Bytes::copy_from_slice(body.as_bytes())))
        .expect("static response parts are valid")
}

/// A browser's preflight: the headers and method it asks for are allowed.
fn preflight(headers: &HeaderMap, id: u64) -> Response<Full<Bytes>> {
    let mut response = Response::builder()
        .status(StatusCode::OK)
        .header(REQUEST_ID, crate::server::request_id(id))
        .header("access-control-allow-origin", "*")
        .header("access-control-max-age", PREFLIGHT_MAX_AGE);
    for (asked, allowed) in [
        (
            "access-control-request-headers",
            "access-control-allow-headers",
        ),
        (
            "access-control-request-method",
            "access-control-allow-methods",
        ),
    ] {
        if let Some(value) = headers.get(asked) {
            response = response.header(allowed, value.clone());
        }
    }
    response
        .body(Full::new(Bytes::new()))
        .expect("copied header values are valid")
}
