//! `wjdh bench registry`: the 一标三实 read paths at scale. Seeds C communities × H houses, one
//! person bound to every house and a pending review for every tenth house, then measures the
//! resident's house list and house detail and the platform's review list through the gateway.
use std::time::{Duration, Instant};

use anyhow::Context;
use diesel::connection::SimpleConnection;
use serde_json::json;

use crate::bench::FreshStack;
use crate::bench::{Figures, measure, platform_token, post_ok, resident_token};
use crate::stack::Stack;

/// Options of `wjdh bench registry`.
#[derive(Debug, Clone, clap::Args)]
pub struct RegistryBenchOptions {
    #[arg(long, default_value_t = 1000)]
    pub communities: i64,
    /// Houses per community: 10 buildings × 10 floors × houses/100 per floor.
    #[arg(long, default_value_t = 1000)]
    pub houses_per_community: i64,
    #[arg(long, default_value_t = 2000)]
    pub requests: usize,
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// A PostgreSQL admin URL: run on fresh PostgreSQL databases instead of SQLite files.
    #[arg(long)]
    pub postgres: Option<String>,
}

/// `WITH RECURSIVE seq(n)` counting 1 to `n`, to insert from.
pub(crate) fn range(n: i64) -> String {
    format!("WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {n})")
}

/// Portable SQL giving each community that matches `mine` (a condition on
/// `community_identifier`) 10 buildings of 1 unit and 10 floors with `per_floor` houses each;
/// house numbers are the floor's times 100 (1000 past 99 a floor) plus the house's.
pub(crate) fn address_tree_sql(mine: &str, per_floor: i64) -> String {
    let ten = range(10);
    let step = if per_floor < 100 { 100 } else { 1000 };
    format!(
        "{ten}
INSERT INTO buildings (community_identifier, building_number, building_name)
SELECT c.community_identifier, seq.n, CAST(seq.n AS TEXT) || '栋' FROM communities c, seq WHERE c.{mine};
INSERT INTO units (building_id, community_identifier, unit_number, unit_name)
SELECT b.id, b.community_identifier, 1, '1单元' FROM buildings b WHERE b.{mine};
{ten}
INSERT INTO floors (unit_id, community_identifier, floor_number, floor_name)
SELECT u.id, u.community_identifier, seq.n, CAST(seq.n AS TEXT) || '楼' FROM units u, seq WHERE u.{mine};
{per_floor_cte}
INSERT INTO houses (floor_id, community_identifier, house_number, house_name, house_type, building_number, unit_number, floor_number)
SELECT f.id, f.community_identifier, f.floor_number * {step} + seq.n, CAST(f.floor_number * {step} + seq.n AS TEXT) || '号', '单元楼', b.building_number, u.unit_number, f.floor_number
FROM floors f JOIN units u ON u.id = f.unit_id JOIN buildings b ON b.id = u.building_id, seq WHERE f.{mine};",
        per_floor_cte = range(per_floor),
    )
}

/// The seeding SQL, portable between SQLite and PostgreSQL (recursive CTEs, `||`, CAST). Every
/// owner is bound through an approved review, as in production, and a tenth of the houses have
/// a pending one: the reviews table has the size a community's history gives it. (With only the
/// pending tenth, the statistics told PostgreSQL's generic plans the table was tiny, and the
/// registrations a benchmark files were each checked by scanning all of them.)
pub(crate) fn seed_sql(communities: i64, per_floor: i64) -> String {
    let mine = "community_identifier >= '300001'";
    format!(
        "{communities_cte}
INSERT INTO communities (community_identifier, community_name, community_pinyin, community_type, community_order, created_at, updated_at)
SELECT CAST(300000 + n AS TEXT), '压测小区' || CAST(n AS TEXT), 'YaCe' || CAST(n AS TEXT), 0, 0, 0, 0 FROM seq;
{tree}
INSERT INTO people (user_id, phone, name, sex, nation, birth, address, idcard, photo, zhengzhimianmao, tuiyijunren, dibao, shangfang, job_name, company_name, created_at, updated_at)
SELECT NULL, CAST(15000000000 + h.id AS TEXT), '居民' || CAST(h.id AS TEXT), '男', '汉族', '19900101', '河北省秦皇岛市', 'B' || CAST(h.id AS TEXT), '', '群众', false, false, false, '职员', '公司', 0, 0
FROM houses h WHERE h.{mine};
INSERT INTO people_houses (people_id, house_id, community_identifier, role, house_status, house_use, xingzhi, household_type, shouquan, charge, activated, created_at, updated_at)
SELECT p.id, h.id, h.community_identifier, '业主', '自用', '住宅', '私有', '业主', true, true, true, 0, 0
FROM houses h JOIN people p ON p.idcard = 'B' || CAST(h.id AS TEXT) WHERE h.{mine};
INSERT INTO reviews (user_id, community_identifier, house_id, binding_id, shenhe_type, content, status, house_introduction, action_introduction, refuse_reason, created_at, updated_at)
SELECT 1000000000 + ph.house_id, ph.community_identifier, ph.house_id, ph.id, '业主绑定', '{{}}', 1, '压测小区', '业主正在申请：业主绑定', NULL, 0, 0
FROM people_houses ph WHERE ph.{mine};
INSERT INTO reviews (user_id, community_identifier, house_id, binding_id, shenhe_type, content, status, house_introduction, action_introduction, refuse_reason, created_at, updated_at)
SELECT 2000000000 + h.id, h.community_identifier, h.id, NULL, '家属绑定', '{{}}', 2, '压测小区', '家属正在申请：家属绑定', NULL, h.id, h.id
FROM houses h WHERE h.{mine} AND h.id % 10 = 0;",
        communities_cte = range(communities),
        tree = address_tree_sql(mine, per_floor),
    )
}

