//! `wjdh bench-viewings`: viewing fees paid per second end to end — a seeker asks to view a
//! published listing (`/order/create_preorder`), opens the payment (Alipay's page through
//! `/order/get_preorder_paymenturl`, or WeChat Pay's `/order/pay_preorder`), the payer pays in
//! the sandbox, and the provider's notification comes back to the gateway and is applied: one
//! operation ends when the provider heard our `success`.
use std::time::Duration;

use anyhow::Context;
use diesel::connection::SimpleConnection;
use serde_json::{Value, json};

use crate::bench::{FreshStack, measure, resident_token};
use crate::stack::Stack;

/// Options of `wjdh bench-viewings`.
#[derive(Debug, Clone, clap::Args)]
pub struct ViewingsBenchOptions {
    /// Fees paid through each provider (each on a listing of its own).
    #[arg(long, default_value_t = 500)]
    pub requests: usize,
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// A PostgreSQL admin URL: run on fresh PostgreSQL databases instead of SQLite files.
    #[arg(long)]
    pub postgres: Option<String>,
}

/// Runs the benchmark and prints its figures.
pub async fn run(options: ViewingsBenchOptions) -> anyhow::Result<()> {
    let fresh = FreshStack::start("viewings", options.postgres.as_deref()).await?;
    let result = measure_stack(&fresh.stack, &options).await;
    fresh.finish().await?;
    crate::bench::print(&result?);
    Ok(())
}

/// A seeded listing: its id and its landlord.
#[derive(diesel::Queryable)]
pub(crate) struct Listing {
    pub id: i64,
    pub owner_id: i64,
}

/// `listings` published listings seeded in svc-community's database, in id order: those it
/// seeded, not those seeded before.
pub(crate) async fn seed_listings(stack: &Stack, listings: i64) -> anyhow::Result<Vec<Listing>> {
    let sql = crate::bench_rental::seed_sql(listings);
    stack
        .community_db
        .run(move |conn| -> Result<Vec<Listing>, kit::db::DbError> {
            use diesel::prelude::*;
            use svc_community::db::schema::rental_listings;
            let before: Option<i64> = rental_listings::table
                .select(diesel::dsl::max(rental_listings::id))
                .first(conn)?;
            conn.batch_execute(&format!("BEGIN; {sql} COMMIT;"))?;
            crate::bench::settle_tables(conn, &["rental_listings"])?;
            Ok(rental_listings::table
                .filter(rental_listings::id.gt(before.unwrap_or(0)))
                .order(rental_listings::id.asc())
                .select((rental_listings::id, rental_listings::owner_id))
                .load(conn)?)
        })
        .await
        .context("seeding listings")
}

/// One viewing fee asked for and paid through Alipay or WeChat Pay: the sandbox's answer to the
/// payment (`delivered`; with `hand_over`, the `notification` it did not post).
pub(crate) async fn pay_viewing(
    client: &reqwest::Client,
    (gateway, sandbox): (&str, &str),
    token: &str,
    listing: &Listing,
    alipay: bool,
    hand_over: bool,
) -> anyhow::Result<Value> {
    let post = |url: String, body: Value| {
        let request = client.post(url).bearer_auth(token).json(&body);
        async move { anyhow::Ok(request.send().await?.json::<Value>().await?) }
    };
    let asked = post(
        format!("{gateway}/api/v1/rental/order/create_preorder"),
        json!({"owner_id": listing.owner_id, "house_id": listing.id}),
    )
    .await?;
    let id = asked["data"].as_i64().with_context(|| format!("{asked}"))?;
    let (path, body) = if alipay {
        let page = post(
            format!("{gateway}/api/v1/rental/order/get_preorder_paymenturl"),
            json!({"pre_order_id": id, "return_url": "https://m.example.com/paid"}),
        )
        .await?;
        let url = page["data"]["payment_url"]
            .as_str()
            .with_context(|| format!("{page}"))?;
        client.get(url).send().await?.error_for_status()?;
        ("alipay/pay", json!({"out_trade_no": format!("KF{id:012}")}))
    } else {
        let params = post(
            format!("{gateway}/api/v1/rental/order/pay_preorder"),
            json!({ "pre_order_id": id }),
        )
        .await?;
        let package = params["data"]["package"]
            .as_str()
            .with_context(|| format!("{params}"))?;
        (
            "wxpay/pay",
            json!({"prepay_id": package.trim_start_matches("prepay_id=")}),
        )
    };
    sandbox_pays(client, sandbox, path, body, hand_over).await
}

/// The payer pays in the sandbox (`wxpay/pay` with `{"prepay_id"}`, `alipay/pay` with
/// `{"out_trade_no"}`), which notifies us or, with `hand_over`, answers the notification it did
/// not post: the helper's answer.
pub(crate) async fn sandbox_pays(
    client: &reqwest::Client,
    sandbox: &str,
    path: &str,
    mut body: Value,
    hand_over: bool,
) -> anyhow::Result<Value> {
    body["hand_over"] = json!(hand_over);
    Ok(client
        .post(format!("{sandbox}/{path}"))
        .json(&body)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?)
}

async fn measure_stack(
    stack: &Stack,
    options: &ViewingsBenchOptions,
) -> anyhow::Result<Vec<crate::bench::Figures>> {
    let listings = i64::try_from(options.requests * 2)?;
    let seeded = seed_listings(stack, listings).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(options.concurrency)
        .timeout(Duration::from_secs(30))
        .build()?;
    let gateway = stack.gateway_url();
    let sandbox = stack.sandbox_url.clone();
    let token = resident_token(&client, &gateway, &sandbox).await?;
    let seeded = std::sync::Arc::new(seeded);
    let mut figures = Vec::new();
    for (half, (name, alipay)) in [
        ("viewing fee by Alipay, end to end", true),
        ("viewing fee by WeChat Pay, end to end", false),
    ]
    .into_iter()
    .enumerate()
    {
        let (c, g, s, t, l) = (
            client.clone(),
            gateway.clone(),
            sandbox.clone(),
            token.clone(),
            seeded.clone(),
        );
        let offset = half * options.requests;
        figures.push(
            measure(name, options.requests, options.concurrency, move |i| {
                let (c, g, s, t, l) = (c.clone(), g.clone(), s.clone(), t.clone(), l.clone());
                async move {
                    match l.get(offset + i) {
                        Some(listing) => pay_viewing(&c, (&g, &s), &t, listing, alipay, false)
                            .await
                            .is_ok_and(|paid| paid["delivered"] == true),
                        None => false,
                    }
                }
            })
            .await,
        );
    }
    Ok(figures)
}
