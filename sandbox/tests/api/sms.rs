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

/// A SendSms as Alibaba Cloud's current SDKs send it: `POST /` of the SMS host, the parameters in
/// the query, the V3 signature (`ACS3-HMAC-SHA256`) over the signed headers; each test changes
/// one thing with `tamper` before it is sent.
async fn send_v3(
    app: &crate::helpers::TestSandbox,
    phone: &str,
    secret: &str,
    tamper: impl FnOnce(&mut Vec<(String, String)>, &mut String),
) -> (u16, serde_json::Value) {
    use sandbox::aliyun::acs3;
    let base = app.sandbox.sms_url().expect("the SMS host");
    let host = base.trim_start_matches("http://").to_owned();
    let query: std::collections::BTreeMap<String, String> = [
        ("PhoneNumbers", phone),
        ("SignName", "万家灯火"),
        ("TemplateCode", "SMS_000001"),
        ("TemplateParam", r#"{"code":"654321"}"#),
        ("OutId", "login:v3"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let mut headers: Vec<(String, String)> = [
        ("host", host.as_str()),
        ("x-acs-action", "SendSms"),
        ("x-acs-version", "2017-05-25"),
        (
            "x-acs-date",
            &chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        ),
        ("x-acs-signature-nonce", &uuid::Uuid::new_v4().to_string()),
        ("x-acs-content-sha256", &acs3::content_sha256(b"")),
        ("accept", "application/json"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let payload = acs3::content_sha256(b"");
    let to_sign = acs3::string_to_sign("POST", "/", &query, &headers, &payload);
    let (_, signed) = acs3::canonical_headers(&headers);
    let mut authorization = acs3::Authorization {
        access_key_id: app.settings.sms_access_key_id.clone(),
        signed_headers: signed.split(';').map(str::to_owned).collect(),
        signature: acs3::signature(secret, &to_sign),
    }
    .header_value();
    tamper(&mut headers, &mut authorization);
    let mut request = app
        .client
        .post(format!("{base}/"))
        .query(&query)
        .header("Authorization", authorization);
    for (name, value) in headers.iter().filter(|(name, _)| name != "host") {
        request = request.header(name.as_str(), value.as_str());
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON body"))
}

#[tokio::test]
async fn a_v3_signed_request_at_the_sms_hosts_root_sends() {
    let app = crate::helpers::spawn_sandbox_with(sandbox::SandboxSettings {
        sms_listen: "127.0.0.1:0".to_owned(),
        ..Default::default()
    })
    .await;
    let secret = app.settings.sms_access_key_secret.clone();
    let (status, body) = send_v3(&app, "13600136000", &secret, |_, _| {}).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Code"], "OK");
    let messages = app.messages_to("13600136000").await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["code"], "654321");
    assert_eq!(messages[0]["type"], "login");

    // Another secret; a header changed after signing; a header left unsigned.
    let (status, body) = send_v3(&app, "13600136000", "wrong-secret", |_, _| {}).await;
    assert_eq!(
        (status, body["Code"].clone()),
        (400, "SignatureDoesNotMatch".into())
    );
    let (status, body) = send_v3(&app, "13600136000", &secret, |headers, _| {
        headers[1].1 = "SendBatchSms".to_owned();
    })
    .await;
    assert_eq!(
        (status, body["Code"].clone()),
        (400, "SignatureDoesNotMatch".into())
    );
    let (status, body) = send_v3(&app, "13600136000", &secret, |_, authorization| {
        *authorization = authorization.replace("x-acs-date;", "");
    })
    .await;
    assert_eq!(
        (status, body["Code"].clone()),
        (400, "IncompleteSignature".into())
    );
    let (status, body) = send_v3(&app, "13600136000", &secret, |headers, _| {
        headers[5].1 = sandbox::aliyun::acs3::content_sha256(b"a body");
    })
    .await;
    assert_eq!(
        (status, body["Code"].clone()),
        (400, "ContentSHA256NotMatch".into())
    );
    assert_eq!(app.messages_to("13600136000").await.len(), 1);
    // The RPC signature is still served beside it.
    let params = app.sms_params("13600136000", "111111", "login:rpc");
    assert_eq!(app.send_sms("GET", params, &secret).await.1["Code"], "OK");
}

#[tokio::test]
async fn no_sms_host_unless_asked() {
    let app = spawn_sandbox().await;
    assert_eq!(app.sandbox.sms_url(), None);
}
