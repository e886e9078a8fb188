//! 000 §1.2 and §1.4.1: WeChat sessions, register-and-login, token by code.
use serde_json::json;

use crate::helpers::{assert_failure, spawn_app};

#[tokio::test]
async fn a_wechat_code_gives_the_openid_and_a_session_handle() {
    let app = spawn_app().await;
    let answer = app
        .post(
            "/api/v1/weapp/code",
            json!({"code": "sandbox:oRNfs4txH2QmXzewt234oyNdsa-n3HYI"}),
            None,
        )
        .await;
    assert_eq!(answer.code(), 0, "{:?}", answer.body);
    assert_eq!(answer.str("msg"), "获得open_id和seesion_key");
    assert_eq!(answer.str("message"), "成功获取open_id和seesion_key");
    assert_eq!(answer.str("openid"), "oRNfs4txH2QmXzewt234oyNdsa-n3HYI");
    // The handle stands for WeChat's session_key, which never leaves svc-auth.
    let handle = answer.str("session_key");
    assert!(
        handle.len() >= 32 && handle.chars().all(|c| c.is_ascii_alphanumeric()),
        "{handle}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_bad_wechat_code_is_refused() {
    let app = spawn_app().await;
    let answer = app
        .post("/api/v1/weapp/code", json!({"code": "not-a-code"}), None)
        .await;
    assert_failure(&answer, 1, 400, "小程序code不正确，请传递新code值");
    let missing = app.post("/api/v1/weapp/code", json!({}), None).await;
    assert_eq!((missing.code(), missing.status.as_u16()), (1, 400));
    assert!(missing.str("msg").contains("code"));
    app.stop().await;
}

#[tokio::test]
async fn registering_with_the_wechat_phone_creates_the_user_then_logs_in() {
    let app = spawn_app().await;
    let first = app.register_weixin("o-yangzhe", "17600381130").await;
    assert_eq!(first.code(), 0, "{:?}", first.body);
    assert_eq!(first.str("msg"), "您注册成功！");
    assert_eq!(first.body["token_expired"], json!(1));
    assert_eq!(first.str("token_type"), "Bearer");
    assert_eq!(first.body["expires_in"], json!(3600));
    assert_eq!(first.body["permissions"], json!(["NewMember"]));
    assert_eq!(
        (first.str("name"), first.str("avatar")),
        ("yangzhe", "avatar")
    );
    assert!(first.str("access_token").starts_with("eyJ"));

    let second = app.register_weixin("o-yangzhe", "17600381130").await;
    assert_eq!(second.code(), 0, "{:?}", second.body);
    assert_eq!(second.str("msg"), "您登陆成功！");
    app.stop().await;
}

#[tokio::test]
async fn registering_with_an_sms_code_works_and_binds_a_new_wechat_to_the_same_phone() {
    // The code is sent as an integer, as the seed types it: a leading zero may be lost on the way.
    let app = spawn_app().await;
    app.resident_token("o-old-phone-owner", "13500000001").await;
    let key = app
        .request_code("13500000001", "login")
        .await
        .str("key")
        .to_owned();
    let code = app.last_code("13500000001").await;
    let (openid, session_key) = app.wechat_session("o-new-wechat").await;
    let answer = app
        .post(
            "/api/v1/weapp/users",
            json!({"type": "selfPhone", "verification_key": key, "verification_code": code.parse::<i64>().unwrap(),
                   "openid": openid, "session_key": session_key, "name": "yangzhe", "avatar": "avatar"}),
            None,
        )
        .await;
    assert_eq!(answer.code(), 0, "{:?}", answer.body);
    assert_eq!(answer.str("msg"), "您登陆成功！");
    let by_code = app
        .post(
            "/api/v1/weapp/authorizations",
            json!({"code": "sandbox:o-new-wechat"}),
            None,
        )
        .await;
    assert_eq!(by_code.code(), 0, "{:?}", by_code.body);
    app.stop().await;
}

#[tokio::test]
async fn a_missing_name_is_refused_as_the_seed_says() {
    let app = spawn_app().await;
    let (openid, session_key) = app.wechat_session("o-noname").await;
    let answer = app
        .post(
            "/api/v1/weapp/users",
            json!({"type": "weixin", "openid": openid, "session_key": session_key, "avatar": "a"}),
            None,
        )
        .await;
    assert_failure(&answer, 1, 400, "用户的name值未传送");
    assert!(answer.str("msg").contains("name"));
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_verification_key_is_an_expired_code() {
    let app = spawn_app().await;
    let (openid, session_key) = app.wechat_session("o-expired").await;
    let answer = app
        .post(
            "/api/v1/weapp/users",
            json!({"type": "selfPhone", "verification_key": "verificationCode_qaFUTv8034G29I5",
                   "verification_code": 123456, "openid": openid, "session_key": session_key,
                   "name": "yangzhe", "avatar": "avatar"}),
            None,
        )
        .await;
    assert_failure(&answer, 1, 400, "验证码已失效");
    assert_eq!(answer.str("msg"), "验证码已失效");
    app.stop().await;
}

#[tokio::test]
async fn phone_data_for_another_mini_program_is_refused() {
    let app = spawn_app().await;
    let (openid, session_key) = app.wechat_session("o-forged").await;
    let (data, iv) = app
        .encrypt_phone(&openid, "17600381130", Some("wx-someone-else"))
        .await;
    let answer = app
        .post(
            "/api/v1/weapp/users",
            json!({"type": "weixin", "encryptedData": data, "iv": iv, "openid": openid,
                   "session_key": session_key, "name": "n", "avatar": "a"}),
            None,
        )
        .await;
    assert_eq!((answer.code(), answer.status.as_u16()), (1, 400));
    assert!(answer.str("msg").contains("encryptedData"));
    app.stop().await;
}

#[tokio::test]
async fn a_session_handle_only_works_for_its_own_openid() {
    let app = spawn_app().await;
    let (_, session_key) = app.wechat_session("o-victim-session").await;
    let (data, iv) = app
        .encrypt_phone("o-victim-session", "17600381130", None)
        .await;
    let answer = app
        .post(
            "/api/v1/weapp/users",
            json!({"type": "weixin", "encryptedData": data, "iv": iv, "openid": "o-attacker",
                   "session_key": session_key, "name": "n", "avatar": "a"}),
            None,
        )
        .await;
    assert_eq!((answer.code(), answer.status.as_u16()), (1, 400));
    assert!(answer.str("msg").contains("openid"));
    app.stop().await;
}

#[tokio::test]
async fn the_newer_phone_number_code_route_registers_too() {
    let app = spawn_app().await;
    let (openid, session_key) = app.wechat_session("o-phone-code").await;
    let answer = app
        .post(
            "/api/v1/weapp/users",
            json!({"type": "weixin", "phone_code": "sandbox-phone:13912345678", "openid": openid,
                   "session_key": session_key, "name": "n", "avatar": "a"}),
            None,
        )
        .await;
    assert_eq!(answer.code(), 0, "{:?}", answer.body);
    assert_eq!(answer.str("msg"), "您注册成功！");
    let bad = app
        .post(
            "/api/v1/weapp/users",
            json!({"type": "weixin", "phone_code": "nonsense", "openid": openid,
                   "session_key": session_key, "name": "n", "avatar": "a"}),
            None,
        )
        .await;
    assert_eq!((bad.code(), bad.status.as_u16()), (1, 400));
    app.stop().await;
}

#[tokio::test]
async fn a_token_by_code_for_registered_users_only() {
    let app = spawn_app().await;
    app.resident_token("o-member", "17600381131").await;
    let answer = app
        .post_form(
            "/api/v1/weapp/authorizations",
            &[("code", "sandbox:o-member")],
        )
        .await;
    assert_eq!(answer.code(), 0, "{:?}", answer.body);
    assert_eq!(answer.str("msg"), "token值等用户数据获取成功");
    assert_eq!(answer.str("token_type"), "Bearer");
    assert_eq!(answer.body["expires_in"], json!(3600));
    assert_eq!(answer.body["permissions"], json!(["NewMember"]));
    assert_eq!(answer.str("name"), "yangzhe");

    let visitor = app
        .post(
            "/api/v1/weapp/authorizations",
            json!({"code": "sandbox:o-visitor"}),
            None,
        )
        .await;
    assert_failure(&visitor, 1, 404, "这只是个游客");
    let bad = app
        .post("/api/v1/weapp/authorizations", json!({"code": "x"}), None)
        .await;
    assert_failure(&bad, 1, 400, "小程序code不正确，请传递新code值");
    app.stop().await;
}

#[tokio::test]
async fn each_registration_type_needs_its_own_fields() {
    let app = spawn_app().await;
    let (openid, session_key) = app.wechat_session("o-fields").await;
    for (extra, field) in [
        (json!({"type": "weixin", "encryptedData": "abc"}), "iv"),
        (json!({"type": "weixin"}), "encryptedData"),
        (
            json!({"type": "selfPhone", "verification_code": 123456}),
            "verification_key",
        ),
        (json!({"type": "qq"}), "type"),
        (
            json!({"type": "weixin", "phone_code": "pc", "avatar": "a".repeat(1025)}),
            "avatar",
        ),
    ] {
        let mut body = json!({"openid": openid, "session_key": session_key, "name": "n",
                              "avatar": "a"});
        for (key, value) in extra.as_object().unwrap() {
            body[key] = value.clone();
        }
        let answer = app.post("/api/v1/weapp/users", body, None).await;
        assert_eq!((answer.code(), answer.status.as_u16()), (1, 400), "{field}");
        assert!(
            answer.str("msg").contains(field),
            "{field}: {:?}",
            answer.body
        );
    }
    app.stop().await;
}
