//! `spawn_app()` and the calls the tests make.
use std::time::Duration;

use kit::caller::CallerChannel;
use reqwest::StatusCode;
use serde_json::{Value, json};
use wjdh::stack::{Stack, StackOptions};

/// A running stack and a client for it.
pub struct TestApp {
    pub stack: Stack,
    pub base: String,
    pub client: reqwest::Client,
    /// PostgreSQL databases made for this test, dropped when it stops.
    databases: Vec<String>,
    /// The settings the stack was started with (a restart starts it again on them).
    overrides: Vec<(String, String)>,
    _data: tempfile::TempDir,
}

/// A response: HTTP status and JSON body.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

impl Answer {
    pub fn code(&self) -> i64 {
        self.body["code"].as_i64().unwrap_or(-1)
    }

    pub fn str(&self, field: &str) -> &str {
        self.body[field].as_str().unwrap_or_default()
    }

    /// `data` as a list.
    pub fn rows(&self) -> &Vec<Value> {
        self.body["data"]
            .as_array()
            .unwrap_or_else(|| panic!("a list: {:?}", self.body))
    }

    /// `data.<list>` as a list (the community lists put their rows there).
    pub fn rows_in(&self, list: &str) -> &Vec<Value> {
        self.body["data"][list]
            .as_array()
            .unwrap_or_else(|| panic!("{list} in {:?}", self.body))
    }

    /// The WeChat Pay `prepay_id` of a 000 §4.2.1 answer.
    pub fn prepay_id(&self) -> String {
        self.body["data"]["package"]
            .as_str()
            .unwrap_or_else(|| panic!("pay params: {:?}", self.body))
            .trim_start_matches("prepay_id=")
            .to_owned()
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts the stack with extra settings (`("auth.sms_per_ip_per_hour", "3")`).
pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    let data = tempfile::tempdir().unwrap();
    let run = uuid::Uuid::new_v4().simple().to_string()[..10].to_owned();
    let mut overrides: Vec<(String, String)> = Vec::new();
    let mut databases = Vec::new();
    for service in ["auth", "yibiaosanshi", "orders", "community"] {
        let url = match std::env::var("WJDH_TEST_POSTGRES_URL") {
            Ok(admin) => {
                let name = format!("wjdh_t{run}_{service}");
                databases.push(name.clone());
                kit::db::create_postgres_database(&admin, &name).unwrap()
            }
            Err(_) => format!("sqlite://{}/{service}.db", data.path().display()),
        };
        overrides.push((format!("{service}.database_url"), url));
        overrides.push((format!("{service}.pool_size"), "4".to_owned()));
    }
    if let Ok(redis) = std::env::var("WJDH_TEST_REDIS_URL") {
        overrides.push(("cache.redis_url".to_owned(), redis));
        overrides.push(("cache.key_prefix".to_owned(), format!("wjdh-test-{run}:")));
    }
    overrides.push((
        "objects.local_dir".to_owned(),
        format!("{}/objects", data.path().display()),
    ));
    for (key, value) in extra {
        overrides.push(((*key).to_owned(), (*value).to_owned()));
    }
    let stack = Stack::start(StackOptions {
        overrides: overrides.clone(),
        ephemeral_ports: true,
    })
    .await
    .unwrap();
    TestApp {
        base: stack.gateway_url(),
        stack,
        client: reqwest::Client::new(),
        databases,
        overrides,
        _data: data,
    }
}

impl TestApp {
    async fn answer(response: reqwest::Response) -> Answer {
        let status = response.status();
        let text = response.text().await.unwrap();
        let body =
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
        Answer { status, body }
    }

