//! `payments::settle` (one statement on PostgreSQL, the writer's transaction on SQLite): a
//! payment received in full becomes its bill, pays its unpaid orders, writes the messages of the
//! orders it paid and its payer's notice naming the bill, with what it read of the payment in
//! place of the marks (the same text on both backends), and sends back what another payment
//! had paid already; delivered again, of another amount or of an unknown payment it writes
//! nothing; two payments of one order settled at once pay it once and refund it once.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#[path = "../../kit/tests/support/plans.rs"]
mod plans;
mod support;

use diesel::prelude::*;
use kit::db::{AnyConnection, Database, DbError};
use kit::outbox::{self, outbox as outbox_table};
use svc_orders::db::orders::{self, OrderRow};
use svc_orders::db::payments::{self, PaidMessages, PaymentRow, Settled, Settlement};
use svc_orders::db::refunds::{self, RefundRow};
use svc_orders::db::schema;
use svc_orders::domain::payment_state::PaymentEvent;

const COMMUNITY: &str = "10002";
const NOW: i64 = 1_700_000_000;
const PAYER: i64 = 7;
const NOTICE_TOPIC: &str = "payer-notice";

fn run<T: Send + 'static>(
    db: &Database,
    work: impl FnOnce(&mut AnyConnection) -> QueryResult<T> + Send + 'static,
) -> impl Future<Output = T> {
    let db = db.clone();
    async move {
        db.write_statement(move |conn| work(conn).map_err(DbError::from))
            .await
            .expect("the write")
    }
}

/// Orders of `amounts` fen, each titled with its place among them in quotes; their ids.
async fn orders_of(db: &Database, amounts: &[i64]) -> Vec<i64> {
    let amounts = amounts.to_vec();
    run(db, move |conn| {
        let mut ids = Vec::new();
        for (n, amount_fen) in amounts.into_iter().enumerate() {
            let number = format!("{NOW}{n:03}{}", next_number());
            let row = OrderRow {
                amount_fen,
                title: format!("物业费 \"{n}\""),
                ..support::order(number, COMMUNITY, NOW)
            };
            ids.push(orders::insert(conn, &row)?.id);
        }
        Ok(ids)
    })
    .await
}

/// A number no other call in this test binary gets.
fn next_number() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed).to_string()
}

/// A pending payment of `ids`, holding them if `holds`; its id and out_trade_no.
async fn payment_of(db: &Database, ids: &[i64], amount_fen: i64, holds: bool) -> (i64, String) {
    let ids = ids.to_vec();
    run(db, move |conn| {
        let out_trade_no = format!("WX{}", next_number());
        let joined: Vec<String> = ids.iter().map(i64::to_string).collect();
        let id = payments::insert(
            conn,
            &PaymentRow {
                id: 0,
                out_trade_no: out_trade_no.clone(),
                prepay_id: "wx_prepay".to_owned(),
                user_id: PAYER,
                order_ids: joined.join("A"),
                amount_fen,
                state: payments::PENDING.to_owned(),
                created_at: NOW,
                updated_at: NOW,
            },
        )?;
        if holds {
            payments::hold(conn, &ids, id)?;
        }
        Ok((id, out_trade_no))
    })
    .await
}

/// `mark` as a JSON string.
fn quoted(mark: &str) -> String {
    format!("\"{mark}\"")
}

/// Settles payment `out_trade_no` paid with `amount_fen`, as the notification does.
async fn settle(db: &Database, out_trade_no: &str, amount_fen: i64) -> Option<Settled> {
    let out_trade_no = out_trade_no.to_owned();
    run(db, move |conn| {
        let mut messages = PaidMessages::default();
        let marks = &messages.marks;
        messages.each_order = vec![(
            payments::PAYMENT_RESULT,
            format!("order {} by {out_trade_no}", quoted(marks.order_number())),
        )];
        messages.once = vec![(
            NOTICE_TOPIC,
            format!(
                "{} paid {} page id={}",
                quoted(marks.payer()),
                quoted(marks.titles()),
                marks.bill()
            ),
        )];
        let transaction_id = format!("4200{out_trade_no}");
        let settlement = Settlement {
            out_trade_no: &out_trade_no,
            amount_fen,
            transaction_id: &transaction_id,
            paid_at: NOW,
            duplicate: RefundRow {
                out_refund_no: format!("RF{}", next_number()),
                channel: "wxpay".to_owned(),
                out_trade_no: out_trade_no.clone(),
                total_fen: amount_fen,
                reason: "重复缴费，原路退回".to_owned(),
                purpose: refunds::FOR_DUPLICATE.to_owned(),
                state: refunds::PENDING.to_owned(),
                next_at: Some(NOW),
                created_at: NOW,
                updated_at: NOW,
                ..RefundRow::default()
            },
            messages,
            now: NOW,
        };
        payments::settle(conn, &settlement)
    })
    .await
}

