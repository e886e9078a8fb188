//! `secplat::SecplatClient` against the sandbox's security platform.

use std::sync::Arc;
use std::time::{Duration, Instant};

use kit::cache::{MemoryCache, SharedCache};
use kit::error::{ErrorKind, ServiceError};
use secplat::{HouseAddress, SecplatClient, SecplatError, SecplatSettings, TOKEN_CACHE_KEY};
use serde_json::json;

use crate::helpers::{TestSandbox, spawn_sandbox};

fn settings_for(base_url: &str, timeout_ms: u64) -> SecplatSettings {
    SecplatSettings {
        base_url: format!("{base_url}/secplat"),
        key_k: "sandbox-key".to_owned(),
        key_d: "sandbox-secret".to_owned(),
        timeout_ms,
    }
}

fn new_cache() -> SharedCache {
    Arc::new(MemoryCache::new("secplat-test:"))
}

fn client_of(app: &TestSandbox, cache: &SharedCache) -> SecplatClient {
    SecplatClient::new(settings_for(&app.sandbox.base_url(), 3000), cache.clone())
        .expect("client builds")
}

async fn cached_token(cache: &SharedCache) -> Option<String> {
    cache.get(TOKEN_CACHE_KEY).await.expect("cache answers")
}

async fn fail_next(app: &TestSandbox, times: u32) {
    let (status, _) = app
        .post_json("/secplat/fail", &[], &json!({ "times": times }))
        .await;
    assert_eq!(status, 200);
}

fn address(community: &str, building: i64, unit: i64, floor: i64, house: i64) -> HouseAddress {
    HouseAddress {
        community_identifier: community.to_owned(),
        building_number: building,
        unit_number: unit,
        floor_number: floor,
        house_number: house,
    }
}

#[tokio::test]
async fn a_person_is_looked_up_and_typed() {
    let app = spawn_sandbox().await;
    let client = client_of(&app, &new_cache());
    let person = client
        .find_person("17600381130", "王芳")
        .await
        .expect("the platform answers")
        .expect("王芳 is known");
    assert_eq!(person.people_name, "王芳");
    assert_eq!(person.people_sex, "女");
    assert_eq!(person.people_birth, "19900220");
    assert_eq!(person.people_idcard, "130302199002205026");
    assert!(!person.people_dibao);
    let house = &person.houses[0];
    assert_eq!(
        house.address(),
        Some(address("10002", 1, 1, 2, 201)),
        "{house:?}"
    );
    assert_eq!(house.people_house_role, "业主");
    let father = &house.members[1];
    assert_eq!(father.member_role, "父亲");
    assert_eq!(father.member_zhengzhimianmao, "党员");
    assert!(father.member_dibao);

    let by_phone = client
        .find_person("15131512234", "")
        .await
        .expect("answers")
        .expect("found by phone alone");
    assert_eq!(by_phone.houses.len(), 2);
    assert_eq!(by_phone.houses[0].members.len(), 4);
}

#[tokio::test]
async fn an_unknown_person_is_none() {
    let app = spawn_sandbox().await;
    let client = client_of(&app, &new_cache());
    let found = client
        .find_person("17600381130", "付钰")
        .await
        .expect("the platform answers");
    assert!(found.is_none());
    let found = client
        .find_person("13000000000", "")
        .await
        .expect("answers");
    assert!(found.is_none());
}

#[tokio::test]
async fn the_owner_of_a_house_is_found_or_none() {
    let app = spawn_sandbox().await;
    let client = client_of(&app, &new_cache());
    let owner = client
        .find_owner(&address("10002", 1, 1, 1, 101))
        .await
        .expect("answers")
        .expect("付钰 owns 101");
    assert_eq!(owner.people_phone, "15131512234");
    assert_eq!(owner.people_house_use, "住宅");
    assert_eq!(owner.people_house_role, "业主");
    assert_eq!(owner.people_house_type, "业主");

    let none = client
        .find_owner(&address("10002", 2, 1, 1, 101))
        .await
        .expect("answers");
    assert!(none.is_none());
}

#[tokio::test]
async fn module_states_are_parsed_into_booleans() {
    let app = spawn_sandbox().await;
    let client = client_of(&app, &new_cache());
    let states = client.module_states().await.expect("answers");
    assert_eq!(
        states.keys().map(String::as_str).collect::<Vec<_>>(),
        ["10002", "10003"]
    );
    assert!(states["10002"]["投诉建议"]);
    assert!(!states["10002"]["云停车场"]);
    assert!(!states["10003"]["投诉建议"]);
    assert_eq!(states["10003"].len(), 9);
}

#[tokio::test]
async fn a_payment_result_is_delivered_once() {
    let app = spawn_sandbox().await;
    let client = client_of(&app, &new_cache());
    client
        .send_payment_result("20201211114931367693", "wx-shop-1", "4200000001")
        .await
        .expect("acknowledged");
    let (_, list) = app.get_json("/secplat/payments", &[]).await;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert_eq!(list[0]["order_number"], "20201211114931367693");
    assert_eq!(list[0]["shop_number"], "wx-shop-1");
    assert_eq!(list[0]["weixin_number"], "4200000001");
}

