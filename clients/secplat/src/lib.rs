//! The security platform (安防平台) client every service uses: look-ups of people and owners
//! (seed 001 §1.1), payment results (§2.2.1) and module states (§3.1.1).
//!
//! The platform's token (§1.1.1) is kept in the shared cache, so replicas share one; a code-9
//! answer drops it and the call is made once more with a fresh one. Look-ups and module states
//! are idempotent and are tried once more after a timeout, a refused connection or a 502–504;
//! payment results are never re-sent here: the caller's outbox does that.
pub mod enums;
mod records;
mod settings;

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Map, Value};

use kit::cache::SharedCache;
use kit::error::{ErrorKind, ServiceError};
use kit::types::mask_phone;
pub use records::{
    HouseAddress, HouseRecord, MemberRecord, OwnerRecord, PersonRecord, RecordError,
};
pub use settings::SecplatSettings;

/// Cache key of the platform token, shared by every replica.
pub const TOKEN_CACHE_KEY: &str = "secplat:token";
/// The platform's tokens live an hour; we stop using one a little before.
const TOKEN_TTL: Duration = Duration::from_secs(55 * 60);
/// Pause before the one retry of an idempotent call.
const RETRY_PAUSE: Duration = Duration::from_millis(200);

/// The answer code of a lapsed token (§1.1.1.4).
const CODE_TOKEN_LAPSED: i64 = 9;
/// §2.3.2.3: the payment-result endpoint answers 1 when the token failed.
const CODE_PAYMENT_TOKEN_FAILED: i64 = 1;
/// "Looked up, nothing there."
const CODE_NOTHING: i64 = 2;

/// The resident's sentence for both failures (000 §2.2.1 examples 4 and 5).
pub const FAILURE_MSG: &str = "系统开小差，请重试或联系工作人员";
/// 000 §2.2.1 example 4: the platform could not be reached or answered nonsense.
pub const UNAVAILABLE_MESSAGE: &str =
    "安防平台接口出现故障，请检查配置信息如安防平台url，message编码Yi652-message编码SeApi55";
/// 000 §2.2.1 example 5: the platform answered, and refused.
pub const REFUSED_MESSAGE: &str =
    "万家灯火平台调用接口出现错误,message编码Yi664-message编码SeApi59";

/// Why a call to the security platform did not give an answer we can use.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SecplatError {
    /// Timeout, no connection, an HTTP error status, or an answer we cannot read.
    #[error("security platform unavailable: {0}")]
    Unavailable(String),
    /// The platform answered and refused (code 1, wrong credentials, a token refused twice...).
    #[error("security platform refused: {0}")]
    Refused(String),
}

impl From<SecplatError> for ServiceError {
    fn from(error: SecplatError) -> Self {
        // The envelope carries the seed's fixed sentences; the cause goes to the log.
        tracing::warn!(%error, "security platform call failed");
        let message = match error {
            SecplatError::Unavailable(_) => UNAVAILABLE_MESSAGE,
            SecplatError::Refused(_) => REFUSED_MESSAGE,
        };
        ServiceError::new(ErrorKind::Upstream, FAILURE_MSG, message)
    }
}

/// Whether a failed call may be made once more.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Retry {
    /// Idempotent: once more after a transient failure.
    Once,
    Never,
}

/// One attempt that failed before the platform gave a readable answer.
struct Failure {
    /// A timeout, a refused connection or a 502–504: worth one more try when safe.
    transient: bool,
    cause: String,
}

/// The security platform client, pointed at the sandbox or the real platform by configuration.
#[derive(Clone)]
pub struct SecplatClient {
    http: reqwest::Client,
    settings: SecplatSettings,
    cache: SharedCache,
}

impl SecplatClient {
    /// A client whose every call is bounded by `settings.timeout_ms`.
    pub fn new(settings: SecplatSettings, cache: SharedCache) -> anyhow::Result<Self> {
        let http = kit::outbound::http_client(settings.timeout_ms)?;
        Ok(Self {
            http,
            settings,
            cache,
        })
    }

