//! Viewing requests (seed 004 看房申请): a seeker asks to view a published listing of another
//! landlord (svc-community says which listings are), at the viewing fee of `[rental]
//! viewing_fee_fen`; the seeker and the landlord each see their requests.
use kit::error::{ServiceError, ServiceResult};
use proto::viewings::{AlipayNotice, Caller, CreateViewingRequest, PaymentUrlRequest};

use super::State;
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

fn user_of(resident: Option<&proto::viewings::ResidentRef>) -> ServiceResult<i64> {
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
    let listing = state.rental.viewable(resident, request.house_id).await?;
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
        created_at: now,
        updated_at: now,
        ..ViewingRow::default()
    };
    Ok(state
        .db
        .run(move |conn| {
            kit::db::write_transaction(conn, |conn| {
                if let Some(open) = db::of_seeker_for(conn, row.seeker_id, row.listing_id, &OPEN)?
                    .into_iter()
                    .next()
                {
                    return Ok::<_, Error>(open);
                }
                Ok(db::insert(conn, &row)?)
            })
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

/// Alipay's mobile payment page for the caller's unpaid request.
pub async fn alipay_url(state: &State, request: PaymentUrlRequest) -> ServiceResult<String> {
    let seeker = user_of(request.resident.as_ref())?;
    let id = request.id;
    let row = state
        .db
        .run(move |conn| db::find(conn, id).map_err(Error::from))
        .await?
        .filter(|row| row.seeker_id == seeker)
        .ok_or_else(|| ServiceError::not_found_in("pre_order_id", "没有找到该看房申请"))?;
    if row.status != UNPAID {
        return Err(ServiceError::conflict_in(
            "pre_order_id",
            "该看房申请已支付，无需再次支付",
        ));
    }
    Ok(state.alipay.wap_pay_url(
        &out_trade_no(row.id),
        FEE_SUBJECT,
        row.fee_fen,
        &request.return_url,
    )?)
}

/// Alipay's asynchronous notification: verified (signature, app_id, seller_id), the trade one of
/// our requests' fees, the amount its fee; a paid trade marks the request paid, once however
/// often it comes. Answers whether it was taken (Alipay notifies again until it is).
pub async fn alipay_notification(state: &State, notice: AlipayNotice) -> bool {
    let notice = match state.alipay.verify_notification(&notice.form) {
        Ok(notice) => notice,
        Err(error) => {
            tracing::warn!(%error, "Alipay notification refused");
            return false;
        }
    };
    if !notice.is_paid() {
        // WAIT_BUYER_PAY, TRADE_CLOSED: nothing to apply.
        return true;
    }
    let Some(id) = viewing_of(&notice.out_trade_no) else {
        tracing::warn!(out_trade_no = %notice.out_trade_no, "Alipay notification of a trade not ours");
        return false;
    };
    let now = kit::time::now_unix();
    let trade_no = notice.trade_no.clone();
    let total = notice.total_fen;
    let applied = state
        .db
        .run(move |conn| {
            kit::db::write_transaction(conn, |conn| {
                let row = db::find(conn, id)?.ok_or_else(|| {
                    ServiceError::not_found_in("out_trade_no", "no such viewing request")
                })?;
                if row.fee_fen != total {
                    return Err(ServiceError::conflict_in(
                        "total_amount",
                        "the amount is not the request's fee",
                    )
                    .into());
                }
                db::mark_paid(conn, id, "alipay", &trade_no, now)?;
                Ok::<_, Error>(())
            })
        })
        .await;
    if let Err(error) = &applied {
        tracing::warn!(viewing = id, %error, "Alipay notification not applied");
    }
    applied.is_ok()
}
