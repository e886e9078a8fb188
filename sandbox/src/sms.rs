//! Alibaba Cloud SMS (dysmsapi 2017-05-25) `SendSms`, and the `/sms/messages` helper that shows
//! tests what was sent. A request is authenticated as Alibaba Cloud does either way it may come:
//! the RPC signature (`Signature` among the parameters, HMAC-SHA1), or the V3 signature
//! (`Authorization: ACS3-HMAC-SHA256 …` over the method, path, query, signed headers and body)
//! that Alibaba Cloud's current SDKs send to the root of their endpoint — which is why SMS is also
//! served at `/` of a port of its own (`sms_listen`).

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, SecondsFormat, Utc};
use rand::Rng;
use serde::Serialize;
use subtle::ConstantTimeEq;

use crate::aliyun;
use crate::params::parse_pairs;
use crate::state::{AppState, NONCE_WINDOW, SmsMessage};
use kit::types::mask_phone;

const API_VERSION: &str = "2017-05-25";

/// Parameters every RPC request carries, checked before anything else.
const COMMON_PARAMS: [&str; 7] = [
    "AccessKeyId",
    "Action",
    "Version",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "Timestamp",
];

pub(crate) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(["/aliyun-sms/", "/aliyun-sms"])
            .route(web::get().to(send_sms))
            .route(web::post().to(send_sms)),
    )
    .route("/sms/messages", web::get().to(list_messages));
}

/// SMS's own port, as `dysmsapi.aliyuncs.com` is its own host: `SendSms` at the root.
pub(crate) fn own_host_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/")
            .route(web::get().to(send_sms))
            .route(web::post().to(send_sms)),
    )
    .route("/sms/messages", web::get().to(list_messages));
}

/// The headers a V3 request must sign: who it is for, what it asks, when, once, and its body.
const V3_SIGNED: [&str; 6] = [
    "host",
    "x-acs-action",
    "x-acs-version",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-content-sha256",
];

/// A refusal in Alibaba Cloud's words.
#[derive(Debug)]
struct PopError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl PopError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// SMS business errors come back with HTTP 200, like a success.
    fn business(code: &'static str, message: &str) -> Self {
        Self::new(StatusCode::OK, code, message)
    }

    fn missing(name: &str) -> Self {
        // Alibaba names the code after the parameter: MissingPhoneNumbers, MissingSignature...
        let code = match name {
            "AccessKeyId" => "MissingAccessKeyId",
            "Action" => "MissingAction",
            "Version" => "MissingVersion",
            "SignatureMethod" => "MissingSignatureMethod",
            "SignatureVersion" => "MissingSignatureVersion",
            "SignatureNonce" => "MissingSignatureNonce",
            "Timestamp" => "MissingTimestamp",
            "Signature" => "MissingSignature",
            "PhoneNumbers" => "MissingPhoneNumbers",
            "SignName" => "MissingSignName",
            "TemplateCode" => "MissingTemplateCode",
            _ => "MissingParameter",
        };
        Self::new(
            StatusCode::BAD_REQUEST,
            code,
            format!("{name} is mandatory for this action."),
        )
    }

    fn into_response(self, request_id: &str) -> HttpResponse {
        let host_id = (self.status != StatusCode::OK).then_some("dysmsapi.aliyuncs.com");
        HttpResponse::build(self.status).json(PopErrorBody {
            request_id,
            host_id,
            code: self.code,
            message: &self.message,
        })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PopErrorBody<'a> {
    request_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    host_id: Option<&'a str>,
    code: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct SendSmsAnswer<'a> {
    code: &'a str,
    message: &'a str,
    biz_id: String,
    request_id: &'a str,
}

fn new_request_id() -> String {
    uuid::Uuid::new_v4().to_string().to_uppercase()
}

fn new_biz_id() -> String {
    let digits: u64 = rand::rng().random_range(100_000_000_000_000_000..1_000_000_000_000_000_000);
    format!("{digits}^0")
}

