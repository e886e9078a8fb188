//! Expensive work reachable without a token stays bounded (issue 11, findings 3, 4, 5, 8 and the
//! SMS limit): password hashing a few at a time, a lockout per (secret_id, client), a multipart
//! bomb refused as it arrives, one SMS a minute per phone however often it is asked for.
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use futures::StreamExt;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{Answer, TestApp, spawn_app_with};

const SECRET: &str = "/api/v1/wjdh/secret";

/// A free loopback port (for a listener the stack binds by name).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Settings that take the gateway's per-IP limits out of the way, so svc-auth's own bounds are
/// what the test sees; the loopback peer is a trusted proxy, so `X-Forwarded-For` names clients.
fn without_gateway_limits(extra: &[(&'static str, String)]) -> Vec<(&'static str, String)> {
    let mut settings = vec![
        ("gateway.rate_limit_per_minute", "100000".to_owned()),
        ("gateway.secret_rate_limit_per_minute", "100000".to_owned()),
        ("gateway.trusted_proxies", "127.0.0.1".to_owned()),
    ];
    settings.extend(extra.iter().cloned());
    settings
}

async fn spawn(settings: &[(&'static str, String)]) -> TestApp {
    let borrowed: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    spawn_app_with(&borrowed).await
}

/// 001 §1.2.1 from the client `ip` (through the trusted loopback proxy).
async fn secret_from(app: &TestApp, ip: &str, secret_id: &str, secret_key: &str) -> Answer {
    let response = app
        .client
        .post(format!("{}{SECRET}", app.base))
        .header("x-forwarded-for", ip)
        .json(&json!({"secret_id": secret_id, "secret_key": secret_key}))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    Answer { status, body }
}

/// svc-auth's Prometheus text.
async fn auth_metrics(app: &TestApp, port: u16) -> String {
    app.client
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The value of the sample `name` (with its labels, as printed) in Prometheus text.
fn sample(metrics: &str, name: &str) -> i64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .map_or(0, |value| value.trim().parse::<f64>().unwrap() as i64)
}

fn count(answers: &[Answer], status: u16) -> usize {
    answers
        .iter()
        .filter(|answer| answer.status.as_u16() == status)
        .count()
}

#[tokio::test]
async fn forty_concurrent_wrong_secrets_get_429s_and_no_more_than_two_verifications_run_at_once() {
    let metrics_port = free_port();
    let app = spawn(&without_gateway_limits(&[
        ("auth.hash_concurrency", "2".to_owned()),
        ("auth.hash_wait_ms", "0".to_owned()),
        ("auth.metrics_listen", format!("127.0.0.1:{metrics_port}")),
    ]))
    .await;
    // Forty clients, forty unknown secret ids: no lockout is involved, each one costs a
    // (decoy) Argon2 verification of ~19 MiB.
    let answers = futures::future::join_all((0..40).map(|n| {
        let app = &app;
        async move {
            secret_from(
                app,
                &format!("203.0.113.{}", n + 1),
                &format!("intruder-{n}"),
                "guess",
            )
            .await
        }
    }))
    .await;
    let refused = count(&answers, 403);
    let busy = count(&answers, 429);
    assert_eq!(refused + busy, 40, "{answers:?}");
    assert!(busy > 0, "nothing was refused for being busy: {answers:?}");
    for answer in answers.iter().filter(|a| a.status.as_u16() == 429) {
        assert_eq!(answer.code(), 1, "{:?}", answer.body);
        assert_eq!(
            answer.str("message"),
            "secret verification busy: 2 at a time"
        );
    }
    let metrics = auth_metrics(&app, metrics_port).await;
    let peak = sample(&metrics, "auth_secret_hashing_in_flight_peak");
    assert!((1..=2).contains(&peak), "peak {peak}:\n{metrics}");
    assert_eq!(sample(&metrics, "auth_secret_hashing_in_flight"), 0);
    assert_eq!(
        sample(&metrics, "auth_secret_hashing_total{outcome=\"busy\"}"),
        busy as i64
    );
    assert_eq!(
        sample(&metrics, "auth_secret_hashing_total{outcome=\"verified\"}"),
        refused as i64
    );
    app.stop().await;
}

#[tokio::test]
async fn the_secret_route_has_its_own_tighter_bucket_per_client() {
    let app = spawn_app_with(&[
        ("gateway.secret_rate_limit_per_minute", "3"),
        ("gateway.trusted_proxies", "127.0.0.1"),
    ])
    .await;
    let from = |ip: &'static str, path: &'static str| {
        let app = &app;
        async move {
            let response = app
                .client
                .post(format!("{}{path}", app.base))
                .header("x-forwarded-for", ip)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap();
            (status, body)
        }
    };
    for _ in 0..3 {
        assert_eq!(from("203.0.113.5", SECRET).await.0, 400);
    }
    let (status, body) = from("203.0.113.5", SECRET).await;
    assert_eq!((status, body["code"].clone()), (429, json!(1)), "{body:?}");
    assert_eq!(body["message"], json!("每分钟最多3次请求"));
    // The client's other requests and other clients' secrets are untouched.
    assert_eq!(from("203.0.113.5", "/api/v1/weapp/code").await.0, 400);
    assert_eq!(from("203.0.113.6", SECRET).await.0, 400);
    app.stop().await;
}

#[tokio::test]
async fn a_strangers_wrong_secrets_do_not_lock_the_owner_out() {
    let app = spawn(&without_gateway_limits(&[])).await;
    let stranger = "203.0.113.7";
    let mut statuses = Vec::new();
    for n in 0..12 {
        let answer = secret_from(&app, stranger, "123456", &format!("guess-{n}")).await;
        statuses.push(answer.status.as_u16());
    }
    assert_eq!(statuses[..5], [403; 5], "{statuses:?}");
    assert_eq!(statuses[5..], [429; 7], "{statuses:?}");
    // The stranger is locked out of this secret_id, even with the right secret...
    let locked = secret_from(&app, stranger, "123456", "123456").await;
    assert_eq!((locked.code(), locked.status.as_u16()), (1, 429));
    // ...and the owner, from their own address, is not.
    let owner = secret_from(&app, "198.51.100.20", "123456", "123456").await;
    assert_eq!(owner.code(), 0, "{:?}", owner.body);
    assert!(!owner.str("access_token").is_empty());
    app.stop().await;
}

#[tokio::test]
async fn concurrent_wrong_secrets_beyond_the_limit_are_refused_without_being_verified() {
    let metrics_port = free_port();
    // Enough hashing permits for all forty: only the lockout may refuse.
    let app = spawn(&without_gateway_limits(&[
        ("auth.hash_concurrency", "64".to_owned()),
        ("auth.hash_wait_ms", "60000".to_owned()),
        ("auth.metrics_listen", format!("127.0.0.1:{metrics_port}")),
    ]))
    .await;
    let answers = futures::future::join_all((0..40).map(|n| {
        let app = &app;
        async move { secret_from(app, "203.0.113.9", "123456", &format!("guess-{n}")).await }
    }))
    .await;
    let refused = count(&answers, 403);
    let locked = count(&answers, 429);
    assert_eq!(refused + locked, 40, "{answers:?}");
    assert!(
        refused <= 5,
        "{refused} wrong secrets verified: {answers:?}"
    );
    for answer in answers.iter().filter(|a| a.status.as_u16() == 429) {
        assert_eq!(
            answer.str("message"),
            "too many failed attempts for this secret_id from this client"
        );
    }
    let metrics = auth_metrics(&app, metrics_port).await;
    assert!(
        sample(&metrics, "auth_secret_hashing_total{outcome=\"verified\"}") <= 5,
        "{metrics}"
    );
    app.stop().await;
}

/// What a raw HTTP/1.1 client saw when it streamed a chunked body until the answer came.
struct Streamed {
    status: u16,
    body: Value,
    /// Body bytes written when the answer's head arrived.
    sent_at_answer: usize,
    total: usize,
}

/// POSTs `chunk` (repeated `times`, then `tail`) as a chunked body, stops writing as soon as an
/// answer arrives, and reads it. Half of the body is written, then the writer waits for the
/// answer (a minute at most) before it writes on: a server that refuses the body as it arrives
/// answers within the first half however slowly this machine runs, so `sent_at_answer` below
/// half is not a race between the client's writing and its reading (it was: under a loaded CI run
/// the writer went on writing while the answer waited to be read).
async fn stream_chunked(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    content_type: &str,
    chunk: Vec<u8>,
    times: usize,
    tail: Vec<u8>,
) -> Streamed {
    let stream = tokio::net::TcpStream::connect(app.stack.gateway)
        .await
        .unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let sent = Arc::new(AtomicUsize::new(0));
    let answered = Arc::new(AtomicBool::new(false));
    let heard = Arc::new(tokio::sync::Notify::new());
    let total = chunk.len() * times + tail.len();
    let authorization = token.map_or(String::new(), |token| {
        format!("Authorization: Bearer {token}\r\n")
    });
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: {content_type}\r\n\
         {authorization}Transfer-Encoding: chunked\r\n\r\n",
        app.stack.gateway
    );
    let writing = {
        let (sent, answered, heard) = (sent.clone(), answered.clone(), heard.clone());
        tokio::spawn(async move {
            writer.write_all(head.as_bytes()).await?;
            let pieces = std::iter::repeat_n(&chunk, times).chain(std::iter::once(&tail));
            let mut waited = false;
            for piece in pieces {
                if !waited && sent.load(Ordering::SeqCst) + piece.len() > total / 2 {
                    // A server that reads to the end before answering never answers here; after
                    // the minute the rest is written and the caller's `< total / 2` fails.
                    waited = true;
                    let _ = tokio::time::timeout(Duration::from_secs(60), heard.notified()).await;
                }
                if answered.load(Ordering::SeqCst) {
                    return Ok(());
                }
                let framed = [
                    format!("{:x}\r\n", piece.len()).as_bytes(),
                    piece.as_slice(),
                    b"\r\n",
                ]
                .concat();
                writer.write_all(&framed).await?;
                sent.fetch_add(piece.len(), Ordering::SeqCst);
            }
            writer.write_all(b"0\r\n\r\n").await?;
            Ok::<_, std::io::Error>(())
        })
    };
    let mut received = Vec::new();
    let mut buffer = [0_u8; 4096];
    let (head_end, sent_at_answer) = loop {
        let read = reader.read(&mut buffer).await.unwrap();
        assert!(read > 0, "the connection closed before an answer");
        received.extend_from_slice(&buffer[..read]);
        if let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            let sent_then = sent.load(Ordering::SeqCst);
            answered.store(true, Ordering::SeqCst);
            heard.notify_one();
            break (end + 4, sent_then);
        }
    };
    let head = String::from_utf8_lossy(&received[..head_end]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap();
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or_else(|| panic!("no content-length: {head}"));
    while received.len() < head_end + length {
        let read = reader.read(&mut buffer).await.unwrap();
        assert!(read > 0, "the connection closed inside the answer");
        received.extend_from_slice(&buffer[..read]);
    }
    writing.abort();
    let body = serde_json::from_slice(&received[head_end..head_end + length]).unwrap();
    Streamed {
        status,
        body,
        sent_at_answer,
        total,
    }
}

/// `count` empty multipart fields, each padded with a header to `size` bytes.
fn empty_fields(count: usize, size: usize) -> Vec<u8> {
    let mut body = Vec::with_capacity(count * size);
    for _ in 0..count {
        let field = "--BOMB\r\nContent-Disposition: form-data; name=\"f\"\r\nX-Pad: \r\n\r\n\r\n";
        let pad = "p".repeat(size.saturating_sub(field.len()));
        body.extend_from_slice(
            field
                .replace("X-Pad: ", &format!("X-Pad: {pad}"))
                .as_bytes(),
        );
    }
    body
}

// Two workers: the client keeps writing while it waits for the answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multipart_bomb_of_empty_fields_is_refused_with_413_as_it_arrives() {
    let app = spawn(&without_gateway_limits(&[])).await;
    let multipart = "multipart/form-data; boundary=BOMB";
    let closing = b"--BOMB--\r\n".to_vec();
    // 100,000 empty fields, 33 MB, to a route without a token: refused as soon as one of the
    // caps is passed (64 parts, or 64 KiB of raw bytes, whichever the arrival crosses first).
    let many = stream_chunked(
        &app,
        SECRET,
        None,
        multipart,
        empty_fields(10, 330),
        10_000,
        closing.clone(),
    )
    .await;
    assert_eq!(many.total, 33_000_010);
    assert_eq!(many.status, 413, "{:?}", many.body);
    assert_eq!(many.body["code"], json!(1));
    assert_eq!(many.body["msg"], json!("提交的数据过大"));
    let caps = [json!("multipart最多64个字段"), json!("请求体超过65536字节")];
    assert!(caps.contains(&many.body["message"]), "{:?}", many.body);
    assert!(
        many.sent_at_answer < many.total / 2,
        "answered after {} of {} bytes",
        many.sent_at_answer,
        many.total
    );
    // 33 MB in wider empty fields: refused once the raw bytes pass the body cap (64 KiB), though
    // no field has any content.
    let wide = stream_chunked(
        &app,
        SECRET,
        None,
        multipart,
        empty_fields(1, 3_300),
        10_000,
        closing.clone(),
    )
    .await;
    assert_eq!(wide.status, 413, "{:?}", wide.body);
    assert_eq!(wide.body["message"], json!("请求体超过65536字节"));
    assert!(wide.sent_at_answer < wide.total / 2);
    // A photo route admits 5 MiB, but not 100,000 parts: refused at the 65th.
    let resident = app.resident_token("o-bomber", "13912340002").await;
    let parts = stream_chunked(
        &app,
        "/api/v1/people/photo",
        Some(&resident),
        multipart,
        empty_fields(10, 330),
        10_000,
        closing.clone(),
    )
    .await;
    assert_eq!(parts.status, 413, "{:?}", parts.body);
    assert_eq!(parts.body["message"], json!("multipart最多64个字段"));
    assert!(parts.sent_at_answer < parts.total / 2);
    // A route that needs a token refuses the tokenless bomb before reading it.
    let tokenless = stream_chunked(
        &app,
        "/api/v1/people/photo",
        None,
        multipart,
        empty_fields(10, 330),
        10_000,
        closing,
    )
    .await;
    assert_eq!(tokenless.status, 401, "{:?}", tokenless.body);
    assert_eq!(tokenless.body["code"], json!(9));
    assert!(tokenless.sent_at_answer < tokenless.total / 2);
    app.stop().await;
}

#[tokio::test]
async fn a_thousand_code_requests_for_one_phone_send_one_sms() {
    // The gateway's and the per-IP limits out of the way: the per-phone limit must hold alone.
    let app = spawn_app_with(&[
        ("gateway.rate_limit_per_minute", "100000"),
        ("auth.sms_per_ip_per_hour", "100000"),
    ])
    .await;
    let phone = "13912340001";
    let answers: Vec<Answer> = futures::stream::iter(0..1_000)
        .map(|_| app.request_code(phone, "register"))
        .buffer_unordered(50)
        .collect()
        .await;
    let sent = answers.iter().filter(|a| a.code() == 0).count();
    let limited = answers
        .iter()
        .filter(|a| a.status.as_u16() == 429 && a.code() == 1)
        .count();
    assert_eq!((sent, limited), (1, 999), "{:?}", &answers[..3]);
    assert_eq!(app.sms_to(phone).await.len(), 1);
    app.stop().await;
}
