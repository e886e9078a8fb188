//! The documented flows across separate processes, and limits that hold across two gateways.
use serde_json::{Value, json};

use crate::harness::{Topology, backends};

/// A valid GB 11643 number from its first 17 digits.
fn idcard(first17: &str) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    format!("{first17}{}", CHECK[(sum % 11) as usize])
}

fn id_of(list: &Value, field: &str, number: i64) -> i64 {
    list["data"]
        .as_array()
        .unwrap_or_else(|| panic!("{list:?}"))
        .iter()
        .find(|row| row[field] == json!(number))
        .unwrap_or_else(|| panic!("{field} {number} in {list:?}"))["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn the_flows_run_across_processes_and_two_gateways_share_their_limits() {
    let Some((postgres, redis)) = backends("topology") else {
        return;
    };
    let topology = Topology::start(
        &postgres,
        &redis,
        &[
            ("WJDH__GATEWAY__RATE_LIMIT_PER_MINUTE", "60"),
            ("WJDH__GATEWAY__TRUSTED_PROXIES", "127.0.0.1"),
        ],
    )
    .await;
    let (a, b) = (topology.gateways[0].clone(), topology.gateways[1].clone());

    // Login through one replica, use the token on the other.
    let (status, login) = topology
        .api
        .register_weixin(&a, "o-topo-tenant", "13700001111")
        .await;
    assert_eq!(
        (status, login["code"].clone()),
        (200, json!(0)),
        "{login:?}"
    );
    let tenant = login["access_token"].as_str().unwrap().to_owned();
    let walk = |path: &'static str, id: Value| {
        let topology = &topology;
        let (b, tenant) = (b.clone(), tenant.clone());
        async move {
            let (_, answer) = topology
                .api
                .post(&b, path, json!({"id": id}), Some(&tenant), None)
                .await;
            answer
        }
    };
    let buildings = walk("/api/v1/buildings", json!("10002")).await;
    let units = walk(
        "/api/v1/units",
        json!(id_of(&buildings, "building_number", 1)),
    )
    .await;
    let floors = walk("/api/v1/floors", json!(id_of(&units, "unit_number", 1))).await;
    let houses = walk("/api/v1/houses", json!(id_of(&floors, "floor_number", 2))).await;
    let house = id_of(&houses, "house_number", 201);

    // The owner's code: asked on one replica, checked on the other (the cache is shared).
    let (_, owner) = topology
        .api
        .post(
            &a,
            "/api/v1/security/yezhu",
            json!({"id": house}),
            Some(&tenant),
            None,
        )
        .await;
    assert_eq!(owner["code"], json!(0), "{owner:?}");
    let house_name = owner["data"]["community_house_name"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, sent) = topology
        .api
        .post(
            &b,
            "/api/v1/verificationCodes/phone",
            json!({"phone": "176****1130", "type": "yezhu", "community_house_name": house_name}),
            Some(&tenant),
            None,
        )
        .await;
    assert_eq!(sent["code"], json!(0), "{sent:?}");
    let code = topology.api.last_code("17600381130").await;
    let (_, verified) = topology
        .api
        .post(
            &a,
            "/api/v1/security/yezhu-code",
            json!({"verification_key": sent["key"], "verification_code": code}),
            Some(&tenant),
            None,
        )
        .await;
    assert_eq!(verified["code"], json!(0), "{verified:?}");

    // Registration, then the platform approves it through the other replica.
    let form = json!({
        "phone": "13700001111", "idcard": idcard("13030219950101203"), "name": "张伟",
        "photo": "https://example.com/face.png", "sex": "男", "birth": "19950101", "nation": "汉族",
        "address": "河北省秦皇岛市海港区", "zzmm": "群众", "tyjr": 0, "dibao": 0, "shangfang": 1,
        "job": "教师", "company": "秦皇岛一中", "house_id": house, "role": "租客", "status": "租用",
        "use": "住宅", "xingzhi": "私有", "choice": 1, "type": "租户",
    });
    let (_, submitted) = topology
        .api
        .post(&a, "/api/v1/weapp/yibiaosanshi", form, Some(&tenant), None)
        .await;
    assert_eq!(submitted["code"], json!(0), "{submitted:?}");
    let (_, mine) = topology
        .api
        .post(
            &b,
            "/api/v1/user/housesList",
            json!({}),
            Some(&tenant),
            None,
        )
        .await;
    let review = mine["data"][0]["shenhe_id"].as_i64().unwrap();
    let (_, platform) = topology
        .api
        .post(
            &b,
            "/api/v1/wjdh/secret",
            json!({"secret_id": "123456", "secret_key": "123456"}),
            None,
            None,
        )
        .await;
    let platform = platform["access_token"].as_str().unwrap().to_owned();
    let (_, approved) = topology
        .api
        .put_form(
            &b,
            "/api/v1/wjdh/shenhe",
            &[("id", &review.to_string()), ("status", "1")],
            &platform,
        )
        .await;
    assert_eq!(approved["code"], json!(0), "{approved:?}");
    let (_, permissions) = topology
        .api
        .post(
            &a,
            "/api/v1/people/permissions",
            json!({}),
            Some(&tenant),
            None,
        )
        .await;
    assert_eq!(
        permissions["data"],
        json!(["HouseMember"]),
        "{permissions:?}"
    );

    // One code a minute per phone: the second replica refuses what the first already sent.
    let phone = json!({"phone": "13800002222", "type": "verify"});
    let path = "/api/v1/verificationCodes/phone";
    let (_, first) = topology.api.post(&a, path, phone.clone(), None, None).await;
    assert_eq!(first["code"], json!(0), "{first:?}");
    let (status, again) = topology.api.post(&b, path, phone, None, None).await;
    assert_eq!(
        (status, again["code"].clone()),
        (429, json!(1)),
        "{again:?}"
    );

    // Sixty requests a minute per client IP, counted across both replicas. The window is the
    // clock's minute: a run that crosses into the next one proves nothing and is made again,
    // from another client IP, rather than waited for.
    for attempt in 0u8.. {
        let ip = format!("203.0.113.{}", 7 + attempt);
        let client_ip = Some(ip.as_str());
        let minute = kit::time::now_unix().div_euclid(60);
        let mut answers = Vec::new();
        for i in 0..62 {
            let gateway = if i % 2 == 0 { &a } else { &b };
            let (status, body) = topology
                .api
                .post(
                    gateway,
                    "/api/v1/weapp/code",
                    json!({"code": "x"}),
                    None,
                    client_ip,
                )
                .await;
            answers.push((status, body));
        }
        if kit::time::now_unix().div_euclid(60) != minute {
            assert!(attempt < 3, "every run crossed a minute");
            continue;
        }
        for (i, (status, _)) in answers[..60].iter().enumerate() {
            assert_ne!(*status, 429, "request {i} limited too early");
        }
        // The last two, one to each gateway.
        for (status, limited) in &answers[60..] {
            assert_eq!(
                (*status, limited["code"].clone()),
                (429, json!(1)),
                "{limited:?}"
            );
        }
        break;
    }

    // Operators see inside: per-RPC metrics on a service's own listener, JSON logs with trace ids.
    let metrics_addr = topology.setting("WJDH__AUTH__METRICS_LISTEN");
    let text = topology
        .api
        .client
        .get(format!("http://{metrics_addr}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("grpc_server_requests_total{code=\"Ok\",method=\"/wjdh.auth.v1.Auth/"),
        "{text}"
    );
    assert!(
        text.contains("db_pool_connections{state=\"idle\"}"),
        "{text}"
    );
    let ready: Value = topology
        .api
        .client
        .get(format!("{a}/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for dependency in ["auth", "yibiaosanshi", "orders", "community", "cache"] {
        assert_eq!(ready["checks"][dependency], "ok", "{ready:?}");
    }
    let mut topology = topology;
    let auth_log = topology.process("svc-auth").log();
    let traced = auth_log
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["trace_id"].as_str().is_some_and(|id| id.len() == 32))
        .count();
    assert!(
        traced > 0,
        "no JSON line with a trace id in svc-auth's log:\n{auth_log}"
    );
    topology.stop();
}
