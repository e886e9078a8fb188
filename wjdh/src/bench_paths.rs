//! `wjdh bench-paths`: every resident and platform read path, and the writes, each beside the
//! limit the same stack can reach (issue 14), in one run:
//!
//! - four probes: a bare actix JSON handler; actix → one tonic call; actix → one tonic call →
//!   one primary-key read of the same database the services use; the same call → one row
//!   updated and committed (the one-hop write, the limit of the write paths);
//! - the read paths: the community list (no token), a resident's permissions, houses and
//!   orders, the platform's orders and reviews;
//! - the writes: an order (the platform's /order/new); a registration filed (the resident's
//!   /weapp/bindHouse as 业主 of a house nobody owns, each house once); a payment notification
//!   of a property fee (WeChat Pay APIv3) and of a viewing fee (Alipay), each payment made by
//!   the resident through the gateway and paid in the sandbox before the path runs, the
//!   sandbox handing its signed notification over instead of posting it, and the load posting
//!   each once as the provider would. After a write path the bench waits until every service's
//!   outbox has handed over what the writes left in it (subscribe messages, the security
//!   platform's payment results): `settle s` is that wait, `sustained` the rate counting it.
//!
//! The load is external in style, as wrk's: its own thread and runtime, `connections` separate
//! keep-alive HTTP/1.1 connections (hyper, no client pool) each sending its next request when
//! the last is answered, for `seconds`. Each path's share of its probe (reads: the one-hop
//! read; writes: the one-hop write) is printed.
//! `--scale` people, houses and orders are seeded first (1,000 and 1,000,000 are the sizes the
//! issue compares).
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use diesel::connection::SimpleConnection;
use serde_json::{Value, json};

use crate::bench::{FreshStack, percentile, platform_token};
use crate::bench_orders::{COMMUNITY, FuYu, fu_yu};
use crate::cpu_time::CpuTime;
use crate::stack::Stack;

/// Options of `wjdh bench-paths`.
#[derive(Debug, Clone, clap::Args)]
pub struct PathsBenchOptions {
    /// People, houses and orders seeded (each) before measuring.
    #[arg(long, default_value_t = 1000)]
    pub scale: i64,
    /// Seconds each path is loaded.
    #[arg(long, default_value_t = 8)]
    pub seconds: u64,
    /// Keep-alive connections, each with one request in flight.
    #[arg(long, default_value_t = 32)]
    pub connections: usize,
    /// A PostgreSQL admin URL: run on fresh PostgreSQL databases instead of SQLite files.
    #[arg(long)]
    pub postgres: Option<String>,
    /// Load only the paths whose name holds this text (the three probes always run), e.g. to
    /// profile one path.
    #[arg(long)]
    pub only: Option<String>,
    /// Times each path is run, one after another on the same stack (path after path, so the
    /// reads all run before any write); with more than one, each round's table is followed by
    /// the median of each path over the rounds, its share taken against the same round of its
    /// probe.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=20))]
    pub rounds: u64,
}

/// What one path measured.
#[derive(Debug, Clone)]
struct Row {
    name: String,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    failures: usize,
    /// What the first failure was (an answer's status and body, or why the connection broke).
    first_failure: Option<String>,
    /// The probe this path is compared with (its index among the rows), if any.
    baseline: Option<usize>,
    /// Requests answered, over `elapsed` seconds.
    answered: usize,
    elapsed: f64,
    /// Seconds after the load until every service's outbox had handed over what the path's
    /// writes left in it (subscribe messages, reports): work the write owes, done afterwards.
    settled: Option<f64>,
    /// CPU time spent by the stack, the load and the database and cache servers over the path
    /// (its load, and for a write the outboxes' catching up).
    cpu: Option<CpuTime>,
}

impl Row {
    /// CPU microseconds a request answered: in all, and of it the servers'.
    fn cpu_us(&self) -> Option<(f64, f64)> {
        self.cpu?.per_request_us(self.answered)
    }

    /// Requests per second counting the time the outboxes took to catch up.
    fn sustained(&self) -> Option<f64> {
        self.settled
            .map(|settled| self.answered as f64 / (self.elapsed + settled).max(f64::EPSILON))
    }
}

/// One path's request: a POST to `addr` + `path`, with a bearer token or none, of `body`; an
/// answer counts when `taken` says so.
#[derive(Clone, Debug)]
struct Target {
    addr: std::net::SocketAddr,
    path: String,
    token: Option<String>,
    body: Body,
    taken: fn(http::StatusCode, &[u8]) -> bool,
}

/// A request's body and the headers that go with it (its content type; a notification's
/// signature).
#[derive(Clone, Debug)]
struct Sent {
    headers: Vec<(http::HeaderName, http::HeaderValue)>,
    body: hyper::body::Bytes,
}

impl Sent {
    /// `body` as JSON.
    fn json(body: &Value) -> anyhow::Result<Self> {
        Ok(Self {
            headers: vec![(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            )],
            body: serde_json::to_vec(body)?.into(),
        })
    }

    /// A notification the sandbox handed over (`{"url", "headers", "body"}`): posted as the
    /// provider would have posted it.
    fn handed_over(notification: &Value) -> anyhow::Result<Self> {
        let headers = notification["headers"]
            .as_object()
            .with_context(|| format!("no headers in {notification}"))?
            .iter()
            .map(|(name, value)| {
                let value = value.as_str().context("a header's value")?;
                Ok((name.parse()?, value.parse()?))
            })
            .collect::<anyhow::Result<_>>()?;
        let body = notification["body"]
            .as_str()
            .with_context(|| format!("no body in {notification}"))?;
        Ok(Self {
            headers,
            body: hyper::body::Bytes::copy_from_slice(body.as_bytes()),
        })
    }
}

