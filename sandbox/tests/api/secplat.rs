use sandbox::SandboxSettings;
use serde_json::{Value, json};

use crate::helpers::{TestSandbox, spawn_sandbox, spawn_sandbox_with};

const FIXTURE: &str = include_str!("../../fixtures/security-platform.json");

fn fixture() -> Value {
    serde_json::from_str(FIXTURE).expect("fixture is JSON")
}

fn lapsed() -> Value {
    json!({
        "code": 9,
        "token_expired": 0,
        "msg": "请重新建立智慧平台鉴权连接",
        "message": "token值因各种原因而失效，请重新调用接口获取token"
    })
}

async fn issue_token(app: &TestSandbox) -> String {
    let (status, body) = app
        .post_form(
            "/secplat/token",
            &[
                ("key_k", &app.settings.secplat_key_k),
                ("key_d", &app.settings.secplat_key_d),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["code"], 0, "{body}");
    body["token"].as_str().expect("token").to_owned()
}

#[tokio::test]
async fn a_token_is_issued_for_the_right_key_pair_only() {
    let app = spawn_sandbox().await;
    let (status, body) = app
        .post_form(
            "/secplat/token",
            &[("key_k", "sandbox-key"), ("key_d", "sandbox-secret")],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["code"], 0);
    assert_eq!(body["msg"], "token获取成功");
    assert!(body["token"].as_str().expect("token").len() >= 16);

    let (_, body) = app
        .post_json(
            "/secplat/token",
            &[],
            &json!({"key_k": "sandbox-key", "key_d": "sandbox-secret"}),
        )
        .await;
    assert_eq!(body["code"], 0, "a JSON body works too");

    for (key_k, key_d) in [
        ("sandbox-key", "wrong"),
        ("other", "sandbox-secret"),
        ("", ""),
    ] {
        let (status, body) = app
            .post_form("/secplat/token", &[("key_k", key_k), ("key_d", key_d)])
            .await;
        assert_eq!(status, 200);
        assert_eq!(body, json!({"code": 1, "msg": "token获取失败"}), "{key_k}");
    }
}

#[tokio::test]
async fn a_person_is_found_by_phone_and_name_exactly_as_the_fixture_holds_them() {
    let app = spawn_sandbox().await;
    let token = issue_token(&app).await;
    let (status, body) = app
        .post_form(
            "/secplat/people",
            &[
                ("name", "王芳"),
                ("phone", "17600381130"),
                ("token", &token),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["code"], 0);
    assert_eq!(body["msg"], "查找成功");
    assert_eq!(body["data"], fixture()["people"][1]);
}

#[tokio::test]
async fn a_person_is_found_by_phone_alone_or_with_the_phone_as_a_number() {
    let app = spawn_sandbox().await;
    let token = issue_token(&app).await;
    let (_, body) = app
        .post_form(
            "/secplat/people",
            &[("phone", "15131512234"), ("token", &token)],
        )
        .await;
    assert_eq!(body["code"], 0);
    assert_eq!(body["data"], fixture()["people"][0]);

    let (_, body) = app
        .post_json(
            "/secplat/people",
            &[],
            &json!({"phone": 13800138000_i64, "name": "赵强", "token": token}),
        )
        .await;
    assert_eq!(body["code"], 0);
    assert_eq!(body["data"]["people_name"], "赵强");
}

#[tokio::test]
async fn nobody_is_found_when_phone_and_name_do_not_both_match() {
    let app = spawn_sandbox().await;
    let token = issue_token(&app).await;
    for (name, phone) in [("付钰", "17600381130"), ("王芳", "17600000000")] {
        let (status, body) = app
            .post_form(
                "/secplat/people",
                &[("name", name), ("phone", phone), ("token", &token)],
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(
            body,
            json!({"code": 2, "msg": "没有查找到该用户"}),
            "{name}"
        );
    }
    let (_, body) = app.post_form("/secplat/people", &[("token", &token)]).await;
    assert_eq!(body["code"], 1, "a missing phone is an error: {body}");
}

#[tokio::test]
async fn every_endpoint_refuses_an_unknown_or_missing_token_with_code_nine() {
    let app = spawn_sandbox().await;
    for path in [
        "/secplat/people",
        "/secplat/owner",
        "/secplat/modules",
        "/secplat/payments",
    ] {
        let (status, body) = app
            .post_form(path, &[("phone", "17600381130"), ("token", "never-issued")])
            .await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(body, lapsed(), "{path}");
        let (_, body) = app.post_form(path, &[("phone", "17600381130")]).await;
        assert_eq!(body, lapsed(), "{path} without a token");
    }
}

#[tokio::test]
async fn expiring_tokens_lapses_them_until_a_new_one_is_fetched() {
    let app = spawn_sandbox().await;
    let token = issue_token(&app).await;
    let look_up = [("phone", "17600381130"), ("token", token.as_str())];
    assert_eq!(
        app.post_form("/secplat/people", &look_up).await.1["code"],
        0
    );

    let (status, body) = app.post_form("/secplat/expire-tokens", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(body["expired"], 1);
    assert_eq!(app.post_form("/secplat/people", &look_up).await.1, lapsed());

    let fresh = issue_token(&app).await;
    assert_ne!(fresh, token);
    let (_, body) = app
        .post_form(
            "/secplat/people",
            &[("phone", "17600381130"), ("token", &fresh)],
        )
        .await;
    assert_eq!(body["code"], 0);
}

fn address<'a>(
    community: &'a str,
    [building, unit, floor, house]: [&'a str; 4],
    token: &'a str,
) -> [(&'static str, &'a str); 6] {
    [
        ("community_identifier", community),
        ("building_number", building),
        ("unit_number", unit),
        ("floor_number", floor),
        ("house_number", house),
        ("token", token),
    ]
}

#[tokio::test]
async fn the_owner_of_a_house_is_found_by_its_address() {
    let app = spawn_sandbox().await;
    let token = issue_token(&app).await;
    let (status, body) = app
        .post_form(
            "/secplat/owner",
            &address("10002", ["1", "1", "1", "102"], &token),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({
            "code": 0,
            "msg": "查找成功",
            "data": {
                "people_phone": "15131512234",
                "people_house_use": "经营",
                "people_house_xingzhi": "私有",
                "people_house_status": "租用",
                "people_house_role": "业主",
                "people_house_type": "业主"
            }
        })
    );

    let (_, body) = app
        .post_json(
            "/secplat/owner",
            &[],
            &json!({
                "community_identifier": 10003, "building_number": 1, "unit_number": 1,
                "floor_number": 1, "house_number": 101, "token": token
            }),
        )
        .await;
    assert_eq!(body["code"], 0);
    assert_eq!(body["data"]["people_phone"], "13800138000");
    assert_eq!(body["data"]["people_house_xingzhi"], "公有");
}

#[tokio::test]
async fn a_house_without_a_known_owner_is_code_two() {
    let app = spawn_sandbox().await;
    let token = issue_token(&app).await;
    let (status, body) = app
        .post_form(
            "/secplat/owner",
            &address("10002", ["3", "2", "6", "602"], &token),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"code": 2, "msg": "没有查找到该房屋的业主"}));

    let (_, body) = app
        .post_form(
            "/secplat/owner",
            &[("community_identifier", "10002"), ("token", &token)],
        )
        .await;
    assert_eq!(body["code"], 1, "a missing level is an error: {body}");
}

#[tokio::test]
async fn module_states_come_as_a_json_string() {
    let app = spawn_sandbox().await;
    let token = issue_token(&app).await;
    let (status, body) = app
        .post_form("/secplat/modules", &[("token", &token)])
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["code"], 0);
    let data: Value =
        serde_json::from_str(body["data"].as_str().expect("data is a string")).expect("JSON text");
    assert_eq!(data, fixture()["modules"]);
}

#[tokio::test]
async fn payment_results_are_recorded_and_listed_oldest_first() {
    let app = spawn_sandbox().await;
    let token = issue_token(&app).await;
    let (status, body) = app.get_json("/secplat/payments", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!([]));

    for (order, weixin) in [
        ("20201211114931367693", "4200000001"),
        ("20201211114931367694", "4200000002"),
    ] {
        let (status, body) = app
            .post_form(
                "/secplat/payments",
                &[
                    ("order_number", order),
                    ("shop_number", "wx-shop-1"),
                    ("weixin_number", weixin),
                    ("token", &token),
                ],
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(body, json!({"code": 0}));
    }
    let (_, body) = app
        .post_form(
            "/secplat/payments",
            &[("order_number", "20201211114931367695"), ("token", &token)],
        )
        .await;
    assert_eq!(body["code"], 2, "an incomplete result is not saved: {body}");
    let (_, body) = app
        .post_form(
            "/secplat/payments",
            &[
                ("order_number", "20201211114931367696"),
                ("shop_number", "s"),
                ("weixin_number", "w"),
                ("token", "never-issued"),
            ],
        )
        .await;
    assert_eq!(body, lapsed());

    let (_, list) = app.get_json("/secplat/payments", &[]).await;
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["order_number"], "20201211114931367693");
    assert_eq!(list[0]["shop_number"], "wx-shop-1");
    assert_eq!(list[0]["weixin_number"], "4200000001");
    assert_eq!(list[1]["order_number"], "20201211114931367694");
    let received_at = list[0]["received_at"].as_str().expect("received_at");
    chrono::DateTime::parse_from_rfc3339(received_at).expect("RFC 3339");
}

#[tokio::test]
async fn fail_makes_the_next_calls_answer_503_but_spares_the_helpers() {
    let app = spawn_sandbox().await;
    let token = issue_token(&app).await;
    let (status, body) = app
        .post_json("/secplat/fail", &[], &json!({"times": 3}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"times": 3}));

    let look_up = [("phone", "17600381130"), ("token", token.as_str())];
    assert_eq!(app.post_form("/secplat/people", &look_up).await.0, 503);
    // Helpers do not count.
    assert_eq!(app.get_json("/secplat/payments", &[]).await.0, 200);
    assert_eq!(app.post_form("/secplat/expire-tokens", &[]).await.0, 200);
    let (status, _) = app
        .post_form(
            "/secplat/token",
            &[("key_k", "sandbox-key"), ("key_d", "sandbox-secret")],
        )
        .await;
    assert_eq!(status, 503);
    assert_eq!(
        app.post_form("/secplat/modules", &[("token", "x")]).await.0,
        503
    );
    let fresh = issue_token(&app).await;
    let (status, body) = app
        .post_form(
            "/secplat/people",
            &[("phone", "17600381130"), ("token", &fresh)],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["code"], 0);
}

