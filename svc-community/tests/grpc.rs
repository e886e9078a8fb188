//! svc-community over gRPC on port 0: a fake svc-yibiaosanshi says where residents are bound
//! and hears the module switches, the sandbox plays the security platform (module states), and
//! each test has its own database (SQLite, or PostgreSQL when `WJDH_TEST_POSTGRES_URL` is set)
//! and object directory.
#![allow(clippy::unwrap_used)]

#[path = "../../kit/tests/support/database.rs"]
mod database;
#[path = "../../kit/tests/support/grpc.rs"]
mod support;

use std::sync::{Arc, Mutex};

use database::TestDatabase;
use kit::cache::{MemoryCache, SharedCache};
use kit::caller::CallerChannel;
use kit::error::{ErrorKind, ServiceError};
use proto::community as pb;
use proto::community::community_client::CommunityClient;
use proto::yibiaosanshi as yb;
use support::{platform, signed};
use svc_community::config::{ModuleSyncSettings, Settings};
use svc_community::startup::Application;
use tonic::{Request, Response, Status};

const COMMUNITY: &str = "10002";
/// Bound to house 11 of 10002.
const RESIDENT: i64 = 7;
/// Bound nowhere.
const STRANGER: i64 = 9;
const HOUSE: i64 = 11;

/// svc-yibiaosanshi as far as svc-community asks it; the switches it was told.
#[derive(Clone, Default)]
struct FakeRegistry(Arc<Mutex<Vec<yb::ModuleSwitch>>>);

#[tonic::async_trait]
impl yb::registration_server::Registration for FakeRegistry {
    async fn resident_houses(
        &self,
        request: Request<yb::ResidentHousesRequest>,
    ) -> Result<Response<yb::ResidentHousesReply>, Status> {
        let houses = if request.into_inner().user_id == RESIDENT {
            vec![yb::ResidentHouse {
                binding_id: 1,
                house_id: HOUSE,
                community_identifier: COMMUNITY.to_owned(),
                introduction: "晨曦家园1栋1单元1楼101号".to_owned(),
                role: "业主".to_owned(),
                manage: true,
                pay: true,
                activated: true,
            }]
        } else {
            Vec::new()
        };
        Ok(Response::new(yb::ResidentHousesReply { houses }))
    }

    async fn community_residents(
        &self,
        request: Request<yb::CommunityResidentsRequest>,
    ) -> Result<Response<yb::CommunityResidentsReply>, Status> {
        let user_ids = if request.into_inner().community_identifier == COMMUNITY {
            vec![RESIDENT]
        } else {
            Vec::new()
        };
        Ok(Response::new(yb::CommunityResidentsReply { user_ids }))
    }

    async fn set_module_switches(
        &self,
        request: Request<yb::ModuleSwitchesRequest>,
    ) -> Result<Response<yb::ModuleSwitchesReply>, Status> {
        let switches = request.into_inner().switches;
        let stored = i64::try_from(switches.len()).unwrap_or_default();
        self.0.lock().unwrap().extend(switches);
        Ok(Response::new(yb::ModuleSwitchesReply { stored }))
    }
}

#[tonic::async_trait]
impl yb::addresses_server::Addresses for FakeRegistry {
    async fn list_communities(
        &self,
        _: Request<yb::ListCommunitiesRequest>,
    ) -> Result<Response<yb::CommunityList>, Status> {
        Ok(Response::new(support::one_community()))
    }
}

/// svc-community on a free port with its peers, and a client that signs as the gateway.
struct TestService {
    client: CommunityClient<CallerChannel>,
    registry: FakeRegistry,
    _stop: support::Stop,
    _sandbox: sandbox::Sandbox,
    _objects: tempfile::TempDir,
    _database: TestDatabase,
}

