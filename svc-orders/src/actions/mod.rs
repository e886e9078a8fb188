//! The rules: what each RPC does once the gateway has checked its fields — the caller's scope,
//! the payer, the order's and the payment's states — over the database (`db/`). Rows go back to
//! `grpc/`, which turns them into messages.
use kit::db::Database;
use kit::error::{ServiceError, ServiceResult};
use kit::paging::Paging;
use proto::orders as pb;
use proto::yibiaosanshi::FindPayerRequest;

use crate::clients::{Auth, Community, Rental, Yibiaosanshi};

pub mod alipay_users;
pub mod bill_refunds;
pub mod bills;
pub mod closing;
pub mod ledger;
pub mod orders;
pub mod outbox;
pub mod payment;
pub mod payouts;
pub mod reconcile;
pub mod refunds;
pub mod viewings;

/// What every action needs.
#[derive(Clone)]
pub struct State {
    pub db: Database,
    pub yibiaosanshi: Yibiaosanshi,
    pub auth: Auth,
    pub community: Community,
    /// svc-community's rental marketplace: which listings may be asked to view.
    pub rental: Rental,
    pub wxpay: wxpay::WxPayClient,
    /// Alipay, for viewing fees paid on its mobile payment page.
    pub alipay: alipay::Alipay,
    /// `[rental] viewing_fee_fen`: what a viewing request costs.
    pub viewing_fee_fen: i64,
    /// `[rental] confirm_within_hours`, in seconds: how long a paid viewing fee waits for the
    /// landlord's confirmation before it goes back.
    pub confirm_within_secs: i64,
    /// `[reconciliation] after_seconds`: how long after a payment was offered reconciliation
    /// first asks the providers about it.
    pub check_after_secs: i64,
    /// `[rental] invite_share`: the part of a landlord's confirmed fee their inviter earns.
    pub invite_share: f64,
    /// The shared cache: Alipay authorisation states.
    pub cache: kit::cache::SharedCache,
}

pub(crate) fn platform(platform: Option<&pb::PlatformRef>) -> ServiceResult<&pb::PlatformRef> {
    platform.ok_or_else(|| ServiceError::unauthenticated("no platform credential in the request"))
}

/// The community `xiaoqu` if the credential manages it (001 §1.2's Se160 answer otherwise).
pub(crate) fn managed(platform: &pb::PlatformRef, xiaoqu: &str) -> ServiceResult<String> {
    let xiaoqu = xiaoqu.trim();
    if xiaoqu.is_empty() {
        return Err(ServiceError::missing("xiaoqu"));
    }
    kit::scope::require_managed(&platform.communities, xiaoqu)?;
    Ok(xiaoqu.to_owned())
}

/// The platform's own number of a request it may send again (`refund_number`, `order_id`): 1–64
/// letters, digits, `_` or `-`, trimmed.
pub(crate) fn request_number(field: &str, text: &str) -> ServiceResult<String> {
    let number = text.trim();
    if number.is_empty()
        || number.len() > 64
        || !number
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(ServiceError::invalid(
            field,
            format!("{field}须为1-64位字母、数字、_或-"),
        ));
    }
    Ok(number.to_owned())
}

/// The houses where the resident holds the payment right (activated bindings).
pub(crate) async fn paying_houses(state: &State, user_id: i64) -> ServiceResult<Vec<i64>> {
    Ok(state
        .yibiaosanshi
        .houses(user_id)
        .await?
        .into_iter()
        .filter(|house| house.pay)
        .map(|house| house.house_id)
        .collect())
}

/// The requested page, bounded (the gateway sends one; absent means the first of 20).
pub(crate) fn paging(request: Option<pb::PageRequest>) -> ServiceResult<Paging> {
    let request = request.unwrap_or_default();
    Paging::requested(request.page, request.per_page)
}

/// `louhao`, `danyuan`, `louceng`, `fangjian` filters; each level needs the one above it (the
/// seed's rule).
pub(crate) fn house_levels(house: pb::AddressFilter) -> ServiceResult<[Option<i64>; 4]> {
    let levels = [house.louhao, house.danyuan, house.louceng, house.fangjian];
    for (index, name) in ["danyuan", "louceng", "fangjian"].into_iter().enumerate() {
        if levels[index + 1].is_some() && levels[index].is_none() {
            return Err(ServiceError::invalid(
                name,
                format!("传递{name}时必须传递上一级编号"),
            ));
        }
    }
    Ok(levels)
}

/// The person filters (`idcard`, `phone`, `name`) as the user ids they match; `None` when none
/// was given.
pub(crate) async fn person_filter(
    state: &State,
    community: &str,
    person: pb::PersonFilter,
) -> ServiceResult<Option<Vec<i64>>> {
    if person.idcard.is_none() && person.phone.is_none() && person.name.is_none() {
        return Ok(None);
    }
    Ok(Some(
        person_users(state, community, person.idcard, person.phone, person.name).await?,
    ))
}

/// The user ids of the person named by the filters (empty when nobody matches).
async fn person_users(
    state: &State,
    community: &str,
    idcard: Option<String>,
    phone: Option<String>,
    name: Option<String>,
) -> ServiceResult<Vec<i64>> {
    let mut users = Vec::new();
    let ask = |kind: &str| FindPayerRequest {
        community_identifier: community.to_owned(),
        kind: kind.to_owned(),
        ..Default::default()
    };
    let mut lookups = Vec::new();
    if let Some(idcard) = idcard {
        let mut request = ask("idcard");
        request.idcard = idcard;
        lookups.push(request);
    }
    if let Some(phone) = phone {
        let mut request = ask("phone");
        request.phone = phone;
        request.name = name.clone().unwrap_or_default();
        lookups.push(request);
    } else if name.is_some() {
        return Err(ServiceError::invalid(
            "name",
            "按姓名查询时必须同时传递phone",
        ));
    }
    let mut first = true;
    for request in lookups {
        let found = state.yibiaosanshi.find_payer(request).await?;
        let these: Vec<i64> = (found.user_id > 0)
            .then_some(found.user_id)
            .into_iter()
            .collect();
        // Several person filters narrow together.
        users = if first {
            these
        } else {
            users.into_iter().filter(|u| these.contains(u)).collect()
        };
        first = false;
    }
    Ok(users)
}