#[tokio::test]
async fn fail_needs_a_number_of_times() {
    let app = spawn_sandbox().await;
    for body in [json!({}), json!({"times": -1}), json!({"times": "often"})] {
        let (status, answer) = app.post_json("/secplat/fail", &[], &body).await;
        assert_eq!(status, 400, "{body}");
        assert!(answer["error"].is_string());
    }
    let (status, _) = app.post_form("/secplat/fail", &[("times", "0")]).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn another_fixture_file_can_be_served() {
    let path = std::env::temp_dir().join(format!("secplat-{}.json", uuid::Uuid::new_v4()));
    let records = json!({
        "people": [{
            "people_name": "周七", "people_sex": 2, "people_phone": 13600136000_i64,
            "houses": [{
                "xiaoqu": "20001", "louhao": "2", "danyuan": "1", "louceng": "3", "fangjian": "301",
                "people_house_use": 1, "people_house_xingzhi": 2, "people_house_status": 1,
                "people_house_role": 1, "people_house_type": 1,
                "members": [{"people_idcard": "x", "people_house_name": "周七", "people_house_role": "1"}]
            }]
        }],
        "modules": {"20001": {"物业报修": "0"}}
    });
    std::fs::write(&path, records.to_string()).expect("fixture written");
    let app = spawn_sandbox_with(SandboxSettings {
        secplat_fixture: path.display().to_string(),
        ..SandboxSettings::default()
    })
    .await;
    let token = issue_token(&app).await;
    let (_, body) = app
        .post_form(
            "/secplat/people",
            &[("phone", "13600136000"), ("token", &token)],
        )
        .await;
    assert_eq!(
        body["data"], records["people"][0],
        "served exactly as given"
    );
    let (_, body) = app
        .post_form(
            "/secplat/owner",
            &address("20001", ["2", "1", "3", "301"], &token),
        )
        .await;
    assert_eq!(body["data"]["people_phone"], "13600136000");
    assert_eq!(body["data"]["people_house_xingzhi"], "公有");
    let _ = std::fs::remove_file(&path);

    let missing = SandboxSettings {
        listen: "127.0.0.1:0".to_owned(),
        secplat_fixture: path.display().to_string(),
        ..SandboxSettings::default()
    };
    assert!(
        sandbox::Sandbox::start(missing).await.is_err(),
        "a missing fixture file stops the sandbox from starting"
    );
}
