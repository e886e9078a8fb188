//! `wjdh bench-rental`: the map search (/api/v1/rental/search_house) over N published listings
//! spread over a city (latitude 31.00–31.45, longitude 121.20–121.70, about 50 × 47 km around
//! Shanghai), measured at random points of the city with a 3 km radius, a rent range and a room
//! type, for each of the six sorts.
use std::time::{Duration, Instant};

use anyhow::Context;
use diesel::connection::SimpleConnection;
use serde_json::json;

use crate::bench::FreshStack;
use crate::bench::{Figures, measure, post_ok, resident_token};
use crate::stack::Stack;

/// Options of `wjdh bench-rental`.
#[derive(Debug, Clone, clap::Args)]
pub struct RentalBenchOptions {
    /// Published listings seeded over the city.
    #[arg(long, default_value_t = 10_000)]
    pub listings: i64,
    /// Requests per sort.
    #[arg(long, default_value_t = 1000)]
    pub requests: usize,
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// A PostgreSQL admin URL: run on fresh PostgreSQL databases instead of SQLite files.
    #[arg(long)]
    pub postgres: Option<String>,
    /// Measure only the sorts whose label holds this text (e.g. `newest`), to profile one.
    #[arg(long)]
    pub only: Option<String>,
}

/// The city's south-west corner and its extent, in degrees.
const LAT_MIN: f64 = 31.0;
const LON_MIN: f64 = 121.2;
const LAT_SPAN: f64 = 0.45;
const LON_SPAN: f64 = 0.5;

/// Seed 004's six sorts as the API numbers them, with a label.
const SORTS: [(i64, &str); 6] = [
    (1, "distance"),
    (2, "newest"),
    (3, "attention"),
    (4, "rent ascending"),
    (5, "rent descending"),
    (6, "size ascending"),
];

/// Portable seeding SQL: listing n's coordinates, rent, size and kinds come from multiplicative
/// hashes of n modulo primes, so the city fills evenly and every run seeds the same rows.
/// Coordinates are whole hundred-thousandths of a degree (`u` north, `v` east of the corner).
pub(crate) fn seed_sql(listings: i64) -> String {
    let u = "(n * 40503 % 45007)";
    let v = "(n * 65537 % 50021)";
    format!(
        "WITH RECURSIVE seq(n) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT n + 1 FROM seq WHERE n < {listings})
INSERT INTO rental_listings (owner_id, community_identifier, community_house_id, house_introduction, status, reason, platform_hold, owner_verified, longitude, latitude, house_rent_fen, house_size, house_type, rent_time_type, rent_room_type, house_source, house_rooms, description_title, details, praise_count, view_count, created_at, updated_at, released_at, submitted_at)
SELECT 1000000 + n % 1000, '10002', n, '压测小区1栋1单元', 1, '', false, true,
  {LON_MIN} + {v} * 0.00001, {LAT_MIN} + {u} * 0.00001,
  100000 + (n * 7919 % 901) * 1000, 20 + n * 31 % 131, '两室一厅', 1 + (n / 7) % 2, 1 + (n / 3) % 2, 1, 1 + n % 4,
  '压测房源' || CAST(n AS TEXT), '{{}}', n * 37 % 53, n * 17 % 1009, n, n, 1760000000 + n * 7879 % 8000009, n
FROM seq;"
    )
}

/// Runs the benchmark and prints its figures.
pub async fn run(options: RentalBenchOptions) -> anyhow::Result<()> {
    let fresh = FreshStack::start("rental", options.postgres.as_deref()).await?;
    let result = measure_stack(&fresh.stack, &options).await;
    let backend = fresh.backend();
    fresh.finish().await?;
    let (seconds, figures) = result?;
    println!(
        "seeded {} published listings over the city on {backend} in {seconds:.1} s",
        options.listings
    );
    crate::bench::print(&figures);
    Ok(())
}

/// A point of the city for request `i`: deterministic, spread like the listings.
fn point(i: usize) -> (f64, f64) {
    let i = i as u64 + 1;
    let lat = (i.wrapping_mul(2_654_435_761) % 100_003) as f64 / 100_003.0;
    let lon = (i.wrapping_mul(40_503) % 99_991) as f64 / 99_991.0;
    (LAT_MIN + lat * LAT_SPAN, LON_MIN + lon * LON_SPAN)
}

