//! Viewing requests (seed 004 看房申请): a seeker asks to view a published listing of another
//! landlord (svc-community says which listings are), at the viewing fee of `[rental]
//! viewing_fee_fen`; the seeker and the landlord each see their requests.
use kit::error::{ServiceError, ServiceResult};
use proto::viewings::{
    AlipayNotice, Caller, ConfirmViewingRequest, CreateViewingRequest, DeclineViewingRequest,
    PaymentUrlRequest, WechatPayRequest,
};

use super::State;
use super::ledger;
use super::refunds::{self, ALIPAY, Returned, WXPAY};
use crate::db::ledger::EntryRow;
use crate::db::refunds as refunds_db;
use crate::db::viewings::{self as db, ViewingRow};
use crate::error::Error;

/// Where a request stands, as stored.
pub const UNPAID: &str = "unpaid";
pub const PAID: &str = "paid";
pub const CONFIRMED: &str = "confirmed";
pub const DECLINED: &str = "declined";
pub const REFUNDED: &str = "refunded";

/// A request still under way: asking again gives it back instead of a second one.
const OPEN: [&str; 3] = [UNPAID, PAID, CONFIRMED];

/// The most wished times one request carries.
pub const MAX_WISHED_TIMES: usize = 3;
/// How far ahead a wished time may be, seconds (30 days).
pub const WISHED_WITHIN_SECS: i64 = 30 * 24 * 3600;

/// The signed-in resident the request names.
pub(crate) fn user_of(resident: Option<&proto::viewings::ResidentRef>) -> ServiceResult<i64> {
    resident
        .map(|r| r.user_id)
        .filter(|id| *id > 0)
        .ok_or_else(|| ServiceError::unauthenticated("no resident in the request"))
}

/// A request to view a published listing that is not the caller's own; while one of theirs for
/// it is open, that one.
pub async fn create(state: &State, request: CreateViewingRequest) -> ServiceResult<ViewingRow> {
    let resident = request
        .resident
        .clone()
        .ok_or_else(|| ServiceError::unauthenticated("no resident in the request"))?;
    let seeker = user_of(Some(&resident))?;
    let now = kit::time::now_unix();
    let mut wished = request.wished_times.clone();
    wished.sort_unstable();
    wished.dedup();
    if wished.len() > MAX_WISHED_TIMES
        || wished
            .iter()
            .any(|at| *at <= now || *at > now + WISHED_WITHIN_SECS)
    {
        return Err(ServiceError::invalid(
            "wished_times",
            "wished_times最多3个，且须在今后30天之内",
        ));
    }
    let viewable = state.rental.viewable(resident, request.house_id).await?;
    let listing = viewable.listing.unwrap_or_default();
    if listing.owner_id != request.owner_id {
        return Err(ServiceError::invalid(
            "owner_id",
            "owner_id不是该房源的房东",
        ));
    }
    let row = ViewingRow {
        seeker_id: seeker,
        listing_id: listing.id,
        owner_id: listing.owner_id,
        community_identifier: listing.community_identifier,
        house_title: listing
            .fields
            .and_then(|f| f.description_title)
            .unwrap_or_default(),
        wished_times: serde_json::to_string(&wished).unwrap_or_else(|_| "[]".to_owned()),
        fee_fen: state.viewing_fee_fen,
        status: UNPAID.to_owned(),
        inviter_id: (viewable.landlord_inviter_id > 0).then_some(viewable.landlord_inviter_id),
        created_at: now,
        updated_at: now,
        ..ViewingRow::default()
    };
    Ok(state
        .db
        .write(move |conn| {
            if let Some(open) = db::of_seeker_for(conn, row.seeker_id, row.listing_id, &OPEN)?
                .into_iter()
                .next()
            {
                return Ok::<_, Error>(open);
            }
            Ok(db::insert(conn, &row)?)
        })
        .await?)
}

/// The caller's requests, the latest first.
pub async fn mine(state: &State, request: Caller) -> ServiceResult<Vec<ViewingRow>> {
    let seeker = user_of(request.resident.as_ref())?;
    Ok(state
        .db
        .run(move |conn| db::of_seeker(conn, seeker).map_err(Error::from))
        .await?)
}