/// The numbers of `ids`.
async fn numbers_of(db: &Database, ids: &[i64]) -> Vec<String> {
    let ids = ids.to_vec();
    run(db, move |conn| {
        Ok(orders::find_many(conn, &ids)?
            .into_iter()
            .map(|order| order.order_number)
            .collect())
    })
    .await
}

/// The community of each refund written.
async fn refund_communities(db: &Database) -> Vec<Option<String>> {
    run(db, |conn| {
        schema::refunds::table
            .order(schema::refunds::id.asc())
            .select(schema::refunds::community_identifier)
            .load(conn)
    })
    .await
}

/// The bill that paid each of `ids` (`None`: unpaid).
async fn bills_of(db: &Database, ids: &[i64]) -> Vec<Option<i64>> {
    let ids = ids.to_vec();
    run(db, move |conn| {
        ids.iter()
            .map(|id| {
                let (paied, bill): (bool, Option<i64>) = schema::orders::table
                    .find(id)
                    .select((schema::orders::paied, schema::orders::bill_id))
                    .first(conn)?;
                assert_eq!(paied, bill.is_some(), "order {id}");
                Ok(bill)
            })
            .collect()
    })
    .await
}

/// Every outbox payload of `topic`, oldest first.
async fn messages(db: &Database, topic: &'static str) -> Vec<String> {
    run(db, move |conn| {
        outbox_table::table
            .filter(outbox_table::topic.eq(topic))
            .order(outbox_table::id.asc())
            .select(outbox_table::payload)
            .load(conn)
    })
    .await
}

/// The refunds written: (amount, bill, out_trade_no).
async fn refunds_written(db: &Database) -> Vec<(i64, Option<i64>, String)> {
    run(db, |conn| {
        schema::refunds::table
            .order(schema::refunds::id.asc())
            .select((
                schema::refunds::amount_fen,
                schema::refunds::bill_id,
                schema::refunds::out_trade_no,
            ))
            .load(conn)
    })
    .await
}

async fn state_of(db: &Database, id: i64) -> String {
    run(db, move |conn| {
        schema::payments::table
            .find(id)
            .select(schema::payments::state)
            .first(conn)
    })
    .await
}

