//! The OpenAPI 3 document (`/api/openapi.json`) and its browsable page (`/api/docs/`).
//!
//! The document is the contract, exactly: [`Failures`] completes every operation with the
//! failures the gateway and the services can answer (each with the [`Failure`] envelope), and
//! [`NotifyAnswers`] documents WeChat Pay's notification route in WeChat Pay's own format.
//! `.ci/schemathesis` holds the running platform to it.
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::Serialize;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_swagger_ui::SwaggerUi;

use crate::envelope::Failure;

use crate::routes::{
    addresses, community, login, notices, ops, orders, photos, platform, registration, rental,
    reviews, vehicles,
};

/// Where the document is served.
pub const DOCUMENT_PATH: &str = "/api/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "万家灯火 API",
        description = "The mini-program API (seed 000) and the security platform API (seed 001). \
            Every response is the envelope {code, token_expired, msg, message, ...}: code 0 done, \
            1 refused, 2 nothing found, 3 not registered, 9 token missing/invalid/expired \
            (token_expired 0, HTTP 401). Fields may be sent as JSON, form, multipart or query string."
    ),
    paths(
        login::send_code,
        login::code_to_session,
        login::register,
        login::login_by_code,
        login::refresh_token,
        login::permissions,
        notices::subscribe,
        notices::messages,
        addresses::communities,
        addresses::buildings,
        addresses::units,
        addresses::floors,
        addresses::houses,
        registration::security_phone,
        registration::security_yezhu,
        registration::security_yezhu_code,
        registration::first_registration,
        registration::bind_house,
        registration::unbind_house,
        registration::modify_house,
        registration::modify_person,
        registration::houses_list,
        registration::house_detail,
        registration::review_detail,
        registration::delete_review,
        registration::toggle_manage,
        registration::toggle_charge,
        registration::unbind,
        photos::upload_face_photo,
        photos::read_id_card,
        photos::read_file,
        reviews::list,
        reviews::one,
        reviews::decide,
        reviews::decisions,
        platform::secret,
        orders::create,
        orders::list,
        orders::resident_list,
        orders::close,
        orders::bills,
        orders::resident_bills,
        orders::pay,
        orders::notify,
        orders::refund_notify,
        orders::refund_bill,
        orders::bill_refunds,
        vehicles::my_cars,
        vehicles::bind_car,
        vehicles::unbind_car,
        vehicles::my_spots,
        vehicles::list_spots,
        vehicles::assign_spot,
        vehicles::release_spot,
        vehicles::request_transfer,
        vehicles::list_transfers,
        vehicles::decide_transfer,
        community::modules,
        community::change_module,
        community::sync_modules,
        community::resident_modules,
        community::repair_categories,
        community::add_category,
        community::remove_category,
        community::pay_parts,
        community::file_repair,
        community::my_repairs,
        community::my_repair,
        community::repair_list,
        community::repair,
        community::update_repair,
        community::create_announcement,
        community::edit_announcement,
        community::delete_announcement,
        community::platform_announcements,
        community::resident_announcements,
        community::resident_announcement,
        community::submit_complaint,
        community::my_complaints,
        community::my_complaint,
        community::complaints,
        community::answer_complaint,
        community::add_emergency,
        community::remove_emergency,
        community::platform_emergencies,
        community::resident_emergencies,
        community::issue_pass,
        community::my_passes,
        community::verify_pass,
        community::upload_photo,
        community::read_photo,
        rental::my_profile,
        rental::save_profile,
        rental::create_listing,
        rental::release_listing,
        rental::my_listings,
        rental::update_listing,
        rental::pull_off_listing,
        rental::delete_listing,
        rental::media::add_photos,
        rental::media::replace_photo,
        rental::media::add_video,
        rental::media::replace_video,
        rental::media::read_file,
        rental::identity::identify_user,
        rental::identity::identify_house,
        rental::identity::my_identifications,
        rental::identity::identifications,
        rental::identity::decide_identification,
        rental::search,
        rental::viewings::create,
        rental::viewings::mine,
        rental::viewings::alipay_url,
        rental::viewings::alipay_notify,
        rental::viewings::of_owner,
        rental::viewings::wechat_pay,
        rental::viewings::confirm,
        rental::viewings::decline,
        rental::alipay::auth_url,
        rental::alipay::auth_notify,
        rental::alipay::binding_status,
        rental::alipay::zhima,
        rental::alipay::pay_to_customer,
        rental::alipay::payouts,
        rental::browse::detail,
        rental::browse::keep,
        rental::browse::let_go,
        rental::browse::my_favourites,
        rental::invite_codes,
        rental::set_invite_code,
        rental::platform_listings,
        rental::review_listing,
        ops::healthz,
        ops::readyz,
        ops::metrics,
    ),
    components(schemas(Failure, WxPayAnswer, ops::Health, ops::Readiness)),
    modifiers(
        &BearerToken,
        &NotifyAnswers,
        &Failures,
        &OptionalBodies,
        &BlankIsAbsent
    )
)]
struct ApiDoc;

