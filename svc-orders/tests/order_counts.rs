//! `order_counts` (issue 14): the platform list's total read from the counts the triggers keep
//! is the count of the orders themselves, under every filter the counts answer, after creates,
//! payments spanning communities, closes and deletes, on SQLite and on PostgreSQL, and with
//! writers at work concurrently; and the version of a community's orders the same counts keep
//! grows with every change of its orders, and with nothing else.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod support;

use diesel::prelude::*;
use kit::db::{AnyConnection, Database, DbError};
use kit::paging::Paging;
use svc_orders::db::orders::{self, OrderRow, PlatformFilter};
use svc_orders::db::schema;

const COMMUNITIES: [&str; 2] = ["10002", "10003"];

fn order(community: &str, n: i64) -> OrderRow {
    OrderRow {
        house_id: Some(n % 7),
        louhao: Some(1 + n % 3),
        danyuan: Some(1),
        louceng: Some(1),
        fangjian: Some(101),
        ..support::order(format!("{community}{n:012}"), community, n)
    }
}

/// The platform list's total against a COUNT over the rows, for every state filter.
fn assert_totals_match(conn: &mut AnyConnection) {
    let paging = Paging::new(Some(1), Some(5)).unwrap();
    for community in COMMUNITIES {
        for open in [None, Some(true), Some(false)] {
            for paied in [None, Some(true), Some(false)] {
                let filter = PlatformFilter {
                    community_identifier: community.to_owned(),
                    open,
                    paied,
                    ..PlatformFilter::default()
                };
                let (_, total) = orders::list_for_platform(conn, &filter, paging).unwrap();
                let mut counted = schema::orders::table
                    .filter(schema::orders::community_identifier.eq(community))
                    .into_boxed::<svc_orders::db::Backend>();
                if let Some(open) = open {
                    let status = if open { orders::OPEN } else { orders::CLOSED };
                    counted = counted.filter(schema::orders::status.eq(status));
                }
                if let Some(paied) = paied {
                    counted = counted.filter(schema::orders::paied.eq(paied));
                }
                let expected: i64 = counted.count().get_result(conn).unwrap();
                assert_eq!(total, expected, "{community} open {open:?} paied {paied:?}");
                // A filter the counts can't answer is counted, and agrees.
                let narrowed = PlatformFilter {
                    louhao: Some(1),
                    ..filter
                };
                let (_, narrowed_total) =
                    orders::list_for_platform(conn, &narrowed, paging).unwrap();
                assert!(narrowed_total <= total);
            }
        }
    }
}

async fn database() -> (impl Drop, Database) {
    support::database("order_counts", 8).await
}

#[tokio::test]
async fn the_counted_total_is_the_count_after_every_kind_of_change() {
    let (_test, db) = database().await;
    db.run(|conn| -> Result<(), DbError> {
        assert_totals_match(conn);
        let mut ids = Vec::new();
        for n in 0..30 {
            let row = orders::insert(conn, &order(COMMUNITIES[(n % 2) as usize], n))?;
            ids.push(row.id);
        }
        assert_totals_match(conn);
        // One payment over orders of both communities, as a bill may pay them.
        let paid: Vec<i64> = ids.iter().copied().filter(|id| id % 3 == 0).collect();
        svc_orders::db::payments::pay_orders(conn, &paid, 1, 100)?;
        assert_totals_match(conn);
        for id in ids.iter().filter(|id| *id % 4 == 1) {
            orders::close(conn, *id, 100)?;
        }
        assert_totals_match(conn);
        // A change of other columns leaves the counts alone; a delete takes the order away.
        diesel::update(schema::orders::table)
            .set(schema::orders::updated_at.eq(200))
            .execute(conn)?;
        diesel::delete(schema::orders::table.filter(schema::orders::id.eq(ids[0])))
            .execute(conn)?;
        assert_totals_match(conn);
        Ok(())
    })
    .await
    .unwrap();
}

/// The version of `COMMUNITIES[0]`'s orders after `change`: greater than the last of `seen`.
fn assert_changed(conn: &mut AnyConnection, seen: &mut Vec<i64>, change: &str) {
    let version = orders::version(conn, COMMUNITIES[0]).unwrap();
    assert!(
        version > *seen.last().unwrap(),
        "{change}: {version} after {seen:?}"
    );
    seen.push(version);
}