#[tokio::test]
async fn a_payment_settles_once_and_what_another_paid_goes_back() {
    let (_test, db) = support::database("settle", 4).await;
    let ids = orders_of(&db, &[120, 180, 250]).await;
    let numbers = numbers_of(&db, &ids).await;
    let (first, first_no) = payment_of(&db, &ids[..2], 300, true).await;

    // Unknown, or paid with another amount: nothing is settled.
    assert_eq!(settle(&db, "WX-unknown", 300).await, None);
    assert_eq!(settle(&db, &first_no, 299).await, None);
    assert_eq!(state_of(&db, first).await, payments::PENDING);

    let settled = settle(&db, &first_no, 300).await.expect("settled");
    assert_eq!(settled.twice_fen, 0);
    let bill = settled.bill_id;
    assert_eq!(bills_of(&db, &ids).await, [Some(bill), Some(bill), None]);
    assert_eq!(state_of(&db, first).await, payments::PAID);
    assert_eq!(
        messages(&db, payments::PAYMENT_RESULT).await,
        [
            format!("order \"{}\" by {first_no}", numbers[0]),
            format!("order \"{}\" by {first_no}", numbers[1])
        ]
    );
    assert_eq!(
        messages(&db, NOTICE_TOPIC).await,
        [format!(
            r#"{PAYER} paid "物业费 \"0\"、物业费 \"1\"" page id={bill}"#
        )]
    );
    let held: i64 = run(&db, |conn| {
        schema::live_payments::table.count().get_result(conn)
    })
    .await;
    assert_eq!(held, 0, "a paid payment holds no order");

    // Delivered again: nothing more is written.
    assert_eq!(settle(&db, &first_no, 300).await, None);
    assert_eq!(messages(&db, payments::PAYMENT_RESULT).await.len(), 2);
    assert_eq!(messages(&db, NOTICE_TOPIC).await.len(), 1);

    // A second payment of the second order and the third: it pays the third, and the second's
    // 180 fen go back with its bill.
    let (second, second_no) = payment_of(&db, &ids[1..], 430, true).await;
    let again = settle(&db, &second_no, 430).await.expect("settled");
    assert_eq!(state_of(&db, second).await, payments::PAID);
    assert_ne!(again.bill_id, bill);
    assert_eq!(again.twice_fen, 180);
    assert_eq!(
        bills_of(&db, &ids).await,
        [Some(bill), Some(bill), Some(again.bill_id)]
    );
    assert_eq!(
        refunds_written(&db).await,
        [(180, Some(again.bill_id), second_no.clone())]
    );
    let results = messages(&db, payments::PAYMENT_RESULT).await;
    assert_eq!(results.len(), 3, "{results:?}");
    assert_eq!(
        results[2],
        format!("order \"{}\" by {second_no}", numbers[2])
    );
    assert_eq!(
        messages(&db, NOTICE_TOPIC).await[1],
        format!(
            r#"{PAYER} paid "物业费 \"1\"、物业费 \"2\"" page id={}"#,
            again.bill_id
        )
    );
    assert_eq!(refund_communities(&db).await, [Some(COMMUNITY.to_owned())]);
    assert_eq!(run(&db, outbox::backlog).await, 5);
}

/// The ids of the payments reconciliation would look at, if it looked at `at`.
async fn watched_at(db: &Database, at: i64) -> Vec<i64> {
    run(db, move |conn| {
        Ok(payments::unsettled(conn, at, 10)?
            .into_iter()
            .map(|payment| payment.id)
            .collect())
    })
    .await
}

#[tokio::test]
async fn reconciliation_watches_a_payment_from_its_insert_until_it_is_paid_or_closed() {
    let (_test, db) = support::database("watched", 4).await;
    let ids = orders_of(&db, &[100, 200]).await;
    let (a, a_no) = payment_of(&db, &ids[..1], 100, true).await;
    let (b, _) = payment_of(&db, &ids[1..], 200, true).await;
    assert_eq!(
        watched_at(&db, NOW - 1).await,
        [0_i64; 0],
        "not before its insert"
    );
    assert_eq!(watched_at(&db, NOW).await, [a, b]);

    // Looked at: the next look waits again, and the longest-waiting comes first.
    run(&db, move |conn| payments::touch(conn, &[a], NOW + 5)).await;
    assert_eq!(watched_at(&db, NOW).await, [b]);
    assert_eq!(watched_at(&db, NOW + 5).await, [b, a]);
    // Superseded: still watched (to close at WeChat Pay), waiting from then.
    let superseded = run(&db, move |conn| payments::supersede(conn, &[b], NOW + 9)).await;
    assert_eq!(superseded, 1);
    assert_eq!(watched_at(&db, NOW + 5).await, [a]);
    assert_eq!(watched_at(&db, NOW + 9).await, [a, b]);
    // Superseded again (it is not placing or pending): nothing moves.
    let again = run(&db, move |conn| payments::supersede(conn, &[b], NOW + 20)).await;
    assert_eq!(again, 0);
    assert_eq!(watched_at(&db, NOW + 9).await, [a, b]);

    // Paid, or closed at WeChat Pay: no longer watched.
    settle(&db, &a_no, 100).await.expect("settled");
    assert_eq!(watched_at(&db, NOW + 100).await, [b]);
    let closed = run(&db, move |conn| {
        payments::end_unsettled(conn, b, PaymentEvent::ClosedAtWechat, NOW + 30)
    })
    .await;
    assert_eq!(closed, 1);
    assert_eq!(state_of(&db, b).await, payments::CLOSED);
    assert_eq!(watched_at(&db, NOW + 100).await, [0_i64; 0]);
    let left: i64 = run(&db, |conn| {
        schema::unsettled_payments::table.count().get_result(conn)
    })
    .await;
    assert_eq!(left, 0, "a settled payment leaves nothing to watch");
}

