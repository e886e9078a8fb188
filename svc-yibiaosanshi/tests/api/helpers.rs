//! A fresh database per test, `spawn_service()` on port 0 with a fake svc-auth and the sandbox's
//! security platform, and the calls the tests share.
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use kit::cache::{MemoryCache, SharedCache};
use kit::caller::CallerChannel;
use kit::db::Database;
use kit::error::{ErrorKind, ServiceError};
use kit::settings::{Endpoints, ServiceSettings, TelemetrySettings};
use proto::auth as auth_pb;
use proto::yibiaosanshi as pb;
use proto::yibiaosanshi::addresses_client::AddressesClient;
use proto::yibiaosanshi::registration_client::RegistrationClient;
use secplat::SecplatSettings;
use svc_yibiaosanshi::config::Settings;
use svc_yibiaosanshi::db::MIGRATIONS;
use svc_yibiaosanshi::startup::Application;
use tokio::sync::oneshot;
use tonic::{Request, Response, Status};

#[path = "../../../kit/tests/support/database.rs"]
mod database;
#[path = "../../../kit/tests/support/grpc.rs"]
mod support;

/// A database made for one test and removed after it (`kit/tests/support`), migrated here.
pub struct TestDatabase(database::TestDatabase);

impl TestDatabase {
    pub fn new() -> Self {
        Self(database::TestDatabase::new("yb"))
    }

    /// Migrates and opens a pool.
    pub async fn connect(&self) -> Database {
        Database::connect(&self.0.url, 4, &MIGRATIONS)
            .await
            .unwrap()
    }
}

impl std::ops::Deref for TestDatabase {
    type Target = database::TestDatabase;

    fn deref(&self) -> &database::TestDatabase {
        &self.0
    }
}

/// An issued code the fake svc-auth accepts once.
struct Code {
    code: String,
    kind: String,
    phone: String,
}

/// What the fake svc-auth was told, and the codes it accepts.
#[derive(Default)]
pub struct FakeAuth {
    codes: Mutex<HashMap<String, Code>>,
    /// `(user_id, community_house_name, owner_phone)` of every RememberOwnerPhone.
    pub remembered: Mutex<Vec<(i64, String, String)>>,
    /// `(user_id, state)` of every SetRegistrationState, in order.
    pub states: Mutex<Vec<(i64, String)>>,
}

impl FakeAuth {
    /// A code of `kind` for `phone`, accepted once under `key`.
    pub fn issue(&self, key: &str, code: &str, kind: &str, phone: &str) {
        self.codes.lock().unwrap().insert(
            key.to_owned(),
            Code {
                code: code.to_owned(),
                kind: kind.to_owned(),
                phone: phone.to_owned(),
            },
        );
    }

    /// The last registration state sent for the user.
    pub fn state_of(&self, user_id: i64) -> Option<String> {
        self.states
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find(|(user, _)| *user == user_id)
            .map(|(_, state)| state.clone())
    }
}

fn unimplemented<T>() -> Result<Response<T>, Status> {
    Err(Status::unimplemented("not faked"))
}

/// svc-auth as far as registration uses it.
#[derive(Clone)]
struct FakeAuthService(Arc<FakeAuth>);

#[tonic::async_trait]
impl auth_pb::auth_server::Auth for FakeAuthService {
    async fn send_code(
        &self,
        _: Request<auth_pb::SendCodeRequest>,
    ) -> Result<Response<auth_pb::SendCodeReply>, Status> {
        unimplemented()
    }
    async fn code_to_session(
        &self,
        _: Request<auth_pb::CodeToSessionRequest>,
    ) -> Result<Response<auth_pb::CodeToSessionReply>, Status> {
        unimplemented()
    }
    async fn register(
        &self,
        _: Request<auth_pb::RegisterRequest>,
    ) -> Result<Response<auth_pb::LoginReply>, Status> {
        unimplemented()
    }
    async fn login_by_code(
        &self,
        _: Request<auth_pb::LoginByCodeRequest>,
    ) -> Result<Response<auth_pb::LoginReply>, Status> {
        unimplemented()
    }
    async fn refresh_token(
        &self,
        _: Request<auth_pb::RefreshTokenRequest>,
    ) -> Result<Response<auth_pb::LoginReply>, Status> {
        unimplemented()
    }
    async fn authenticate(
        &self,
        _: Request<auth_pb::AuthenticateRequest>,
    ) -> Result<Response<auth_pb::Caller>, Status> {
        unimplemented()
    }
    async fn permissions(
        &self,
        _: Request<auth_pb::PermissionsRequest>,
    ) -> Result<Response<auth_pb::PermissionsReply>, Status> {
        unimplemented()
    }
    async fn platform_token(
        &self,
        _: Request<auth_pb::PlatformTokenRequest>,
    ) -> Result<Response<auth_pb::PlatformTokenReply>, Status> {
        unimplemented()
    }