/// What a path's requests send.
#[derive(Clone, Debug)]
enum Body {
    /// The same body every time.
    Same(Sent),
    /// Each body once, in turn from every connection (a write that may happen once per body,
    /// such as a registration of a house); the load ends when they run out.
    EachOnce(Arc<(Vec<Sent>, std::sync::atomic::AtomicUsize)>),
}

impl Target {
    /// The next body to send, or `None` once every body to send once was sent.
    fn next_body(&self) -> Option<Sent> {
        match &self.body {
            Body::Same(sent) => Some(sent.clone()),
            Body::EachOnce(bodies) => {
                let (all, next) = &**bodies;
                all.get(next.fetch_add(1, Ordering::Relaxed)).cloned()
            }
        }
    }

    /// The same request with each of `bodies` sent once instead of one body.
    fn each_once(self, bodies: Vec<Sent>) -> Self {
        let next = std::sync::atomic::AtomicUsize::new(0);
        Self {
            body: Body::EachOnce(Arc::new((bodies, next))),
            ..self
        }
    }

    /// Notifications the sandbox handed over, each posted once to where it was addressed, and
    /// counted when the provider would have been satisfied by the answer (`taken`).
    fn notifications(
        handed: &[Value],
        taken: fn(http::StatusCode, &[u8]) -> bool,
    ) -> anyhow::Result<Self> {
        let url = handed
            .first()
            .and_then(|notification| notification["url"].as_str())
            .context("no notification was handed over")?;
        let bodies = handed
            .iter()
            .map(Sent::handed_over)
            .collect::<anyhow::Result<_>>()?;
        Ok(Self {
            taken,
            ..post(url, None, &json!({}))?
        }
        .each_once(bodies))
    }
}

/// POST `url` (`http://host:port/path`) with `body` and the bearer `token`, if any.
fn post(url: &str, token: Option<String>, body: &Value) -> anyhow::Result<Target> {
    let uri: http::Uri = url.parse()?;
    let authority = uri.authority().context("no host in the URL")?;
    let addr = format!(
        "{}:{}",
        authority.host(),
        authority.port_u16().unwrap_or(80)
    )
    .parse()?;
    Ok(Target {
        addr,
        path: uri.path().to_owned(),
        token,
        body: Body::Same(Sent::json(body)?),
        taken: answered_ok,
    })
}

/// Loads `target` from `connections` connections for `seconds` (or until its bodies run out),
/// on a thread and runtime of its own, each connection a plain HTTP/1.1 keep-alive one (hyper,
/// no pool), as wrk's are. A request counts when its answer is read whole; it fails unless the
/// status is 200 and the envelope's `code` (when there is one) is 0.
fn load(name: &str, connections: usize, seconds: u64, target: Target) -> Row {
    let name = name.to_owned();
    let worker = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("load runtime");
        runtime.block_on(async move {
            let stop = Arc::new(AtomicBool::new(false));
            let mut tasks = Vec::new();
            for _ in 0..connections.max(1) {
                let (stop, target) = (stop.clone(), target.clone());
                tasks.push(tokio::spawn(async move {
                    let mut latencies = Vec::new();
                    let mut failures = 0;
                    let mut first_failure: Option<String> = None;
                    'connections: while !stop.load(Ordering::Relaxed) {
                        // A connection lives until an answer fails; then a new one is opened.
                        let mut sender = match connect(target.addr).await {
                            Ok(sender) => sender,
                            Err(error) => {
                                failures += 1;
                                first_failure.get_or_insert(format!("connecting: {error}"));
                                tokio::time::sleep(Duration::from_millis(10)).await;
                                continue;
                            }
                        };
                        while !stop.load(Ordering::Relaxed) {
                            let Some(body) = target.next_body() else {
                                break 'connections;
                            };
                            let begun = Instant::now();
                            // Only answers that succeeded count towards the rate and latencies.
                            match send(&mut sender, &target, body).await {
                                Answer::Ok => latencies.push(begun.elapsed()),
                                Answer::Refused(why) => {
                                    failures += 1;
                                    first_failure.get_or_insert(why);
                                }
                                Answer::Broken(why) => {
                                    failures += 1;
                                    first_failure.get_or_insert(why);
                                    break;
                                }
                            }
                        }
                    }
                    (latencies, failures, first_failure, Instant::now())
                }));
            }
            let started = Instant::now();
            let deadline = tokio::time::sleep(Duration::from_secs(seconds));
            tokio::pin!(deadline);
            let mut latencies = Vec::new();
            let mut failures = 0;
            let mut first_failure = None;
            let mut ended = started;
            for mut task in tasks {
                let joined = tokio::select! {
                    joined = &mut task => joined,
                    () = &mut deadline => {
                        stop.store(true, Ordering::Relaxed);
                        task.await
                    }
                };
                if let Ok((mut done, failed, why, at)) = joined {
                    latencies.append(&mut done);
                    failures += failed;
                    first_failure = first_failure.or(why);
                    ended = ended.max(at);
                }
            }
            stop.store(true, Ordering::Relaxed);
            // Until the last connection stopped: the deadline, or the last body's answer.
            let elapsed = ended.duration_since(started).as_secs_f64();
            latencies.sort();
            Row {
                name,
                per_second: latencies.len() as f64 / elapsed,
                p50_ms: percentile(&latencies, 0.50),
                p99_ms: percentile(&latencies, 0.99),
                failures,
                first_failure,
                baseline: None,
                answered: latencies.len(),
                elapsed,
                settled: None,
                cpu: None,
            }
        })
    });
    worker.join().expect("load thread")
}

type Sender = hyper::client::conn::http1::SendRequest<http_body_util::Full<hyper::body::Bytes>>;

/// A keep-alive HTTP/1.1 connection to `addr`.
async fn connect(addr: std::net::SocketAddr) -> anyhow::Result<Sender> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}

