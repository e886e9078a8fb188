//! `wjdh bench-community`: the resident's announcement list and the platform's repair list with
//! 100,000 repairs and 10,000 announcements in the database (a tenth of them in the measured
//! community, the rest spread over nine others).
use std::time::{Duration, Instant};

use anyhow::Context;
use diesel::connection::SimpleConnection;
use serde_json::json;

use crate::bench::FreshStack;
use crate::bench::{Figures, import_houses, measure, platform_token, post_ok, resident_token};
use crate::stack::Stack;

/// Options of `wjdh bench-community`.
#[derive(Debug, Clone, clap::Args)]
pub struct CommunityBenchOptions {
    #[arg(long, default_value_t = 100_000)]
    pub repairs: i64,
    #[arg(long, default_value_t = 10_000)]
    pub announcements: i64,
    #[arg(long, default_value_t = 2000)]
    pub requests: usize,
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// A PostgreSQL admin URL: run on fresh PostgreSQL databases instead of SQLite files.
    #[arg(long)]
    pub postgres: Option<String>,
}

/// Portable seeding SQL: row n goes to 10003 when n % 10 = 0, else to one of nine other communities.
fn seed_sql(repairs: i64, announcements: i64) -> String {
    let community = "CASE WHEN n % 10 = 0 THEN '10003' ELSE CAST(400000 + n % 10 AS TEXT) END";
    format!(
        "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {repairs})
INSERT INTO repairs (community_identifier, user_id, house_id, house_introduction, name, phone, possion, description, images, category_id, category, status, stage, reply, received_by, received_at, repairing_by, repairing_at, done_by, done_at, pay_part, created_at, updated_at)
SELECT {community}, 0, 0, '压测小区1栋1单元1楼101号', '压测', '13900000000', '厨房', '水管漏水' || CAST(n AS TEXT), '[]', NULL, '水电', (n / 10) % 2, 'RECEIVE', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, n, n FROM seq;
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {announcements})
INSERT INTO announcements (community_identifier, title, content, weight, top, enabled, manager, logo, images, created_by, created_at, updated_at)
SELECT {community}, '通知' || CAST(n AS TEXT), '停水通知', n % 7, n % 97 = 0, n % 13 <> 0, '交运里物业', '', '[]', 'bench', n, n FROM seq;"
    )
}

/// Runs the benchmark and prints its figures.
pub async fn run(options: CommunityBenchOptions) -> anyhow::Result<()> {
    let fresh = FreshStack::start("community", options.postgres.as_deref()).await?;
    let result = measure_stack(&fresh.stack, &options).await;
    let backend = fresh.backend();
    fresh.finish().await?;
    let (seconds, figures) = result?;
    println!(
        "seeded {} repairs and {} announcements on {backend} in {seconds:.1} s",
        options.repairs, options.announcements
    );
    crate::bench::print(&figures);
    Ok(())
}

async fn measure_stack(
    stack: &Stack,
    options: &CommunityBenchOptions,
) -> anyhow::Result<(f64, Vec<Figures>)> {
    let started = Instant::now();
    let sql = seed_sql(options.repairs, options.announcements);
    stack
        .community_db
        .run(move |conn| -> Result<(), kit::db::DbError> {
            conn.batch_execute(&format!("BEGIN; {sql} COMMIT;"))?;
            crate::bench::settle_tables(conn, &["repairs", "announcements"])
        })
        .await
        .context("seeding")?;
    let seconds = started.elapsed().as_secs_f64();

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(options.concurrency)
        .timeout(Duration::from_secs(30))
        .build()?;
    let gateway = stack.gateway_url();
    // 赵强 (13800138000) owns 交运里 1-1-1-101 at the security platform: import binds him to 10003.
    let token = resident_token(&client, &gateway, &stack.sandbox_url).await?;
    import_houses(
        &client,
        &gateway,
        &stack.sandbox_url,
        &token,
        "13800138000",
        "10003",
    )
    .await?;
    let platform = platform_token(&client, &gateway, "jyl-demo", "jyl-demo-secret").await?;

    let mut figures = Vec::new();
    let (c, url, t) = (
        client.clone(),
        format!("{gateway}/api/v1/weapp/announcements"),
        token.clone(),
    );
    figures.push(
        measure(
            "POST /api/v1/weapp/announcements",
            options.requests,
            options.concurrency,
            move |_| {
                let (c, url, t) = (c.clone(), url.clone(), t.clone());
                async move { post_ok(&c, &url, Some(&t), json!({"xiaoqu": "10003"})).await }
            },
        )
        .await,
    );
    let (c, url) = (client.clone(), format!("{gateway}/api/v1/wjdh/repair/list"));
    let pages = (options.repairs / 10 / 2 / 20).max(1);
    figures.push(
        measure(
            "POST /api/v1/wjdh/repair/list (20/page)",
            options.requests,
            options.concurrency,
            move |i| {
                let (c, url, t) = (c.clone(), url.clone(), platform.clone());
                let page = i64::try_from(i).unwrap_or(0) % pages + 1;
                async move {
                    post_ok(&c, &url, Some(&t), json!({"xiaoqu": "10003", "page": page})).await
                }
            },
        )
        .await,
    );
    Ok((seconds, figures))
}