async fn measure_stack(
    stack: &Stack,
    options: &RentalBenchOptions,
) -> anyhow::Result<(f64, Vec<Figures>)> {
    let started = Instant::now();
    let sql = seed_sql(options.listings);
    stack
        .community_db
        .run(move |conn| -> Result<(), kit::db::DbError> {
            conn.batch_execute(&format!("BEGIN; {sql} COMMIT;"))?;
            crate::bench::settle_tables(conn, &["rental_listings"])
        })
        .await
        .context("seeding")?;
    let seconds = started.elapsed().as_secs_f64();
    let plans = stack
        .community_db
        .run(
            |conn| -> Result<Vec<(&str, Vec<String>)>, kit::db::DbError> {
                let postgres = matches!(conn, kit::db::AnyConnection::Postgresql(_));
                search_shapes(postgres)
                    .into_iter()
                    .map(|(shape, query)| Ok((shape, explain(conn, &query)?)))
                    .collect()
            },
        )
        .await
        .context("explaining the search")?;
    for (shape, plan) in plans {
        println!("plan of the {shape} read: {}", plan.join(" / "));
    }

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(options.concurrency)
        .timeout(Duration::from_secs(30))
        .build()?;
    let gateway = stack.gateway_url();
    let token = resident_token(&client, &gateway, &stack.sandbox_url).await?;
    let url = format!("{gateway}/api/v1/rental/search_house");
    let body = move |i: usize, sort: i64| {
        let (latitude, longitude) = point(i);
        json!({
            "longitude": longitude, "latitude": latitude, "radius": 3,
            "house_rent_fee": "[2000,6000]", "house_rent_room_type": "1",
            "sort": sort, "count": 20,
        })
    };
    // One request shows the answer holds rows, so a refusal cannot pass for speed.
    let first = client
        .post(&url)
        .bearer_auth(&token)
        .json(&body(0, 1))
        .send()
        .await?
        .json::<serde_json::Value>()
        .await?;
    anyhow::ensure!(first["code"] == 0, "search failed: {first}");
    for (sort, label) in SORTS {
        let found = client
            .post(&url)
            .bearer_auth(&token)
            .json(&body(0, sort))
            .send()
            .await?
            .json::<serde_json::Value>()
            .await?;
        let rows = found["data"].as_array().map_or(0, Vec::len);
        println!("the first point finds {rows} listings sorted by {label}");
    }

    let mut figures = Vec::new();
    let wanted = |label: &str| options.only.as_deref().is_none_or(|o| label.contains(o));
    for (sort, label) in SORTS.into_iter().filter(|(_, label)| wanted(label)) {
        let (c, url, t) = (client.clone(), url.clone(), token.clone());
        figures.push(
            measure(
                &format!("search_house 3 km, {label}"),
                options.requests,
                options.concurrency,
                move |i| {
                    let (c, url, t) = (c.clone(), url.clone(), t.clone());
                    let body = body(i, sort);
                    async move { post_ok(&c, &url, Some(&t), body).await }
                },
            )
            .await,
        );
    }
    Ok((seconds, figures))
}

/// The map search's statements at the city's centre, as svc-community writes them (3 km box,
/// the measured filters), one per shape: the planner's choice at this size is printed, so a
/// plan that walks the wrong index or sorts the box shows next to the figures.
fn search_shapes(postgres: bool) -> Vec<(&'static str, String)> {
    use svc_community::db::rental::{
        MAP_BAND_SQL, POSTGRES_WRITES, SQLITE_WRITES, Written, band_written, ties_written,
    };
    let (lat, lon) = (LAT_MIN + LAT_SPAN / 2.0, LON_MIN + LON_SPAN / 2.0);
    let (dlat, dlon) = (0.027, 0.032);
    let written = if postgres {
        POSTGRES_WRITES
    } else {
        SQLITE_WRITES
    };
    // The box is left out where a cell's read leaves it to the distance (`box_in_cell`).
    let filters = |w: Written, boxed: bool| {
        let area = if boxed {
            format!(
                "{} BETWEEN {} AND {} AND {} BETWEEN {} AND {} AND ",
                w.latitude,
                lat - dlat,
                lat + dlat,
                w.longitude,
                lon - dlon,
                lon + dlon,
            )
        } else {
            String::new()
        };
        format!(
            "status = 1 AND {area}rent_room_type IN (1) AND {} >= 200000 AND {} <= 600000",
            w.rent, w.rent
        )
    };
    let sorted = filters(written, written.box_in_cell);
    // A 3 km search reads its box's cells one by one: the centre's.
    let cell = svc_community::domain::rental::map_cell(lat, lon);
    let low = ((lat - dlat) * 1000.0).floor() as i64 + 100_000 - 1;
    let high = ((lat + dlat) * 1000.0).floor() as i64 + 100_000 + 1;
    let bands: Vec<String> = (low..=high).map(|b| b.to_string()).collect();
    let select = "SELECT id, latitude, longitude, released_at, praise_count, view_count, \
                  house_rent_fen, house_size FROM rental_listings WHERE";
    let rent = "house_rent_fen >= 200000 AND house_rent_fen <= 600000";
    let ordered = |key: &str, direction: &str| {
        let own = if key == "house_rent_fen" {
            rent
        } else {
            "1 = 1"
        };
        format!(
            "{select} {sorted} AND {own} AND map_cell = {cell} AND {key} IS NOT NULL \
             ORDER BY {key} {direction} LIMIT 38"
        )
    };
    vec![
        (
            "distance",
            format!(
                "{select} {} AND {MAP_BAND_SQL} IN ({})",
                filters(band_written(written), true),
                bands.join(", ")
            ),
        ),
        ("newest", ordered("released_at", "DESC")),
        ("attention", ordered("(praise_count + view_count)", "DESC")),
        ("rent ascending", ordered("house_rent_fen", "ASC")),
        ("rent descending", ordered("house_rent_fen", "DESC")),
        ("size ascending", ordered("house_size", "ASC")),
        (
            "a rent's ties",
            format!(
                "{select} {} AND {rent} AND map_cell = {cell} AND house_rent_fen = 300000",
                filters(ties_written(written), written.box_in_cell)
            ),
        ),
    ]
}

/// `EXPLAIN` (PostgreSQL) or `EXPLAIN QUERY PLAN` (SQLite) of `query`, one line per step.
fn explain(
    conn: &mut kit::db::AnyConnection,
    query: &str,
) -> Result<Vec<String>, kit::db::DbError> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct PgLine {
        #[diesel(sql_type = diesel::sql_types::Text)]
        #[diesel(column_name = "QUERY PLAN")]
        plan: String,
    }
    Ok(match conn {
        kit::db::AnyConnection::Postgresql(_) => diesel::sql_query(format!("EXPLAIN {query}"))
            .load::<PgLine>(conn)?
            .into_iter()
            .map(|l| l.plan)
            .collect(),
        kit::db::AnyConnection::Sqlite(_) => kit::db::sqlite_plan(conn, query)?,
    })
}
