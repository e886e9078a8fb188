//! Reconciliation: WeChat Pay orders still open on our side are asked about. A paid one whose
//! notification never arrived is applied exactly as a notification would be; one taken off its
//! orders (superseded, abandoned while placing) is closed at WeChat Pay; an unpaid one past its
//! lifetime is closed, freeing its orders. Viewing fees: a paid fee the landlord has not
//! confirmed in time goes back, and an offered fee whose notification never came is looked up
//! at Alipay and WeChat Pay.
use std::sync::Arc;
use std::time::Duration;

use kit::error::{ErrorKind, ServiceError};
use kit::time::now_unix;

use super::payment::{close_at_wechat, settle};
use super::{State, viewings};
use crate::config::ReconciliationSettings;
use crate::db::payments::{self, PaymentRow};
use crate::domain::payment_state::PaymentEvent;

/// Payments looked at per pass.
const BATCH: i64 = 50;
/// A payment placing longer than this was abandoned by its caller.
const PLACING_ABANDONED_SECS: i64 = 60;

/// Runs until the task is aborted (a no-op when `interval_ms` is 0).
pub async fn run(state: Arc<State>, settings: ReconciliationSettings) {
    if settings.interval_ms == 0 {
        return;
    }
    let interval = Duration::from_millis(settings.interval_ms);
    loop {
        tokio::time::sleep(interval).await;
        match pass(&state, &settings).await {
            Ok(0) => {}
            Ok(looked_at) => tracing::debug!(looked_at, "reconciliation pass"),
            Err(error) => {
                tracing::warn!(msg = %error.msg, message = %error.message, "reconciliation pass failed")
            }
        }
    }
}

/// One pass: how many payments and viewing requests were looked at.
pub async fn pass(state: &State, settings: &ReconciliationSettings) -> Result<usize, ServiceError> {
    let viewings =
        viewings::expire_unconfirmed(state).await? + viewings::find_missed_payments(state).await?;
    Ok(viewings + property_fees(state, settings).await?)
}

/// WeChat Pay orders of property fees: how many were looked at.
async fn property_fees(
    state: &State,
    settings: &ReconciliationSettings,
) -> Result<usize, ServiceError> {
    let now = now_unix();
    let before = now - settings.after_seconds;
    let due = state
        .db
        .run(move |conn| -> crate::error::Result<_> {
            Ok(payments::unsettled(conn, before, BATCH)?)
        })
        .await
        .map_err(ServiceError::from)?;
    let count = due.len();
    for payment in due {
        let looked_after = look_after(state, settings, &payment, now).await;
        if let Err(error) = &looked_after
            && error.kind == ErrorKind::Invalid
        {
            // Paid with another amount: applying it will never work; staff settle it.
            tracing::error!(out_trade_no = %payment.out_trade_no, message = %error.message, "payment disputed");
            let id = payment.id;
            state
                .db
                .run(move |conn| -> crate::error::Result<_> {
                    Ok(payments::end_unsettled(
                        conn,
                        id,
                        PaymentEvent::PaidOtherwise,
                        now_unix(),
                    )?)
                })
                .await
                .map_err(ServiceError::from)?;
        } else if let Err(error) = looked_after {
            tracing::warn!(
                out_trade_no = %payment.out_trade_no,
                msg = %error.msg,
                message = %error.message,
                "payment left for the next pass"
            );
            touch(state, payment.id).await?;
        }
    }
    Ok(count)
}

async fn look_after(
    state: &State,
    settings: &ReconciliationSettings,
    payment: &PaymentRow,
    now: i64,
) -> Result<(), ServiceError> {
    if settle(state, &payment.out_trade_no).await? {
        return Ok(());
    }
    let age = now - payment.created_at;
    let to_close = match payment.state.as_str() {
        payments::SUPERSEDED => true,
        payments::PLACING => age > PLACING_ABANDONED_SECS,
        _ => age > settings.expire_after_seconds,
    };
    if to_close {
        close_at_wechat(state, payment).await?;
        tracing::info!(out_trade_no = %payment.out_trade_no, state = %payment.state, "unpaid payment closed");
    } else {
        touch(state, payment.id).await?;
    }
    Ok(())
}

async fn touch(state: &State, id: i64) -> Result<(), ServiceError> {
    state
        .db
        .run(move |conn| -> crate::error::Result<_> {
            Ok(payments::touch(conn, &[id], now_unix())?)
        })
        .await
        .map_err(ServiceError::from)?;
    Ok(())
}
