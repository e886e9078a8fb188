//! `alipay.fund.trans.uni.transfer`: a payout from our merchant's balance to an Alipay account
//! (单笔转账到支付宝账户, `TRANS_ACCOUNT_NO_PWD`, `DIRECT_TRANSFER`); idempotent by `out_biz_no`
//! as Alipay is.
use serde_json::json;

use crate::{Alipay, AlipayError, text_of};

/// How a payee is named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentityType {
    /// The account's login: a mobile number or an email (`ALIPAY_LOGON_ID`); Alipay then
    /// requires the payee's real name.
    AlipayLogonId,
    /// The account's user id, 2088 and 12 digits (`ALIPAY_USER_ID`).
    AlipayUserId,
}

impl IdentityType {
    /// Alipay's name of it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AlipayLogonId => "ALIPAY_LOGON_ID",
            Self::AlipayUserId => "ALIPAY_USER_ID",
        }
    }
}

/// An Alipay user id (`ALIPAY_USER_ID`): 2088 and 12 digits.
pub fn is_user_id(identity: &str) -> bool {
    identity.len() == 16
        && identity.starts_with("2088")
        && identity.bytes().all(|b| b.is_ascii_digit())
}

/// A payout to ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transfer<'a> {
    /// Our number of the payout: asking again with it never pays twice.
    pub out_biz_no: &'a str,
    /// At least 10 fen (0.10 元).
    pub amount_fen: i64,
    /// The payee's logon id or user id, as `identity_type` says.
    pub payee_identity: &'a str,
    pub identity_type: IdentityType,
    /// The payee's real name; Alipay checks it against the account when given, and requires it
    /// for [`IdentityType::AlipayLogonId`].
    pub payee_name: Option<&'a str>,
    /// Shown in the payee's bill.
    pub order_title: &'a str,
    pub remark: &'a str,
}

/// What Alipay answered of a payout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transferred {
    /// Alipay's transfer order number.
    pub order_id: String,
    /// Alipay's fund flow number.
    pub pay_fund_order_id: String,
    /// `SUCCESS` (or `DEALING`, `FAIL`, …).
    pub status: String,
    /// `yyyy-MM-dd HH:mm:ss`, Beijing time.
    pub trans_date: String,
}

impl Alipay {
    /// Pays `transfer` out. The same `out_biz_no` again answers the same payout and pays nothing
    /// more. Refusals: `EXCEED_LIMIT_SM_MIN_AMOUNT` (under 0.10 元), `PAYEE_NOT_EXIST`,
    /// `PAYEE_USER_INFO_ERROR` (the name does not match the account),
    /// `PAYER_BALANCE_NOT_ENOUGH`, …
    pub async fn transfer(&self, transfer: &Transfer<'_>) -> Result<Transferred, AlipayError> {
        let mut payee = json!({
            "identity": transfer.payee_identity,
            "identity_type": transfer.identity_type.as_str(),
        });
        if let Some(name) = transfer.payee_name {
            payee["name"] = json!(name);
        }
        let mut biz = json!({
            "out_biz_no": transfer.out_biz_no,
            "trans_amount": kit::money::yuan_decimal(transfer.amount_fen),
            "product_code": "TRANS_ACCOUNT_NO_PWD",
            "biz_scene": "DIRECT_TRANSFER",
            "order_title": transfer.order_title,
            "payee_info": payee,
        });
        if !transfer.remark.is_empty() {
            biz["remark"] = json!(transfer.remark);
        }
        let node = self
            .call("alipay.fund.trans.uni.transfer", Some(&biz), &[])
            .await?;
        Ok(Transferred {
            order_id: text_of(&node, "order_id"),
            pay_fund_order_id: text_of(&node, "pay_fund_order_id"),
            status: text_of(&node, "status"),
            trans_date: text_of(&node, "trans_date"),
        })
    }
}
