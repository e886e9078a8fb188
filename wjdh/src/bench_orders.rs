//! `wjdh bench-orders`: the resident's order list and the platform's order list with 100,000
//! orders in the database (a tenth in 晨曦家园 10002, a few hundred of them 付钰's: his house
//! 1-1-1-101 and his own), then order creation through the gateway (last, so that the new
//! orders do not change what the lists return).
use std::time::{Duration, Instant};

use anyhow::Context;
use diesel::connection::SimpleConnection;
use serde_json::{Value, json};

use crate::bench::FreshStack;
use crate::bench::{Figures, import_houses, measure, platform_token, post_ok, resident_token_for};
use crate::stack::Stack;

/// Options of `wjdh bench-orders`.
#[derive(Debug, Clone, clap::Args)]
pub struct OrdersBenchOptions {
    #[arg(long, default_value_t = 100_000)]
    pub orders: i64,
    #[arg(long, default_value_t = 2000)]
    pub requests: usize,
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// A PostgreSQL admin URL: run on fresh PostgreSQL databases instead of SQLite files.
    #[arg(long)]
    pub postgres: Option<String>,
}

/// The fixture's 付钰: owner of 晨曦家园 1-1-1-101 and 102 at the security platform.
pub(crate) const PHONE: &str = "15131512234";
pub(crate) const COMMUNITY: &str = "10002";

/// Portable seeding SQL. Row n is a personal order when n % 4 = 1, else a house order; it is in
/// 10002 when n % 10 = 0, else in one of nine other communities. Of these, n % 400 = 0 is for
/// the resident's `house` and n % 1000 = 1 is the resident's (`user`) own; the others go to
/// 30,000 houses and 40,000 people. A third are paid. With `resident_rows`, the resident's
/// orders are only among the first rows, so they stay as many whatever the number seeded.
pub(crate) fn seed_sql(orders: i64, house: i64, user: i64, resident_rows: Option<i64>) -> String {
    let within = resident_rows.unwrap_or(orders);
    let mine = format!("(n % 400 = 0 AND n <= {within})");
    let own = format!("(n % 1000 = 1 AND n <= {within})");
    let personal = "n % 4 = 1";
    format!(
        "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {orders})
INSERT INTO orders (order_number, target_type, community_identifier, house_id, user_id, louhao, danyuan, louceng, fangjian, house_introduction, title, remark, extra, manager, amount_fen, status, paied, bill_id, created_by, created_at, updated_at)
SELECT '100' || CAST(10000000000000000 + n AS TEXT),
  CASE WHEN {personal} THEN 'phone' ELSE 'house' END,
  CASE WHEN n % 10 = 0 OR {own} THEN '{COMMUNITY}' ELSE CAST(400000 + n % 10 AS TEXT) END,
  CASE WHEN {mine} THEN {house} WHEN {personal} THEN NULL ELSE 1000000 + n % 30000 END,
  CASE WHEN {own} THEN {user} WHEN {personal} THEN 5000000 + n % 40000 ELSE NULL END,
  CASE WHEN {mine} THEN 1 WHEN {personal} THEN NULL ELSE 1 + n % 10 END,
  CASE WHEN {personal} THEN NULL ELSE 1 END,
  CASE WHEN {mine} THEN 1 WHEN {personal} THEN NULL ELSE 1 + (n / 10) % 18 END,
  CASE WHEN {mine} THEN 101 WHEN {personal} THEN NULL ELSE 101 + (n / 180) % 4 END,
  CASE WHEN {mine} THEN '晨曦家园1栋1单元1楼101号' WHEN {personal} THEN '' ELSE '压测小区' || CAST(n % 30000 AS TEXT) || '号' END,
  CASE n % 3 WHEN 0 THEN '物业费' WHEN 1 THEN '水费' ELSE '车位费' END,
  '压测', '', '晨曦家园物业公司', 1 + n % 50000,
  CASE WHEN n % 50 = 3 THEN 'closed' ELSE 'open' END,
  (n / 7) % 3 = 0, NULL, 1, n, n
FROM seq;"
    )
}