    /// 1.1.2: the person with this phone (and name, when given; 002 looked up by phone alone).
    /// `Ok(None)` when the platform has nobody (code 2).
    pub async fn find_person(
        &self,
        phone: &str,
        name: &str,
    ) -> Result<Option<PersonRecord>, SecplatError> {
        let mut params = vec![("phone", phone)];
        if !name.trim().is_empty() {
            params.push(("name", name));
        }
        let (code, answer) = self
            .call("/people", &params, Retry::Once, &[CODE_TOKEN_LAPSED])
            .await?;
        match code {
            0 => {
                let person = PersonRecord::from_value(&data(&answer, "people")?)
                    .map_err(|error| unreadable("people", &error))?;
                tracing::info!(phone = %mask_phone(phone), houses = person.houses.len(), "security platform found the person");
                Ok(Some(person))
            }
            CODE_NOTHING => {
                tracing::info!(phone = %mask_phone(phone), "security platform has nobody with this phone");
                Ok(None)
            }
            _ => Err(refused("people", code, &answer)),
        }
    }

    /// 1.1.3: the owner of the house at `address`. `Ok(None)` when it has none (code 2).
    pub async fn find_owner(
        &self,
        address: &HouseAddress,
    ) -> Result<Option<OwnerRecord>, SecplatError> {
        let numbers = [
            address.building_number.to_string(),
            address.unit_number.to_string(),
            address.floor_number.to_string(),
            address.house_number.to_string(),
        ];
        let params = [
            (
                "community_identifier",
                address.community_identifier.as_str(),
            ),
            ("building_number", numbers[0].as_str()),
            ("unit_number", numbers[1].as_str()),
            ("floor_number", numbers[2].as_str()),
            ("house_number", numbers[3].as_str()),
        ];
        let (code, answer) = self
            .call("/owner", &params, Retry::Once, &[CODE_TOKEN_LAPSED])
            .await?;
        match code {
            0 => OwnerRecord::from_value(&data(&answer, "owner")?)
                .map(Some)
                .map_err(|error| unreadable("owner", &error)),
            CODE_NOTHING => Ok(None),
            _ => Err(refused("owner", code, &answer)),
        }
    }

    /// 3.1.1: community_identifier → module name → enabled.
    pub async fn module_states(
        &self,
    ) -> Result<BTreeMap<String, BTreeMap<String, bool>>, SecplatError> {
        let (code, answer) = self
            .call("/modules", &[], Retry::Once, &[CODE_TOKEN_LAPSED])
            .await?;
        if code != 0 {
            return Err(refused("modules", code, &answer));
        }
        parse_module_states(&data(&answer, "modules")?)
            .map_err(|error| unreadable("modules", &error))
    }

