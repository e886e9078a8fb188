//! svc-orders's tables and the plain queries over them.
pub mod alipay_users;
pub mod bills;
pub mod ledger;
pub mod orders;
pub mod payments;
pub mod payouts;
pub mod refunds;
pub mod schema;
pub mod viewings;

/// The backend of boxed queries.
pub use kit::db::AnyBackend as Backend;

/// The embedded migrations of both backends.
pub static MIGRATIONS: kit::db::Migrations = kit::db::Migrations {
    sqlite: diesel_migrations::embed_migrations!("migrations/sqlite"),
    postgres: diesel_migrations::embed_migrations!("migrations/postgres"),
};
