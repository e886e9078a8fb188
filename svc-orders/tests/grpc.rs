//! svc-orders over gRPC on port 0: fake peers answer whom an order is for and where a resident
//! may pay (svc-yibiaosanshi), the payer's openid (svc-auth) and the 生活缴费 switch
//! (svc-community); the sandbox plays WeChat Pay, and each test has its own database (SQLite,
//! or PostgreSQL when `WJDH_TEST_POSTGRES_URL` is set).
#![allow(clippy::unwrap_used)]

#[path = "../../kit/tests/support/database.rs"]
mod database;
#[path = "../../kit/tests/support/grpc.rs"]
mod support;

use std::sync::Arc;
use std::time::Duration;

use database::TestDatabase;
use kit::cache::{MemoryCache, SharedCache};
use kit::caller::CallerChannel;
use kit::error::{ErrorKind, ServiceError};
use proto::orders as pb;
use proto::orders::orders_client::OrdersClient;
use proto::yibiaosanshi as yb;
use support::{platform, signed};
use svc_orders::config::{ReconciliationSettings, Settings};
use svc_orders::startup::Application;
use tonic::{Request, Response, Status};

const COMMUNITY: &str = "10002";
/// Pays for house 11 (晨曦家园1栋1单元1楼101号) and is found by phone.
const PAYER: i64 = 7;
const PAYER_PHONE: &str = "17600381130";
/// Bound to house 11 without the payment right.
const TENANT: i64 = 8;
/// Entered in the registry, never signed up.
const UNREGISTERED_PHONE: &str = "13800000000";
const HOUSE: i64 = 11;

/// svc-yibiaosanshi as far as svc-orders asks it.
struct FakeRegistry;

#[tonic::async_trait]
impl yb::registration_server::Registration for FakeRegistry {
    async fn find_payer(
        &self,
        request: Request<yb::FindPayerRequest>,
    ) -> Result<Response<yb::FindPayerReply>, Status> {
        let r = request.into_inner();
        let mut reply = yb::FindPayerReply::default();
        if r.community_identifier == COMMUNITY {
            reply.community_name = Some("晨曦家园".to_owned());
            match r.kind.as_str() {
                "house" if (r.louhao, r.danyuan, r.louceng, r.fangjian) == (1, 1, 1, 101) => {
                    reply.found = true;
                    reply.registered = true;
                    reply.house_id = HOUSE;
                    reply.introduction = "晨曦家园1栋1单元1楼101号".to_owned();
                }
                "phone" if r.phone == PAYER_PHONE => {
                    reply.found = true;
                    reply.registered = true;
                    reply.user_id = PAYER;
                }
                "phone" if r.phone == UNREGISTERED_PHONE => reply.found = true,
                _ => {}
            }
        }
        Ok(Response::new(reply))
    }

    async fn resident_houses(
        &self,
        request: Request<yb::ResidentHousesRequest>,
    ) -> Result<Response<yb::ResidentHousesReply>, Status> {
        let pay = match request.into_inner().user_id {
            PAYER => true,
            TENANT => false,
            _ => return Ok(Response::new(yb::ResidentHousesReply::default())),
        };
        Ok(Response::new(yb::ResidentHousesReply {
            houses: vec![yb::ResidentHouse {
                binding_id: 1,
                house_id: HOUSE,
                community_identifier: COMMUNITY.to_owned(),
                introduction: "晨曦家园1栋1单元1楼101号".to_owned(),
                role: "业主".to_owned(),
                manage: pay,
                pay,
                activated: true,
            }],
        }))
    }
}

/// svc-auth as far as svc-orders asks it: the payer's openid.
struct FakeAuth;

#[tonic::async_trait]
impl proto::auth::auth_server::Auth for FakeAuth {
    async fn user_profile(
        &self,
        request: Request<proto::auth::UserProfileRequest>,
    ) -> Result<Response<proto::auth::UserProfileReply>, Status> {
        let Some(proto::auth::user_profile_request::User::UserId(user_id)) =
            request.into_inner().user
        else {
            return Err(Status::invalid_argument("svc-orders asks by user id"));
        };
        Ok(Response::new(proto::auth::UserProfileReply {
            found: true,
            openid: format!("openid-of-{user_id}"),
            user_id,
        }))
    }
}

/// svc-community as far as svc-orders asks it: 生活缴费 is on.
struct FakeCommunity;

