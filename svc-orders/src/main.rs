//! svc-orders: `serve` (default) or `migrate`.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    kit::service::health_only_main(
        "svc-orders",
        |platform| &platform.orders,
        &svc_orders::db::MIGRATIONS,
    )
    .await
}
