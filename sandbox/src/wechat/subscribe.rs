//! WeChat subscribe messages (订阅消息): `subscribeMessage.send` with WeChat's checks and
//! errcodes, and the helpers for tests and demos: `POST /wechat/subscribe` plays the resident
//! answering `wx.requestSubscribeMessage` (WeChat's side of the one-time quota),
//! `GET /wechat/messages?openid=O` lists what was sent to O, `POST /wechat/subscribe-fail`
//! `{"times": N}` makes the next N sends fail with WeChat's system error (-1).
//!
//! The quota: an openid the helper has answered for is held to it exactly (no accept left:
//! 43101). An openid it never heard of is taken at our platform's word, since its resident
//! answered in a mini-program the sandbox does not see.
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use kit::subscribe::ValueType;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{helper_error, is_valid_openid, wx_error};
use crate::params::parse_pairs;
use crate::state::{AppState, TokenStatus, lock};

/// The templates the sandbox knows (DESIGN: one per event), with their keys.
const TEMPLATES: [(&str, &[&str]); 7] = [
    ("sandbox-review", &["thing1", "phrase2", "thing3", "time4"]),
    (
        "sandbox-order",
        &["thing1", "amount2", "thing3", "character_string4", "time5"],
    ),
    (
        "sandbox-paid",
        &["thing1", "amount2", "character_string3", "time4"],
    ),
    ("sandbox-repair", &["thing1", "phrase2", "thing3", "time4"]),
    (
        "sandbox-complaint",
        &["thing1", "phrase2", "thing3", "time4"],
    ),
    (
        "sandbox-viewing",
        &["thing1", "phrase2", "time3", "thing4", "amount5"],
    ),
    ("sandbox-announcement", &["thing1", "time2"]),
];

fn template_keys(template_id: &str) -> Option<&'static [&'static str]> {
    TEMPLATES
        .iter()
        .find(|(id, _)| *id == template_id)
        .map(|(_, keys)| *keys)
}

/// One message WeChat accepted.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct SentMessage {
    touser: String,
    template_id: String,
    page: String,
    miniprogram_state: String,
    lang: String,
    /// Each key's value, as the resident sees it.
    data: Map<String, Value>,
    /// RFC 3339, UTC.
    sent_at: String,
}

/// What the simulated WeChat remembers of subscribe messages.
#[derive(Default)]
pub(crate) struct Subscriptions {
    /// Accepts left per (openid, template), for the openids the helper answered for.
    quota: Mutex<HashMap<(String, String), u32>>,
    tracked: Mutex<HashSet<String>>,
    sent: Mutex<Vec<SentMessage>>,
    failures_left: Mutex<u32>,
}

impl Subscriptions {
    /// True when this send is one of those to fail; counts it.
    fn take_failure(&self) -> bool {
        let mut left = lock(&self.failures_left);
        if *left == 0 {
            return false;
        }
        *left -= 1;
        true
    }

    /// Takes one accept of (openid, template); false when the openid is held to a quota with
    /// none left.
    fn take_quota(&self, openid: &str, template_id: &str) -> bool {
        if !lock(&self.tracked).contains(openid) {
            return true;
        }
        let mut quota = lock(&self.quota);
        match quota.get_mut(&(openid.to_owned(), template_id.to_owned())) {
            Some(left) if *left > 0 => {
                *left -= 1;
                true
            }
            _ => false,
        }
    }
}

pub(crate) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/cgi-bin/message/subscribe/send", web::post().to(send))
        .route("/wechat/subscribe", web::post().to(subscribe))
        .route("/wechat/subscribe-fail", web::post().to(fail))
        .route("/wechat/messages", web::get().to(messages));
}

#[derive(Deserialize)]
struct SendRequest {
    touser: Option<String>,
    template_id: Option<String>,
    #[serde(default)]
    page: String,
    #[serde(default)]
    miniprogram_state: Option<String>,
    #[serde(default)]
    lang: Option<String>,
    data: Option<Map<String, Value>>,
}

fn invalid_argument(what: &str) -> HttpResponse {
    wx_error(47003, &format!("argument invalid! {what}"))
}