/// Runs the benchmark and prints its figures.
pub async fn run(options: OrdersBenchOptions) -> anyhow::Result<()> {
    let fresh = FreshStack::start("orders", options.postgres.as_deref()).await?;
    let result = measure_stack(&fresh.stack, &options).await;
    let backend = fresh.backend();
    fresh.finish().await?;
    let (seconds, mine, figures) = result?;
    println!(
        "seeded {} orders on {backend} in {seconds:.1} s; the resident sees {mine} of them",
        options.orders
    );
    crate::bench::print(&figures);
    Ok(())
}

/// `last_page` and `total` of the first page of `url` with `body`.
async fn pages(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    body: Value,
) -> anyhow::Result<(i64, i64)> {
    let answer: Value = client
        .post(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await?
        .json()
        .await?;
    anyhow::ensure!(answer["code"] == 0, "{url} failed: {answer}");
    Ok((
        answer["pages"]["last_page"].as_i64().unwrap_or(1),
        answer["pages"]["total"].as_i64().unwrap_or(0),
    ))
}

/// 付钰 signed up and his 10002 houses imported: his token, his house 1-1-1-101's id and his
/// user id (what the order seeds point at).
pub(crate) struct FuYu {
    pub token: String,
    pub house: i64,
    pub user: i64,
}

pub(crate) async fn fu_yu(stack: &Stack, client: &reqwest::Client) -> anyhow::Result<FuYu> {
    let gateway = stack.gateway_url();
    let sandbox = &stack.sandbox_url;
    let token = resident_token_for(client, &gateway, sandbox, "bench-fuyu", PHONE).await?;
    import_houses(client, &gateway, sandbox, &token, PHONE, COMMUNITY).await?;
    let houses: Value = client
        .post(format!("{gateway}/api/v1/user/housesList"))
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await?
        .json()
        .await?;
    let house = houses["data"]
        .as_array()
        .and_then(|rows| {
            rows.iter()
                .find(|row| row["introduction"] == "晨曦家园1栋1单元1楼101号")
        })
        .and_then(|row| row["house_id"].as_i64())
        .with_context(|| format!("house 101 in {houses}"))?;
    let user = stack
        .auth_db
        .run(|conn| svc_auth::db::users::find_by_phone(conn, PHONE))
        .await?
        .context("bench user")?
        .id;
    Ok(FuYu { token, house, user })
}

async fn measure_stack(
    stack: &Stack,
    options: &OrdersBenchOptions,
) -> anyhow::Result<(f64, i64, Vec<Figures>)> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(options.concurrency)
        .timeout(Duration::from_secs(30))
        .build()?;
    let gateway = stack.gateway_url();
    let FuYu { token, house, user } = fu_yu(stack, &client).await?;

    let started = Instant::now();
    let sql = seed_sql(options.orders, house, user, None);
    stack
        .orders_db
        .run(move |conn| -> Result<(), kit::db::DbError> {
            conn.batch_execute(&format!("BEGIN; {sql} COMMIT;"))?;
            crate::bench::settle_tables(conn, &["orders"])
        })
        .await
        .context("seeding")?;
    let seconds = started.elapsed().as_secs_f64();

    let platform = platform_token(&client, &gateway, "123456", "123456").await?;
    let resident_url = format!("{gateway}/api/v1/orders/list");
    let platform_url = format!("{gateway}/api/v1/order/list");
    // The resident's pages with each paied filter: all, paid, unpaid.
    let mut filters = Vec::new();
    let mut mine = 0;
    for paied in [None, Some(1), Some(0)] {
        let body = paied.map_or_else(|| json!({}), |p| json!({"paied": p}));
        let (last, total) = pages(&client, &resident_url, &token, body.clone()).await?;
        if paied.is_none() {
            mine = total;
        }
        filters.push((body, last));
    }
    let (platform_pages, _) = pages(
        &client,
        &platform_url,
        &platform,
        json!({"xiaoqu": COMMUNITY}),
    )
    .await?;

    let mut figures = Vec::new();
    let (c, url, t) = (client.clone(), resident_url, token.clone());
    figures.push(
        measure(
            "POST /api/v1/orders/list (paied, page)",
            options.requests,
            options.concurrency,
            move |i| {
                let (body, last) = &filters[i % filters.len()];
                let page = i64::try_from(i / filters.len()).unwrap_or(0) % last + 1;
                let mut body = body.clone();
                body["page"] = json!(page);
                let (c, url, t) = (c.clone(), url.clone(), t.clone());
                async move { post_ok(&c, &url, Some(&t), body).await }
            },
        )
        .await,
    );
    let (c, url, t) = (client.clone(), platform_url, platform.clone());
    figures.push(
        measure(
            "POST /api/v1/order/list (10002, page)",
            options.requests,
            options.concurrency,
            move |i| {
                let page = i64::try_from(i).unwrap_or(0) % platform_pages + 1;
                let (c, url, t) = (c.clone(), url.clone(), t.clone());
                async move {
                    post_ok(
                        &c,
                        &url,
                        Some(&t),
                        json!({"xiaoqu": COMMUNITY, "page": page}),
                    )
                    .await
                }
            },
        )
        .await,
    );
    let (c, url, t) = (
        client.clone(),
        format!("{gateway}/api/v1/order/new"),
        platform,
    );
    figures.push(
        measure(
            "POST /api/v1/order/new (house 1-1-1-101)",
            options.requests,
            options.concurrency,
            move |_| {
                let (c, url, t) = (c.clone(), url.clone(), t.clone());
                async move {
                    let order = json!({
                        "xiaoqu": 10002, "type": "house", "title": "物业费", "remark": "压测",
                        "identifier": {"louhao": "1", "danyuan": "1", "louceng": "1", "fangjian": "101"},
                        "amount": "0.01",
                    });
                    post_ok(&c, &url, Some(&t), order).await
                }
            },
        )
        .await,
    );
    Ok((seconds, mine, figures))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_seed_gives_the_resident_a_few_hundred_orders_and_10002_a_tenth() {
        use diesel::prelude::*;
        use svc_orders::db::schema::orders;

        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/orders.db", dir.path().display());
        let db = kit::db::Database::connect(&url, 1, &svc_orders::db::MIGRATIONS)
            .await
            .unwrap();
        // Each resident's orders as 7 and 3, another's as 8 and 4 among the first 1,000 rows.
        let sql = format!(
            "{}\n{}",
            seed_sql(100_000, 7, 3, None),
            seed_sql(100_000, 8, 4, Some(1000)).replace("'100' ||", "'200' ||")
        );
        let counts = db
            .run(move |conn| -> Result<_, kit::db::DbError> {
                conn.batch_execute(&sql)?;
                let mut count = |query: orders::BoxedQuery<'static, svc_orders::db::Backend>| {
                    query.count().get_result::<i64>(&mut *conn)
                };
                Ok([
                    count(orders::table.into_boxed())?,
                    count(orders::table.filter(orders::house_id.eq(7)).into_boxed())?,
                    count(orders::table.filter(orders::user_id.eq(3)).into_boxed())?,
                    count(
                        orders::table
                            .filter(orders::community_identifier.eq(COMMUNITY))
                            .into_boxed(),
                    )?,
                    count(orders::table.filter(orders::paied.eq(true)).into_boxed())?,
                    count(orders::table.filter(orders::house_id.eq(8)).into_boxed())?,
                    count(orders::table.filter(orders::user_id.eq(4)).into_boxed())?,
                ])
            })
            .await
            .unwrap();
        let [
            all,
            house,
            personal,
            community,
            paid,
            bounded_house,
            bounded_own,
        ] = counts;
        assert_eq!(
            (all, house, personal, community),
            (200_000, 250, 100, 2 * 10_000 + 100 + 1)
        );
        assert!((60_000..72_000).contains(&paid), "{paid} paid");
        assert_eq!((bounded_house, bounded_own), (2, 1));
    }
}
