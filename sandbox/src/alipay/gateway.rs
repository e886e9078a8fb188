//! `/alipay/gateway.do`: the openapi gateway. A request's parameters come in the query or a form
//! body (GET for the payment page, POST for the others), signed RSA2 over its sorted parameters
//! with the application's private key. An answer is `{"<method>_response": {…}, "sign": "…"}`,
//! signed over the exact text of that object (`alipay.system.oauth.token` refuses under
//! `error_response`, as Alipay does); the payment page is HTML.

use std::collections::BTreeMap;

use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, web};
use alipay::sign::{self, RSA2};
use chrono::Utc;
use serde_json::{Map, Value, json};

use super::{Alipay, Trade, TradeStatus};
use crate::params::request_params;

/// A request that passed [`authenticate`]: its public parameters and its `biz_content`.
pub(super) struct Call {
    pub(super) params: BTreeMap<String, String>,
    pub(super) biz: Map<String, Value>,
}

impl Call {
    /// The text member `key` of `biz_content` ("" when absent or not text).
    pub(super) fn text(&self, key: &str) -> &str {
        self.biz
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// The text member `key` of `biz_content`, refused as missing when empty.
    pub(super) fn required(&self, key: &str) -> Result<&str, Refusal> {
        Some(self.text(key))
            .filter(|text| !text.is_empty())
            .ok_or_else(|| Refusal::missing(key))
    }

    /// The public parameter `key` ("" when absent).
    pub(super) fn param(&self, key: &str) -> &str {
        self.params.get(key).map(String::as_str).unwrap_or_default()
    }
}

/// What a method answers: the `<method>_response` object, or a refusal.
pub(super) type Answer = Result<Value, Refusal>;

/// A success `<method>_response` with `fields` after `code` and `msg`.
pub(super) fn success(fields: Value) -> Value {
    let mut node = json!({"code": "10000", "msg": "Success"});
    if let (Some(node), Value::Object(fields)) = (node.as_object_mut(), fields) {
        node.extend(fields);
    }
    node
}

/// Alipay's refusal: `code` (40001 missing, 40002 invalid, 40004 business), `msg`, `sub_code`,
/// `sub_msg`.
#[derive(Debug)]
pub(super) struct Refusal {
    code: &'static str,
    msg: &'static str,
    sub_code: &'static str,
    sub_msg: String,
}

impl Refusal {
    pub(super) fn invalid(sub_code: &'static str, sub_msg: impl Into<String>) -> Self {
        Self {
            code: "40002",
            msg: "Invalid Arguments",
            sub_code,
            sub_msg: sub_msg.into(),
        }
    }

    pub(super) fn missing(name: &str) -> Self {
        Self {
            code: "40001",
            msg: "Missing Required Arguments",
            sub_code: "isv.missing-required-arguments",
            sub_msg: format!("缺少必选参数{name}"),
        }
    }

    pub(super) fn business(sub_code: &'static str, sub_msg: &str) -> Self {
        Self {
            code: "40004",
            msg: "Business Failed",
            sub_code,
            sub_msg: sub_msg.to_owned(),
        }
    }

    /// 20001: the user's access token (`auth_token`) is unknown or expired.
    pub(super) fn token(sub_code: &'static str, sub_msg: &str) -> Self {
        Self {
            code: "20001",
            msg: "Insufficient Token Permissions",
            sub_code,
            sub_msg: sub_msg.to_owned(),
        }
    }

    fn node(&self) -> Value {
        json!({"code": self.code, "msg": self.msg, "sub_code": self.sub_code, "sub_msg": self.sub_msg})
    }
}

/// `{"<key>": node, "sign": …}`, signed as Alipay signs: over the exact text of `node`.
fn answer(ali: &Alipay, key: &str, node: &Value) -> HttpResponse {
    let text = node.to_string();
    let signature = ali.alipay.sign(text.as_bytes()).unwrap_or_default();
    let body = format!("{{\"{key}\":{text},\"sign\":{}}}", Value::String(signature));
    HttpResponse::Ok()
        .content_type("application/json;charset=utf-8")
        .body(body)
}

/// The payment page's refusal, as Alipay's error page shows it.
pub(super) fn error_page(refusal: &Refusal) -> HttpResponse {
    HttpResponse::BadRequest()
        .insert_header(ContentType::html())
        .body(format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>支付宝 - 出错了</title></head>\
             <body><h1>{}</h1><p>错误代码 {}</p></body></html>",
            html_escape(&refusal.sub_msg),
            refusal.sub_code
        ))
}