    /// POST a JSON body, optionally with a bearer token.
    pub async fn post(&self, path: &str, body: Value, token: Option<&str>) -> Answer {
        let mut request = self.client.post(format!("{}{path}", self.base)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        Self::answer(request.send().await.unwrap()).await
    }

    /// POST a form-urlencoded body.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Answer {
        let request = self.client.post(format!("{}{path}", self.base)).form(form);
        Self::answer(request.send().await.unwrap()).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>) -> Answer {
        let mut request = self.client.put(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        Self::answer(request.send().await.unwrap()).await
    }

    /// PUT a JSON body with a bearer token.
    pub async fn put_json(&self, path: &str, body: Value, token: &str) -> Answer {
        let request = self
            .client
            .put(format!("{}{path}", self.base))
            .json(&body)
            .bearer_auth(token);
        Self::answer(request.send().await.unwrap()).await
    }

    /// PUT a form body with a bearer token.
    pub async fn put_form(&self, path: &str, form: &[(&str, &str)], token: &str) -> Answer {
        let request = self
            .client
            .put(format!("{}{path}", self.base))
            .form(form)
            .bearer_auth(token);
        Self::answer(request.send().await.unwrap()).await
    }

    /// DELETE with a JSON body and a bearer token.
    pub async fn delete_json(&self, path: &str, body: Value, token: &str) -> Answer {
        let request = self
            .client
            .delete(format!("{}{path}", self.base))
            .json(&body)
            .bearer_auth(token);
        Self::answer(request.send().await.unwrap()).await
    }

    /// POST a form body with a bearer token.
    pub async fn post_form_token(&self, path: &str, form: &[(&str, &str)], token: &str) -> Answer {
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .form(form)
            .bearer_auth(token);
        Self::answer(request.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        Self::answer(
            self.client
                .get(format!("{}{path}", self.base))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// GET with a bearer token.
    pub async fn get_as(&self, path: &str, token: &str) -> Answer {
        let request = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(token);
        Self::answer(request.send().await.unwrap()).await
    }

    /// The SMS messages the sandbox delivered to `phone`, oldest first.
    pub async fn sms_to(&self, phone: &str) -> Vec<Value> {
        self.client
            .get(format!("{}/sms/messages", self.stack.sandbox_url))
            .query(&[("phone", phone)])
            .send()
            .await
            .unwrap()
            .json::<Vec<Value>>()
            .await
            .unwrap()
    }

    /// The last code sent to `phone`.
    pub async fn last_code(&self, phone: &str) -> String {
        let messages = self.sms_to(phone).await;
        messages.last().unwrap()["code"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Asks for a code; returns the answer.
    pub async fn request_code(&self, phone: &str, kind: &str) -> Answer {
        self.post(
            "/api/v1/verificationCodes/phone",
            json!({"phone": phone, "type": kind}),
            None,
        )
        .await
    }

    /// Lets a minute pass for the per-phone limit.
    pub async fn a_minute_passes(&self, phone: &str) {
        self.stack
            .cache
            .del(&format!("sms:minute:{phone}"))
            .await
            .unwrap();
    }

    /// 1.2.1: a WeChat session for `openid`: (openid, session handle).
    pub async fn wechat_session(&self, openid: &str) -> (String, String) {
        let answer = self
            .post(
                "/api/v1/weapp/code",
                json!({"code": format!("sandbox:{openid}")}),
                None,
            )
            .await;
        assert_eq!(answer.code(), 0, "{:?}", answer.body);
        (
            answer.str("openid").to_owned(),
            answer.str("session_key").to_owned(),
        )
    }

    /// The sandbox's `encryptedData`/`iv` for `phone` under `openid`'s session.
    pub async fn encrypt_phone(
        &self,
        openid: &str,
        phone: &str,
        appid: Option<&str>,
    ) -> (String, String) {
        let mut body = json!({"openid": openid, "phone": phone});
        if let Some(appid) = appid {
            body["appid"] = json!(appid);
        }
        let sealed: Value = self
            .client
            .post(format!("{}/wechat/encrypt-phone", self.stack.sandbox_url))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (
            sealed["encryptedData"].as_str().unwrap().to_owned(),
            sealed["iv"].as_str().unwrap().to_owned(),
        )
    }

    /// Registers (or logs in) `openid` with `phone` the WeChat way; returns the 1.2.2 answer.
    pub async fn register_weixin(&self, openid: &str, phone: &str) -> Answer {
        let (openid, session_key) = self.wechat_session(openid).await;
        let (data, iv) = self.encrypt_phone(&openid, phone, None).await;
        self.post(
            "/api/v1/weapp/users",
            json!({
                "type": "weixin", "encryptedData": data, "iv": iv, "openid": openid,
                "session_key": session_key, "name": "yangzhe", "avatar": "avatar",
            }),
            None,
        )
        .await
    }

    /// A signed-in resident's token.
    pub async fn resident_token(&self, openid: &str, phone: &str) -> String {
        let answer = self.register_weixin(openid, phone).await;
        assert_eq!(answer.code(), 0, "{:?}", answer.body);
        answer.str("access_token").to_owned()
    }

    /// A gRPC client straight to svc-auth (for what no HTTP route exposes yet).
    /// Its calls go through the client layer, signed as the component `tests`.
    pub async fn auth_client(&self) -> proto::auth::auth_client::AuthClient<CallerChannel> {
        proto::auth::auth_client::AuthClient::new(self.service_channel(self.stack.auth))
    }

    /// A channel to a service of the stack through the client layer, signed as `tests`.
    pub fn service_channel(&self, addr: std::net::SocketAddr) -> CallerChannel {
        let channel =
            kit::grpc::lazy_channel(&format!("http://{addr}"), Duration::from_secs(10)).unwrap();
        kit::settings::CallerSettings::load()
            .unwrap()
            .signer("tests")
            .unwrap()
            .channel(channel)
    }

    /// Stops the whole stack and starts it again on the same databases (a restart: what was
    /// in memory, the sandbox's included, is gone; the gateway listens on a new port).
    pub async fn restart(self) -> TestApp {
        let TestApp {
            stack,
            client,
            databases,
            overrides,
            _data,
            ..
        } = self;
        stack.stop().await;
        let stack = Stack::start(StackOptions {
            overrides: overrides.clone(),
            ephemeral_ports: true,
        })
        .await
        .unwrap();
        TestApp {
            base: stack.gateway_url(),
            stack,
            client,
            databases,
            overrides,
            _data,
        }
    }

    pub async fn stop(self) {
        self.stack.stop().await;
        if let Ok(admin) = std::env::var("WJDH_TEST_POSTGRES_URL") {
            for name in &self.databases {
                kit::db::drop_postgres_database(&admin, name).unwrap();
            }
        }
    }
}

/// The envelope every failure carries: code, token_expired, msg, message and `data` (DESIGN: one
/// shape for every answer).
pub fn assert_failure(answer: &Answer, code: i64, status: u16, message: &str) {
    assert_eq!(answer.code(), code, "{:?}", answer.body);
    assert!(
        answer.body.get("data").is_some(),
        "a failure carries data: {:?}",
        answer.body
    );
    assert_eq!(answer.status.as_u16(), status, "{:?}", answer.body);
    assert_eq!(answer.str("message"), message, "{:?}", answer.body);
    assert!(!answer.str("msg").is_empty(), "{:?}", answer.body);
    let expired = if code == 9 { 0 } else { 1 };
    assert_eq!(
        answer.body["token_expired"],
        json!(expired),
        "{:?}",
        answer.body
    );
}

/// Code 1 with this HTTP status, `msg` naming the field or saying why.
pub fn assert_refused(answer: &Answer, status: u16, says: &str) {
    assert_refused_for("", answer, status, says);
}

/// [`assert_refused`] for one row of a table, named in the message when it fails.
pub fn assert_refused_for(row: &str, answer: &Answer, status: u16, says: &str) {
    assert_eq!(answer.code(), 1, "{row}: {:?}", answer.body);
    assert_eq!(answer.status.as_u16(), status, "{row}: {:?}", answer.body);
    assert!(answer.str("msg").contains(says), "{row}: {:?}", answer.body);
    assert_eq!(answer.body["token_expired"], 1, "{row}: {:?}", answer.body);
}

/// A response whose body may be anything: status, headers and bytes.
#[derive(Debug)]
pub struct RawAnswer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub bytes: Vec<u8>,
}

impl RawAnswer {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
    }

    /// The body as an envelope (failures).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|_| panic!("not JSON ({}): {:?}", self.status, self.bytes))
    }
}

impl TestApp {
    /// POST a multipart/form-data body with a bearer token.
    pub async fn post_multipart(
        &self,
        path: &str,
        form: reqwest::multipart::Form,
        token: &str,
    ) -> Answer {
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .multipart(form)
            .bearer_auth(token);
        Self::answer(request.send().await.unwrap()).await
    }

    /// GET a path of the gateway, or an absolute URL it answered with (file URLs), optionally
    /// with a bearer token, keeping the raw body.
    pub async fn get_raw(&self, path: &str, token: Option<&str>) -> RawAnswer {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        let mut request = self.client.get(url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        RawAnswer {
            status: response.status(),
            headers: response.headers().clone(),
            bytes: response.bytes().await.unwrap().to_vec(),
        }
    }
}

/// The demo platform credentials (DESIGN "Demo dataset"): `(secret_id, secret_key)`.
pub const PLATFORM_10002: (&str, &str) = ("123456", "123456");
pub const PLATFORM_10003: (&str, &str) = ("jyl-demo", "jyl-demo-secret");

/// A person of the security platform's fixture, the 业主 of one demo house:
/// `(phone, community, [building, unit, floor, house])`.
pub type FixturePerson = (&'static str, &'static str, [i64; 4]);

/// People of the security platform's fixture, each the 业主 of one demo house. 付钰 owns 1-1-1-102
/// too; his father 付文生, son 付聪 and wife 李娜 are entered but never signed up.
pub const FU_YU: (&str, &str, [i64; 4]) = ("15131512234", "10002", [1, 1, 1, 101]);
pub const WANG_FANG: (&str, &str, [i64; 4]) = ("17600381130", "10002", [1, 1, 2, 201]);
pub const ZHAO_QIANG: (&str, &str, [i64; 4]) = ("13800138000", "10003", [1, 1, 1, 101]);

/// A 1×1 PNG, for the photo uploads.
pub const TINY_PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

/// The start of an MP4 file (`ftyp` box, brand `isom`): what a sniffer recognises as MP4.
pub const TINY_MP4: &[u8] = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2mp41\0\0\0\x08free";

/// 001 §2.1.1's `identifier` of 晨曦家园 building 1, unit 1, `louceng`-`fangjian`.
pub fn house_identifier(louceng: &str, fangjian: &str) -> Value {
    json!({"louhao": "1", "danyuan": "1", "louceng": louceng, "fangjian": fangjian})
}

/// A resident imported from the security platform's fixture, with their demo house.
pub struct BoundResident {
    pub token: String,
    pub house: i64,
}

/// Typed steps shared by the tests: who calls, and what they own.
impl TestApp {
    /// The token of credential `123456`, managing 10002 (晨曦家园).
    pub async fn platform(&self) -> String {
        self.platform_token(PLATFORM_10002.0, PLATFORM_10002.1)
            .await
    }

    /// How many pages of the list at `route` this app's gateway answered with `outcome`
    /// (`unchanged`: the page it kept; `read`: read anew), from its metrics.
    pub async fn list_pages(&self, route: &str, outcome: &str) -> i64 {
        let metrics = self
            .client
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let (outcome, route) = (
            format!("outcome=\"{outcome}\""),
            format!("route=\"{route}\""),
        );
        metrics
            .lines()
            .filter(|line| line.starts_with("gateway_list_pages_total{"))
            .filter(|line| line.contains(&outcome) && line.contains(&route))
            .map(|line| line.rsplit(' ').next().unwrap().parse::<i64>().unwrap())
            .sum()
    }

    /// The token of credential `jyl-demo`, managing 10003 (交运里).
    pub async fn platform_10003(&self) -> String {
        self.platform_token(PLATFORM_10003.0, PLATFORM_10003.1)
            .await
    }

    /// `person` of the fixture signed in, imported, and the id of their demo house. Their openid
    /// names the house (`o-10002-1-1-1-101`), not the phone: openids are logged, phones never.
    pub async fn bound_resident(&self, person: FixturePerson) -> BoundResident {
        let (phone, community, numbers) = person;
        let [building, unit, floor, house] = numbers;
        let openid = format!("o-{community}-{building}-{unit}-{floor}-{house}");
        let token = self.imported_resident(&openid, phone, community).await;
        let house = self.house_id(&token, community, numbers).await;
        BoundResident { token, house }
    }

    /// 000 §2.2.1: imports the household of `phone` (whose code is asked and read here) into
    /// `community` for the signed-in `token`; the answer.
    pub async fn import_household(&self, token: &str, phone: &str, community: &str) -> Answer {
        self.a_minute_passes(phone).await;
        let sent = self.request_code(phone, "verify").await;
        assert_eq!(sent.code(), 0, "{:?}", sent.body);
        let code = self.last_code(phone).await;
        self.post(
            "/api/v1/security/phone",
            json!({"verification_key": sent.str("key"), "verification_code": code, "id": community}),
            Some(token),
        )
        .await
    }

    /// The id of the caller's first binding in their houses list (000 §3.1.1).
    pub async fn first_binding(&self, token: &str) -> i64 {
        let mine = self
            .post("/api/v1/user/housesList", json!({}), Some(token))
            .await;
        mine.body["data"][0]["id"].as_i64().unwrap()
    }

    /// The roles the caller has now (`["NewMember"]`, `["HouseMember"]` …).
    pub async fn permissions(&self, token: &str) -> Value {
        self.post("/api/v1/people/permissions", json!({}), Some(token))
            .await
            .body["data"]
            .clone()
    }

    /// 3.2.2: turns module `module` of 10002 on (`"1"`) or off (`"0"`) as `platform`.
    pub async fn set_module(&self, platform: &str, module: &str, on: &str) {
        let answer = self
            .put_form(
                "/api/v1/wjdh/module",
                &[
                    ("xiaoqu", "10002"),
                    ("module_name", module),
                    ("module_status", on),
                ],
                platform,
            )
            .await;
        assert_eq!(answer.code(), 0, "{:?}", answer.body);
    }

    /// Approves review `id` as `platform`; the answer.
    pub async fn approve(&self, platform: &str, id: i64) -> Answer {
        self.put_form(
            "/api/v1/wjdh/shenhe",
            &[("id", &id.to_string()), ("status", "1")],
            platform,
        )
        .await
    }

    /// Refuses review `id` as `platform`, for `reason`; the answer.
    pub async fn refuse(&self, platform: &str, id: i64, reason: &str) -> Answer {
        self.put_form(
            "/api/v1/wjdh/shenhe",
            &[
                ("id", &id.to_string()),
                ("status", "0"),
                ("shenhe_refuse_reason", reason),
            ],
            platform,
        )
        .await
    }

    /// Binds the car `number` to the caller.
    pub async fn bind_car(&self, token: &str, number: &str) -> Answer {
        self.post(
            "/api/v1/weapp/car/bind",
            json!({"number": number}),
            Some(token),
        )
        .await
    }

    /// The plates bound to the caller.
    pub async fn plates_of(&self, token: &str) -> Vec<String> {
        self.numbers_listed("/api/v1/weapp/cars", token).await
    }

    /// The order numbers in a resident's 000 §4.1.1 list, newest first.
    pub async fn order_numbers(&self, token: &str) -> Vec<String> {
        self.numbers_listed("/api/v1/orders/list", token).await
    }

    /// The `number` of each row of the caller's list at `path`.
    async fn numbers_listed(&self, path: &str, token: &str) -> Vec<String> {
        let list = self.post(path, json!({}), Some(token)).await;
        assert_eq!(list.code(), 0, "{path}: {:?}", list.body);
        list.rows()
            .iter()
            .map(|row| row["number"].as_str().unwrap().to_owned())
            .collect()
    }

    /// The id of the resident's order of `amount` (`"0.01元"`).
    pub async fn order_id(&self, token: &str, amount: &str) -> i64 {
        let mine = self
            .post("/api/v1/orders/list", json!({"per_page": 100}), Some(token))
            .await;
        mine.rows()
            .iter()
            .find(|r| r["amount"] == amount)
            .unwrap_or_else(|| panic!("{amount} in {:?}", mine.body))["id"]
            .as_i64()
            .unwrap()
    }

    /// 000 §4.2.1: pays the orders `ids` (`"12A13"`).
    pub async fn pay(&self, token: &str, ids: &str) -> Answer {
        self.post("/api/v1/weapp/payment", json!({ "ids": ids }), Some(token))
            .await
    }

    /// POST to the sandbox (`/wxpay/pay`, `/secplat/fail` …); its JSON answer.
    pub async fn sandbox(&self, path: &str, body: Value) -> Value {
        self.client
            .post(format!("{}{path}", self.stack.sandbox_url))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// GET from the sandbox (`/secplat/payments`, `/alipay/transfers` …); its JSON answer.
    pub async fn sandbox_get(&self, path: &str) -> Value {
        self.client
            .get(format!("{}{path}", self.stack.sandbox_url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// The refunds WeChat Pay (the sandbox) holds of order `out_trade_no`, oldest first.
    pub async fn wechat_refunds(&self, out_trade_no: &str) -> Value {
        self.sandbox_get(&format!("/wxpay/refunds?out_trade_no={out_trade_no}"))
            .await
    }

    /// The payments the security platform heard of (001 §2.2.1).
    pub async fn secplat_payments(&self) -> Vec<Value> {
        serde_json::from_value(self.sandbox_get("/secplat/payments").await).unwrap()
    }

    /// A platform credential's token (`123456` manages 10002, `jyl-demo` manages 10003).
    pub async fn platform_token(&self, secret_id: &str, secret_key: &str) -> String {
        let answer = self
            .post(
                "/api/v1/wjdh/secret",
                json!({"secret_id": secret_id, "secret_key": secret_key}),
                None,
            )
            .await;
        assert_eq!(answer.code(), 0, "{:?}", answer.body);
        answer.str("access_token").to_owned()
    }

    /// A person of the security platform's fixture, signed in and imported into `community`
    /// (their houses there bound and activated); their token.
    pub async fn imported_resident(&self, openid: &str, phone: &str, community: &str) -> String {
        let token = self.resident_token(openid, phone).await;
        let imported = self.import_household(&token, phone, community).await;
        assert_eq!(imported.code(), 0, "{:?}", imported.body);
        token
    }

    /// The `id` of house `[building, unit, floor, house]` of `community`, found as the
    /// mini-program finds it (000 §2.1.2–§2.1.5).
    pub async fn house_id(&self, token: &str, community: &str, numbers: [i64; 4]) -> i64 {
        let levels = [
            ("/api/v1/buildings", "building_number"),
            ("/api/v1/units", "unit_number"),
            ("/api/v1/floors", "floor_number"),
            ("/api/v1/houses", "house_number"),
        ];
        let mut parent = json!(community);
        for ((path, field), number) in levels.into_iter().zip(numbers) {
            let answer = self.post(path, json!({"id": parent}), Some(token)).await;
            parent = answer.body["data"]
                .as_array()
                .and_then(|rows| rows.iter().find(|row| row[field] == json!(number)))
                .unwrap_or_else(|| panic!("{field} {number} in {:?}", answer.body))["id"]
                .clone();
        }
        parent.as_i64().unwrap()
    }

    /// A registered resident asks to be 业主 of a house nobody owns (000 §2.4.2, bindHouse);
    /// the review's id.
    pub async fn owner_request_filed(&self, token: &str, house_id: i64) -> i64 {
        let filed = self
            .post(
                "/api/v1/weapp/bindHouse",
                json!({"house_id": house_id, "role": "业主", "status": "自用", "use": "住宅",
                       "xingzhi": "私有", "choice": 1, "type": "业主"}),
                Some(token),
            )
            .await;
        assert_eq!(filed.code(), 0, "{:?}", filed.body);
        filed.body["data"]["shenhe_id"].as_i64().unwrap()
    }

    /// Binds a registered resident as 业主 of a house nobody owns (000 §2.4.2), approved by
    /// `platform`, the credential managing that house's community.
    pub async fn owner_bound_by_review(&self, token: &str, platform: &str, house_id: i64) {
        let review = self.owner_request_filed(token, house_id).await;
        let approved = self.approve(platform, review).await;
        assert_eq!(approved.code(), 0, "{:?}", approved.body);
    }
}
