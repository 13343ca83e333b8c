//! A plain HTTP client for tests of the server: one kept-alive connection, as SDKs use, with a
//! watchdog on every answer.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The Authorization and X-Amz-Date headers of a signed call (the endpoint checks their parts only).
pub const SIGNED: &str =
    "Authorization: AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/dynamodb/aws4_request, \
     SignedHeaders=host;x-amz-date, Signature=00\r\nX-Amz-Date: 20260101T000000Z\r\n";

/// An answer slower than this is a hang.
pub const WATCHDOG: Duration = Duration::from_secs(5);

/// A client on one kept-alive connection, as SDKs send.
pub struct Client {
    addr: String,
    stream: BufReader<TcpStream>,
}

impl Client {
    pub fn new(addr: &str) -> Client {
        let stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(WATCHDOG)).unwrap();
        stream.set_write_timeout(Some(WATCHDOG)).unwrap();
        Client {
            addr: addr.to_owned(),
            stream: BufReader::new(stream),
        }
    }

    /// One request; Err when its answer did not come within the watchdog.
    pub fn post(&mut self, target: &str, body: &Value) -> Result<String, String> {
        let body = body.to_string();
        let head = format!(
            "POST / HTTP/1.1\r\nHost: {}\r\nX-Amz-Target: {target}\r\n{SIGNED}\
             Content-Type: application/x-amz-json-1.0\r\nContent-Length: {}\r\n\r\n",
            self.addr,
            body.len()
        );
        let started = Instant::now();
        let unanswered =
            |e: std::io::Error| format!("{target}: no answer after {:?} ({e})", started.elapsed());
        self.stream
            .get_mut()
            .write_all(format!("{head}{body}").as_bytes())
            .map_err(unanswered)?;
        let mut answer = String::new();
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            self.stream.read_line(&mut line).map_err(unanswered)?;
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap();
            }
            answer.push_str(&line);
            if line == "\r\n" || line.is_empty() {
                break;
            }
        }
        let mut content = vec![0u8; length];
        self.stream.read_exact(&mut content).map_err(unanswered)?;
        answer.push_str(&String::from_utf8_lossy(&content));
        Ok(answer)
    }

    pub fn dynamodb(&mut self, operation: &str, body: &Value) -> Result<String, String> {
        self.post(&format!("DynamoDB_20120810.{operation}"), body)
    }

    pub fn autoscaling(&mut self, operation: &str, body: &Value) -> Result<String, String> {
        self.post(&format!("AnyScaleFrontendService.{operation}"), body)
    }
}

/// The JSON body of an answer `Client::post` returned.
pub fn body(answer: &str) -> Value {
    let (_, body) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
    serde_json::from_str(body).expect("a JSON body")
}
