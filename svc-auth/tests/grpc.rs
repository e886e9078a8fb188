//! svc-auth over gRPC on port 0 against the sandbox's WeChat and Alibaba Cloud SMS, on its own
//! database (SQLite, or PostgreSQL when `WJDH_TEST_POSTGRES_URL` is set): codes, WeChat sign-in,
//! tokens and platform credentials, as the gateway calls them.
#![allow(clippy::unwrap_used)]

#[path = "../../kit/tests/support/database.rs"]
mod database;
#[path = "../../kit/tests/support/grpc.rs"]
mod support;

use std::sync::Arc;

use database::TestDatabase;
use kit::cache::{MemoryCache, SharedCache};
use kit::caller::CallerChannel;
use kit::error::{ErrorKind, ServiceError};
use proto::auth as pb;
use proto::auth::auth_client::AuthClient;
use support::signed;
use svc_auth::config::Settings;
use svc_auth::startup::Application;

struct TestService {
    client: AuthClient<CallerChannel>,
    addr: std::net::SocketAddr,
    sandbox_url: String,
    db: kit::db::Database,
    _stop: support::Stop,
    _sandbox: sandbox::Sandbox,
    _database: TestDatabase,
}

impl TestService {
    async fn spawn() -> Self {
        let database = TestDatabase::new("auth");
        let sandbox = support::sandbox().await;
        let sandbox_url = sandbox.base_url();
        let mut settings: Settings = kit::settings::load_with(&[
            ("auth.listen", "127.0.0.1:0".to_owned()),
            ("auth.database_url", database.url.clone()),
            ("auth.metrics_listen", String::new()),
            ("auth.wechat.base_url", sandbox_url.clone()),
            ("auth.sms.endpoint", format!("{sandbox_url}/aliyun-sms/")),
        ])
        .unwrap();
        settings.telemetry = support::telemetry();
        let cache: SharedCache = Arc::new(MemoryCache::new("test:"));
        let app = Application::build(settings, cache).await.unwrap();
        svc_auth::actions::admin::ensure_demo_credentials(&app.database())
            .await
            .unwrap();
        let addr = app.addr();
        let db = app.database();
        let (stop, stopped) = support::Stop::new();
        tokio::spawn(app.run_until_stopped(stopped));
        Self {
            client: AuthClient::new(support::signed_channel(addr, "gateway").await),
            addr,
            sandbox_url,
            db,
            _stop: stop,
            _sandbox: sandbox,
            _database: database,
        }
    }

    fn auth(&self) -> AuthClient<CallerChannel> {
        self.client.clone()
    }

    async fn platform_token(
        &self,
        secret_id: &str,
        secret_key: &str,
    ) -> Result<String, ServiceError> {
        self.auth()
            .platform_token(signed(pb::PlatformTokenRequest {
                secret_id: secret_id.to_owned(),
                secret_key: secret_key.to_owned(),
                client_ip: "203.0.113.7".to_owned(),
            }))
            .await
            .map(|reply| reply.into_inner().access_token)
            .map_err(|status| ServiceError::from_status(&status))
    }

    async fn authenticate(&self, token: &str) -> Result<pb::Caller, ServiceError> {
        self.auth()
            .authenticate(signed(pb::AuthenticateRequest {
                token: token.to_owned(),
            }))
            .await
            .map(tonic::Response::into_inner)
            .map_err(|status| ServiceError::from_status(&status))
    }

    /// The resident's notices, the first ten, newest first.
    async fn notices_of(&self, user_id: i64, phone: &str) -> pb::ListNoticesReply {
        self.auth()
            .list_notices(signed(pb::ListNoticesRequest {
                resident: Some(proto::caller::ResidentRef {
                    user_id,
                    phone: phone.to_owned(),
                }),
                page: 1,
                per_page: 10,
            }))
            .await
            .unwrap()
            .into_inner()
    }
}

/// Event `event_id` of svc-orders: a new order of 0.01 元 for user `user_id`.
fn order_event(user_id: i64, event_id: i64) -> pb::NotifyRequest {
    pb::NotifyRequest {
        source: "orders".to_owned(),
        event_id,
        user_id,
        kind: pb::NoticeKind::Order as i32,
        fields: Some(pb::NoticeFields {
            title: Some("物业费".to_owned()),
            amount_fen: Some(1),
            time: 1_764_806_400,
            ..Default::default()
        }),
    }
}

#[tokio::test]
async fn a_credential_gets_a_token_that_names_its_communities_and_a_wrong_secret_gets_none() {
    let service = TestService::spawn().await;
    let token = service.platform_token("123456", "123456").await.unwrap();
    let caller = service.authenticate(&token).await.unwrap();
    let Some(pb::caller::Kind::Platform(platform)) = caller.kind else {
        panic!("a platform caller: {caller:?}");
    };
    assert_eq!(platform.secret_id, "123456");
    assert_eq!(platform.communities, ["10002"]);

    let refused = service.platform_token("123456", "wrong").await.unwrap_err();
    assert_ne!(refused.kind, ErrorKind::Internal);
    assert_eq!(
        service.authenticate("not-a-token").await.unwrap_err().kind,
        ErrorKind::Unauthenticated
    );
}

