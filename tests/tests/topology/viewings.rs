//! svc-orders killed (SIGKILL) in the middle of a burst of viewing fees paid by Alipay and by
//! WeChat Pay, then started again: every fee is applied exactly once — those whose notification
//! found svc-orders down are found by reconciliation at the provider that holds them — and
//! nothing is refunded, since nothing was paid twice.
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::harness::{Topology, backends};

const REQUESTS: usize = 20;

#[tokio::test]
async fn svc_orders_killed_during_a_burst_of_viewing_fees_loses_none_and_pays_none_twice() {
    let Some((postgres, redis)) = backends("viewings") else {
        return;
    };
    let mut topology = Topology::start(
        &postgres,
        &redis,
        &[
            ("WJDH__GATEWAY__RATE_LIMIT_PER_MINUTE", "100000"),
            ("WJDH__RECONCILIATION__INTERVAL_MS", "500"),
            ("WJDH__RECONCILIATION__AFTER_SECONDS", "1"),
        ],
    )
    .await;
    let gateway = topology.gateways[1].clone();
    let api = topology.api.clone();

    // 付钰, 业主 of his houses, lets house 101 in REQUESTS listings; 王芳 asks to view each.
    let landlord = api
        .imported_resident(&gateway, "o-topo-fuyu", "15131512234")
        .await;
    let seeker = api
        .imported_resident(&gateway, "o-topo-wangfang", "17600381130")
        .await;
    let (_, houses) = api
        .post(
            &gateway,
            "/api/v1/user/housesList",
            json!({}),
            Some(&landlord),
            None,
        )
        .await;
    let house = houses["data"]
        .as_array()
        .and_then(|rows| rows.iter().find(|row| row["house_id"].is_i64()))
        .unwrap_or_else(|| panic!("a house: {houses:?}"))["house_id"]
        .clone();
    let (_, me) = api
        .get(&gateway, "/api/v1/rental/wx_fetch_userinfo", &landlord)
        .await;
    let owner = me["data"]["id"].clone();
    let mut requests = Vec::new();
    for i in 0..REQUESTS {
        let (_, created) = api
            .post(
                &gateway,
                "/api/v1/rental/house_create",
                json!({
                    "community_identifier": "10002", "community_house_id": house,
                    "description_title": format!("南向两居{i}"), "house_rent": 2500, "house_size": 60,
                    "rent_time_type": 2, "rent_room_type": 1,
                    "longitude": 119.600_492, "latitude": 39.935_385,
                }),
                Some(&landlord),
                None,
            )
            .await;
        let listing = created["data"]["house_id"].clone();
        let (_, released) = api
            .post(
                &gateway,
                "/api/v1/rental/house_release",
                json!({ "house_id": listing }),
                Some(&landlord),
                None,
            )
            .await;
        assert_eq!(released["code"], json!(0), "{released:?}");
        let (_, asked) = api
            .post(
                &gateway,
                "/api/v1/rental/order/create_preorder",
                json!({"owner_id": owner, "house_id": listing}),
                Some(&seeker),
                None,
            )
            .await;
        assert_eq!(asked["code"], json!(0), "{asked:?}");
        requests.push(asked["data"].as_i64().unwrap());
    }

    // Even requests are paid on Alipay's page, odd ones with WeChat Pay in the mini-program.
    let mut payments = Vec::new();
    for (i, id) in requests.iter().enumerate() {
        let payment = if i % 2 == 0 {
            let (_, page) = api
                .post(
                    &gateway,
                    "/api/v1/rental/order/get_preorder_paymenturl",
                    json!({"pre_order_id": id, "return_url": "https://m.example.com/paid"}),
                    Some(&seeker),
                    None,
                )
                .await;
            let url = page["data"]["payment_url"]
                .as_str()
                .unwrap_or_else(|| panic!("{page:?}"));
            api.client.get(url).send().await.unwrap();
            (
                "/alipay/pay",
                json!({"out_trade_no": format!("KF{id:012}")}),
            )
        } else {
            let (_, params) = api
                .post(
                    &gateway,
                    "/api/v1/rental/order/pay_preorder",
                    json!({ "pre_order_id": id }),
                    Some(&seeker),
                    None,
                )
                .await;
            let package = params["data"]["package"]
                .as_str()
                .unwrap_or_else(|| panic!("{params:?}"));
            (
                "/wxpay/pay",
                json!({"prepay_id": package.trim_start_matches("prepay_id=")}),
            )
        };
        payments.push(payment);
    }

    // The payers pay, one every 50 ms; svc-orders is killed 300 ms in and back 2 s later.
    let mut burst = Vec::new();
    for (i, (path, body)) in payments.into_iter().enumerate() {
        let api = api.clone();
        burst.push(tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(i as u64 * 50)).await;
            api.sandbox(path, body).await
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    topology.process("svc-orders").child.kill().unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let dir = topology.dir.path().to_owned();
    topology.process("svc-orders").restart(&dir);
    let mut undelivered = 0;
    for task in burst {
        if task.await.unwrap()["delivered"] != json!(true) {
            undelivered += 1;
        }
    }
    assert!(
        undelivered > 0,
        "the kill should have cost some notifications; the burst was too slow"
    );

    // Every request ends up paid, once; nothing goes back.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, mine) = api
            .post(
                &gateway,
                "/api/v1/rental/order/my_preorders",
                json!({}),
                Some(&seeker),
                None,
            )
            .await;
        let statuses: BTreeMap<String, usize> = mine["data"]
            .as_array()
            .map(|rows| {
                rows.iter().fold(BTreeMap::new(), |mut counts, row| {
                    *counts
                        .entry(row["status"].as_str().unwrap_or("?").to_owned())
                        .or_insert(0) += 1;
                    counts
                })
            })
            .unwrap_or_default();
        if statuses.get("已支付") == Some(&REQUESTS) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{statuses:?} ({undelivered} notifications lost); logs:\n{}",
            topology.logs()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    for (i, id) in requests.iter().enumerate() {
        let out_trade_no = format!("KF{id:012}");
        let helper = if i % 2 == 0 {
            "/alipay/trades"
        } else {
            "/wxpay/refunds"
        };
        let held = api
            .sandbox_get(helper, &[("out_trade_no", &out_trade_no)])
            .await;
        if i % 2 == 0 {
            assert_eq!(held["refund_amount"], "0.00", "{out_trade_no}: {held}");
        } else {
            assert_eq!(held, json!([]), "{out_trade_no}: {held}");
        }
    }
    topology.stop();
}
