//! svc-auth's tables and the plain queries over them.
pub mod credentials;
pub mod notices;
pub mod schema;
pub mod users;

/// The embedded migrations of both backends.
pub static MIGRATIONS: kit::db::Migrations = kit::db::Migrations {
    sqlite: diesel_migrations::embed_migrations!("migrations/sqlite"),
    postgres: diesel_migrations::embed_migrations!("migrations/postgres"),
};