/// How one request went.
enum Answer {
    Ok,
    /// Answered, but not with success: the status and the body.
    Refused(String),
    /// The connection broke: why.
    Broken(String),
}

/// One request on `sender`.
async fn send(sender: &mut Sender, target: &Target, sent: Sent) -> Answer {
    use http_body_util::BodyExt;
    let mut request = http::Request::post(target.path.as_str())
        .header(http::header::HOST, target.addr.to_string());
    if let Some(token) = &target.token {
        request = request.header(http::header::AUTHORIZATION, format!("Bearer {token}"));
    }
    for (name, value) in sent.headers {
        request = request.header(name, value);
    }
    let request = match request.body(http_body_util::Full::new(sent.body)) {
        Ok(request) => request,
        Err(error) => return Answer::Refused(format!("request: {error}")),
    };
    if let Err(error) = sender.ready().await {
        return Answer::Broken(format!("connection: {error}"));
    }
    let response = match sender.send_request(request).await {
        Ok(response) => response,
        Err(error) => return Answer::Broken(format!("sending: {error}")),
    };
    let status = response.status();
    let body = match response.into_body().collect().await {
        Ok(body) => body.to_bytes(),
        Err(error) => return Answer::Broken(format!("reading the answer: {error}")),
    };
    if (target.taken)(status, &body) {
        Answer::Ok
    } else {
        let text: String = String::from_utf8_lossy(&body).chars().take(300).collect();
        Answer::Refused(format!("{status}: {text}"))
    }
}

/// A JSON envelope with code 0, or a probe's 200. The envelope writes `code` first, so a
/// success is told by its first bytes, as a wrk script would: parsing every answer made the
/// load generator, on the same two cores, the bottleneck of large answers (230 KB for
/// /communities at 1 M). Anything else is parsed.
fn answered_ok(status: http::StatusCode, body: &[u8]) -> bool {
    if !status.is_success() {
        return false;
    }
    if body.starts_with(br#"{"code":0,"#) {
        return true;
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(answer) => answer.get("code").is_none_or(|code| code == 0),
        Err(_) => false,
    }
}

/// The probes: a tonic health service whose `check` of service `"read"` reads one user by
/// primary key from `db` (the stack's svc-auth database) and of `"write"` updates one and
/// commits, and an actix app in front of it.
mod probe {
    use std::sync::atomic::{AtomicI64, Ordering};
    use std::time::Duration;

    use actix_web::{App, HttpResponse, HttpServer, web};
    use serde_json::json;
    use tonic::{Request, Response, Status};
    use tonic_health::pb::health_client::HealthClient;
    use tonic_health::pb::health_server::{Health, HealthServer};
    use tonic_health::pb::{HealthCheckRequest, HealthCheckResponse};

    struct OneRow {
        db: kit::db::Database,
        users: i64,
        next: AtomicI64,
    }

    #[tonic::async_trait]
    impl Health for OneRow {
        async fn check(
            &self,
            request: Request<HealthCheckRequest>,
        ) -> Result<Response<HealthCheckResponse>, Status> {
            // Users in turn, spread over the table.
            let next_id = || {
                let turn = self.next.fetch_add(7919, Ordering::Relaxed);
                1 + turn % self.users.max(1)
            };
            let found = match request.get_ref().service.as_str() {
                "read" => {
                    let id = next_id();
                    self.db
                        .run(move |conn| svc_auth::db::users::find_by_id(conn, id))
                        .await
                        .map(|user| user.is_some())
                }
                // One row written and committed, as every write path commits at least once.
                "write" => {
                    let id = next_id();
                    self.db
                        .write(move |conn| -> Result<bool, kit::db::DbError> {
                            use diesel::prelude::*;
                            use svc_auth::db::schema::users;
                            let now = kit::time::now_unix();
                            Ok(diesel::update(users::table.find(id))
                                .set(users::updated_at.eq(now))
                                .execute(conn)?
                                == 1)
                        })
                        .await
                }
                _ => Ok(true),
            }
            .map_err(|e| Status::internal(e.to_string()))?;
            if !found {
                return Err(Status::not_found("no such user"));
            }
            Ok(Response::new(HealthCheckResponse { status: 1 }))
        }

        type WatchStream = futures::stream::Empty<Result<HealthCheckResponse, Status>>;

        async fn watch(
            &self,
            _: Request<HealthCheckRequest>,
        ) -> Result<Response<Self::WatchStream>, Status> {
            Err(Status::unimplemented("watch"))
        }
    }

    /// Where the probes answer: `/bare`, `/call`, `/read` and `/write`.
    pub struct Probes {
        pub url: String,
        actix: actix_web::dev::ServerHandle,
        tonic: tokio::task::JoinHandle<()>,
    }

    impl Probes {
        pub async fn start(
            db: kit::db::Database,
            users: i64,
            workers: usize,
        ) -> anyhow::Result<Self> {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let grpc = format!("http://{}", listener.local_addr()?);
            let tonic = tokio::spawn(async move {
                let _ = tonic::transport::Server::builder()
                    .add_service(HealthServer::new(OneRow {
                        db,
                        users,
                        next: AtomicI64::new(0),
                    }))
                    .serve_with_incoming(kit::grpc::incoming(listener))
                    .await;
            });
            // The channel as the gateway holds its channels: lazy, shared by its workers.
            let channel = kit::grpc::lazy_channel(&grpc, Duration::from_secs(10))?;
            let server = HttpServer::new(move || {
                let client = HealthClient::new(channel.clone());
                let call = move |service: &'static str| {
                    let client = client.clone();
                    // The body is read, as the gateway's handlers read it: actix closes a
                    // connection whose request body was left unread.
                    move |_body: web::Bytes| {
                        let mut client = client.clone();
                        async move {
                            let request = HealthCheckRequest {
                                service: service.to_owned(),
                            };
                            match client.check(request).await {
                                Ok(_) => HttpResponse::Ok().json(json!({"code": 0, "msg": "ok"})),
                                Err(status) => HttpResponse::InternalServerError()
                                    .json(json!({"code": 500, "msg": status.message()})),
                            }
                        }
                    }
                };
                App::new()
                    .route(
                        "/bare",
                        web::post().to(|_body: web::Bytes| async {
                            HttpResponse::Ok().json(json!({"code": 0, "msg": "ok"}))
                        }),
                    )
                    .route("/call", web::post().to(call("")))
                    .route("/read", web::post().to(call("read")))
                    .route("/write", web::post().to(call("write")))
            })
            .workers(workers.max(1))
            .disable_signals()
            .bind("127.0.0.1:0")?;
            let addr = server
                .addrs()
                .first()
                .copied()
                .ok_or_else(|| anyhow::anyhow!("probe address"))?;
            let server = server.run();
            let actix = server.handle();
            tokio::spawn(server);
            Ok(Self {
                url: format!("http://{addr}"),
                actix,
                tonic,
            })
        }