/// A mainland mobile number: `1[3-9]` and nine more digits.
fn is_mainland_mobile(phone: &str) -> bool {
    let bytes = phone.as_bytes();
    bytes.len() == 11
        && bytes[0] == b'1'
        && (b'3'..=b'9').contains(&bytes[1])
        && bytes.iter().all(u8::is_ascii_digit)
}

/// `GET` or `POST /aliyun-sms/` with the RPC parameters in the query or a form body.
async fn send_sms(req: HttpRequest, body: web::Bytes, state: web::Data<AppState>) -> HttpResponse {
    let request_id = new_request_id();
    let mut params = parse_pairs(req.query_string());
    let is_form = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_none_or(|value| value.starts_with("application/x-www-form-urlencoded"));
    if is_form && !body.is_empty() {
        params.extend(parse_pairs(&String::from_utf8_lossy(&body)));
    }
    let authorization = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .filter(|value| value.starts_with("ACS3-"));
    let now = Utc::now();
    let sent = match authorization {
        Some(authorization) => send_v3(&req, authorization, &body, params, &state, now),
        None => send(req.method().as_str(), &params, &state, now),
    };
    match sent {
        Ok(biz_id) => HttpResponse::Ok().json(SendSmsAnswer {
            code: "OK",
            message: "OK",
            biz_id,
            request_id: &request_id,
        }),
        Err(error) => {
            tracing::info!(code = error.code, "SendSms refused");
            error.into_response(&request_id)
        }
    }
}

fn required<'a>(params: &'a BTreeMap<String, String>, name: &str) -> Result<&'a str, PopError> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|value| !value.is_empty())
        .ok_or_else(|| PopError::missing(name))
}

/// Authenticates the request as Alibaba Cloud does, then sends; returns the BizId.
fn send(
    method: &str,
    params: &BTreeMap<String, String>,
    state: &AppState,
    now: DateTime<Utc>,
) -> Result<String, PopError> {
    for name in COMMON_PARAMS {
        required(params, name)?;
    }
    let settings = &state.settings;
    if required(params, "AccessKeyId")? != settings.sms_access_key_id {
        return Err(PopError::new(
            StatusCode::NOT_FOUND,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        ));
    }
    if required(params, "SignatureMethod")? != "HMAC-SHA1" {
        return Err(PopError::new(
            StatusCode::BAD_REQUEST,
            "InvalidSignatureMethod",
            "Specified signature method is not supported.",
        ));
    }
    if required(params, "SignatureVersion")? != "1.0" {
        return Err(PopError::new(
            StatusCode::BAD_REQUEST,
            "InvalidSignatureVersion",
            "Specified signature version is not supported.",
        ));
    }
    check_timestamp(required(params, "Timestamp")?, now)?;
    let provided = required(params, "Signature")?;
    let expected = aliyun::sign(method, params, &settings.sms_access_key_secret);
    if expected.is_empty() || !bool::from(expected.as_bytes().ct_eq(provided.as_bytes())) {
        return Err(PopError::new(
            StatusCode::BAD_REQUEST,
            "SignatureDoesNotMatch",
            format!(
                "Specified signature is not matched with our calculation. server string to sign is:{}",
                aliyun::string_to_sign(method, params)
            ),
        ));
    }
    if !state.claim_nonce(required(params, "SignatureNonce")?, now) {
        return Err(PopError::new(
            StatusCode::BAD_REQUEST,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        ));
    }
    deliver(
        required(params, "Action")?,
        required(params, "Version")?,
        params,
        state,
        now,
    )
}

fn signature_mismatch(string_to_sign: &str) -> PopError {
    PopError::new(
        StatusCode::BAD_REQUEST,
        "SignatureDoesNotMatch",
        format!(
            "Specified signature is not matched with our calculation. server string to sign is:{string_to_sign}"
        ),
    )
}

