//! Delivers the outbox to the security platform (001 §2.2.1) until each message is
//! acknowledged: due messages oldest first, exponential backoff with jitter after a failure.
//! Messages are written in the payment's transaction, so a restart loses none.
use std::time::Duration;

use kit::db::Database;
use kit::metrics::ServiceMetrics;
use kit::time::now_unix;
use rand::Rng;
use secplat::SecplatClient;

use crate::db::payments::{self, OutboxRow};

/// How often due messages are looked for.
const TICK: Duration = Duration::from_millis(500);
/// Messages sent per tick.
const BATCH: i64 = 20;
/// Longest wait between two attempts, seconds.
const MAX_BACKOFF_SECS: i64 = 600;

/// Seconds to wait after the `attempts`-th failure: 1, 2, 4 … capped, times 0.5–1.5.
pub fn backoff_secs(attempts: i32, jitter: f64) -> i64 {
    let base = 1_i64 << attempts.clamp(0, 10);
    let capped = base.min(MAX_BACKOFF_SECS) as f64;
    ((capped * jitter.clamp(0.5, 1.5)).round() as i64).max(1)
}

#[derive(serde::Deserialize)]
struct PaymentResult {
    order_number: String,
    shop_number: String,
    weixin_number: String,
}

/// Runs until the task is aborted.
pub async fn run(db: Database, secplat: SecplatClient, metrics: ServiceMetrics) {
    loop {
        if let Err(error) = deliver_due(&db, &secplat, &metrics).await {
            tracing::warn!(%error, "outbox pass failed");
        }
        tokio::time::sleep(TICK).await;
    }
}

async fn deliver_due(
    db: &Database,
    secplat: &SecplatClient,
    metrics: &ServiceMetrics,
) -> Result<(), kit::db::DbError> {
    let now = now_unix();
    let (due, backlog) = db
        .run(move |conn| -> Result<_, kit::db::DbError> {
            Ok((payments::due(conn, now, BATCH)?, payments::backlog(conn)?))
        })
        .await?;
    metrics.set_outbox_backlog(backlog);
    for message in due {
        let outcome = send(secplat, &message).await;
        let id = message.id;
        let attempts = message.attempts + 1;
        let jitter = rand::rng().random_range(0.5..1.5);
        db.run(move |conn| -> Result<_, kit::db::DbError> {
            let now = now_unix();
            match outcome {
                Ok(()) => payments::delivered(conn, id, now)?,
                Err(error) => {
                    tracing::warn!(id, attempts, %error, "payment result not delivered; will retry");
                    payments::failed(conn, id, now + backoff_secs(attempts, jitter), &error)?
                }
            };
            Ok(())
        })
        .await?;
    }
    Ok(())
}

async fn send(secplat: &SecplatClient, message: &OutboxRow) -> Result<(), String> {
    if message.topic != payments::PAYMENT_RESULT {
        return Err(format!("unknown topic {}", message.topic));
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        assert_eq!(backoff_secs(1, 1.0), 2);
        assert_eq!(backoff_secs(3, 1.0), 8);
        assert_eq!(backoff_secs(30, 1.0), MAX_BACKOFF_SECS);
        assert_eq!(backoff_secs(0, 0.5), 1);
        assert!(backoff_secs(5, 1.49) > 32);
    }
}