/// Runs the registry benchmark and prints its figures.
pub async fn run(options: RegistryBenchOptions) -> anyhow::Result<()> {
    let fresh = FreshStack::start("registry", options.postgres.as_deref()).await?;
    let result = measure_stack(&fresh.stack, &options).await;
    let backend = fresh.backend();
    fresh.finish().await?;
    let (seconds, figures) = result?;
    println!(
        "seeded {} communities × {} houses = {} houses and people on {backend} in {seconds:.1} s",
        options.communities,
        options.houses_per_community,
        options.communities * options.houses_per_community
    );
    crate::bench::print(&figures);
    Ok(())
}

async fn measure_stack(
    stack: &Stack,
    options: &RegistryBenchOptions,
) -> anyhow::Result<(f64, Vec<Figures>)> {
    let started = Instant::now();
    let sql = seed_sql(options.communities, options.houses_per_community / 100);
    stack
        .yibiaosanshi_db
        .run(move |conn| -> Result<(), kit::db::DbError> {
            conn.batch_execute(&format!("BEGIN; {sql} COMMIT; ANALYZE;"))?;
            Ok(kit::db::statistics_changed(conn)?)
        })
        .await
        .context("seeding")?;
    kit::cache::announce(stack.cache.as_ref(), kit::cache::keys::COMMUNITIES).await;
    let seconds = started.elapsed().as_secs_f64();

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(options.concurrency)
        .timeout(Duration::from_secs(30))
        .build()?;
    let gateway = stack.gateway_url();
    let token = resident_token(&client, &gateway, &stack.sandbox_url).await?;
    let user_id = stack
        .auth_db
        .run(|conn| svc_auth::db::users::find_by_phone(conn, "13800138000"))
        .await?
        .context("bench user")?
        .id;
    let middle = format!("{}", 300_000 + (options.communities + 1) / 2);
    let community = middle.clone();
    let house: i64 = stack
        .yibiaosanshi_db
        .run(move |conn| -> Result<i64, kit::db::DbError> {
            use diesel::prelude::*;
            use svc_yibiaosanshi::db::schema::houses;
            let house = houses::table
                .filter(houses::community_identifier.eq(&community))
                .select(diesel::dsl::min(houses::id))
                .first::<Option<i64>>(conn)?
                .unwrap_or_default();
            conn.batch_execute(&format!(
                "UPDATE people SET user_id = {user_id} WHERE idcard = 'B{house}'"
            ))?;
            Ok(house)
        })
        .await?;
    svc_auth::actions::admin::create_credential(
        &stack.auth_db,
        "bench-platform",
        "bench-secret",
        "压测平台",
        std::slice::from_ref(&middle),
    )
    .await?;
    let platform = platform_token(&client, &gateway, "bench-platform", "bench-secret").await?;

    let mut figures = Vec::new();
    let (c, url, t) = (
        client.clone(),
        format!("{gateway}/api/v1/user/housesList"),
        token.clone(),
    );
    figures.push(
        measure(
            "POST /api/v1/user/housesList",
            options.requests,
            options.concurrency,
            move |_| {
                let (c, url, t) = (c.clone(), url.clone(), t.clone());
                async move { post_ok(&c, &url, Some(&t), json!({})).await }
            },
        )
        .await,
    );
    let (c, url, t) = (
        client.clone(),
        format!("{gateway}/api/v1/house/detail"),
        token.clone(),
    );
    figures.push(
        measure(
            "POST /api/v1/house/detail",
            options.requests,
            options.concurrency,
            move |_| {
                let (c, url, t) = (c.clone(), url.clone(), t.clone());
                async move { post_ok(&c, &url, Some(&t), json!({"id": house})).await }
            },
        )
        .await,
    );
    let (c, url) = (client.clone(), format!("{gateway}/api/v1/wjdh/shenheList"));
    let pages = (options.houses_per_community / 10 / 20).max(1);
    figures.push(
        measure(
            "POST /api/v1/wjdh/shenheList (pending, 20/page)",
            options.requests,
            options.concurrency,
            move |i| {
                let (c, url, t, community) =
                    (c.clone(), url.clone(), platform.clone(), middle.clone());
                let page = i64::try_from(i).unwrap_or(0) % pages + 1;
                async move {
                    post_ok(
                        &c,
                        &url,
                        Some(&t),
                        json!({"community_identifier": community, "status": 2, "page": page}),
                    )
                    .await
                }
            },
        )
        .await,
    );
    Ok((seconds, figures))
}
