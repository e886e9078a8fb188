//! Starting the components as processes and talking to them over HTTP.
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// PostgreSQL and Redis, or `None` (the test is skipped) when they are not configured.
pub fn backends(test: &str) -> Option<(String, String)> {
    match (
        std::env::var("WJDH_TEST_POSTGRES_URL"),
        std::env::var("WJDH_TEST_REDIS_URL"),
    ) {
        (Ok(postgres), Ok(redis)) => Some((postgres, redis)),
        _ => {
            eprintln!(
                "SKIPPED {test}: set WJDH_TEST_POSTGRES_URL and WJDH_TEST_REDIS_URL to run the \
                 production topology (separate processes over PostgreSQL and Redis)"
            );
            None
        }
    }
}

/// `target/<profile>/`: this test runs from `target/<profile>/deps/`.
fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).unwrap();
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "{} is not built: run `cargo build --workspace --bins` before this test",
        path.display()
    );
    path
}

/// A loopback port no listener holds and this test process never handed out before: the port
/// is released before a child binds it, so the OS could offer it again to the next call (another
/// service, or another test's stack starting alongside) in between.
fn free_port() -> u16 {
    static HANDED_OUT: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut handed_out = HANDED_OUT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        if !handed_out.contains(&port) {
            handed_out.push(port);
            return port;
        }
    }
}

/// This deployment's secrets, given as a Secret gives them: none is a development default (the
/// standalone binaries refuse those), and the sandbox knows the same ones, as WeChat, Alibaba
/// Cloud and the security platform would. The WeChat Pay and Alipay keys are this suite's own
/// pairs (`tests/fixtures/wxpay/`, `tests/fixtures/alipay/`), not the defaults'
/// (`sandbox/fixtures/`).
fn deployment_secrets(run: &str) -> Vec<(String, String)> {
    let pair = |ours: &str, sandbox: &str, value: String| {
        [
            (ours.to_owned(), value.clone()),
            (format!("WJDH__SANDBOX__{sandbox}"), value),
        ]
    };
    let mut secrets = vec![
        (
            "WJDH__TOKENS__SECRET".to_owned(),
            format!("topology-token-secret-{run}"),
        ),
        (
            "WJDH__AUTH__CODE_SECRET".to_owned(),
            format!("topology-code-secret-{run}"),
        ),
        // The key of the caller assertions: every process, the same one (at least 32 bytes).
        (
            "WJDH__CALLERS__KEY".to_owned(),
            format!("topology-callers-key-{run}-0123456789abcdef"),
        ),
        (
            "WJDH__WXPAY__V3_MERCHANT_PRIVATE_KEY".to_owned(),
            include_str!("../../fixtures/wxpay/merchant-private-key.pem").to_owned(),
        ),
        (
            "WJDH__SANDBOX__WXPAY_MERCHANT_PUBLIC_KEY".to_owned(),
            include_str!("../../fixtures/wxpay/merchant-public-key.pem").to_owned(),
        ),
        (
            "WJDH__WXPAY__V3_PLATFORM_PUBLIC_KEY".to_owned(),
            include_str!("../../fixtures/wxpay/platform-public-key.pem").to_owned(),
        ),
        (
            "WJDH__SANDBOX__WXPAY_PLATFORM_PRIVATE_KEY".to_owned(),
            include_str!("../../fixtures/wxpay/platform-private-key.pem").to_owned(),
        ),
        (
            "WJDH__ALIPAY__APP_PRIVATE_KEY".to_owned(),
            include_str!("../../fixtures/alipay/app-private-key.pem").to_owned(),
        ),
        (
            "WJDH__SANDBOX__ALIPAY_APP_PUBLIC_KEY".to_owned(),
            include_str!("../../fixtures/alipay/app-public-key.pem").to_owned(),
        ),
        (
            "WJDH__ALIPAY__ALIPAY_PUBLIC_KEY".to_owned(),
            include_str!("../../fixtures/alipay/alipay-public-key.pem").to_owned(),
        ),
        (
            "WJDH__SANDBOX__ALIPAY_PRIVATE_KEY".to_owned(),
            include_str!("../../fixtures/alipay/alipay-private-key.pem").to_owned(),
        ),
    ];
    for (ours, sandbox, value) in [
        (
            "WJDH__AUTH__WECHAT__SECRET",
            "WECHAT_SECRET",
            format!("topology-wechat-{run}"),
        ),
        (
            "WJDH__AUTH__SMS__ACCESS_KEY_ID",
            "SMS_ACCESS_KEY_ID",
            format!("topology-ak-{run}"),
        ),
        (
            "WJDH__AUTH__SMS__ACCESS_KEY_SECRET",
            "SMS_ACCESS_KEY_SECRET",
            format!("topology-sk-{run}"),
        ),
        (
            "WJDH__SECPLAT__KEY_K",
            "SECPLAT_KEY_K",
            format!("topology-key-k-{run}"),
        ),
        (
            "WJDH__SECPLAT__KEY_D",
            "SECPLAT_KEY_D",
            format!("topology-key-d-{run}"),
        ),
        (
            "WJDH__OCR__APPCODE",
            "OCR_APPCODE",
            format!("topology-appcode-{run}"),
        ),
        // 32 bytes each, as WeChat Pay's keys are.
        (
            "WJDH__WXPAY__V3_API_KEY",
            "WXPAY_V3_API_KEY",
            format!("topology-v3-api-key-{run}xx"),
        ),
        (
            "WJDH__WXPAY__V2_KEY",
            "WXPAY_V2_KEY",
            format!("topology-v2-api-key-{run}xx"),
        ),
    ] {
        secrets.extend(pair(ours, sandbox, value));
    }
    secrets
}