#[tokio::test]
async fn two_payments_of_one_order_settled_at_once_pay_it_once_and_refund_it_once() {
    let (_test, db) = support::database("settle_race", 8).await;
    for _ in 0..10 {
        let ids = orders_of(&db, &[500]).await;
        let a = payment_of(&db, &ids, 500, true).await;
        // Replaced, yet paid at WeChat Pay: it holds nothing.
        let b = payment_of(&db, &ids, 500, false).await;
        let (x, y) = tokio::join!(settle(&db, &a.1, 500), settle(&db, &b.1, 500));
        let (x, y) = (x.expect("a settled"), y.expect("b settled"));
        let mut twice = [x.twice_fen, y.twice_fen];
        twice.sort_unstable();
        assert_eq!(twice, [0, 500], "one pays, the other goes back");
        let payer = if x.twice_fen == 0 { &x } else { &y };
        assert_eq!(bills_of(&db, &ids).await, [Some(payer.bill_id)]);
    }
    let refunds = refunds_written(&db).await;
    assert_eq!(refunds.len(), 10);
    assert!(
        refunds
            .iter()
            .all(|(fen, bill, _)| *fen == 500 && bill.is_some())
    );
    assert_eq!(messages(&db, payments::PAYMENT_RESULT).await.len(), 10);
    assert_eq!(messages(&db, NOTICE_TOPIC).await.len(), 20);
}

/// Ten thousand orders, and no statistics yet. (Below about a thousand PostgreSQL reads the
/// whole table instead, which is cheaper there; it did so before the settlement read its
/// orders itself, when their ids were bound.)
const MANY_ORDERS: &str = "INSERT INTO orders (order_number, target_type, community_identifier, \
     house_introduction, title, remark, extra, manager, amount_fen, status, paied, created_by, \
     created_at, updated_at) \
     SELECT 'P' || n, 'house', '10002', '', '物业费', '', '', '晨曦家园', 100, 'open', FALSE, 1, n, n \
     FROM generate_series(1, 10000) AS n;";

/// The settlement as each pooled PostgreSQL connection plans it: once, at its first call, for
/// any parameters, often before the tables have statistics, and kept. Made so, it must reach
/// the payment and its orders through their indexes, or every notification would read every
/// order.
#[tokio::test]
async fn the_settlement_reaches_the_payment_and_its_orders_through_their_indexes() {
    if std::env::var("WJDH_TEST_POSTGRES_URL").is_err() {
        // SQLite plans each statement from what the file holds; nothing is kept across sizes.
        return;
    }
    // One connection: the statement is planned and explained on it.
    let (_test, db) = support::database("settle_plan", 1).await;
    run(&db, |conn| {
        use diesel::connection::SimpleConnection;
        conn.batch_execute(MANY_ORDERS)
    })
    .await;
    let ids = orders_of(&db, &[100; 2]).await;
    let (_, out_trade_no) = payment_of(&db, &ids[..2], 200, true).await;
    settle(&db, &out_trade_no, 200).await.expect("settled");
    let prepared: (String, i32) = run(&db, |conn| {
        #[derive(QueryableByName)]
        struct Prepared {
            #[diesel(sql_type = diesel::sql_types::Text)]
            name: String,
            #[diesel(sql_type = diesel::sql_types::Integer)]
            parameters: i32,
        }
        let prepared: Prepared = diesel::sql_query(
            "SELECT name, cardinality(parameter_types) AS parameters \
             FROM pg_prepared_statements WHERE statement LIKE 'WITH paid AS (UPDATE payments %'",
        )
        .get_result(conn)?;
        Ok((prepared.name, prepared.parameters))
    })
    .await;
    let (name, parameters) = prepared;
    let nulls = vec!["NULL"; usize::try_from(parameters).expect("a count")].join(", ");
    // The statement is prepared already: the plan is the one it keeps.
    let statements = [(
        "settle".to_owned(),
        "SELECT 1".to_owned(),
        format!("EXECUTE {name}({nulls})"),
    )];
    let plans = plans::generic_plans_of(&db, &statements).await;
    let (_, plan) = &plans[0];
    for table in ["payments", "orders", "live_payments", "unsettled_payments"] {
        assert!(
            !plan.contains(&format!("Seq Scan on {table}")),
            "{table} is read through an index: {plan}"
        );
    }
}
