//! 000 §1 and 001 §1.2.1 through the gateway.
use serde_json::json;

use crate::fake_auth::{BAD_PHONE, PLATFORM_TOKEN, RESIDENT_TOKEN};
use crate::helpers::{read, spawn_app};

#[tokio::test]
async fn a_code_request_answers_in_the_seed_shape_with_a_numeric_phone() {
    let app = spawn_app().await;
    let (status, body) = app
        .post_json(
            "/api/v1/verificationCodes/phone",
            &json!({"phone": 17600381130_i64, "type": "login"}),
        )
        .await;
    assert_eq!(status, 200);
    let key = body["key"].as_str().expect("key").to_owned();
    assert!(key.starts_with("0|127.0.0.1|"), "{key}");
    assert_eq!(
        body,
        json!({"code":0,"token_expired":1,"msg":"验证码获取成功,5分钟内有效","message":"验证码获取成功",
            "key": key, "expired_at":"2020-11-19 13:34:38"})
    );
}

#[tokio::test]
async fn a_signed_in_resident_asking_for_an_owner_code_is_known_and_hears_thirty_minutes() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/v1/verificationCodes/phone"))
        .bearer_auth(RESIDENT_TOKEN)
        .header("x-request-id", "trace-me_1")
        .form(&[
            ("phone", "17600381130"),
            ("type", "yezhu"),
            ("community_house_name", "晨曦家园1号楼"),
        ])
        .send()
        .await
        .expect("request");
    assert_eq!(
        response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("trace-me_1")
    );
    let (status, body) = read(response).await;
    assert_eq!(status, 200);
    assert_eq!(body["key"], "7|127.0.0.1|trace-me_1|yezhu");
    assert_eq!(body["msg"], "验证码获取成功,30分钟内有效");
}

#[tokio::test]
async fn a_refused_code_carries_the_service_extras_at_the_top() {
    let app = spawn_app().await;
    let (status, body) = app
        .post_json(
            "/api/v1/verificationCodes/phone",
            &json!({"phone": BAD_PHONE, "type": "login"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], 1);
    assert_eq!(body["token_expired"], 1);
    assert_eq!(body["message"], "必须是正确的手机号");
    assert_eq!(body["phone"], BAD_PHONE);
}

#[tokio::test]
async fn a_missing_field_is_named() {
    let app = spawn_app().await;
    let (status, body) = app
        .post_json("/api/v1/verificationCodes/phone", &json!({"type": "login"}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], 1);
    assert!(body["msg"].as_str().expect("msg").contains("phone"));
}

#[tokio::test]
async fn wechat_code_gives_openid_and_session_key() {
    let app = spawn_app().await;
    let (status, body) = app
        .post_json("/api/v1/weapp/code", &json!({"code": "sandbox:o-1"}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"code":0,"token_expired":1,"msg":"获得open_id和seesion_key","openid":"o-1",
            "session_key":"handle","message":"成功获取open_id和seesion_key"})
    );
    let (status, body) = app
        .post_json("/api/v1/weapp/code", &json!({"code": "bad"}))
        .await;
    assert_eq!((status, body["code"].clone()), (502, json!(1)));
}

#[tokio::test]
async fn registering_answers_registered_or_logged_in() {
    let app = spawn_app().await;
    let mut form = json!({"type":"weixin","encryptedData":"e","iv":"i","openid":"new",
        "session_key":"s","name":"yangzhe","avatar":"avatar"});
    let (status, body) = app.post_json("/api/v1/weapp/users", &form).await;
    assert_eq!(status, 200);
    assert_eq!(body["msg"], "您注册成功！");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["permissions"], json!(["NewMember"]));
    form["openid"] = json!("old");
    let (_, body) = app.post_json("/api/v1/weapp/users", &form).await;
    assert_eq!(body["msg"], "您登陆成功！");
    assert_eq!(body["message"], "您登陆成功！");
    form.as_object_mut().expect("object").remove("name");
    let (status, body) = app.post_json("/api/v1/weapp/users", &form).await;
    assert_eq!(status, 400);
    assert_eq!(body["message"], "用户的name值未传送");
}

#[tokio::test]
async fn a_code_and_an_old_token_both_give_a_token() {
    let app = spawn_app().await;
    let (status, body) = app
        .post_json(
            "/api/v1/weapp/authorizations",
            &json!({"code": "sandbox:o"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["msg"], "token值等用户数据获取成功");
    assert_eq!(body["expires_in"], 3600);

    let refresh = |token: Option<&str>| {
        let mut request = app.client.put(app.url("/api/v1/authorizations/current"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let (status, body) = read(refresh(Some("expired-but-fine")).await.expect("put")).await;
    assert_eq!(status, 200);
    assert_eq!(body["access_token"], "eyJ0eXAiO");
    let (status, body) = read(refresh(None).await.expect("put")).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], 9);
    assert_eq!(body["token_expired"], 0);
    assert_eq!(
        body["message"],
        "token值因各种原因而失效，请重新调用接口获取token"
    );
    let (status, body) = read(refresh(Some("too-old")).await.expect("put")).await;
    assert_eq!((status, body["code"].clone()), (409, json!(1)));
}

#[tokio::test]
async fn permissions_need_a_resident_token() {
    let app = spawn_app().await;
    let ask = |token: Option<&str>| {
        let mut request = app.client.post(app.url("/api/v1/people/permissions"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let (status, body) = read(ask(Some(RESIDENT_TOKEN)).await.expect("post")).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"code":0,"token_expired":1,"msg":"获取用户角色成功","data":["HouseMember"],
            "message":"获取用户角色成功message编码Yi2048"})
    );
    let (status, body) = read(ask(None).await.expect("post")).await;
    assert_eq!(status, 401);
    assert_eq!(
        body,
        json!({"code":9,"token_expired":0,"msg":"请重新建立智慧平台鉴权连接","message":"token值因各种原因而失效，请重新调用接口获取token","data":null})
    );
    let (status, body) = read(ask(Some("stale")).await.expect("post")).await;
    assert_eq!((status, body["code"].clone()), (401, json!(9)));
    assert_eq!(
        body["message"],
        "token值因各种原因而失效，请重新调用接口获取token"
    );
    let (status, body) = read(ask(Some(PLATFORM_TOKEN)).await.expect("post")).await;
    assert_eq!((status, body["code"].clone()), (403, json!(1)));
}

#[tokio::test]
async fn the_platform_gets_a_token_for_its_credentials_by_form() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/v1/wjdh/secret"))
        .form(&[("secret_id", "123456"), ("secret_key", "123456")])
        .send()
        .await
        .expect("post");
    let (status, body) = read(response).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"code":0,"token_expired":1,"msg":"获取到了token值","message":"获取到了token值",
            "access_token": PLATFORM_TOKEN,"token_type":"Bearer","expires_in":3600})
    );
    let (status, body) = app
        .post_json(
            "/api/v1/wjdh/secret",
            &json!({"secret_id": 123456, "secret_key": "wrong"}),
        )
        .await;
    assert_eq!((status, body["code"].clone()), (404, json!(1)));
    assert_eq!(
        body["message"],
        "告诉负责人，是security_platform_managers表里没有查找到"
    );
}