pub(super) fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Methods whose parameters are all public: no `biz_content`.
const WITHOUT_BIZ_CONTENT: &[&str] = &["alipay.system.oauth.token"];

/// Checks who is asking: our application, RSA2, a signature that verifies; the `biz_content`.
fn authenticate(ali: &Alipay, params: BTreeMap<String, String>) -> Result<Call, Refusal> {
    for name in [
        "app_id",
        "method",
        "charset",
        "sign_type",
        "sign",
        "timestamp",
        "version",
    ] {
        if params.get(name).is_none_or(String::is_empty) {
            return Err(Refusal::missing(name));
        }
    }
    if params["app_id"] != ali.app_id {
        return Err(Refusal::invalid("isv.invalid-app-id", "无效的AppID参数"));
    }
    if params["sign_type"] != RSA2 {
        return Err(Refusal::invalid(
            "isv.invalid-signature-type",
            "无效的签名类型",
        ));
    }
    if !params["charset"].eq_ignore_ascii_case("utf-8") {
        return Err(Refusal::invalid("isv.invalid-charset", "字符集错误"));
    }
    if chrono::NaiveDateTime::parse_from_str(&params["timestamp"], "%Y-%m-%d %H:%M:%S").is_err() {
        return Err(Refusal::invalid(
            "isv.invalid-timestamp",
            "非法的时间戳参数",
        ));
    }
    if !ali
        .app
        .verify(sign::request_content(&params).as_bytes(), &params["sign"])
    {
        return Err(Refusal::invalid(
            "isv.invalid-signature",
            format!(
                "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：{}",
                sign::request_content(&params)
            ),
        ));
    }
    let biz = match params.get("biz_content").filter(|b| !b.is_empty()) {
        None if WITHOUT_BIZ_CONTENT.contains(&params["method"].as_str()) => Map::new(),
        None => return Err(Refusal::missing("biz_content")),
        Some(biz) => match serde_json::from_str(biz) {
            Ok(Value::Object(biz)) => biz,
            _ => {
                return Err(Refusal::invalid(
                    "isv.invalid-biz-content",
                    "biz_content不是合法的JSON",
                ));
            }
        },
    };
    Ok(Call { params, biz })
}

pub(super) async fn gateway(
    req: HttpRequest,
    body: web::Bytes,
    ali: web::Data<Alipay>,
) -> HttpResponse {
    let params = request_params(&req, &body);
    let method = params.get("method").cloned().unwrap_or_default();
    let response_key = format!("{}_response", method.replace('.', "_"));
    let page = method == "alipay.trade.wap.pay";
    let call = match authenticate(&ali, params) {
        Ok(call) => call,
        Err(refusal) if page => return error_page(&refusal),
        Err(refusal) => return answer(&ali, "error_response", &refusal.node()),
    };
    let answered = match method.as_str() {
        "alipay.trade.wap.pay" => {
            return match open_trade(&ali, &call) {
                Ok(trade) => payment_page(&trade),
                Err(refusal) => error_page(&refusal),
            };
        }
        "alipay.trade.query" => query(&ali, &call),
        "alipay.trade.refund" => super::refund::refund(&ali, &call),
        "alipay.fund.trans.uni.transfer" => super::transfer::transfer(&ali, &call),
        "alipay.system.oauth.token" => {
            return match super::oauth::token(&ali, &call) {
                Ok(node) => answer(&ali, &response_key, &node),
                Err(refusal) => answer(&ali, "error_response", &refusal.node()),
            };
        }
        "zhima.credit.score.get" => super::oauth::zhima(&ali, &call),
        _ => {
            return answer(
                &ali,
                "error_response",
                &Refusal::invalid("isv.invalid-method", "不存在的方法名").node(),
            );
        }
    };
    answer(&ali, &response_key, &answered.unwrap_or_else(|r| r.node()))
}