/// Authenticates a V3 (`ACS3-HMAC-SHA256`) request as Alibaba Cloud does, then sends; the
/// action and version come in `x-acs-action` and `x-acs-version`, the parameters in the query
/// (or a form body).
fn send_v3(
    req: &HttpRequest,
    authorization: &str,
    body: &[u8],
    params: BTreeMap<String, String>,
    state: &AppState,
    now: DateTime<Utc>,
) -> Result<String, PopError> {
    use aliyun::acs3;
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let Some(authorization) = acs3::Authorization::parse(authorization) else {
        return Err(PopError::new(
            StatusCode::BAD_REQUEST,
            "InvalidAuthorization",
            "Specified authorization is not valid.",
        ));
    };
    if authorization.access_key_id != state.settings.sms_access_key_id {
        return Err(PopError::new(
            StatusCode::NOT_FOUND,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        ));
    }
    if let Some(unsigned) = V3_SIGNED
        .iter()
        .find(|name| !authorization.signed_headers.iter().any(|s| s == *name))
    {
        return Err(PopError::new(
            StatusCode::BAD_REQUEST,
            "IncompleteSignature",
            format!(
                "The request signature does not conform to Aliyun standards: {unsigned} is not signed."
            ),
        ));
    }
    let payload = acs3::content_sha256(body);
    if header("x-acs-content-sha256") != payload {
        return Err(PopError::new(
            StatusCode::BAD_REQUEST,
            "ContentSHA256NotMatch",
            "The x-acs-content-sha256 is not the SHA-256 of the request body.",
        ));
    }
    let mut signed = Vec::new();
    for name in &authorization.signed_headers {
        let values: Vec<_> = req.headers().get_all(name.as_str()).collect();
        if values.is_empty() {
            return Err(signature_mismatch(""));
        }
        for value in values {
            signed.push((name.clone(), value.to_str().unwrap_or_default().to_owned()));
        }
    }
    let query = parse_pairs(req.query_string());
    let string_to_sign =
        acs3::string_to_sign(req.method().as_str(), req.path(), &query, &signed, &payload);
    let expected = acs3::signature(&state.settings.sms_access_key_secret, &string_to_sign);
    if expected.is_empty()
        || !bool::from(
            expected
                .as_bytes()
                .ct_eq(authorization.signature.to_ascii_lowercase().as_bytes()),
        )
    {
        return Err(signature_mismatch(&string_to_sign));
    }
    check_timestamp(&header("x-acs-date"), now)?;
    if !state.claim_nonce(&header("x-acs-signature-nonce"), now) {
        return Err(PopError::new(
            StatusCode::BAD_REQUEST,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        ));
    }
    deliver(
        &header("x-acs-action"),
        &header("x-acs-version"),
        &params,
        state,
        now,
    )
}

/// `SendSms` of an authenticated request: checks the action, the version and the parameters,
/// then records the message; returns the BizId.
fn deliver(
    action: &str,
    version: &str,
    params: &BTreeMap<String, String>,
    state: &AppState,
    now: DateTime<Utc>,
) -> Result<String, PopError> {
    if action != "SendSms" {
        return Err(PopError::new(
            StatusCode::NOT_FOUND,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        ));
    }
    if version != API_VERSION {
        return Err(PopError::new(
            StatusCode::BAD_REQUEST,
            "InvalidVersion",
            "Specified parameter Version is not valid.",
        ));
    }
    let phones = required(params, "PhoneNumbers")?;
    required(params, "SignName")?;
    required(params, "TemplateCode")?;

    let phones: Vec<&str> = phones.split(',').map(str::trim).collect();
    if !phones.iter().all(|phone| is_mainland_mobile(phone)) {
        return Err(PopError::business(
            "isv.MOBILE_NUMBER_ILLEGAL",
            "非法手机号",
        ));
    }
    let code = template_code(params.get("TemplateParam"))?;
    let kind = params
        .get("OutId")
        .map(|out_id| {
            out_id
                .split_once(':')
                .map_or(out_id.as_str(), |(kind, _)| kind)
        })
        .unwrap_or_default();
    let sent_at = now.to_rfc3339_opts(SecondsFormat::Millis, true);
    for phone in phones {
        tracing::info!(phone = %mask_phone(phone), kind, "SMS sent");
        state.record_message(SmsMessage {
            phone: phone.to_owned(),
            code: code.clone(),
            kind: kind.to_owned(),
            sent_at: sent_at.clone(),
        });
    }
    Ok(new_biz_id())
}

