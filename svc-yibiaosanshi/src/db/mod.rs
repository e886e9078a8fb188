//! svc-yibiaosanshi's tables and the plain queries over them.
pub mod addresses;
pub mod bindings;
pub mod people;
pub mod reviews;
pub mod schema;

use diesel::{Connection, RunQueryDsl};
use kit::db::AnyConnection;

/// The embedded migrations of both backends.
pub static MIGRATIONS: kit::db::Migrations = kit::db::Migrations {
    sqlite: diesel_migrations::embed_migrations!("migrations/sqlite"),
    postgres: diesel_migrations::embed_migrations!("migrations/postgres"),
};

/// Runs `work` in a transaction that writes. On SQLite the write lock is taken before anything
/// is read, so concurrent writers queue on `busy_timeout` instead of failing on a stale read
/// (WAL's `SQLITE_BUSY_SNAPSHOT`); PostgreSQL's row locks need no help.
pub fn write_transaction<T, E, F>(conn: &mut AnyConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    conn.transaction(|conn| {
        if matches!(conn, AnyConnection::Sqlite(_)) {
            // A write statement takes the write lock even when it changes nothing.
            diesel::sql_query("UPDATE communities SET id = id WHERE 1 = 0").execute(conn)?;
        }
        work(conn)
    })
}
