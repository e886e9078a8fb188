//! `payouts`: money the marketplace owes a landlord or an inviter, paid to their Alipay account
//! (`alipay.fund.trans.uni.transfer`), once per platform `order_id`.
use diesel::prelude::*;
use kit::db::AnyConnection;

use super::schema::payouts;

/// Written, with its ledger movement; Alipay is (to be) asked.
pub const PENDING: &str = "pending";
pub const SUCCEEDED: &str = "succeeded";
/// Alipay refused it for good: the money is back on the account it was to leave.
pub const FAILED: &str = "failed";

/// A payout's row.
#[derive(Clone, Debug, Default, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = payouts)]
pub struct PayoutRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    /// The platform's idempotency key.
    pub order_id: String,
    /// Alipay's idempotency key, derived from `order_id`.
    pub out_biz_no: String,
    pub community_identifier: String,
    pub owner_id: i64,
    /// `ALIPAY_USERID` or `ALIPAY_LOGONID`.
    pub payee_type: String,
    pub payee_account: String,
    pub payee_name: String,
    pub amount_fen: i64,
    pub remark: String,
    /// [`PENDING`], [`SUCCEEDED`] or [`FAILED`].
    pub state: String,
    pub alipay_order_id: Option<String>,
    pub failure: String,
    pub credential_id: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub paid_at: Option<i64>,
}

/// The most payouts one list answers.
pub const LIST_LIMIT: i64 = 200;

pub fn insert(conn: &mut AnyConnection, row: &PayoutRow) -> QueryResult<PayoutRow> {
    diesel::insert_into(payouts::table)
        .values(row)
        .returning(payouts::all_columns)
        .get_result(conn)
}

pub fn by_order_id(conn: &mut AnyConnection, order_id: &str) -> QueryResult<Option<PayoutRow>> {
    payouts::table
        .filter(payouts::order_id.eq(order_id))
        .select(PayoutRow::as_select())
        .first(conn)
        .optional()
}

/// Payout `id` with its row lock (as `viewings::lock`): a pending payout is settled once.
pub fn lock(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<PayoutRow>> {
    diesel::update(payouts::table.find(id))
        .set(payouts::updated_at.eq(payouts::updated_at))
        .returning(payouts::all_columns)
        .get_result(conn)
        .optional()
}

/// Settles pending payout `id` as `state`; whether it did.
pub fn settle(
    conn: &mut AnyConnection,
    id: i64,
    state: &str,
    alipay_order_id: Option<&str>,
    failure: &str,
    now: i64,
) -> QueryResult<bool> {
    use payouts as p;
    let paid_at = (state == SUCCEEDED).then_some(now);
    let changed = diesel::update(p::table.find(id).filter(p::state.eq(PENDING)))
        .set((
            p::state.eq(state),
            p::alipay_order_id.eq(alipay_order_id),
            p::failure.eq(failure),
            p::paid_at.eq(paid_at),
            p::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Notes why a pending payout could not be sent yet.
pub fn note_failure(conn: &mut AnyConnection, id: i64, failure: &str, now: i64) -> QueryResult<()> {
    use payouts as p;
    diesel::update(p::table.find(id).filter(p::state.eq(PENDING)))
        .set((p::failure.eq(failure), p::updated_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

/// The payouts of `community`, the latest first (by creation time, then id, as
/// `payouts_of_community_newest` holds them; at most [`LIST_LIMIT`]).
pub fn of_community(conn: &mut AnyConnection, community: &str) -> QueryResult<Vec<PayoutRow>> {
    payouts::table
        .filter(payouts::community_identifier.eq(community))
        .order((payouts::created_at.desc(), payouts::id.desc()))
        .limit(LIST_LIMIT)
        .select(PayoutRow::as_select())
        .load(conn)
}
