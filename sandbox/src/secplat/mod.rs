//! The security platform (安防平台) of seed 001, under `/secplat`: token (§1.1.1), people by
//! phone and name (§1.1.2, by phone alone as 002 did), owner by address (§1.1.3), payment
//! results (§2.2.1), module states (§3.1.1); and the test helpers `GET /secplat/payments`,
//! `POST /secplat/fail` and `POST /secplat/expire-tokens`.
//!
//! Bodies may be form-urlencoded or JSON; answers are JSON in the seed's shape.

mod fixture;
mod platform;

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::params::request_params;
use fixture::AddressQuery;
use kit::types::mask_phone;
use platform::PaymentResult;
pub(crate) use platform::Platform;

pub(crate) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/secplat")
            .route("/token", web::post().to(token))
            .route("/people", web::post().to(people))
            .route("/owner", web::post().to(owner))
            .route("/modules", web::post().to(modules))
            .service(
                web::resource("/payments")
                    .route(web::post().to(payment_result))
                    .route(web::get().to(list_payments)),
            )
            .route("/fail", web::post().to(fail))
            .route("/expire-tokens", web::post().to(expire_tokens)),
    );
}

type Params = BTreeMap<String, String>;

fn answer(body: Value) -> HttpResponse {
    HttpResponse::Ok().json(body)
}

/// §1.1.1.4, word for word.
fn token_lapsed() -> HttpResponse {
    answer(json!({
        "code": 9,
        "token_expired": 0,
        "msg": "请重新建立智慧平台鉴权连接",
        "message": "token值因各种原因而失效，请重新调用接口获取token",
    }))
}

/// What a failing-on-demand call answers.
fn outage() -> HttpResponse {
    HttpResponse::ServiceUnavailable().json(json!({
        "code": 1,
        "msg": "安防平台暂时不可用",
        "message": "sandbox: failing on demand (POST /secplat/fail)",
    }))
}

/// A helper's own error: HTTP 400 with `{"error": ...}`.
fn helper_error(message: &str) -> HttpResponse {
    HttpResponse::BadRequest().json(json!({ "error": message }))
}

/// A present, non-blank parameter.
fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params
        .get(name)
        .map(|value| value.trim())
        .filter(|value| !value.is_empty())
}

fn missing(name: &str) -> HttpResponse {
    answer(json!({"code": 1, "msg": format!("缺少参数{name}")}))
}

/// Why a platform call is turned away before its own work.
enum Refusal {
    /// Failing on demand: HTTP 503.
    Outage,
    /// No token, or one that lapsed: code 9.
    TokenLapsed,
}

impl Refusal {
    fn into_response(self) -> HttpResponse {
        match self {
            Self::Outage => outage(),
            Self::TokenLapsed => token_lapsed(),
        }
    }
}

/// What every platform endpoint does first: fail on demand, read the parameters, check the token.
fn admit(
    req: &HttpRequest,
    body: &[u8],
    platform: &Platform,
    needs_token: bool,
) -> Result<Params, Refusal> {
    if platform.take_failure() {
        tracing::info!(path = req.path(), "security platform failing on demand");
        return Err(Refusal::Outage);
    }
    let params = request_params(req, body);
    if needs_token
        && !param(&params, "token").is_some_and(|token| platform.token_is_valid(token, Utc::now()))
    {
        return Err(Refusal::TokenLapsed);
    }
    Ok(params)
}

/// `POST /secplat/token` `{key_k, key_d}`.
async fn token(req: HttpRequest, body: web::Bytes, platform: web::Data<Platform>) -> HttpResponse {
    let params = match admit(&req, &body, &platform, false) {
        Ok(params) => params,
        Err(refusal) => return refusal.into_response(),
    };
    let key_k = param(&params, "key_k").unwrap_or_default();
    let key_d = param(&params, "key_d").unwrap_or_default();
    match platform.issue_token(key_k, key_d, Utc::now()) {
        Some(token) => {
            tracing::info!("security platform issued a token");
            answer(json!({"code": 0, "msg": "token获取成功", "token": token}))
        }
        None => {
            tracing::info!("security platform refused a token: wrong keys");
            answer(json!({"code": 1, "msg": "token获取失败"}))
        }
    }
}

