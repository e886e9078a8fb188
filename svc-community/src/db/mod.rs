//! svc-community's tables and the plain queries over them.
pub mod content;
pub mod modules;
pub mod rental;
pub mod repairs;
pub mod schema;

/// The backend of boxed queries.
pub use kit::db::AnyBackend as Backend;

/// The embedded migrations of both backends.
pub static MIGRATIONS: kit::db::Migrations = kit::db::Migrations {
    sqlite: diesel_migrations::embed_migrations!("migrations/sqlite"),
    postgres: diesel_migrations::embed_migrations!("migrations/postgres"),
};
