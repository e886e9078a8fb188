//! svc-yibiaosanshi: `serve` (default) or `migrate`.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    kit::service::health_only_main(
        "svc-yibiaosanshi",
        |platform| &platform.yibiaosanshi,
        &svc_yibiaosanshi::db::MIGRATIONS,
    )
    .await
}
