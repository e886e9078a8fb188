//! Repairs (001 §4, seed 003): residents file them for a bound house; the platform lists, reads
//! and moves them through RECEIVE → REPAIR → DONE, with a reply and a settlement party.
use kit::error::{ServiceError, ServiceResult};
use kit::paging::Paging;
use proto::community::{
    AddCategoryRequest, CategoriesRequest, FileRepairRequest, ListRepairsRequest, MyRepairsRequest,
    PlatformRecord, PlatformRef, RemoveCategoryRequest, ResidentRecord, UpdateRepairRequest,
};

use super::{State, manages, not_yours, platform, resident};
use crate::db::repairs::{
    self as db, CategoryRow, NewRepair, RepairChange, RepairFilter, RepairRow,
};
use crate::domain::modules::REPAIRS;
use crate::domain::repair::Stage;
use crate::error::Error;
use crate::grpc::convert;

/// The community whose categories a caller means: the platform's `xiaoqu` (which it must manage;
/// it may be left out by a credential managing one community), or the community of the
/// resident's house `house_id` (or `xiaoqu`, where they must be bound; left out when all their
/// houses are in one community).
async fn categories_community(state: &State, request: &CategoriesRequest) -> ServiceResult<String> {
    let xiaoqu = request.xiaoqu.as_deref();
    if let Some(platform) = request.platform.as_ref() {
        return platform_community(platform, xiaoqu);
    }
    let resident = resident(request.resident.as_ref())?;
    let houses = state.houses(resident).await?;
    if let Some(house_id) = request.house_id {
        return Ok(houses.house(house_id)?.community_identifier.clone());
    }
    if let Some(xiaoqu) = xiaoqu {
        houses.community(xiaoqu)?;
        return Ok(xiaoqu.to_owned());
    }
    let mut communities: Vec<&str> = houses
        .0
        .iter()
        .map(|h| h.community_identifier.as_str())
        .collect();
    communities.sort_unstable();
    communities.dedup();
    match communities.as_slice() {
        [only] => Ok((*only).to_owned()),
        [] => Err(ServiceError::forbidden(
            "您还没有绑定房屋，无法查看报修类型",
            "the caller has no activated binding",
        )),
        _ => Err(ServiceError::invalid(
            "house_id",
            "您绑定了多个小区的房屋，请选择报修的房屋",
        )),
    }
}

/// The community a platform request names (`xiaoqu`), which the credential must manage; a
/// credential managing exactly one community may leave it out.
fn platform_community(platform: &PlatformRef, xiaoqu: Option<&str>) -> ServiceResult<String> {
    let Some(xiaoqu) = xiaoqu else {
        return match platform.communities.as_slice() {
            [only] => Ok(only.clone()),
            _ => Err(ServiceError::missing("xiaoqu")),
        };
    };
    manages(platform, xiaoqu)?;
    Ok(xiaoqu.to_owned())
}

/// The categories of one community and the shared defaults, flat (the gRPC layer builds the
/// tree).
pub async fn categories(
    state: &State,
    request: CategoriesRequest,
) -> ServiceResult<Vec<CategoryRow>> {
    let community = categories_community(state, &request).await?;
    Ok(state
        .db
        .run(move |conn| db::categories(conn, &community).map_err(Error::from))
        .await?)
}

fn no_parent() -> ServiceError {
    ServiceError::not_found_in("parent_id", "没有找到上级报修类型")
}

/// The platform adds a category to one of its communities: level 1 without `parent_id`, else
/// one below its parent (≤ 3), which is the community's own or a shared default.
pub async fn add_category(
    state: &State,
    request: AddCategoryRequest,
) -> ServiceResult<CategoryRow> {
    let platform = platform(request.platform.as_ref())?;
    let community = platform_community(platform, request.xiaoqu.as_deref())?;
    let (name, parent) = (request.name, request.parent_id);
    let now = kit::time::now_unix();
    let row = state
        .db
        .run(move |conn| -> Result<CategoryRow, Error> {
            let level = match parent {
                None => 1,
                Some(id) => match db::category(conn, id)? {
                    Some(parent) if !parent.serves(&community) => return Err(no_parent().into()),
                    Some(parent) if parent.level < 3 => parent.level + 1,
                    Some(_) => {
                        return Err(Error::from(ServiceError::invalid(
                            "parent_id",
                            "报修类型最多三级",
                        )));
                    }
                    None => return Err(no_parent().into()),
                },
            };
            let id = db::insert_category(conn, &community, parent, level, &name, now)?;
            Ok(CategoryRow {
                id,
                parent_id: parent,
                level,
                name,
                created_at: now,
                community_identifier: Some(community),
            })
        })
        .await?;
    tracing::info!(
        category = row.id,
        secret_id = platform.secret_id,
        "repair category added"
    );
    Ok(row)
}

