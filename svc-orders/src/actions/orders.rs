//! Orders: 001 §2.1.1 (create), §2.1.2 (the platform's list), 000 §4.1.1 (the resident's list).
use kit::error::{ErrorKind, ServiceError, ServiceResult};
use kit::paging::Paging;
use kit::time::now_unix;
use proto::orders as pb;
use proto::yibiaosanshi::FindPayerRequest;

use super::{State, house_levels, managed, paging, paying_houses, person_filter, platform};
use crate::db::orders::{self, OrderRow, PlatformFilter, ResidentFilter, ShownOrder};
use crate::domain::number::next_order_number;
use crate::domain::payer::Payer;
use crate::error::Error;

/// A page of orders, each with the 商户单号 of the payment that paid it (empty if unpaid).
pub struct OrderPage {
    pub rows: Vec<(ShownOrder, String)>,
    pub paging: Paging,
    pub total: i64,
    /// The version of the community's orders the page shows ([`orders::version`]); 0: none.
    pub version: i64,
    /// The caller's kept page of this version is current: `rows` is empty.
    pub unchanged: bool,
}

fn nobody() -> ServiceError {
    ServiceError::new(
        ErrorKind::Nothing,
        "查无此人",
        "没有通过凭证查询到注册用户或一标三实录入的居民（message编码Order156）",
    )
}

/// 001 §2.1.1: validates, finds the payer, stores the order; its number.
pub async fn create(state: &State, r: pb::CreateOrderRequest) -> ServiceResult<String> {
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
    // The seed's default manager is the community's name, which the same call brought.
    let manager = match r.manager {
        Some(manager) => manager,
        None => found.community_name.clone().ok_or_else(|| {
            ServiceError::not_found("没有根据xiaoqu查找到小区", "unknown community")
        })?,
    };
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
    // The residents who pay for it hear of it (subscribe messages), written with it.
    let mark = kit::outbox::RowMark::default();
    let messages =
        kit::outbox::notice_messages(&new_order_notice(&row, mark.text(), found.payer_user_ids))
            .map_err(|error| ServiceError::internal(format!("the order's notice: {error}")))?;
    let stored = state
        .db
        .write_statement(move |conn| -> crate::error::Result<OrderRow> {
            Ok(orders::insert_with_messages(conn, &row, &messages, &mark)?)
        })
        .await
        .map_err(ServiceError::from)?;
    tracing::info!(order = stored.id, number = %stored.order_number, kind = %stored.target_type, amount_fen, "order created");
    Ok(stored.order_number)
}

/// The payers' notice of a new order (its id `id`): what, how much, for which house or person.
fn new_order_notice(order: &OrderRow, id: &str, payers: Vec<i64>) -> kit::outbox::Notice {
    let subject = if order.house_introduction.is_empty() {
        order.manager.clone()
    } else {
        order.house_introduction.clone()
    };
    kit::outbox::Notice {
        users: payers,
        kind: kit::outbox::NoticeKind::Order,
        title: Some(order.title.clone()),
        amount_fen: Some(order.amount_fen),
        number: Some(order.order_number.clone()),
        subject: Some(subject),
        time: order.created_at,
        page_query: Some(format!("id={id}")),
        ..kit::outbox::Notice::default()
    }
}

/// 001 §2.1.2: the community's orders, filtered.
pub async fn list(state: &State, r: pb::ListOrdersRequest) -> ServiceResult<OrderPage> {
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
    // A person's orders also depend on who svc-yibiaosanshi finds for them: such a page has no
    // version of its own.
    let versioned = filter.users.is_none();
    let known = r.known_version;
    state
        .db
        .run(move |conn| -> crate::error::Result<_> {
            // Read before the page: the page then shows this version or a later one, and a
            // later one has a greater version, which no later call will match.
            let version = if versioned {
                orders::version(conn, &filter.community_identifier)?
            } else {
                0
            };
            if version != 0 && known == Some(version) {
                return Ok(OrderPage {
                    rows: Vec::new(),
                    paging,
                    total: 0,
                    version,
                    unchanged: true,
                });
            }
            let (rows, total) = orders::list_for_platform(conn, &filter, paging)?;
            Ok(OrderPage {
                rows: with_shop_numbers(rows),
                paging,
                total,
                version,
                unchanged: false,
            })
        })
        .await
        .map_err(ServiceError::from)
}

/// 000 §4.1.1: the orders of the resident's paying houses and their personal orders.
pub async fn for_resident(state: &State, r: pb::ResidentOrdersRequest) -> ServiceResult<OrderPage> {
    if r.user_id <= 0 {
        return Err(ServiceError::unauthenticated("no resident in the request"));
    }
    let paging = paging(r.paging)?;
    let houses = paying_houses(state, r.user_id).await?;
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
            Ok((with_shop_numbers(rows), total))
        })
        .await
        .map_err(|error: Error| ServiceError::from(error))?;
    Ok(OrderPage {
        rows,
        paging,
        total,
        version: 0,
        unchanged: false,
    })
}

/// Each row with the out_trade_no (商户单号) of the bill that paid it, empty when none did.
fn with_shop_numbers(rows: Vec<orders::ListedOrder>) -> Vec<(ShownOrder, String)> {
    rows.into_iter()
        .map(|(row, shop)| (row, shop.unwrap_or_default()))
        .collect()
}