fn check_timestamp(timestamp: &str, now: DateTime<Utc>) -> Result<(), PopError> {
    let Ok(timestamp) = DateTime::parse_from_rfc3339(timestamp) else {
        return Err(PopError::new(
            StatusCode::BAD_REQUEST,
            "InvalidTimeStamp.Format",
            "Specified time stamp or date value is not well formatted.",
        ));
    };
    if (now - timestamp.with_timezone(&Utc)).abs() > NONCE_WINDOW {
        return Err(PopError::new(
            StatusCode::BAD_REQUEST,
            "InvalidTimeStamp.Expired",
            "Specified time stamp or date value is expired.",
        ));
    }
    Ok(())
}

/// The `code` variable of TemplateParam, given as a string or a number.
fn template_code(template_param: Option<&String>) -> Result<String, PopError> {
    let Some(template_param) = template_param else {
        return Err(PopError::business(
            "isv.TEMPLATE_MISSING_PARAMETERS",
            "模板缺少变量",
        ));
    };
    let Ok(serde_json::Value::Object(variables)) = serde_json::from_str(template_param) else {
        return Err(PopError::business(
            "isv.INVALID_JSON_PARAM",
            "JSON参数不合法，只接受字符串值",
        ));
    };
    match variables.get("code") {
        Some(serde_json::Value::String(code)) if !code.is_empty() => Ok(code.clone()),
        Some(serde_json::Value::Number(code)) => Ok(code.to_string()),
        _ => Err(PopError::business(
            "isv.TEMPLATE_MISSING_PARAMETERS",
            "模板缺少变量",
        )),
    }
}

/// `GET /sms/messages?phone=P`: what was sent to P, oldest first.
async fn list_messages(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let query = parse_pairs(req.query_string());
    match query.get("phone").filter(|phone| !phone.is_empty()) {
        Some(phone) => HttpResponse::Ok().json(state.messages_to(phone)),
        None => HttpResponse::BadRequest().json(serde_json::json!({"error": "phone is required"})),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mainland_mobiles_start_with_1_then_3_to_9() {
        assert!(is_mainland_mobile("17600381130"));
        assert!(is_mainland_mobile("13000000000"));
        assert!(!is_mainland_mobile("12000000000"));
        assert!(!is_mainland_mobile("1760038113"));
        assert!(!is_mainland_mobile("1760038113a"));
        assert!(!is_mainland_mobile("+8617600381130"));
    }

    #[test]
    fn the_template_code_may_be_a_string_or_a_number() {
        let code = |s: &str| template_code(Some(&s.to_owned())).map_err(|e| e.code);
        assert_eq!(code(r#"{"code":"123456"}"#), Ok("123456".to_owned()));
        assert_eq!(code(r#"{"code":123456}"#), Ok("123456".to_owned()));
        assert_eq!(
            code(r#"{"name":"x"}"#),
            Err("isv.TEMPLATE_MISSING_PARAMETERS")
        );
        assert_eq!(code("not json"), Err("isv.INVALID_JSON_PARAM"));
    }

    #[test]
    fn timestamps_more_than_fifteen_minutes_off_are_expired() {
        let now = DateTime::parse_from_rfc3339("2024-05-01T12:00:00Z")
            .expect("valid time")
            .with_timezone(&Utc);
        assert!(check_timestamp("2024-05-01T11:46:00Z", now).is_ok());
        let expired = |ts| check_timestamp(ts, now).map_err(|e| e.code);
        assert_eq!(
            expired("2024-05-01T11:44:00Z"),
            Err("InvalidTimeStamp.Expired")
        );
        assert_eq!(
            expired("2024-05-01T12:16:00Z"),
            Err("InvalidTimeStamp.Expired")
        );
        assert_eq!(expired("yesterday"), Err("InvalidTimeStamp.Format"));
    }
}
