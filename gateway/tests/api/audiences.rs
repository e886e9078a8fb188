//! The platform's routes hear 001 §1.1.1.4 and refuse a resident's token (and the other way round).
use std::sync::Arc;

use actix_web::{HttpResponse, test, web};
use gateway::auth::{PlatformCaller, ResidentCaller};
use gateway::config::Settings;
use gateway::params::ParamsLimits;
use gateway::startup::app;
use gateway::state::AppState;
use serde_json::{Value, json};

use crate::fake_auth::{PLATFORM_TOKEN, RESIDENT_TOKEN};

async fn platform_probe(caller: PlatformCaller) -> HttpResponse {
    HttpResponse::Ok().json(json!({"communities": caller.communities}))
}

async fn resident_probe(caller: ResidentCaller) -> HttpResponse {
    HttpResponse::Ok().json(json!({"user_id": caller.user_id}))
}

#[actix_web::test]
async fn each_audience_gets_its_own_refusals() {
    let auth = crate::fake_auth::spawn().await;
    let settings: Settings =
        kit::settings::load_with(&[("endpoints.auth", auth)]).expect("settings");
    let cache: kit::cache::SharedCache = Arc::new(kit::cache::MemoryCache::new("audiences:"));
    let state = web::Data::new(AppState::new(&settings, cache).expect("state"));
    let service = test::init_service(
        app(state, ParamsLimits::default())
            .route("/api/v1/wjdh/probe", web::post().to(platform_probe))
            .route("/api/v1/probe", web::post().to(resident_probe)),
    )
    .await;
    let call = |path: &'static str, token: Option<&'static str>| {
        let mut request = test::TestRequest::post().uri(path);
        if let Some(token) = token {
            request = request.insert_header(("authorization", format!("Bearer {token}")));
        }
        request.to_request()
    };

    let response = test::call_service(&service, call("/api/v1/wjdh/probe", Some("stale"))).await;
    assert_eq!(response.status().as_u16(), 401);
    let body: Value = test::read_body_json(response).await;
    assert_eq!(
        body,
        json!({"code":9,"token_expired":0,"msg":"请重新建立智慧平台鉴权连接",
            "message":"token值因各种原因而失效，请重新调用接口获取token","data":null})
    );
    let response = test::call_service(&service, call("/api/v1/wjdh/probe", None)).await;
    assert_eq!(response.status().as_u16(), 401);
    let response =
        test::call_service(&service, call("/api/v1/wjdh/probe", Some(RESIDENT_TOKEN))).await;
    assert_eq!(response.status().as_u16(), 403);
    let body: Value = test::read_body_json(response).await;
    assert_eq!(body["code"], 1);
    let response =
        test::call_service(&service, call("/api/v1/wjdh/probe", Some(PLATFORM_TOKEN))).await;
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = test::read_body_json(response).await;
    assert_eq!(body["communities"], json!(["10002"]));

    let response = test::call_service(&service, call("/api/v1/probe", Some(PLATFORM_TOKEN))).await;
    assert_eq!(response.status().as_u16(), 403);
    let response = test::call_service(&service, call("/api/v1/probe", Some(RESIDENT_TOKEN))).await;
    let body: Value = test::read_body_json(response).await;
    assert_eq!(body["user_id"], 7);
}
