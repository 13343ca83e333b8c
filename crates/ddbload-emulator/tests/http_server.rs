//! The HTTP server: answers over a real socket, refuses bodies past DynamoDB's 16 MB limit with 413
//! before reading them, and keeps serving afterwards.

use std::io::{Read, Write};
use std::net::TcpStream;

use common::http::SIGNED;
use ddbload_emulator::Emulator;

mod common;

fn post(addr: &str, target: &str, body: &[u8], declared: usize) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nX-Amz-Target: DynamoDB_20120810.{target}\r\n{SIGNED}\
         Content-Type: application/x-amz-json-1.0\r\nContent-Length: {declared}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).unwrap();
    let _ = stream.write_all(body);
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

#[test]
fn oversized_bodies_are_refused_early_and_serving_goes_on() {
    let mut server = Emulator::start("127.0.0.1", 0, 2, "us-east-1").unwrap();
    let addr = server.addr.to_string();
    let answer = post(&addr, "ListTables", b"{}", 17 * 1024 * 1024);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    let answer = post(&addr, "ListTables", b"{}", 2);
    assert!(
        answer.starts_with("HTTP/1.1 200") && answer.contains("TableNames"),
        "{answer}"
    );
    let answer = post(&addr, "ListTables", b"{not json", 9);
    assert!(answer.contains("SerializationException"), "{answer}");
    assert!(Emulator::start("127.0.0.1", 0, 100_000, "us-east-1").is_err());
    server.stop();
}