/// The `bearer` security scheme the protected routes name.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Where the platform's operational routes live (no envelope, no token, no rate limit).
const OPERATIONS: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// The notification routes of WeChat Pay, payments and refunds (answer in WeChat Pay's format,
/// not the envelope).
const NOTIFY_PATH: &str = "/api/v1/weapp/payment/notify";
const REFUND_NOTIFY_PATH: &str = "/api/v1/weapp/payment/refund_notify";
const WXPAY_NOTIFY_PATHS: [&str; 2] = [NOTIFY_PATH, REFUND_NOTIFY_PATH];
/// Alipay's asynchronous notification (answers Alipay's `success` / `fail` text).
pub const ALIPAY_NOTIFY_PATH: &str = "/api/v1/rental/payment/ali/notify";

/// Whether `path`'s own answers wear the envelope: every operation's but the payment providers'
/// notifications, which answer in the provider's format.
fn in_envelope(path: &str) -> bool {
    !WXPAY_NOTIFY_PATHS.contains(&path) && path != ALIPAY_NOTIFY_PATH
}

/// Failures the services answer beyond what an operation's own annotation lists: a record the
/// request names that is not there (404), a state that forbids the change (409), an outside
/// party (WeChat, SMS, the security platform, WeChat Pay, OCR, object storage) that failed (502).
const SERVICE_FAILURES: &[(&str, &str, &[u16])] = &[
    // svc-auth: codes, WeChat, users.
    // A `yezhu` code needs the resident signed in: code 9 without a token.
    ("post", "/api/v1/verificationCodes/phone", &[401, 404, 502]),
    ("post", "/api/v1/weapp/code", &[502]),
    ("post", "/api/v1/weapp/users", &[409, 502]),
    ("post", "/api/v1/weapp/authorizations", &[502]),
    // svc-yibiaosanshi: the security platform's records, owners, registrations as reviews.
    ("post", "/api/v1/security/phone", &[404, 409, 502]),
    ("post", "/api/v1/security/yezhu", &[409, 502]),
    ("post", "/api/v1/security/yezhu-code", &[409]),
    ("post", "/api/v1/weapp/yibiaosanshi", &[404, 502]),
    ("post", "/api/v1/weapp/bindHouse", &[403, 404, 502]),
    ("post", "/api/v1/weapp/unbindHouse", &[409]),
    ("post", "/api/v1/weapp/modifyHouse", &[404, 409]),
    ("post", "/api/v1/weapp/modifyPerson", &[404, 409]),
    ("post", "/api/v1/house/detail", &[404]),
    ("put", "/api/v1/house/shouquan", &[404]),
    ("delete", "/api/v1/house/shouquan", &[404, 409]),
    ("put", "/api/v1/house/charge", &[404]),
    ("delete", "/api/v1/shenhe/detail", &[404]),
    ("post", "/api/v1/wjdh/shenhe", &[404]),
    ("put", "/api/v1/wjdh/shenhe", &[404]),
    ("get", "/api/v1/files/{key}", &[502]),
    ("post", "/api/v1/wjdh/parking/list", &[404]),
    ("post", "/api/v1/wjdh/parking/assign", &[404]),
    // svc-community.
    ("get", "/api/v1/community/files/{key}", &[404, 502]),
    ("post", "/api/v1/weapp/community/photo", &[502]),
    ("put", "/api/v1/repair", &[404]),
    ("post", "/api/v1/weapp/repair", &[404]),
    ("post", "/api/v1/wjdh/repair/category", &[404]),
    ("post", "/api/v1/weapp/repair/detail", &[404]),
    ("delete", "/api/v1/announcement", &[404]),
    ("put", "/api/v1/wjdh/complaint", &[404]),
    ("post", "/api/v1/weapp/complaint/detail", &[404]),
    ("delete", "/api/v1/wjdh/emergency", &[404]),
    // svc-community's rental marketplace.
    ("post", "/api/v1/rental/house_create", &[404]),
    ("post", "/api/v1/rental/house_release", &[404]),
    ("post", "/api/v1/rental/update_house_info", &[404, 409]),
    ("post", "/api/v1/rental/pulloff_house", &[404]),
    ("post", "/api/v1/rental/delete_house_info", &[404]),
    ("post", "/api/v1/rental/create_userinfo", &[502]),
    (
        "post",
        "/api/v1/rental/create_house_photo",
        &[404, 409, 502],
    ),
    ("post", "/api/v1/rental/update_house_photo", &[404, 502]),
    (
        "post",
        "/api/v1/rental/create_house_video",
        &[404, 409, 502],
    ),
    ("post", "/api/v1/rental/update_house_video", &[404, 502]),
    ("get", "/api/v1/rental/files/{key}", &[502]),
    ("post", "/api/v1/rental/user_identification", &[502]),
    ("post", "/api/v1/rental/house_identification", &[502]),
    ("put", "/api/v1/wjdh/rental/identification", &[404]),
    ("put", "/api/v1/wjdh/rental", &[404]),
    // svc-orders: viewing fees (WeChat Pay places the order).
    ("post", "/api/v1/rental/order/pay_preorder", &[502]),
    // svc-orders: the Alipay user (seed 004 /payment/ali/*) and payouts.
    ("get", "/api/v1/rental/payment/ali/auth_notify", &[502]),
    // svc-orders: orders and WeChat Pay.
    ("post", "/api/v1/wjdh/order/new", &[404]),
    ("post", "/api/v1/weapp/payment", &[404, 502]),
    ("post", "/api/v1/wjdh/order/close", &[502]),
];

