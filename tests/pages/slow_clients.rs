//! Clients that send slowly (slow-loris): a connection that takes too long over its headers, or
//! stalls in its body, is cut off, and the pages keep answering meanwhile.

use std::time::Duration;

use plaza_core::Settings;
use plaza_tests::TestInstance;
use plaza_web::WebConfig;
use plaza_web::server::Timeouts;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How many slow connections are opened.
const SLOW_CLIENTS: usize = 200;
/// Bytes each one sends, one a second, unless it is cut off first.
const MAX_BYTES_SENT: usize = 8;

async fn quick_limits() -> TestInstance {
    let web = WebConfig {
        timeouts: Timeouts {
            header_read: Duration::from_secs(1),
            body_read: Duration::from_secs(1),
            request: Duration::from_secs(5),
        },
        ..WebConfig::default()
    };
    TestInstance::spawn_with(Settings::default(), web).await
}

fn address(plaza: &TestInstance) -> String {
    plaza.base.replace("http://localhost", "127.0.0.1")
}

/// Sends `bytes` one a second until the server closes the connection (true) or the bytes run
/// out with the connection still open (false).
async fn dribble(address: String, bytes: Vec<u8>) -> bool {
    let Ok(mut stream) = TcpStream::connect(&address).await else {
        return true;
    };
    let mut buf = [0u8; 1024];
    for byte in bytes {
        if stream.write_all(&[byte]).await.is_err() {
            return true;
        }
        // Closed, reset, or answered: in each case the server is done with it.
        if tokio::time::timeout(Duration::from_secs(1), stream.read(&mut buf))
            .await
            .is_ok()
        {
            return true;
        }
    }
    false
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_header_senders_are_cut_off_and_the_home_page_answers_meanwhile() {
    let plaza = quick_limits().await;
    let header = b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".to_vec();
    let slow: Vec<_> = (0..SLOW_CLIENTS)
        .map(|_| {
            let bytes = header.iter().copied().take(MAX_BYTES_SENT).collect();
            tokio::spawn(dribble(address(&plaza), bytes))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let home = tokio::time::timeout(Duration::from_secs(10), plaza.browse("/"))
        .await
        .expect("the home page did not answer while slow clients were connected");
    assert_eq!(home.status, 200);
    let mut still_open = 0;
    for client in slow {
        if !client.await.unwrap() {
            still_open += 1;
        }
    }
    assert_eq!(
        still_open, 0,
        "connections still open after {MAX_BYTES_SENT} s of headers"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_whose_body_stalls_is_cut_off() {
    let plaza = quick_limits().await;
    let mut stream = TcpStream::connect(address(&plaza)).await.unwrap();
    stream
        .write_all(
            b"POST /inbox HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/activity+json\r\nContent-Length: 1000\r\n\r\n{\"type\":",
        )
        .await
        .unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(8), stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the server still waits for the body");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("bad_body"), "{answer}");
}