/// The template's values out of `data` (`{"thing1": {"value": "…"}}`), each checked against
/// its type's limits; otherwise what WeChat's 47003 names.
fn checked_data(keys: &[&str], data: &Map<String, Value>) -> Result<Map<String, Value>, String> {
    let mut values = Map::new();
    for key in keys {
        let value = data
            .get(*key)
            .and_then(|entry| entry.get("value"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        if value.is_empty() {
            return Err(format!("data.{key}.value is empty"));
        }
        let fits = ValueType::of_key(key).is_some_and(|value_type| value_type.accepts(value));
        if !fits {
            return Err(format!("data.{key}.value invalid"));
        }
        values.insert((*key).to_owned(), Value::from(value));
    }
    Ok(values)
}

/// `POST /cgi-bin/message/subscribe/send?access_token=TOKEN`.
async fn send(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
    subscriptions: web::Data<Subscriptions>,
) -> HttpResponse {
    if subscriptions.take_failure() {
        tracing::info!("subscribeMessage.send failing on demand");
        return wx_error(-1, "system error");
    }
    let query = parse_pairs(req.query_string());
    let Some(token) = query.get("access_token").filter(|token| !token.is_empty()) else {
        return wx_error(41001, "access_token missing");
    };
    match state.access_token_status(token, Utc::now()) {
        TokenStatus::Valid => {}
        TokenStatus::Expired => return wx_error(42001, "access_token expired"),
        TokenStatus::Unknown => {
            return wx_error(
                40001,
                "invalid credential, access_token is invalid or not latest",
            );
        }
    }
    let Ok(request) = serde_json::from_slice::<SendRequest>(&body) else {
        return wx_error(47001, "data format error");
    };
    let Some(openid) = request.touser.filter(|openid| is_valid_openid(openid)) else {
        return wx_error(40003, "invalid openid");
    };
    let Some((template_id, keys)) = request
        .template_id
        .and_then(|id| template_keys(&id).map(|keys| (id, keys)))
    else {
        return wx_error(40037, "invalid template id");
    };
    if request.page.starts_with('/') || request.page.contains(char::is_whitespace) {
        return wx_error(41030, "invalid page");
    }
    let miniprogram_state = request.miniprogram_state.unwrap_or_else(|| "formal".into());
    if !["developer", "trial", "formal"].contains(&miniprogram_state.as_str()) {
        return invalid_argument("miniprogram_state");
    }
    let lang = request.lang.unwrap_or_else(|| "zh_CN".into());
    if !["zh_CN", "en_US", "zh_HK", "zh_TW"].contains(&lang.as_str()) {
        return invalid_argument("lang");
    }
    let data = match checked_data(keys, &request.data.unwrap_or_default()) {
        Ok(data) => data,
        Err(what) => return invalid_argument(&what),
    };
    if !subscriptions.take_quota(&openid, &template_id) {
        tracing::info!(
            openid,
            template_id,
            "subscribe message refused: no accept left"
        );
        return wx_error(43101, "user refuse to accept the msg");
    }
    tracing::info!(openid, template_id, "subscribe message sent");
    lock(&subscriptions.sent).push(SentMessage {
        touser: openid,
        template_id,
        page: request.page,
        miniprogram_state,
        lang,
        data,
        sent_at: Utc::now().to_rfc3339(),
    });
    HttpResponse::Ok().json(json!({"errcode": 0, "errmsg": "ok"}))
}

#[derive(Deserialize)]
struct SubscribeHelperRequest {
    openid: Option<String>,
    results: Option<HashMap<String, String>>,
}

/// `POST /wechat/subscribe` `{"openid", "results": {"<template_id>": "accept"|"reject"|"ban"|
/// "filter"}}`: the resident answering `wx.requestSubscribeMessage`; answers the accepts left.
async fn subscribe(body: web::Bytes, subscriptions: web::Data<Subscriptions>) -> HttpResponse {
    let Ok(request) = serde_json::from_slice::<SubscribeHelperRequest>(&body) else {
        return helper_error(r#"body must be JSON {"openid","results"}"#);
    };
    let Some(openid) = request.openid.filter(|openid| is_valid_openid(openid)) else {
        return helper_error("openid must be 1-64 characters of [A-Za-z0-9_-]");
    };
    let results = request.results.unwrap_or_default();
    let mut quota = lock(&subscriptions.quota);
    let mut left = Map::new();
    for (template_id, answer) in results {
        if template_keys(&template_id).is_none() {
            return helper_error(&format!("unknown template {template_id}"));
        }
        let entry = quota
            .entry((openid.clone(), template_id.clone()))
            .or_insert(0);
        match answer.as_str() {
            "accept" => *entry += 1,
            "ban" => *entry = 0,
            "reject" | "filter" => {}
            _ => return helper_error("an answer is accept, reject, ban or filter"),
        }
        left.insert(template_id, Value::from(*entry));
    }
    drop(quota);
    lock(&subscriptions.tracked).insert(openid);
    HttpResponse::Ok().json(Value::Object(left))
}

/// `POST /wechat/subscribe-fail` `{"times": N}`: the next N sends answer errcode -1.
async fn fail(body: web::Bytes, subscriptions: web::Data<Subscriptions>) -> HttpResponse {
    let times = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|body| body.get("times").and_then(Value::as_u64))
        .and_then(|times| u32::try_from(times).ok());
    let Some(times) = times else {
        return helper_error("times must be a whole number of calls");
    };
    *lock(&subscriptions.failures_left) = times;
    tracing::info!(times, "subscribeMessage.send will fail on demand");
    HttpResponse::Ok().json(json!({ "times": times }))
}

/// `GET /wechat/messages?openid=O`: what was sent to O, oldest first.
async fn messages(req: HttpRequest, subscriptions: web::Data<Subscriptions>) -> HttpResponse {
    let query = parse_pairs(req.query_string());
    let Some(openid) = query.get("openid").filter(|openid| !openid.is_empty()) else {
        return helper_error("openid is required");
    };
    let sent: Vec<SentMessage> = lock(&subscriptions.sent)
        .iter()
        .filter(|message| &message.touser == openid)
        .cloned()
        .collect();
    HttpResponse::Ok().json(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tracked_openid_is_held_to_its_accepts() {
        let subscriptions = Subscriptions::default();
        assert!(subscriptions.take_quota("o-untracked", "sandbox-review"));
        lock(&subscriptions.tracked).insert("o-1".into());
        assert!(!subscriptions.take_quota("o-1", "sandbox-review"));
        lock(&subscriptions.quota).insert(("o-1".into(), "sandbox-review".into()), 1);
        assert!(subscriptions.take_quota("o-1", "sandbox-review"));
        assert!(!subscriptions.take_quota("o-1", "sandbox-review"));
    }

    #[test]
    fn every_template_key_has_a_wechat_type() {
        for (_, keys) in TEMPLATES {
            for key in keys {
                assert!(ValueType::of_key(key).is_some(), "{key}");
            }
        }
    }
}
