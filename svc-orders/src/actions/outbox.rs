//! Delivers payment results to the security platform (001 §2.2.1) from svc-orders' outbox
//! (kit's, written in the payment's transaction) until each is acknowledged. Residents' notices
//! share the outbox under their own topic and go to svc-auth (`proto::clients::Notices`).
use kit::db::Database;
use kit::metrics::ServiceMetrics;
use kit::outbox::{self, Message};
use secplat::SecplatClient;

use crate::db::payments;

#[derive(serde::Deserialize)]
struct PaymentResult {
    order_number: String,
    shop_number: String,
    weixin_number: String,
}

/// Payment results in flight together. Each is one order's and acknowledged alone, so none
/// waits on another's round trip: handed over one after another, a burst of payments (the
/// month's fees paid in the evening) outran the relay, and the platform heard of them late.
const RESULTS_AT_ONCE: usize = 8;

/// Delivers payment results until the task is aborted.
pub async fn run(db: Database, secplat: SecplatClient, metrics: ServiceMetrics) {
    outbox::run_concurrently(
        db,
        payments::PAYMENT_RESULT,
        Some(metrics),
        RESULTS_AT_ONCE,
        |message: Message| {
            let secplat = secplat.clone();
            async move { send(&secplat, &message).await }
        },
    )
    .await;
}

async fn send(secplat: &SecplatClient, message: &Message) -> Result<(), String> {
    let result: PaymentResult =
        serde_json::from_str(&message.payload).map_err(|error| format!("payload: {error}"))?;
    secplat
        .send_payment_result(
            &result.order_number,
            &result.shop_number,
            &result.weixin_number,
        )
        .await
        .map_err(|error| error.to_string())
}
