//! 001 §1.2.1: platform credentials → token; hashed secrets; community scope; revocation.
use serde_json::json;

use crate::helpers::{TestApp, assert_failure, spawn_app};

async fn caller(app: &TestApp, token: &str) -> Result<proto::auth::Caller, tonic::Status> {
    app.auth_client()
        .await
        .authenticate(proto::auth::AuthenticateRequest {
            token: token.to_owned(),
        })
        .await
        .map(tonic::Response::into_inner)
}

#[tokio::test]
async fn the_demo_credentials_get_a_token_scoped_to_their_community() {
    let app = spawn_app().await;
    let answer = app
        .post_form(
            "/api/v1/wjdh/secret",
            &[("secret_id", "123456"), ("secret_key", "123456")],
        )
        .await;
    assert_eq!(answer.code(), 0, "{:?}", answer.body);
    assert_eq!(answer.str("msg"), "获取到了token值");
    assert_eq!(answer.body["token_expired"], json!(1));
    assert_eq!(answer.str("token_type"), "Bearer");
    assert_eq!(answer.body["expires_in"], json!(3600));
    let token = answer.str("access_token").to_owned();
    match caller(&app, &token).await.unwrap().kind {
        Some(proto::auth::caller::Kind::Platform(platform)) => {
            assert_eq!(platform.communities, vec!["10002".to_owned()]);
        }
        other => panic!("not a platform: {other:?}"),
    }
    let other = app
        .post(
            "/api/v1/wjdh/secret",
            json!({"secret_id": "jyl-demo", "secret_key": "jyl-demo-secret"}),
            None,
        )
        .await;
    match caller(&app, other.str("access_token")).await.unwrap().kind {
        Some(proto::auth::caller::Kind::Platform(platform)) => {
            assert_eq!(platform.communities, vec!["10003".to_owned()]);
        }
        other => panic!("not a platform: {other:?}"),
    }
    // A platform token is not a resident's.
    let resident_route = app
        .post("/api/v1/people/permissions", json!({}), Some(&token))
        .await;
    assert_eq!(
        (resident_route.code(), resident_route.status.as_u16()),
        (1, 403)
    );
    app.stop().await;
}

#[tokio::test]
async fn a_wrong_pair_is_refused_as_the_seed_says() {
    let app = spawn_app().await;
    let answer = app
        .post(
            "/api/v1/wjdh/secret",
            json!({"secret_id": "123456", "secret_key": "654321"}),
            None,
        )
        .await;
    assert_failure(
        &answer,
        1,
        403,
        "告诉负责人，是security_platform_managers表里没有查找到",
    );
    assert_eq!(
        answer.str("msg"),
        "没有找到该密钥对儿对应的用户，请联系万家灯火平台的数据库负责人"
    );
    let unknown = app
        .post(
            "/api/v1/wjdh/secret",
            json!({"secret_id": "nobody", "secret_key": "x"}),
            None,
        )
        .await;
    assert_eq!(unknown.str("msg"), answer.str("msg"));
    let missing = app
        .post("/api/v1/wjdh/secret", json!({"secret_id": "123456"}), None)
        .await;
    assert_eq!((missing.code(), missing.status.as_u16()), (1, 400));
    assert!(missing.str("msg").contains("secret_key"));
    app.stop().await;
}

#[tokio::test]
async fn repeated_failures_lock_the_secret_id_for_a_while() {
    let app = spawn_app().await;
    // `auth.platform_max_failures` wrong secrets from this client...
    for _ in 0..5 {
        let answer = app
            .post(
                "/api/v1/wjdh/secret",
                json!({"secret_id": "123456", "secret_key": "guess"}),
                None,
            )
            .await;
        assert_eq!(answer.status.as_u16(), 403);
    }
    // ...and it is locked out of this secret_id, even with the right secret.
    let locked = app
        .post(
            "/api/v1/wjdh/secret",
            json!({"secret_id": "123456", "secret_key": "123456"}),
            None,
        )
        .await;
    assert_eq!((locked.code(), locked.status.as_u16()), (1, 429));
    app.stop().await;
}

#[tokio::test]
async fn secrets_are_stored_hashed_and_revocation_is_immediate() {
    let app = spawn_app().await;
    let db = app.stack.auth_db.clone();
    svc_auth::actions::admin::create_credential(
        &db,
        "ops-1",
        "s3cret-value",
        "运维",
        &["10002".to_owned(), "10003".to_owned()],
    )
    .await
    .unwrap();
    let stored = db
        .run(|conn| svc_auth::db::credentials::find_by_secret_id(conn, "ops-1"))
        .await
        .unwrap()
        .unwrap();
    assert!(stored.secret_hash.starts_with("$argon2id$"));
    assert!(!stored.secret_hash.contains("s3cret-value"));

    let token = app
        .post(
            "/api/v1/wjdh/secret",
            json!({"secret_id": "ops-1", "secret_key": "s3cret-value"}),
            None,
        )
        .await
        .str("access_token")
        .to_owned();
    match caller(&app, &token).await.unwrap().kind {
        Some(proto::auth::caller::Kind::Platform(platform)) => {
            assert_eq!(
                platform.communities,
                vec!["10002".to_owned(), "10003".to_owned()]
            );
        }
        other => panic!("not a platform: {other:?}"),
    }
    // The gateway remembers the caller after the first call...
    let orders = json!({"xiaoqu": "10002"});
    for _ in 0..2 {
        let listed = app
            .post("/api/v1/order/list", orders.clone(), Some(&token))
            .await;
        assert_eq!(listed.code(), 0, "{:?}", listed.body);
    }
    // The second page was the one the gateway kept: revoking must end that too.
    let route = "/api/v1/wjdh/order/list";
    assert_eq!(app.list_pages(route, "unchanged").await, 1);
    assert!(
        svc_auth::actions::admin::revoke_credential(&db, &app.stack.cache, "ops-1", 7200)
            .await
            .unwrap()
    );
    let status = caller(&app, &token).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unauthenticated);
    // ...and forgets it at once when the credential is revoked.
    let refused = app.post("/api/v1/order/list", orders, Some(&token)).await;
    assert_eq!((refused.code(), refused.status.as_u16()), (9, 401));
    let again = app
        .post(
            "/api/v1/wjdh/secret",
            json!({"secret_id": "ops-1", "secret_key": "s3cret-value"}),
            None,
        )
        .await;
    assert_eq!(again.code(), 1);
    let listed = svc_auth::actions::admin::list_credentials(&db)
        .await
        .unwrap();
    assert!(listed.iter().any(|c| c.secret_id == "ops-1" && c.revoked));
    assert!(listed.iter().any(|c| c.secret_id == "123456" && !c.revoked));
    app.stop().await;
}

#[tokio::test]
async fn an_oversized_secret_is_refused_at_the_edge_naming_the_field() {
    let app = spawn_app().await;
    let answer = app
        .post(
            "/api/v1/wjdh/secret",
            json!({"secret_id": "123456", "secret_key": "k".repeat(1025)}),
            None,
        )
        .await;
    assert_eq!((answer.code(), answer.status.as_u16()), (1, 400));
    assert!(
        answer.str("msg").contains("secret_key"),
        "{:?}",
        answer.body
    );
    // Numbers are read as their digits.
    let numeric = app
        .post(
            "/api/v1/wjdh/secret",
            json!({"secret_id": 123456, "secret_key": 123456}),
            None,
        )
        .await;
    assert_eq!(numeric.code(), 0, "{:?}", numeric.body);
    app.stop().await;
}