/// A component's process; killed if still running when dropped.
pub struct Process {
    pub name: String,
    binary: PathBuf,
    env: Vec<(String, String)>,
    log: PathBuf,
    pub child: Child,
}

impl Process {
    fn spawn(
        name: &str,
        binary: &Path,
        env: &[(String, String)],
        dir: &Path,
        args: &[&str],
    ) -> Child {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join(format!("{name}.log")))
            .unwrap();
        Command::new(binary)
            .args(args)
            .current_dir(dir)
            .env_remove("WJDH_CONFIG")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap()
    }

    /// Sends SIGTERM, as the kubelet does.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Starts the same binary again with the same settings (a restarted pod).
    pub fn restart(&mut self, dir: &Path) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.child = Self::spawn(&self.name, &self.binary, &self.env, dir, &["serve"]);
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The whole platform as separate processes.
pub struct Topology {
    pub dir: tempfile::TempDir,
    pub gateways: Vec<String>,
    pub processes: Vec<Process>,
    pub auth_database_url: String,
    postgres: String,
    databases: Vec<String>,
    pub api: Api,
}

/// An HTTP client of the gateways and the sandbox; cheap to clone into tasks.
#[derive(Clone)]
pub struct Api {
    pub client: reqwest::Client,
    pub sandbox_url: String,
}

/// One service's section name and binary.
const SERVICES: [(&str, &str); 4] = [
    ("auth", "svc-auth"),
    ("yibiaosanshi", "svc-yibiaosanshi"),
    ("orders", "svc-orders"),
    ("community", "svc-community"),
];

