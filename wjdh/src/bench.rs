//! `wjdh bench`: requests/s and latency percentiles of the login call and of a token-protected
//! call through the gateway, next to a bare actix JSON handler measured in the same run.
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{Value, json};

use crate::stack::{Stack, StackOptions};

/// Options of `wjdh bench`.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchOptions {
    /// Requests per scenario.
    #[arg(long, default_value_t = 2000)]
    pub requests: usize,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
}

/// What one scenario measured.
#[derive(Debug, Clone)]
pub struct Figures {
    pub name: String,
    pub requests: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub failures: usize,
}

pub(crate) fn percentile(sorted: &[Duration], fraction: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

/// Runs `requests` calls of `call` with `concurrency` in flight; `call(i)` answers success.
pub(crate) async fn measure<F, Fut>(
    name: &str,
    requests: usize,
    concurrency: usize,
    call: F,
) -> Figures
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send,
{
    let call = Arc::new(call);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency.max(1) {
        let (call, next) = (call.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0;
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= requests {
                    break;
                }
                let begun = Instant::now();
                if !call(i).await {
                    failures += 1;
                }
                latencies.push(begun.elapsed());
            }
            (latencies, failures)
        }));
    }
    let mut latencies = Vec::with_capacity(requests);
    let mut failures = 0;
    for worker in workers {
        if let Ok((mut done, failed)) = worker.await {
            latencies.append(&mut done);
            failures += failed;
        }
    }
    let elapsed = started.elapsed().as_secs_f64().max(f64::EPSILON);
    latencies.sort();
    Figures {
        name: name.to_owned(),
        requests,
        per_second: latencies.len() as f64 / elapsed,
        p50_ms: percentile(&latencies, 0.50),
        p99_ms: percentile(&latencies, 0.99),
        failures,
    }
}

async fn bare_actix() -> anyhow::Result<(String, actix_web::dev::ServerHandle)> {
    use actix_web::{App, HttpResponse, HttpServer, web};
    let server = HttpServer::new(|| {
        App::new().route(
            "/bare",
            web::post().to(|| async { HttpResponse::Ok().json(json!({"code": 0, "msg": "ok"})) }),
        )
    })
    .workers(2)
    .disable_signals()
    .bind("127.0.0.1:0")?;
    let addr = server
        .addrs()
        .first()
        .copied()
        .context("bare server address")?;
    let server = server.run();
    let handle = server.handle();
    tokio::spawn(server);
    Ok((format!("http://{addr}/bare"), handle))
}

