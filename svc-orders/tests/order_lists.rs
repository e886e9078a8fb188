//! The order lists at the database, on SQLite and on PostgreSQL, paged without a gap or a repeat:
//! the resident's (000 §4.1.1: their paying houses' orders and their personal ones, newest first
//! by creation time then id, among many other orders; ordered by id, PostgreSQL's generic plan
//! walked the whole primary key for each call, issue 14) and the platform's (001 §2.1.2: newest
//! first by creation time then id too, its first pages read whole in one statement and the
//! deeper ones ids first).
#![allow(clippy::unwrap_used, clippy::expect_used)]
#[path = "../../kit/tests/support/plans.rs"]
mod plans;
mod support;

use kit::db::{Database, DbError};
use kit::paging::Paging;
use svc_orders::db::orders::{self, OrderRow, PlatformFilter, ResidentFilter};

const RESIDENT: i64 = 7;
const HOUSES: [i64; 2] = [3, 4];

fn order(n: i64, house_id: Option<i64>, user_id: Option<i64>, created_at: i64) -> OrderRow {
    OrderRow {
        target_type: if house_id.is_some() { "house" } else { "phone" }.to_owned(),
        house_id,
        user_id,
        title: format!("物业费{}", n % 2),
        ..support::order(format!("R{n:012}"), "10002", created_at)
    }
}

fn filter(house_id: Option<i64>, title: Option<&str>) -> ResidentFilter {
    ResidentFilter {
        user_id: RESIDENT,
        houses: HOUSES.to_vec(),
        title: title.map(str::to_owned),
        paied: None,
        house_id,
    }
}

async fn database() -> (impl Drop, Database) {
    support::database("order_lists", 4).await
}

