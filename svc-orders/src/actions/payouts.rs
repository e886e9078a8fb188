//! Seed 004's `/payment/ali/pay_to_customer` (internal): the platform credential pays what the
//! marketplace owes a landlord or an inviter of its community (the ledger account
//! `user:<id>@<community>`) to the Alipay account of their rental profile
//! (`alipay.fund.trans.uni.transfer`).
//!
//! A payout is written with its ledger movement (`payout:<order_id>`: the user's account +amount,
//! `provider:alipay` −amount) in one transaction, within what the ledger owes, before Alipay is
//! asked. Alipay pays it (succeeded), refuses it for good (failed: a reversing movement gives the
//! money back to the account) or cannot be reached (pending: the same `order_id` again sends it
//! again; Alipay is idempotent by our `out_biz_no`, derived from the `order_id`).
use alipay::{AlipayError, IdentityType, Transfer};
use kit::error::{ErrorKind, ServiceError, ServiceResult};
use kit::types::{mask_account, mask_name};
use proto::viewings::{PayeeType, PayoutRequest, PayoutsRequest};

use super::refunds::{ALIPAY, refused_for_good};
use super::{State, ledger, managed, platform, request_number};
use crate::db::ledger as ledger_db;
use crate::db::payouts::{self as db, FAILED, PENDING, PayoutRow, SUCCEEDED};
use crate::error::Error;

/// Alipay's smallest payout, fen (0.1 元, seed 004's 最小金额).
pub const MIN_FEN: i64 = 10;
/// Alipay's longest remark, characters.
const MAX_REMARK_CHARS: usize = 200;
/// The longest account a profile holds.
const MAX_ACCOUNT_CHARS: usize = 64;
/// What the payee's Alipay bill shows.
const ORDER_TITLE: &str = "万家灯火租房收益";
/// Seed 004's names of the payee types, as stored.
pub const USER_ID: &str = "ALIPAY_USERID";
pub const LOGON_ID: &str = "ALIPAY_LOGONID";

/// Our `out_biz_no` of the platform's `order_id`: the same order_id is always the same payout at
/// Alipay, whatever characters it holds.
fn out_biz_no(order_id: &str) -> String {
    let digest = kit::secret::keyed_hash("wjdh-payout", order_id);
    format!("PO{}", &digest[..digest.len().min(30)])
}

/// Pays out as the platform asks: once per `order_id`; the same order_id again answers the same
/// payout (sending a pending one again), with other fields it is refused naming `order_id`.
pub async fn pay(state: &State, r: PayoutRequest) -> ServiceResult<PayoutRow> {
    let caller = platform(r.platform.as_ref())?;
    let community = managed(caller, &r.xiaoqu)?;
    let asked = asked(&r, community, caller.credential_id)?;
    let order_id = asked.order_id.clone();
    let earlier = state
        .db
        .run(move |conn| db::by_order_id(conn, &order_id).map_err(Error::from))
        .await?;
    let row = match earlier {
        Some(earlier) => same_as_asked(earlier, &asked)?,
        None => write(state, asked).await?,
    };
    answer(send(state, row).await?)
}

/// A paid payout; a failed or pending one is refused with what the platform should do.
fn answer(row: PayoutRow) -> ServiceResult<PayoutRow> {
    match row.state.as_str() {
        SUCCEEDED => Ok(row),
        FAILED => Err(ServiceError::new(
            ErrorKind::Conflict,
            format!("支付宝拒绝了该笔转账：{}", row.failure),
            format!("payout {} failed", row.order_id),
        )),
        _ => Err(ServiceError::new(
            ErrorKind::Upstream,
            "支付宝暂时不可用，转账尚未完成：请稍后用同一order_id重试",
            format!("payout {} pending: {}", row.order_id, row.failure),
        )),
    }
}

