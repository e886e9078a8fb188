//! WeChat's mini-program server APIs (code2session, access_token, phone numbers, subscribe
//! messages) and the `encrypt-phone` helper that plays the mini-program's `getPhoneNumber` button.

mod crypto;
mod subscribe;

pub(crate) use subscribe::Subscriptions;

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::params::parse_pairs;
use crate::state::{ACCESS_TOKEN_TTL_SECS, AppState, TokenStatus};
use crypto::{PhoneInfo, Watermark};
use kit::types::mask_phone;

pub(crate) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sns/jscode2session", web::get().to(code2session))
        .route("/cgi-bin/token", web::get().to(access_token))
        .route(
            "/wxa/business/getuserphonenumber",
            web::post().to(get_user_phone_number),
        )
        .route("/wechat/encrypt-phone", web::post().to(encrypt_phone))
        .configure(subscribe::routes);
}

/// WeChat answers errors with HTTP 200 and an errcode.
fn wx_error(errcode: i64, errmsg: &str) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"errcode": errcode, "errmsg": errmsg}))
}

fn system_error() -> HttpResponse {
    wx_error(-1, "system error")
}

/// A helper's own error: HTTP 400 with `{"error": ...}`.
fn helper_error(message: &str) -> HttpResponse {
    HttpResponse::BadRequest().json(serde_json::json!({"error": message}))
}

/// An openid a `sandbox:<openid>` code may carry: 1–64 characters of `[A-Za-z0-9_-]`.
fn is_valid_openid(openid: &str) -> bool {
    !openid.is_empty()
        && openid.len() <= 64
        && openid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Checks appid and secret as WeChat does; `None` when both are ours.
fn check_app_credentials(
    state: &AppState,
    appid: Option<&String>,
    secret: Option<&String>,
) -> Option<HttpResponse> {
    let settings = &state.settings;
    match (appid, secret) {
        (None, _) => Some(wx_error(41002, "appid missing")),
        (Some(appid), _) if *appid != settings.wechat_appid => {
            Some(wx_error(40013, "invalid appid"))
        }
        (_, None) => Some(wx_error(41004, "appsecret missing")),
        (_, Some(secret)) if *secret != settings.wechat_secret => {
            Some(wx_error(40125, "invalid appsecret"))
        }
        _ => None,
    }
}

#[derive(Serialize)]
struct Session {
    openid: String,
    session_key: String,
}

/// `GET /sns/jscode2session?appid=&secret=&js_code=&grant_type=authorization_code`
async fn code2session(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let query = parse_pairs(req.query_string());
    if let Some(refusal) = check_app_credentials(&state, query.get("appid"), query.get("secret")) {
        return refusal;
    }
    if query.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return wx_error(40002, "invalid grant_type");
    }
    let Some(js_code) = query.get("js_code").filter(|code| !code.is_empty()) else {
        return wx_error(41008, "missing code");
    };
    let Some(openid) = js_code
        .strip_prefix("sandbox:")
        .filter(|openid| is_valid_openid(openid))
    else {
        tracing::info!("jscode2session refused an unknown js_code");
        return wx_error(40029, "invalid code");
    };
    let Ok(key) = crypto::derive_session_key(&state.settings.wechat_secret, openid) else {
        return system_error();
    };
    tracing::info!(openid, "jscode2session issued a session");
    HttpResponse::Ok().json(Session {
        openid: openid.to_owned(),
        session_key: crypto::encode(&key),
    })
}

#[derive(Serialize)]
struct AccessToken {
    access_token: String,
    expires_in: i64,
}

/// `GET /cgi-bin/token?grant_type=client_credential&appid=&secret=`
async fn access_token(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let query = parse_pairs(req.query_string());
    if let Some(refusal) = check_app_credentials(&state, query.get("appid"), query.get("secret")) {
        return refusal;
    }
    if query.get("grant_type").map(String::as_str) != Some("client_credential") {
        return wx_error(40002, "invalid grant_type");
    }
    tracing::info!("issued an access_token");
    HttpResponse::Ok().json(AccessToken {
        access_token: state.issue_access_token(Utc::now()),
        expires_in: ACCESS_TOKEN_TTL_SECS,
    })
}

#[derive(Serialize)]
struct PhoneNumberAnswer<'a> {
    errcode: i64,
    errmsg: &'a str,
    phone_info: PhoneInfo<'a>,
}

/// An 11-digit number after `sandbox-phone:`.
fn phone_in_code(code: &str) -> Option<&str> {
    code.strip_prefix("sandbox-phone:")
        .filter(|phone| phone.len() == 11 && phone.bytes().all(|b| b.is_ascii_digit()))
}

