//! Starts a sandbox on a free port and speaks to it like our clients do.

use std::collections::BTreeMap;
use std::net::TcpListener;

use actix_web::{App, HttpServer, web};
use chrono::{DateTime, Duration, Utc};
use sandbox::{Sandbox, SandboxSettings};

pub struct TestSandbox {
    pub sandbox: Sandbox,
    pub settings: SandboxSettings,
    pub client: reqwest::Client,
}

pub async fn spawn_sandbox() -> TestSandbox {
    spawn_sandbox_with(SandboxSettings::default()).await
}

/// A sandbox on a free port with `settings` otherwise.
pub async fn spawn_sandbox_with(settings: SandboxSettings) -> TestSandbox {
    let settings = SandboxSettings {
        listen: "127.0.0.1:0".to_owned(),
        ..settings
    };
    let sandbox = Sandbox::start(settings.clone())
        .await
        .expect("sandbox starts");
    TestSandbox {
        sandbox,
        settings,
        client: reqwest::Client::new(),
    }
}

impl TestSandbox {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.base_url())
    }

    pub async fn get_json(&self, path: &str, query: &[(&str, &str)]) -> (u16, serde_json::Value) {
        let response = self
            .client
            .get(self.url(path))
            .query(query)
            .send()
            .await
            .expect("request sent");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON body"))
    }

    pub async fn post_json(
        &self,
        path: &str,
        query: &[(&str, &str)],
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let response = self
            .client
            .post(self.url(path))
            .query(query)
            .json(body)
            .send()
            .await
            .expect("request sent");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON body"))
    }

    /// Posts `form` form-urlencoded, as the security platform's callers do.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> (u16, serde_json::Value) {
        let response = self
            .client
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .expect("request sent");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON body"))
    }

    /// A SendSms request as our SMS client builds it, not yet signed.
    pub fn sms_params(&self, phone: &str, code: &str, out_id: &str) -> BTreeMap<String, String> {
        sms_params_at(&self.settings, phone, code, out_id, Utc::now())
    }

    /// Signs `params` with `secret` for `method` and sends them to `/aliyun-sms/`.
    pub async fn send_sms(
        &self,
        method: &str,
        mut params: BTreeMap<String, String>,
        secret: &str,
    ) -> (u16, serde_json::Value) {
        let signature = sandbox::aliyun::sign(method, &params, secret);
        params.insert("Signature".to_owned(), signature);
        self.send_signed_sms(method, &params).await
    }

    pub async fn send_signed_sms(
        &self,
        method: &str,
        params: &BTreeMap<String, String>,
    ) -> (u16, serde_json::Value) {
        let request = match method {
            "POST" => self.client.post(self.url("/aliyun-sms/")).form(params),
            _ => self.client.get(self.url("/aliyun-sms/")).query(params),
        };
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON body"))
    }

    pub async fn messages_to(&self, phone: &str) -> Vec<serde_json::Value> {
        let (status, body) = self.get_json("/sms/messages", &[("phone", phone)]).await;
        assert_eq!(status, 200);
        body.as_array().expect("a JSON array").clone()
    }
}

pub fn sms_params_at(
    settings: &SandboxSettings,
    phone: &str,
    code: &str,
    out_id: &str,
    at: DateTime<Utc>,
) -> BTreeMap<String, String> {
    let mut params: BTreeMap<String, String> = [
        ("AccessKeyId", settings.sms_access_key_id.as_str()),
        ("Action", "SendSms"),
        ("Format", "JSON"),
        ("PhoneNumbers", phone),
        ("RegionId", "cn-hangzhou"),
        ("SignName", "万家灯火"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("TemplateCode", "SMS_000001"),
        ("Version", "2017-05-25"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    params.insert(
        "SignatureNonce".to_owned(),
        uuid::Uuid::new_v4().to_string(),
    );
    params.insert(
        "TemplateParam".to_owned(),
        serde_json::json!({ "code": code }).to_string(),
    );
    params.insert(
        "Timestamp".to_owned(),
        at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    );
    if !out_id.is_empty() {
        params.insert("OutId".to_owned(), out_id.to_owned());
    }
    params
}

/// Serves `route()` at `path` on a free loopback port, `state` its app data (an endpoint of ours
/// that a provider calls back); its URL.
pub fn serve<S: Send + Sync + 'static>(
    path: &'static str,
    state: S,
    route: fn() -> actix_web::Route,
) -> String {
    format!("{}{path}", serve_routes(state, &[(path, route)]))
}

/// A path and the route serving it.
pub type Served = (&'static str, fn() -> actix_web::Route);

/// An HTTP server on a free port with `routes` over `state`; its base URL (`http://ip:port`).
pub fn serve_routes<S: Send + Sync + 'static>(state: S, routes: &[Served]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let url = format!("http://{}", listener.local_addr().expect("bound"));
    let state = web::Data::new(state);
    let routes = routes.to_vec();
    let server = HttpServer::new(move || {
        routes
            .iter()
            .fold(App::new().app_data(state.clone()), |app, (path, route)| {
                app.route(path, route())
            })
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .expect("listening")
    .run();
    tokio::spawn(server);
    url
}

pub fn minutes_ago(minutes: i64) -> DateTime<Utc> {
    Utc::now() - Duration::minutes(minutes)
}