/// The requests for the caller's listings, the latest first.
pub async fn of_owner(state: &State, request: Caller) -> ServiceResult<Vec<ViewingRow>> {
    let owner = user_of(request.resident.as_ref())?;
    Ok(state
        .db
        .run(move |conn| db::of_owner(conn, owner).map_err(Error::from))
        .await?)
}

/// What the payer's Alipay shows as the trade's subject.
pub const FEE_SUBJECT: &str = "看房信息费";
/// `out_trade_no` of request `id`'s fee: `KF` and the id (one trade per request, so asking for
/// the page again reopens the same trade).
const TRADE_PREFIX: &str = "KF";

pub fn out_trade_no(id: i64) -> String {
    format!("{TRADE_PREFIX}{id:012}")
}

fn viewing_of(out_trade_no: &str) -> Option<i64> {
    out_trade_no
        .strip_prefix(TRADE_PREFIX)?
        .parse()
        .ok()
        .filter(|id| *id > 0)
}

/// The caller's request `id`, which must be unpaid.
async fn unpaid_of(state: &State, seeker: i64, id: i64) -> ServiceResult<ViewingRow> {
    let row = state
        .db
        .run(move |conn| db::find(conn, id).map_err(Error::from))
        .await?
        .filter(|row| row.seeker_id == seeker)
        .ok_or_else(|| ServiceError::not_found_in("pre_order_id", "没有找到该看房申请"))?;
    match row.status.as_str() {
        UNPAID => Ok(row),
        DECLINED | REFUNDED => Err(ServiceError::conflict_in(
            "pre_order_id",
            "房东已拒绝该看房申请，无需支付",
        )),
        _ => Err(ServiceError::conflict_in(
            "pre_order_id",
            "该看房申请已支付，无需再次支付",
        )),
    }
}

/// Alipay's mobile payment page for the caller's unpaid request.
pub async fn alipay_url(state: &State, request: PaymentUrlRequest) -> ServiceResult<String> {
    let seeker = user_of(request.resident.as_ref())?;
    let row = unpaid_of(state, seeker, request.id).await?;
    let url = state.alipay.wap_pay_url(
        &out_trade_no(row.id),
        FEE_SUBJECT,
        row.fee_fen,
        &request.return_url,
    )?;
    offered(state, row.id).await?;
    Ok(url)
}

/// `/order/pay_preorder`: a WeChat Pay order for the caller's unpaid request, answered as the
/// mini-program's `wx.requestPayment` parameters (000 §4.2.1's fields).
pub async fn wechat_pay(
    state: &State,
    request: WechatPayRequest,
) -> ServiceResult<wxpay::PayParams> {
    let seeker = user_of(request.resident.as_ref())?;
    let row = unpaid_of(state, seeker, request.id).await?;
    let openid = state.auth.openid(seeker).await?.ok_or_else(|| {
        ServiceError::forbidden(
            "请使用微信登录小程序后再支付",
            "the user has no WeChat openid",
        )
    })?;
    let prepay_id = state
        .wxpay
        .create_jsapi(
            &out_trade_no(row.id),
            FEE_SUBJECT,
            row.fee_fen,
            &openid,
            &request.client_ip,
        )
        .await?;
    offered(state, row.id).await?;
    Ok(state.wxpay.mini_program_params(&prepay_id)?)
}

