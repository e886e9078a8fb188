//! One payment's trace crosses every process it touches: the gateway, svc-orders, and the
//! services svc-orders asks (svc-yibiaosanshi, svc-community, svc-auth) — W3C trace context and
//! the request id ride in every outgoing call through the one client layer (kit::caller).
use serde_json::{Value, json};

use crate::harness::{Topology, backends};

/// The JSON log lines of `log` that belong to `trace_id`.
fn lines_of(log: &str, trace_id: &str) -> Vec<Value> {
    log.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["trace_id"] == trace_id)
        .collect()
}

#[tokio::test]
async fn a_payments_trace_id_and_request_id_reach_every_service_it_touches() {
    let Some((postgres, redis)) = backends("tracing") else {
        return;
    };
    let mut topology = Topology::start(&postgres, &redis, &[]).await;
    let gateway = topology.gateways[0].clone();
    let api = topology.api.clone();

    // 付钰 signs up and imports his houses; the platform bills house 101.
    let resident = api
        .imported_resident(&gateway, "o-trace-fuyu", "15131512234")
        .await;
    let platform = api.platform_10002(&gateway).await;
    let (_, created) = api
        .post(
            &gateway,
            "/api/v1/order/new",
            json!({"xiaoqu": "10002", "type": "house", "title": "物业费",
                   "identifier": {"louhao": 1, "danyuan": 1, "louceng": 1, "fangjian": 101},
                   "amount": "0.01"}),
            Some(&platform),
            None,
        )
        .await;
    assert_eq!(created["code"], json!(0), "{created:?}");
    // The order's id from the platform's list: the resident's own list would leave svc-orders
    // remembering his houses, and the payment would then not ask svc-yibiaosanshi.
    let (_, listed) = api
        .post(
            &gateway,
            "/api/v1/order/list",
            json!({"xiaoqu": "10002"}),
            Some(&platform),
            None,
        )
        .await;
    let order_id = listed["data"][0]["id"].to_string();
    assert_ne!(order_id, "null", "{listed:?}");

    // The payment, as part of a trace the caller started and with its own request id.
    let trace_id = format!("{:032x}", uuid::Uuid::new_v4().as_u128());
    let request_id = format!("pay-{}", &trace_id[..12]);
    let paying: Value = api
        .client
        .post(format!("{gateway}/api/v1/weapp/payment"))
        .bearer_auth(&resident)
        .header("traceparent", format!("00-{trace_id}-00f067aa0ba902b7-01"))
        .header("x-request-id", &request_id)
        .json(&json!({ "ids": order_id }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(paying["code"], json!(0), "{paying:?}");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;

    for process in [
        "gateway-a",
        "svc-orders",
        "svc-yibiaosanshi",
        "svc-community",
        "svc-auth",
    ] {
        let log = topology.process(process).log();
        let traced = lines_of(&log, &trace_id);
        assert!(
            !traced.is_empty(),
            "no line of trace {trace_id} in {process}'s log:\n{log}"
        );
        if process != "gateway-a" {
            assert!(
                traced
                    .iter()
                    .any(|line| line["span"]["request_id"] == request_id.as_str()),
                "{process} did not get request id {request_id}: {traced:?}"
            );
        }
    }
    topology.stop();
}