#[tokio::test]
async fn every_change_of_a_communitys_orders_gives_it_a_greater_version_and_nothing_else_does() {
    let (_test, db) = database().await;
    db.run(|conn| -> Result<(), DbError> {
        let mut seen = vec![orders::version(conn, COMMUNITIES[0])?];
        let first = orders::insert(conn, &order(COMMUNITIES[0], 1))?;
        assert_changed(conn, &mut seen, "an insert");
        let second = orders::insert(conn, &order(COMMUNITIES[0], 2))?;
        assert_changed(conn, &mut seen, "another insert");
        let other = orders::version(conn, COMMUNITIES[1])?;
        // Reads, and another community's orders, leave it alone.
        let all = PlatformFilter {
            community_identifier: COMMUNITIES[0].to_owned(),
            ..PlatformFilter::default()
        };
        orders::list_for_platform(conn, &all, Paging::new(Some(1), Some(5)).unwrap())?;
        orders::insert(conn, &order(COMMUNITIES[1], 3))?;
        assert_eq!(
            orders::version(conn, COMMUNITIES[0])?,
            *seen.last().unwrap()
        );
        assert!(orders::version(conn, COMMUNITIES[1])? > other);
        svc_orders::db::payments::pay_orders(conn, &[first.id], 1, 100)?;
        assert_changed(conn, &mut seen, "a payment");
        orders::close(conn, second.id, 100)?;
        assert_changed(conn, &mut seen, "a close");
        // A column the list shows, which no count depends on.
        diesel::update(schema::orders::table.filter(schema::orders::id.eq(first.id)))
            .set(schema::orders::remark.eq("已核对"))
            .execute(conn)?;
        assert_changed(conn, &mut seen, "a remark");
        diesel::delete(schema::orders::table.filter(schema::orders::id.eq(second.id)))
            .execute(conn)?;
        assert_changed(conn, &mut seen, "a delete");
        // A statement that matches no order is no change.
        diesel::update(schema::orders::table.filter(schema::orders::id.eq(-1)))
            .set(schema::orders::remark.eq("无"))
            .execute(conn)?;
        assert_eq!(
            orders::version(conn, COMMUNITIES[0])?,
            *seen.last().unwrap()
        );
        Ok(())
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn concurrent_writers_keep_the_counts_exact() {
    let (_test, db) = database().await;
    let writers = (0..8i64).map(|writer| {
        let db = db.clone();
        tokio::spawn(async move {
            for round in 0..10i64 {
                let n = writer * 1000 + round * 10;
                // The writes as svc-orders makes them: an order created in its own transaction,
                // then one payment over orders of both communities (created in either order)
                // and a close. On PostgreSQL the counts must not deadlock them.
                let mut ids = Vec::new();
                for k in 0..4 {
                    let community = COMMUNITIES[((writer + k) % 2) as usize];
                    let created = db
                        .run(move |conn| {
                            kit::db::write_transaction(conn, |conn| {
                                orders::insert(conn, &order(community, n + k))
                            })
                            .map_err(DbError::from)
                        })
                        .await
                        .unwrap();
                    ids.push(created.id);
                }
                db.run(move |conn| -> Result<(), DbError> {
                    kit::db::write_transaction(conn, |conn| -> Result<(), DbError> {
                        svc_orders::db::payments::pay_orders(conn, &ids[..3], 1, n)?;
                        orders::close(conn, ids[3], n)?;
                        Ok(())
                    })
                })
                .await
                .unwrap();
            }
        })
    });
    for writer in writers.collect::<Vec<_>>() {
        writer.await.unwrap();
    }
    db.run(|conn| -> Result<(), DbError> {
        assert_totals_match(conn);
        let (_, total) = orders::list_for_platform(
            conn,
            &PlatformFilter {
                community_identifier: COMMUNITIES[0].to_owned(),
                ..PlatformFilter::default()
            },
            Paging::new(Some(1), Some(5)).unwrap(),
        )
        .unwrap();
        assert_eq!(total, 8 * 10 * 2);
        Ok(())
    })
    .await
    .unwrap();
}