/// Alipay's asynchronous notification: verified (signature, app_id, seller_id), the trade one of
/// our requests' fees, the amount its fee. A paid trade pays the request once however often it
/// comes; a refund's notification confirms that refund. Answers whether it was taken (Alipay
/// notifies again until it is).
pub async fn alipay_notification(state: &State, notice: AlipayNotice) -> bool {
    let notice = match state.alipay.verify_notification(&notice.form) {
        Ok(notice) => notice,
        Err(error) => {
            tracing::warn!(%error, "Alipay notification refused");
            return false;
        }
    };
    let taken = if let Some(refund) = &notice.refund {
        refunds::notified(
            state,
            refund.out_biz_no.clone(),
            notice.trade_no.clone(),
            true,
        )
        .await
    } else if !notice.is_paid() {
        // WAIT_BUYER_PAY, TRADE_CLOSED: nothing to apply.
        Ok(())
    } else {
        paid(
            state,
            Payment {
                out_trade_no: notice.out_trade_no.clone(),
                channel: ALIPAY,
                trade_no: notice.trade_no.clone(),
                total_fen: notice.total_fen,
                paid_at: kit::time::now_unix(),
            },
        )
        .await
    };
    if let Err(error) = &taken {
        tracing::warn!(out_trade_no = %notice.out_trade_no, msg = %error.msg, message = %error.message, "Alipay notification not applied");
    }
    taken.is_ok()
}

/// A viewing fee's payment as a provider reports it.
pub struct Payment {
    pub out_trade_no: String,
    /// [`ALIPAY`] or [`WXPAY`].
    pub channel: &'static str,
    /// The provider's trade number.
    pub trade_no: String,
    pub total_fen: i64,
    pub paid_at: i64,
}

/// What a payment did to its request.
#[derive(Debug, PartialEq, Eq)]
pub enum Applied {
    /// The request is paid now.
    Now,
    /// This payment was applied before.
    Already,
    /// The request was paid another way, or can no longer be paid: this money goes back.
    Returned,
}

/// Whether `out_trade_no` is one of our requests' fees (`KF` and the id).
pub fn is_viewing_trade(out_trade_no: &str) -> bool {
    viewing_of(out_trade_no).is_some()
}

/// Applies a reported payment of a request's fee: once, whichever channel reports it and however
/// often; a second payment (the other channel, or a request no longer unpaid) is refunded.
pub async fn paid(state: &State, payment: Payment) -> ServiceResult<()> {
    let id = viewing_of(&payment.out_trade_no).ok_or_else(|| {
        ServiceError::not_found_in("out_trade_no", "a trade that is not a viewing fee")
    })?;
    let channel = payment.channel;
    let applied = state
        .db
        .write_statement(move |conn| apply(conn, id, &payment))
        .await?;
    match applied {
        Applied::Now => tracing::info!(viewing = id, channel, "viewing fee paid"),
        Applied::Already => {}
        Applied::Returned => {
            tracing::warn!(
                viewing = id,
                channel,
                "viewing fee paid twice: the second goes back"
            )
        }
    }
    Ok(())
}

/// Applies a reported payment (run it with `Database::write_statement`). On PostgreSQL the usual
/// case, an unpaid request paid its fee, is one statement with no transaction around it
/// ([`db::pay_and_post`]); whatever that did not pay is decided in a transaction. On SQLite all
/// of it is already the writer's transaction.
fn apply(conn: &mut kit::db::AnyConnection, id: i64, payment: &Payment) -> Result<Applied, Error> {
    let now = kit::time::now_unix();
    let paid_now = match conn {
        kit::db::AnyConnection::Postgresql(pg) => Some(db::pay_and_post(
            pg,
            &db::FeePaid {
                id,
                fee_fen: payment.total_fen,
                channel: payment.channel,
                trade_no: &payment.trade_no,
                paid_at: payment.paid_at,
                now,
            },
            &fee_paid_entries(id, payment, now)?,
        )?),
        _ => None,
    };
    match paid_now {
        Some(true) => Ok(Applied::Now),
        Some(false) => kit::db::write_transaction(conn, |conn| decide(conn, id, payment, now)),
        None => decide(conn, id, payment, now),
    }
}

/// The ledger's movement of request `id`'s fee paid: the provider holds it, in escrow.
fn fee_paid_entries(id: i64, payment: &Payment, now: i64) -> Result<Vec<EntryRow>, Error> {
    let total = payment.total_fen;
    ledger::entries(
        &format!("viewing-paid:{id}"),
        &[
            (ledger::provider(payment.channel), total),
            (ledger::ESCROW.to_owned(), -total),
        ],
        viewing(id),
        now,
    )
}

