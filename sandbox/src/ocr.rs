//! Alibaba Cloud market 身份证识别 (ID-card OCR) at `POST /ocr/idcard`, in the provider's wire
//! format: `Authorization: APPCODE ...`, a JSON body `{"image": base64, "configure": "{\"side\":\"face\"}"}`.
//!
//! DESIGN's helper: an image whose bytes are `IDCARD:` followed by JSON of the seed's fields
//! (`birthday`, `address`, `gender`, `nation`, `idcard`, `name`) is read as a card carrying them;
//! so is a JPEG or PNG image with that text appended (a photo the platform also keeps, and
//! sniffs first); any other image is unreadable (`{"success": false}`). A missing or wrong AppCode is 401, a body
//! that is not JSON or has no image is 400, both with the market gateway's `X-Ca-Error-Message`.

use actix_web::http::StatusCode;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::state::AppState;

/// The AppCode the sandbox's market account has by default (`ocr.appcode` of the default
/// settings); `ocr_appcode` names another.
pub(crate) const APPCODE: &str = "sandbox-appcode";

/// What an image must start with to be read as a card.
const CARD_MARK: &[u8] = b"IDCARD:";

/// The JSON a helper image carries: after the mark at its start, or after the last mark of a
/// JPEG or PNG image.
fn card_fields(bytes: &[u8]) -> Option<&[u8]> {
    if let Some(json) = bytes.strip_prefix(CARD_MARK) {
        return Some(json);
    }
    let image = bytes.starts_with(b"\x89PNG\r\n\x1a\n") || bytes.starts_with(&[0xFF, 0xD8, 0xFF]);
    if !image {
        return None;
    }
    let at = bytes
        .windows(CARD_MARK.len())
        .rposition(|window| window == CARD_MARK)?;
    Some(&bytes[at + CARD_MARK.len()..])
}

/// Largest request body: a base64 photo of a few megabytes.
const MAX_BODY_BYTES: usize = 12 * 1024 * 1024;

pub(crate) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/ocr/idcard")
            .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
            .route(web::post().to(recognize)),
    );
}

/// The seed's OCR fields (000 §2.3.2.4 `data`), as the helper image carries them.
#[derive(Deserialize)]
struct SeedFields {
    #[serde(default)]
    birthday: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    gender: String,
    #[serde(default)]
    nation: String,
    #[serde(default)]
    idcard: String,
    #[serde(default)]
    name: String,
}

/// A refusal of the market's API gateway: an empty body, the reason in a header.
fn gateway_error(status: StatusCode, reason: &str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(("X-Ca-Error-Message", reason))
        .insert_header(("X-Ca-Request-Id", uuid::Uuid::new_v4().to_string()))
        .finish()
}

fn appcode_of(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, code) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("APPCODE").then(|| code.trim())
}

async fn recognize(req: HttpRequest, state: web::Data<AppState>, body: web::Bytes) -> HttpResponse {
    match appcode_of(&req) {
        Some(code) if kit::secret::constant_time_eq(code, &state.settings.ocr_appcode) => {}
        Some(_) => return gateway_error(StatusCode::UNAUTHORIZED, "Invalid AppCode"),
        None => return gateway_error(StatusCode::UNAUTHORIZED, "AppCode not found"),
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&body) else {
        return gateway_error(StatusCode::BAD_REQUEST, "Invalid Input - body is not JSON");
    };
    let Some(image) = body.get("image").and_then(Value::as_str) else {
        return gateway_error(StatusCode::BAD_REQUEST, "Invalid Input - image is missing");
    };
    let side = match body.get("configure") {
        None | Some(Value::Null) => "face".to_owned(),
        Some(Value::String(configure)) => match serde_json::from_str::<Value>(configure) {
            Ok(config) => config["side"].as_str().unwrap_or("face").to_owned(),
            Err(_) => {
                return gateway_error(
                    StatusCode::BAD_REQUEST,
                    "Invalid Input - configure is not JSON",
                );
            }
        },
        Some(_) => {
            return gateway_error(
                StatusCode::BAD_REQUEST,
                "Invalid Input - configure must be a string",
            );
        }
    };
    let Ok(bytes) = STANDARD.decode(image.trim()) else {
        return gateway_error(
            StatusCode::BAD_REQUEST,
            "Invalid Input - image is not base64",
        );
    };
    // The sandbox only knows the fronts of its helper cards.
    let card = (side == "face")
        .then(|| card_fields(&bytes))
        .flatten()
        .and_then(|json| serde_json::from_slice::<SeedFields>(json).ok());
    let Some(card) = card else {
        tracing::debug!(side, "sandbox OCR: unreadable image");
        return HttpResponse::Ok().json(json!({"success": false}));
    };
    HttpResponse::Ok().json(json!({
        "success": true,
        "config_str": json!({"side": side}).to_string(),
        "name": card.name,
        "num": card.idcard,
        "sex": card.gender,
        "nationality": card.nation,
        "birth": card.birthday,
        "address": card.address,
        "face_rect": {"angle": -90, "center": {"x": 952, "y": 325.5}, "size": {"height": 181.99, "width": 164.99}},
        "card_region": [{"x": 165, "y": 657}, {"x": 534, "y": 658}, {"x": 535, "y": 31}, {"x": 165, "y": 30}],
        "is_fake": false,
        "request_id": uuid::Uuid::new_v4().to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn the_appcode_is_read_from_its_scheme() {
        let req = TestRequest::default()
            .insert_header((AUTHORIZATION, "APPCODE abc"))
            .to_http_request();
        assert_eq!(appcode_of(&req), Some("abc"));
        let req = TestRequest::default()
            .insert_header((AUTHORIZATION, "Bearer abc"))
            .to_http_request();
        assert_eq!(appcode_of(&req), None);
        assert_eq!(appcode_of(&TestRequest::default().to_http_request()), None);
    }

    #[test]
    fn the_platform_defaults_carry_the_sandbox_appcode() {
        #[derive(Deserialize)]
        struct Section {
            ocr: kit::settings::OcrSettings,
        }
        let section: Section = kit::settings::load_with(&[]).expect("defaults load");
        assert_eq!(section.ocr.appcode, APPCODE);
        assert!(section.ocr.endpoint.ends_with("/ocr/idcard"));
    }
}
