//! Complaints and suggestions (001 §6): a resident submits one (content, photos, optional
//! house), lists their own and reads replies; the platform lists, replies and closes.
use kit::error::{ServiceError, ServiceResult};
use kit::paging::Paging;
use proto::community::submit_complaint_request::About;
use proto::community::{
    AnswerComplaintRequest, ListComplaintsRequest, MyComplaintsRequest, ResidentRecord,
    SubmitComplaintRequest,
};

use super::{State, manages, not_yours, platform, resident};
use crate::db::content::{self as db, ComplaintFilter, ComplaintRow};
use crate::domain::modules::COMPLAINTS;
use crate::error::Error;
use crate::grpc::convert;

pub const PENDING: &str = "待处理";
pub const REPLIED: &str = "已回复";
pub const CLOSED: &str = "已关闭";

pub async fn submit(state: &State, request: SubmitComplaintRequest) -> ServiceResult<ComplaintRow> {
    let resident = resident(request.resident.as_ref())?;
    let kind = convert::complaint_kind(request.r#type())
        .ok_or_else(|| ServiceError::missing("type"))?
        .to_owned();
    let (content, images) = (request.content, request.images);
    let about = request
        .about
        .ok_or_else(|| ServiceError::missing("xiaoqu"))?;
    let houses = state.houses(resident).await?;
    let (community, house_id, introduction) = match about {
        About::HouseId(id) => {
            let house = houses.house(id)?;
            (
                house.community_identifier.clone(),
                Some(id),
                house.introduction.clone(),
            )
        }
        About::Xiaoqu(community) => {
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

async fn page(state: &State, filter: ComplaintFilter, paging: Paging) -> ServiceResult<Page> {
    let (rows, total) = state
        .db
        .run(move |conn| db::page_complaints(conn, &filter, paging).map_err(Error::from))
        .await?;
    Ok((rows, total, paging))
}

pub async fn mine(state: &State, request: MyComplaintsRequest) -> ServiceResult<Page> {
    let resident = resident(request.resident.as_ref())?;
    let filter = ComplaintFilter {
        user_id: Some(resident.user_id),
        kind: convert::complaint_kind(request.r#type()).map(str::to_owned),
        status: convert::complaint_status(request.status()).map(str::to_owned),
        ..ComplaintFilter::default()
    };
    page(state, filter, convert::paging(request.paging)?).await
}

async fn find(state: &State, id: i64) -> ServiceResult<ComplaintRow> {
    state
        .db
        .run(move |conn| db::find_complaint(conn, id).map_err(Error::from))
        .await?
        .ok_or_else(|| ServiceError::not_found("没有找到该投诉建议", "no complaint with this id"))
}

pub async fn my_one(state: &State, request: ResidentRecord) -> ServiceResult<ComplaintRow> {
    let resident = resident(request.resident.as_ref())?;
    let row = find(state, request.id).await?;
    if row.user_id != resident.user_id {
        return Err(not_yours());
    }
    Ok(row)
}

pub async fn list(state: &State, request: ListComplaintsRequest) -> ServiceResult<Page> {
    let platform = platform(request.platform.as_ref())?;
    manages(platform, &request.xiaoqu)?;
    let filter = ComplaintFilter {
        kind: convert::complaint_kind(request.r#type()).map(str::to_owned),
        status: convert::complaint_status(request.status()).map(str::to_owned),
        community_identifier: Some(request.xiaoqu),
        ..ComplaintFilter::default()
    };
    page(state, filter, convert::paging(request.paging)?).await
}

/// The resident's notice of a reply to their complaint or suggestion.
fn residents_notice(complaint: &ComplaintRow, now: i64) -> kit::outbox::Notice {
    kit::outbox::Notice {
        users: vec![complaint.user_id],
        kind: kit::outbox::NoticeKind::Complaint,
        title: Some(complaint.content.clone()),
        status: Some(complaint.status.clone()),
        remark: complaint.reply.clone(),
        time: now,
        page_query: Some(format!("id={}", complaint.id)),
        ..kit::outbox::Notice::default()
    }
}

/// `reply` replies (已回复); `close=1` closes (已关闭). A closed one takes nothing more.
pub async fn answer(state: &State, request: AnswerComplaintRequest) -> ServiceResult<ComplaintRow> {
    let platform = platform(request.platform.as_ref())?;
    let row = find(state, request.id).await?;
    manages(platform, &row.community_identifier).map_err(|_| not_yours())?;
    let (reply, close) = (request.reply, request.close);
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
        .write(move |conn| -> Result<ComplaintRow, Error> {
            let answered = db::answer_complaint(
                conn,
                id,
                status,
                reply.as_deref().map(|r| (r, by.as_str(), now)),
                now,
            )?;
            // The resident hears of a reply (a subscribe message), written with it.
            if reply.is_some() {
                kit::outbox::enqueue_notice(conn, &residents_notice(&answered, now))?;
            }
            Ok(answered)
        })
        .await?)
}
