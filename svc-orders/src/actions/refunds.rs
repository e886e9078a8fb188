//! Refunds: money goes back the way it came. A refund is written in the transaction that decided
//! it (a declined viewing, an escrow that ran out, a second payment), so none is lost; this worker
//! sends each to its provider — Alipay's `alipay.trade.refund`, WeChat Pay's refund (v3 or v2) —
//! until the provider has paid it back, with backoff while it cannot be reached. The provider is
//! idempotent by our `out_refund_no`, so sending one again never pays twice.
use std::time::Duration;

use kit::error::ServiceError;
use kit::time::now_unix;
use rand::Rng;

use super::{State, ledger, payment};
use crate::db::refunds::{self, FOR_VIEWING, PENDING, PROCESSING, RefundRow};
use crate::db::viewings;
use crate::domain::number::next_order_number;
use crate::error::Error;
use kit::outbox::backoff_secs;

/// How often due refunds are looked for.
const TICK: Duration = Duration::from_millis(500);
/// Refunds sent per tick.
const BATCH: i64 = 20;
/// A refund the provider is still paying back is asked about again after this many seconds
/// (its notification usually comes first).
const PROCESSING_RECHECK_SECS: i64 = 60;

pub const ALIPAY: &str = "alipay";
pub const WXPAY: &str = "wxpay";

/// What the money goes back for, and of which payment.
#[derive(Default)]
pub struct Returned<'a> {
    pub channel: &'a str,
    pub out_trade_no: &'a str,
    pub total_fen: i64,
    pub amount_fen: i64,
    pub reason: &'a str,
    pub purpose: &'a str,
    pub viewing_id: Option<i64>,
    pub bill_id: Option<i64>,
    /// The platform's own number of a bill refund it asked for.
    pub request_no: Option<&'a str>,
    /// The community whose bill or listing it was paid for.
    pub community: &'a str,
}

/// Writes a refund for the worker to send; call it in the transaction that decided it.
pub fn request(
    conn: &mut kit::db::AnyConnection,
    returned: &Returned<'_>,
    now: i64,
) -> Result<RefundRow, Error> {
    Ok(refunds::insert(conn, &row(returned, now))?)
}

/// The row of a refund to send, numbered.
pub fn row(returned: &Returned<'_>, now: i64) -> RefundRow {
    RefundRow {
        out_refund_no: format!("RF{}", next_order_number()),
        channel: returned.channel.to_owned(),
        out_trade_no: returned.out_trade_no.to_owned(),
        total_fen: returned.total_fen,
        amount_fen: returned.amount_fen,
        reason: returned.reason.to_owned(),
        purpose: returned.purpose.to_owned(),
        viewing_id: returned.viewing_id,
        bill_id: returned.bill_id,
        request_no: returned.request_no.map(str::to_owned),
        community_identifier: Some(returned.community.to_owned()),
        state: PENDING.to_owned(),
        next_at: Some(now),
        created_at: now,
        updated_at: now,
        ..RefundRow::default()
    }
}

/// Runs until the task is aborted.
pub async fn run(state: std::sync::Arc<State>) {
    loop {
        if let Err(error) = send_due(&state).await {
            tracing::warn!(msg = %error.msg, message = %error.message, "refund pass failed");
        }
        tokio::time::sleep(TICK).await;
    }
}

/// Sends (or asks about) every refund due now; how many.
pub async fn send_due(state: &State) -> Result<usize, ServiceError> {
    let due = state
        .db
        .run(|conn| refunds::due(conn, now_unix(), BATCH).map_err(Error::from))
        .await?;
    let count = due.len();
    for refund in due {
        let outcome = ask(state, &refund).await;
        settle(state, &refund, outcome).await?;
    }
    Ok(count)
}

/// What the provider said of a refund.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The money is back with the payer; the provider's refund id.
    Done(String),
    /// Taken, being paid back; the provider's refund id.
    Processing(String),
    /// Refused for good (its code and message): staff decide.
    Refused(String),
    /// Not reached, or a refusal worth trying again: sent again later.
    Unreachable(String),
}

/// Refusals that may pass when tried again.
const TRANSIENT: [&str; 4] = [
    "ACQ.SYSTEM_ERROR",
    "SYSTEMERROR",
    "SYSTEM_ERROR",
    "FREQUENCY_LIMITED",
];

async fn ask(state: &State, refund: &RefundRow) -> Outcome {
    match refund.channel.as_str() {
        ALIPAY => match state
            .alipay
            .refund(
                &refund.out_trade_no,
                &refund.out_refund_no,
                refund.amount_fen,
                &refund.reason,
            )
            .await
        {
            // Alipay refunds at once; its answer is the refund.
            Ok(done) => Outcome::Done(done.trade_no),
            Err(error) => failed(error.refusal_code(), error.to_string()),
        },
        WXPAY => {
            let answer = if refund.state == PROCESSING {
                state.wxpay.query_refund(&refund.out_refund_no).await
            } else {
                state
                    .wxpay
                    .refund(&wxpay::RefundRequest {
                        out_trade_no: &refund.out_trade_no,
                        out_refund_no: &refund.out_refund_no,
                        refund_fen: refund.amount_fen,
                        total_fen: refund.total_fen,
                        reason: &refund.reason,
                    })
                    .await
                    .map(Some)
            };
            match answer {
                Ok(Some(outcome)) => match outcome.status {
                    wxpay::RefundStatus::Success => Outcome::Done(outcome.refund_id),
                    wxpay::RefundStatus::Processing => Outcome::Processing(outcome.refund_id),
                    other => Outcome::Refused(format!("{other:?}")),
                },
                // Asked about, unknown to WeChat Pay: sent again (idempotent).
                Ok(None) => Outcome::Unreachable("refund unknown to WeChat Pay".to_owned()),
                Err(error) => failed(error.refusal_code(), error.to_string()),
            }
        }
        other => Outcome::Refused(format!("no such channel {other}")),
    }
}