    /// 2.2.1: tells the platform an order was paid. `Ok(())` only when it answered code 0.
    /// Not re-sent after a timeout or an error status: the caller's outbox retries.
    pub async fn send_payment_result(
        &self,
        order_number: &str,
        shop_number: &str,
        weixin_number: &str,
    ) -> Result<(), SecplatError> {
        let params = [
            ("order_number", order_number),
            ("shop_number", shop_number),
            ("weixin_number", weixin_number),
        ];
        // A refused token means nothing was saved, so sending again with a new one is safe.
        let (code, answer) = self
            .call(
                "/payments",
                &params,
                Retry::Never,
                &[CODE_TOKEN_LAPSED, CODE_PAYMENT_TOKEN_FAILED],
            )
            .await?;
        if code != 0 {
            return Err(refused("payments", code, &answer));
        }
        tracing::info!(
            order_number,
            "security platform acknowledged the payment result"
        );
        Ok(())
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.settings.base_url.trim_end_matches('/'))
    }

    /// Calls `path` with the token; renews the token once when the answer's code says it lapsed.
    async fn call(
        &self,
        path: &str,
        params: &[(&str, &str)],
        retry: Retry,
        lapsed_codes: &[i64],
    ) -> Result<(i64, Map<String, Value>), SecplatError> {
        let mut renewed = false;
        loop {
            let token = self.token().await?;
            let mut form = params.to_vec();
            form.push(("token", token.as_str()));
            let answer = self.post(path, &form, retry).await?;
            let code = answer_code(&answer).ok_or_else(|| {
                SecplatError::Unavailable(format!("{path}: an answer without a code"))
            })?;
            if !lapsed_codes.contains(&code) {
                return Ok((code, answer));
            }
            if renewed {
                return Err(SecplatError::Refused(format!(
                    "{path}: a freshly issued token was refused too (code {code})"
                )));
            }
            tracing::info!(path, "security platform token lapsed; renewing it");
            self.forget_token(&token).await;
            renewed = true;
        }
    }

    /// The platform token, from the cache or freshly issued (§1.1.1).
    async fn token(&self) -> Result<String, SecplatError> {
        match self.cache.get(TOKEN_CACHE_KEY).await {
            Ok(Some(token)) => return Ok(token),
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "security platform token not read from the cache"),
        }
        let answer = self
            .post(
                "/token",
                &[
                    ("key_k", self.settings.key_k.as_str()),
                    ("key_d", self.settings.key_d.as_str()),
                ],
                Retry::Once,
            )
            .await?;
        let code = answer_code(&answer);
        let token = answer
            .get("token")
            .and_then(Value::as_str)
            .filter(|token| code == Some(0) && !token.is_empty())
            .ok_or_else(|| refused("token", code.unwrap_or(-1), &answer))?
            .to_owned();
        if let Err(error) = self.cache.set(TOKEN_CACHE_KEY, &token, TOKEN_TTL).await {
            tracing::warn!(%error, "security platform token not cached");
        }
        tracing::info!("obtained a security platform token");
        Ok(token)
    }

    /// Drops `token` from the cache unless another replica has replaced it already.
    async fn forget_token(&self, token: &str) {
        let cached = self.cache.get(TOKEN_CACHE_KEY).await.ok().flatten();
        if cached.is_none_or(|cached| cached == token)
            && let Err(error) = self.cache.del(TOKEN_CACHE_KEY).await
        {
            tracing::warn!(%error, "lapsed security platform token not dropped from the cache");
        }
    }

    /// Posts the form, once more after a transient failure when `retry` allows.
    async fn post(
        &self,
        path: &str,
        form: &[(&str, &str)],
        retry: Retry,
    ) -> Result<Map<String, Value>, SecplatError> {
        match self.post_once(path, form).await {
            Ok(answer) => Ok(answer),
            Err(failure) if failure.transient && retry == Retry::Once => {
                tracing::warn!(path, cause = %failure.cause, "security platform call failed; trying once more");
                tokio::time::sleep(RETRY_PAUSE).await;
                self.post_once(path, form)
                    .await
                    .map_err(|failure| SecplatError::Unavailable(failure.cause))
            }
            Err(failure) => Err(SecplatError::Unavailable(failure.cause)),
        }
    }

    async fn post_once(
        &self,
        path: &str,
        form: &[(&str, &str)],
    ) -> Result<Map<String, Value>, Failure> {
        let transport = |error: reqwest::Error| Failure {
            transient: error.is_timeout() || error.is_connect() || error.is_request(),
            cause: format!("{path}: {}", error.without_url()),
        };
        let response = self
            .http
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        if !status.is_success() {
            return Err(Failure {
                transient: matches!(status.as_u16(), 502..=504),
                cause: format!("{path}: HTTP {status}"),
            });
        }
        let body = response.bytes().await.map_err(transport)?;
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(answer)) => Ok(answer),
            _ => Err(Failure {
                transient: false,
                cause: format!("{path}: the answer is not a JSON object"),
            }),
        }
    }
}

