//! svc-orders killed (SIGKILL, no goodbye) in the middle of a burst of payments, then started
//! again: every payment is applied exactly once — those whose notification found svc-orders
//! down are found by reconciliation — and every result reaches the security platform.
use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{Topology, backends};

const ORDERS: usize = 30;

fn rows(answer: &Value) -> Vec<Value> {
    answer["data"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn svc_orders_killed_during_a_burst_of_payments_loses_none_and_pays_none_twice() {
    let Some((postgres, redis)) = backends("payments") else {
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

    // 付钰 signs up and imports his houses; the platform bills house 101 thirty times.
    let resident = api
        .imported_resident(&gateway, "o-topo-fuyu", "15131512234")
        .await;
    let platform = api.platform_10002(&gateway).await;
    let mut numbers = BTreeSet::new();
    for i in 0..ORDERS {
        let (_, created) = api
            .post(
                &gateway,
                "/api/v1/order/new",
                json!({"xiaoqu": "10002", "type": "house", "title": "物业费",
                       "identifier": {"louhao": 1, "danyuan": 1, "louceng": 1, "fangjian": 101},
                       "amount": format!("0.{:02}", i + 1)}),
                Some(&platform),
                None,
            )
            .await;
        assert_eq!(created["code"], json!(0), "{created:?}");
        numbers.insert(created["data"].as_str().unwrap().to_owned());
    }
    let (_, mine) = api
        .post(
            &gateway,
            "/api/v1/orders/list",
            json!({"per_page": 100}),
            Some(&resident),
            None,
        )
        .await;
    let mut prepays = Vec::new();
    for order in rows(&mine) {
        let (_, paying) = api
            .post(
                &gateway,
                "/api/v1/weapp/payment",
                json!({"ids": order["id"].to_string()}),
                Some(&resident),
                None,
            )
            .await;
        let package = paying["data"]["package"]
            .as_str()
            .unwrap_or_else(|| panic!("{paying:?}"));
        prepays.push(package.trim_start_matches("prepay_id=").to_owned());
    }
    assert_eq!(prepays.len(), ORDERS);

    // The payers pay, one every 50 ms; svc-orders is killed 400 ms in and back 2 s later.
    let mut burst = Vec::new();
    for (i, prepay_id) in prepays.into_iter().enumerate() {
        let api = api.clone();
        burst.push(tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(i as u64 * 50)).await;
            api.sandbox("/wxpay/pay", json!({ "prepay_id": prepay_id }))
                .await
        }));
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    topology.process("svc-orders").child.kill().unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let dir = topology.dir.path().to_owned();
    topology.process("svc-orders").restart(&dir);
    let mut transactions = HashMap::new();
    let mut undelivered = 0;
    for task in burst {
        let paid = task.await.unwrap();
        if paid["delivered"] != json!(true) {
            undelivered += 1;
        }
        transactions.insert(
            paid["out_trade_no"].as_str().unwrap().to_owned(),
            paid["transaction_id"].as_str().unwrap().to_owned(),
        );
    }
    assert_eq!(transactions.len(), ORDERS, "every payer paid");
    assert!(
        undelivered > 0,
        "the kill should have cost some notifications; the burst was too slow"
    );

    // Every order ends up paid once, by its own payment.
    let deadline = Instant::now() + Duration::from_secs(60);
    let paid = loop {
        let (_, paid) = api
            .post(
                &gateway,
                "/api/v1/order/list",
                json!({"xiaoqu": "10002", "paied": 1, "per_page": 100}),
                Some(&platform),
                None,
            )
            .await;
        if rows(&paid).len() == ORDERS {
            break paid;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {ORDERS} paid ({undelivered} notifications lost); logs:\n{}",
            rows(&paid).len(),
            topology.logs()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let shops: BTreeSet<String> = rows(&paid)
        .iter()
        .map(|order| order["shop_number"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(shops.len(), ORDERS, "one payment per order");
    let (_, bills) = api
        .post(
            &gateway,
            "/api/v1/wjdh/bill/list",
            json!({"xiaoqu": "10002", "per_page": 100}),
            Some(&platform),
            None,
        )
        .await;
    let bills = rows(&bills);
    assert_eq!(bills.len(), ORDERS, "one bill per payment, none twice");
    for bill in &bills {
        let shop = bill["payment_shop_number"].as_str().unwrap();
        assert_eq!(
            bill["payment_number"].as_str(),
            transactions.get(shop).map(String::as_str)
        );
        assert_eq!(bill["orders"].as_array().unwrap().len(), 1);
    }

    // The security platform hears of every order (a duplicate is allowed, a loss is not).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let received: Vec<Value> = api
            .client
            .get(format!("{}/secplat/payments", api.sandbox_url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let heard: BTreeSet<String> = received
            .iter()
            .filter_map(|p| p["order_number"].as_str().map(str::to_owned))
            .collect();
        if heard == numbers {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the security platform heard {} of {ORDERS}",
            heard.len()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    topology.stop();
}
