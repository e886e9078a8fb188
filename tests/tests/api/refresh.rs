//! 000 §1.4.2 and §1.5.1: token rotation, the 14-day window, code 9, permissions.
use serde_json::json;
use svc_auth::domain::tokens::{TokenKeys, TokenKind};

use crate::helpers::{TestApp, assert_failure, spawn_app};

/// Token keys with the stack's secret but another lifetime, to forge old or expired tokens.
fn keys(access_ttl_seconds: i64) -> TokenKeys {
    let mut platform: kit::settings::Platform = kit::settings::load_with(&[]).unwrap();
    platform.tokens.access_ttl_seconds = access_ttl_seconds;
    TokenKeys::new(&platform.tokens)
}

async fn user_id(app: &TestApp, token: &str) -> i64 {
    let caller = app
        .auth_client()
        .await
        .authenticate(proto::auth::AuthenticateRequest {
            token: token.to_owned(),
        })
        .await
        .unwrap()
        .into_inner();
    match caller.kind {
        Some(proto::auth::caller::Kind::Resident(resident)) => resident.user_id,
        other => panic!("not a resident: {other:?}"),
    }
}

async fn permissions(app: &TestApp, token: Option<&str>) -> crate::helpers::Answer {
    app.post("/api/v1/people/permissions", json!({}), token)
        .await
}

#[tokio::test]
async fn a_refreshed_token_replaces_the_old_one_for_good() {
    let app = spawn_app().await;
    let old = app.resident_token("o-rotate", "17600381130").await;
    // Used before: the gateway remembers the caller, and still forgets it once exchanged.
    for _ in 0..2 {
        assert_eq!(permissions(&app, Some(&old)).await.code(), 0);
    }
    let answer = app.put("/api/v1/authorizations/current", Some(&old)).await;
    assert_eq!(answer.code(), 0, "{:?}", answer.body);
    assert_eq!(answer.str("msg"), "token值等用户数据获取成功");
    assert_eq!(answer.body["permissions"], json!(["NewMember"]));
    assert_eq!(answer.str("token_type"), "Bearer");
    let new = answer.str("access_token").to_owned();
    assert_ne!(new, old);

    assert_eq!(permissions(&app, Some(&new)).await.code(), 0);
    let stale = permissions(&app, Some(&old)).await;
    assert_eq!((stale.code(), stale.status.as_u16()), (9, 401));
    assert_eq!(stale.body["token_expired"], json!(0));
    let twice = app.put("/api/v1/authorizations/current", Some(&old)).await;
    assert_eq!((twice.code(), twice.status.as_u16()), (9, 401));
    app.stop().await;
}

#[tokio::test]
async fn an_expired_token_is_refused_for_calls_but_exchanged_once() {
    let app = spawn_app().await;
    let token = app.resident_token("o-expired-token", "17600381132").await;
    let id = user_id(&app, &token).await;
    let expired = keys(-60)
        .issue(TokenKind::Resident, &id.to_string(), None)
        .unwrap()
        .token;
    let refused = permissions(&app, Some(&expired)).await;
    assert_eq!((refused.code(), refused.status.as_u16()), (9, 401));
    assert_eq!(refused.body["token_expired"], json!(0));
    let renewed = app
        .put("/api/v1/authorizations/current", Some(&expired))
        .await;
    assert_eq!(renewed.code(), 0, "{:?}", renewed.body);
    assert_eq!(
        permissions(&app, Some(renewed.str("access_token")))
            .await
            .code(),
        0
    );
    let again = app
        .put("/api/v1/authorizations/current", Some(&expired))
        .await;
    assert_eq!(again.code(), 9);
    app.stop().await;
}

#[tokio::test]
async fn after_fourteen_days_only_the_code_route_works() {
    let app = spawn_app().await;
    let token = app.resident_token("o-old-chain", "17600381133").await;
    let id = user_id(&app, &token).await;
    let fifteen_days_ago = kit::time::now_unix() - 15 * 86_400;
    let old = keys(-60)
        .issue(TokenKind::Resident, &id.to_string(), Some(fifteen_days_ago))
        .unwrap()
        .token;
    let answer = app.put("/api/v1/authorizations/current", Some(&old)).await;
    assert_failure(&answer, 9, 401, "刷新token值失败,message编码Au335");
    let by_code = app
        .post(
            "/api/v1/weapp/authorizations",
            json!({"code": "sandbox:o-old-chain"}),
            None,
        )
        .await;
    assert_eq!(by_code.code(), 0);
    app.stop().await;
}

#[tokio::test]
async fn missing_or_forged_tokens_get_code_nine() {
    let app = spawn_app().await;
    for token in [None, Some("garbage"), Some("eyJhbGciOiJIUzI1NiJ9.e30.x")] {
        let answer = permissions(&app, token).await;
        // The seeds' code-9 answer (000 §2.1 example 2, 001 §1.1.1.4).
        assert_failure(
            &answer,
            9,
            401,
            "token值因各种原因而失效，请重新调用接口获取token",
        );
        assert_eq!(answer.str("msg"), "请重新建立智慧平台鉴权连接");
    }
    let other_secret = TokenKeys::new(&kit::settings::TokenSettings {
        secret: "not-ours".to_owned(),
        access_ttl_seconds: 3600,
        refresh_window_seconds: 1_209_600,
    })
    .issue(TokenKind::Resident, "1", None)
    .unwrap()
    .token;
    assert_eq!(permissions(&app, Some(&other_secret)).await.code(), 9);
    assert_eq!(
        app.put("/api/v1/authorizations/current", None).await.code(),
        9
    );
    app.stop().await;
}

#[tokio::test]
async fn permissions_follow_the_registration_state() {
    let app = spawn_app().await;
    let token = app.resident_token("o-perm", "17600381134").await;
    let answer = permissions(&app, Some(&token)).await;
    assert_eq!(answer.code(), 0, "{:?}", answer.body);
    assert_eq!(answer.str("msg"), "获取用户角色成功");
    assert_eq!(answer.str("message"), "获取用户角色成功message编码Yi2048");
    assert_eq!(answer.body["token_expired"], json!(1));
    assert_eq!(answer.body["data"], json!(["NewMember"]));

    let id = user_id(&app, &token).await;
    app.auth_client()
        .await
        .set_registration_state(proto::auth::SetRegistrationStateRequest {
            user_id: id,
            state: proto::auth::RegistrationState::HouseMember.into(),
        })
        .await
        .unwrap();
    assert_eq!(
        permissions(&app, Some(&token)).await.body["data"],
        json!(["HouseMember"])
    );
    app.stop().await;
}

#[tokio::test]
async fn a_token_of_nobody_is_a_visitor() {
    let app = spawn_app().await;
    let nobody = keys(3600)
        .issue(TokenKind::Resident, "987654", None)
        .unwrap()
        .token;
    let answer = permissions(&app, Some(&nobody)).await;
    assert_failure(&answer, 1, 404, "这只是个游客");
    app.stop().await;
}