/// The sentence of each failure status the gateway documents.
fn failure_description(status: u16) -> &'static str {
    match status {
        400 => "参数不正确 (code 1): `msg` names the field; also a body that cannot be read",
        401 => "token缺失、无效或过期 (code 9, token_expired 0)",
        403 => {
            "无权进行此操作 (code 1): a token of the other audience, or a house / community \
                the caller may not reach"
        }
        404 => "不存在 (code 1): what the request names is not there",
        409 => "状态不允许 (code 1): already done, or the record's state forbids it",
        413 => "提交的数据过大 (code 1)",
        429 => "操作过于频繁，请稍后再试 (code 1)",
        502 => {
            "外部平台出错 (code 1): WeChat, SMS, the security platform, WeChat Pay, OCR or \
                object storage failed"
        }
        503 => "服务暂时不可用 (code 1): a service did not answer in time",
        _ => "failure (the envelope)",
    }
}

/// A failure's body as the seeds print it (code 9: 000 §2.1 example 2, 001 §1.1.1.4).
fn failure_example(status: u16) -> serde_json::Value {
    let (code, msg, message) = match status {
        401 => (
            9,
            crate::auth::TOKEN_INVALID_MSG,
            crate::auth::TOKEN_INVALID_MESSAGE,
        ),
        400 => (1, "phone: 必须是正确的手机号", "必须是正确的手机号"),
        403 => (1, "您没有权限进行此操作", "您没有权限管理该小区"),
        404 => (1, "没有查找到", "记录不存在"),
        409 => (1, "该审核已处理", "状态不允许此操作"),
        413 => (1, "提交的数据过大", "请求体超过上限"),
        429 => (1, "操作过于频繁，请稍后再试", "每分钟最多600次请求"),
        502 => (1, "服务暂时不可用，请稍后再试", "外部平台出错"),
        _ => (1, "服务暂时不可用，请稍后再试", "服务暂时不可用"),
    };
    serde_json::json!({
        "code": code,
        "token_expired": if code == 9 { 0 } else { 1 },
        "msg": msg,
        "message": message,
        "data": null,
    })
}

/// A response whose body is the [`Failure`] envelope.
fn failure_response(status: u16, description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Failure")))
                .example(Some(failure_example(status)))
                .build(),
        )
        .build()
        .into()
}

/// `(method, operation)` of every operation of `item`.
fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    [
        ("get", item.get.as_mut()),
        ("put", item.put.as_mut()),
        ("post", item.post.as_mut()),
        ("delete", item.delete.as_mut()),
        ("patch", item.patch.as_mut()),
    ]
    .into_iter()
    .filter_map(|(method, operation)| operation.map(|operation| (method, operation)))
}

/// Whether the operation needs a token: it names security and none of its alternatives is the
/// empty requirement (a token welcome but not needed).
pub fn requires_bearer(operation: &Operation) -> bool {
    operation.security.as_ref().is_some_and(|requirements| {
        !requirements.is_empty()
            && !requirements
                .iter()
                .any(|requirement| *requirement == SecurityRequirement::default())
    })
}

/// The failures an operation can answer, by where they come from:
/// - the gateway: 400 (a body or field that cannot be read), 413 (a body over the limit, on
///   every operation that reads one), 429 (the per-IP limit, on every route but the probes),
///   503 (a service unreachable or too slow);
/// - the token: 401 and 403 (a token of the other audience) on every protected operation;
/// - the services: what the operation's annotation lists, and [`SERVICE_FAILURES`].
///
/// A status the annotation already lists keeps its sentence; its body becomes the envelope.
struct Failures;

