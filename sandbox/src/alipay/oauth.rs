//! The user's authorisation (用户信息授权) and what it buys:
//! - `GET /alipay/oauth2/publicAppAuthorize.htm?app_id&scope&redirect_uri&state`: the page the
//!   user opens; checks the application and the scope, remembers `state` → `redirect_uri`;
//! - `POST /alipay/authorize {"state","user_id"}`: the user (an Alipay user id, 2088 and 12
//!   digits) approves; a fresh `auth_code` (single use, [`CODE_TTL`]) goes to the page's
//!   `redirect_uri`, or to the setting `alipay_auth_redirect_uri` when no page was opened with
//!   that state, as `GET <redirect_uri>?app_id&source=alipay_wallet&scope&auth_code&state`;
//!   answers `{"delivered": bool (HTTP 2xx or 3xx), "status", "auth_code"}`;
//! - `alipay.system.oauth.token`: an `auth_code` (or a `refresh_token`) for the user's access
//!   token ([`TOKEN_TTL`]), bound to that user; refusals under `error_response`;
//! - `zhima.credit.score.get`: the 芝麻分 of the token's user, [`zhima_score`] of their user id.
use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::Alipay;
use super::gateway::{Answer, Call, Refusal, error_page, html_escape, success};
use crate::notify::helper_error;
use crate::params::parse_pairs;

/// How long an `auth_code` may wait for its token.
const CODE_TTL: Duration = Duration::minutes(5);
/// How long an access token lives (15 days, as Alipay's).
const TOKEN_TTL: Duration = Duration::days(15);
/// How long a refresh token lives.
const REFRESH_TTL: Duration = Duration::days(30);
/// The scopes a page may ask for.
const SCOPES: &[&str] = &["auth_user", "auth_base", "auth_zhima"];

/// The 芝麻分 the sandbox gives the Alipay user `user_id`: 350–950, derived from the id alone
/// (the first 8 bytes of its SHA-256, big-endian, modulo 601, plus 350).
pub fn zhima_score(user_id: &str) -> i64 {
    let digest = Sha256::digest(user_id.as_bytes());
    let mut head = [0u8; 8];
    head.copy_from_slice(&digest[..8]);
    350 + i64::try_from(u64::from_be_bytes(head) % 601).unwrap_or_default()
}

/// A user's grant waiting (an `auth_code`) or in force (a token).
#[derive(Clone, Debug)]
struct Grant {
    user_id: String,
    until: DateTime<Utc>,
}

/// What the authorisation remembers.
#[derive(Debug, Default)]
pub(super) struct Grants {
    /// `state` → (`redirect_uri`, `scope`) of the pages opened.
    pages: HashMap<String, (String, String)>,
    codes: HashMap<String, Grant>,
    tokens: HashMap<String, Grant>,
    refresh_tokens: HashMap<String, Grant>,
}

impl Grants {
    fn issue_code(&mut self, user_id: &str, now: DateTime<Utc>) -> String {
        self.codes.retain(|_, grant| grant.until > now);
        let code = uuid::Uuid::new_v4().simple().to_string();
        let grant = Grant {
            user_id: user_id.to_owned(),
            until: now + CODE_TTL,
        };
        self.codes.insert(code.clone(), grant);
        code
    }

    /// Uses up `code`: its grant, unless unknown, used or expired.
    fn redeem_code(&mut self, code: &str, now: DateTime<Utc>) -> Result<Grant, Refusal> {
        self.codes
            .remove(code)
            .filter(|grant| grant.until > now)
            .ok_or_else(|| Refusal::invalid("isv.code-invalid", "授权码code无效"))
    }

    /// Uses up `refresh_token`: its grant, unless unknown, used or expired.
    fn redeem_refresh(
        &mut self,
        refresh_token: &str,
        now: DateTime<Utc>,
    ) -> Result<Grant, Refusal> {
        let grant = self.refresh_tokens.remove(refresh_token).ok_or_else(|| {
            Refusal::invalid("isv.refresh-token-invalid", "刷新令牌refresh_token无效")
        })?;
        if grant.until <= now {
            return Err(Refusal::invalid(
                "isv.refresh-token-time-out",
                "刷新令牌refresh_token已过期",
            ));
        }
        Ok(grant)
    }

