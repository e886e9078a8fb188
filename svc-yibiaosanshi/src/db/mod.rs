//! svc-yibiaosanshi's tables.

/// The embedded migrations of both backends.
pub static MIGRATIONS: kit::db::Migrations = kit::db::Migrations {
    sqlite: diesel_migrations::embed_migrations!("migrations/sqlite"),
    postgres: diesel_migrations::embed_migrations!("migrations/postgres"),
};

#[cfg(test)]
mod tests {
    #[test]
    fn sqlite_and_postgres_migrations_are_in_step() {
        assert!(
            !super::MIGRATIONS
                .check_in_step()
                .expect("in step")
                .is_empty()
        );
    }
}