/// The answer's `code`, a number or a numeric string (`"code": "9"` in §1.1.1.4).
fn answer_code(answer: &Map<String, Value>) -> Option<i64> {
    match answer.get("code")? {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// The answer's `data`: an object, or (as §3.1.1 shows) a JSON string holding one.
fn data(answer: &Map<String, Value>, path: &str) -> Result<Value, SecplatError> {
    match answer.get("data") {
        Some(Value::String(text)) => serde_json::from_str(text).map_err(|error| {
            SecplatError::Unavailable(format!("{path}: data is not JSON: {error}"))
        }),
        Some(value) if !value.is_null() => Ok(value.clone()),
        _ => Err(SecplatError::Unavailable(format!(
            "{path}: code 0 without data"
        ))),
    }
}

fn unreadable(path: &str, error: &RecordError) -> SecplatError {
    SecplatError::Unavailable(format!("{path}: unreadable data: {error}"))
}

fn refused(path: &str, code: i64, answer: &Map<String, Value>) -> SecplatError {
    let msg = answer.get("msg").and_then(Value::as_str).unwrap_or("");
    SecplatError::Refused(format!("{path}: code {code} {msg}").trim_end().to_owned())
}

/// §3.1.1's data: `{"10002": {"绑定房屋": "1", ...}, ...}`.
fn parse_module_states(
    data: &Value,
) -> Result<BTreeMap<String, BTreeMap<String, bool>>, RecordError> {
    let not_an_object = |field: String| RecordError {
        field,
        problem: "应为对象".to_owned(),
    };
    let communities = data
        .as_object()
        .ok_or_else(|| not_an_object("data".to_owned()))?;
    communities
        .iter()
        .map(|(community, modules)| {
            let modules = modules
                .as_object()
                .ok_or_else(|| not_an_object(format!("data.{community}")))?;
            let states = modules
                .iter()
                .map(|(module, state)| {
                    enums::flag("module", state)
                        .map(|enabled| (module.clone(), enabled))
                        .map_err(|error| RecordError {
                            field: format!("data.{community}.{module}"),
                            problem: format!("未知的取值 {}", error.value),
                        })
                })
                .collect::<Result<BTreeMap<_, _>, _>>()?;
            Ok((community.clone(), states))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn codes_arrive_as_numbers_or_text() {
        let answer = |value: Value| {
            json!({ "code": value })
                .as_object()
                .cloned()
                .unwrap_or_default()
        };
        assert_eq!(answer_code(&answer(json!(9))), Some(9));
        assert_eq!(answer_code(&answer(json!("9"))), Some(9));
        assert_eq!(answer_code(&answer(json!(null))), None);
        assert_eq!(answer_code(&Map::new()), None);
    }

    #[test]
    fn data_may_be_a_json_string() {
        let answer = json!({"code": 0, "data": "{\"a\": 1}"});
        let answer = answer.as_object().cloned().unwrap_or_default();
        assert_eq!(data(&answer, "x").expect("parsed"), json!({"a": 1}));
        let broken = json!({"code": 0, "data": "{"})
            .as_object()
            .cloned()
            .unwrap_or_default();
        assert!(matches!(
            data(&broken, "x"),
            Err(SecplatError::Unavailable(_))
        ));
    }

    #[test]
    fn module_states_become_booleans() {
        let states = parse_module_states(&json!({
            "00001": {"绑定房屋": "1", "云停车场": "0"},
            "00002": {"投诉建议": 1, "访客通行": false}
        }))
        .expect("parsed");
        assert!(states["00001"]["绑定房屋"]);
        assert!(!states["00001"]["云停车场"]);
        assert!(states["00002"]["投诉建议"]);
        assert!(!states["00002"]["访客通行"]);
        let error =
            parse_module_states(&json!({"00001": {"绑定房屋": "on"}})).expect_err("not a flag");
        assert_eq!(error.field, "data.00001.绑定房屋");
    }

    #[test]
    fn failures_map_to_the_seed_sentences() {
        let error: ServiceError = SecplatError::Unavailable("timeout".into()).into();
        assert_eq!(error.kind, ErrorKind::Upstream);
        assert_eq!(error.msg, "系统开小差，请重试或联系工作人员");
        assert_eq!(
            error.message,
            "安防平台接口出现故障，请检查配置信息如安防平台url，message编码Yi652-message编码SeApi55"
        );
        let error: ServiceError = SecplatError::Refused("code 1".into()).into();
        assert_eq!(error.kind, ErrorKind::Upstream);
        assert_eq!(error.msg, "系统开小差，请重试或联系工作人员");
        assert_eq!(
            error.message,
            "万家灯火平台调用接口出现错误,message编码Yi664-message编码SeApi59"
        );
    }
}
