//! 000 §1.1: verification codes, their examples and their abuse limits.
use serde_json::json;

use crate::helpers::{assert_failure, spawn_app, spawn_app_with};

#[tokio::test]
async fn a_code_is_sent_and_its_key_returned() {
    let app = spawn_app().await;
    let answer = app.request_code("17600381130", "verify").await;
    assert_eq!(answer.code(), 0, "{:?}", answer.body);
    assert_eq!(answer.str("msg"), "验证码获取成功,5分钟内有效");
    assert_eq!(answer.body["token_expired"], json!(1));
    let key = answer.str("key");
    assert!(
        key.starts_with("verificationCode_") && key.len() == 32,
        "{key}"
    );
    let expired_at = answer.str("expired_at");
    assert_eq!(expired_at.len(), 19, "{expired_at}");
    let expected = kit::time::beijing_datetime(kit::time::now_unix() + 300);
    assert_eq!(
        &expired_at[..15],
        &expected[..15],
        "expires about five minutes from now"
    );
    let messages = app.sms_to("17600381130").await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["type"], "verify");
    let code = messages[0]["code"].as_str().unwrap();
    assert!(code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()));
    // Only a keyed hash of the code is kept.
    let stored = app
        .stack
        .cache
        .get(&format!("code:{key}"))
        .await
        .unwrap()
        .unwrap();
    assert!(!stored.contains(code));
    app.stop().await;
}