/// [`apply`] in a transaction: the request locked, then paid, or found paid by this payment
/// before, or the money sent back.
fn decide(
    conn: &mut kit::db::AnyConnection,
    id: i64,
    payment: &Payment,
    now: i64,
) -> Result<Applied, Error> {
    let (channel, total) = (payment.channel, payment.total_fen);
    let (trade_no, out_trade_no) = (payment.trade_no.as_str(), payment.out_trade_no.as_str());
    let row = db::lock(conn, id)?
        .ok_or_else(|| ServiceError::not_found_in("out_trade_no", "no such viewing request"))?;
    let the_fee = row.fee_fen == total;
    if the_fee && row.status == UNPAID {
        db::mark_paid(conn, id, channel, trade_no, payment.paid_at, now)?;
        crate::db::ledger::insert(conn, &fee_paid_entries(id, payment, now)?)?;
        return Ok(Applied::Now);
    }
    if the_fee
        && row.pay_channel.as_deref() == Some(channel)
        && row.trade_no.as_deref() == Some(trade_no)
    {
        return Ok(Applied::Already);
    }
    // Paid twice (the other channel, or a request no longer payable), or another amount than
    // the fee: this money goes back, once per channel.
    let (purpose, reason) = if the_fee {
        (refunds_db::FOR_DUPLICATE, DUPLICATE_REASON)
    } else {
        (refunds_db::FOR_MISMATCH, MISMATCH_REASON)
    };
    let returned = refunds_db::of_trade(conn, out_trade_no)?.iter().any(|r| {
        r.channel == channel
            && (r.purpose == refunds_db::FOR_DUPLICATE || r.purpose == refunds_db::FOR_MISMATCH)
    });
    if !returned {
        let refund = refunds::request(
            conn,
            &Returned {
                channel,
                out_trade_no,
                total_fen: total,
                amount_fen: total,
                reason,
                purpose,
                viewing_id: Some(id),
                community: &row.community_identifier,
                ..Returned::default()
            },
            now,
        )?;
        ledger::post(
            conn,
            &format!("returned:{}", refund.id),
            &[
                (ledger::provider(channel), total),
                (ledger::REFUNDS.to_owned(), -total),
            ],
            ledger::Subject {
                viewing_id: Some(id),
                refund_id: Some(refund.id),
            },
            now,
        )?;
    }
    Ok(Applied::Returned)
}

/// Why a second payment goes back.
const DUPLICATE_REASON: &str = "看房费重复支付，原路退回";
/// Why a payment of another amount than the fee goes back.
const MISMATCH_REASON: &str = "支付金额与看房费不符，原路退回";

/// `/order/confirm_preorder`: the landlord confirms a paid request with the viewing time.
pub async fn confirm(state: &State, request: ConfirmViewingRequest) -> ServiceResult<ViewingRow> {
    let owner = user_of(request.resident.as_ref())?;
    let now = kit::time::now_unix();
    let at = request.viewing_time;
    if at <= now || at > now + WISHED_WITHIN_SECS {
        return Err(ServiceError::invalid(
            "viewing_time",
            "viewing_time须在今后30天之内",
        ));
    }
    let id = request.id;
    let share = state.invite_share;
    Ok(state
        .db
        .write(move |conn| {
            let row = landlords(conn, id, owner)?;
            if row.status != PAID {
                return Err(not_now(&row.status, "确认").into());
            }
            credit(conn, &row, share, now)?;
            let confirmed =
                db::change_status(conn, id, &[PAID], CONFIRMED, Some(at), "", now)?.unwrap_or(row);
            kit::outbox::enqueue_notice(
                conn,
                &seekers_notice(&confirmed, "已确认", "请按约定时间看房", at),
            )?;
            Ok::<_, Error>(confirmed)
        })
        .await?)
}

