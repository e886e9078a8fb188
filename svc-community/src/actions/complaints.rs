//! Complaints and suggestions (001 §6): a resident submits one (content, photos, optional
//! house), lists their own and reads replies; the platform lists, replies and closes.
use kit::error::{ServiceError, ServiceResult};
use kit::paging::Paging;
use proto::community::{PlatformFields, ResidentFields};

use super::{State, manages, not_yours, platform, resident};
use crate::db::content::{self as db, ComplaintFilter, ComplaintRow};
use crate::domain::fields::Fields;
use crate::domain::modules::COMPLAINTS;
use crate::error::Error;

pub const MAX_CONTENT: usize = 1000;
pub const PENDING: &str = "待处理";
pub const REPLIED: &str = "已回复";
pub const CLOSED: &str = "已关闭";

fn kind(fields: &Fields, required: bool) -> ServiceResult<Option<String>> {
    match fields.get("type") {
        None if required => Err(ServiceError::missing("type")),
        None => Ok(None),
        Some(kind @ ("投诉" | "建议")) => Ok(Some(kind.to_owned())),
        Some(_) => Err(ServiceError::invalid("type", "type只能是投诉或建议")),
    }
}

pub async fn submit(state: &State, request: ResidentFields) -> ServiceResult<ComplaintRow> {
    let resident = resident(request.resident.as_ref())?;
    let fields = Fields::from(request.fields);
    let kind = kind(&fields, true)?.unwrap_or_default();
    let content = fields.required_text("content", MAX_CONTENT)?;
    let images = fields.images("images", 9)?;
    let house_id = fields.int("house_id")?;
    let houses = state.houses(resident).await?;
    let (community, house_id, introduction) = match house_id {
        Some(id) => {
            let house = houses.house(id)?;
            (
                house.community_identifier.clone(),
                Some(id),
                house.introduction.clone(),
            )
        }
        None => {
            let community = fields
                .text("xiaoqu", 32)?
                .ok_or_else(|| ServiceError::missing("xiaoqu"))?;
            houses.community(&community)?;
            (community, None, String::new())
        }
    };
    state.require_module(&community, COMPLAINTS).await?;
    for image in &images {
        state
            .photos
            .check_mine("images", image, &community, resident.user_id)?;
    }
    let now = kit::time::now_unix();
    let row = ComplaintRow {
        id: 0,
        community_identifier: community,
        user_id: resident.user_id,
        phone: resident.phone.clone(),
        kind,
        content,
        images: images.join(","),
        house_id,
        house_introduction: introduction,
        status: PENDING.to_owned(),
        reply: None,
        replied_by: None,
        replied_at: None,
        created_at: now,
        updated_at: now,
    };
    Ok(state
        .db
        .run(move |conn| db::insert_complaint(conn, &row).map_err(Error::from))
        .await?)
}

pub type Page = (Vec<ComplaintRow>, i64, Paging);

fn status(fields: &Fields) -> ServiceResult<Option<String>> {
    match fields.get("status") {
        None => Ok(None),
        Some(s @ (PENDING | REPLIED | CLOSED)) => Ok(Some(s.to_owned())),
        Some(_) => Err(ServiceError::invalid(
            "status",
            "status只能是待处理、已回复或已关闭",
        )),
    }
}

async fn page(state: &State, filter: ComplaintFilter, paging: Paging) -> ServiceResult<Page> {
    let (rows, total) = state
        .db
        .run(move |conn| db::page_complaints(conn, &filter, paging).map_err(Error::from))
        .await?;
    Ok((rows, total, paging))
}

pub async fn mine(state: &State, request: ResidentFields) -> ServiceResult<Page> {
    let resident = resident(request.resident.as_ref())?;
    let fields = Fields::from(request.fields);
    let filter = ComplaintFilter {
        user_id: Some(resident.user_id),
        kind: kind(&fields, false)?,
        status: status(&fields)?,
        ..ComplaintFilter::default()
    };
    page(state, filter, fields.paging()?).await
}

async fn find(state: &State, id: i64) -> ServiceResult<ComplaintRow> {
    state
        .db
        .run(move |conn| db::find_complaint(conn, id).map_err(Error::from))
        .await?
        .ok_or_else(|| ServiceError::not_found("没有找到该投诉建议", "no complaint with this id"))
}

pub async fn my_one(state: &State, request: ResidentFields) -> ServiceResult<ComplaintRow> {
    let resident = resident(request.resident.as_ref())?;
    let row = find(state, Fields::from(request.fields).id("id")?).await?;
    if row.user_id != resident.user_id {
        return Err(not_yours());
    }
    Ok(row)
}

pub async fn list(state: &State, request: PlatformFields) -> ServiceResult<Page> {
    let platform = platform(request.platform.as_ref())?;
    let fields = Fields::from(request.fields);
    let community = fields.required_text("xiaoqu", 32)?;
    manages(platform, &community)?;
    let filter = ComplaintFilter {
        community_identifier: Some(community),
        kind: kind(&fields, false)?,
        status: status(&fields)?,
        ..ComplaintFilter::default()
    };
    page(state, filter, fields.paging()?).await
}

/// `reply` replies (已回复); `close=1` closes (已关闭). A closed one takes nothing more.
pub async fn answer(state: &State, request: PlatformFields) -> ServiceResult<ComplaintRow> {
    let platform = platform(request.platform.as_ref())?;
    let fields = Fields::from(request.fields);
    let row = find(state, fields.id("id")?).await?;
    manages(platform, &row.community_identifier).map_err(|_| not_yours())?;
    let reply = fields.text("reply", MAX_CONTENT)?;
    let close = fields.flag("close")?.unwrap_or(false);
    if reply.is_none() && !close {
        return Err(ServiceError::missing("reply"));
    }
    if row.status == CLOSED {
        return Err(ServiceError::conflict(
            "该投诉建议已关闭",
            "the complaint is closed",
        ));
    }
    let status = if close { CLOSED } else { REPLIED };
    let now = kit::time::now_unix();
    let by = platform.secret_id.clone();
    let id = row.id;
    Ok(state
        .db
        .run(move |conn| {
            db::answer_complaint(
                conn,
                id,
                status,
                reply.as_deref().map(|r| (r, by.as_str(), now)),
                now,
            )
            .map_err(Error::from)
        })
        .await?)
}