impl Failures {
    fn statuses(method: &str, path: &str, operation: &Operation) -> Vec<u16> {
        let mut statuses = vec![400, 429, 503];
        if method != "get" {
            statuses.push(413);
        }
        if requires_bearer(operation) {
            statuses.extend([401, 403]);
        }
        for (m, p, extra) in SERVICE_FAILURES {
            if *m == method && *p == path {
                statuses.extend(extra.iter().copied());
            }
        }
        statuses
    }
}

impl Modify for Failures {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            if OPERATIONS.contains(&path.as_str()) {
                continue;
            }
            for (method, operation) in operations_mut(item) {
                let responses = &mut operation.responses.responses;
                if in_envelope(path) {
                    // The annotation's own failures wear the envelope, with their sentences.
                    for (status, response) in responses.iter_mut() {
                        let Ok(code) = status.parse::<u16>() else {
                            continue;
                        };
                        if let RefOr::T(documented) = response
                            && code >= 400
                        {
                            let description = if documented.description.is_empty() {
                                failure_description(code).to_owned()
                            } else {
                                documented.description.clone()
                            };
                            *response = failure_response(code, &description);
                        }
                    }
                }
                for status in Self::statuses(method, path, operation) {
                    operation
                        .responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| failure_response(status, failure_description(status)));
                }
                for (status, response) in operation.responses.responses.iter_mut() {
                    if let RefOr::T(response) = response
                        && response.description.is_empty()
                    {
                        response.description = match status.as_str() {
                            "200" => "成功 (code 0; code 2 / 3 where the operation says so)",
                            other => failure_description(other.parse().unwrap_or_default()),
                        }
                        .to_owned();
                    }
                }
            }
        }
    }
}

/// A request body whose fields are all optional may be left out (an empty body reads as no
/// fields): the document says so, whatever the annotation said.
struct OptionalBodies;

impl OptionalBodies {
    /// The fields `schema` requires (through a reference, and through every part of an allOf).
    fn required(schema: &RefOr<Schema>, components: &utoipa::openapi::Components) -> usize {
        match schema {
            RefOr::Ref(reference) => reference
                .ref_location
                .rsplit('/')
                .next()
                .and_then(|name| components.schemas.get(name))
                .map_or(1, |target| Self::required(target, components)),
            RefOr::T(Schema::Object(object)) => object.required.len(),
            RefOr::T(Schema::AllOf(all)) => all
                .items
                .iter()
                .map(|part| Self::required(part, components))
                .sum(),
            // Alternatives: assume something is needed.
            RefOr::T(_) => 1,
        }
    }
}

impl Modify for OptionalBodies {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.clone().unwrap_or_default();
        for item in openapi.paths.paths.values_mut() {
            for (_, operation) in operations_mut(item) {
                let Some(RefOr::T(body)) = operation.request_body.as_mut() else {
                    continue;
                };
                let optional = body.content.values().all(|content| match content {
                    RefOr::T(content) => content
                        .schema
                        .as_ref()
                        .is_some_and(|schema| Self::required(schema, &components) == 0),
                    RefOr::Ref(_) => false,
                });
                if optional {
                    body.required = Some(utoipa::openapi::Required::False);
                }
            }
        }
    }
}

/// A blank text is the same as a field left out (`crate::input`): every optional field of a
/// request may come blank (`""`, `" "`: the mini-program's empty inputs), and the document says
/// so beside the field's own schema.
struct BlankIsAbsent;

impl BlankIsAbsent {
    /// The names of the components a request body reaches, through references and combinators.
    fn reached(
        schema: &RefOr<Schema>,
        components: &utoipa::openapi::Components,
        names: &mut std::collections::BTreeSet<String>,
    ) {
        let parts: Vec<&RefOr<Schema>> = match schema {
            RefOr::Ref(reference) => {
                let name = reference
                    .ref_location
                    .rsplit('/')
                    .next()
                    .unwrap_or_default();
                if names.insert(name.to_owned())
                    && let Some(target) = components.schemas.get(name)
                {
                    Self::reached(target, components, names);
                }
                return;
            }
            RefOr::T(Schema::Object(object)) => object.properties.values().collect(),
            RefOr::T(Schema::AllOf(all)) => all.items.iter().collect(),
            RefOr::T(Schema::OneOf(one)) => one.items.iter().collect(),
            RefOr::T(Schema::AnyOf(any)) => any.items.iter().collect(),
            RefOr::T(_) => Vec::new(),
        };
        for part in parts {
            Self::reached(part, components, names);
        }
    }