        /// Stops both servers and waits for the tonic one to go, with its database handle.
        pub async fn stop(self) {
            self.actix.stop(true).await;
            self.tonic.abort();
            let _ = self.tonic.await;
        }
    }
}

/// Portable seeding SQL for svc-auth: `scale` users (the probe reads them by id).
fn users_sql(scale: i64) -> String {
    format!(
        "WITH RECURSIVE seq(n) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT n + 1 FROM seq WHERE n < {scale})
INSERT INTO users (openid, phone, name, avatar, registration_state, created_at, updated_at)
SELECT 'bench-' || CAST(n AS TEXT), CAST(16000000000 + n AS TEXT), '居民' || CAST(n AS TEXT), '', 'HouseMember', n, n
FROM seq;"
    )
}

/// Portable seeding SQL for svc-yibiaosanshi: `count` reviews of family bindings in the
/// platform's community [`COMMUNITY`], every fourth pending, each with its content as a
/// registration writes it: the review list the benchmark reads is a full page of a history
/// that grows with the scale.
fn community_reviews_sql(count: i64) -> String {
    let user = "CAST(3000000000 + n AS TEXT)";
    let content = format!(
        "'{{\"people\":{{\"user_id\":' || {user} || ',\"people_phone\":\"' || CAST(17000000000 + n AS TEXT) || '\",\"people_name\":\"家属' || CAST(n AS TEXT) || '\",\"people_sex\":\"女\",\"people_nation\":\"汉族\",\"people_birth\":\"19920304\",\"people_address\":\"河北省秦皇岛市海港区\",\"people_idcard\":\"130302199203040021\",\"people_photo\":\"\",\"people_zhengzhimianmao\":\"群众\",\"people_tuiyijunren\":\"0\",\"people_shangfang\":\"0\",\"people_dibao\":\"0\"}},\"job\":{{\"job_name\":\"教师\"}},\"company\":{{\"company_name\":\"秦皇岛市第一中学\"}},\"house\":{{\"id\":\"1\",\"community_identifier\":\"{COMMUNITY}\",\"building_number\":1,\"unit_number\":1,\"floor_number\":1,\"house_number\":101,\"people_house_role\":\"家属\",\"people_house_status\":\"自用\",\"people_house_use\":\"住宅\",\"people_house_xingzhi\":\"私有\",\"people_house_type\":\"家属\"}}}}'"
    );
    format!(
        "{seq}
INSERT INTO reviews (user_id, community_identifier, house_id, binding_id, shenhe_type, content, status, house_introduction, action_introduction, refuse_reason, created_at, updated_at)
SELECT 3000000000 + n, '{COMMUNITY}', NULL, NULL, '家属绑定', {content}, CASE WHEN n % 4 = 0 THEN 2 ELSE 1 END, '晨曦家园1栋1单元1楼101号', '家属正在申请：家属绑定', NULL, n, n
FROM seq;",
        seq = crate::bench_registry::range(count),
    )
}

/// The community whose houses nobody owns: each registration the benchmark files binds the
/// resident as 业主 of one of them.
const VACANT: &str = "390001";

/// Portable seeding SQL for svc-yibiaosanshi: community [`VACANT`] with at least `houses`
/// houses and nobody bound to them (10 buildings × 1 unit × 10 floors).
fn vacant_houses_sql(houses: i64) -> String {
    format!(
        "INSERT INTO communities (community_identifier, community_name, community_pinyin, community_type, community_order, created_at, updated_at)
VALUES ('{VACANT}', '压测空房小区', 'YaCeKongFang', 0, 0, 0, 0);
{}",
        crate::bench_registry::address_tree_sql(
            &format!("community_identifier = '{VACANT}'"),
            (houses + 99) / 100
        )
    )
}

/// Runs the benchmark and prints its figures.
pub async fn run(options: PathsBenchOptions) -> anyhow::Result<()> {
    let fresh = FreshStack::start("paths", options.postgres.as_deref()).await?;
    let result = measure_stack(&fresh.stack, &options).await;
    let backend = fresh.backend();
    fresh.finish().await?;
    let (seconds, rounds) = result?;
    println!(
        "seeded {} people, houses and orders on {backend} in {seconds:.1} s; {} connections, {} s a path",
        options.scale, options.connections, options.seconds
    );
    for (round, rows) in rounds.iter().enumerate() {
        if rounds.len() > 1 {
            println!("round {} of {}", round + 1, rounds.len());
        }
        print(rows);
    }
    if rounds.len() > 1 {
        print_medians(&medians(&rounds));
    }
    Ok(())
}

