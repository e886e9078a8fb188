//! svc-yibiaosanshi's tables and the plain queries over them.
pub mod addresses;
pub mod bindings;
pub mod car_transfers;
pub mod cars;
pub mod house_list;
pub mod module_switches;
pub mod parking;
pub mod people;
pub mod reviews;
pub mod schema;

/// The embedded migrations of both backends.
pub static MIGRATIONS: kit::db::Migrations = kit::db::Migrations {
    sqlite: diesel_migrations::embed_migrations!("migrations/sqlite"),
    postgres: diesel_migrations::embed_migrations!("migrations/postgres"),
};
