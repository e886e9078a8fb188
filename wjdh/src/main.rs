//! `wjdh`: run the whole platform on the embedded default, or operate it.
use anyhow::Context;
use clap::{Parser, Subcommand};

kit::jemalloc!();

#[derive(Parser)]
#[command(
    name = "wjdh",
    about = "万家灯火: the whole platform in one process, and operator commands"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Start sandbox, services and gateway (the default).
    Run,
    /// Manage the security platform's credentials (in svc-auth's database).
    Credentials {
        #[command(subcommand)]
        action: CredentialAction,
    },
    /// Import or export a community's address tree (CSV, one row per house).
    Addresses {
        #[command(subcommand)]
        action: AddressAction,
    },
    /// Load benchmark: login and a token-protected call against a bare actix handler.
    Bench(wjdh::bench::BenchOptions),
    /// Scale benchmark of the 一标三实 read paths (house list, house detail, review list).
    BenchRegistry(wjdh::bench_registry::RegistryBenchOptions),
    /// Benchmark of the announcement list and the repair list at 100,000 repairs.
    BenchCommunity(wjdh::bench_community::CommunityBenchOptions),
    /// Benchmark of order creation and of the resident's and platform's order lists at 100,000 orders.
    BenchOrders(wjdh::bench_orders::OrdersBenchOptions),
    /// Benchmark of the rental map search, each sort, over N listings spread over a city.
    BenchRental(wjdh::bench_rental::RentalBenchOptions),
    /// Benchmark of viewing fees paid end to end (ask, pay by Alipay or WeChat Pay, notified, applied).
    BenchViewings(wjdh::bench_viewings::ViewingsBenchOptions),
    /// Every resident and platform read path and the writes, each beside the limit a one-hop
    /// read reaches on the same stack (probes measured in the same run), at `--scale` rows.
    BenchPaths(wjdh::bench_paths::PathsBenchOptions),
}

#[derive(Subcommand)]
enum CredentialAction {
    /// Create a credential managing the given communities.
    Create {
        #[arg(long)]
        secret_id: String,
        /// The secret; read from WJDH_SECRET_KEY when omitted, so it stays out of shell history.
        #[arg(long, env = "WJDH_SECRET_KEY", hide_env_values = true)]
        secret_key: String,
        #[arg(long, default_value = "")]
        name: String,
        /// Community identifiers, comma-separated (e.g. 10002,10003).
        #[arg(long, value_delimiter = ',', required = true)]
        communities: Vec<String>,
    },
    /// Revoke a credential: its tokens stop working at once.
    Revoke {
        #[arg(long)]
        secret_id: String,
    },
    /// List credentials (never their secrets).
    List,
}

