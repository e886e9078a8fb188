//! The marketplace's money as double entry: each change of a viewing fee's state posts one
//! movement whose rows sum to zero, in the change's own transaction. Debits are positive.
//!
//! | movement | rows |
//! | --- | --- |
//! | a fee paid | provider +fee, escrow −fee |
//! | a fee confirmed | escrow +fee, landlord −fee; with an inviter: invitations +share, inviter −share |
//! | a paid fee declined or expired | escrow +fee, refunds −fee |
//! | a second payment, or one of another amount | provider +amount, refunds −amount |
//! | a refund paid back | refunds +amount, provider −amount |
use kit::db::AnyConnection;
use kit::error::ServiceError;

use crate::db::ledger::{self as db, EntryRow};
use crate::error::Error;

/// Viewing fees held until the landlord answers.
pub const ESCROW: &str = "escrow";
/// Money owed back to payers until their refund is through.
pub const REFUNDS: &str = "refunds";
/// What the invitation shares cost the platform.
pub const INVITATIONS: &str = "platform:invitations";

/// The money held at a provider (`alipay`, `wxpay`).
pub fn provider(channel: &str) -> String {
    format!("provider:{channel}")
}

/// What we owe user `id` of the fees earned in `community` (a landlord's confirmed fees, an
/// inviter's shares): paid out by the platform credential managing that community.
pub fn user(id: i64, community: &str) -> String {
    format!("user:{id}@{community}")
}

/// What a movement concerns.
#[derive(Clone, Copy, Debug, Default)]
pub struct Subject {
    pub viewing_id: Option<i64>,
    pub refund_id: Option<i64>,
}

/// Posts movement `movement`: `(account, amount)` rows that must sum to zero.
pub fn post(
    conn: &mut AnyConnection,
    movement: &str,
    rows: &[(String, i64)],
    subject: Subject,
    now: i64,
) -> Result<(), Error> {
    db::insert(conn, &entries(movement, rows, subject, now)?)?;
    Ok(())
}

/// The rows movement `movement` writes (those of a zero amount left out), once they are checked
/// to sum to zero.
pub fn entries(
    movement: &str,
    rows: &[(String, i64)],
    subject: Subject,
    now: i64,
) -> Result<Vec<EntryRow>, Error> {
    if rows.iter().map(|(_, amount)| amount).sum::<i64>() != 0 {
        return Err(ServiceError::internal(format!("movement {movement} does not balance")).into());
    }
    Ok(rows
        .iter()
        .filter(|(_, amount)| *amount != 0)
        .map(|(account, amount)| EntryRow {
            id: 0,
            movement: movement.to_owned(),
            account: account.clone(),
            amount_fen: *amount,
            viewing_id: subject.viewing_id,
            refund_id: subject.refund_id,
            created_at: now,
        })
        .collect())
}

/// `fen × share`, rounded down to the fen.
pub fn share_of(fen: i64, share: f64) -> i64 {
    ((fen as f64) * share).floor() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_is_rounded_down_to_the_fen() {
        assert_eq!(share_of(1000, 0.1), 100);
        assert_eq!(share_of(999, 0.1), 99);
        assert_eq!(share_of(1000, 0.0), 0);
        assert_eq!(share_of(1, 0.5), 0);
    }
}
