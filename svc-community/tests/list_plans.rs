//! A community's repairs and complaints are listed newest first through their own indexes,
//! however small the community beside a large one, on SQLite and on PostgreSQL (issue 14: every
//! list query index-served).
#![allow(clippy::unwrap_used, clippy::expect_used)]
#[path = "../../kit/tests/support/database.rs"]
mod database;
#[path = "../../kit/tests/support/plans.rs"]
mod plans;

use database::TestDatabase;
use kit::db::Database;
use plans::List;

/// The lists as `repairs::page` (its ids first) and `content::page_complaints` read them, with
/// or without a status.
const LISTS: &[List] = &[
    (
        "repairs_of_community_newest",
        "SELECT repairs.id FROM repairs WHERE repairs.community_identifier = $1 \
         ORDER BY repairs.created_at DESC, repairs.id DESC LIMIT $2 OFFSET $3",
        "text, bigint, bigint",
        "''10002'', 20, 0",
    ),
    (
        "repairs_of_community_status_newest",
        "SELECT repairs.id FROM repairs WHERE repairs.community_identifier = $1 \
         AND repairs.status = $2 ORDER BY repairs.created_at DESC, repairs.id DESC \
         LIMIT $3 OFFSET $4",
        "text, integer, bigint, bigint",
        "''10002'', 1, 20, 0",
    ),
    (
        "complaints_of_community_newest",
        "SELECT * FROM complaints WHERE community_identifier = $1 \
         ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3",
        "text, bigint, bigint",
        "''10002'', 20, 0",
    ),
    (
        "complaints_of_community_status_newest",
        "SELECT * FROM complaints WHERE community_identifier = $1 AND status = $2 \
         ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4",
        "text, text, bigint, bigint",
        "''10002'', ''待处理'', 20, 0",
    ),
];

/// 5,000 repairs and complaints each, of a small community beside a large one
/// ([`plans::seed_small_community_beside_a_large_one`]).
const SEED: &str = "INSERT INTO repairs (community_identifier, user_id, house_id, house_introduction, name, phone, possion, description, images, category, status, stage, created_at, updated_at)
SELECT community, n, n, '', '', '', '', '', '[]', '水电', n % 3, '', n, n FROM seq;
INSERT INTO complaints (community_identifier, user_id, phone, kind, content, images, house_introduction, status, created_at, updated_at)
SELECT community, n, '', '投诉', '', '[]', '', CASE WHEN n % 2 = 0 THEN '待处理' ELSE '已处理' END, n, n FROM seq;";

#[tokio::test]
async fn a_small_communitys_repairs_and_complaints_are_listed_from_their_indexes() {
    let test = TestDatabase::new("list_plans");
    let db = Database::connect(&test.url, 2, &svc_community::db::MIGRATIONS)
        .await
        .expect("a migrated database");
    plans::seed_small_community_beside_a_large_one(&db, SEED).await;
    plans::assert_read_through_their_indexes(&db, LISTS).await;
}