    /// A fresh access token and refresh token for `grant`'s user.
    fn issue_tokens(&mut self, grant: &Grant, now: DateTime<Utc>) -> (String, String) {
        self.tokens.retain(|_, token| token.until > now);
        let token = |prefix: &str| format!("{prefix}{}", uuid::Uuid::new_v4().simple());
        let (access, refresh) = (token("authusrB"), token("authusrR"));
        let lasting = |ttl| Grant {
            until: now + ttl,
            ..grant.clone()
        };
        self.tokens.insert(access.clone(), lasting(TOKEN_TTL));
        self.refresh_tokens
            .insert(refresh.clone(), lasting(REFRESH_TTL));
        (access, refresh)
    }

    /// The user an access token acts for, unless it is unknown or expired.
    fn user_of(&self, access_token: &str, now: DateTime<Utc>) -> Result<String, Refusal> {
        let grant = self
            .tokens
            .get(access_token)
            .ok_or_else(|| Refusal::token("aop.invalid-auth-token", "无效的访问令牌"))?;
        if grant.until <= now {
            return Err(Refusal::token("aop.auth-token-time-out", "访问令牌已过期"));
        }
        Ok(grant.user_id.clone())
    }
}

/// `GET /alipay/oauth2/publicAppAuthorize.htm`: the authorisation page.
pub(super) async fn page(req: HttpRequest, ali: web::Data<Alipay>) -> HttpResponse {
    let query = parse_pairs(req.query_string());
    let text = |key: &str| query.get(key).map(String::as_str).unwrap_or_default();
    if text("app_id") != ali.app_id {
        return error_page(&Refusal::invalid("isv.invalid-app-id", "无效的AppID参数"));
    }
    let scope = text("scope");
    if scope.is_empty() || !scope.split(',').all(|one| SCOPES.contains(&one)) {
        return error_page(&Refusal::invalid(
            "isv.invalid-scope",
            "无效的授权范围scope",
        ));
    }
    let redirect_uri = text("redirect_uri");
    if !url::Url::parse(redirect_uri).is_ok_and(|url| matches!(url.scheme(), "http" | "https")) {
        return error_page(&Refusal::invalid(
            "isv.invalid-redirect-uri",
            "授权回调地址redirect_uri不合法",
        ));
    }
    let state = text("state");
    ali.grants().pages.insert(
        state.to_owned(),
        (redirect_uri.to_owned(), scope.to_owned()),
    );
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>支付宝 - 授权</title></head>\
             <body><h1>应用 {} 申请获取你的支付宝账户信息</h1><p class=\"scope\">{}</p>\
             <p class=\"state\">{}</p>\
             <p>沙箱：POST /alipay/authorize {{\"state\",\"user_id\"}} 同意授权</p></body></html>",
            html_escape(&ali.app_id),
            html_escape(scope),
            html_escape(state)
        ))
}

#[derive(Deserialize)]
pub(super) struct AuthorizeRequest {
    state: String,
    user_id: String,
}

/// `POST /alipay/authorize`: the user approves; Alipay sends them back with an `auth_code`.
pub(super) async fn authorize(body: web::Bytes, ali: web::Data<Alipay>) -> HttpResponse {
    let Ok(request) = serde_json::from_slice::<AuthorizeRequest>(&body) else {
        return helper_error(
            400,
            "body must be {\"state\": \"…\", \"user_id\": \"2088…\"}",
        );
    };
    if !super::transfer::is_user_id(&request.user_id) {
        return helper_error(400, "user_id must be an Alipay user id: 2088 and 12 digits");
    }
    let (redirect_uri, scope, auth_code) = {
        let mut grants = ali.grants();
        let (redirect_uri, scope) = match grants.pages.get(&request.state) {
            Some(page) => page.clone(),
            None => (ali.auth_redirect_uri.clone(), "auth_user".to_owned()),
        };
        let code = grants.issue_code(&request.user_id, Utc::now());
        (redirect_uri, scope, code)
    };
    let Ok(mut url) = url::Url::parse(&redirect_uri) else {
        return helper_error(
            400,
            "no redirect_uri: open the authorisation page with this state first, or set \
             alipay_auth_redirect_uri",
        );
    };
    url.query_pairs_mut()
        .append_pair("app_id", &ali.app_id)
        .append_pair("source", "alipay_wallet")
        .append_pair("scope", &scope)
        .append_pair("auth_code", &auth_code)
        .append_pair("state", &request.state);
    let answers = crate::notify::deliver("Alipay", ali.redirect.get(url), 1, |status, _| {
        (200..400).contains(&status)
    })
    .await;
    let (status, delivered) = answers.first().copied().unwrap_or((0, false));
    tracing::info!(state = %request.state, delivered, status, "Alipay authorisation sent back");
    HttpResponse::Ok().json(json!({
        "delivered": delivered,
        "status": status,
        "auth_code": auth_code,
    }))
}