/// The request as the payout it asks for (the payee's name still unknown).
fn asked(r: &PayoutRequest, community: String, credential_id: i64) -> ServiceResult<PayoutRow> {
    let order_id = request_number("order_id", &r.order_id)?;
    if r.owner_id < 1 {
        return Err(ServiceError::missing("owner_id"));
    }
    let payee_type = match PayeeType::try_from(r.payee_type) {
        Ok(PayeeType::UserId) => USER_ID,
        Ok(PayeeType::LogonId) => LOGON_ID,
        _ => {
            return Err(ServiceError::invalid(
                "payee_type",
                "payee_type必须是ALIPAY_USERID或ALIPAY_LOGONID",
            ));
        }
    };
    let account = r.payee_account.trim();
    if account.is_empty() {
        return Err(ServiceError::missing("payee_acount"));
    }
    if account.chars().count() > MAX_ACCOUNT_CHARS
        || (payee_type == USER_ID && !alipay::is_user_id(account))
    {
        return Err(ServiceError::invalid(
            "payee_acount",
            "payee_acount不是该类型的支付宝账号（ALIPAY_USERID为2088开头的16位数字）",
        ));
    }
    if r.amount_fen < MIN_FEN {
        return Err(ServiceError::invalid("amount", "amount最小为0.1元"));
    }
    let remark = r.remark.trim();
    if remark.chars().count() > MAX_REMARK_CHARS {
        return Err(ServiceError::invalid("remark", "remark最多200个字"));
    }
    let now = kit::time::now_unix();
    Ok(PayoutRow {
        out_biz_no: out_biz_no(&order_id),
        order_id,
        community_identifier: community,
        owner_id: r.owner_id,
        payee_type: payee_type.to_owned(),
        payee_account: account.to_owned(),
        amount_fen: r.amount_fen,
        remark: remark.to_owned(),
        state: PENDING.to_owned(),
        credential_id,
        created_at: now,
        updated_at: now,
        ..PayoutRow::default()
    })
}

/// The payout already made for the request's `order_id`, when the request is the same.
fn same_as_asked(earlier: PayoutRow, asked: &PayoutRow) -> ServiceResult<PayoutRow> {
    let same = earlier.community_identifier == asked.community_identifier
        && earlier.owner_id == asked.owner_id
        && earlier.payee_type == asked.payee_type
        && earlier.payee_account == asked.payee_account
        && earlier.amount_fen == asked.amount_fen
        && earlier.remark == asked.remark;
    if same {
        Ok(earlier)
    } else {
        Err(ServiceError::conflict_in(
            "order_id",
            "该order_id已用于另一笔转账",
        ))
    }
}

/// Writes a new payout and its movement, once the payee is the owner's profile account and the
/// ledger owes the owner that much in the community.
async fn write(state: &State, mut row: PayoutRow) -> ServiceResult<PayoutRow> {
    let (account, name) = state.rental.payout_account(row.owner_id).await?;
    if account.trim().is_empty() {
        return Err(ServiceError::invalid(
            "payee_acount",
            "收款人尚未在用户信息中填写收款账户",
        ));
    }
    if account.trim() != row.payee_account {
        return Err(ServiceError::invalid(
            "payee_acount",
            "payee_acount不是收款人用户信息中的收款账户",
        ));
    }
    if row.payee_type == LOGON_ID && name.trim().is_empty() {
        return Err(ServiceError::invalid(
            "payee_acount",
            "按支付宝登录号转账需要收款人姓名：请收款人在用户信息中填写account_name",
        ));
    }
    row.payee_name = name.trim().to_owned();
    Ok(state
        .db
        .write(move |conn| {
            // A concurrent request with this order_id may have won.
            if let Some(earlier) = db::by_order_id(conn, &row.order_id)? {
                return Ok::<_, Error>(same_as_asked(earlier, &row)?);
            }
            let owed_by = ledger::user(row.owner_id, &row.community_identifier);
            ledger_db::lock_account(conn, &owed_by)?;
            // Credits are negative: what the ledger owes the user is minus its balance.
            let owed = -ledger_db::balance(conn, &owed_by)?;
            if row.amount_fen > owed {
                return Err(ServiceError::invalid(
                    "amount",
                    format!(
                        "amount超过可转出的余额（{}元）",
                        kit::money::yuan_decimal(owed.max(0))
                    ),
                )
                .into());
            }
            let row = db::insert(conn, &row)?;
            ledger::post(
                conn,
                &format!("payout:{}", row.order_id),
                &[
                    (owed_by, row.amount_fen),
                    (ledger::provider(ALIPAY), -row.amount_fen),
                ],
                ledger::Subject::default(),
                row.created_at,
            )?;
            Ok(row)
        })
        .await?)
}

