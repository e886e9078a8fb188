//! 000 §4.2.1 paying orders through WeChat Pay, and WeChat Pay's notification applied exactly
//! once: orders paid, a bill, and the security platform's payment results queued in the outbox.
use diesel::Connection;
use std::collections::{BTreeSet, HashMap};

use kit::error::{ErrorKind, ServiceError, ServiceResult};
use kit::time::now_unix;
use proto::orders as pb;
use wxpay::{NotificationOutcome, PaymentNotice};

use super::{State, paying_houses, refunds, viewings};
use crate::db::orders::{self, OrderRow};
use crate::db::payments::{self, PaymentRow};
use crate::domain::number::next_order_number;
use crate::domain::payment_state::PaymentEvent;
use crate::error::Error;

/// The module that switches payments on and off (001 §3.1.1).
pub const MODULE: &str = "生活缴费";
/// Most orders paid at once.
const MAX_ORDERS: usize = 50;

/// The distinct order ids asked for (the gateway read them from `21A22A23`).
fn wanted_ids(ids: &[i64]) -> ServiceResult<BTreeSet<i64>> {
    let set: BTreeSet<i64> = ids.iter().copied().collect();
    if set.is_empty() {
        return Err(ServiceError::missing("ids"));
    }
    if set.len() > MAX_ORDERS || set.iter().any(|id| *id <= 0) {
        return Err(ServiceError::invalid("ids", "ids超出范围"));
    }
    Ok(set)
}

fn joined(ids: &BTreeSet<i64>) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join("A")
}

/// The WeChat Pay order's description: the titles, within WeChat's 127 bytes.
fn description(rows: &[OrderRow]) -> String {
    let mut text = String::from("万家灯火-");
    for (i, row) in rows.iter().enumerate() {
        let next = if i == 0 {
            row.title.clone()
        } else {
            format!("、{}", row.title)
        };
        if text.len() + next.len() > 100 {
            text.push('等');
            break;
        }
        text.push_str(&next);
    }
    text
}

/// Checks the orders, places (or reuses) one WeChat Pay order for their sum, and answers the
/// mini-program's `wx.requestPayment` parameters.
pub async fn pay(state: &State, r: pb::PayRequest) -> ServiceResult<pb::PayReply> {
    if r.user_id <= 0 {
        return Err(ServiceError::unauthenticated("no resident in the request"));
    }
    let ids = wanted_ids(&r.ids)?;
    let wanted: Vec<i64> = ids.iter().copied().collect();
    let rows = state
        .db
        .run(move |conn| -> crate::error::Result<_> { Ok(orders::find_many(conn, &wanted)?) })
        .await
        .map_err(ServiceError::from)?;
    if rows.len() != ids.len() {
        return Err(ServiceError::not_found(
            "订单不存在",
            "some ids are not orders",
        ));
    }
    let houses = paying_houses(state, r.user_id).await?;
    for row in &rows {
        let mine = row.user_id == Some(r.user_id)
            || row.house_id.is_some_and(|house| houses.contains(&house));
        if !mine {
            return Err(ServiceError::forbidden(
                "您没有该订单的缴费权限",
                format!("order {} is not payable by the caller", row.id),
            ));
        }
        check_payable(row)?;
    }
    // One payment goes to one payee (收费主体): the community's.
    let community = rows
        .first()
        .map(|row| &row.community_identifier)
        .ok_or_else(|| ServiceError::missing("ids"))?;
    if rows
        .iter()
        .any(|row| &row.community_identifier != community)
    {
        return Err(ServiceError::invalid("ids", "一次只能缴纳同一小区的订单"));
    }
    state.community.require_module(community, MODULE).await?;
    let prepay_id = place(state, r.user_id, &ids, &rows, &r.client_ip).await?;
    let params = state.wxpay.mini_program_params(&prepay_id)?;
    Ok(pb::PayReply {
        app_id: params.app_id,
        time_stamp: params.time_stamp,
        nonce_str: params.nonce_str,
        package: params.package,
        sign_type: params.sign_type,
        pay_sign: params.pay_sign,
    })
}

pub(crate) fn check_payable(row: &OrderRow) -> ServiceResult<()> {
    if row.paied {
        return Err(ServiceError::conflict(
            "该订单已支付，请勿重复缴费",
            format!("order {} is paid", row.id),
        ));
    }
    if row.status != orders::OPEN {
        return Err(ServiceError::conflict(
            "该订单已关闭",
            format!("order {} is closed", row.id),
        ));
    }
    Ok(())
}