    /// Lets each optional property of `schema`'s objects be blank.
    fn allow_blanks(schema: &mut RefOr<Schema>) {
        match schema {
            RefOr::T(Schema::Object(object)) => {
                for (name, property) in object.properties.iter_mut() {
                    if object.required.contains(name) {
                        continue;
                    }
                    let own = std::mem::replace(property, RefOr::T(Schema::default()));
                    let blank = ObjectBuilder::new()
                        .schema_type(SchemaType::Type(Type::String))
                        .pattern(Some(crate::input::blank_pattern()));
                    *property = RefOr::T(Schema::AnyOf(
                        AnyOfBuilder::new()
                            .item(own)
                            .item(Schema::Object(blank.build()))
                            .build(),
                    ));
                }
            }
            RefOr::T(Schema::AllOf(all)) => {
                // The struct's own fields; the rule beside it only requires.
                if let Some(first) = all.items.first_mut() {
                    Self::allow_blanks(first);
                }
            }
            _ => {}
        }
    }
}

impl Modify for BlankIsAbsent {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        let mut names = std::collections::BTreeSet::new();
        for item in openapi.paths.paths.values_mut() {
            for (_, operation) in operations_mut(item) {
                let Some(RefOr::T(body)) = operation.request_body.as_mut() else {
                    continue;
                };
                for content in body.content.values_mut() {
                    if let RefOr::T(content) = content
                        && let Some(schema) = content.schema.as_mut()
                    {
                        Self::reached(schema, components, &mut names);
                        Self::allow_blanks(schema);
                    }
                }
            }
        }
        for name in names {
            if let Some(schema) = components.schemas.get_mut(&name) {
                Self::allow_blanks(schema);
            }
        }
    }
}

/// WeChat Pay's answer to its notification (APIv3 JSON; APIv2 answers the same as XML
/// `<xml><return_code>…</return_code><return_msg>…</return_msg></xml>`).
#[derive(Debug, Serialize, ToSchema)]
pub struct WxPayAnswer {
    /// SUCCESS: applied, stop notifying; FAIL: refused or not applied.
    #[schema(example = "SUCCESS")]
    pub code: String,
    /// With FAIL: 通知无效 (refused, not retried usefully) or 失败 (not applied: notify again).
    #[schema(example = "通知无效")]
    pub message: Option<String>,
}

/// The notification route answers WeChat Pay, not a resident: 200 `{"code":"SUCCESS"}` once
/// applied; 400 `{"code":"FAIL"}` to a notification that is not one (bad signature, garbage,
/// another merchant's, an amount that does not match), never a 500 for it; 500 `FAIL` only
/// when a valid notification could not be applied (WeChat Pay notifies again); the envelope for
/// what the gateway answers itself (413, 429, 503).
struct NotifyAnswers;

impl Modify for NotifyAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for path in WXPAY_NOTIFY_PATHS {
            if let Some(operation) = openapi
                .paths
                .paths
                .get_mut(path)
                .and_then(|item| item.post.as_mut())
            {
                operation.responses.responses = wxpay_answers();
                operation.security = None;
            }
        }
    }
}

/// What a WeChat Pay notification route answers, in WeChat Pay's format.
fn wxpay_answers() -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
    let answer = |description: &str, example: serde_json::Value, xml: bool| {
        let mut builder = ResponseBuilder::new().description(description).content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("WxPayAnswer")))
                .example(Some(example))
                .build(),
        );
        if xml {
            builder = builder.content(
                "text/xml",
                ContentBuilder::new()
                    .schema(Some(utoipa::openapi::schema::Object::with_type(
                        utoipa::openapi::schema::Type::String,
                    )))
                    .build(),
            );
        }
        RefOr::T(builder.build())
    };
    BTreeMap::from([
        (
            "200".to_owned(),
            answer(
                "applied (or applied before): WeChat Pay stops notifying. APIv2 answers \
                     text/xml, with return_code SUCCESS or FAIL",
                serde_json::json!({"code": "SUCCESS"}),
                true,
            ),
        ),
        (
            "400".to_owned(),
            answer(
                "not a valid notification (signature, format, merchant, amount): refused",
                serde_json::json!({"code": "FAIL", "message": "通知无效"}),
                false,
            ),
        ),
        (
            "500".to_owned(),
            answer(
                "a valid notification not applied this time (a database or service failed): \
                     WeChat Pay notifies again",
                serde_json::json!({"code": "FAIL", "message": "失败"}),
                false,
            ),
        ),
    ])
}

/// The `Allow` header of a 405 on route `pattern` (actix's, `{name:regex}` segments included):
/// the methods the document lists for it. The platform's order paths without `wjdh/` (001
/// prints both) answer as their documented twins.
pub fn allowed_methods(pattern: &str) -> Option<&'static str> {
    static TABLE: OnceLock<HashMap<String, String>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut document = document();
        document
            .paths
            .paths
            .iter_mut()
            .map(|(path, item)| {
                let methods: Vec<String> = operations_mut(item)
                    .map(|(method, _)| method.to_ascii_uppercase())
                    .collect();
                (path.clone(), methods.join(", "))
            })
            .collect()
    });
    let documented = documented_path(pattern);
    table
        .get(&documented)
        .or_else(|| {
            documented
                .strip_prefix("/api/v1/")
                .and_then(|rest| table.get(&format!("/api/v1/wjdh/{rest}")))
        })
        .map(String::as_str)
}