#[derive(Subcommand)]
enum AddressAction {
    /// Load a CSV file in one transaction (idempotent); bad rows are reported by line and nothing is loaded.
    Import {
        #[arg(long)]
        file: std::path::PathBuf,
    },
    /// Write a community's tree in the import format (to stdout, or --file).
    Export {
        #[arg(long)]
        community: String,
        #[arg(long)]
        file: Option<std::path::PathBuf>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let platform: kit::settings::Platform = kit::settings::load()?;
    let _telemetry = kit::telemetry::init("wjdh", &platform.telemetry);
    match cli.command.unwrap_or(Command::Run) {
        Command::Run => run().await,
        Command::Credentials { action } => credentials(action).await,
        Command::Addresses { action } => addresses(action).await,
        Command::Bench(options) => wjdh::bench::run(options).await,
        Command::BenchRegistry(options) => wjdh::bench_registry::run(options).await,
        Command::BenchCommunity(options) => wjdh::bench_community::run(options).await,
        Command::BenchOrders(options) => wjdh::bench_orders::run(options).await,
        Command::BenchRental(options) => wjdh::bench_rental::run(options).await,
        Command::BenchViewings(options) => wjdh::bench_viewings::run(options).await,
        Command::BenchPaths(options) => wjdh::bench_paths::run(options).await,
    }
}

async fn run() -> anyhow::Result<()> {
    let stack = wjdh::stack::Stack::start(wjdh::stack::StackOptions::default()).await?;
    println!("万家灯火 is running (cache: {})", stack.cache.kind());
    println!(
        "  gateway           {}  (OpenAPI: {}/api/openapi.json, docs: {}/api/docs/)",
        stack.gateway_url(),
        stack.gateway_url(),
        stack.gateway_url()
    );
    println!("  sandbox           {}", stack.sandbox_url);
    println!("  svc-auth          grpc://{}", stack.auth);
    println!("  svc-yibiaosanshi  grpc://{}", stack.yibiaosanshi);
    println!("  svc-orders        grpc://{}", stack.orders);
    println!("  svc-community     grpc://{}", stack.community);
    println!("  demo credentials  123456/123456 (10002), jyl-demo/jyl-demo-secret (10003)");
    println!(
        "  SANDBOX SETUP     simulated outside world, development secrets, loopback only: \
         never production"
    );
    println!("Ctrl-C stops.");
    stack.run_until_signal().await;
    Ok(())
}

async fn credentials(action: CredentialAction) -> anyhow::Result<()> {
    let settings: svc_auth::config::Settings = kit::settings::load()?;
    let db = kit::db::Database::connect(&settings.auth.database_url, 2, &svc_auth::db::MIGRATIONS)
        .await
        .context("opening svc-auth's database")?;
    match action {
        CredentialAction::Create {
            secret_id,
            secret_key,
            name,
            communities,
        } => {
            svc_auth::actions::admin::create_credential(
                &db,
                &secret_id,
                &secret_key,
                &name,
                &communities,
            )
            .await?;
            println!("created {secret_id} managing {}", communities.join(","));
        }
        CredentialAction::Revoke { secret_id } => {
            let cache = kit::cache::connect(&settings.cache)?;
            let ttl = settings.tokens.access_ttl_seconds;
            if svc_auth::actions::admin::revoke_credential(&db, &cache, &secret_id, ttl).await? {
                println!("revoked {secret_id}");
            } else {
                anyhow::bail!("no live credential {secret_id}");
            }
        }
        CredentialAction::List => {
            for credential in svc_auth::actions::admin::list_credentials(&db).await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    credential.secret_id,
                    credential.communities.join(","),
                    if credential.revoked {
                        "revoked"
                    } else {
                        "active"
                    },
                    credential.name
                );
            }
        }
    }
    Ok(())
}

async fn addresses(action: AddressAction) -> anyhow::Result<()> {
    use svc_yibiaosanshi::actions::addresses::import;
    use svc_yibiaosanshi::domain::address_csv::parse_csv;
    let platform: kit::settings::Platform = kit::settings::load()?;
    let db = kit::db::Database::connect(
        &platform.yibiaosanshi.database_url,
        2,
        &svc_yibiaosanshi::db::MIGRATIONS,
    )
    .await
    .context("opening svc-yibiaosanshi's database")?;
    match action {
        AddressAction::Import { file } => {
            let input = std::fs::File::open(&file)
                .with_context(|| format!("opening {}", file.display()))?;
            let rows = match parse_csv(input) {
                Ok(rows) => rows,
                Err(errors) => {
                    for error in &errors {
                        eprintln!("{}: {error}", file.display());
                    }
                    anyhow::bail!("{} bad rows; nothing was imported", errors.len());
                }
            };
            let bar = indicatif::ProgressBar::new(rows.len() as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} houses {elapsed}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let progress = bar.clone();
            let summary =
                import::import(&db, rows, move |done| progress.set_position(done)).await?;
            bar.finish();
            // A gateway sharing this cache (Redis) serves the new list at once; one that does
            // not, within a minute.
            let cache = kit::cache::connect(&platform.cache)?;
            kit::cache::announce(cache.as_ref(), kit::cache::keys::COMMUNITIES).await;
            println!(
                "created {} communities, {} buildings, {} units, {} floors, {} houses",
                summary.communities,
                summary.buildings,
                summary.units,
                summary.floors,
                summary.houses
            );
        }
        AddressAction::Export { community, file } => {
            let csv = import::export(&db, &community).await?;
            match file {
                Some(path) => std::fs::write(&path, csv)
                    .with_context(|| format!("writing {}", path.display()))?,
                None => print!("{csv}"),
            }
        }
    }
    Ok(())
}