/// The platform removes a category of one of its communities that has no children; shared
/// defaults and other communities' categories are refused (403) and stay.
pub async fn remove_category(state: &State, request: RemoveCategoryRequest) -> ServiceResult<()> {
    let platform = platform(request.platform.as_ref())?;
    let id = request.id;
    let row = state
        .db
        .run(move |conn| db::category(conn, id).map_err(Error::from))
        .await?
        .ok_or_else(|| ServiceError::not_found("该报修类型不存在", "no category with this id"))?;
    let Some(community) = row.community_identifier else {
        return Err(ServiceError::forbidden(
            "默认报修类型不能删除",
            "a shared default category is read-only",
        ));
    };
    manages(platform, &community).map_err(|_| not_yours())?;
    if let Some(xiaoqu) = request.xiaoqu
        && xiaoqu != community
    {
        return Err(not_yours());
    }
    let removed = state
        .db
        .run(move |conn| db::delete_leaf_category(conn, id, &community).map_err(Error::from))
        .await?;
    if removed == 0 {
        return Err(ServiceError::conflict(
            "该报修类型还有下级类型，请先删除下级类型",
            "category has children",
        ));
    }
    tracing::info!(
        category = id,
        secret_id = platform.secret_id,
        "repair category removed"
    );
    Ok(())
}

/// `楼道/灯泡/爆炸` of a third-level category.
fn category_path(conn: &mut kit::db::AnyConnection, id: i64) -> Result<String, Error> {
    let mut names = Vec::new();
    let mut next = Some(id);
    while let Some(id) = next {
        let Some(row) = db::category(conn, id)? else {
            break;
        };
        names.push(row.name);
        next = row.parent_id;
    }
    names.reverse();
    Ok(names.join("/"))
}

/// A resident files a repair.
pub async fn file(state: &State, request: FileRepairRequest) -> ServiceResult<RepairRow> {
    let resident = resident(request.resident.as_ref())?;
    let FileRepairRequest {
        house_id,
        possion,
        description,
        images,
        category_id,
        name,
        phone,
        ..
    } = request;
    let phone = phone.unwrap_or_else(|| resident.phone.clone());
    let houses = state.houses(resident).await?;
    let house = houses.house(house_id)?.clone();
    let community = house.community_identifier.clone();
    state.require_module(&community, REPAIRS).await?;
    for image in &images {
        state
            .photos
            .check_mine("images", image, &community, resident.user_id)?;
    }
    let now = kit::time::now_unix();
    let user_id = resident.user_id;
    let row = state
        .db
        .run(move |conn| {
            let category = match category_id {
                None => String::new(),
                Some(id) => match db::category(conn, id)? {
                    Some(row) if row.level == 3 && row.serves(&community) => {
                        category_path(conn, id)?
                    }
                    _ => {
                        return Err(Error::from(ServiceError::not_found_in(
                            "category_id",
                            "category_id必须是三级报修类型",
                        )));
                    }
                },
            };
            let new = NewRepair {
                community_identifier: community,
                user_id,
                house_id,
                house_introduction: house.introduction,
                name: name.unwrap_or(house.role),
                phone,
                possion,
                description,
                images: images.join(","),
                category_id,
                category,
                status: Stage::New.status(),
                stage: Stage::New.as_str().to_owned(),
                created_at: now,
                updated_at: now,
            };
            Ok(db::insert(conn, &new)?)
        })
        .await?;
    tracing::info!(repair = row.id, user_id, "repair filed");
    Ok(row)
}

/// 001 §4's status (0 未解决, 1 已解决) of a `solved` filter.
fn status_filter(solved: Option<bool>) -> Option<i32> {
    solved.map(i32::from)
}

fn stage_filter(stage: proto::community::RepairStage) -> Option<String> {
    convert::stage(stage).map(|stage| stage.as_str().to_owned())
}

async fn page(
    state: &State,
    filter: RepairFilter,
    paging: Paging,
) -> ServiceResult<(Vec<RepairRow>, i64, Paging)> {
    let (rows, total) = state
        .db
        .run(move |conn| db::page(conn, &filter, paging).map_err(Error::from))
        .await?;
    Ok((rows, total, paging))
}

/// The resident's own repairs.
pub async fn mine(
    state: &State,
    request: MyRepairsRequest,
) -> ServiceResult<(Vec<RepairRow>, i64, Paging)> {
    let resident = resident(request.resident.as_ref())?;
    let filter = RepairFilter {
        user_id: Some(resident.user_id),
        status: status_filter(request.solved),
        stage: stage_filter(request.stage()),
        ..RepairFilter::default()
    };
    page(state, filter, convert::paging(request.paging)?).await
}

async fn find(state: &State, id: i64) -> ServiceResult<RepairRow> {
    state
        .db
        .run(move |conn| db::find(conn, id).map_err(Error::from))
        .await?
        .ok_or_else(|| ServiceError::not_found("没有找到该报修记录", "no repair with this id"))
}

/// One of the resident's own repairs; someone else's is 403.
pub async fn my_one(state: &State, request: ResidentRecord) -> ServiceResult<RepairRow> {
    let resident = resident(request.resident.as_ref())?;
    let row = find(state, request.id).await?;
    if row.user_id != resident.user_id {
        return Err(not_yours());
    }
    Ok(row)
}