/// `alipay.trade.query`.
fn query(ali: &Alipay, call: &Call) -> Answer {
    ali.trades()
        .get(call.text("out_trade_no"))
        .map(|trade| trade_node(ali, trade))
        .ok_or_else(|| Refusal::business("ACQ.TRADE_NOT_EXIST", "交易不存在"))
}

/// What `alipay.trade.query` answers of a trade.
pub(super) fn trade_node(ali: &Alipay, trade: &Trade) -> Value {
    let mut node = success(json!({
        "trade_no": trade.trade_no,
        "out_trade_no": trade.out_trade_no,
        "trade_status": trade.status.as_str(),
        "total_amount": kit::money::yuan_decimal(trade.total_fen),
        "buyer_pay_amount": "0.00",
        "receipt_amount": "0.00",
    }));
    if let Some(paid_at) = trade.paid_at {
        node["buyer_user_id"] = json!(trade.buyer_id);
        node["buyer_logon_id"] = json!("138****0000");
        node["buyer_pay_amount"] = json!(kit::money::yuan_decimal(trade.total_fen));
        node["receipt_amount"] = json!(kit::money::yuan_decimal(trade.total_fen));
        node["send_pay_date"] = json!(super::beijing(paid_at));
        node["seller_id"] = json!(ali.seller_id);
    }
    node
}

/// The payment page opens the trade (again: the same one, unless its amount changed).
fn open_trade(ali: &Alipay, call: &Call) -> Result<Trade, Refusal> {
    let text = |key: &str| call.text(key).to_owned();
    let out_trade_no = text("out_trade_no");
    if out_trade_no.is_empty() || out_trade_no.len() > 64 {
        return Err(Refusal::missing("out_trade_no"));
    }
    if text("subject").is_empty() {
        return Err(Refusal::missing("subject"));
    }
    let total_fen = sign::fen_of(&text("total_amount"))
        .filter(|fen| (1..=10_000_000_000).contains(fen))
        .ok_or_else(|| Refusal::invalid("isv.invalid-total-amount", "total_amount不合法"))?;
    // Alipay documents QUICK_WAP_WAY and takes QUICK_WAP_PAY too, which python-alipay-sdk sends.
    if !matches!(
        text("product_code").as_str(),
        "QUICK_WAP_WAY" | "QUICK_WAP_PAY"
    ) {
        return Err(Refusal::invalid(
            "isv.invalid-product-code",
            "product_code必须是QUICK_WAP_WAY",
        ));
    }
    let notify_url = call.param("notify_url").to_owned();
    let mut trades = ali.trades();
    if let Some(trade) = trades.get(&out_trade_no) {
        if trade.total_fen != total_fen {
            return Err(Refusal::business(
                "ACQ.CONTEXT_INCONSISTENT",
                "交易信息被篡改",
            ));
        }
        match trade.status {
            TradeStatus::Success => {
                return Err(Refusal::business("ACQ.TRADE_HAS_SUCCESS", "交易已被支付"));
            }
            TradeStatus::Closed => {
                return Err(Refusal::business("ACQ.TRADE_HAS_CLOSE", "交易已经关闭"));
            }
            TradeStatus::WaitBuyerPay => {}
        }
        return Ok(trade.clone());
    }
    let now = Utc::now();
    let trade = Trade {
        trade_no: super::number("22001", 28),
        out_trade_no: out_trade_no.clone(),
        subject: text("subject"),
        total_fen,
        notify_url,
        status: TradeStatus::WaitBuyerPay,
        buyer_id: String::new(),
        created_at: now,
        paid_at: None,
        refunds: Vec::new(),
    };
    trades.insert(out_trade_no, trade.clone());
    Ok(trade)
}

/// The mobile cashier (手机网站收银台) of a trade.
fn payment_page(trade: &Trade) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(ContentType::html())
        .body(format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>支付宝 - 网上支付 安全快速！</title></head>\
             <body><h1>{}</h1><p class=\"amount\">￥{}</p><p class=\"out-trade-no\">{}</p>\
             <p>沙箱：POST /alipay/pay {{\"out_trade_no\"}} 付款</p></body></html>",
            html_escape(&trade.subject),
            kit::money::yuan_decimal(trade.total_fen),
            html_escape(&trade.out_trade_no)
        ))
}
