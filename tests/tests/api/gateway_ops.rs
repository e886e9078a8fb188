//! The gateway's own promises: the envelope everywhere, input forms, limits, operations endpoints.
use serde_json::{Value, json};

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn unknown_paths_and_malformed_bodies_get_the_envelope() {
    let app = spawn_app().await;
    let unknown = app.get("/api/v1/no/such/path").await;
    assert_eq!((unknown.code(), unknown.status.as_u16()), (1, 404));
    assert_eq!(unknown.body["token_expired"], json!(1));
    let malformed = app
        .client
        .post(format!("{}/api/v1/weapp/code", app.base))
        .header("content-type", "application/json")
        .body("{\"code\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status().as_u16(), 400);
    let body: Value = malformed.json().await.unwrap();
    assert_eq!(body["code"], json!(1));
    assert!(body["msg"].as_str().is_some());
    app.stop().await;
}

#[tokio::test]
async fn inputs_arrive_as_json_form_query_or_multipart_and_numbers_as_strings() {
    let app = spawn_app().await;
    let as_number = app
        .post(
            "/api/v1/verificationCodes/phone",
            json!({"phone": 13800000001_i64, "type": "verify"}),
            None,
        )
        .await;
    assert_eq!(as_number.code(), 0, "{:?}", as_number.body);
    let as_form = app
        .post_form(
            "/api/v1/verificationCodes/phone",
            &[("phone", "13800000002"), ("type", "verify")],
        )
        .await;
    assert_eq!(as_form.code(), 0, "{:?}", as_form.body);
    let by_query = app
        .client
        .post(format!(
            "{}/api/v1/verificationCodes/phone?phone=13800000003&type=verify",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(by_query.json::<Value>().await.unwrap()["code"], json!(0));
    let form = reqwest::multipart::Form::new()
        .text("phone", "13800000004")
        .text("type", "verify");
    let multipart = app
        .client
        .post(format!("{}/api/v1/verificationCodes/phone", app.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(multipart.json::<Value>().await.unwrap()["code"], json!(0));
    for phone in ["13800000001", "13800000002", "13800000003", "13800000004"] {
        assert_eq!(app.sms_to(phone).await.len(), 1, "{phone}");
    }
    app.stop().await;
}

#[tokio::test]
async fn oversized_bodies_are_refused_without_reading_them() {
    let app = spawn_app().await;
    let huge = "x".repeat(200_000);
    let answer = app
        .post("/api/v1/weapp/code", json!({"code": huge}), None)
        .await;
    assert_eq!((answer.code(), answer.status.as_u16()), (1, 413));
    app.stop().await;
}

#[tokio::test]
async fn one_ip_is_rate_limited_across_routes() {
    let app = spawn_app_with(&[
        ("gateway.rate_limit_per_minute", "5"),
        ("gateway.trusted_proxies", "127.0.0.1"),
    ])
    .await;
    // The window is the clock's minute: a run that crosses into the next one proves nothing and
    // is made again from another client IP (the one before it may have counted in the new one).
    for attempt in 0..3 {
        let minute = kit::time::now_unix().div_euclid(60);
        let mut answers = Vec::new();
        for _ in 0..6 {
            let response = app
                .client
                .post(format!("{}/api/v1/weapp/code", app.base))
                .header("x-forwarded-for", format!("203.0.113.{}", 20 + attempt))
                .json(&json!({"code": "x"}))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap();
            answers.push((body["code"].as_i64(), status));
        }
        if kit::time::now_unix().div_euclid(60) != minute {
            assert!(attempt < 2, "every run crossed a minute");
            continue;
        }
        assert_eq!(answers[..5], [(Some(1), 400); 5]);
        assert_eq!(answers[5], (Some(1), 429));
        break;
    }
    // Probes are not rate limited.
    assert_eq!(app.get("/healthz").await.status.as_u16(), 200);
    app.stop().await;
}

#[tokio::test]
async fn health_readiness_metrics_and_the_api_document() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").await.status.as_u16(), 200);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status.as_u16(), 200, "{:?}", ready.body);
    for check in ["auth", "yibiaosanshi", "orders", "community", "cache"] {
        assert_eq!(
            ready.body["checks"][check], "ok",
            "{check}: {:?}",
            ready.body
        );
    }
    app.post("/api/v1/weapp/code", json!({"code": "x"}), None)
        .await;
    let metrics = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("http_requests_total"), "{metrics}");
    assert!(metrics.contains("/api/v1/weapp/code"), "{metrics}");

    let document = app.get("/api/openapi.json").await;
    let paths = document.body["paths"].as_object().unwrap();
    for path in [
        "/api/v1/verificationCodes/phone",
        "/api/v1/weapp/code",
        "/api/v1/weapp/users",
        "/api/v1/weapp/authorizations",
        "/api/v1/authorizations/current",
        "/api/v1/people/permissions",
        "/api/v1/wjdh/secret",
    ] {
        assert!(
            paths.contains_key(path),
            "{path} missing from the OpenAPI document"
        );
    }
    let docs = app
        .client
        .get(format!("{}/api/docs/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(docs.status().as_u16(), 200);
    app.stop().await;
}

#[tokio::test]
async fn the_request_id_is_echoed() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/healthz", app.base))
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-me-123");
    let generated = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert!(!generated.headers()["x-request-id"].is_empty());
    app.stop().await;
}