/// `/order/decline_preorder`: the landlord declines an unpaid or paid request, with a reason; a
/// paid fee goes back the way it came.
pub async fn decline(state: &State, request: DeclineViewingRequest) -> ServiceResult<ViewingRow> {
    let owner = user_of(request.resident.as_ref())?;
    let id = request.id;
    let reason = request.reason;
    Ok(state
        .db
        .write(move |conn| {
            let row = landlords(conn, id, owner)?;
            if row.status != PAID && row.status != UNPAID {
                return Err(not_now(&row.status, "拒绝").into());
            }
            Ok::<_, Error>(give_back(conn, &row, &reason)?.unwrap_or(row))
        })
        .await?)
}

/// Declines `row` (unpaid or paid) with `reason`; a paid fee is refunded the way it came. The
/// request as it then stands (`None`: it was neither).
fn give_back(
    conn: &mut kit::db::AnyConnection,
    row: &ViewingRow,
    reason: &str,
) -> Result<Option<ViewingRow>, Error> {
    let now = kit::time::now_unix();
    let Some(declined) =
        db::change_status(conn, row.id, &[UNPAID, PAID], DECLINED, None, reason, now)?
    else {
        return Ok(None);
    };
    if row.status == PAID {
        let channel = row.pay_channel.clone().unwrap_or_default();
        ledger::post(
            conn,
            &format!("viewing-declined:{}", row.id),
            &[
                (ledger::ESCROW.to_owned(), row.fee_fen),
                (ledger::REFUNDS.to_owned(), -row.fee_fen),
            ],
            viewing(row.id),
            now,
        )?;
        refunds::request(
            conn,
            &Returned {
                channel: &channel,
                out_trade_no: &out_trade_no(row.id),
                total_fen: row.fee_fen,
                amount_fen: row.fee_fen,
                reason,
                purpose: refunds_db::FOR_VIEWING,
                viewing_id: Some(row.id),
                community: &row.community_identifier,
                ..Returned::default()
            },
            now,
        )?;
    }
    kit::outbox::enqueue_notice(conn, &seekers_notice(&declined, "已拒绝", reason, now))?;
    Ok(Some(declined))
}

/// The seeker's notice of what became of their viewing request (a subscribe message).
pub(crate) fn seekers_notice(
    row: &ViewingRow,
    status: &str,
    remark: &str,
    time: i64,
) -> kit::outbox::Notice {
    kit::outbox::Notice {
        users: vec![row.seeker_id],
        kind: kit::outbox::NoticeKind::Viewing,
        title: Some(row.house_title.clone()),
        status: Some(status.to_owned()),
        remark: Some(remark.to_owned()),
        amount_fen: Some(row.fee_fen),
        time,
        page_query: Some(format!("pre_order_id={}", row.id)),
        ..kit::outbox::Notice::default()
    }
}

/// A confirmed fee is the landlord's; whoever invited the landlord earns `share` of it on top.
fn credit(
    conn: &mut kit::db::AnyConnection,
    row: &ViewingRow,
    share: f64,
    now: i64,
) -> Result<(), Error> {
    ledger::post(
        conn,
        &format!("viewing-confirmed:{}", row.id),
        &[
            (ledger::ESCROW.to_owned(), row.fee_fen),
            (
                ledger::user(row.owner_id, &row.community_identifier),
                -row.fee_fen,
            ),
        ],
        viewing(row.id),
        now,
    )?;
    let earned = ledger::share_of(row.fee_fen, share);
    if let Some(inviter) = row.inviter_id.filter(|_| earned > 0) {
        ledger::post(
            conn,
            &format!("invite-share:{}", row.id),
            &[
                (ledger::INVITATIONS.to_owned(), earned),
                (ledger::user(inviter, &row.community_identifier), -earned),
            ],
            viewing(row.id),
            now,
        )?;
    }
    Ok(())
}

fn viewing(id: i64) -> ledger::Subject {
    ledger::Subject {
        viewing_id: Some(id),
        refund_id: None,
    }
}

/// Request `id` of landlord `owner`, locked; someone else's is not found.
fn landlords(conn: &mut kit::db::AnyConnection, id: i64, owner: i64) -> Result<ViewingRow, Error> {
    db::lock(conn, id)?
        .filter(|row| row.owner_id == owner)
        .ok_or_else(|| ServiceError::not_found_in("pre_order_id", "没有找到该看房申请").into())
}