impl Topology {
    /// Migrates, seeds the demo data (as an operator would), starts everything and waits until
    /// both gateways are ready. `extra` settings apply to every process.
    pub async fn start(postgres: &str, redis: &str, extra: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let run = uuid::Uuid::new_v4().simple().to_string()[..10].to_owned();
        let sandbox_port = free_port();
        let sandbox_url = format!("http://127.0.0.1:{sandbox_port}");
        let mut common: Vec<(String, String)> = vec![
            ("WJDH__TELEMETRY__JSON".into(), "true".into()),
            // The RPC spans' own lines (tower-http, debug) show the trace ids across processes.
            (
                "WJDH__TELEMETRY__LEVEL".into(),
                "info,tower_http=debug".into(),
            ),
            ("WJDH__CACHE__REDIS_URL".into(), redis.into()),
            (
                "WJDH__CACHE__KEY_PREFIX".into(),
                format!("wjdh-topo-{run}:"),
            ),
            (
                "WJDH__SANDBOX__LISTEN".into(),
                format!("127.0.0.1:{sandbox_port}"),
            ),
            ("WJDH__AUTH__WECHAT__BASE_URL".into(), sandbox_url.clone()),
            (
                "WJDH__AUTH__SMS__ENDPOINT".into(),
                format!("{sandbox_url}/aliyun-sms/"),
            ),
            (
                "WJDH__SECPLAT__BASE_URL".into(),
                format!("{sandbox_url}/secplat"),
            ),
            (
                "WJDH__OCR__ENDPOINT".into(),
                format!("{sandbox_url}/ocr/idcard"),
            ),
            (
                "WJDH__OBJECTS__LOCAL_DIR".into(),
                dir.path().join("objects").display().to_string(),
            ),
        ];
        common.extend(deployment_secrets(&run));
        // The gateways' ports are chosen now: WeChat Pay (the sandbox) notifies the first one.
        let gateway_ports = [free_port(), free_port()];
        common.push(("WJDH__WXPAY__BASE_URL".into(), sandbox_url.clone()));
        common.push((
            "WJDH__WXPAY__NOTIFY_URL".into(),
            format!(
                "http://127.0.0.1:{}/api/v1/weapp/payment/notify",
                gateway_ports[0]
            ),
        ));
        common.push((
            "WJDH__ALIPAY__GATEWAY".into(),
            format!("{sandbox_url}/alipay/gateway.do"),
        ));
        common.push((
            "WJDH__ALIPAY__NOTIFY_URL".into(),
            format!(
                "http://127.0.0.1:{}/api/v1/rental/payment/ali/notify",
                gateway_ports[0]
            ),
        ));
        common.push((
            "WJDH__WXPAY__REFUND_NOTIFY_URL".into(),
            format!(
                "http://127.0.0.1:{}/api/v1/weapp/payment/refund_notify",
                gateway_ports[0]
            ),
        ));
        let mut databases = Vec::new();
        let mut auth_database_url = String::new();
        for (section, _) in SERVICES {
            let upper = section.to_uppercase();
            let name = format!("wjdh_p{run}_{section}");
            let url = kit::db::create_postgres_database(postgres, &name).unwrap();
            if section == "auth" {
                auth_database_url = url.clone();
            }
            databases.push(name);
            common.push((format!("WJDH__{upper}__DATABASE_URL"), url));
            common.push((format!("WJDH__{upper}__POOL_SIZE"), "4".into()));
            let port = free_port();
            common.push((
                format!("WJDH__{upper}__LISTEN"),
                format!("127.0.0.1:{port}"),
            ));
            common.push((
                format!("WJDH__ENDPOINTS__{upper}"),
                format!("http://127.0.0.1:{port}"),
            ));
            common.push((
                format!("WJDH__{upper}__METRICS_LISTEN"),
                format!("127.0.0.1:{}", free_port()),
            ));
        }
        for (key, value) in extra {
            common.push(((*key).to_owned(), (*value).to_owned()));
        }

        // The initContainers: each binary migrates its own database, then exits.
        for (_, binary_name) in SERVICES {
            let log = std::fs::File::create(dir.path().join(format!("{binary_name}-migrate.log")))
                .unwrap();
            let status = Command::new(binary(binary_name))
                .arg("migrate")
                .stdout(log)
                .current_dir(dir.path())
                .env_remove("WJDH_CONFIG")
                .envs(common.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .status()
                .unwrap();
            assert!(status.success(), "{binary_name} migrate failed");
        }
        // The operator's seeding: the demo address tree and platform credentials.
        let yibiaosanshi_url = common
            .iter()
            .find(|(k, _)| k == "WJDH__YIBIAOSANSHI__DATABASE_URL")
            .map(|(_, v)| v.clone())
            .unwrap();
        let db =
            kit::db::Database::connect(&yibiaosanshi_url, 1, &svc_yibiaosanshi::db::MIGRATIONS)
                .await
                .unwrap();
        svc_yibiaosanshi::actions::addresses::demo::ensure_demo_dataset(&db)
            .await
            .unwrap();
        let db = kit::db::Database::connect(&auth_database_url, 1, &svc_auth::db::MIGRATIONS)
            .await
            .unwrap();
        svc_auth::actions::admin::ensure_demo_credentials(&db)
            .await
            .unwrap();

        let mut processes = Vec::new();
        let mut start = |name: &str, binary_name: &str, env: Vec<(String, String)>| {
            let binary = binary(binary_name);
            let child = Process::spawn(name, &binary, &env, dir.path(), &["serve"]);
            processes.push(Process {
                name: name.to_owned(),
                binary,
                env,
                log: dir.path().join(format!("{name}.log")),
                child,
            });
        };
        start("sandbox", "sandbox", common.clone());
        for (_, binary_name) in SERVICES {
            start(binary_name, binary_name, common.clone());
        }
        let mut gateways = Vec::new();
        for (replica, port) in ["gateway-a", "gateway-b"].into_iter().zip(gateway_ports) {
            let mut env = common.clone();
            env.push(("WJDH__GATEWAY__LISTEN".into(), format!("127.0.0.1:{port}")));
            start(replica, "gateway", env);
            gateways.push(format!("http://127.0.0.1:{port}"));
        }
        let topology = Self {
            dir,
            gateways,
            processes,
            auth_database_url,
            postgres: postgres.to_owned(),
            databases,
            api: Api {
                client: reqwest::Client::new(),
                sandbox_url,
            },
        };
        for gateway in topology.gateways.clone() {
            topology.wait_ready(&gateway).await;
        }
        topology
    }

    /// Waits (up to a minute) until `gateway`'s `/readyz` answers 200.
    pub async fn wait_ready(&self, gateway: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(response) = self
                .api
                .client
                .get(format!("{gateway}/readyz"))
                .send()
                .await
                && response.status().is_success()
            {
                return;
            }
            if Instant::now() > deadline {
                panic!("{gateway} not ready in time; logs:\n{}", self.logs());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    pub fn logs(&self) -> String {
        self.processes
            .iter()
            .map(|p| format!("--- {}\n{}", p.name, p.log()))
            .collect()
    }

    pub fn process(&mut self, name: &str) -> &mut Process {
        self.processes.iter_mut().find(|p| p.name == name).unwrap()
    }

    /// The value of a setting as the processes got it.
    pub fn setting(&self, key: &str) -> String {
        self.processes[0]
            .env
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Stops every process and drops the databases.
    pub fn stop(mut self) {
        for process in &mut self.processes {
            let _ = process.child.kill();
            let _ = process.child.wait();
        }
        self.processes.clear();
        for name in &self.databases {
            kit::db::drop_postgres_database(&self.postgres, name).unwrap();
        }
    }
}

impl Api {
    /// POST JSON to `gateway`: (HTTP status, body).
    pub async fn post(
        &self,
        gateway: &str,
        path: &str,
        body: Value,
        token: Option<&str>,
        forwarded_for: Option<&str>,
    ) -> (u16, Value) {
        let mut request = self.client.post(format!("{gateway}{path}")).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(ip) = forwarded_for {
            request = request.header("x-forwarded-for", ip);
        }
        match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let body = response.json().await.unwrap_or(Value::Null);
                (status, body)
            }
            Err(_) => (0, Value::Null),
        }
    }

    /// PUT a form with a token.
    pub async fn put_form(
        &self,
        gateway: &str,
        path: &str,
        form: &[(&str, &str)],
        token: &str,
    ) -> (u16, Value) {
        let response = self
            .client
            .put(format!("{gateway}{path}"))
            .form(form)
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    /// GET `path` of `gateway` with a token: (HTTP status, body).
    pub async fn get(&self, gateway: &str, path: &str, token: &str) -> (u16, Value) {
        match self
            .client
            .get(format!("{gateway}{path}"))
            .bearer_auth(token)
            .send()
            .await
        {
            Ok(response) => {
                let status = response.status().as_u16();
                (status, response.json().await.unwrap_or(Value::Null))
            }
            Err(_) => (0, Value::Null),
        }
    }

    /// POST JSON to the sandbox: its answer.
    pub async fn sandbox(&self, path: &str, body: Value) -> Value {
        self.client
            .post(format!("{}{path}", self.sandbox_url))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// A resident who signed up with WeChat (`openid`, `phone`) and imported the household the
    /// security platform knows for `phone` into 10002 (000 §2.2.1): their token.
    pub async fn imported_resident(&self, gateway: &str, openid: &str, phone: &str) -> String {
        let (_, login) = self.register_weixin(gateway, openid, phone).await;
        let resident = login["access_token"].as_str().unwrap().to_owned();
        let (_, sent) = self
            .post(
                gateway,
                "/api/v1/verificationCodes/phone",
                json!({"phone": phone, "type": "verify"}),
                None,
                None,
            )
            .await;
        let code = self.last_code(phone).await;
        let (_, imported) = self
            .post(
                gateway,
                "/api/v1/security/phone",
                json!({"verification_key": sent["key"], "verification_code": code, "id": "10002"}),
                Some(&resident),
                None,
            )
            .await;
        assert_eq!(imported["code"], json!(0), "{imported:?}");
        resident
    }

    /// The demo credential managing 10002: its token.
    pub async fn platform_10002(&self, gateway: &str) -> String {
        let (_, secret) = self
            .post(
                gateway,
                "/api/v1/wjdh/secret",
                json!({"secret_id": "123456", "secret_key": "123456"}),
                None,
                None,
            )
            .await;
        secret["access_token"].as_str().unwrap().to_owned()
    }

    /// GET a sandbox helper (`/sms/messages`, `/alipay/trades` …) with `query`: its answer.
    pub async fn sandbox_get(&self, path: &str, query: &[(&str, &str)]) -> Value {
        self.client
            .get(format!("{}{path}", self.sandbox_url))
            .query(query)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// The last code the sandbox delivered to `phone`.
    pub async fn last_code(&self, phone: &str) -> String {
        let messages = self.sandbox_get("/sms/messages", &[("phone", phone)]).await;
        messages.as_array().unwrap().last().unwrap()["code"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// 1.2.1 then 1.2.2 through `gateway`: the answer of the registration.
    pub async fn register_weixin(&self, gateway: &str, openid: &str, phone: &str) -> (u16, Value) {
        let (status, session) = self
            .post(
                gateway,
                "/api/v1/weapp/code",
                json!({"code": format!("sandbox:{openid}")}),
                None,
                None,
            )
            .await;
        if status != 200 {
            return (status, session);
        }
        let sealed: Value = self
            .client
            .post(format!("{}/wechat/encrypt-phone", self.sandbox_url))
            .json(&json!({"openid": openid, "phone": phone}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        self.post(
            gateway,
            "/api/v1/weapp/users",
            json!({
                "type": "weixin", "encryptedData": sealed["encryptedData"], "iv": sealed["iv"],
                "openid": openid, "session_key": session["session_key"], "name": "yangzhe",
                "avatar": "avatar",
            }),
            None,
            None,
        )
        .await
    }
}
