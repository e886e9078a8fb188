//! The shared outbox relay (`kit::outbox::run`) on svc-orders' database, SQLite or PostgreSQL:
//! a backlog of several batches is handed over, by two relays at once (two replicas), each
//! message once, whether each hands them over one at a time or several at once; a message the
//! receiver refuses is kept, with its error, for a later attempt.
#![allow(clippy::unwrap_used)]
#[path = "../../kit/tests/support/database.rs"]
mod database;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use database::TestDatabase;
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

    let delivered = || {
        db.run(|conn| -> Result<i64, DbError> {
            Ok(table::table
                .filter(table::topic.eq(TOPIC))
                .filter(table::delivered_at.is_not_null())
                .count()
                .get_result(conn)?)
        })
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while delivered().await.unwrap() < MESSAGES - 1 {
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

    let (attempts, delivered_at, error): (i32, Option<i64>, Option<String>) = db
        .run(|conn| -> Result<_, DbError> {
            Ok(table::table
                .filter(table::topic.eq(TOPIC))
                .filter(table::payload.eq(REFUSED))
                .select((table::attempts, table::delivered_at, table::last_error))
                .first(conn)?)
        })
        .await
        .unwrap();
    assert!(attempts >= 1, "the refusal was counted");
    assert_eq!(delivered_at, None, "a refused message is not delivered");
    assert_eq!(error.as_deref(), Some("refused"));
}