fn not_now(status: &str, what: &str) -> ServiceError {
    let now = match status {
        UNPAID => "尚未支付",
        CONFIRMED => "已确认",
        DECLINED => "已拒绝",
        REFUNDED => "已退款",
        _ => "已支付",
    };
    ServiceError::conflict_in("pre_order_id", format!("该看房申请{now}，不能{what}"))
}

/// Requests looked at per reconciliation pass.
const BATCH: i64 = 50;
/// An offered payment is looked for by asking the providers from `[reconciliation]
/// after_seconds` after the offer, then less and less often, until a day has passed.
const CHECK_FOR_SECS: i64 = 24 * 3600;

/// A payment was offered for request `id`: reconciliation looks for it if no notification comes.
async fn offered(state: &State, id: i64) -> ServiceResult<()> {
    let now = kit::time::now_unix();
    let check_after = state.check_after_secs;
    state
        .db
        .run(move |conn| db::offered(conn, id, now, now + check_after).map_err(Error::from))
        .await?;
    Ok(())
}

/// Escrow: every paid request the landlord has not confirmed within `[rental]
/// confirm_within_hours` of its payment is declined and its fee refunded; how many.
pub async fn expire_unconfirmed(state: &State) -> ServiceResult<usize> {
    let now = kit::time::now_unix();
    let confirm_within_secs = state.confirm_within_secs;
    let reason = format!(
        "房东未在{}小时内确认，看房费原路退回",
        (confirm_within_secs as f64 / 3600.0).ceil()
    );
    Ok(state
        .db
        .run(move |conn| {
            let due = db::unconfirmed(conn, now - confirm_within_secs, BATCH)?;
            let count = due.len();
            for row in due {
                kit::db::write_transaction(conn, |conn| match db::lock(conn, row.id)? {
                    Some(fresh) if fresh.status == PAID => {
                        give_back(conn, &fresh, &reason).map(drop)
                    }
                    _ => Ok(()),
                })?;
            }
            Ok::<_, Error>(count)
        })
        .await?)
}

/// Reconciliation: unpaid requests whose payment was offered are looked up at both providers; a
/// payment whose notification never came is applied as the notification would have been.
pub async fn find_missed_payments(state: &State) -> ServiceResult<usize> {
    let now = kit::time::now_unix();
    let due = state
        .db
        .run(move |conn| db::to_check(conn, now, BATCH).map_err(Error::from))
        .await?;
    let count = due.len();
    // The shortest wait between two looks at one request.
    let every = state.check_after_secs.max(1);
    for row in due {
        let trade = out_trade_no(row.id);
        let found = look_up(state, &trade).await;
        let next = match found {
            Ok(Some(payment)) => {
                paid(state, payment).await?;
                None
            }
            Ok(None) => {
                let offered = row.offered_at.unwrap_or(now);
                (now - offered < CHECK_FOR_SECS).then(|| now + (now - offered).max(every))
            }
            Err(error) => {
                tracing::warn!(viewing = row.id, msg = %error.msg, message = %error.message, "viewing fee not looked up");
                Some(now + every)
            }
        };
        let id = row.id;
        state
            .db
            .run(move |conn| db::check_again(conn, id, next).map_err(Error::from))
            .await?;
    }
    Ok(count)
}

/// The payment of `out_trade_no` one of the providers holds, if any.
async fn look_up(state: &State, out_trade_no: &str) -> ServiceResult<Option<Payment>> {
    let paid = |channel, trade_no, total_fen| Payment {
        out_trade_no: out_trade_no.to_owned(),
        channel,
        trade_no,
        total_fen,
        paid_at: kit::time::now_unix(),
    };
    if let Some(trade) = state.alipay.query(out_trade_no).await?
        && trade.is_paid()
    {
        return Ok(Some(paid(ALIPAY, trade.trade_no, trade.total_fen)));
    }
    if let Some(notice) = state.wxpay.query(out_trade_no).await?
        && notice.is_paid()
    {
        return Ok(Some(paid(WXPAY, notice.transaction_id, notice.total_fen)));
    }
    Ok(None)
}
