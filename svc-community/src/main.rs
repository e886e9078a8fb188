//! svc-community: `serve` (default) or `migrate`.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    kit::service::health_only_main(
        "svc-community",
        |platform| &platform.community,
        &svc_community::db::MIGRATIONS,
    )
    .await
}
