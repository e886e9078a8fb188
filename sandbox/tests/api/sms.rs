use crate::helpers::{minutes_ago, sms_params_at, spawn_sandbox};

#[tokio::test]
async fn a_signed_get_sends_the_code_and_records_it() {
    let app = spawn_sandbox().await;
    let params = app.sms_params("17600381130", "123456", "login:9f2c");
    let (status, body) = app
        .send_sms("GET", params, &app.settings.sms_access_key_secret)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Code"], "OK");
    assert_eq!(body["Message"], "OK");
    let biz_id = body["BizId"].as_str().expect("BizId");
    let digits = biz_id.strip_suffix("^0").expect("ends with ^0");
    assert!(!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()));
    uuid::Uuid::parse_str(body["RequestId"].as_str().expect("RequestId")).expect("uuid");

    let messages = app.messages_to("17600381130").await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["phone"], "17600381130");
    assert_eq!(messages[0]["code"], "123456");
    assert_eq!(messages[0]["type"], "login");
    let sent_at = messages[0]["sent_at"].as_str().expect("sent_at");
    chrono::DateTime::parse_from_rfc3339(sent_at).expect("RFC 3339");
    assert!(sent_at.ends_with('Z'));
}

#[tokio::test]
async fn a_signed_form_post_is_accepted_and_messages_list_oldest_first() {
    let app = spawn_sandbox().await;
    let secret = app.settings.sms_access_key_secret.clone();
    let first = app.sms_params("13800138000", "111111", "login:a");
    assert_eq!(app.send_sms("POST", first, &secret).await.1["Code"], "OK");
    let second = app.sms_params("13800138000", "222222", "");
    assert_eq!(app.send_sms("GET", second, &secret).await.1["Code"], "OK");
    let elsewhere = app.sms_params("13900139000", "333333", "yezhu:b");
    assert_eq!(
        app.send_sms("POST", elsewhere, &secret).await.1["Code"],
        "OK"
    );

    let messages = app.messages_to("13800138000").await;
    let codes: Vec<_> = messages.iter().map(|m| m["code"].clone()).collect();
    assert_eq!(codes, ["111111", "222222"]);
    assert_eq!(messages[0]["type"], "login");
    assert_eq!(messages[1]["type"], "", "no OutId means no type");
    assert!(app.messages_to("13700137000").await.is_empty());
}

#[tokio::test]
async fn an_unknown_access_key_is_not_found() {
    let app = spawn_sandbox().await;
    let mut params = app.sms_params("17600381130", "123456", "login:x");
    params.insert("AccessKeyId".to_owned(), "someone-else".to_owned());
    let (status, body) = app.send_sms("GET", params, "whatever").await;
    assert_eq!(status, 404);
    assert_eq!(body["Code"], "InvalidAccessKeyId.NotFound");
    assert_eq!(body["Message"], "Specified access key is not found.");
    assert!(body["RequestId"].is_string());
}

#[tokio::test]
async fn a_wrong_signature_does_not_match() {
    let app = spawn_sandbox().await;
    let params = app.sms_params("17600381130", "123456", "login:x");
    let (status, body) = app.send_sms("GET", params, "wrong-secret").await;
    assert_eq!(status, 400);
    assert_eq!(body["Code"], "SignatureDoesNotMatch");

    // Signed for POST but sent as GET.
    let mut signed_for_post = app.sms_params("17600381130", "123456", "login:x");
    let signature = sandbox::aliyun::sign(
        "POST",
        &signed_for_post,
        &app.settings.sms_access_key_secret,
    );
    signed_for_post.insert("Signature".to_owned(), signature);
    let (status, body) = app.send_signed_sms("GET", &signed_for_post).await;
    assert_eq!(status, 400);
    assert_eq!(body["Code"], "SignatureDoesNotMatch");
    assert!(app.messages_to("17600381130").await.is_empty());
}

#[tokio::test]
async fn an_illegal_mobile_number_is_a_business_error() {
    let app = spawn_sandbox().await;
    for phone in ["12345678901", "1760038113", "+8617600381130"] {
        let params = app.sms_params(phone, "123456", "login:x");
        let (status, body) = app
            .send_sms("GET", params, &app.settings.sms_access_key_secret)
            .await;
        assert_eq!(status, 200, "{phone}");
        assert_eq!(body["Code"], "isv.MOBILE_NUMBER_ILLEGAL", "{phone}");
        assert!(body["Message"].is_string());
    }
}

#[tokio::test]
async fn a_stale_timestamp_is_expired() {
    let app = spawn_sandbox().await;
    let params = sms_params_at(
        &app.settings,
        "17600381130",
        "123456",
        "login:x",
        minutes_ago(16),
    );
    let (status, body) = app
        .send_sms("GET", params, &app.settings.sms_access_key_secret)
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["Code"], "InvalidTimeStamp.Expired");

    let recent = sms_params_at(
        &app.settings,
        "17600381130",
        "123456",
        "login:x",
        minutes_ago(5),
    );
    let (status, _) = app
        .send_sms("GET", recent, &app.settings.sms_access_key_secret)
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_reused_nonce_is_refused() {
    let app = spawn_sandbox().await;
    let params = app.sms_params("17600381130", "123456", "login:x");
    let secret = app.settings.sms_access_key_secret.clone();
    let (status, _) = app.send_sms("GET", params.clone(), &secret).await;
    assert_eq!(status, 200);
    let (status, body) = app.send_sms("GET", params, &secret).await;
    assert_eq!(status, 400);
    assert_eq!(body["Code"], "SignatureNonceUsed");
    assert_eq!(app.messages_to("17600381130").await.len(), 1);
}

#[tokio::test]
async fn a_missing_parameter_is_named() {
    let app = spawn_sandbox().await;
    let mut params = app.sms_params("17600381130", "123456", "login:x");
    params.remove("PhoneNumbers");
    let (status, body) = app
        .send_sms("GET", params, &app.settings.sms_access_key_secret)
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["Code"], "MissingPhoneNumbers");
}

#[tokio::test]
async fn listing_messages_requires_a_phone() {
    let app = spawn_sandbox().await;
    let (status, body) = app.get_json("/sms/messages", &[]).await;
    assert_eq!(status, 400);
    assert_eq!(body, serde_json::json!({"error": "phone is required"}));
}