pub(crate) async fn post_ok(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    body: Value,
) -> bool {
    let mut request = client.post(url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    match request.send().await {
        Ok(response) => response
            .json::<Value>()
            .await
            .is_ok_and(|body| body["code"] == 0),
        Err(_) => false,
    }
}

/// Registers one resident through the sandbox and returns their token.
pub(crate) async fn resident_token(
    client: &reqwest::Client,
    gateway: &str,
    sandbox: &str,
) -> anyhow::Result<String> {
    resident_token_for(client, gateway, sandbox, "bench-openid", "13800138000").await
}

/// Registers the WeChat user `openid` with `phone` through the sandbox and returns their token.
pub(crate) async fn resident_token_for(
    client: &reqwest::Client,
    gateway: &str,
    sandbox: &str,
    openid: &str,
    phone: &str,
) -> anyhow::Result<String> {
    let session: Value = client
        .post(format!("{gateway}/api/v1/weapp/code"))
        .json(&json!({"code": format!("sandbox:{openid}")}))
        .send()
        .await?
        .json()
        .await?;
    let encrypted: Value = client
        .post(format!("{sandbox}/wechat/encrypt-phone"))
        .json(&json!({"openid": openid, "phone": phone}))
        .send()
        .await?
        .json()
        .await?;
    let login: Value = client
        .post(format!("{gateway}/api/v1/weapp/users"))
        .json(&json!({
            "type": "weixin",
            "encryptedData": encrypted["encryptedData"],
            "iv": encrypted["iv"],
            "openid": session["openid"],
            "session_key": session["session_key"],
            "name": "bench",
            "avatar": "https://example.com/a.png",
        }))
        .send()
        .await?
        .json()
        .await?;
    login["access_token"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("registration failed: {login}"))
}

/// Imports the resident's houses in `community` from the security platform (000 §2.4.1 with
/// the SMS code the sandbox received for `phone`).
pub(crate) async fn import_houses(
    client: &reqwest::Client,
    gateway: &str,
    sandbox: &str,
    token: &str,
    phone: &str,
    community: &str,
) -> anyhow::Result<()> {
    let sent: Value = client
        .post(format!("{gateway}/api/v1/verificationCodes/phone"))
        .json(&json!({"phone": phone, "type": "verify"}))
        .send()
        .await?
        .json()
        .await?;
    let messages: Vec<Value> = client
        .get(format!("{sandbox}/sms/messages"))
        .query(&[("phone", phone)])
        .send()
        .await?
        .json()
        .await?;
    let code = messages
        .last()
        .and_then(|m| m["code"].as_str())
        .context("sms code")?;
    let imported: Value = client
        .post(format!("{gateway}/api/v1/security/phone"))
        .bearer_auth(token)
        .json(&json!({"verification_key": sent["key"], "verification_code": code, "id": community}))
        .send()
        .await?
        .json()
        .await?;
    anyhow::ensure!(imported["code"] == 0, "import failed: {imported}");
    Ok(())
}

/// A platform token for the credential `secret_id`.
pub(crate) async fn platform_token(
    client: &reqwest::Client,
    gateway: &str,
    secret_id: &str,
    secret_key: &str,
) -> anyhow::Result<String> {
    let answer: Value = client
        .post(format!("{gateway}/api/v1/wjdh/secret"))
        .json(&json!({"secret_id": secret_id, "secret_key": secret_key}))
        .send()
        .await?
        .json()
        .await?;
    answer["access_token"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("platform token: {answer}"))
}

/// Starts a stack with its own data directory and prints the figures.
pub async fn run(options: BenchOptions) -> anyhow::Result<()> {
    let data = std::env::temp_dir().join(format!("wjdh-bench-{}", std::process::id()));
    let url = |name: &str| format!("sqlite://{}/{name}.db", data.display());
    let mut overrides = vec![
        (
            "gateway.rate_limit_per_minute".to_owned(),
            "100000000".to_owned(),
        ),
        ("auth.database_url".to_owned(), url("auth")),
        ("yibiaosanshi.database_url".to_owned(), url("yibiaosanshi")),
        ("orders.database_url".to_owned(), url("orders")),
        ("community.database_url".to_owned(), url("community")),
    ];
    overrides.retain(|(key, _)| {
        std::env::var(format!("WJDH__{}", key.replace('.', "__").to_uppercase())).is_err()
    });
    let stack = Stack::start(StackOptions {
        overrides,
        ephemeral_ports: true,
    })
    .await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(options.concurrency)
        .timeout(Duration::from_secs(10))
        .build()?;
    let gateway = stack.gateway_url();
    let token = resident_token(&client, &gateway, &stack.sandbox_url).await?;
    let (bare_url, bare_handle) = bare_actix().await?;

    let mut results = Vec::new();
    let c = client.clone();
    results.push(
        measure(
            "bare actix JSON handler",
            options.requests,
            options.concurrency,
            move |_| {
                let (c, url) = (c.clone(), bare_url.clone());
                async move { post_ok(&c, &url, None, json!({})).await }
            },
        )
        .await,
    );
    let (c, url) = (
        client.clone(),
        format!("{gateway}/api/v1/weapp/authorizations"),
    );
    results.push(
        measure("POST /api/v1/weapp/authorizations", options.requests, options.concurrency, move |_| {
            let (c, url) = (c.clone(), url.clone());
            async move { post_ok(&c, &url, None, json!({"code": "sandbox:bench-openid"})).await }
        })
        .await,
    );
    let (c, url) = (
        client.clone(),
        format!("{gateway}/api/v1/people/permissions"),
    );
    results.push(
        measure(
            "POST /api/v1/people/permissions (token)",
            options.requests,
            options.concurrency,
            move |_| {
                let (c, url, token) = (c.clone(), url.clone(), token.clone());
                async move { post_ok(&c, &url, Some(&token), json!({})).await }
            },
        )
        .await,
    );
    bare_handle.stop(true).await;
    stack.stop().await;
    let _ = std::fs::remove_dir_all(&data);

    print(&results);
    Ok(())
}

/// Prints one row per scenario.
pub(crate) fn print(results: &[Figures]) {
    println!(
        "{:<42} {:>8} {:>10} {:>9} {:>9} {:>8}",
        "scenario", "requests", "req/s", "p50 ms", "p99 ms", "failed"
    );
    for figures in results {
        println!(
            "{:<42} {:>8} {:>10.0} {:>9.2} {:>9.2} {:>8}",
            figures.name,
            figures.requests,
            figures.per_second,
            figures.p50_ms,
            figures.p99_ms,
            figures.failures
        );
    }
}

/// A stack on databases of its own (SQLite files in a temporary directory, or fresh PostgreSQL
/// databases next to an admin URL), torn down with [`FreshStack::finish`].
pub(crate) struct FreshStack {
    pub stack: Stack,
    data: std::path::PathBuf,
    postgres: Option<String>,
    databases: Vec<String>,
}

impl FreshStack {
    pub async fn start(label: &str, postgres: Option<&str>) -> anyhow::Result<Self> {
        let run = std::process::id();
        let data = std::env::temp_dir().join(format!("wjdh-bench-{label}-{run}"));
        let mut overrides = vec![(
            "gateway.rate_limit_per_minute".to_owned(),
            "100000000".to_owned(),
        )];
        let mut databases = Vec::new();
        for service in ["auth", "yibiaosanshi", "orders", "community"] {
            let url = match postgres {
                Some(admin) => {
                    let name = format!("wjdh_bench_{label}{run}_{service}");
                    databases.push(name.clone());
                    kit::db::create_postgres_database(admin, &name)?
                }
                None => format!("sqlite://{}/{service}.db", data.display()),
            };
            overrides.push((format!("{service}.database_url"), url));
        }
        let stack = Stack::start(StackOptions {
            overrides,
            ephemeral_ports: true,
        })
        .await?;
        Ok(Self {
            stack,
            data,
            postgres: postgres.map(str::to_owned),
            databases,
        })
    }

    /// `"postgres"` or `"sqlite"`.
    pub fn backend(&self) -> &'static str {
        if self.postgres.is_some() {
            "postgres"
        } else {
            "sqlite"
        }
    }

    /// Stops the stack and removes its databases.
    pub async fn finish(self) -> anyhow::Result<()> {
        self.stack.stop().await;
        if let Some(admin) = &self.postgres {
            for name in &self.databases {
                kit::db::drop_postgres_database(admin, name)?;
            }
        }
        let _ = std::fs::remove_dir_all(&self.data);
        Ok(())
    }
}

/// After a bulk load: a settled table, as autovacuum leaves it in production (statistics, and on
/// PostgreSQL the visibility map that lets a count be answered from an index). Autovacuum may be
/// off or late on a benchmark machine, so it is done here.
pub fn settle_tables(
    conn: &mut kit::db::AnyConnection,
    tables: &[&str],
) -> Result<(), kit::db::DbError> {
    use diesel::connection::SimpleConnection;
    match conn {
        kit::db::AnyConnection::Postgresql(_) => {
            conn.batch_execute(&format!("VACUUM ANALYZE {}", tables.join(", ")))?
        }
        kit::db::AnyConnection::Sqlite(_) => {
            conn.batch_execute("ANALYZE; DELETE FROM sqlite_stat4; ANALYZE sqlite_schema;")?
        }
    }
    // Every connection plans with them, not only this one.
    kit::db::statistics_changed(conn)?;
    Ok(())
}