/// 4.1 (the gateway reads the seed's default, 未解决).
pub async fn list(
    state: &State,
    request: ListRepairsRequest,
) -> ServiceResult<(Vec<RepairRow>, i64, Paging)> {
    let platform = platform(request.platform.as_ref())?;
    manages(platform, &request.xiaoqu)?;
    let filter = RepairFilter {
        status: status_filter(request.solved),
        stage: stage_filter(request.stage()),
        community_identifier: Some(request.xiaoqu),
        ..RepairFilter::default()
    };
    page(state, filter, convert::paging(request.paging)?).await
}

async fn platform_one(state: &State, platform: &PlatformRef, id: i64) -> ServiceResult<RepairRow> {
    let row = find(state, id).await?;
    manages(platform, &row.community_identifier).map_err(|_| not_yours())?;
    Ok(row)
}

/// 4.2.
pub async fn get(state: &State, request: PlatformRecord) -> ServiceResult<RepairRow> {
    let platform = platform(request.platform.as_ref())?;
    platform_one(state, platform, request.id).await
}

/// The resident's notice of a repair's change: its new stage, or 已回复 when it was only replied
/// to; the reply as the remark.
fn residents_notice(repair: &RepairRow, moved: bool, now: i64) -> kit::outbox::Notice {
    let stage = Stage::parse(&repair.stage).unwrap_or(Stage::New);
    let status = if moved {
        stage.resident_label()
    } else {
        "已回复"
    };
    kit::outbox::Notice {
        users: vec![repair.user_id],
        kind: kit::outbox::NoticeKind::Repair,
        title: Some(repair.description.clone()),
        status: Some(status.to_owned()),
        remark: repair.reply.clone(),
        subject: Some(repair.house_introduction.clone()),
        time: now,
        page_query: Some(format!("id={}", repair.id)),
        ..kit::outbox::Notice::default()
    }
}

/// 4.3, with seed 003's actions: `action` RECEIVE / REPAIR / DONE (DONE needs `pay_part`), or
/// 001's `status=1` (done; `pay_part` optional); `reply` alone only replies.
pub async fn update(state: &State, request: UpdateRepairRequest) -> ServiceResult<RepairRow> {
    let platform = platform(request.platform.as_ref())?;
    let row = platform_one(state, platform, request.id).await?;
    let action = convert::action(request.action());
    let pay = convert::pay_part(request.pay_part());
    let (reply, status) = (request.reply, request.solved);
    let staff = request.staff.unwrap_or_else(|| platform.secret_id.clone());
    let current = Stage::parse(&row.stage).unwrap_or(Stage::New);
    let target = match (action, status) {
        (Some(Stage::Done), _) if pay.is_none() => return Err(ServiceError::missing("pay_part")),
        (Some(action), _) => Some(action),
        (None, Some(true)) => Some(Stage::Done),
        (None, Some(false)) if current == Stage::Done => {
            return Err(ServiceError::conflict(
                "报修已完成，不能改回未解决",
                "a done repair cannot be reopened",
            ));
        }
        (None, _) => None,
    };
    if target.is_none() && reply.is_none() && status.is_none() {
        return Err(ServiceError::missing("status"));
    }
    let now = kit::time::now_unix();
    let mut change = RepairChange {
        reply,
        updated_at: now,
        ..RepairChange::default()
    };
    if let Some(target) = target {
        let next = current.apply(target)?;
        change.stage = Some(next.as_str().to_owned());
        change.status = Some(next.status());
        match next {
            Stage::Receive => (change.received_by, change.received_at) = (Some(staff), Some(now)),
            Stage::Repair => (change.repairing_by, change.repairing_at) = (Some(staff), Some(now)),
            Stage::Done => {
                (change.done_by, change.done_at) = (Some(staff), Some(now));
                change.pay_part = pay.map(|part| part.code().to_owned());
            }
            Stage::New => {}
        }
    }
    let id = row.id;
    let expected = row.stage.clone();
    let moved = target.is_some();
    let updated = state
        .db
        // The write lock before the read (`Database::write`): on SQLite a transaction that
        // read first failed at once when another write committed in between.
        .write(move |conn| {
            // The stage read above must still hold: two staff acting at once, one wins.
            let fresh = db::find(conn, id)?;
            if fresh.as_ref().map(|r| r.stage.as_str()) != Some(expected.as_str()) {
                return Err(Error::from(ServiceError::conflict(
                    "数据已被修改，请刷新后重试",
                    "the repair changed meanwhile",
                )));
            }
            let updated = db::update(conn, id, &change)?;
            // The resident hears of it (a subscribe message), written with the change.
            kit::outbox::enqueue_notice(conn, &residents_notice(&updated, moved, now))?;
            Ok(updated)
        })
        .await?;
    tracing::info!(
        repair = id,
        stage = updated.stage,
        secret_id = platform.secret_id,
        "repair updated"
    );
    Ok(updated)
}
