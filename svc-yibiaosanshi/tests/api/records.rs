//! The data layer below the RPCs: saving a security platform record, and the indexes the lists
//! are read through.
use kit::error::{ErrorKind, ServiceError};
use secplat::PersonRecord;
use serde_json::json;
use svc_yibiaosanshi::actions::addresses::demo::ensure_demo_dataset;
use svc_yibiaosanshi::actions::registration::import::{Imported, save_record};

use crate::helpers::TestDatabase;
use crate::plans::{
    List, assert_read_through_their_indexes, generic_plans_of,
    seed_small_community_beside_a_large_one, sqlite_plan_of,
};

fn record() -> PersonRecord {
    PersonRecord::from_value(&json!({
        "people_name": "付钰", "people_sex": 1, "people_nation": "汉族",
        "people_birth": "19870504", "people_address": "秦皇小区98-3-4",
        "people_idcard": "130302198705041019", "people_phone": "15131512234",
        "people_photo": "", "people_zhengzhimianmao": "1", "people_tuiyijunren": "0",
        "people_dibao": "0", "people_shangfang": "0", "job_name": "WEB工程师",
        "company_name": "万家灯火",
        "houses": [
            {"xiaoqu": "10002", "louhao": "1", "danyuan": "1", "louceng": "1", "fangjian": "101",
             "people_house_use": 1, "people_house_xingzhi": 1, "people_house_status": 1,
             "people_house_role": 1, "people_house_type": 1,
             "members": [
                {"people_idcard": "130302196003122018", "people_house_name": "付文生", "people_house_role": "5"},
                {"people_idcard": "130302198705041019", "people_house_name": "付钰", "people_house_role": "1"}
             ]},
            {"xiaoqu": "10002", "louhao": "9", "danyuan": "1", "louceng": "1", "fangjian": "901",
             "people_house_use": 1, "people_house_xingzhi": 1, "people_house_status": 1,
             "people_house_role": 1, "people_house_type": 1, "members": []}
        ]
    }))
    .unwrap()
}

async fn save(db: &kit::db::Database, user_id: i64) -> Result<Imported, ServiceError> {
    let record = record();
    db.write(move |conn| save_record(conn, user_id, "15131512234", &record, 1))
        .await
        .map_err(ServiceError::from)
}

#[tokio::test]
async fn saving_the_same_record_twice_changes_nothing() {
    let database = TestDatabase::new();
    let db = database.connect().await;
    ensure_demo_dataset(&db).await.unwrap();
    // 9栋 is not in the tree: that house is left out.
    assert_eq!(
        save(&db, 1).await.unwrap(),
        Imported {
            already_registered: false,
            houses: 1,
            members: 1,
        }
    );
    assert_eq!(save(&db, 1).await.unwrap(), Imported::default());
    // Another user cannot take the person over.
    let error = save(&db, 2).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Conflict);
    assert_eq!(error.msg, "该身份证号已被其他用户绑定");
}