/// One path over the rounds: the medians of its figures, and the range of its share.
#[derive(Debug, PartialEq)]
struct Median {
    name: String,
    per_second: f64,
    p99_ms: f64,
    /// Its share of its probe (percent), the median over the rounds, then the least and most.
    share: Option<(f64, f64, f64)>,
    sustained: Option<f64>,
    failures: usize,
    /// CPU microseconds a request: in all, and of it the database and cache servers'.
    cpu_us: Option<(f64, f64)>,
}

/// The median of `values` (the mean of the middle two when they are even); none when empty.
fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    match values.len() {
        0 => None,
        n if n % 2 == 1 => Some(values[middle]),
        _ => Some((values[middle - 1] + values[middle]) / 2.0),
    }
}

/// Each path's medians over `rounds` (each round's rows in the same order, as one plan makes
/// them).
fn medians(rounds: &[Vec<Row>]) -> Vec<Median> {
    let Some(first) = rounds.first() else {
        return Vec::new();
    };
    (0..first.len())
        .map(|index| {
            // The path's row in each round, beside the round's rows (where its probe is).
            let runs: Vec<(&[Row], &Row)> = rounds
                .iter()
                .filter_map(|rows| Some((rows.as_slice(), rows.get(index)?)))
                .collect();
            let of =
                |figure: fn(&Row) -> f64| median(runs.iter().map(|(_, row)| figure(row)).collect());
            let mut shares: Vec<f64> = runs
                .iter()
                .filter_map(|(rows, row)| share(rows, row))
                .collect();
            shares.sort_by(f64::total_cmp);
            let range = shares.first().copied().zip(shares.last().copied());
            let cpu: Vec<(f64, f64)> = runs.iter().filter_map(|(_, row)| row.cpu_us()).collect();
            Median {
                name: first[index].name.clone(),
                per_second: of(|row| row.per_second).unwrap_or(0.0),
                p99_ms: of(|row| row.p99_ms).unwrap_or(0.0),
                share: median(shares)
                    .zip(range)
                    .map(|(m, (least, most))| (m, least, most)),
                sustained: median(runs.iter().filter_map(|(_, row)| row.sustained()).collect()),
                failures: runs.iter().map(|(_, row)| row.failures).sum(),
                cpu_us: median(cpu.iter().map(|(all, _)| *all).collect())
                    .zip(median(cpu.iter().map(|(_, servers)| *servers).collect())),
            }
        })
        .collect()
}

/// `row`'s requests a second as a percentage of its probe's in the same round.
fn share(rows: &[Row], row: &Row) -> Option<f64> {
    let probe = rows.get(row.baseline?)?;
    Some(100.0 * row.per_second / probe.per_second.max(f64::EPSILON))
}

fn print_medians(medians: &[Median]) {
    println!("median of the rounds");
    println!(
        "{:<58} {:>9} {:>8} {:>7} {:>12} {:>11} {:>10} {:>14}",
        "path",
        "req/s",
        "p99 ms",
        "failed",
        "of baseline",
        "least–most",
        "sustained",
        "CPU µs (db)"
    );
    for path in medians {
        let (share, range) = path.share.map_or_else(Default::default, |(m, l, h)| {
            (format!("{m:.0} %"), format!("{l:.0}–{h:.0} %"))
        });
        let sustained = path
            .sustained
            .map_or_else(String::new, |sustained| format!("{sustained:.0}"));
        println!(
            "{:<58} {:>9.0} {:>8.2} {:>7} {:>12} {:>11} {:>10} {:>14}",
            path.name,
            path.per_second,
            path.p99_ms,
            path.failures,
            share,
            range,
            sustained,
            cpu_text(path.cpu_us)
        );
    }
}

/// CPU microseconds a request, and in brackets the database and cache servers' part.
fn cpu_text(cpu_us: Option<(f64, f64)>) -> String {
    cpu_us.map_or_else(String::new, |(all, servers)| {
        format!("{all:.0} ({servers:.0})")
    })
}

/// How long longest the outboxes are waited for after a path.
const SETTLE_AT_MOST: Duration = Duration::from_secs(300);

