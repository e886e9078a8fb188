//! What svc-orders' database tests share: a migrated database of their own and an order row.
#[path = "../../../kit/tests/support/database.rs"]
mod database;

use database::TestDatabase;
use kit::db::Database;
use svc_orders::db::orders::{self, OrderRow};

/// A database named after `prefix`, migrated, behind a pool of `pool_size`; dropped with the
/// returned [`TestDatabase`].
pub async fn database(prefix: &str, pool_size: u32) -> (TestDatabase, Database) {
    let test = TestDatabase::new(prefix);
    let db = Database::connect(&test.url, pool_size, &svc_orders::db::MIGRATIONS)
        .await
        .expect("a migrated database");
    (test, db)
}

/// An open, unpaid 物业费 order of 100 fen numbered `number` in `community`, created at
/// `created_at`, for no house or person yet.
pub fn order(number: String, community: &str, created_at: i64) -> OrderRow {
    OrderRow {
        id: 0,
        order_number: number,
        target_type: "house".to_owned(),
        community_identifier: community.to_owned(),
        house_id: None,
        user_id: None,
        louhao: None,
        danyuan: None,
        louceng: None,
        fangjian: None,
        house_introduction: String::new(),
        title: "物业费".to_owned(),
        remark: String::new(),
        extra: String::new(),
        manager: "晨曦家园".to_owned(),
        amount_fen: 100,
        status: orders::OPEN.to_owned(),
        paied: false,
        bill_id: None,
        created_by: 1,
        created_at,
        updated_at: created_at,
    }
}