/// How often a claim is tried before the caller is asked to try again.
const CLAIM_ATTEMPTS: u32 = 50;
/// The pause between two claims (another call is placing the same payment, or won a race).
const CLAIM_PAUSE: std::time::Duration = std::time::Duration::from_millis(100);
/// A payment placing longer than this was abandoned (its caller died): it can be taken over.
const PLACING_STALE_SECS: i64 = 30;
/// A pending payment is offered again only this long after it was placed: WeChat's prepay_id
/// lives 2 hours, and the payer needs time to pay.
const REUSE_FOR_SECS: i64 = 90 * 60;

/// What claiming a set of orders for a payment found.
enum Claim {
    /// The caller's own pending payment of exactly this set: offer it again.
    Reuse(String),
    /// The caller's own identical payment is being placed by another call: wait for it.
    Wait,
    /// A new payment now holds the orders; the older ones were taken off and must be closed at
    /// WeChat Pay before the new one is offered.
    New {
        payment: PaymentRow,
        superseded: Vec<PaymentRow>,
    },
}

/// The prepay_id to offer for `rows`: the caller's pending one for this exact set, or a new
/// WeChat Pay order placed once every older live payment of these orders is closed — so no
/// order ever has two payments that could both take money.
async fn place(
    state: &State,
    user_id: i64,
    ids: &BTreeSet<i64>,
    rows: &[OrderRow],
    client_ip: &str,
) -> ServiceResult<String> {
    let order_ids: Vec<i64> = ids.iter().copied().collect();
    let set = joined(ids);
    let total: i64 = rows.iter().map(|row| row.amount_fen).sum();
    let mut attempt = 0;
    let (payment, superseded) = loop {
        attempt += 1;
        let now = now_unix();
        let candidate = PaymentRow {
            id: 0,
            out_trade_no: format!("WJDH{}", next_order_number()),
            prepay_id: String::new(),
            user_id,
            order_ids: set.clone(),
            amount_fen: total,
            state: payments::PLACING.to_owned(),
            created_at: now,
            updated_at: now,
        };
        let order_ids = order_ids.clone();
        let claimed = state
            .db
            .write(move |conn| claim(conn, &order_ids, candidate, now))
            .await;
        let retry = attempt < CLAIM_ATTEMPTS;
        match claimed {
            Ok(Claim::Reuse(prepay_id)) => return Ok(prepay_id),
            Ok(Claim::New {
                payment,
                superseded,
            }) => break (payment, superseded),
            Ok(Claim::Wait) if !retry => {
                return Err(ServiceError::conflict(
                    "缴费正在发起，请稍后再试",
                    "another call kept placing this payment",
                ));
            }
            Ok(Claim::Wait) => {}
            // A concurrent claim took one of the orders first: look again.
            Err(error) if retry && is_unique_violation(&error) => {}
            Err(error) => return Err(error.into()),
        }
        tokio::time::sleep(CLAIM_PAUSE).await;
    };
    for old in &superseded {
        match close_at_wechat(state, old).await {
            Ok(Closed::Closed) => {}
            Ok(Closed::Paid) => {
                abandon(state, &payment).await;
                return Err(ServiceError::conflict(
                    "该订单已支付，请勿重复缴费",
                    format!(
                        "payment {} was paid before it could be closed",
                        old.out_trade_no
                    ),
                ));
            }
            Err(error) => {
                abandon(state, &payment).await;
                return Err(error);
            }
        }
    }
    let placed = async {
        let openid = state.auth.openid(user_id).await?.ok_or_else(|| {
            ServiceError::forbidden(
                "请使用微信登录小程序后再缴费",
                "the user has no WeChat openid",
            )
        })?;
        let prepay_id = state
            .wxpay
            .create_jsapi(
                &payment.out_trade_no,
                &description(rows),
                total,
                &openid,
                client_ip,
            )
            .await?;
        Ok::<_, ServiceError>(prepay_id)
    }
    .await;
    let prepay_id = match placed {
        Ok(prepay_id) => prepay_id,
        Err(error) => {
            // It may exist at WeChat Pay all the same (a timeout): reconciliation closes it.
            abandon(state, &payment).await;
            return Err(error);
        }
    };
    let id = payment.id;
    let prepay = prepay_id.clone();
    let updated = state
        .db
        .run(move |conn| -> crate::error::Result<_> {
            Ok(payments::placed(conn, id, &prepay, now_unix())?)
        })
        .await
        .map_err(ServiceError::from)?;
    if updated == 0 {
        // Another call took these orders over while WeChat Pay was answering.
        abandon(state, &payment).await;
        if let Ok(Closed::Closed) = close_at_wechat(state, &payment).await {
            tracing::info!(out_trade_no = %payment.out_trade_no, "overtaken payment closed");
        }
        return Err(ServiceError::conflict(
            "缴费已在别处发起，请刷新后重试",
            "the payment was superseded while it was placed",
        ));
    }
    tracing::info!(out_trade_no = %payment.out_trade_no, total_fen = total, user_id, "payment placed");
    Ok(prepay_id)
}