    async fn remember_owner_phone(
        &self,
        request: Request<auth_pb::RememberOwnerPhoneRequest>,
    ) -> Result<Response<auth_pb::RememberOwnerPhoneReply>, Status> {
        let r = request.into_inner();
        let masked_phone = kit::types::mask_phone(&r.owner_phone);
        self.0
            .remembered
            .lock()
            .unwrap()
            .push((r.user_id, r.community_house_name, r.owner_phone));
        Ok(Response::new(auth_pb::RememberOwnerPhoneReply {
            masked_phone,
        }))
    }

    async fn verify_code(
        &self,
        request: Request<auth_pb::VerifyCodeRequest>,
    ) -> Result<Response<auth_pb::VerifyCodeReply>, Status> {
        let r = request.into_inner();
        let mut codes = self.0.codes.lock().unwrap();
        let Some(issued) = codes.get(&r.key) else {
            return Err(
                ServiceError::new(ErrorKind::Invalid, "验证码已失效", "验证码已失效").into(),
            );
        };
        let kind = r.r#type().as_str_name()["CODE_TYPE_".len()..].to_ascii_lowercase();
        if issued.kind != kind {
            return Err(ServiceError::invalid("verification_key", "验证码类型不正确").into());
        }
        if issued.code != r.code {
            return Err(ServiceError::invalid("verification_code", "验证码错误").into());
        }
        let phone = issued.phone.clone();
        codes.remove(&r.key);
        Ok(Response::new(auth_pb::VerifyCodeReply { phone }))
    }

    async fn user_profile(
        &self,
        _: Request<auth_pb::UserProfileRequest>,
    ) -> Result<Response<auth_pb::UserProfileReply>, Status> {
        Err(Status::unimplemented("not used by svc-yibiaosanshi"))
    }

    async fn set_registration_state(
        &self,
        request: Request<auth_pb::SetRegistrationStateRequest>,
    ) -> Result<Response<auth_pb::PermissionsReply>, Status> {
        let r = request.into_inner();
        let state = match r.state() {
            auth_pb::RegistrationState::NewMember => "NewMember",
            auth_pb::RegistrationState::Shenheing => "Shenheing",
            auth_pb::RegistrationState::HouseMember => "HouseMember",
            auth_pb::RegistrationState::Unspecified => "",
        };
        self.0
            .states
            .lock()
            .unwrap()
            .push((r.user_id, state.to_owned()));
        Ok(Response::new(auth_pb::PermissionsReply {
            permissions: vec![state.to_owned()],
        }))
    }
}

/// The service serving on a free port, with clients, its database, the fake svc-auth and the
/// sandbox's security platform.
pub struct TestService {
    pub addr: SocketAddr,
    pub db: Database,
    pub client: AddressesClient<CallerChannel>,
    pub registration: RegistrationClient<CallerChannel>,
    pub auth: Arc<FakeAuth>,
    /// `http://127.0.0.1:PORT` of the sandbox.
    pub sandbox_url: String,
    sandbox: Option<sandbox::Sandbox>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _database: TestDatabase,
}

async fn spawn_fake_auth(auth: Arc<FakeAuth>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = auth_pb::auth_server::AuthServer::new(FakeAuthService(auth));
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(service)
            .serve_with_incoming(kit::grpc::incoming(listener)),
    );
    addr
}