#[tokio::test]
async fn a_malformed_phone_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let answer = app.request_code("1761049113", "login").await;
    assert_failure(&answer, 1, 400, "必须是正确的手机号");
    assert_eq!(answer.str("phone"), "1761049113");
    assert!(answer.str("msg").contains("phone"));
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_type_is_refused() {
    let app = spawn_app().await;
    let answer = app.request_code("17610491130", "sign-up").await;
    assert_failure(&answer, 1, 400, "type参数必须是login、register、verify等");
    assert_eq!(answer.str("phone"), "17610491130");
    assert!(answer.str("msg").contains("type"));
    assert!(app.sms_to("17610491130").await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn register_codes_are_refused_for_registered_phones() {
    let app = spawn_app().await;
    app.resident_token("o-registered", "17610493577").await;
    let answer = app.request_code("17610493577", "register").await;
    assert_failure(&answer, 1, 409, "手机号已存在");
    assert_eq!(answer.str("msg"), "该手机号已注册，请直接登录");
    assert_eq!(answer.str("phone"), "17610493577");
    app.stop().await;
}

#[tokio::test]
async fn login_codes_are_refused_for_unknown_phones() {
    let app = spawn_app().await;
    let answer = app.request_code("18600381130", "login").await;
    assert_failure(&answer, 1, 404, "该手机号未注册");
    assert_eq!(answer.str("msg"), "该手机号未注册");
    assert_eq!(answer.str("phone"), "18600381130");
    app.stop().await;
}

#[tokio::test]
async fn one_code_a_minute_and_ten_a_day_per_phone() {
    let app = spawn_app().await;
    let phone = "13900000001";
    assert_eq!(app.request_code(phone, "verify").await.code(), 0);
    let again = app.request_code(phone, "verify").await;
    assert_eq!((again.code(), again.status.as_u16()), (1, 429));
    assert_eq!(again.str("msg"), "验证码发送过于频繁，请1分钟后再试");
    for _ in 1..10 {
        app.a_minute_passes(phone).await;
        assert_eq!(app.request_code(phone, "verify").await.code(), 0);
    }
    app.a_minute_passes(phone).await;
    let eleventh = app.request_code(phone, "verify").await;
    assert_eq!((eleventh.code(), eleventh.status.as_u16()), (1, 429));
    assert_eq!(
        eleventh.str("msg"),
        "今日验证码发送次数已达上限，请明天再试"
    );
    assert_eq!(app.sms_to(phone).await.len(), 10);
    app.stop().await;
}

#[tokio::test]
async fn one_ip_may_ask_only_so_many_codes() {
    let app = spawn_app_with(&[("auth.sms_per_ip_per_hour", "3")]).await;
    for phone in ["13900000011", "13900000012", "13900000013"] {
        assert_eq!(app.request_code(phone, "verify").await.code(), 0);
    }
    let fourth = app.request_code("13900000014", "verify").await;
    assert_eq!((fourth.code(), fourth.status.as_u16()), (1, 429));
    assert!(app.sms_to("13900000014").await.is_empty());
    app.stop().await;
}

async fn self_phone_login(
    app: &crate::helpers::TestApp,
    openid: &str,
    key: &str,
    code: &str,
) -> crate::helpers::Answer {
    let (openid, session_key) = app.wechat_session(openid).await;
    app.post(
        "/api/v1/weapp/users",
        json!({"type": "selfPhone", "verification_key": key, "verification_code": code,
               "openid": openid, "session_key": session_key, "name": "yangzhe", "avatar": "avatar"}),
        None,
    )
    .await
}

#[tokio::test]
async fn five_wrong_tries_void_a_code() {
    let app = spawn_app().await;
    let phone = "13700000001";
    let key = app
        .request_code(phone, "register")
        .await
        .str("key")
        .to_owned();
    let code = app.last_code(phone).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..4 {
        let answer = self_phone_login(&app, "o-five", &key, wrong).await;
        assert_failure(&answer, 1, 400, "验证码错误");
        assert!(answer.str("msg").contains("verification_code"));
    }
    let fifth = self_phone_login(&app, "o-five", &key, wrong).await;
    assert_failure(&fifth, 1, 400, "验证码错误次数过多，请重新获取");
    let right = self_phone_login(&app, "o-five", &key, &code).await;
    assert_failure(&right, 1, 400, "验证码已失效");
    assert_eq!(right.str("msg"), "验证码已失效");
    app.stop().await;
}

#[tokio::test]
async fn a_code_signs_in_once() {
    let app = spawn_app().await;
    let phone = "13700000002";
    let key = app
        .request_code(phone, "register")
        .await
        .str("key")
        .to_owned();
    let code = app.last_code(phone).await;
    let first = self_phone_login(&app, "o-once", &key, &code).await;
    assert_eq!(first.code(), 0, "{:?}", first.body);
    assert_eq!(first.str("msg"), "您注册成功！");
    let second = self_phone_login(&app, "o-once-again", &key, &code).await;
    assert_failure(&second, 1, 400, "验证码已失效");
    app.stop().await;
}

/// A yezhu code request of `phone` for 晨曦家园1栋1单元1楼101.
fn yezhu_request(phone: &str) -> serde_json::Value {
    json!({"phone": phone, "type": "yezhu", "community_house_name": YEZHU_HOUSE})
}

const YEZHU_HOUSE: &str = "晨曦家园1栋1单元1楼101";

#[tokio::test]
async fn a_yezhu_code_needs_a_signed_in_applicant_who_looked_the_owner_up() {
    let app = spawn_app().await;
    let token = app.resident_token("o-applicant", "13600000001").await;
    // Signed out: the owner code needs to know who applies.
    let anonymous = app
        .post(
            "/api/v1/verificationCodes/phone",
            yezhu_request("176****1130"),
            None,
        )
        .await;
    assert_eq!((anonymous.code(), anonymous.status.as_u16()), (9, 401));
    // Before the owner look-up, there is no owner to send to.
    let early = app
        .post(
            "/api/v1/verificationCodes/phone",
            yezhu_request("176****1130"),
            Some(&token),
        )
        .await;
    assert_eq!((early.code(), early.status.as_u16()), (1, 409));
    app.stop().await;
}

#[tokio::test]
async fn yezhu_codes_go_to_the_remembered_owner_for_thirty_minutes() {
    let app = spawn_app().await;
    let token = app.resident_token("o-applicant", "13600000001").await;
    let house = YEZHU_HOUSE;

    let mut auth = app.auth_client().await;
    let caller = auth
        .authenticate(proto::auth::AuthenticateRequest {
            token: token.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    let Some(proto::auth::caller::Kind::Resident(resident)) = caller.kind else {
        panic!("a resident token")
    };
    let masked = auth
        .remember_owner_phone(proto::auth::RememberOwnerPhoneRequest {
            user_id: resident.user_id,
            community_house_name: house.to_owned(),
            owner_phone: "17600381130".to_owned(),
        })
        .await
        .unwrap()
        .into_inner()
        .masked_phone;
    assert_eq!(masked, "176****1130");

    let wrong = app
        .post(
            "/api/v1/verificationCodes/phone",
            yezhu_request("13600000001"),
            Some(&token),
        )
        .await;
    assert_failure(&wrong, 1, 400, "手机号与该房屋业主的手机号不一致");
    let sent = app
        .post(
            "/api/v1/verificationCodes/phone",
            yezhu_request(&masked),
            Some(&token),
        )
        .await;
    assert_eq!(sent.code(), 0, "{:?}", sent.body);
    assert_eq!(sent.str("msg"), "验证码获取成功,30分钟内有效");
    let messages = app.sms_to("17600381130").await;
    assert_eq!(
        (messages.len(), messages[0]["type"].as_str()),
        (1, Some("yezhu"))
    );
    assert!(app.sms_to("13600000001").await.is_empty());

    let verified = auth
        .verify_code(proto::auth::VerifyCodeRequest {
            key: sent.str("key").to_owned(),
            code: messages[0]["code"].as_str().unwrap().to_owned(),
            r#type: proto::auth::CodeType::Yezhu.into(),
            user_id: resident.user_id,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(verified.phone, "17600381130");
    app.stop().await;
}