fn is_unique_violation(error: &Error) -> bool {
    matches!(error, Error::Db(kit::db::DbError::Query(error)) if kit::db::is_unique_violation(error))
}

/// In one write transaction: the caller's own payment of this set if there is one, else a new
/// payment holding the orders, with the payments it took them from.
fn claim(
    conn: &mut kit::db::AnyConnection,
    order_ids: &[i64],
    candidate: PaymentRow,
    now: i64,
) -> Result<Claim, Error> {
    let holders = payments::live_on(conn, order_ids)?;
    if let [own] = holders.as_slice()
        && own.user_id == candidate.user_id
        && own.order_ids == candidate.order_ids
        && own.amount_fen == candidate.amount_fen
    {
        if own.state == payments::PENDING && now - own.created_at < REUSE_FOR_SECS {
            return Ok(Claim::Reuse(own.prepay_id.clone()));
        }
        if own.state == payments::PLACING && now - own.created_at < PLACING_STALE_SECS {
            return Ok(Claim::Wait);
        }
    }
    let old: Vec<i64> = holders.iter().map(|p| p.id).collect();
    payments::supersede(conn, &old, now)?;
    let id = payments::insert(conn, &candidate)?;
    payments::hold(conn, order_ids, id)?;
    Ok(Claim::New {
        payment: PaymentRow { id, ..candidate },
        superseded: holders,
    })
}

/// Takes a payment that will not be offered off its orders; reconciliation closes it at WeChat
/// Pay if it got there.
async fn abandon(state: &State, payment: &PaymentRow) {
    let id = payment.id;
    let done = state
        .db
        .run(move |conn| -> crate::error::Result<_> {
            Ok(payments::supersede(conn, &[id], now_unix())?)
        })
        .await;
    if let Err(error) = done {
        tracing::warn!(%error, payment = id, "could not set an abandoned payment aside");
    }
}

/// What closing a WeChat Pay order found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Closed {
    /// It can no longer take money (closed now, before, or never placed).
    Closed,
    /// It was paid: the payment was applied (settled) instead.
    Paid,
}

/// Closes `payment` at WeChat Pay and records it; a paid one is settled instead. An error when
/// WeChat Pay could not be reached (the payment stays to be closed by reconciliation).
pub(crate) async fn close_at_wechat(state: &State, payment: &PaymentRow) -> ServiceResult<Closed> {
    match state.wxpay.close(&payment.out_trade_no).await {
        Ok(()) => {}
        Err(error)
            if matches!(
                error.refusal_code(),
                Some("ORDER_NOT_EXIST" | "ORDERNOTEXIST" | "ORDER_CLOSED" | "ORDERCLOSED")
            ) => {}
        Err(error) if error.refusal_code() == Some("ORDERPAID") => {
            settle(state, &payment.out_trade_no).await?;
            return Ok(Closed::Paid);
        }
        Err(error) => return Err(error.into()),
    }
    let id = payment.id;
    state
        .db
        .run(move |conn| -> crate::error::Result<_> {
            Ok(payments::end_unsettled(
                conn,
                id,
                PaymentEvent::ClosedAtWechat,
                now_unix(),
            )?)
        })
        .await
        .map_err(ServiceError::from)?;
    Ok(Closed::Closed)
}

/// Asks WeChat Pay about `out_trade_no` and applies the payment if it was paid; whether it was.
pub(crate) async fn settle(state: &State, out_trade_no: &str) -> ServiceResult<bool> {
    let Some(notice) = state.wxpay.query(out_trade_no).await? else {
        return Ok(false);
    };
    let applied = state
        .db
        .write_statement(move |conn| apply(conn, &notice))
        .await
        .map_err(ServiceError::from)?;
    if applied == Applied::Now {
        tracing::info!(out_trade_no, "payment found by order query and applied");
    }
    Ok(true)
}