pub async fn spawn_service() -> TestService {
    let database = TestDatabase::new();
    let auth = Arc::new(FakeAuth::default());
    let auth_addr = spawn_fake_auth(auth.clone()).await;
    let sandbox = sandbox::Sandbox::start(sandbox::SandboxSettings {
        listen: "127.0.0.1:0".to_owned(),
        ..sandbox::SandboxSettings::default()
    })
    .await
    .unwrap();
    let sandbox_url = sandbox.base_url();
    /// Photo storage and OCR as configured by default, pointed at this test's sandbox.
    #[derive(serde::Deserialize)]
    struct PhotoSettings {
        objects: kit::settings::ObjectStoreSettings,
        ocr: kit::settings::OcrSettings,
    }
    let photo_dir =
        std::env::temp_dir().join(format!("wjdh-yibiaosanshi-{}", uuid::Uuid::new_v4()));
    let photos: PhotoSettings = kit::settings::load_with(&[
        ("objects.local_dir", photo_dir.display().to_string()),
        ("ocr.endpoint", format!("{sandbox_url}/ocr/idcard")),
    ])
    .unwrap();
    let settings = Settings {
        objects: photos.objects,
        ocr: photos.ocr,
        telemetry: TelemetrySettings {
            level: "warn".to_owned(),
            json: false,
            sample_ratio: 0.0,
        },
        callers: kit::settings::CallerSettings::load().unwrap(),
        endpoints: Endpoints {
            auth: format!("http://{auth_addr}"),
            yibiaosanshi: "http://127.0.0.1:1".to_owned(),
            orders: "http://127.0.0.1:1".to_owned(),
            community: "http://127.0.0.1:1".to_owned(),
            timeout_ms: 5000,
        },
        secplat: SecplatSettings {
            base_url: format!("{sandbox_url}/secplat"),
            key_k: "sandbox-key".to_owned(),
            key_d: "sandbox-secret".to_owned(),
            timeout_ms: 5000,
        },
        yibiaosanshi: ServiceSettings {
            listen: "127.0.0.1:0".to_owned(),
            database_url: database.url.clone(),
            pool_size: 4,
            metrics_listen: String::new(),
            shutdown_delay_ms: 0,
        },
    };
    let cache: SharedCache = Arc::new(MemoryCache::new("test:"));
    let app = Application::build(settings, cache).await.unwrap();
    let (addr, db) = (app.addr(), app.database());
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    // Through the client layer, as the tests' own component: a caller assertion on every call.
    let channel = support::signed_channel(addr, "tests").await;
    TestService {
        addr,
        db,
        client: AddressesClient::new(channel.clone()),
        registration: RegistrationClient::new(channel),
        auth,
        sandbox_url,
        sandbox: Some(sandbox),
        stop: Some(stop),
        server: Some(server),
        _database: database,
    }
}

impl TestService {
    /// Stops the server and waits for it to drain.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.unwrap().unwrap();
        }
        if let Some(sandbox) = self.sandbox.take() {
            sandbox.stop().await;
        }
    }

    /// Makes the security platform answer 503 to its next `times` calls.
    pub async fn fail_security_platform(&self, times: u32) {
        let answer = reqwest::Client::new()
            .post(format!("{}/secplat/fail", self.sandbox_url))
            .form(&[("times", times.to_string())])
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success());
    }
}

/// The signed-in resident `user_id`.
pub fn resident(user_id: i64) -> Option<pb::ResidentRef> {
    Some(pb::ResidentRef {
        user_id,
        phone: String::new(),
    })
}

/// A platform credential managing `communities`.
pub fn platform(communities: &[&str]) -> Option<pb::PlatformRef> {
    Some(pb::PlatformRef {
        credential_id: 7,
        secret_id: "123456".to_owned(),
        communities: communities.iter().map(|c| (*c).to_owned()).collect(),
    })
}

/// The error a call failed with.
pub fn error_of<T: std::fmt::Debug>(result: Result<Response<T>, Status>) -> ServiceError {
    ServiceError::from_status(&result.expect_err("the call should fail"))
}
