//! `POST /ocr/idcard`: Alibaba Cloud market 身份证识别 as our OCR client calls it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::helpers::{TestSandbox, spawn_sandbox};

const APPCODE: &str = "sandbox-appcode";

/// The seed's example card (000 §2.3.2.4) as the helper image carries it.
fn seed_card() -> Value {
    json!({
        "birthday": "19921130",
        "address": "河北省秦皇岛市海港区秦皇小区98栋3单元4号",
        "gender": "男",
        "nation": "汉",
        "idcard": "130302199211302519",
        "name": "杨哲",
    })
}

fn card_image(fields: &Value) -> String {
    STANDARD.encode(format!("IDCARD:{fields}"))
}

fn face() -> String {
    json!({"side": "face"}).to_string()
}

/// Posts `body` with `Authorization: APPCODE {appcode}` (none when `None`).
async fn ocr(
    app: &TestSandbox,
    appcode: Option<&str>,
    body: reqwest::Body,
) -> (u16, Option<String>, String) {
    let mut request = app
        .client
        .post(app.url("/ocr/idcard"))
        .header("Content-Type", "application/json; charset=UTF-8")
        .body(body);
    if let Some(appcode) = appcode {
        request = request.header("Authorization", format!("APPCODE {appcode}"));
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let reason = response
        .headers()
        .get("X-Ca-Error-Message")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    (status, reason, response.text().await.expect("body"))
}

async fn ocr_json(app: &TestSandbox, body: &Value) -> (u16, Value) {
    let (status, _, text) = ocr(app, Some(APPCODE), body.to_string().into()).await;
    (status, serde_json::from_str(&text).expect("JSON body"))
}

#[tokio::test]
async fn a_helper_card_is_read_into_the_providers_fields() {
    let app = spawn_sandbox().await;
    let (status, body) = ocr_json(
        &app,
        &json!({"image": card_image(&seed_card()), "configure": face()}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["success"], true);
    assert_eq!(body["name"], "杨哲");
    assert_eq!(body["num"], "130302199211302519");
    assert_eq!(body["sex"], "男");
    assert_eq!(body["nationality"], "汉");
    assert_eq!(body["birth"], "19921130");
    assert_eq!(body["address"], "河北省秦皇岛市海港区秦皇小区98栋3单元4号");
    assert!(body["request_id"].as_str().is_some_and(|id| !id.is_empty()));
    assert_eq!(body["config_str"], face());
    app.sandbox.stop().await;
}

#[tokio::test]
async fn configure_is_optional_and_the_back_side_is_unreadable() {
    let app = spawn_sandbox().await;
    let (status, body) = ocr_json(&app, &json!({"image": card_image(&seed_card())})).await;
    assert_eq!((status, &body["success"]), (200, &json!(true)), "{body}");
    let back = json!({"side": "back"}).to_string();
    let (status, body) = ocr_json(
        &app,
        &json!({"image": card_image(&seed_card()), "configure": back}),
    )
    .await;
    assert_eq!((status, body), (200, json!({"success": false})));
    app.sandbox.stop().await;
}

#[tokio::test]
async fn any_other_image_is_unreadable() {
    let app = spawn_sandbox().await;
    for bytes in [
        b"\x89PNG\r\n\x1a\n not a card".to_vec(),
        b"IDCARD:not json".to_vec(),
        b"idcard:{}".to_vec(),
        Vec::new(),
    ] {
        let (status, body) = ocr_json(
            &app,
            &json!({"image": STANDARD.encode(&bytes), "configure": face()}),
        )
        .await;
        assert_eq!((status, body), (200, json!({"success": false})));
    }
    app.sandbox.stop().await;
}

#[tokio::test]
async fn a_missing_or_wrong_appcode_is_401() {
    let app = spawn_sandbox().await;
    let body = json!({"image": card_image(&seed_card())}).to_string();
    let (status, reason, _) = ocr(&app, None, body.clone().into()).await;
    assert_eq!(status, 401);
    assert_eq!(reason.as_deref(), Some("AppCode not found"));
    let (status, reason, _) = ocr(&app, Some("someone-else"), body.into()).await;
    assert_eq!(status, 401);
    assert_eq!(reason.as_deref(), Some("Invalid AppCode"));
    app.sandbox.stop().await;
}

#[tokio::test]
async fn a_body_without_a_usable_image_is_400() {
    let app = spawn_sandbox().await;
    for body in [
        "image=abc".to_owned(),
        "[1,2]".to_owned(),
        json!({"configure": face()}).to_string(),
        json!({"image": 42}).to_string(),
        json!({"image": "!!! not base64 !!!"}).to_string(),
        json!({"image": card_image(&seed_card()), "configure": "{side"}).to_string(),
    ] {
        let (status, reason, _) = ocr(&app, Some(APPCODE), body.clone().into()).await;
        assert_eq!(status, 400, "{body}");
        assert!(
            reason.is_some_and(|reason| reason.starts_with("Invalid Input")),
            "{body}"
        );
    }
    app.sandbox.stop().await;
}

#[tokio::test]
async fn a_photo_of_a_few_megabytes_is_accepted() {
    let app = spawn_sandbox().await;
    let image = STANDARD.encode(vec![0xAB_u8; 3 * 1024 * 1024]);
    let (status, body) = ocr_json(&app, &json!({"image": image, "configure": face()})).await;
    assert_eq!((status, body), (200, json!({"success": false})));
    app.sandbox.stop().await;
}