/// What Alipay said of a payout.
enum Outcome {
    /// Paid: Alipay's order id.
    Paid(String),
    /// Refused for good: why.
    Refused(String),
    /// Not reached, or a refusal worth trying again: why.
    Unreachable(String),
}

/// Asks Alipay to pay a pending payout and records what it said; the payout as it stands then
/// (a settled one as it is).
async fn send(state: &State, row: PayoutRow) -> ServiceResult<PayoutRow> {
    if row.state != PENDING {
        return Ok(row);
    }
    let identity_type = if row.payee_type == USER_ID {
        IdentityType::AlipayUserId
    } else {
        IdentityType::AlipayLogonId
    };
    let transfer = Transfer {
        out_biz_no: &row.out_biz_no,
        amount_fen: row.amount_fen,
        payee_identity: &row.payee_account,
        identity_type,
        payee_name: (!row.payee_name.is_empty()).then_some(row.payee_name.as_str()),
        order_title: ORDER_TITLE,
        remark: &row.remark,
    };
    let outcome = match state.alipay.transfer(&transfer).await {
        Ok(done) if done.status == "FAIL" => Outcome::Refused(format!("status {}", done.status)),
        Ok(done) => Outcome::Paid(done.order_id),
        Err(AlipayError::Refused { code, message }) if refused_for_good(Some(&code)) => {
            Outcome::Refused(format!("{code} {message}"))
        }
        Err(error) => Outcome::Unreachable(error.to_string()),
    };
    let payee = mask_account(&row.payee_account);
    let name = mask_name(&row.payee_name);
    match &outcome {
        Outcome::Paid(_) => {
            tracing::info!(order_id = %row.order_id, %payee, %name, amount_fen = row.amount_fen, "payout paid")
        }
        Outcome::Refused(why) => {
            tracing::warn!(order_id = %row.order_id, %payee, %name, %why, "payout refused by Alipay: the money is owed again")
        }
        Outcome::Unreachable(why) => {
            tracing::warn!(order_id = %row.order_id, %why, "payout not sent: pending until asked again")
        }
    }
    let (id, order_id) = (row.id, row.order_id.clone());
    let settled = state
        .db
        .run(move |conn| {
            kit::db::write_transaction(conn, |conn| settle(conn, id, &outcome))?;
            Ok::<_, Error>(db::by_order_id(conn, &order_id)?)
        })
        .await?;
    Ok(settled.unwrap_or(row))
}

/// Records `outcome` on pending payout `id`, once: a refusal posts the reversing movement.
fn settle(conn: &mut kit::db::AnyConnection, id: i64, outcome: &Outcome) -> Result<(), Error> {
    let Some(row) = db::lock(conn, id)? else {
        return Ok(());
    };
    let now = kit::time::now_unix();
    match outcome {
        Outcome::Paid(order_id) => {
            db::settle(conn, id, SUCCEEDED, Some(order_id), "", now)?;
        }
        Outcome::Refused(why) => {
            if db::settle(conn, id, FAILED, None, why, now)? {
                ledger::post(
                    conn,
                    &format!("payout-failed:{}", row.order_id),
                    &[
                        (ledger::provider(ALIPAY), row.amount_fen),
                        (
                            ledger::user(row.owner_id, &row.community_identifier),
                            -row.amount_fen,
                        ),
                    ],
                    ledger::Subject::default(),
                    now,
                )?;
            }
        }
        Outcome::Unreachable(why) => db::note_failure(conn, id, why, now)?,
    }
    Ok(())
}

/// The payouts of the credential's community `xiaoqu`, the latest first.
pub async fn list(state: &State, r: PayoutsRequest) -> ServiceResult<Vec<PayoutRow>> {
    let caller = platform(r.platform.as_ref())?;
    let community = managed(caller, &r.xiaoqu)?;
    Ok(state
        .db
        .run(move |conn| db::of_community(conn, &community).map_err(Error::from))
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_id_is_always_the_same_payout_at_alipay_and_never_another_s() {
        assert_eq!(out_biz_no("A-1"), out_biz_no("A-1"));
        assert_ne!(out_biz_no("A-1"), out_biz_no("A_1"));
        let number = out_biz_no("x");
        assert_eq!(number.len(), 32);
        assert!(number.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
