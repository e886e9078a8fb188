//! The shared outbox relay (`kit::outbox::run`) on svc-orders' database, SQLite or PostgreSQL:
//! a backlog of several batches is handed over, by two relays at once (two replicas), each
//! message once, whether each hands them over one at a time or several at once, and removes
//! each once acknowledged; a message the receiver refuses is kept, with its error, for a later
//! attempt. The relay takes a topic's due messages through the index of the undelivered, in
//! their order.
#![allow(clippy::unwrap_used)]
#[path = "../../kit/tests/support/database.rs"]
mod database;
#[path = "../../kit/tests/support/plans.rs"]
mod plans;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use database::TestDatabase;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use kit::db::{Database, DbError};
use kit::outbox::{self, Message, outbox as table};

const TOPIC: &str = "outbox-test";
/// More than a pass takes (several batches).
const MESSAGES: i64 = 300;
const REFUSED: &str = "7";

#[tokio::test]
async fn two_relays_hand_over_every_message_once_and_keep_a_refused_one_for_later() {
    relays_hand_over_every_message_once(1).await;
}

#[tokio::test]
async fn relays_handing_over_several_at_once_still_hand_each_message_over_once() {
    relays_hand_over_every_message_once(8).await;
}

/// Two relays, each with up to `at_once` messages in flight.
async fn relays_hand_over_every_message_once(at_once: usize) {
    let test = TestDatabase::new("outbox");
    let db = Database::connect(&test.url, 4, &svc_orders::db::MIGRATIONS)
        .await
        .unwrap();
    db.run(|conn| -> Result<(), DbError> {
        for n in 0..MESSAGES {
            outbox::enqueue(conn, TOPIC, &n.to_string())?;
        }
        Ok(())
    })
    .await
    .unwrap();

    let handed: Arc<Mutex<BTreeMap<String, usize>>> = Arc::default();
    let relay = |handed: Arc<Mutex<BTreeMap<String, usize>>>| {
        outbox::run_concurrently(db.clone(), TOPIC, None, at_once, move |message: Message| {
            let handed = handed.clone();
            async move {
                if message.payload == REFUSED {
                    return Err("refused".to_owned());
                }
                *handed.lock().unwrap().entry(message.payload).or_default() += 1;
                Ok(())
            }
        })
    };
    let relays = [
        tokio::spawn(relay(handed.clone())),
        tokio::spawn(relay(handed.clone())),
    ];

    // A message acknowledged is removed: only the refused one stays.
    let left = || {
        db.run(|conn| -> Result<i64, DbError> {
            Ok(table::table
                .filter(table::topic.eq(TOPIC))
                .count()
                .get_result(conn)?)
        })
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while left().await.unwrap() > 1 {
        assert!(Instant::now() < deadline, "the backlog was not handed over");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    relays.iter().for_each(tokio::task::JoinHandle::abort);

    let handed = handed.lock().unwrap().clone();
    let expected: BTreeMap<String, usize> = (0..MESSAGES)
        .map(|n| n.to_string())
        .filter(|payload| payload != REFUSED)
        .map(|payload| (payload, 1))
        .collect();
    assert_eq!(handed, expected, "every message handed over once");

    let (attempts, error): (i32, Option<String>) = db
        .run(|conn| -> Result<_, DbError> {
            Ok(table::table
                .filter(table::topic.eq(TOPIC))
                .filter(table::payload.eq(REFUSED))
                .select((table::attempts, table::last_error))
                .first(conn)?)
        })
        .await
        .unwrap();
    assert!(attempts >= 1, "the refusal was counted");
    assert_eq!(error.as_deref(), Some("refused"));
}

/// The payloads of `topic`, in the order they were written.
async fn payloads(db: &Database, topic: &'static str) -> Vec<String> {
    db.run(move |conn| -> Result<Vec<String>, DbError> {
        Ok(table::table
            .filter(table::topic.eq(topic))
            .order(table::id.asc())
            .select(table::payload)
            .load(conn)?)
    })
    .await
    .unwrap()
}

/// `Database::write` (on SQLite, one writer thread): many writes at once all land, each with
/// both its messages (one multi-row insert); a write that fails is undone, and one that panics
/// is undone and answered as failed, and the writes after it still land.
#[tokio::test]
async fn writes_at_once_all_land_and_a_failed_or_panicking_one_is_undone_alone() {
    const WRITES: usize = 64;
    let test = TestDatabase::new("writes");
    let db = Database::connect(&test.url, 4, &svc_orders::db::MIGRATIONS)
        .await
        .unwrap();
    let writes: Vec<_> = (0..WRITES)
        .map(|n| {
            let db = db.clone();
            tokio::spawn(async move {
                db.write(move |conn| -> Result<(), DbError> {
                    let messages = [("many", format!("{n}a")), ("many", format!("{n}b"))];
                    Ok(outbox::enqueue_all(conn, &messages)?)
                })
                .await
            })
        })
        .collect();
    for write in writes {
        write.await.unwrap().unwrap();
    }
    let mut written = payloads(&db, "many").await;
    written.sort();
    let mut expected: Vec<String> = (0..WRITES)
        .flat_map(|n| [format!("{n}a"), format!("{n}b")])
        .collect();
    expected.sort();
    assert_eq!(written, expected, "every write with both its messages");

    let failed = db
        .write(|conn| -> Result<(), DbError> {
            outbox::enqueue(conn, "undone", "failed")?;
            Err(DbError::Connect("refused after writing".to_owned()))
        })
        .await;
    assert!(failed.is_err());
    let panicked = db
        .write(|conn| -> Result<(), DbError> {
            outbox::enqueue(conn, "undone", "panicked")?;
            panic!("a write that panics mid-transaction");
        })
        .await;
    assert!(
        matches!(panicked, Err(DbError::Join(_))),
        "answered as failed: {panicked:?}"
    );
    db.write(|conn| -> Result<(), DbError> { Ok(outbox::enqueue(conn, "after", "landed")?) })
        .await
        .unwrap();
    assert!(payloads(&db, "undone").await.is_empty(), "both undone");
    assert_eq!(payloads(&db, "after").await, ["landed"]);
}

/// As `kit::outbox::take_due` takes a topic's messages due by now, oldest first, on
/// PostgreSQL (locking what it reads, skipping what another replica is taking) and on SQLite.
const TAKE_DUE_POSTGRES: &str = "UPDATE outbox SET next_attempt_at = $3 WHERE id = ANY(ARRAY(\
     SELECT id FROM outbox WHERE topic = $1 AND delivered_at IS NULL AND next_attempt_at <= $2 \
     ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED)) RETURNING id, topic, payload, attempts";
const TAKE_DUE_SQLITE: &str = "UPDATE outbox SET next_attempt_at = $3 WHERE outbox.id IN \
     (SELECT due.id FROM outbox AS due WHERE due.topic = $1 \
     AND due.delivered_at IS NULL AND due.next_attempt_at <= $2 \
     ORDER BY due.id LIMIT $4) \
     RETURNING outbox.id, outbox.topic, outbox.payload, outbox.attempts";

/// Five thousand messages, the oldest fifty undelivered (some of them waiting for a retry),
/// the rest delivered; then as many of another topic, undelivered (a backlog behind them).
const MESSAGES_MOSTLY_DELIVERED: &str = "INSERT INTO outbox (topic, payload, attempts, \
     next_attempt_at, delivered_at, created_at) \
     SELECT 'notice', '{}', 1, CASE WHEN n % 7 = 0 THEN n + 600 ELSE n END, \
     CASE WHEN n <= 50 THEN NULL ELSE n END, n FROM seq; \
     INSERT INTO outbox (topic, payload, attempts, next_attempt_at, created_at) \
     SELECT 'payment_result', '{}', 0, n, n FROM seq;";

/// The relay's pass stops at a batch whatever waits behind it: it reads the undelivered of its
/// topic alone, in their order (no sort of every due message, as `(delivered_at,
/// next_attempt_at)` needed), and claims each by its id, not by walking every undelivered
/// message again for the ids it read. Planned without statistics (a new database, or
/// autovacuum off, as on the machines that run the tests) and with them.
#[tokio::test]
async fn a_pass_takes_its_due_messages_through_the_index_of_the_undelivered_in_their_order() {
    let test = TestDatabase::new("outbox_plans");
    let db = Database::connect(&test.url, 1, &svc_orders::db::MIGRATIONS)
        .await
        .unwrap();
    let take_due = if db.backend() == "postgres" {
        TAKE_DUE_POSTGRES
    } else {
        TAKE_DUE_SQLITE
    };
    let lists = [(
        "outbox_due",
        take_due,
        "text, bigint, bigint, bigint",
        "''notice'', 100, 160, 64",
    )];
    plans::seed_without_statistics(&db, MESSAGES_MOSTLY_DELIVERED).await;
    plans::assert_read_through_their_indexes(&db, &lists).await;
    db.run(|conn| conn.batch_execute("ANALYZE").map_err(DbError::from))
        .await
        .unwrap();
    // A connection of its own: the first kept its statements prepared.
    let analysed = Database::connect(&test.url, 1, &svc_orders::db::MIGRATIONS)
        .await
        .unwrap();
    plans::assert_read_through_their_indexes(&analysed, &lists).await;
}