impl TestService {
    async fn spawn() -> Self {
        let database = TestDatabase::new("community");
        let registry = FakeRegistry::default();
        let peers = support::serve_fakes(
            tonic::transport::Server::builder()
                .add_service(yb::registration_server::RegistrationServer::new(
                    registry.clone(),
                ))
                .add_service(yb::addresses_server::AddressesServer::new(registry.clone())),
        )
        .await;
        let sandbox = support::sandbox().await;
        let objects = tempfile::tempdir().unwrap();
        /// The security platform and object storage as configured by default, here.
        #[derive(serde::Deserialize)]
        struct Outside {
            secplat: secplat::SecplatSettings,
            objects: kit::settings::ObjectStoreSettings,
            rental: svc_community::config::RentalSettings,
        }
        let outside: Outside = kit::settings::load_with(&[
            (
                "secplat.base_url",
                format!("{}/secplat", sandbox.base_url()),
            ),
            ("objects.local_dir", objects.path().display().to_string()),
        ])
        .unwrap();
        let settings = Settings {
            telemetry: support::telemetry(),
            endpoints: support::endpoints(&peers),
            callers: kit::settings::CallerSettings::load().unwrap(),
            secplat: outside.secplat,
            objects: outside.objects,
            community: support::listening(&database.url),
            module_sync: ModuleSyncSettings {
                interval_seconds: 0,
            },
            rental: outside.rental,
        };
        let cache: SharedCache = Arc::new(MemoryCache::new("test:"));
        let app = Application::build(settings, cache).await.unwrap();
        app.sync_modules().await.unwrap();
        let addr = app.addr();
        let (stop, stopped) = support::Stop::new();
        tokio::spawn(app.run_until_stopped(stopped));
        Self {
            client: CommunityClient::new(support::signed_channel(addr, "gateway").await),
            registry,
            _stop: stop,
            _sandbox: sandbox,
            _objects: objects,
            _database: database,
        }
    }

    fn community(&self) -> CommunityClient<CallerChannel> {
        self.client.clone()
    }
}

fn resident(user_id: i64) -> Option<pb::ResidentRef> {
    Some(pb::ResidentRef {
        user_id,
        phone: "15131512234".to_owned(),
    })
}

fn error(status: Status) -> ServiceError {
    ServiceError::from_status(&status)
}

fn repair_for(user_id: i64) -> pb::FileRepairRequest {
    pb::FileRepairRequest {
        resident: resident(user_id),
        house_id: HOUSE,
        possion: "厨房".to_owned(),
        description: "水管漏水".to_owned(),
        ..Default::default()
    }
}

async fn act(
    service: &TestService,
    id: i64,
    action: pb::RepairAction,
    pay_part: pb::PayPart,
) -> Result<pb::Repair, ServiceError> {
    service
        .community()
        .update_repair(signed(pb::UpdateRepairRequest {
            platform: platform(&[COMMUNITY]),
            id,
            action: action.into(),
            pay_part: pay_part.into(),
            ..Default::default()
        }))
        .await
        .map(Response::into_inner)
        .map_err(error)
}