#[tokio::test]
async fn a_platforms_orders_come_newest_first_on_every_page_shallow_or_deep() {
    let (_test, db) = database().await;
    db.run(|conn| -> Result<(), DbError> {
        // Created in id order, except every seventh, back-dated: time, not id, decides where
        // those go, on the shallow pages as on the deep ones.
        let mut ids = Vec::new();
        for n in 0..230_i64 {
            let created_at = if n % 7 == 3 { 1_000 + n } else { 10_000 + n };
            let mut row = order(n, Some(100 + n % 50), Some(8), created_at);
            row.paied = n % 3 == 0;
            if n % 10 == 0 {
                row.community_identifier = "10003".to_owned();
            }
            let stored = orders::insert(conn, &row)?;
            if stored.community_identifier == "10002" {
                ids.push((stored.created_at, stored.id, stored.paied));
            }
        }
        ids.sort_by_key(|&(created_at, id, _)| std::cmp::Reverse((created_at, id)));
        let ids: Vec<(i64, bool)> = ids.into_iter().map(|(_, id, paied)| (id, paied)).collect();
        // Every order is open: the closed ones are none, on the first page as on the others.
        for (open, paied) in [
            (None, None),
            (None, Some(false)),
            (Some(true), Some(true)),
            (Some(false), None),
        ] {
            let expected: Vec<i64> = ids
                .iter()
                .filter(|(_, p)| paied.is_none_or(|wanted| wanted == *p) && open != Some(false))
                .map(|(id, _)| *id)
                .collect();
            let filter = PlatformFilter {
                community_identifier: "10002".to_owned(),
                open,
                paied,
                ..PlatformFilter::default()
            };
            let mut seen = Vec::new();
            // Pages of 20: offsets 0 to 200, either side of the one-statement limit.
            for page in 1..=11 {
                let paging = Paging::new(Some(page), Some(20)).unwrap();
                let (rows, total) = orders::list_for_platform(conn, &filter, paging)?;
                assert_eq!(
                    total,
                    expected.len() as i64,
                    "{open:?} {paied:?} page {page}"
                );
                seen.extend(rows.iter().map(|(row, _)| row.id));
            }
            assert_eq!(seen, expected, "{open:?} {paied:?}");
        }
        Ok(())
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn a_residents_orders_come_newest_first_and_page_without_gaps() {
    let (_test, db) = database().await;
    db.run(|conn| -> Result<(), DbError> {
        // 25 of theirs among 400 others' (other houses, another person), created in id order
        // except every fifth of theirs, back-dated: time, not id, decides where those go.
        let mut theirs = Vec::new();
        for n in 0..425_i64 {
            let created_at = 10_000 + n;
            let row = match n % 17 {
                0 | 5 if theirs.len() < 25 => {
                    order(n, Some(HOUSES[(n % 2) as usize]), None, created_at)
                }
                9 if theirs.len() < 25 => order(n, None, Some(RESIDENT), created_at),
                _ => order(n, Some(100 + n % 50), Some(8), created_at),
            };
            let mine =
                row.house_id.is_some_and(|h| HOUSES.contains(&h)) || row.user_id == Some(RESIDENT);
            let mut row = row;
            if mine && theirs.len() % 5 == 4 {
                row.created_at = 1_000 + n;
                row.updated_at = row.created_at;
            }
            let stored = orders::insert(conn, &row)?;
            if mine {
                theirs.push((stored.created_at, stored.id, stored.house_id));
            }
        }
        assert_eq!(theirs.len(), 25);
        theirs.sort_by_key(|&(created_at, id, _)| std::cmp::Reverse((created_at, id)));
        let expected: Vec<i64> = theirs.iter().map(|&(_, id, _)| id).collect();

        let mut seen = Vec::new();
        for page in 1..=3 {
            let paging = Paging::new(Some(page), Some(10)).unwrap();
            let (rows, total) = orders::list_for_resident(conn, &filter(None, None), paging)?;
            assert_eq!(total, 25, "page {page}");
            seen.extend(rows.iter().map(|(row, _)| row.id));
        }
        assert_eq!(seen, expected, "every order once, newest first");

        // One house only, and a title: still newest first, still only theirs.
        let paging = Paging::new(Some(1), Some(20)).unwrap();
        let (rows, total) =
            orders::list_for_resident(conn, &filter(Some(HOUSES[1]), None), paging)?;
        let house: Vec<i64> = theirs
            .iter()
            .filter(|&&(_, _, house)| house == Some(HOUSES[1]))
            .map(|&(_, id, _)| id)
            .collect();
        assert!(!house.is_empty());
        assert_eq!(total, house.len() as i64);
        assert_eq!(
            rows.iter().map(|(row, _)| row.id).collect::<Vec<_>>(),
            house
        );
        // However many houses: none (only their personal orders), or more than PostgreSQL gets
        // one bind each for (kit::db::FEW), the same orders.
        let personal: Vec<i64> = theirs
            .iter()
            .filter(|&&(_, _, house)| house.is_none())
            .map(|&(_, id, _)| id)
            .collect();
        let houseless = ResidentFilter {
            houses: Vec::new(),
            ..filter(None, None)
        };
        let (rows, _) = orders::list_for_resident(conn, &houseless, paging)?;
        assert_eq!(
            rows.iter().map(|(row, _)| row.id).collect::<Vec<_>>(),
            personal
        );
        let many = ResidentFilter {
            houses: (1000..1000 + kit::db::FEW as i64).chain(HOUSES).collect(),
            ..filter(None, None)
        };
        let paging_all = Paging::new(Some(1), Some(50)).unwrap();
        let (rows, total) = orders::list_for_resident(conn, &many, paging_all)?;
        assert_eq!(total, 25);
        assert_eq!(
            rows.iter().map(|(row, _)| row.id).collect::<Vec<_>>(),
            expected
        );
        let (rows, _) = orders::list_for_resident(conn, &filter(None, Some("物业费1")), paging)?;
        assert!(!rows.is_empty());
        assert!(
            rows.iter()
                .all(|(row, _)| row.title == "物业费1" && expected.contains(&row.id))
        );
        Ok(())
    })
    .await
    .unwrap();
}

/// 5,000 orders, bills, refunds and payouts each, of a small community beside a large one
/// ([`plans::seed_small_community_beside_a_large_one`]).
const SEED: &str = "INSERT INTO orders (order_number, target_type, community_identifier, house_introduction, title, remark, extra, manager, amount_fen, status, paied, created_by, created_at, updated_at)
SELECT 'P' || CAST(n AS TEXT), 'house', community, '', '物业费', '', '', '物业', 100, 'open', n % 3 = 0, 1, n, n FROM seq;
INSERT INTO bills (user_id, total_amount_fen, payment_number, payment_shop_number, paid_at, created_at, community_identifier)
SELECT n, 100, 'T' || CAST(n AS TEXT), 'S' || CAST(n AS TEXT), n, n, community FROM seq;
INSERT INTO refunds (out_refund_no, channel, out_trade_no, total_fen, amount_fen, reason, purpose, state, failure, attempts, created_at, updated_at, community_identifier)
SELECT 'R' || CAST(n AS TEXT), 'wxpay', 'S' || CAST(n AS TEXT), 100, 100, '', CASE WHEN n % 2 = 0 THEN 'bill' ELSE 'viewing' END, 'done', '', 1, n, n, community FROM seq;
INSERT INTO payouts (order_id, out_biz_no, community_identifier, owner_id, payee_type, payee_account, payee_name, amount_fen, remark, state, failure, credential_id, created_at, updated_at)
SELECT 'O' || CAST(n AS TEXT), 'B' || CAST(n AS TEXT), community, n, 'ALIPAY_USER_ID', '', '', 100, '', 'paid', '', 1, n, n FROM seq;";

/// A community's lists as their queries read them, with the community and the page bound as
/// diesel binds them: `(the index each must be read through, SQL, PostgreSQL's parameter types,
/// the small community's values)`.
const COMMUNITY_LISTS: &[plans::List] = &[
    (
        "orders_community_newest",
        "SELECT orders.id, orders.title, bills.payment_shop_number FROM orders \
         LEFT OUTER JOIN bills ON orders.bill_id = bills.id \
         WHERE orders.community_identifier = $1 \
         ORDER BY orders.created_at DESC, orders.id DESC LIMIT $2 OFFSET $3",
        "text, bigint, bigint",
        "''10002'', 20, 0",
    ),
    (
        "orders_community_newest",
        "SELECT orders.id FROM orders WHERE orders.community_identifier = $1 \
         ORDER BY orders.created_at DESC, orders.id DESC LIMIT $2 OFFSET $3",
        "text, bigint, bigint",
        "''10002'', 20, 120",
    ),
    (
        "bills_community_newest",
        "SELECT * FROM bills WHERE community_identifier = $1 \
         ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3",
        "text, bigint, bigint",
        "''10002'', 20, 0",
    ),
    (
        "refunds_of_community_newest",
        "SELECT * FROM refunds WHERE community_identifier = $1 AND purpose <> $2 \
         ORDER BY created_at DESC, id DESC LIMIT $3",
        "text, text, bigint",
        "''10002'', ''viewing'', 100",
    ),
    (
        "payouts_of_community_newest",
        "SELECT * FROM payouts WHERE community_identifier = $1 \
         ORDER BY created_at DESC, id DESC LIMIT $2",
        "text, bigint",
        "''10002'', 100",
    ),
];

/// The platform's lists (001 §2.1.2 orders, the bills, a community's refunds and payouts) of a
/// small community beside a large one are read from the community's own rows, newest first
/// through their `…_newest` indexes, on both backends: an order page whole, a deeper one ids
/// first. Ordered by id, PostgreSQL's one plan walked the primary key backwards through every
/// row of the large community (~5 ms at 50,000 orders).
#[tokio::test]
async fn a_small_communitys_lists_are_read_from_their_indexes_beside_a_large_ones() {
    let (_test, db) = database().await;
    plans::seed_small_community_beside_a_large_one(&db, SEED).await;
    plans::assert_read_through_their_indexes(&db, COMMUNITY_LISTS).await;
}
