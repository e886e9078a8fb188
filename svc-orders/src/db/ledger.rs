//! `ledger_entries`: the marketplace's double-entry ledger. A movement is several rows summing to
//! zero (debits positive, credits negative), written in the transaction of the change it records.
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};
use kit::db::AnyConnection;

use super::schema::ledger_entries;

/// One row of a movement.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = ledger_entries, treat_none_as_default_value = false)]
pub struct EntryRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub movement: String,
    pub account: String,
    pub amount_fen: i64,
    pub viewing_id: Option<i64>,
    pub refund_id: Option<i64>,
    pub created_at: i64,
}

/// Inserts a movement's rows in one statement.
pub fn insert(conn: &mut AnyConnection, rows: &[EntryRow]) -> QueryResult<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    kit::db::insert_rows(conn, ledger_entries::table, rows)
}

/// What `account` holds: the sum of its rows (positive: a debit balance).
pub fn balance(conn: &mut AnyConnection, account: &str) -> QueryResult<i64> {
    // SUM of BIGINT is NUMERIC on PostgreSQL: cast back on both backends.
    let total: Option<i64> = ledger_entries::table
        .filter(ledger_entries::account.eq(account))
        .select(diesel::dsl::sql::<Nullable<BigInt>>(
            "CAST(SUM(amount_fen) AS BIGINT)",
        ))
        .first(conn)?;
    Ok(total.unwrap_or(0))
}

/// Serialises, until the transaction ends, every change that draws on `account`: PostgreSQL
/// takes a transaction-level advisory lock named by it; SQLite's write transaction already holds
/// the whole database.
pub fn lock_account(conn: &mut AnyConnection, account: &str) -> QueryResult<()> {
    if let AnyConnection::Postgresql(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind::<diesel::sql_types::Text, _>(account)
            .execute(pg)?;
    }
    Ok(())
}