/// `POST /secplat/people` `{name, phone, token}`; `name` may be left out.
async fn people(req: HttpRequest, body: web::Bytes, platform: web::Data<Platform>) -> HttpResponse {
    let params = match admit(&req, &body, &platform, true) {
        Ok(params) => params,
        Err(refusal) => return refusal.into_response(),
    };
    let Some(phone) = param(&params, "phone") else {
        return missing("phone");
    };
    let name = param(&params, "name");
    match platform.fixture.find_person(phone, name) {
        Some(person) => {
            tracing::info!(phone = %mask_phone(phone), "security platform found a person");
            answer(json!({"code": 0, "msg": "查找成功", "data": person}))
        }
        None => {
            tracing::info!(phone = %mask_phone(phone), "security platform found nobody");
            answer(json!({"code": 2, "msg": "没有查找到该用户"}))
        }
    }
}

/// `POST /secplat/owner` `{community_identifier, building_number, unit_number, floor_number,
/// house_number, token}`.
async fn owner(req: HttpRequest, body: web::Bytes, platform: web::Data<Platform>) -> HttpResponse {
    let params = match admit(&req, &body, &platform, true) {
        Ok(params) => params,
        Err(refusal) => return refusal.into_response(),
    };
    let mut levels = [""; 5];
    let names = [
        "community_identifier",
        "building_number",
        "unit_number",
        "floor_number",
        "house_number",
    ];
    for (level, name) in levels.iter_mut().zip(names) {
        let Some(value) = param(&params, name) else {
            return missing(name);
        };
        *level = value;
    }
    let [
        community_identifier,
        building_number,
        unit_number,
        floor_number,
        house_number,
    ] = levels;
    let address = AddressQuery {
        community_identifier,
        building_number,
        unit_number,
        floor_number,
        house_number,
    };
    match platform.fixture.find_owner(&address) {
        Some(owner) => answer(json!({"code": 0, "msg": "查找成功", "data": owner})),
        None => answer(json!({"code": 2, "msg": "没有查找到该房屋的业主"})),
    }
}

/// `POST /secplat/modules` `{token}`: `data` is a JSON string, as §3.1.1 shows.
async fn modules(
    req: HttpRequest,
    body: web::Bytes,
    platform: web::Data<Platform>,
) -> HttpResponse {
    if let Err(refusal) = admit(&req, &body, &platform, true) {
        return refusal.into_response();
    }
    answer(json!({"code": 0, "data": platform.fixture.modules_text()}))
}

/// `POST /secplat/payments` `{order_number, shop_number, weixin_number, token}`.
async fn payment_result(
    req: HttpRequest,
    body: web::Bytes,
    platform: web::Data<Platform>,
) -> HttpResponse {
    let params = match admit(&req, &body, &platform, true) {
        Ok(params) => params,
        Err(refusal) => return refusal.into_response(),
    };
    let mut fields = [""; 3];
    for (field, name) in fields
        .iter_mut()
        .zip(["order_number", "shop_number", "weixin_number"])
    {
        let Some(value) = param(&params, name) else {
            // §2.3.2.3: 2 保存失败.
            return answer(json!({"code": 2, "msg": format!("保存失败：缺少参数{name}")}));
        };
        *field = value;
    }
    let [order_number, shop_number, weixin_number] = fields;
    tracing::info!(order_number, "security platform received a payment result");
    platform.record_payment(PaymentResult {
        order_number: order_number.to_owned(),
        shop_number: shop_number.to_owned(),
        weixin_number: weixin_number.to_owned(),
        received_at: Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
    });
    answer(json!({"code": 0}))
}

/// `GET /secplat/payments`: what §2.2.1 delivered, oldest first. Never fails on demand.
async fn list_payments(platform: web::Data<Platform>) -> HttpResponse {
    HttpResponse::Ok().json(platform.payments())
}

/// `POST /secplat/fail` `{"times": N}`: the next N platform calls answer 503.
async fn fail(req: HttpRequest, body: web::Bytes, platform: web::Data<Platform>) -> HttpResponse {
    let params = request_params(&req, &body);
    let Some(times) = params
        .get("times")
        .and_then(|times| times.trim().parse::<u32>().ok())
    else {
        return helper_error("times must be a whole number of calls");
    };
    platform.fail_next(times);
    tracing::info!(times, "security platform will fail on demand");
    HttpResponse::Ok().json(json!({ "times": times }))
}

/// `POST /secplat/expire-tokens`: every token issued so far lapses. A helper: never fails on demand.
async fn expire_tokens(platform: web::Data<Platform>) -> HttpResponse {
    let expired = platform.expire_tokens(Utc::now());
    tracing::info!(expired, "security platform tokens expired on demand");
    HttpResponse::Ok().json(json!({ "expired": expired }))
}
