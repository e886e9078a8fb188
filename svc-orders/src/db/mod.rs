//! svc-orders's tables and the plain queries over them.
pub mod orders;
pub mod payments;
pub mod schema;

use diesel::Connection;
use kit::db::AnyConnection;

/// The backend of boxed queries.
pub type Backend = <AnyConnection as Connection>::Backend;

/// The embedded migrations of both backends.
pub static MIGRATIONS: kit::db::Migrations = kit::db::Migrations {
    sqlite: diesel_migrations::embed_migrations!("migrations/sqlite"),
    postgres: diesel_migrations::embed_migrations!("migrations/postgres"),
};

/// A transaction that takes SQLite's write lock at its start, so two writers queue instead of
/// one failing with "database is locked" half-way.
pub fn write_transaction<T, E, F>(conn: &mut AnyConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::RunQueryDsl;
    conn.transaction(|conn| {
        if matches!(conn, AnyConnection::Sqlite(_)) {
            diesel::sql_query("UPDATE outbox SET id = id WHERE 1 = 0").execute(conn)?;
        }
        work(conn)
    })
}
