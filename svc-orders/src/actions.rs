//! What each RPC does: validate the fields, check the caller's scope, find the payer, touch the
//! database.
use kit::db::Database;
use kit::error::{ErrorKind, ServiceError, ServiceResult};
use kit::paging::Paging;
use kit::time::now_unix;
use proto::orders as pb;
use proto::yibiaosanshi::FindPayerRequest;

use crate::clients::{Auth, Community, Yibiaosanshi};
use crate::db::orders::{self, OrderRow, PlatformFilter, ResidentFilter};
use crate::domain::number::next_order_number;
use crate::domain::payer::Payer;
use crate::error::Error;

/// What every action needs.
#[derive(Clone)]
pub struct State {
    pub db: Database,
    pub yibiaosanshi: Yibiaosanshi,
    pub auth: Auth,
    pub community: Community,
    pub wxpay: wxpay::WxPayClient,
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

/// The requested page, bounded (the gateway sends one; absent means the first of 20).
pub(crate) fn paging(request: Option<pb::PageRequest>) -> ServiceResult<Paging> {
    let request = request.unwrap_or_default();
    let positive = |value: i64| (value != 0).then_some(value);
    Paging::new(positive(request.page), positive(request.per_page))
        .map_err(|field| ServiceError::invalid(field, format!("{field}超出范围")))
}

fn nobody() -> ServiceError {
    ServiceError::new(
        ErrorKind::Nothing,
        "查无此人",
        "没有通过凭证查询到注册用户或一标三实录入的居民（message编码Order156）",
    )
}

/// 001 §2.1.1: validates, finds the payer, stores the order; its number.
pub async fn create(
    state: &State,
    r: pb::CreateOrderRequest,
) -> ServiceResult<pb::CreateOrderReply> {
    let caller = platform(r.platform.as_ref())?;
    let community = managed(caller, &r.xiaoqu)?;
    let payer = Payer::from_request(r.payer)?;
    if r.title.is_empty() {
        return Err(ServiceError::missing("title"));
    }
    if !(1..=kit::money::MAX_FEN).contains(&r.amount_fen) {
        return Err(ServiceError::invalid("amount", "金额超出范围"));
    }
    let amount_fen = r.amount_fen;
    let title = r.title;
    let remark = r.remark.unwrap_or_default();
    let extra = r.extra.unwrap_or_default();
    let manager = match r.manager {
        Some(manager) => manager,
        None => state
            .yibiaosanshi
            .community_name(&community)
            .await?
            .ok_or_else(|| {
                ServiceError::not_found("没有根据xiaoqu查找到小区", "unknown community")
            })?,
    };
    let mut find = FindPayerRequest {
        community_identifier: community.clone(),
        kind: payer.kind().to_owned(),
        ..Default::default()
    };
    match &payer {
        Payer::House {
            louhao,
            danyuan,
            louceng,
            fangjian,
        } => {
            find.louhao = *louhao;
            find.danyuan = *danyuan;
            find.louceng = *louceng;
            find.fangjian = *fangjian;
        }
        Payer::Phone { phone, name } => {
            find.phone = phone.clone();
            find.name = name.clone();
        }
        Payer::Idcard(idcard) => find.idcard = idcard.clone(),
        Payer::Car(number) | Payer::Parking(number) => find.number = number.clone(),
    }
    // Scoped to the community: someone bound only elsewhere is "not found", like a stranger.
    let found = state.yibiaosanshi.find_payer(find).await?;
    if !found.found {
        return Err(match payer {
            Payer::House { .. } => ServiceError::new(
                ErrorKind::Nothing,
                "查无此房",
                "没有根据xiaoqu和identifier查找到房屋",
            ),
            Payer::Car(_) => ServiceError::new(
                ErrorKind::Nothing,
                "查无此车",
                "没有通过car_number查询到people_car表有人绑定该车辆",
            ),
            Payer::Parking(_) => ServiceError::new(
                ErrorKind::Nothing,
                "查无此车位",
                "没有通过parking_number查询到该小区有住户分配该车位",
            ),
            _ => nobody(),
        });
    }
    if !found.registered {
        return Err(ServiceError::new(
            ErrorKind::NotRegistered,
            "用户未注册",
            "已查到该居民，但该居民未注册小程序，请通知该用户进行激活",
        ));
    }
    let now = now_unix();
    let (louhao, danyuan, louceng, fangjian) = match &payer {
        Payer::House {
            louhao,
            danyuan,
            louceng,
            fangjian,
        } => (
            Some(*louhao),
            Some(*danyuan),
            Some(*louceng),
            Some(*fangjian),
        ),
        _ => (None, None, None, None),
    };
    let row = OrderRow {
        id: 0,
        order_number: next_order_number(),
        target_type: payer.kind().to_owned(),
        community_identifier: community,
        house_id: (found.house_id > 0).then_some(found.house_id),
        user_id: (found.user_id > 0).then_some(found.user_id),
        louhao,
        danyuan,
        louceng,
        fangjian,
        house_introduction: found.introduction,
        title,
        remark,
        extra,
        manager,
        amount_fen,
        status: orders::OPEN.to_owned(),
        paied: false,
        bill_id: None,
        created_by: caller.credential_id,
        created_at: now,
        updated_at: now,
    };
    let stored = state
        .db
        .run(move |conn| -> crate::error::Result<OrderRow> { Ok(orders::insert(conn, &row)?) })
        .await
        .map_err(ServiceError::from)?;
    tracing::info!(order = stored.id, number = %stored.order_number, kind = %stored.target_type, amount_fen, "order created");
    Ok(pb::CreateOrderReply {
        order_number: stored.order_number,
    })
}

/// 001 §2.1.2: the community's orders, filtered.
pub async fn list(state: &State, r: pb::ListOrdersRequest) -> ServiceResult<pb::OrderPage> {
    let caller = platform(r.platform.as_ref())?;
    let community = managed(caller, &r.xiaoqu)?;
    let paging = paging(r.paging)?;
    let [louhao, danyuan, louceng, fangjian] = house_levels(r.house.unwrap_or_default())?;
    let mut filter = PlatformFilter {
        louhao,
        danyuan,
        louceng,
        fangjian,
        title: r.title,
        open: r.open,
        paied: r.paied,
        ..Default::default()
    };
    filter.users = person_filter(state, &community, r.person.unwrap_or_default()).await?;
    filter.community_identifier = community;
    let (rows, total) = state
        .db
        .run(move |conn| -> crate::error::Result<_> {
            let (rows, total) = orders::list_for_platform(conn, &filter, paging)?;
            Ok((with_shop_numbers(conn, rows)?, total))
        })
        .await
        .map_err(ServiceError::from)?;
    Ok(page(rows, paging, total))
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

/// 000 §4.1.1: the orders of the resident's paying houses and their personal orders.
pub async fn for_resident(
    state: &State,
    r: pb::ResidentOrdersRequest,
) -> ServiceResult<pb::OrderPage> {
    if r.user_id <= 0 {
        return Err(ServiceError::unauthenticated("no resident in the request"));
    }
    let paging = paging(r.paging)?;
    let houses: Vec<i64> = state
        .yibiaosanshi
        .paying_houses(r.user_id)
        .await?
        .into_iter()
        .map(|h| h.house_id)
        .collect();
    let house_id = r.house_id;
    if let Some(id) = house_id
        && !houses.contains(&id)
    {
        return Err(ServiceError::forbidden(
            "您没有该房屋的缴费权限",
            "house_id is not a house where the caller may pay",
        ));
    }
    let filter = ResidentFilter {
        user_id: r.user_id,
        houses,
        title: r.title,
        paied: r.paied,
        house_id,
    };
    let (rows, total) = state
        .db
        .run(move |conn| -> crate::error::Result<_> {
            let (rows, total) = orders::list_for_resident(conn, &filter, paging)?;
            Ok((with_shop_numbers(conn, rows)?, total))
        })
        .await
        .map_err(|error: Error| ServiceError::from(error))?;
    Ok(page(rows, paging, total))
}

/// Each row with the out_trade_no (商户单号) of the bill that paid it, if any.
fn with_shop_numbers(
    conn: &mut kit::db::AnyConnection,
    rows: Vec<OrderRow>,
) -> diesel::QueryResult<Vec<(OrderRow, String)>> {
    let bills: Vec<i64> = rows.iter().filter_map(|row| row.bill_id).collect();
    let shops: std::collections::HashMap<i64, String> =
        crate::db::payments::shop_numbers(conn, &bills)?
            .into_iter()
            .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let shop = row
                .bill_id
                .and_then(|bill| shops.get(&bill).cloned())
                .unwrap_or_default();
            (row, shop)
        })
        .collect())
}

fn page(rows: Vec<(OrderRow, String)>, paging: Paging, total: i64) -> pb::OrderPage {
    pb::OrderPage {
        orders: rows
            .into_iter()
            .map(|(row, shop)| pb::Order {
                shop_number: shop,
                ..order(row)
            })
            .collect(),
        page: paging.page,
        per_page: paging.per_page,
        total,
    }
}

pub(crate) fn order(row: OrderRow) -> pb::Order {
    pb::Order {
        id: row.id,
        number: row.order_number,
        title: row.title,
        amount_fen: row.amount_fen,
        open: row.status == orders::OPEN,
        paied: row.paied,
        remark: row.remark,
        extra: row.extra,
        house: row.house_introduction,
        manager: row.manager,
        shop_number: String::new(),
        house_id: row.house_id.unwrap_or_default(),
    }
}
