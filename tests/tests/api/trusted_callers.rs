//! Services trust a caller only through the calling component's signed assertion (`x-wjdh-caller`,
//! kit::caller), never through the `ResidentRef` / `PlatformRef` of a request body: called
//! directly, on their own ports, they refuse a call without a valid assertion, and a body naming
//! anyone the gateway did not assert.
use std::net::SocketAddr;
use std::time::Duration;

use kit::caller::{Acting, GATEWAY, Signer};
use proto::caller::{PlatformRef, ResidentRef};
use tonic::Code;
use tonic::transport::Channel;

use crate::helpers::spawn_app;

fn raw_channel(addr: SocketAddr) -> Channel {
    kit::grpc::lazy_channel(&format!("http://{addr}"), Duration::from_secs(10)).unwrap()
}

fn key() -> String {
    kit::settings::CallerSettings::load().unwrap().key
}

/// `message` with `assertion` in its metadata, as a caller holding it would send it.
fn with_assertion<T>(message: T, assertion: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request
        .metadata_mut()
        .insert(kit::caller::HEADER, assertion.parse().unwrap());
    request
}

fn profile() -> proto::auth::UserProfileRequest {
    proto::auth::UserProfileRequest {
        user: Some(proto::auth::user_profile_request::User::UserId(1)),
    }
}

#[tokio::test]
async fn a_call_without_a_valid_assertion_is_unauthenticated() {
    let app = spawn_app().await;
    let mut auth = proto::auth::auth_client::AuthClient::new(raw_channel(app.stack.auth));

    let bare = auth.user_profile(profile()).await.unwrap_err();
    assert_eq!(bare.code(), Code::Unauthenticated, "{bare:?}");

    let gateway = Signer::new(GATEWAY, &key()).unwrap();
    let expired = gateway
        .sign_at(None, kit::time::now_unix() - 2 * kit::caller::TTL_SECONDS)
        .unwrap();
    let refused = auth
        .user_profile(with_assertion(profile(), &expired))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::Unauthenticated, "{refused:?}");

    let wrong_key = Signer::new(GATEWAY, "someone-else's-key-of-32-bytes-or-more")
        .unwrap()
        .sign(None)
        .unwrap();
    let refused = auth
        .user_profile(with_assertion(profile(), &wrong_key))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::Unauthenticated, "{refused:?}");

    // Every service refuses alike; only gRPC health answers without an assertion (probes).
    let mut orders = proto::orders::orders_client::OrdersClient::new(raw_channel(app.stack.orders));
    let refused = orders
        .list_bills(proto::orders::ListBillsRequest::default())
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::Unauthenticated, "{refused:?}");
    let mut community =
        proto::community::community_client::CommunityClient::new(raw_channel(app.stack.community));
    let refused = community
        .module_enabled(proto::community::ModuleEnabledRequest::default())
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::Unauthenticated, "{refused:?}");
    let mut health =
        tonic_health::pb::health_client::HealthClient::new(raw_channel(app.stack.yibiaosanshi));
    let serving = health
        .check(tonic_health::pb::HealthCheckRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(serving.status, 1);

    // The same call with a valid assertion answers.
    let answered = auth
        .user_profile(with_assertion(profile(), &gateway.sign(None).unwrap()))
        .await;
    assert!(answered.is_ok(), "{answered:?}");
    app.stop().await;
}

#[tokio::test]
async fn a_body_naming_another_resident_than_the_gateway_asserted_is_denied() {
    let app = spawn_app().await;
    let gateway = Signer::new(GATEWAY, &key()).unwrap();
    let mut registration = proto::yibiaosanshi::registration_client::RegistrationClient::new(
        raw_channel(app.stack.yibiaosanshi),
    );
    let houses_of = |user_id: i64| proto::yibiaosanshi::MyHousesRequest {
        resident: Some(ResidentRef {
            user_id,
            phone: String::new(),
        }),
    };
    let for_resident_1 = gateway.sign(Some(&Acting::Resident(1))).unwrap();
    let denied = registration
        .list_my_houses(with_assertion(houses_of(2), &for_resident_1))
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Code::PermissionDenied, "{denied:?}");
    let own = registration
        .list_my_houses(with_assertion(houses_of(1), &for_resident_1))
        .await;
    assert!(own.is_ok(), "{own:?}");

    // The gateway acting for nobody names nobody.
    let for_nobody = gateway.sign(None).unwrap();
    let denied = registration
        .list_my_houses(with_assertion(houses_of(1), &for_nobody))
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Code::PermissionDenied, "{denied:?}");
    app.stop().await;
}

#[tokio::test]
async fn a_platform_body_with_other_communities_than_asserted_is_denied() {
    let app = spawn_app().await;
    let gateway = Signer::new(GATEWAY, &key()).unwrap();
    let mut orders = proto::orders::orders_client::OrdersClient::new(raw_channel(app.stack.orders));
    let bills_as = |credential_id: i64, communities: &[&str]| proto::orders::ListBillsRequest {
        platform: Some(PlatformRef {
            credential_id,
            secret_id: "jyl-demo".to_owned(),
            communities: communities.iter().map(|c| (*c).to_owned()).collect(),
        }),
        xiaoqu: "10003".to_owned(),
        ..Default::default()
    };
    let for_10003 = gateway
        .sign(Some(&Acting::Platform {
            credential_id: 2,
            communities: vec!["10003".to_owned()],
        }))
        .unwrap();
    for body in [
        bills_as(2, &["10002"]),
        bills_as(2, &["10002", "10003"]),
        bills_as(1, &["10003"]),
    ] {
        let denied = orders
            .list_bills(with_assertion(body, &for_10003))
            .await
            .unwrap_err();
        assert_eq!(denied.code(), Code::PermissionDenied, "{denied:?}");
    }
    // A resident's assertion cannot carry a platform body either.
    let for_resident = gateway.sign(Some(&Acting::Resident(1))).unwrap();
    let denied = orders
        .list_bills(with_assertion(bills_as(2, &["10003"]), &for_resident))
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Code::PermissionDenied, "{denied:?}");
    // What the gateway asserted passes: the credential's bills of its own community.
    let passed = orders
        .list_bills(with_assertion(bills_as(2, &["10003"]), &for_10003))
        .await;
    assert!(passed.is_ok(), "{passed:?}");
    app.stop().await;
}
