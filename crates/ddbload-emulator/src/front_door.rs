//! What DynamoDB checks of a call to its own API before reading it: the body's content type (another
//! one is answered 404, as no operation) and that the request is signed. The signature's parts are
//! checked for presence, as DynamoDB does before verifying it; any credentials are accepted, as in
//! DynamoDB Local, since the endpoint holds no secret to verify them against.

use hyper::header::HeaderMap;

use crate::error::ApiError;

/// The JSON content type a call declares, one of the two DynamoDB reads (None: another or none; a
/// body in it is answered 404, and a call without a body is answered in `application/json`).
pub fn json_content_type(headers: &HeaderMap) -> Option<&'static str> {
    let declared = headers
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let media = declared.split(';').next().unwrap_or_default().trim();
    match media {
        "application/x-amz-json-1.0" => Some("application/x-amz-json-1.0"),
        "application/json" => Some("application/json"),
        _ => None,
    }
}

/// Why the call's signature is refused before it is even verified (Ok: it has every part).
pub fn signature(headers: &HeaderMap, query: Option<&str>) -> Result<(), ApiError> {
    let header = headers
        .get(hyper::header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or_default());
    // Read on every call: the query is split only when there is one.
    let params: Vec<(&str, &str)> = match query {
        Some(query) => query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| p.split_once('=').unwrap_or((p, "")))
            .collect(),
        None => Vec::new(),
    };
    let in_query = params.iter().any(|(k, _)| *k == "X-Amz-Algorithm");
    match header {
        Some(_) if in_query => Err(ApiError::signed_twice()),
        Some(h) if h.trim().starts_with("AWS4-") => header_parts(h, headers),
        None if in_query => query_parts(&params),
        _ => Err(ApiError::missing_authentication_token()),
    }
}

/// An Authorization header's parts: Credential, Signature, SignedHeaders, and a date header.
fn header_parts(header: &str, headers: &HeaderMap) -> Result<(), ApiError> {
    // One pass over the header, which every call carries: which of the three parts have a value.
    const PARTS: [&str; 3] = ["Credential", "Signature", "SignedHeaders"];
    let mut given = [false; 3];
    for part in header.split([',', ' ']).skip(1) {
        if let Some((key, value)) = part.trim().split_once('=') {
            if let Some(at) = PARTS.iter().position(|p| *p == key) {
                given[at] |= !value.is_empty();
            }
        }
    }
    let mut missing = String::new();
    for (part, _) in PARTS.iter().zip(given).filter(|(_, given)| !given) {
        missing.push_str(&format!(
            "Authorization header requires '{part}' parameter. "
        ));
    }
    if !headers.contains_key(crate::http_edges::AMZ_DATE)
        && !headers.contains_key(hyper::header::DATE)
    {
        missing.push_str(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ",
        );
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(ApiError::incomplete_signature(&format!(
        "{missing}Authorization={header}"
    )))
}

/// A presigned request's query-string parts.
fn query_parts(params: &[(&str, &str)]) -> Result<(), ApiError> {
    let mut missing = String::new();
    for part in [
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Signature",
        "X-Amz-SignedHeaders",
        "X-Amz-Date",
    ] {
        if !params.iter().any(|(k, v)| *k == part && !v.is_empty()) {
            missing.push_str(&format!(
                "AWS query-string parameters must include '{part}'. "
            ));
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(ApiError::incomplete_signature(&format!(
        "{missing}Re-examine the query-string parameters."
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (k.parse().unwrap(), v.parse().unwrap()))
            .collect()
    }

    #[test]
    fn a_signed_sdk_call_passes_and_each_missing_part_is_named() {
        let signed = headers(&[
            ("authorization", "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"),
            ("x-amz-date", "20260101T000000Z"),
        ]);
        assert_eq!(signature(&signed, None), Ok(()));
        let refused = signature(
            &headers(&[
                ("authorization", "AWS4- Signature=b Credential=a"),
                ("date", "a"),
            ]),
            None,
        )
        .unwrap_err();
        assert_eq!(
            refused.message,
            "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b Credential=a"
        );
        let unsigned = signature(&headers(&[]), None).unwrap_err();
        assert_eq!(unsigned.code(), "MissingAuthenticationTokenException");
        let twice =
            signature(&headers(&[("authorization", "X")]), Some("X-Amz-Algorithm")).unwrap_err();
        assert_eq!(twice.code(), "InvalidSignatureException");
        let query = signature(
            &headers(&[]),
            Some("X-Amz-Algorithm=a&X-Amz-Credential=b&X-Amz-Signature=c&X-Amz-Date=d"),
        )
        .unwrap_err();
        assert_eq!(
            query.message,
            "AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters."
        );
    }

    #[test]
    fn only_json_bodies_are_read_and_the_answer_says_the_same_type() {
        let typed = |t: &'static str| json_content_type(&headers(&[("content-type", t)]));
        assert_eq!(typed("application/json"), Some("application/json"));
        assert_eq!(
            typed("  application/json  ;   asfd"),
            Some("application/json")
        );
        assert_eq!(
            typed("application/x-amz-json-1.0;blahblah"),
            Some("application/x-amz-json-1.0")
        );
        assert_eq!(typed("application/x-amz-json-1.1"), None);
        assert_eq!(typed("application/jsonasdf"), None);
        assert_eq!(json_content_type(&headers(&[])), None);
    }
}
