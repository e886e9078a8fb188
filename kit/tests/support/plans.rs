//! The plans a database chooses for a service's statements, for tests that a list is read through
//! its index: SQLite's `EXPLAIN QUERY PLAN`, and PostgreSQL's one plan for any parameters, as
//! every pooled connection plans a prepared statement (`plan_cache_mode = force_generic_plan`).
#![allow(dead_code)]

use diesel::connection::SimpleConnection;
use diesel::{QueryableByName, RunQueryDsl};
use kit::db::{Database, DbError};

#[derive(QueryableByName)]
struct PlanLine {
    #[diesel(sql_type = diesel::sql_types::Text)]
    detail: String,
}

/// SQLite's plan of `query`, a line a step.
pub async fn sqlite_plan_of(db: &Database, query: &str) -> Vec<String> {
    let query = query.to_owned();
    db.run(move |conn| -> Result<_, DbError> { Ok(kit::db::sqlite_plan(conn, &query)?) })
        .await
        .expect("a plan")
}

/// PostgreSQL's one plan of each `(name, PREPARE …, EXECUTE …)`, planned for any parameters
/// (`plan_cache_mode = force_generic_plan`, as every pooled connection has it): `(name, plan)`.
/// Quotes inside the `EXECUTE` are doubled: it is read as a string.
pub async fn generic_plans_of<S: AsRef<str>>(
    db: &Database,
    statements: &[(S, S, S)],
) -> Vec<(String, String)> {
    let statements: Vec<[String; 3]> = statements
        .iter()
        .map(|(name, prepare, execute)| {
            [name, prepare, execute].map(|text| text.as_ref().to_owned())
        })
        .collect();
    db.run(move |conn| -> Result<_, DbError> {
        conn.batch_execute(
            "SET plan_cache_mode = force_generic_plan;
             CREATE OR REPLACE FUNCTION plan_of(query text) RETURNS SETOF text LANGUAGE plpgsql AS $$
             DECLARE line text;
             BEGIN FOR line IN EXECUTE 'EXPLAIN ' || query LOOP RETURN NEXT line; END LOOP; END $$;",
        )?;
        let mut plans = Vec::new();
        for [name, prepare, execute] in statements {
            conn.batch_execute(&prepare)?;
            let lines = diesel::sql_query(format!("SELECT plan_of('{execute}') AS detail"))
                .load::<PlanLine>(conn)?;
            let plan: Vec<String> = lines.into_iter().map(|line| line.detail).collect();
            plans.push((name, plan.join("\n")));
        }
        Ok(plans)
    })
    .await
    .expect("the plans")
}

/// Seeds the tables `inserts` fill, then ANALYZE: the statistics of a small community beside a
/// large one. `inserts` read `seq(n, community)`: n from 1 to 5,000, the first 50 (the oldest)
/// community 10002's, the rest 10001's. The planner's statistics then tell of two communities,
/// each of half the rows on average, which is what made PostgreSQL's one plan walk the primary
/// key when a list was ordered by id.
pub async fn seed_small_community_beside_a_large_one(db: &Database, inserts: &'static str) {
    seed(db, inserts, "ANALYZE;").await;
}

/// The rows of [`seed_small_community_beside_a_large_one`] without ANALYZE: as a new database,
/// or one without autovacuum, plans them.
pub async fn seed_without_statistics(db: &Database, inserts: &'static str) {
    seed(db, inserts, "").await;
}

async fn seed(db: &Database, inserts: &'static str, then: &'static str) {
    db.run(move |conn| {
        conn.batch_execute(&format!(
            "CREATE TABLE seq AS WITH RECURSIVE numbers(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM numbers WHERE n < 5000) \
             SELECT n, CASE WHEN n <= 50 THEN '10002' ELSE '10001' END AS community FROM numbers;
             {inserts}
             DROP TABLE seq;
             {then}"
        ))
        .map_err(DbError::from)
    })
    .await
    .expect("the seeded rows");
}

/// A list's statement as its query reads it: `(the index it must be read through, SQL with its
/// parameters as `$1`, `$2` …, PostgreSQL's types of them, the values to plan it for, quotes
/// doubled)`.
pub type List = (&'static str, &'static str, &'static str, &'static str);

/// Asserts that each list is read through its index, in the order it returns, on the backend
/// of `db`: on PostgreSQL with the one plan for any parameters (no walk of the primary key
/// backwards, no sequential scan, no sort), on SQLite with no sort (no temporary B-tree).
pub async fn assert_read_through_their_indexes(db: &Database, lists: &[List]) {
    if std::env::var("WJDH_TEST_POSTGRES_URL").is_ok() {
        let statements: Vec<(String, String, String)> = lists
            .iter()
            .enumerate()
            .map(|(n, (index, sql, types, values))| {
                let prepare = format!("PREPARE list{n}({types}) AS {sql}");
                (
                    (*index).to_owned(),
                    prepare,
                    format!("EXECUTE list{n}({values})"),
                )
            })
            .collect();
        for (index, plan) in generic_plans_of(db, &statements).await {
            assert!(
                plan.contains(&format!("using {index} on")),
                "{index}: {plan}"
            );
            // A row found by its primary key for another (a join) is fine; a walk is not.
            let walks = |step: &str| step.contains("Backward using") && step.contains("_pkey");
            assert!(!plan.lines().any(walks), "{index}: {plan}");
            assert!(!plan.contains("Seq Scan"), "{index}: {plan}");
            assert!(!plan.contains("Sort"), "{index}: {plan}");
        }
        return;
    }
    for (index, sql, _, _) in lists {
        let plan = sqlite_plan_of(db, sql).await;
        let read_through = |step: &String| {
            ["INDEX", "COVERING INDEX"]
                .iter()
                .any(|kind| step.contains(&format!("USING {kind} {index} (")))
        };
        assert!(plan.iter().any(read_through), "{index}: {plan:?}");
        assert!(
            !plan.iter().any(|step| step.contains("TEMP B-TREE")),
            "{index}: {plan:?}"
        );
    }
}