/// `POST /wxa/business/getuserphonenumber?access_token=TOKEN` with `{"code": ...}`.
async fn get_user_phone_number(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let now = Utc::now();
    let query = parse_pairs(req.query_string());
    let Some(token) = query.get("access_token").filter(|token| !token.is_empty()) else {
        return wx_error(41001, "access_token missing");
    };
    match state.access_token_status(token, now) {
        TokenStatus::Valid => {}
        TokenStatus::Expired => return wx_error(42001, "access_token expired"),
        TokenStatus::Unknown => {
            return wx_error(
                40001,
                "invalid credential, access_token is invalid or not latest",
            );
        }
    }
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return wx_error(47001, "data format error");
    };
    let Some(phone) = body
        .get("code")
        .and_then(serde_json::Value::as_str)
        .and_then(phone_in_code)
    else {
        tracing::info!("getuserphonenumber refused an unknown code");
        return wx_error(40029, "invalid code");
    };
    tracing::info!(phone = %mask_phone(phone), "getuserphonenumber answered");
    HttpResponse::Ok().json(PhoneNumberAnswer {
        errcode: 0,
        errmsg: "ok",
        phone_info: PhoneInfo {
            phone_number: phone,
            pure_phone_number: phone,
            country_code: "86",
            watermark: Watermark {
                timestamp: now.timestamp(),
                appid: &state.settings.wechat_appid,
            },
        },
    })
}

#[derive(Deserialize)]
struct EncryptPhoneRequest {
    openid: Option<String>,
    /// A string, or a number as some callers send it.
    phone: Option<serde_json::Value>,
    /// Overrides the watermark's appid, to forge data meant for another mini-program.
    appid: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EncryptPhoneResponse {
    encrypted_data: String,
    iv: String,
}

/// `POST /wechat/encrypt-phone` `{"openid","phone"[,"appid"]}` → `{"encryptedData","iv"}`.
async fn encrypt_phone(body: web::Bytes, state: web::Data<AppState>) -> HttpResponse {
    let Ok(request) = serde_json::from_slice::<EncryptPhoneRequest>(&body) else {
        return helper_error(r#"body must be JSON {"openid","phone"}"#);
    };
    let Some(openid) = request.openid.filter(|openid| !openid.is_empty()) else {
        return helper_error("openid is required");
    };
    if !is_valid_openid(&openid) {
        return helper_error("openid must be 1-64 characters of [A-Za-z0-9_-]");
    }
    let phone = match request.phone {
        Some(serde_json::Value::String(phone)) => phone,
        Some(serde_json::Value::Number(phone)) => phone.to_string(),
        _ => String::new(),
    };
    if phone.is_empty() {
        return helper_error("phone is required");
    }
    let appid = request
        .appid
        .unwrap_or_else(|| state.settings.wechat_appid.clone());
    let Ok(key) = crypto::derive_session_key(&state.settings.wechat_secret, &openid) else {
        return HttpResponse::InternalServerError()
            .json(serde_json::json!({"error": "could not derive the session key"}));
    };
    let plaintext = PhoneInfo {
        phone_number: &phone,
        pure_phone_number: &phone,
        country_code: "86",
        watermark: Watermark {
            timestamp: Utc::now().timestamp(),
            appid: &appid,
        },
    };
    let Ok(plaintext) = serde_json::to_vec(&plaintext) else {
        return helper_error("phone could not be encoded");
    };
    let sealed = crypto::encrypt(&key, &plaintext);
    tracing::info!(openid, phone = %mask_phone(&phone), "encrypted a phone number");
    HttpResponse::Ok().json(EncryptPhoneResponse {
        encrypted_data: sealed.encrypted_data,
        iv: sealed.iv,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openids_are_short_plain_identifiers() {
        assert!(is_valid_openid("o6_bmjrPTlm6_2sgVt7hMZOPfL2M"));
        assert!(!is_valid_openid(""));
        assert!(!is_valid_openid("has space"));
        assert!(!is_valid_openid(&"a".repeat(65)));
    }

    #[test]
    fn phone_codes_carry_exactly_eleven_digits() {
        assert_eq!(
            phone_in_code("sandbox-phone:17600381130"),
            Some("17600381130")
        );
        assert_eq!(phone_in_code("sandbox-phone:1760038113"), None);
        assert_eq!(phone_in_code("sandbox-phone:1760038113x"), None);
        assert_eq!(phone_in_code("17600381130"), None);
    }
}