/// `/api/v1/files/{key:.*}` → `/api/v1/files/{key}`.
fn documented_path(pattern: &str) -> String {
    let mut path = String::with_capacity(pattern.len());
    let (mut in_segment, mut in_regex) = (false, false);
    for character in pattern.chars() {
        match character {
            '{' => in_segment = true,
            ':' if in_segment => in_regex = true,
            '}' => (in_segment, in_regex) = (false, false),
            _ => {}
        }
        if !in_regex {
            path.push(character);
        }
    }
    path
}

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The served document, once made ([`document_json`]).
static DOCUMENT: std::sync::OnceLock<actix_web::web::Bytes> = std::sync::OnceLock::new();

/// The document as served: its JSON, made on the first request for it and kept. Workers share
/// these bytes (cloning the document itself into each worker held tens of MB at idle), and a
/// gateway nobody asks for its document never builds it: building it holds about 13 MB at its
/// peak, which the allocator kept after startup (issue 14's memory goal).
pub fn document_json() -> serde_json::Result<actix_web::web::Bytes> {
    if let Some(document) = DOCUMENT.get() {
        return Ok(document.clone());
    }
    let made: actix_web::web::Bytes = serde_json::to_vec(&document())?.into();
    Ok(DOCUMENT.get_or_init(|| made).clone())
}