/// What applying a notification found.
#[derive(Debug, PartialEq, Eq)]
enum Applied {
    /// Orders paid, bill written, results queued.
    Now,
    /// An earlier delivery did it.
    Already,
    /// Paid with another amount: nothing applied, the money goes back.
    Returned,
}

/// WeChat Pay's notification: verified, checked against our payment, applied once. The answer
/// tells WeChat Pay whether to stop notifying.
pub async fn notification(state: &State, r: pb::NotificationRequest) -> pb::NotificationReply {
    let (headers, body) = received(r);
    let accepted = accept(state, &headers, &body).await;
    wechat_pay_answer(state, accepted, "payment notification")
}

/// A WeChat Pay notification's headers by (lower-case) name, and its body.
pub(crate) fn received(r: pb::NotificationRequest) -> (HashMap<String, String>, Vec<u8>) {
    let headers = r
        .headers
        .into_iter()
        .map(|header| (header.name, header.value))
        .collect();
    (headers, r.body)
}

/// What WeChat Pay hears of a notification: taken; refused (not WeChat Pay's, or wrong); or
/// failed here (WeChat Pay notifies again).
pub(crate) fn wechat_pay_answer(
    state: &State,
    accepted: ServiceResult<()>,
    what: &str,
) -> pb::NotificationReply {
    let outcome = match accepted {
        Ok(()) => NotificationOutcome::Accepted,
        Err(error) => {
            tracing::warn!(msg = %error.msg, message = %error.message, "{what} refused");
            match error.kind {
                ErrorKind::Internal | ErrorKind::Unavailable | ErrorKind::Upstream => {
                    NotificationOutcome::Failed
                }
                _ => NotificationOutcome::Refused,
            }
        }
    };
    let answer = state.wxpay.notification_answer(outcome);
    pb::NotificationReply {
        status: u32::from(answer.status),
        content_type: answer.content_type.to_owned(),
        body: answer.body,
    }
}

async fn accept(
    state: &State,
    headers: &HashMap<String, String>,
    body: &[u8],
) -> ServiceResult<()> {
    let notice = state
        .wxpay
        .parse_notification(headers, body)
        .map_err(|error| {
            // Whatever fails to verify is not WeChat Pay's: refused, never "try again".
            ServiceError::invalid("notification", error.to_string())
        })?;
    if !notice.is_paid() {
        // Nothing was paid: nothing to apply, and nothing to hear again.
        tracing::info!(out_trade_no = %notice.out_trade_no, state = %notice.trade_state, "unpaid notification");
        return Ok(());
    }
    if viewings::is_viewing_trade(&notice.out_trade_no) {
        if notice.currency != "CNY" {
            return Err(ServiceError::invalid("amount", "支付币种不符"));
        }
        return viewings::paid(
            state,
            viewings::Payment {
                paid_at: notice.success_time.map_or_else(now_unix, |t| t.timestamp()),
                out_trade_no: notice.out_trade_no,
                channel: refunds::WXPAY,
                trade_no: notice.transaction_id,
                total_fen: notice.total_fen,
            },
        )
        .await;
    }
    let applied = state
        .db
        .write_statement(move |conn| apply(conn, &notice))
        .await
        .map_err(ServiceError::from)?;
    if applied == Applied::Already {
        tracing::info!("payment notification repeated: already applied");
    }
    Ok(())
}