#[tonic::async_trait]
impl proto::community::community_server::Community for FakeCommunity {
    async fn module_enabled(
        &self,
        _: Request<proto::community::ModuleEnabledRequest>,
    ) -> Result<Response<proto::community::ModuleEnabledReply>, Status> {
        Ok(Response::new(proto::community::ModuleEnabledReply {
            enabled: true,
            msg: String::new(),
        }))
    }
}

/// svc-orders on a free port with its peers, and a client that signs as the gateway would.
struct TestService {
    client: OrdersClient<CallerChannel>,
    stop: support::Stop,
    /// The service's task: it ends once the service has stopped.
    served: tokio::task::JoinHandle<anyhow::Result<()>>,
    /// The service's database, as the service opened it.
    db: kit::db::Database,
    _sandbox: sandbox::Sandbox,
    _database: TestDatabase,
}

impl TestService {
    async fn spawn() -> Self {
        let database = TestDatabase::new("orders");
        let peers = support::serve_fakes(
            tonic::transport::Server::builder()
                .add_service(yb::registration_server::RegistrationServer::new(
                    FakeRegistry,
                ))
                .add_service(proto::auth::auth_server::AuthServer::new(FakeAuth))
                .add_service(proto::community::community_server::CommunityServer::new(
                    FakeCommunity,
                )),
        )
        .await;
        let sandbox = support::sandbox().await;
        let sandbox_url = sandbox.base_url();
        /// WeChat Pay and the security platform as configured by default, at this sandbox.
        #[derive(serde::Deserialize)]
        struct Outside {
            wxpay: wxpay::WxPaySettings,
            secplat: secplat::SecplatSettings,
            rental: svc_orders::config::ViewingSettings,
            alipay: alipay::AlipaySettings,
        }
        let outside: Outside = kit::settings::load_with(&[
            ("wxpay.base_url", sandbox_url.clone()),
            ("secplat.base_url", format!("{sandbox_url}/secplat")),
        ])
        .unwrap();
        let settings = Settings {
            telemetry: support::telemetry(),
            endpoints: support::endpoints(&peers),
            callers: kit::settings::CallerSettings::load().unwrap(),
            secplat: outside.secplat,
            wxpay: outside.wxpay,
            orders: support::listening(&database.url),
            reconciliation: ReconciliationSettings {
                interval_ms: 0,
                ..ReconciliationSettings::default()
            },
            rental: outside.rental,
            alipay: outside.alipay,
        };
        let cache: SharedCache = Arc::new(MemoryCache::new("test:"));
        let app = Application::build(settings, cache).await.unwrap();
        let addr = app.addr();
        let db = app.database();
        let (stop, stopped) = support::Stop::new();
        let served = tokio::spawn(app.run_until_stopped(stopped));
        let channel = support::signed_channel(addr, "gateway").await;
        Self {
            client: OrdersClient::new(channel),
            stop,
            served,
            db,
            _sandbox: sandbox,
            _database: database,
        }
    }

    fn orders(&self) -> OrdersClient<CallerChannel> {
        self.client.clone()
    }
}

fn house_101() -> pb::create_order_request::Payer {
    pb::create_order_request::Payer::House(pb::HouseAddress {
        louhao: 1,
        danyuan: 1,
        louceng: 1,
        fangjian: 101,
    })
}

fn by_phone(phone: &str) -> pb::create_order_request::Payer {
    pb::create_order_request::Payer::Phone(pb::PhonePayer {
        phone: phone.to_owned(),
        name: None,
    })
}

fn new_order(payer: pb::create_order_request::Payer, amount_fen: i64) -> pb::CreateOrderRequest {
    pb::CreateOrderRequest {
        platform: platform(&[COMMUNITY]),
        xiaoqu: COMMUNITY.to_owned(),
        payer: Some(payer),
        title: "物业费".to_owned(),
        amount_fen,
        ..Default::default()
    }
}

async fn create(
    service: &TestService,
    request: pb::CreateOrderRequest,
) -> Result<String, ServiceError> {
    service
        .orders()
        .create_order(signed(request))
        .await
        .map(|reply| reply.into_inner().order_number)
        .map_err(|status| ServiceError::from_status(&status))
}

async fn platform_list(service: &TestService, request: pb::ListOrdersRequest) -> pb::OrderPage {
    service
        .orders()
        .list_orders(signed(pb::ListOrdersRequest {
            platform: platform(&[COMMUNITY]),
            xiaoqu: COMMUNITY.to_owned(),
            ..request
        }))
        .await
        .unwrap()
        .into_inner()
}

