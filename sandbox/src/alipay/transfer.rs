//! `alipay.fund.trans.uni.transfer` (单笔转账到支付宝账户): a payout from our merchant's balance
//! to an Alipay account the sandbox knows (see the module docs of [`super`]), and
//! `GET /alipay/transfers`, the payouts received, oldest first.
//!
//! As Alipay: at least 0.10 元 (`EXCEED_LIMIT_SM_MIN_AMOUNT`); the payee's name is required for
//! a logon id and checked against the account when given (`PAYEE_USER_INFO_ERROR`); the same
//! `out_biz_no` again answers the same payout and pays nothing more (another payout under it is
//! refused, `INVALID_PARAMETER`).
use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Serialize;
use serde_json::{Value, json};

use super::gateway::{Answer, Call, Refusal, success};
use super::{ACCOUNTS, Alipay};

pub(super) use alipay::is_user_id;

/// The smallest payout, fen (0.10 元).
const MIN_FEN: i64 = 10;

/// A payout received, as `GET /alipay/transfers` lists it.
#[derive(Clone, Debug, Serialize)]
pub(super) struct Payout {
    out_biz_no: String,
    order_id: String,
    pay_fund_order_id: String,
    /// 元, `"0.10"`.
    amount: String,
    identity: String,
    identity_type: String,
    /// The payee's real name.
    name: String,
    order_title: String,
    remark: String,
    status: String,
    trans_date: String,
}

impl Payout {
    fn node(&self) -> Value {
        success(json!({
            "out_biz_no": self.out_biz_no,
            "order_id": self.order_id,
            "pay_fund_order_id": self.pay_fund_order_id,
            "status": self.status,
            "trans_date": self.trans_date,
        }))
    }
}

fn invalid(what: &str) -> Refusal {
    Refusal::business("INVALID_PARAMETER", &format!("参数有误：{what}"))
}

pub(super) fn transfer(ali: &Alipay, call: &Call) -> Answer {
    let out_biz_no = call.required("out_biz_no")?;
    let amount_fen = alipay::sign::fen_of(call.required("trans_amount")?)
        .filter(|fen| *fen > 0)
        .ok_or_else(|| invalid("trans_amount"))?;
    if call.required("product_code")? != "TRANS_ACCOUNT_NO_PWD" {
        return Err(invalid("product_code"));
    }
    if !matches!(call.text("biz_scene"), "" | "DIRECT_TRANSFER") {
        return Err(invalid("biz_scene"));
    }
    let order_title = call.required("order_title")?;
    let Some(payee) = call.biz.get("payee_info").and_then(Value::as_object) else {
        return Err(Refusal::missing("payee_info"));
    };
    let payee_text = |key: &str| payee.get(key).and_then(Value::as_str).unwrap_or_default();
    let (identity, identity_type) = (payee_text("identity"), payee_text("identity_type"));
    if identity.is_empty() {
        return Err(Refusal::missing("payee_info.identity"));
    }
    if amount_fen < MIN_FEN {
        return Err(Refusal::business(
            "EXCEED_LIMIT_SM_MIN_AMOUNT",
            "单笔最低转账金额0.1元",
        ));
    }
    let given_name = payee_text("name");
    let mut transfers = ali.transfers();
    if let Some(done) = transfers.iter().find(|done| done.out_biz_no == out_biz_no) {
        let same = done.amount == kit::money::yuan_decimal(amount_fen)
            && done.identity == identity
            && done.identity_type == identity_type;
        return if same {
            Ok(done.node())
        } else {
            Err(invalid("该out_biz_no已用于另一笔转账"))
        };
    }
    let listed = match identity_type {
        "ALIPAY_LOGON_ID" => {
            if given_name.is_empty() {
                return Err(Refusal::missing("payee_info.name"));
            }
            if !is_logon_id(identity) {
                return Err(Refusal::business("PAYEE_NOT_EXIST", "收款账号不存在"));
            }
            ACCOUNTS.iter().find(|(logon, _, _)| *logon == identity)
        }
        "ALIPAY_USER_ID" => {
            if !is_user_id(identity) {
                return Err(Refusal::business("PAYEE_NOT_EXIST", "收款账号不存在"));
            }
            ACCOUNTS.iter().find(|(_, user, _)| *user == identity)
        }
        _ => return Err(invalid("payee_info.identity_type")),
    };
    let name = match listed {
        Some((_, _, real)) if !given_name.is_empty() && given_name != *real => {
            return Err(Refusal::business(
                "PAYEE_USER_INFO_ERROR",
                "支付宝账号和姓名不匹配，请确认姓名是否正确",
            ));
        }
        Some((_, _, real)) => (*real).to_owned(),
        None => given_name.to_owned(),
    };
    if !ali.credit(-amount_fen) {
        return Err(Refusal::business(
            "PAYER_BALANCE_NOT_ENOUGH",
            "付款方余额不足",
        ));
    }
    let payout = Payout {
        out_biz_no: out_biz_no.to_owned(),
        order_id: super::number("11007", 32),
        pay_fund_order_id: super::number("11007", 32),
        amount: kit::money::yuan_decimal(amount_fen),
        identity: identity.to_owned(),
        identity_type: identity_type.to_owned(),
        name,
        order_title: order_title.to_owned(),
        remark: call.text("remark").to_owned(),
        status: "SUCCESS".to_owned(),
        trans_date: super::beijing(Utc::now()),
    };
    let node = payout.node();
    transfers.push(payout);
    Ok(node)
}

/// A logon id of an account: a mainland mobile number or an email.
fn is_logon_id(identity: &str) -> bool {
    let mobile = match identity.as_bytes() {
        [b'1', second, ..] => {
            identity.len() == 11 && *second >= b'3' && identity.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    };
    let email = match identity.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !identity.contains(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    };
    mobile || email
}

/// `GET /alipay/transfers`.
pub(super) async fn list(ali: web::Data<Alipay>) -> HttpResponse {
    HttpResponse::Ok().json(&*ali.transfers())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles_and_emails_are_logon_ids() {
        for yes in [
            "13800138000",
            "19912345678",
            "a@b.cn",
            "landlord@example.com",
        ] {
            assert!(is_logon_id(yes), "{yes}");
        }
        for no in [
            "12800138000",
            "1380013800",
            "138001380000",
            "a@b",
            "@b.cn",
            "a@.cn",
            "a b@c.cn",
            "a@b@c.cn",
            "张三",
            "",
        ] {
            assert!(!is_logon_id(no), "{no}");
        }
    }

    #[test]
    fn user_ids_are_2088_and_12_digits() {
        assert!(is_user_id("2088102000000001"));
        assert!(!is_user_id("2089102000000001"));
        assert!(!is_user_id("208810200000001"));
        assert!(!is_user_id("2088x02000000001"));
    }
}