#[tokio::test]
async fn a_login_code_is_sent_by_sms_once_a_minute_and_checked_once() {
    let service = TestService::spawn().await;
    let phone = "17600381130";
    let send = || {
        let mut auth = service.auth();
        async move {
            auth.send_code(signed(pb::SendCodeRequest {
                phone: phone.to_owned(),
                r#type: pb::CodeType::Verify.into(),
                community_house_name: None,
                client_ip: "203.0.113.8".to_owned(),
                user_id: 0,
            }))
            .await
        }
    };
    let sent = send().await.unwrap().into_inner();
    assert!(!sent.key.is_empty());
    assert!(sent.ttl_seconds > 0);
    let again = send().await.unwrap_err();
    assert_eq!(
        ServiceError::from_status(&again).kind,
        ErrorKind::RateLimited
    );

    let messages: Vec<serde_json::Value> = reqwest::get(format!(
        "{}/sms/messages?phone={phone}",
        service.sandbox_url
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let code = messages.last().unwrap()["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let verify = |code: String| {
        let mut auth = service.auth();
        let key = sent.key.clone();
        async move {
            auth.verify_code(signed(pb::VerifyCodeRequest {
                key,
                code,
                r#type: pb::CodeType::Verify.into(),
                user_id: 0,
            }))
            .await
        }
    };
    let verified = verify(code.clone()).await.unwrap().into_inner();
    assert_eq!(verified.phone, phone);
    // Once: the same code again is an expired one.
    assert!(verify(code).await.is_err());
}

#[tokio::test]
async fn an_event_handed_over_twice_is_recorded_once() {
    let service = TestService::spawn().await;
    let one = |event_id: i64| order_event(9_001, event_id);
    let listed = || service.notices_of(9_001, "13800000000");
    // Events come from the other services (svc-orders' outbox), not the gateway.
    let orders = AuthClient::new(support::signed_channel(service.addr, "orders").await);
    let notify = |event_id: i64| {
        let mut orders = orders.clone();
        async move {
            orders
                .notify(signed(one(event_id)))
                .await
                .unwrap()
                .into_inner()
                .recorded
        }
    };
    assert!(notify(41).await);
    // The outbox delivers at least once: the same event again records nothing.
    assert!(!notify(41).await);
    let listed_once = listed().await;
    assert_eq!(listed_once.total, 1);
    assert_eq!(listed_once.rows.len(), 1);

    // A pass of the outbox at once: the event recorded before and one listed twice are
    // recorded once, the others each once, and every answer is in the events' order.
    let all = orders
        .clone()
        .notify_all(signed(pb::NotifyAllRequest {
            events: vec![one(42), one(41), one(43), one(42)],
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(all.recorded, [true, false, true, false]);
    assert_eq!(listed().await.total, 3);
    // A bad event refuses the whole call.
    let mut bad = one(44);
    bad.event_id = 0;
    let refused = orders
        .clone()
        .notify_all(signed(pb::NotifyAllRequest {
            events: vec![one(45), bad],
        }))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), tonic::Code::InvalidArgument, "{refused:?}");
}

#[tokio::test]
async fn one_accept_sends_one_of_a_batchs_events_and_the_others_are_recorded_unsent() {
    let service = TestService::spawn().await;
    // A resident signed in with WeChat who accepted the order template once.
    let user_id = service
        .db
        .write(|conn| -> Result<i64, kit::db::WorkError> {
            let now = kit::time::now_unix();
            let user = svc_auth::db::users::insert(
                conn,
                &svc_auth::db::users::NewUser {
                    openid: Some("o-batch-accept"),
                    phone: "13800000077",
                    name: "批量",
                    avatar: "",
                    registration_state: "registered",
                    created_at: now,
                    updated_at: now,
                },
            )?;
            svc_auth::db::notices::answer(
                conn,
                "o-batch-accept",
                "sandbox-order",
                "accept",
                1,
                false,
                now,
            )?;
            Ok(user.id)
        })
        .await
        .unwrap();
    let event = |event_id: i64| order_event(user_id, event_id);
    let orders = AuthClient::new(support::signed_channel(service.addr, "orders").await);
    let all = orders
        .clone()
        .notify_all(signed(pb::NotifyAllRequest {
            events: vec![event(1), event(2), event(3)],
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(all.recorded, [true, true, true]);
    let listed = service.notices_of(user_id, "13800000077").await;
    // Newest first: the first event took the one accept; the two after it found none left.
    let statuses: Vec<&str> = listed.rows.iter().map(|row| row.status.as_str()).collect();
    assert_eq!(statuses.len(), 3, "{statuses:?}");
    assert_eq!(&statuses[..2], ["unsubscribed", "unsubscribed"]);
    assert_ne!(statuses[2], "unsubscribed");
    assert_ne!(statuses[2], "no_wechat");
    let left = service
        .db
        .run(|conn| -> Result<_, kit::db::WorkError> {
            Ok(svc_auth::db::notices::quotas(
                conn,
                "o-batch-accept",
                &["sandbox-order".to_owned()],
            )?)
        })
        .await
        .unwrap();
    assert_eq!(left, [("sandbox-order".to_owned(), 0)]);
}