/// Applies a paid notification. On PostgreSQL outside a transaction (run it with
/// `Database::write_statement`): the reads only inform, and each write is one statement or its
/// own transaction, conditioned on the payment's state, so a repeated or concurrent delivery
/// applies nothing twice. The settlement reads the payment itself; only when it finds none to
/// settle is the payment read, to tell why.
fn apply(conn: &mut kit::db::AnyConnection, notice: &PaymentNotice) -> Result<Applied, Error> {
    let now = now_unix();
    let settlement = if notice.currency == "CNY" {
        Some(settlement(notice, now)?)
    } else {
        None
    };
    if let Some(settlement) = &settlement
        && let Some(settled) = payments::settle(conn, settlement)?
    {
        return Ok(applied(notice, &settled));
    }
    let (payment, paid_orders) = payments::find_with_orders(conn, &notice.out_trade_no)?
        .ok_or_else(|| {
            ServiceError::not_found("支付记录不存在", "notification for an unknown out_trade_no")
        })?;
    if payment.state == payments::PAID || payment.state == payments::DISPUTED {
        return Ok(Applied::Already);
    }
    let Some(settlement) = settlement else {
        tracing::error!(out_trade_no = %notice.out_trade_no, currency = %notice.currency, "payment in another currency: not applied");
        return Err(ServiceError::invalid("amount", "支付币种不符").into());
    };
    if notice.total_fen == payment.amount_fen {
        // Settled by a concurrent delivery, or moved in between: as the payment is now.
        return Ok(match payments::settle(conn, &settlement)? {
            Some(settled) => applied(notice, &settled),
            None => Applied::Already,
        });
    }
    // Paid with another amount: it pays none of its orders, and all of it goes back; the
    // community's platform sees the refund.
    tracing::error!(
        out_trade_no = %notice.out_trade_no,
        reported_fen = notice.total_fen,
        expected_fen = payment.amount_fen,
        "payment of another amount: refunded"
    );
    let community = paid_orders
        .first()
        .map(|row| row.community_identifier.as_str())
        .unwrap_or_default();
    conn.transaction(|conn| {
        if payments::end_unsettled(conn, payment.id, PaymentEvent::PaidOtherwise, now)? == 1 {
            refunds::request(
                conn,
                &refunds::Returned {
                    channel: refunds::WXPAY,
                    out_trade_no: &notice.out_trade_no,
                    total_fen: notice.total_fen,
                    amount_fen: notice.total_fen,
                    reason: "支付金额与订单不符，原路退回",
                    purpose: crate::db::refunds::FOR_MISMATCH,
                    community,
                    ..refunds::Returned::default()
                },
                now,
            )?;
        }
        Ok::<_, Error>(())
    })?;
    Ok(Applied::Returned)
}

/// A notification of payment in full as the settlement takes it: the security platform hears
/// of each order it pays, and the payer of the payment (a subscribe message naming the bill).
fn settlement(notice: &PaymentNotice, now: i64) -> Result<payments::Settlement<'_>, Error> {
    let paid_at = notice.success_time.map_or(now, |t| t.timestamp());
    let mut messages = payments::PaidMessages::default();
    let marks = &messages.marks;
    let result = serde_json::json!({
        "order_number": marks.order_number(),
        "shop_number": notice.out_trade_no,
        "weixin_number": notice.transaction_id,
    });
    let mut paid = serde_json::to_value(kit::outbox::Notice {
        kind: kit::outbox::NoticeKind::Paid,
        title: Some(marks.titles().to_owned()),
        amount_fen: Some(notice.total_fen),
        number: Some(notice.out_trade_no.clone()),
        time: paid_at,
        page_query: Some(format!("id={}", marks.bill())),
        ..kit::outbox::Notice::default()
    })
    .map_err(|error| diesel::result::Error::SerializationError(Box::new(error)))?;
    paid["users"] = serde_json::json!([marks.payer()]);
    messages.each_order = vec![(payments::PAYMENT_RESULT, result.to_string())];
    messages.once = vec![(kit::outbox::NOTICE, paid.to_string())];
    Ok(payments::Settlement {
        out_trade_no: &notice.out_trade_no,
        amount_fen: notice.total_fen,
        transaction_id: &notice.transaction_id,
        paid_at,
        // Orders another payment had paid already (two WeChat Pay orders both paid): that
        // part of this payment goes back to the payer.
        duplicate: refunds::row(
            &refunds::Returned {
                channel: refunds::WXPAY,
                out_trade_no: &notice.out_trade_no,
                total_fen: notice.total_fen,
                reason: "重复缴费，原路退回",
                purpose: crate::db::refunds::FOR_DUPLICATE,
                ..refunds::Returned::default()
            },
            now,
        ),
        messages,
        now,
    })
}

fn applied(notice: &PaymentNotice, settled: &payments::Settled) -> Applied {
    if settled.twice_fen > 0 {
        tracing::warn!(
            bill_id = settled.bill_id,
            amount_fen = settled.twice_fen,
            "orders paid twice: the second payment goes back"
        );
    }
    tracing::info!(bill_id = settled.bill_id, out_trade_no = %notice.out_trade_no, total_fen = notice.total_fen, "payment applied");
    Applied::Now
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_distinct_and_joined_as_the_seed_writes_them() {
        let ids = wanted_ids(&[23, 21, 22, 21]).expect("ids");
        assert_eq!(joined(&ids), "21A22A23");
        assert!(wanted_ids(&[]).is_err());
        assert!(wanted_ids(&[0]).is_err());
        assert!(wanted_ids(&(1..=51).collect::<Vec<_>>()).is_err());
    }
}