/// Serves the document's JSON at [`DOCUMENT_PATH`] and Swagger UI, which reads it from there,
/// under `/api/docs/`.
pub fn swagger_ui() -> impl actix_web::dev::HttpServiceFactory {
    use actix_web::{HttpResponse, http::header::ContentType, web};
    let served = web::resource(DOCUMENT_PATH).route(web::get().to(|| async {
        let made = match DOCUMENT.get() {
            Some(document) => Ok(document.clone()),
            // Made once, off the worker's thread: it takes some milliseconds.
            None => match web::block(document_json).await {
                Ok(made) => made.map_err(|error| error.to_string()),
                Err(error) => Err(error.to_string()),
            },
        };
        match made {
            Ok(document) => HttpResponse::Ok()
                .content_type(ContentType::json())
                .body(document),
            Err(error) => {
                tracing::error!(%error, "writing the OpenAPI document");
                HttpResponse::InternalServerError().finish()
            }
        }
    }));
    (
        served,
        SwaggerUi::new("/api/docs/{_:.*}").config(utoipa_swagger_ui::Config::from(DOCUMENT_PATH)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_lists_every_route() {
        let value = serde_json::to_value(document()).expect("json");
        let paths = value["paths"].as_object().expect("paths");
        for (path, method) in [
            ("/api/v1/verificationCodes/phone", "post"),
            ("/api/v1/weapp/code", "post"),
            ("/api/v1/weapp/users", "post"),
            ("/api/v1/weapp/authorizations", "post"),
            ("/api/v1/authorizations/current", "put"),
            ("/api/v1/people/permissions", "post"),
            ("/api/v1/wjdh/secret", "post"),
            ("/api/v1/people/photo", "post"),
            ("/api/v1/idcard/photo", "post"),
            ("/api/v1/files/{key}", "get"),
            ("/api/v1/weapp/car/bind", "post"),
            ("/api/v1/wjdh/parking/assign", "post"),
            ("/api/v1/weapp/car/transfer", "post"),
            ("/api/v1/wjdh/car/transfers", "post"),
            ("/api/v1/wjdh/car/transfer", "put"),
            ("/api/v1/repair/categories", "post"),
            ("/api/v1/wjdh/repair/category", "delete"),
            ("/healthz", "get"),
            ("/readyz", "get"),
            ("/metrics", "get"),
        ] {
            assert!(
                paths.get(path).and_then(|p| p.get(method)).is_some(),
                "{method} {path}"
            );
        }
        assert!(value["components"]["schemas"]["LoginResponse"].is_object());
        assert!(value["components"]["securitySchemes"]["bearer"].is_object());
    }

    /// utoipa keys a component by its type's bare name: two types of one name in different
    /// modules would silently share one schema, and one operation would document the other's
    /// body (`/house/detail` once documented a rental listing's `house_id` for its `id`).
    #[test]
    fn every_schema_name_is_one_type() {
        fn sources(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    sources(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    found.push(path);
                }
            }
        }
        let mut files = Vec::new();
        sources(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let mut seen = std::collections::BTreeMap::<String, std::path::PathBuf>::new();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("source");
            let mut derived = false;
            for line in text.lines().map(str::trim) {
                if line.starts_with("#[derive(") && line.contains("ToSchema") {
                    derived = true;
                    continue;
                }
                let item = ["pub struct ", "struct ", "pub enum ", "enum "]
                    .iter()
                    .find_map(|prefix| line.strip_prefix(prefix));
                if let (true, Some(item)) = (derived, item) {
                    let name: String = item
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if let Some(other) = seen.insert(name.clone(), file.clone()) {
                        panic!("{name}: in {} and in {}", other.display(), file.display());
                    }
                    derived = false;
                }
            }
        }
        assert!(seen.len() > 50, "{} schemas", seen.len());
    }

    #[test]
    fn optional_request_fields_may_be_blank() {
        let value = serde_json::to_value(document()).expect("json");
        let schemas = &value["components"]["schemas"];
        let blank = serde_json::json!({"type": "string", "pattern": crate::input::blank_pattern()});
        for field in [
            "/SubmitComplaintBody/allOf/0/properties/xiaoqu",
            "/MyComplaintsInput/properties/per_page",
            "/CloseOrderBody/allOf/0/properties/id",
            "/Identifier/properties/louhao",
        ] {
            let alternatives = schemas
                .pointer(&format!("{field}/anyOf"))
                .and_then(serde_json::Value::as_array)
                .unwrap_or_else(|| {
                    panic!("{field}: {}", schemas.pointer(field).unwrap_or_default())
                });
            assert_eq!(alternatives.last(), Some(&blank), "{field}");
        }
        // A required field is not blank.
        assert!(
            schemas["SubmitComplaintBody"]["allOf"][0]["properties"]["content"]["anyOf"].is_null()
        );
    }

    /// `(method, path, operation)` of every operation of the document.
    fn every_operation(
        document: &mut utoipa::openapi::OpenApi,
    ) -> Vec<(String, String, Operation)> {
        let mut all = Vec::new();
        for (path, item) in document.paths.paths.iter_mut() {
            for (method, operation) in operations_mut(item) {
                all.push((method.to_owned(), path.clone(), operation.clone()));
            }
        }
        all
    }

    fn schema_ref(response: &RefOr<Response>, content_type: &str) -> Option<String> {
        let RefOr::T(response) = response else {
            return None;
        };
        let RefOr::T(content) = response.content.get(content_type)? else {
            return None;
        };
        match content.schema.as_ref()? {
            RefOr::Ref(reference) => Some(reference.ref_location.clone()),
            RefOr::T(_) => None,
        }
    }

    #[test]
    fn every_operation_documents_its_success_and_its_failures_in_the_envelope() {
        let mut document = document();
        let operations = every_operation(&mut document);
        assert!(operations.len() > 80, "{} operations", operations.len());
        for (method, path, operation) in operations {
            let label = format!("{} {path}", method.to_ascii_uppercase());
            let responses = &operation.responses.responses;
            assert!(responses.contains_key("200"), "{label}: no 200");
            for (status, response) in responses {
                let RefOr::T(response) = response else {
                    panic!("{label} {status}: a reference");
                };
                assert!(
                    !response.description.is_empty(),
                    "{label} {status}: no description"
                );
            }
            if OPERATIONS.contains(&path.as_str()) {
                continue;
            }
            let mut expected = vec!["400", "429", "503"];
            if method != "get" {
                expected.push("413");
            }
            if requires_bearer(&operation) {
                expected.extend(["401", "403"]);
            }
            for status in expected {
                let response = responses
                    .get(status)
                    .unwrap_or_else(|| panic!("{label}: no {status}"));
                if in_envelope(&path) {
                    assert_eq!(
                        schema_ref(response, "application/json").as_deref(),
                        Some("#/components/schemas/Failure"),
                        "{label} {status}: not the envelope"
                    );
                }
            }
            for (status, response) in responses {
                if status.as_str() >= "400" && in_envelope(&path) {
                    assert_eq!(
                        schema_ref(response, "application/json").as_deref(),
                        Some("#/components/schemas/Failure"),
                        "{label} {status}: a failure not in the envelope"
                    );
                }
            }
        }
    }

    #[test]
    fn a_failure_shows_the_seeds_envelope() {
        let refused = failure_example(401);
        assert_eq!(refused["code"], 9);
        assert_eq!(refused["token_expired"], 0);
        assert_eq!(refused["msg"], crate::auth::TOKEN_INVALID_MSG);
        for status in [400, 403, 404, 409, 413, 429, 502, 503] {
            let example = failure_example(status);
            assert_eq!(example["code"], 1, "{status}");
            assert_eq!(example["token_expired"], 1, "{status}");
            assert!(example["data"].is_null(), "{status}");
        }
    }

    #[test]
    fn every_reference_in_the_document_resolves() {
        fn refs(value: &serde_json::Value, found: &mut Vec<String>) {
            match value {
                serde_json::Value::Object(object) => {
                    if let Some(serde_json::Value::String(target)) = object.get("$ref") {
                        found.push(target.clone());
                    }
                    object.values().for_each(|inner| refs(inner, found));
                }
                serde_json::Value::Array(items) => {
                    items.iter().for_each(|inner| refs(inner, found))
                }
                _ => {}
            }
        }
        let value = serde_json::to_value(document()).expect("json");
        let mut found = Vec::new();
        refs(&value, &mut found);
        assert!(!found.is_empty());
        for target in found {
            let name = target
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("a schema reference: {target}"));
            assert!(
                value["components"]["schemas"].get(name).is_some(),
                "{target} is not defined"
            );
        }
    }

    #[test]
    fn the_payment_notifications_answer_wechat_pay_and_never_name_a_token() {
        let mut document = document();
        for path in WXPAY_NOTIFY_PATHS {
            let notify = document
                .paths
                .paths
                .get_mut(path)
                .and_then(|item| item.post.clone())
                .expect("notify");
            assert!(notify.security.is_none());
            let responses = &notify.responses.responses;
            for status in ["200", "400", "500"] {
                assert_eq!(
                    schema_ref(&responses[status], "application/json").as_deref(),
                    Some("#/components/schemas/WxPayAnswer"),
                    "{status}"
                );
            }
            assert!(!responses.contains_key("401"));
        }
    }

    #[test]
    fn every_service_failure_names_a_documented_operation() {
        let mut document = document();
        let operations = every_operation(&mut document);
        for (method, path, _) in SERVICE_FAILURES {
            assert!(
                operations.iter().any(|(m, p, _)| m == method && p == path),
                "{method} {path} is not in the document"
            );
        }
    }

    #[test]
    fn a_405_names_the_methods_of_its_route() {
        assert_eq!(
            documented_path("/api/v1/files/{key:.*}"),
            "/api/v1/files/{key}"
        );
        assert_eq!(
            documented_path("/api/v1/wjdh/shenhe"),
            "/api/v1/wjdh/shenhe"
        );
        assert_eq!(allowed_methods("/api/v1/wjdh/shenhe"), Some("PUT, POST"));
        assert_eq!(allowed_methods("/api/v1/files/{key:.*}"), Some("GET"));
        assert_eq!(allowed_methods("/api/v1/order/new"), Some("POST"));
        assert_eq!(allowed_methods("/nowhere"), None);
    }

    /// The document's security is the code's: without a token, exactly the operations that
    /// require `bearer` answer 401 (their extractor refuses before any service is asked); the
    /// others go on to their service (here unreachable, so 503) or answer what they answer.
    #[actix_web::test]
    async fn exactly_the_operations_requiring_a_token_refuse_a_request_without_one() {
        use actix_web::test::{TestRequest, call_service, init_service};

        let unreachable = "http://127.0.0.1:9".to_owned();
        let settings: crate::config::Settings = kit::settings::load_with(&[
            ("endpoints.auth", unreachable.clone()),
            ("endpoints.yibiaosanshi", unreachable.clone()),
            ("endpoints.orders", unreachable.clone()),
            ("endpoints.community", unreachable),
            ("endpoints.timeout_ms", "2000".to_owned()),
            ("gateway.rate_limit_per_minute", "0".to_owned()),
        ])
        .expect("settings");
        let cache: kit::cache::SharedCache =
            std::sync::Arc::new(kit::cache::MemoryCache::new("openapi-security:"));
        let state = actix_web::web::Data::new(
            crate::state::AppState::new(&settings, cache).expect("state"),
        );
        let service = init_service(crate::startup::app(
            state,
            crate::params::ParamsLimits::default(),
        ))
        .await;

        let mut document = document();
        for (method, path, operation) in every_operation(&mut document) {
            let uri = path.replace("{key}", "wjdh-platform/face-photo/x.png");
            let method =
                actix_web::http::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
                    .expect("method");
            let request = TestRequest::default()
                .method(method.clone())
                .uri(&uri)
                .to_request();
            let status = call_service(&service, request).await.status().as_u16();
            let label = format!("{method} {path}");
            if requires_bearer(&operation) {
                assert_eq!(
                    status, 401,
                    "{label} requires a token but answered {status}"
                );
            } else {
                assert_ne!(
                    status, 401,
                    "{label} names no required token but answered 401"
                );
            }
            let documented = &operation.responses.responses;
            assert!(
                documented.contains_key(&status.to_string()),
                "{label} answered {status}, which it does not document"
            );
        }

        let trace = TestRequest::default()
            .method(actix_web::http::Method::TRACE)
            .uri("/api/v1/wjdh/shenhe")
            .to_request();
        let response = call_service(&service, trace).await;
        assert_eq!(response.status().as_u16(), 405);
        assert_eq!(
            response
                .headers()
                .get("allow")
                .and_then(|v| v.to_str().ok()),
            Some("PUT, POST")
        );
    }
}