async fn resident_list(service: &TestService, user_id: i64) -> pb::OrderPage {
    service
        .orders()
        .resident_orders(signed(pb::ResidentOrdersRequest {
            user_id,
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner()
}

#[tokio::test]
async fn orders_for_a_house_and_a_person_reach_the_platform_list_and_whoever_may_pay() {
    let service = TestService::spawn().await;
    let house_order = create(&service, new_order(house_101(), 1250))
        .await
        .unwrap();
    assert_eq!(house_order.len(), 20, "{house_order}");
    create(&service, new_order(by_phone(PAYER_PHONE), 100))
        .await
        .unwrap();

    let all = platform_list(&service, pb::ListOrdersRequest::default()).await;
    assert_eq!((all.orders.len(), all.total), (2, 2));
    let house = all.orders.iter().find(|o| o.number == house_order).unwrap();
    assert_eq!(
        (house.amount_fen, house.house_id, house.open, house.paied),
        (1250, HOUSE, true, false)
    );
    assert_eq!(house.manager, "晨曦家园", "the community's name by default");
    let in_building_1 = platform_list(
        &service,
        pb::ListOrdersRequest {
            house: Some(pb::AddressFilter {
                louhao: Some(1),
                ..Default::default()
            }),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(in_building_1.total, 1);
    let paid = platform_list(
        &service,
        pb::ListOrdersRequest {
            paied: Some(true),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(paid.total, 0);

    // The payer sees the house's order and their own; a tenant without the right sees none.
    assert_eq!(resident_list(&service, PAYER).await.total, 2);
    assert_eq!(resident_list(&service, TENANT).await.total, 0);
}

/// Once stopped, the service holds its database no longer: its outbox relay, notice sender,
/// refund and reconciliation loops and database watch have ended with its server, so the
/// database can be closed or dropped behind it (a benchmark dropping its PostgreSQL databases
/// found pools still trying to reconnect).
#[tokio::test]
async fn a_stopped_service_has_let_go_of_its_database() {
    let service = TestService::spawn().await;
    // Work for the background tasks: the order's notice waits in the outbox.
    create(&service, new_order(house_101(), 100)).await.unwrap();
    assert!(
        service.db.handles() > 1,
        "the running service holds its database"
    );
    let TestService {
        client,
        stop,
        served,
        db,
        ..
    } = service;
    drop((client, stop));
    tokio::time::timeout(Duration::from_secs(10), served)
        .await
        .expect("the service stops")
        .expect("its task")
        .expect("it stopped cleanly");
    assert_eq!(db.handles(), 1, "only the test's handle is left");
}

#[tokio::test]
async fn whom_an_order_is_for_decides_the_answer() {
    let service = TestService::spawn().await;
    let nobody_house = pb::create_order_request::Payer::House(pb::HouseAddress {
        louhao: 9,
        danyuan: 9,
        louceng: 9,
        fangjian: 909,
    });
    let error = create(&service, new_order(nobody_house, 100))
        .await
        .unwrap_err();
    assert_eq!(
        (error.kind, error.msg.as_str()),
        (ErrorKind::Nothing, "查无此房")
    );
    let error = create(&service, new_order(by_phone("13900000000"), 100))
        .await
        .unwrap_err();
    assert_eq!(
        (error.kind, error.msg.as_str()),
        (ErrorKind::Nothing, "查无此人")
    );
    let error = create(&service, new_order(by_phone(UNREGISTERED_PHONE), 100))
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotRegistered);

    let foreign = pb::CreateOrderRequest {
        platform: platform(&["10003"]),
        ..new_order(house_101(), 100)
    };
    let error = create(&service, foreign).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Forbidden);
}

#[tokio::test]
async fn an_address_filter_level_needs_the_one_above_it() {
    let service = TestService::spawn().await;
    let status = service
        .orders()
        .list_orders(signed(pb::ListOrdersRequest {
            platform: platform(&[COMMUNITY]),
            xiaoqu: COMMUNITY.to_owned(),
            house: Some(pb::AddressFilter {
                danyuan: Some(1),
                ..Default::default()
            }),
            ..Default::default()
        }))
        .await
        .unwrap_err();
    let error = ServiceError::from_status(&status);
    assert_eq!(error.kind, ErrorKind::Invalid);
    assert!(error.msg.starts_with("danyuan"), "{}", error.msg);
}

#[tokio::test]
async fn the_payer_places_one_wechat_pay_order_and_a_closed_order_cannot_be_paid() {
    let service = TestService::spawn().await;
    let number = create(&service, new_order(house_101(), 1250))
        .await
        .unwrap();
    let other = create(&service, new_order(house_101(), 300)).await.unwrap();
    let ids: Vec<i64> = platform_list(&service, pb::ListOrdersRequest::default())
        .await
        .orders
        .iter()
        .map(|order| order.id)
        .collect();
    let pay = |user_id: i64, ids: Vec<i64>| pb::PayRequest {
        user_id,
        ids,
        client_ip: "127.0.0.1".to_owned(),
    };

    let refused = service
        .orders()
        .pay(signed(pay(TENANT, ids.clone())))
        .await
        .unwrap_err();
    assert_eq!(
        ServiceError::from_status(&refused).kind,
        ErrorKind::Forbidden
    );

    let placed = service
        .orders()
        .pay(signed(pay(PAYER, ids.clone())))
        .await
        .unwrap()
        .into_inner();
    assert!(placed.package.starts_with("prepay_id="), "{placed:?}");
    assert!(!placed.pay_sign.is_empty());

    // Closing closes the WeChat Pay order first; the closed order is then refused.
    let closed = service
        .orders()
        .close_order(signed(pb::CloseOrderRequest {
            platform: platform(&[COMMUNITY]),
            xiaoqu: COMMUNITY.to_owned(),
            order: Some(pb::close_order_request::Order::Number(number.clone())),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (closed.number.as_str(), closed.open),
        (number.as_str(), false)
    );
    let refused = service
        .orders()
        .pay(signed(pay(PAYER, ids)))
        .await
        .unwrap_err();
    assert_eq!(
        ServiceError::from_status(&refused).kind,
        ErrorKind::Conflict
    );
    let still_open = platform_list(
        &service,
        pb::ListOrdersRequest {
            open: Some(true),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(still_open.orders.len(), 1);
    assert_eq!(still_open.orders[0].number, other);
}

#[tokio::test]
async fn a_page_kept_at_the_current_version_is_answered_unchanged_until_the_orders_change() {
    let service = TestService::spawn().await;
    let number = create(&service, new_order(house_101(), 1250))
        .await
        .unwrap();
    let known = |version: i64| pb::ListOrdersRequest {
        known_version: Some(version),
        ..Default::default()
    };
    let first = platform_list(&service, pb::ListOrdersRequest::default()).await;
    assert!(first.version > 0 && !first.unchanged, "{first:?}");
    assert_eq!(first.orders.len(), 1);

    let again = platform_list(&service, known(first.version)).await;
    assert!(again.unchanged, "{again:?}");
    assert_eq!((again.version, again.orders.len()), (first.version, 0));
    // An older version gets the page.
    let older = platform_list(&service, known(first.version - 1)).await;
    assert!(!older.unchanged);
    assert_eq!((older.version, older.orders.len()), (first.version, 1));

    // A change of the community's orders: a greater version and the page as it now is.
    service
        .orders()
        .close_order(signed(pb::CloseOrderRequest {
            platform: platform(&[COMMUNITY]),
            xiaoqu: COMMUNITY.to_owned(),
            order: Some(pb::close_order_request::Order::Number(number)),
        }))
        .await
        .unwrap();
    let closed = platform_list(&service, known(first.version)).await;
    assert!(
        !closed.unchanged && closed.version > first.version,
        "{closed:?}"
    );
    assert!(!closed.orders[0].open);
    create(&service, new_order(by_phone(PAYER_PHONE), 100))
        .await
        .unwrap();
    let created = platform_list(&service, known(closed.version)).await;
    assert!(!created.unchanged && created.version > closed.version);
    assert_eq!((created.orders.len(), created.total), (2, 2));

    // A person's orders depend on whom svc-yibiaosanshi finds too: no version, never unchanged.
    let by_person = pb::ListOrdersRequest {
        person: Some(pb::PersonFilter {
            phone: Some(PAYER_PHONE.to_owned()),
            ..Default::default()
        }),
        ..known(created.version)
    };
    let person = platform_list(&service, by_person).await;
    assert_eq!(
        (person.version, person.unchanged, person.total),
        (0, false, 1)
    );

    // The caller is checked first: another community's credential learns nothing.
    let refused = service
        .orders()
        .list_orders(signed(pb::ListOrdersRequest {
            platform: platform(&["10003"]),
            xiaoqu: COMMUNITY.to_owned(),
            known_version: Some(created.version),
            ..Default::default()
        }))
        .await
        .unwrap_err();
    assert_eq!(
        ServiceError::from_status(&refused).kind,
        ErrorKind::Forbidden
    );
}