/// Waits until no service's outbox holds an undelivered message; answers the seconds it took.
async fn settle(stack: &Stack) -> anyhow::Result<f64> {
    let started = Instant::now();
    let databases = [
        &stack.auth_db,
        &stack.yibiaosanshi_db,
        &stack.orders_db,
        &stack.community_db,
    ];
    loop {
        let mut backlog = 0;
        for db in databases {
            backlog += db
                .run(|conn| -> Result<i64, kit::db::DbError> { Ok(kit::outbox::backlog(conn)?) })
                .await?;
        }
        if backlog == 0 {
            return Ok(started.elapsed().as_secs_f64());
        }
        anyhow::ensure!(
            started.elapsed() < SETTLE_AT_MOST,
            "{backlog} outbox messages still undelivered after {} s",
            SETTLE_AT_MOST.as_secs()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn print(rows: &[Row]) {
    println!(
        "{:<58} {:>9} {:>8} {:>8} {:>7} {:>12} {:>9} {:>10} {:>14}",
        "path",
        "req/s",
        "p50 ms",
        "p99 ms",
        "failed",
        "of baseline",
        "settle s",
        "sustained",
        "CPU µs (db)"
    );
    for row in rows {
        let share = row
            .baseline
            .zip(share(rows, row))
            .map_or_else(String::new, |(probe, share)| {
                format!("{share:.0} % of {}", probe + 1)
            });
        let (settled, sustained) = match (row.settled, row.sustained()) {
            (Some(settled), Some(sustained)) => {
                (format!("{settled:.1}"), format!("{sustained:.0}"))
            }
            _ => (String::new(), String::new()),
        };
        println!(
            "{:<58} {:>9.0} {:>8.2} {:>8.2} {:>7} {:>12} {:>9} {:>10} {:>14}",
            row.name,
            row.per_second,
            row.p50_ms,
            row.p99_ms,
            row.failures,
            share,
            settled,
            sustained,
            cpu_text(row.cpu_us())
        );
    }
    for row in rows {
        if let Some(why) = &row.first_failure {
            println!("first failure of {}: {why}", row.name);
        }
    }
}

/// What a path loads.
enum Load {
    /// Requests ready before any path runs, the same in every round.
    Ready(Target),
    /// Requests ready before any path runs, one target a round (bodies each sent once).
    EachRound(Vec<Target>),
    /// Payment notifications, prepared just before their path runs: the payments are the
    /// resident's, and would otherwise be in the lists the read paths measure.
    Paid(Fee),
}

/// A payment whose notification a write path posts.
#[derive(Clone, Copy, Debug)]
enum Fee {
    /// A property fee, one of the resident's orders, paid by WeChat Pay (APIv3).
    Property,
    /// A viewing fee paid by Alipay.
    Viewing,
}

impl Fee {
    /// Whether the provider takes our answer to its notification: any 2xx for WeChat Pay;
    /// HTTP 200 and the text `success` for Alipay.
    fn taken(self) -> fn(http::StatusCode, &[u8]) -> bool {
        match self {
            Self::Property => |status, _| status.is_success(),
            Self::Viewing => |status, body| {
                status == http::StatusCode::OK
                    && body.trim_ascii() == alipay::NOTIFICATION_TAKEN.as_bytes()
            },
        }
    }
}

/// The resident who pays, and what with.
struct Paying<'a> {
    stack: &'a Stack,
    client: &'a reqwest::Client,
    token: &'a str,
    /// The resident's house the property fees are for.
    house: i64,
}

/// Payments prepared at once.
const PREPARING_AT_ONCE: usize = 16;

impl Paying<'_> {
    /// `count` payments of `fee` made by the resident through the gateway and paid in the
    /// sandbox, whose notifications the sandbox handed over instead of posting: the requests of
    /// the path, each posted once.
    async fn prepare(&self, fee: Fee, count: usize) -> anyhow::Result<Target> {
        use futures::{StreamExt, TryStreamExt};
        let started = Instant::now();
        let handed: Vec<Value> = match fee {
            Fee::Property => {
                let orders = self.payable_orders(count).await?;
                futures::stream::iter(orders)
                    .map(|order| self.pay_order(order))
                    .buffer_unordered(PREPARING_AT_ONCE)
                    .try_collect()
                    .await?
            }
            Fee::Viewing => {
                let listings =
                    crate::bench_viewings::seed_listings(self.stack, i64::try_from(count)?).await?;
                let gateway = self.stack.gateway_url();
                let at = (gateway.as_str(), self.stack.sandbox_url.as_str());
                futures::stream::iter(listings)
                    .map(|listing| async move {
                        let paid = crate::bench_viewings::pay_viewing(
                            self.client,
                            at,
                            self.token,
                            &listing,
                            true,
                            true,
                        )
                        .await?;
                        anyhow::Ok(paid["notification"].clone())
                    })
                    .buffer_unordered(PREPARING_AT_ONCE)
                    .try_collect()
                    .await?
            }
        };
        println!(
            "prepared {} {fee:?} payments' notifications in {:.1} s",
            handed.len(),
            started.elapsed().as_secs_f64()
        );
        Target::notifications(&handed, fee.taken())
    }

    /// `count` open orders of the resident's house, seeded: their ids.
    async fn payable_orders(&self, count: usize) -> anyhow::Result<Vec<i64>> {
        let (count, house) = (i64::try_from(count)?, self.house);
        self.stack
            .orders_db
            .run(move |conn| -> Result<Vec<i64>, kit::db::DbError> {
                use diesel::prelude::*;
                use svc_orders::db::schema::orders;
                let before: Option<i64> = orders::table
                    .select(diesel::dsl::max(orders::id))
                    .first(conn)?;
                // Numbered after every order there is, so a later round's are new too.
                let sql = payable_orders_sql(count, house, before.unwrap_or(0));
                conn.batch_execute(&format!("BEGIN; {sql} COMMIT;"))?;
                crate::bench::settle_tables(conn, &["orders"])?;
                Ok(orders::table
                    .filter(orders::id.gt(before.unwrap_or(0)))
                    .order(orders::id.asc())
                    .select(orders::id)
                    .load(conn)?)
            })
            .await
            .context("seeding payable orders")
    }

    /// Order `id` paid (000 §4.2.1) and the payer paying in the sandbox: the notification
    /// WeChat Pay would have posted.
    async fn pay_order(&self, id: i64) -> anyhow::Result<Value> {
        let gateway = self.stack.gateway_url();
        let params: Value = self
            .client
            .post(format!("{gateway}/api/v1/weapp/payment"))
            .bearer_auth(self.token)
            .json(&json!({"ids": id.to_string()}))
            .send()
            .await?
            .json()
            .await?;
        let prepay_id = params["data"]["package"]
            .as_str()
            .and_then(|package| package.strip_prefix("prepay_id="))
            .with_context(|| format!("paying order {id}: {params}"))?;
        let body = json!({ "prepay_id": prepay_id });
        let paid = crate::bench_viewings::sandbox_pays(
            self.client,
            &self.stack.sandbox_url,
            "wxpay/pay",
            body,
            true,
        )
        .await?;
        Ok(paid["notification"].clone())
    }
}

/// Portable seeding SQL: `count` open orders of the resident's `house` (晨曦家园 1-1-1-101),
/// numbered from `after` on.
fn payable_orders_sql(count: i64, house: i64, after: i64) -> String {
    format!(
        "WITH RECURSIVE seq(n) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT n + 1 FROM seq WHERE n < {count})
INSERT INTO orders (order_number, target_type, community_identifier, house_id, user_id, louhao, danyuan, louceng, fangjian, house_introduction, title, remark, extra, manager, amount_fen, status, paied, bill_id, created_by, created_at, updated_at)
SELECT '300' || CAST(10000000000000000 + {after} + n AS TEXT), 'house', '{COMMUNITY}', {house}, NULL, 1, 1, 1, 101,
  '晨曦家园1栋1单元1楼101号', '物业费', '压测缴费', '', '晨曦家园物业公司', 100 + n % 5000, 'open', false, NULL, 1, n, n
FROM seq;"
    )
}

async fn measure_stack(
    stack: &Stack,
    options: &PathsBenchOptions,
) -> anyhow::Result<(f64, Vec<Vec<Row>>)> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let gateway = stack.gateway_url();
    // The resident first, so that their user id is small and their houses are the fixture's.
    let FuYu { token, house, user } = fu_yu(stack, &client).await?;

    let started = Instant::now();
    let scale = options.scale.max(1000);
    let (people, orders) = (
        crate::bench_registry::seed_sql(scale / 1000, 10),
        // 付钰's orders are as many at every scale (3): the platform's grow, one resident's don't.
        crate::bench_orders::seed_sql(scale, house, user, Some(1000)),
    );
    let users = users_sql(scale);
    // Enough vacant houses for 3,000 registrations a second, each round.
    let vacant =
        i64::try_from(options.seconds.saturating_mul(options.rounds))?.saturating_mul(3000);
    let people = format!(
        "{people}\n{}\n{}",
        vacant_houses_sql(vacant),
        community_reviews_sql(scale / 10)
    );
    let seeded = [
        (&stack.auth_db, users, vec!["users"]),
        (
            &stack.yibiaosanshi_db,
            people,
            vec!["houses", "people", "people_houses", "reviews"],
        ),
        (&stack.orders_db, orders, vec!["orders"]),
    ];
    for (db, sql, tables) in seeded {
        db.run(move |conn| -> Result<(), kit::db::DbError> {
            conn.batch_execute(&format!("BEGIN; {sql} COMMIT;"))?;
            crate::bench::settle_tables(conn, &tables)
        })
        .await
        .context("seeding")?;
    }
    // Written behind the importer's back: the list the gateway may have made is announced stale,
    // as the importer would.
    kit::cache::announce(stack.cache.as_ref(), kit::cache::keys::COMMUNITIES).await;
    let seeding = started.elapsed().as_secs_f64();
    let platform = platform_token(&client, &gateway, "123456", "123456").await?;

    let probes = probe::Probes::start(stack.auth_db.clone(), scale, 2).await?;
    let (bare, call, read, write) = (0, 1, 2, 3);
    let url = |path: &str| format!("{gateway}{path}");
    let resident = Some(token.clone());
    let platform = Some(platform);
    let mut plan: Vec<(&str, Load, Option<usize>)> = vec![
        (
            "bare actix JSON handler",
            Load::Ready(post(&format!("{}/bare", probes.url), None, &json!({}))?),
            None,
        ),
        (
            "actix → one tonic call",
            Load::Ready(post(&format!("{}/call", probes.url), None, &json!({}))?),
            Some(bare),
        ),
        (
            "actix → one tonic call → one primary-key read",
            Load::Ready(post(&format!("{}/read", probes.url), None, &json!({}))?),
            Some(call),
        ),
        (
            "actix → one tonic call → one committed write",
            Load::Ready(post(&format!("{}/write", probes.url), None, &json!({}))?),
            Some(call),
        ),
    ];
    let reads: [(&str, &str, &Option<String>, Value); 6] = [
        (
            "/api/v1/communities",
            "POST /api/v1/communities (no token)",
            &None,
            json!({}),
        ),
        (
            "/api/v1/people/permissions",
            "POST /api/v1/people/permissions",
            &resident,
            json!({}),
        ),
        (
            "/api/v1/user/housesList",
            "POST /api/v1/user/housesList (2 houses)",
            &resident,
            json!({}),
        ),
        (
            "/api/v1/orders/list",
            "POST /api/v1/orders/list (resident)",
            &resident,
            json!({}),
        ),
        (
            "/api/v1/order/list",
            "POST /api/v1/order/list (platform, 10002)",
            &platform,
            json!({"xiaoqu": COMMUNITY}),
        ),
        (
            "/api/v1/wjdh/shenheList",
            "POST /api/v1/wjdh/shenheList (platform)",
            &platform,
            json!({"community_identifier": COMMUNITY, "status": 2}),
        ),
    ];
    for (path, name, token, body) in reads {
        let request = post(&url(path), token.clone(), &body)?;
        plan.push((name, Load::Ready(request), Some(read)));
    }
    // The writes: each is followed by the wait for the outboxes it filled.
    let writes_from = plan.len();
    plan.push((
        "POST /api/v1/order/new (write)",
        Load::Ready(post(
            &url("/api/v1/order/new"),
            platform.clone(),
            &json!({
                "xiaoqu": 10002, "type": "house", "title": "物业费", "remark": "压测",
                "identifier": {"louhao": "1", "danyuan": "1", "louceng": "1", "fangjian": "101"},
                "amount": "0.01",
            }),
        )?),
        Some(write),
    ));
    let vacant: Vec<i64> = stack
        .yibiaosanshi_db
        .run(|conn| -> Result<Vec<i64>, kit::db::DbError> {
            use diesel::prelude::*;
            use svc_yibiaosanshi::db::schema::houses;
            Ok(houses::table
                .filter(houses::community_identifier.eq(VACANT))
                .order(houses::id.asc())
                .select(houses::id)
                .load(conn)?)
        })
        .await
        .context("the vacant houses")?;
    let bind_house = post(
        &url("/api/v1/weapp/bindHouse"),
        resident.clone(),
        &json!({}),
    )?;
    // Each round files its registrations for houses of its own.
    let per_round = vacant
        .len()
        .div_ceil(usize::try_from(options.rounds)?)
        .max(1);
    let registrations = vacant
        .chunks(per_round)
        .map(|houses| {
            let bodies = houses
                .iter()
                .map(|house| {
                    Sent::json(
                        &json!({"house_id": house, "role": "业主", "status": "自用", "use": "住宅",
                           "xingzhi": "私有", "choice": 1, "type": "业主"}),
                    )
                })
                .collect::<anyhow::Result<_>>()?;
            Ok(bind_house.clone().each_once(bodies))
        })
        .collect::<anyhow::Result<_>>()?;
    plan.push((
        "POST /api/v1/weapp/bindHouse (write: a registration filed)",
        Load::EachRound(registrations),
        Some(write),
    ));
    plan.push((
        "POST /api/v1/weapp/payment/notify (write: a property fee paid, WeChat Pay)",
        Load::Paid(Fee::Property),
        Some(write),
    ));
    plan.push((
        "POST /api/v1/rental/payment/ali/notify (write: a viewing fee paid, Alipay)",
        Load::Paid(Fee::Viewing),
        Some(write),
    ));
    let (connections, seconds) = (options.connections, options.seconds);
    let wanted = |name: &str, index: usize| {
        index <= write
            || options
                .only
                .as_deref()
                .is_none_or(|only| name.contains(only))
    };
    // Enough payments for 1,000 notifications a second.
    let payments = usize::try_from(seconds)?.saturating_mul(1000);
    let paying = Paying {
        stack,
        client: &client,
        token: &token,
        house,
    };
    // Path after path, each run `rounds` times in a row: the reads all run before any write
    // adds to the lists they read.
    let mut rounds: Vec<Vec<Row>> = (0..options.rounds).map(|_| Vec::new()).collect();
    for (index, (name, what, baseline)) in plan.iter().enumerate() {
        if !wanted(name, index) {
            continue;
        }
        for (round, rows) in rounds.iter_mut().enumerate() {
            let request = match what {
                Load::Ready(request) => request.clone(),
                Load::EachRound(requests) => requests
                    .get(round)
                    .cloned()
                    .context("a round without its requests")?,
                Load::Paid(fee) => paying.prepare(*fee, payments).await?,
            };
            let name = (*name).to_owned();
            let before = CpuTime::now();
            // Off the stack's runtime: the load has a thread of its own.
            let mut row =
                tokio::task::spawn_blocking(move || load(&name, connections, seconds, request))
                    .await?;
            row.baseline = *baseline;
            if index >= writes_from {
                row.settled = Some(settle(stack).await?);
            }
            row.cpu = CpuTime::now()
                .zip(before)
                .map(|(now, before)| now.since(before));
            rows.push(row);
        }
    }
    probes.stop().await;
    Ok((seeding, rounds))
}

