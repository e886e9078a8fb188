use aes::Aes128;
use aes::cipher::{BlockDecryptMut, KeyIvInit, block_padding::Pkcs7};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{TestSandbox, spawn_sandbox};

fn expected_session_key(secret: &str, openid: &str) -> [u8; 16] {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("session_key:{openid}").as_bytes());
    mac.finalize().into_bytes()[..16]
        .try_into()
        .expect("16 bytes")
}

async fn code2session(app: &TestSandbox, appid: &str, secret: &str, js_code: &str) -> Value {
    let (status, body) = app
        .get_json(
            "/sns/jscode2session",
            &[
                ("appid", appid),
                ("secret", secret),
                ("js_code", js_code),
                ("grant_type", "authorization_code"),
            ],
        )
        .await;
    assert_eq!(status, 200, "WeChat always answers 200");
    body
}

async fn issue_access_token(app: &TestSandbox) -> String {
    let (status, body) = app
        .get_json(
            "/cgi-bin/token",
            &[
                ("grant_type", "client_credential"),
                ("appid", &app.settings.wechat_appid),
                ("secret", &app.settings.wechat_secret),
            ],
        )
        .await;
    assert_eq!(status, 200);
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

#[tokio::test]
async fn a_sandbox_code_logs_in_with_a_stable_derived_session_key() {
    let app = spawn_sandbox().await;
    let (appid, secret) = (&app.settings.wechat_appid, &app.settings.wechat_secret);
    let body = code2session(&app, appid, secret, "sandbox:o6_bmjrPTlm6-2sgVt").await;
    assert_eq!(body["openid"], "o6_bmjrPTlm6-2sgVt");
    assert!(body.get("errcode").is_none());
    let session_key = STANDARD
        .decode(body["session_key"].as_str().expect("session_key"))
        .expect("base64");
    assert_eq!(
        session_key,
        expected_session_key(secret, "o6_bmjrPTlm6-2sgVt")
    );
    let again = code2session(&app, appid, secret, "sandbox:o6_bmjrPTlm6-2sgVt").await;
    assert_eq!(again["session_key"], body["session_key"]);
    let other = code2session(&app, appid, secret, "sandbox:someone-else").await;
    assert_ne!(other["session_key"], body["session_key"]);
}

#[tokio::test]
async fn code2session_refuses_a_wrong_appid_or_secret() {
    let app = spawn_sandbox().await;
    let body = code2session(&app, "wx-other", &app.settings.wechat_secret, "sandbox:a").await;
    assert_eq!(body, json!({"errcode": 40013, "errmsg": "invalid appid"}));
    let body = code2session(&app, &app.settings.wechat_appid, "wrong", "sandbox:a").await;
    assert_eq!(
        body,
        json!({"errcode": 40125, "errmsg": "invalid appsecret"})
    );
}

#[tokio::test]
async fn code2session_refuses_codes_that_are_not_sandbox_codes() {
    let app = spawn_sandbox().await;
    let (appid, secret) = (&app.settings.wechat_appid, &app.settings.wechat_secret);
    let too_long = format!("sandbox:{}", "a".repeat(65));
    for code in [
        "081xYz000abcd",
        "sandbox:",
        "sandbox:has space",
        "sandbox:中文",
        too_long.as_str(),
    ] {
        let body = code2session(&app, appid, secret, code).await;
        assert_eq!(
            body,
            json!({"errcode": 40029, "errmsg": "invalid code"}),
            "{code}"
        );
    }
}

#[tokio::test]
async fn access_tokens_are_issued_only_to_the_right_app() {
    let app = spawn_sandbox().await;
    let (status, body) = app
        .get_json(
            "/cgi-bin/token",
            &[
                ("grant_type", "client_credential"),
                ("appid", &app.settings.wechat_appid),
                ("secret", &app.settings.wechat_secret),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert!(body["access_token"].as_str().expect("token").len() >= 32);
    assert_eq!(body["expires_in"], 7200);

    let (_, body) = app
        .get_json(
            "/cgi-bin/token",
            &[
                ("grant_type", "client_credential"),
                ("appid", "wx-other"),
                ("secret", &app.settings.wechat_secret),
            ],
        )
        .await;
    assert_eq!(body["errcode"], 40013);
    let (_, body) = app
        .get_json(
            "/cgi-bin/token",
            &[
                ("grant_type", "client_credential"),
                ("appid", &app.settings.wechat_appid),
                ("secret", "wrong"),
            ],
        )
        .await;
    assert_eq!(body["errcode"], 40125);
}

#[tokio::test]
async fn a_sandbox_phone_code_returns_the_phone_with_our_watermark() {
    let app = spawn_sandbox().await;
    let token = issue_access_token(&app).await;
    let (status, body) = app
        .post_json(
            "/wxa/business/getuserphonenumber",
            &[("access_token", &token)],
            &json!({"code": "sandbox-phone:17600381130"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["errcode"], 0);
    assert_eq!(body["errmsg"], "ok");
    let info = &body["phone_info"];
    assert_eq!(info["phoneNumber"], "17600381130");
    assert_eq!(info["purePhoneNumber"], "17600381130");
    assert_eq!(info["countryCode"], "86");
    assert_eq!(
        info["watermark"]["appid"],
        app.settings.wechat_appid.as_str()
    );
    let stamped = info["watermark"]["timestamp"].as_i64().expect("timestamp");
    assert!((chrono::Utc::now().timestamp() - stamped).abs() < 60);
}

#[tokio::test]
async fn getuserphonenumber_refuses_unknown_tokens_and_codes() {
    let app = spawn_sandbox().await;
    let (_, body) = app
        .post_json(
            "/wxa/business/getuserphonenumber",
            &[("access_token", "not-issued")],
            &json!({"code": "sandbox-phone:17600381130"}),
        )
        .await;
    assert_eq!(
        body,
        json!({"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"})
    );

    let token = issue_access_token(&app).await;
    for code in [
        "sandbox-phone:1760038113",
        "sandbox-phone:abcdefghijk",
        "xyz",
    ] {
        let (_, body) = app
            .post_json(
                "/wxa/business/getuserphonenumber",
                &[("access_token", &token)],
                &json!({ "code": code }),
            )
            .await;
        assert_eq!(
            body,
            json!({"errcode": 40029, "errmsg": "invalid code"}),
            "{code}"
        );
    }
}

fn decrypt(session_key: &[u8; 16], answer: &Value) -> Value {
    let iv: [u8; 16] = STANDARD
        .decode(answer["iv"].as_str().expect("iv"))
        .expect("iv base64")
        .try_into()
        .expect("16-byte iv");
    let ciphertext = STANDARD
        .decode(answer["encryptedData"].as_str().expect("encryptedData"))
        .expect("encryptedData base64");
    let plaintext = cbc::Decryptor::<Aes128>::new(session_key.into(), &iv.into())
        .decrypt_padded_vec_mut::<Pkcs7>(&ciphertext)
        .expect("valid padding");
    serde_json::from_slice(&plaintext).expect("JSON plaintext")
}

#[tokio::test]
async fn encrypted_phone_decrypts_with_the_session_key_from_login() {
    let app = spawn_sandbox().await;
    let session = code2session(
        &app,
        &app.settings.wechat_appid,
        &app.settings.wechat_secret,
        "sandbox:resident-1",
    )
    .await;
    let session_key: [u8; 16] = STANDARD
        .decode(session["session_key"].as_str().expect("session_key"))
        .expect("base64")
        .try_into()
        .expect("16 bytes");

    let (status, answer) = app
        .post_json(
            "/wechat/encrypt-phone",
            &[],
            &json!({"openid": "resident-1", "phone": "17600381130"}),
        )
        .await;
    assert_eq!(status, 200);
    let plaintext = decrypt(&session_key, &answer);
    assert_eq!(plaintext["phoneNumber"], "17600381130");
    assert_eq!(plaintext["purePhoneNumber"], "17600381130");
    assert_eq!(plaintext["countryCode"], "86");
    assert_eq!(
        plaintext["watermark"]["appid"],
        app.settings.wechat_appid.as_str()
    );
    assert!(plaintext["watermark"]["timestamp"].is_i64());

    let (_, again) = app
        .post_json(
            "/wechat/encrypt-phone",
            &[],
            &json!({"openid": "resident-1", "phone": "17600381130"}),
        )
        .await;
    assert_ne!(
        again["iv"], answer["iv"],
        "every encryption draws a fresh iv"
    );
}

#[tokio::test]
async fn encrypt_phone_can_forge_another_apps_watermark() {
    let app = spawn_sandbox().await;
    let (status, answer) = app
        .post_json(
            "/wechat/encrypt-phone",
            &[],
            &json!({"openid": "resident-2", "phone": "13800138000", "appid": "wx-forged"}),
        )
        .await;
    assert_eq!(status, 200);
    let key = expected_session_key(&app.settings.wechat_secret, "resident-2");
    assert_eq!(decrypt(&key, &answer)["watermark"]["appid"], "wx-forged");
}

#[tokio::test]
async fn encrypt_phone_rejects_incomplete_requests() {
    let app = spawn_sandbox().await;
    for body in [
        json!({"phone": "13800138000"}),
        json!({"openid": "resident-3"}),
        json!({"openid": "bad id", "phone": "13800138000"}),
        json!("not an object"),
    ] {
        let (status, answer) = app.post_json("/wechat/encrypt-phone", &[], &body).await;
        assert_eq!(status, 400, "{body}");
        assert!(answer["error"].is_string(), "{body}");
    }
}

/// A `sandbox-repair` message to `touser` with `data`, as `token`; WeChat's errcode.
async fn send_subscribe(app: &TestSandbox, token: &str, touser: &str, data: Value) -> i64 {
    let (status, body) = app
        .post_json(
            "/cgi-bin/message/subscribe/send",
            &[("access_token", token)],
            &json!({"touser": touser, "template_id": "sandbox-repair", "page": "pages/repair/detail?id=1",
                    "miniprogram_state": "formal", "lang": "zh_CN", "data": data}),
        )
        .await;
    assert_eq!(status, 200, "WeChat always answers 200");
    body["errcode"].as_i64().expect("errcode")
}

fn repair_data(thing1: &str) -> Value {
    json!({"thing1": {"value": thing1}, "phrase2": {"value": "已受理"},
           "thing3": {"value": "无"}, "time4": {"value": "2026年12月05日 14:30"}})
}

#[tokio::test]
async fn subscribe_messages_are_checked_as_wechat_checks_them_one_per_accept() {
    let app = spawn_sandbox().await;
    let token = issue_access_token(&app).await;
    let openid = "o-subscriber";
    // The token, the openid, the template and every value are checked.
    assert_eq!(
        send_subscribe(&app, "stale", openid, repair_data("漏水")).await,
        40001
    );
    assert_eq!(
        send_subscribe(&app, &token, "", repair_data("漏水")).await,
        40003
    );
    let (_, unknown) = app
        .post_json(
            "/cgi-bin/message/subscribe/send",
            &[("access_token", &token)],
            &json!({"touser": openid, "template_id": "nobody's", "data": repair_data("漏水")}),
        )
        .await;
    assert_eq!(unknown["errcode"], 40037);
    let long = "很".repeat(21);
    assert_eq!(
        send_subscribe(&app, &token, openid, repair_data(&long)).await,
        47003
    );
    let mut no_phrase = repair_data("漏水");
    no_phrase["phrase2"]["value"] = json!("accepted");
    assert_eq!(send_subscribe(&app, &token, openid, no_phrase).await, 47003);

    // The resident accepts once: one message goes, the next is refused (43101).
    let (status, left) = app
        .post_json(
            "/wechat/subscribe",
            &[],
            &json!({"openid": openid, "results": {"sandbox-repair": "accept"}}),
        )
        .await;
    assert_eq!((status, left["sandbox-repair"].clone()), (200, json!(1)));
    assert_eq!(
        send_subscribe(&app, &token, openid, repair_data("漏水")).await,
        0
    );
    assert_eq!(
        send_subscribe(&app, &token, openid, repair_data("又漏水")).await,
        43101
    );

    // Failing on demand: WeChat's system error, then back.
    app.post_json(
        "/wechat/subscribe",
        &[],
        &json!({"openid": openid, "results": {"sandbox-repair": "accept"}}),
    )
    .await;
    app.post_json("/wechat/subscribe-fail", &[], &json!({"times": 1}))
        .await;
    assert_eq!(
        send_subscribe(&app, &token, openid, repair_data("门锁")).await,
        -1
    );
    assert_eq!(
        send_subscribe(&app, &token, openid, repair_data("门锁")).await,
        0
    );
    let (status, sent) = app
        .get_json("/wechat/messages", &[("openid", openid)])
        .await;
    assert_eq!(status, 200);
    let things: Vec<&str> = sent
        .as_array()
        .expect("a list")
        .iter()
        .map(|message| message["data"]["thing1"].as_str().expect("thing1"))
        .collect();
    assert_eq!(things, ["漏水", "门锁"], "oldest first");
}
