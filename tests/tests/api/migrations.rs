//! Every service's SQLite and PostgreSQL migrations carry the same names, in the same order.

#[test]
fn every_service_keeps_its_two_migration_sets_in_step() {
    for (service, migrations) in [
        ("svc-auth", &svc_auth::db::MIGRATIONS),
        ("svc-yibiaosanshi", &svc_yibiaosanshi::db::MIGRATIONS),
        ("svc-orders", &svc_orders::db::MIGRATIONS),
        ("svc-community", &svc_community::db::MIGRATIONS),
    ] {
        let names = migrations
            .check_in_step()
            .unwrap_or_else(|error| panic!("{service}: {error}"));
        assert!(!names.is_empty(), "{service} has no migrations");
    }
}