#[cfg(test)]
mod tests {
    use super::{CpuTime, Median, Row, answered_ok, median, medians};
    use http::StatusCode;

    fn row(name: &str, per_second: f64, baseline: Option<usize>, settled: Option<f64>) -> Row {
        Row {
            name: name.to_owned(),
            per_second,
            p50_ms: 1.0,
            p99_ms: per_second / 100.0,
            failures: 1,
            first_failure: None,
            baseline,
            answered: (per_second * 10.0) as usize,
            elapsed: 10.0,
            settled,
            cpu: None,
        }
    }

    #[test]
    fn a_median_is_the_middle_value_or_the_mean_of_the_middle_two() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(Vec::new()), None);
    }

    /// A path's share is taken against its probe in the same round, then the median of those
    /// shares is shown, with the least and the most.
    #[test]
    fn a_paths_share_is_the_median_of_its_share_in_each_round() {
        let mut rounds = vec![
            vec![
                row("probe", 1000.0, None, None),
                row("write", 600.0, Some(0), Some(2.0)),
            ],
            vec![
                row("probe", 500.0, None, None),
                row("write", 400.0, Some(0), Some(0.0)),
            ],
            vec![
                row("probe", 800.0, None, None),
                row("write", 400.0, Some(0), Some(10.0)),
            ],
        ];
        // CPU a request answered (6,000, 4,000 and 4,000 answered): 1,200 µs (200 the
        // servers'), 1,000 (500) and 2,000 (500).
        for (rows, (ours, servers)) in rounds.iter_mut().zip([(6.0, 1.2), (2.0, 2.0), (6.0, 2.0)]) {
            rows[1].cpu = Some(CpuTime { ours, servers });
        }
        let medians = medians(&rounds);
        assert_eq!(
            medians[0],
            Median {
                name: "probe".to_owned(),
                per_second: 800.0,
                p99_ms: 8.0,
                share: None,
                sustained: None,
                failures: 3,
                cpu_us: None,
            }
        );
        // Shares 60 %, 80 % and 50 %; sustained 500, 400 and 200 a second.
        assert_eq!(medians[1].per_second, 400.0);
        assert_eq!(medians[1].share, Some((60.0, 50.0, 80.0)));
        assert_eq!(medians[1].sustained, Some(400.0));
        assert_eq!(medians[1].cpu_us, Some((1200.0, 500.0)));
        assert!(super::medians(&[]).is_empty());
    }

    #[test]
    fn only_a_success_counts_as_answered() {
        let ok = StatusCode::OK;
        assert!(answered_ok(
            ok,
            br#"{"code":0,"token_expired":1,"data":[]}"#
        ));
        assert!(answered_ok(ok, br#"{ "msg": "ok", "code": 0 }"#));
        assert!(answered_ok(ok, br#"{"status":"ready"}"#), "a probe's 200");
        assert!(!answered_ok(ok, br#"{"code":1,"msg":"page"}"#));
        assert!(!answered_ok(ok, b"not json"));
        assert!(!answered_ok(StatusCode::BAD_REQUEST, br#"{"code":0,"#));
    }
}