/// `alipay.system.oauth.token`: `grant_type` `authorization_code` (with `code`) or
/// `refresh_token` (with `refresh_token`), both public parameters.
pub(super) fn token(ali: &Alipay, call: &Call) -> Answer {
    let now = Utc::now();
    let mut grants = ali.grants();
    let grant = match call.param("grant_type") {
        "authorization_code" => match call.param("code") {
            "" => return Err(Refusal::missing("code")),
            code => grants.redeem_code(code, now)?,
        },
        "refresh_token" => match call.param("refresh_token") {
            "" => return Err(Refusal::missing("refresh_token")),
            refresh => grants.redeem_refresh(refresh, now)?,
        },
        _ => {
            return Err(Refusal::invalid(
                "isv.grant-type-invalid",
                "grant_type参数不正确",
            ));
        }
    };
    let (access_token, refresh_token) = grants.issue_tokens(&grant, now);
    // Alipay's token answer carries no `code`.
    Ok(json!({
        "user_id": grant.user_id,
        "open_id": open_id(&ali.app_id, &grant.user_id),
        "access_token": access_token,
        "expires_in": TOKEN_TTL.num_seconds(),
        "refresh_token": refresh_token,
        "re_expires_in": REFRESH_TTL.num_seconds(),
        "auth_start": super::beijing(now),
    }))
}

/// The user's id for our application: the same for the same app and user.
fn open_id(app_id: &str, user_id: &str) -> String {
    let digest = Sha256::digest(format!("{app_id}:{user_id}").as_bytes());
    let hex: String = digest[..20]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("074{hex}")
}

/// `zhima.credit.score.get`: the score of the user whose access token is `auth_token`.
pub(super) fn zhima(ali: &Alipay, call: &Call) -> Answer {
    let user_id = ali.grants().user_of(call.param("auth_token"), Utc::now())?;
    call.required("transaction_id")?;
    if call.required("product_code")? != alipay::ZHIMA_SCORE_PRODUCT {
        return Err(Refusal::business(
            "ZMCREDIT.api_product_not_match",
            "产品码product_code不匹配",
        ));
    }
    Ok(success(json!({
        "biz_no": format!("ZM{}", super::number("3000", 30)),
        "zm_score": zhima_score(&user_id).to_string(),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_score_is_the_users_own_and_in_range() {
        assert_eq!(
            zhima_score("2088102000000001"),
            zhima_score("2088102000000001")
        );
        for user in 0..200 {
            let score = zhima_score(&format!("2088{user:012}"));
            assert!((350..=950).contains(&score), "{score}");
        }
        let distinct: std::collections::HashSet<i64> = (0..50)
            .map(|user| zhima_score(&format!("2088{user:012}")))
            .collect();
        assert!(distinct.len() > 40, "scores vary by user");
    }

    #[test]
    fn an_auth_code_is_used_once_and_expires() {
        let now = Utc::now();
        let mut grants = Grants::default();
        let code = grants.issue_code("2088000000000009", now);
        let grant = grants.redeem_code(&code, now).expect("first use");
        assert_eq!(grant.user_id, "2088000000000009");
        assert!(grants.redeem_code(&code, now).is_err(), "used");
        let late = grants.issue_code("2088000000000009", now);
        assert!(
            grants.redeem_code(&late, now + CODE_TTL).is_err(),
            "expired"
        );
    }

    #[test]
    fn a_token_acts_for_its_user_until_it_expires() {
        let now = Utc::now();
        let mut grants = Grants::default();
        let code = grants.issue_code("2088000000000009", now);
        let grant = grants.redeem_code(&code, now).expect("code");
        let (access, refresh) = grants.issue_tokens(&grant, now);
        assert_eq!(
            grants.user_of(&access, now).ok().as_deref(),
            Some("2088000000000009")
        );
        assert!(grants.user_of(&access, now + TOKEN_TTL).is_err());
        assert!(grants.user_of("authusrBnope", now).is_err());
        let renewed = grants.redeem_refresh(&refresh, now).expect("refresh");
        assert_eq!(renewed.user_id, "2088000000000009");
        assert!(
            grants.redeem_refresh(&refresh, now).is_err(),
            "refresh tokens are single use"
        );
    }
}
