//! The look-up of the events a pass hands over that were recorded before, planned as each pooled
//! PostgreSQL connection plans it: once, at its first call, for any parameters, and often while
//! the table is still small. Made so, the plan of `source = $1 AND event_id = ANY($2)` bounded
//! its read by `source` only and filtered the ids: every pass read every notice of the source
//! (issue 14). The range of the ids bounds it whatever the plan.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../kit/tests/support/database.rs"]
mod database;
#[path = "../../kit/tests/support/plans.rs"]
mod plans;

use diesel::connection::SimpleConnection;
use kit::db::{Database, DbError};

/// A notice for each of events 1 to 64 of svc-orders, and no statistics yet.
const FEW_NOTICES: &str = "INSERT INTO notices (source, event_id, user_id, kind, template_id, page, data, status, created_at) \
     SELECT 'svc-orders', n, 1, 'paid', 't', 'pages/bill', '[]', 'unsubscribed', n \
     FROM generate_series(1, 64) AS n;";

/// As `svc_auth::db::notices::recorded_events` reads more than `kit::db::FEW` ids.
const RECORDED_EVENTS: &str = "SELECT notices.event_id FROM notices \
     WHERE notices.source = $1 AND notices.event_id BETWEEN $2 AND $3 \
     AND notices.event_id = ANY($4)";

#[tokio::test]
async fn the_recorded_events_of_a_pass_are_read_within_their_ids_whatever_the_tables_size() {
    if std::env::var("WJDH_TEST_POSTGRES_URL").is_err() {
        // SQLite plans each statement from what the file holds; nothing is kept across sizes.
        return;
    }
    let test = database::TestDatabase::new("notice_plans");
    let db = Database::connect(&test.url, 2, &svc_auth::db::MIGRATIONS)
        .await
        .expect("the database");
    db.run(|conn| conn.batch_execute(FEW_NOTICES).map_err(DbError::from))
        .await
        .expect("the notices");
    let ids: Vec<String> = (100..164).map(|id: i64| id.to_string()).collect();
    let execute = format!(
        "EXECUTE recorded(''svc-orders'', 100, 163, ''{{{}}}'')",
        ids.join(",")
    );
    let statements = [(
        "recorded".to_owned(),
        format!("PREPARE recorded(text, bigint, bigint, bigint[]) AS {RECORDED_EVENTS}"),
        execute,
    )];
    let plans = plans::generic_plans_of(&db, &statements).await;
    let (_, plan) = &plans[0];
    let bounds = plan
        .lines()
        .find(|line| line.contains("Index Cond:") || line.contains("Recheck Cond:"))
        .unwrap_or_else(|| panic!("read through an index: {plan}"));
    assert!(
        bounds.contains("source = $1") && bounds.contains("event_id >= $2"),
        "the read is bounded by the source and the ids: {plan}"
    );
    assert!(!plan.contains("Seq Scan"), "{plan}");
}