fn failed(code: Option<&str>, why: String) -> Outcome {
    if refused_for_good(code) {
        Outcome::Refused(why)
    } else {
        Outcome::Unreachable(why)
    }
}

/// Whether a provider's call that failed with refusal `code` (`None`: not reached or not read)
/// will fail the same way when sent again: a refusal that is not a passing one.
pub(crate) fn refused_for_good(code: Option<&str>) -> bool {
    code.is_some_and(|code| !TRANSIENT.contains(&code))
}

/// Records what the provider said of `refund`.
pub async fn settle(
    state: &State,
    refund: &RefundRow,
    outcome: Outcome,
) -> Result<(), ServiceError> {
    let now = now_unix();
    let id = refund.id;
    match outcome {
        Outcome::Done(refund_id) => {
            state
                .db
                .write(move |conn| succeed(conn, id, &refund_id, now))
                .await?;
        }
        Outcome::Processing(refund_id) => {
            state
                .db
                .run(move |conn| {
                    refunds::later(
                        conn,
                        id,
                        PROCESSING,
                        Some(&refund_id),
                        "",
                        now + PROCESSING_RECHECK_SECS,
                        now,
                    )
                    .map_err(Error::from)
                })
                .await?;
        }
        Outcome::Refused(why) => {
            tracing::error!(out_refund_no = %refund.out_refund_no, %why, "refund refused: staff decide");
            state
                .db
                .run(move |conn| refunds::fail(conn, id, &why, now).map_err(Error::from))
                .await?;
        }
        Outcome::Unreachable(why) => {
            tracing::warn!(out_refund_no = %refund.out_refund_no, %why, "refund not sent: tried again later");
            let jitter = rand::rng().random_range(0.5..1.5);
            let next = now + backoff_secs(refund.attempts, jitter);
            let keep = refund.state.clone();
            let refund_id = refund.refund_id.clone();
            state
                .db
                .run(move |conn| {
                    refunds::later(conn, id, &keep, refund_id.as_deref(), &why, next, now)
                        .map_err(Error::from)
                })
                .await?;
        }
    }
    Ok(())
}

/// Refund `id` is paid back: recorded once, and a returned viewing fee's request is refunded.
pub fn succeed(
    conn: &mut kit::db::AnyConnection,
    id: i64,
    refund_id: &str,
    now: i64,
) -> Result<(), Error> {
    let Some(refund) = refunds::find(conn, id)? else {
        return Ok(());
    };
    if refunds::succeed(conn, id, refund_id, now)? {
        if let (FOR_VIEWING, Some(viewing)) = (refund.purpose.as_str(), refund.viewing_id)
            && viewings::mark_refunded(conn, viewing, now)?
            && let Some(row) = viewings::find(conn, viewing)?
        {
            let notice = super::viewings::seekers_notice(&row, "已退款", &refund.reason, now);
            kit::outbox::enqueue_notice(conn, &notice)?;
        }
        if refund.viewing_id.is_some() {
            ledger::post(
                conn,
                &format!("refund:{id}"),
                &[
                    (ledger::REFUNDS.to_owned(), refund.amount_fen),
                    (ledger::provider(&refund.channel), -refund.amount_fen),
                ],
                ledger::Subject {
                    viewing_id: refund.viewing_id,
                    refund_id: Some(id),
                },
                now,
            )?;
        }
        tracing::info!(out_refund_no = %refund.out_refund_no, amount_fen = refund.amount_fen, "refund paid back");
    }
    Ok(())
}

/// A provider's notification that refund `out_refund_no` is paid back (`done`) or will not be.
pub async fn notified(
    state: &State,
    out_refund_no: String,
    refund_id: String,
    done: bool,
) -> Result<(), ServiceError> {
    let refund = state
        .db
        .run(move |conn| refunds::by_out_refund_no(conn, &out_refund_no).map_err(Error::from))
        .await?
        .ok_or_else(|| ServiceError::not_found_in("out_refund_no", "no such refund"))?;
    let outcome = if done {
        Outcome::Done(refund_id)
    } else {
        Outcome::Refused(format!("refund {refund_id} closed or abnormal"))
    };
    settle(state, &refund, outcome).await
}

/// WeChat Pay's refund notification: verified and decrypted (v3 AES-256-GCM, v2 `req_info`), the
/// refund recorded once. The answer tells WeChat Pay whether to stop notifying.
pub async fn wechat_notification(
    state: &State,
    r: proto::orders::NotificationRequest,
) -> proto::orders::NotificationReply {
    let (headers, body) = payment::received(r);
    let accepted = async {
        let notice = state
            .wxpay
            .parse_refund_notification(&headers, &body)
            .map_err(|error| ServiceError::invalid("notification", error.to_string()))?;
        let done = notice.status == wxpay::RefundStatus::Success;
        if !done && notice.status == wxpay::RefundStatus::Processing {
            return Ok(());
        }
        notified(state, notice.out_refund_no, notice.refund_id, done).await
    }
    .await;
    payment::wechat_pay_answer(state, accepted, "refund notification")
}