#[tokio::test]
async fn a_repair_goes_from_the_resident_through_the_platforms_stages_to_done() {
    let service = TestService::spawn().await;
    let filed = service
        .community()
        .file_repair(signed(repair_for(RESIDENT)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            filed.stage.as_str(),
            filed.status,
            filed.community_identifier.as_str()
        ),
        ("NEW", 0, COMMUNITY)
    );
    assert_eq!(filed.house_introduction, "晨曦家园1栋1单元1楼101号");

    let listed = service
        .community()
        .list_repairs(signed(pb::ListRepairsRequest {
            platform: platform(&[COMMUNITY]),
            xiaoqu: COMMUNITY.to_owned(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.total, 1);

    use pb::{PayPart, RepairAction};
    let received = act(
        &service,
        filed.id,
        RepairAction::Receive,
        PayPart::Unspecified,
    )
    .await
    .unwrap();
    assert_eq!(received.stage, "RECEIVE");
    // Done needs who pays; then the repair is solved.
    let error = act(&service, filed.id, RepairAction::Done, PayPart::Unspecified)
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Invalid);
    act(
        &service,
        filed.id,
        RepairAction::Repair,
        PayPart::Unspecified,
    )
    .await
    .unwrap();
    let done = act(&service, filed.id, RepairAction::Done, PayPart::OwnerSett)
        .await
        .unwrap();
    assert_eq!((done.stage.as_str(), done.status), ("DONE", 1));
    assert_eq!(done.pay_part, "OWNER_SETT");
    assert_eq!(done.steps.len(), 3);

    let mine = service
        .community()
        .my_repair(signed(pb::ResidentRecord {
            resident: resident(RESIDENT),
            id: filed.id,
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(mine.stage, "DONE");
}

#[tokio::test]
async fn nobody_outside_the_house_or_the_community_reaches_a_repair() {
    let service = TestService::spawn().await;
    let refused = service
        .community()
        .file_repair(signed(repair_for(STRANGER)))
        .await
        .unwrap_err();
    assert_eq!(error(refused).kind, ErrorKind::Forbidden);

    let filed = service
        .community()
        .file_repair(signed(repair_for(RESIDENT)))
        .await
        .unwrap()
        .into_inner();
    let foreign = service
        .community()
        .get_repair(signed(pb::PlatformRecord {
            platform: platform(&["10003"]),
            id: filed.id,
        }))
        .await
        .unwrap_err();
    assert_ne!(error(foreign).kind, ErrorKind::Invalid);
    let not_theirs = service
        .community()
        .my_repair(signed(pb::ResidentRecord {
            resident: resident(STRANGER),
            id: filed.id,
        }))
        .await
        .unwrap_err();
    assert_ne!(error(not_theirs).kind, ErrorKind::Invalid);
}

#[tokio::test]
async fn a_module_switched_off_stops_its_feature_and_the_registry_hears_the_ones_it_obeys() {
    let service = TestService::spawn().await;
    let switch = |status: bool, module: &str| pb::ChangeModuleRequest {
        platform: platform(&[COMMUNITY]),
        xiaoqu: COMMUNITY.to_owned(),
        module_name: module.to_owned(),
        module_status: status,
    };
    service
        .community()
        .change_module(signed(switch(false, "物业报修")))
        .await
        .unwrap();
    let refused = service
        .community()
        .file_repair(signed(repair_for(RESIDENT)))
        .await
        .unwrap_err();
    let refused = error(refused);
    assert_eq!(refused.kind, ErrorKind::Forbidden);
    assert!(refused.msg.contains("报修"), "{}", refused.msg);

    service
        .community()
        .change_module(signed(switch(false, "绑定房屋")))
        .await
        .unwrap();
    let told = service.registry.0.lock().unwrap().clone();
    assert!(
        told.iter().any(|s| s.community_identifier == COMMUNITY
            && s.module_name == "绑定房屋"
            && !s.enabled),
        "{told:?}"
    );
}

#[tokio::test]
async fn announcements_reach_the_residents_of_their_community_while_open() {
    let service = TestService::spawn().await;
    let created = service
        .community()
        .create_announcement(signed(pb::CreateAnnouncementRequest {
            platform: platform(&[COMMUNITY]),
            xiaoqu: COMMUNITY.to_owned(),
            title: "停水通知".to_owned(),
            content: "明日停水".to_owned(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(created.manager, "晨曦家园物业");
    let seen = |user_id: i64| {
        let mut client = service.community();
        async move {
            client
                .resident_announcements(signed(pb::ResidentAnnouncementsRequest {
                    resident: resident(user_id),
                    xiaoqu: COMMUNITY.to_owned(),
                    ..Default::default()
                }))
                .await
        }
    };
    assert_eq!(seen(RESIDENT).await.unwrap().into_inner().total, 1);
    assert!(seen(STRANGER).await.is_err());

    service
        .community()
        .edit_announcement(signed(pb::EditAnnouncementRequest {
            platform: platform(&[COMMUNITY]),
            id: created.id,
            status: Some(false),
            ..Default::default()
        }))
        .await
        .unwrap();
    assert_eq!(seen(RESIDENT).await.unwrap().into_inner().total, 0);
}