#[tokio::test]
async fn a_payment_result_is_not_resent_after_a_failure() {
    let app = spawn_sandbox().await;
    let client = client_of(&app, &new_cache());
    client
        .send_payment_result("20201211114931367693", "s", "w")
        .await
        .expect("acknowledged, and a token is cached");
    fail_next(&app, 1).await;
    let error = client
        .send_payment_result("20201211114931367694", "s", "w")
        .await
        .expect_err("503 is a failure");
    assert!(matches!(error, SecplatError::Unavailable(_)), "{error:?}");
    let (_, list) = app.get_json("/secplat/payments", &[]).await;
    assert_eq!(
        list.as_array().map(Vec::len),
        Some(1),
        "one 503 used up the failure: a retry would have been recorded"
    );
}

#[tokio::test]
async fn a_lapsed_token_is_renewed_transparently() {
    let app = spawn_sandbox().await;
    let cache = new_cache();
    let client = client_of(&app, &cache);
    client
        .find_person("17600381130", "王芳")
        .await
        .expect("answers");
    let first = cached_token(&cache).await.expect("token cached");

    let (_, body) = app.post_form("/secplat/expire-tokens", &[]).await;
    assert_eq!(body["expired"], 1);
    let person = client
        .find_person("17600381130", "王芳")
        .await
        .expect("renewed and answered");
    assert!(person.is_some());
    let second = cached_token(&cache).await.expect("new token cached");
    assert_ne!(first, second);

    app.post_form("/secplat/expire-tokens", &[]).await;
    client
        .send_payment_result("20201211114931367693", "s", "w")
        .await
        .expect("payment results renew the token too");
}

#[tokio::test]
async fn replicas_share_one_token_through_the_cache() {
    let app = spawn_sandbox().await;
    let cache = new_cache();
    let one = client_of(&app, &cache);
    let other = client_of(&app, &cache);
    one.module_states().await.expect("answers");
    let token = cached_token(&cache).await.expect("cached");
    other.module_states().await.expect("answers");
    assert_eq!(cached_token(&cache).await, Some(token));
    let (_, body) = app.post_form("/secplat/expire-tokens", &[]).await;
    assert_eq!(body["expired"], 1, "only one token was ever issued");
}

#[tokio::test]
async fn a_single_failure_is_absorbed_by_the_retry() {
    let app = spawn_sandbox().await;
    let client = client_of(&app, &new_cache());
    // No token yet: the token request fails once and is retried.
    fail_next(&app, 1).await;
    let person = client
        .find_person("17600381130", "王芳")
        .await
        .expect("the retry succeeds");
    assert!(person.is_some());
    // Token cached: the look-up itself fails once and is retried.
    fail_next(&app, 1).await;
    let owner = client
        .find_owner(&address("10002", 1, 1, 2, 201))
        .await
        .expect("the retry succeeds");
    assert!(owner.is_some());
    fail_next(&app, 1).await;
    client.module_states().await.expect("the retry succeeds");
}

#[tokio::test]
async fn a_platform_that_keeps_failing_is_unavailable() {
    let app = spawn_sandbox().await;
    let client = client_of(&app, &new_cache());
    fail_next(&app, 5).await;
    let error = client
        .find_person("17600381130", "王芳")
        .await
        .expect_err("two 503s in a row");
    assert!(matches!(error, SecplatError::Unavailable(_)), "{error:?}");
    let error = ServiceError::from(error);
    assert_eq!(error.kind, ErrorKind::Upstream);
    assert_eq!(error.msg, "系统开小差，请重试或联系工作人员");
    assert!(error.message.contains("Yi652"), "{}", error.message);
}

#[tokio::test]
async fn wrong_keys_are_refused() {
    let app = spawn_sandbox().await;
    let settings = SecplatSettings {
        key_d: "wrong".to_owned(),
        ..settings_for(&app.sandbox.base_url(), 3000)
    };
    let client = SecplatClient::new(settings, new_cache()).expect("client builds");
    let error = client
        .find_person("17600381130", "王芳")
        .await
        .expect_err("no token for wrong keys");
    assert!(matches!(error, SecplatError::Refused(_)), "{error:?}");
    let error = ServiceError::from(error);
    assert!(error.message.contains("Yi664"), "{}", error.message);
}

#[tokio::test]
async fn a_platform_that_never_answers_times_out() {
    // Accepts connections (the backlog does) but never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base_url = format!("http://{}", silent.local_addr().expect("addr"));
    let client =
        SecplatClient::new(settings_for(&base_url, 300), new_cache()).expect("client builds");
    let started = Instant::now();
    let error = client.module_states().await.expect_err("no answer in time");
    assert!(matches!(error, SecplatError::Unavailable(_)), "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "two attempts of 300 ms, not more: {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_platform_that_is_not_there_is_unavailable() {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        probe.local_addr().expect("addr").port()
    };
    let client = SecplatClient::new(
        settings_for(&format!("http://127.0.0.1:{port}"), 1000),
        new_cache(),
    )
    .expect("client builds");
    let error = client
        .send_payment_result("20201211114931367693", "s", "w")
        .await
        .expect_err("connection refused");
    assert!(matches!(error, SecplatError::Unavailable(_)), "{error:?}");
}