/// 5,000 reviews, the nth filed by user `user` with status `status` (SQL of `n`), then
/// ANALYZE: the statistics the planner then reads.
async fn analyzed_reviews(db: &kit::db::Database, user: &str, status: &str) {
    let seed = format!(
        "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 5000)
INSERT INTO reviews (user_id, community_identifier, house_id, binding_id, shenhe_type, content, status, house_introduction, action_introduction, refuse_reason, created_at, updated_at)
SELECT {user}, '10002', NULL, NULL, '家属绑定', '{{}}', {status}, '', '', NULL, n, n FROM seq;
ANALYZE;"
    );
    db.run(move |conn| {
        use diesel::connection::SimpleConnection;
        conn.batch_execute(&seed).map_err(kit::db::DbError::from)
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn the_lists_are_read_through_indexes() {
    if std::env::var("WJDH_TEST_POSTGRES_URL").is_ok() {
        return; // The plans checked are SQLite's; PostgreSQL has the same indexes.
    }
    let database = TestDatabase::new();
    let db = database.connect().await;
    // The statements the lists run, as diesel writes them (parameters inlined).
    let queries = [
        "SELECT * FROM people WHERE user_id = 1",
        "SELECT * FROM people WHERE idcard = 'x'",
        "SELECT * FROM people_houses WHERE people_id = 1 ORDER BY id",
        "SELECT people_houses.*, houses.id, communities.community_name, buildings.building_number, units.unit_number, floors.floor_number, houses.house_number, \
         (SELECT COUNT(*) FROM people_houses AS housemates WHERE housemates.house_id = people_houses.house_id AND housemates.activated = 0) \
         FROM people_houses INNER JOIN people ON people.id = people_houses.people_id \
         INNER JOIN houses ON houses.id = people_houses.house_id INNER JOIN floors ON floors.id = houses.floor_id \
         INNER JOIN units ON units.id = floors.unit_id INNER JOIN buildings ON buildings.id = units.building_id \
         INNER JOIN communities ON communities.community_identifier = buildings.community_identifier \
         WHERE people.user_id = 1 ORDER BY people_houses.id",
        "SELECT * FROM people_houses INNER JOIN people ON people.id = people_houses.people_id WHERE people_houses.house_id = 1 ORDER BY people_houses.id",
        "SELECT * FROM reviews WHERE user_id = 1 AND status IN (0, 2) ORDER BY id DESC",
        "SELECT * FROM reviews WHERE house_id = 1 AND status IN (0, 2) ORDER BY id DESC",
        "SELECT * FROM reviews WHERE community_identifier = '10002' AND status = 2 ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET 0",
        "SELECT * FROM reviews WHERE community_identifier = '10002' AND shenhe_type = '业主绑定' AND status = 2 ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET 0",
        "SELECT COUNT(*) FROM reviews WHERE community_identifier = '10002'",
        "SELECT * FROM review_decisions INNER JOIN reviews ON reviews.id = review_decisions.review_id WHERE review_decisions.community_identifier IN ('10002') ORDER BY review_decisions.id DESC LIMIT 20",
    ];
    for query in queries {
        for line in sqlite_plan_of(&db, query).await {
            assert!(
                !line.starts_with("SCAN"),
                "{query}: {line} (a full scan grows with the table)"
            );
        }
    }
}

/// SQLite's plan of `query` over reviews seeded as [`analyzed_reviews`] seeds them (`user` and
/// `status` of row n); `None` on PostgreSQL, whose planner and statistics differ (it has the
/// same index).
async fn plan_over_reviews(user: &str, status: &str, query: &str) -> Option<Vec<String>> {
    if std::env::var("WJDH_TEST_POSTGRES_URL").is_ok() {
        return None;
    }
    let database = TestDatabase::new();
    let db = database.connect().await;
    analyzed_reviews(&db, user, status).await;
    Some(sqlite_plan_of(&db, query).await)
}

/// Statistics that give each user many reviews (here most reviews are one user's, and ANALYZE
/// tells the planner so) must not turn another user's pending reviews, read at every
/// submission, into a scan of every review: they are sought by user and status.
#[tokio::test]
async fn a_users_pending_reviews_are_sought_though_one_user_has_most_reviews() {
    let Some(plan) = plan_over_reviews(
        "CASE WHEN n % 500 = 0 THEN n ELSE 0 END",
        "2 - n % 2",
        "SELECT EXISTS (SELECT 1 FROM reviews WHERE user_id = 1000 AND status = 2)",
    )
    .await
    else {
        return;
    };
    assert!(
        plan.iter().any(|line| line.contains("reviews_user_status")),
        "{plan:?}"
    );
    assert!(
        !plan.iter().any(|line| line.starts_with("SCAN reviews")),
        "{plan:?}"
    );
}

/// A user with many pending reviews asks about one more house: the pending review of that house,
/// if any, is sought by user, status and house, not found among all of the user's.
#[tokio::test]
async fn a_pending_review_of_a_house_is_sought_among_many_of_the_user() {
    let Some(plan) = plan_over_reviews(
        "n % 3",
        "2",
        "SELECT EXISTS (SELECT 1 FROM reviews WHERE user_id = 1 AND house_id = 7 AND status = 2 AND shenhe_type <> '修改个人信息')",
    )
    .await
    else {
        return;
    };
    assert!(
        plan.iter()
            .any(|d| d.contains("reviews_user_status (user_id=? AND status=? AND house_id=?)")),
        "{plan:?}"
    );
}

/// Most reviews are decided and few wait (1 in 100 here): PostgreSQL's one plan for the
/// platform's list of pending reviews must still seek them by community and status rather than
/// walk the primary key through every decided one, and a user's pending request for a house is
/// found through the partial index that keeps it unique. Both hold because the status and the
/// type are written into the statement (`kit::db::Inline`); with `status = $2` the plan guessed
/// an average status and walked the primary key.
#[tokio::test]
async fn postgresql_seeks_the_few_pending_reviews_with_its_one_plan() {
    if std::env::var("WJDH_TEST_POSTGRES_URL").is_err() {
        return; // SQLite plans each statement as it is prepared; its plans are checked above.
    }
    let database = TestDatabase::new();
    let db = database.connect().await;
    analyzed_reviews(&db, "n % 50", "CASE WHEN n % 100 = 0 THEN 2 ELSE 1 END").await;
    const STATEMENTS: &[(&str, &str, &str)] = &[
        (
            "pending page",
            "PREPARE pending_page(text, bigint) AS SELECT * FROM reviews \
             WHERE community_identifier = $1 AND status = 2 \
             ORDER BY created_at DESC, id DESC LIMIT $2",
            "EXECUTE pending_page(''10002'', 20)",
        ),
        (
            "pending request of a house",
            "PREPARE pending_of_house(bigint, bigint) AS SELECT EXISTS (SELECT 1 FROM reviews \
             WHERE user_id = $1 AND house_id = $2 AND status = 2 AND shenhe_type <> '修改个人信息')",
            "EXECUTE pending_of_house(7, 8)",
        ),
    ];
    let plans = generic_plans_of(&db, STATEMENTS).await;
    assert!(
        plans[0].1.contains("reviews_community_status_newest"),
        "{}: {}",
        plans[0].0,
        plans[0].1
    );
    assert!(
        plans[1].1.contains("reviews_one_pending_per_house"),
        "{}: {}",
        plans[1].0,
        plans[1].1
    );
}

/// The platform's list of decisions, and its review list (/api/v1/wjdh/shenheList) by filter, as
/// diesel writes them, with the community and the page bound (a status and a type are written
/// in, `kit::db::Inline`).
const REVIEW_LISTS: &[List] = &[
    (
        "review_decisions_of_community_newest",
        "SELECT review_decisions.id, reviews.shenhe_type FROM review_decisions \
         INNER JOIN reviews ON reviews.id = review_decisions.review_id \
         WHERE review_decisions.community_identifier IN ($1) \
         ORDER BY review_decisions.decided_at DESC, review_decisions.id DESC LIMIT $2 OFFSET $3",
        "text, bigint, bigint",
        "''10002'', 20, 0",
    ),
    (
        "reviews_community_newest",
        "SELECT * FROM reviews WHERE community_identifier = $1 \
         ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3",
        "text, bigint, bigint",
        "''10002'', 20, 0",
    ),
    (
        "reviews_community_status_newest",
        "SELECT * FROM reviews WHERE community_identifier = $1 AND status = 1 \
         ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3",
        "text, bigint, bigint",
        "''10002'', 20, 0",
    ),
    (
        "reviews_community_type_status_newest",
        "SELECT * FROM reviews WHERE community_identifier = $1 AND shenhe_type = $2 \
         AND status = 1 ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4",
        "text, text, bigint, bigint",
        "''10002'', ''业主绑定'', 20, 0",
    ),
    (
        "reviews_community_newest",
        "SELECT * FROM reviews WHERE community_identifier = $1 AND shenhe_type = $2 \
         ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4",
        "text, text, bigint, bigint",
        "''10002'', ''业主绑定'', 20, 0",
    ),
];

/// A small community's reviews and decisions beside a large one's (the first 50 of 5,000, the
/// oldest) are listed from the community's own, newest first through the index of the filter,
/// on both backends. Ordered by id, PostgreSQL's one plan guessed each of two communities to
/// hold half the rows and walked the primary key backwards through the large one's.
#[tokio::test]
async fn a_small_communitys_reviews_are_listed_from_their_index_beside_a_large_ones() {
    let database = TestDatabase::new();
    let db = database.connect().await;
    // The nth filed by user n, approved or pending in turn, every third an owner's; each
    // decided by the platform at the time it was filed.
    seed_small_community_beside_a_large_one(
        &db,
        "INSERT INTO reviews (user_id, community_identifier, house_id, binding_id, shenhe_type, content, status, house_introduction, action_introduction, refuse_reason, created_at, updated_at)
SELECT n, community, NULL, NULL, CASE WHEN n % 3 = 0 THEN '业主绑定' ELSE '家属绑定' END, '{}', 1 + n % 2, '', '', NULL, n, n FROM seq;
INSERT INTO review_decisions (review_id, credential_id, secret_id, community_identifier, status, refuse_reason, decided_at)
SELECT id, 1, 'secret', community_identifier, status, NULL, created_at FROM reviews;",
    )
    .await;
    assert_read_through_their_indexes(&db, REVIEW_LISTS).await;
}

/// A community's car claims, with or without a status, as `car_transfers::page` reads them.
const CAR_CLAIM_LISTS: &[List] = &[
    (
        "car_transfers_of_community_newest",
        "SELECT * FROM car_transfers WHERE community_identifier = $1 \
         ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3",
        "text, bigint, bigint",
        "''10002'', 20, 0",
    ),
    (
        "car_transfers_of_community_status_newest",
        "SELECT * FROM car_transfers WHERE community_identifier = $1 AND status = $2 \
         ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4",
        "text, integer, bigint, bigint",
        "''10002'', 0, 20, 0",
    ),
];

/// A small community's car claims beside a large one's (the first 50 of 5,000, the oldest) are
/// listed from the community's own, newest first, on both backends.
#[tokio::test]
async fn a_small_communitys_car_claims_are_listed_from_their_index_beside_a_large_ones() {
    let database = TestDatabase::new();
    let db = database.connect().await;
    seed_small_community_beside_a_large_one(
        &db,
        "INSERT INTO car_transfers (plate, claimant_user_id, holder_user_id, community_identifier, reason, status, created_at, updated_at)
SELECT '冀C' || CAST(n AS TEXT), n, n + 1, community, '', n % 3, n, n FROM seq;",
    )
    .await;
    assert_read_through_their_indexes(&db, CAR_CLAIM_LISTS).await;
}
