//! Envelope for every failure, limits, probes, metrics and the OpenAPI document.
use serde_json::json;

use crate::helpers::{read, spawn_app, spawn_with};

#[tokio::test]
async fn unknown_paths_and_wrong_methods_wear_the_envelope() {
    let app = spawn_app().await;
    let (status, body) = read(
        app.client
            .get(app.url("/nowhere"))
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(body["code"], 1);
    assert_eq!(body["token_expired"], 1);
    let (status, body) = read(
        app.client
            .get(app.url("/api/v1/weapp/code"))
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!(status, 405);
    assert_eq!(body["code"], 1);
}

#[tokio::test]
async fn malformed_and_oversized_bodies_are_refused_in_the_envelope() {
    let app = spawn_with(&[("gateway.body_limit_bytes", "64".to_owned())]).await;
    let response = app
        .client
        .post(app.url("/api/v1/weapp/code"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("post");
    let (status, body) = read(response).await;
    assert_eq!((status, body["code"].clone()), (400, json!(1)));
    assert!(body["msg"].as_str().expect("msg").contains("body"));
    let (status, body) = app
        .post_json("/api/v1/weapp/code", &json!({"code": "x".repeat(100)}))
        .await;
    assert_eq!((status, body["code"].clone()), (413, json!(1)));
}

#[tokio::test]
async fn a_client_over_its_minute_is_told_to_slow_down_but_probes_are_not_counted() {
    let app = spawn_with(&[
        ("gateway.rate_limit_per_minute", "3".to_owned()),
        ("gateway.trusted_proxies", "127.0.0.1".to_owned()),
    ])
    .await;
    // The window is the clock's minute: a run that crosses into the next one proves nothing and
    // is made again from another client IP (the one before it may have counted in the new one).
    let mut last = json!(null);
    for attempt in 0..3 {
        let minute = kit::time::now_unix().div_euclid(60);
        let mut statuses = Vec::new();
        for _ in 0..4 {
            let (status, body) = read(
                app.client
                    .post(app.url("/api/v1/weapp/code"))
                    .header("x-forwarded-for", format!("203.0.113.{}", 20 + attempt))
                    .json(&json!({"code": "sandbox:o"}))
                    .send()
                    .await
                    .expect("post"),
            )
            .await;
            statuses.push(status);
            last = body;
        }
        if kit::time::now_unix().div_euclid(60) != minute {
            assert!(attempt < 2, "every run crossed a minute");
            continue;
        }
        assert_eq!(statuses, [200, 200, 200, 429]);
        break;
    }
    assert_eq!(last["code"], 1);
    assert_eq!(last["msg"], "操作过于频繁，请稍后再试");
    let response = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn probes_report_liveness_and_each_dependency() {
    let app = spawn_app().await;
    let (status, body) = read(
        app.client
            .get(app.url("/healthz"))
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!((status, body), (200, json!({"status": "ok"})));
    let (status, body) = read(
        app.client
            .get(app.url("/readyz"))
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"status":"ready","checks":{"auth":"ok","yibiaosanshi":"ok","orders":"ok","community":"ok","cache":"ok"}})
    );

    let down = spawn_with(&[("endpoints.orders", "http://127.0.0.1:9".to_owned())]).await;
    let (status, body) = read(
        down.client
            .get(down.url("/readyz"))
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!(status, 503);
    assert_eq!(body["status"], "not ready");
    assert_eq!(body["checks"]["auth"], "ok");
    assert_ne!(body["checks"]["orders"], "ok");
}

#[tokio::test]
async fn a_service_that_cannot_be_reached_is_a_503_refusal() {
    let app = spawn_with(&[("endpoints.auth", "http://127.0.0.1:9".to_owned())]).await;
    let (status, body) = app
        .post_json("/api/v1/weapp/code", &json!({"code": "sandbox:o"}))
        .await;
    assert_eq!(status, 503);
    assert_eq!(body["code"], 1);
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern() {
    let app = spawn_app().await;
    let _ = app
        .post_json("/api/v1/weapp/code", &json!({"code": "sandbox:o"}))
        .await;
    let _ = app
        .client
        .get(app.url("/nowhere/at/all"))
        .send()
        .await
        .expect("get");
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("text");
    assert!(text.contains(
        r#"http_requests_total{method="POST",route="/api/v1/weapp/code",status="200"} 1"#
    ));
    assert!(text.contains(r#"route="unmatched",status="404""#));
    assert!(text.contains("http_request_duration_seconds_bucket"));
}

#[tokio::test]
async fn the_api_is_documented_and_browsable() {
    let app = spawn_app().await;
    let (status, document) = read(
        app.client
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(document["paths"]["/api/v1/wjdh/secret"]["post"].is_object());
    let page = app
        .client
        .get(app.url("/api/docs/"))
        .send()
        .await
        .expect("get");
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.text().await.expect("html").contains("swagger"));
    let redirected = app
        .client
        .get(app.url("/api/docs"))
        .send()
        .await
        .expect("get");
    assert_eq!(redirected.status().as_u16(), 200);
}
