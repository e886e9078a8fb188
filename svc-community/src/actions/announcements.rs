//! Announcements (001 §5): the platform creates, edits, closes and deletes them; residents of the
//! community read the open ones, top first, then weight, then newest.
use kit::error::{ServiceError, ServiceResult};
use kit::paging::Paging;
use proto::community::{
    CreateAnnouncementRequest, EditAnnouncementRequest, PlatformAnnouncementsRequest,
    PlatformRecord, PlatformRef, ResidentAnnouncementsRequest, ResidentRecord,
};

use super::{State, manages, not_yours, platform, resident};
use crate::db::content::{self as db, AnnouncementRow};
use crate::domain::modules::ANNOUNCEMENTS;
use crate::error::Error;
use crate::grpc::convert;

/// 5.1: open unless `status` says otherwise.
pub async fn create(
    state: &State,
    request: CreateAnnouncementRequest,
) -> ServiceResult<AnnouncementRow> {
    let platform = platform(request.platform.as_ref())?;
    manages(platform, &request.xiaoqu)?;
    let now = kit::time::now_unix();
    let row = AnnouncementRow {
        id: 0,
        manager: request.manager.unwrap_or_default(),
        community_identifier: request.xiaoqu,
        title: request.title,
        content: request.content,
        weight: request.order,
        top: request.top,
        enabled: request.status.unwrap_or(true),
        logo: request.logo.unwrap_or_default(),
        images: request.images.join(","),
        created_by: platform.secret_id.clone(),
        created_at: now,
        updated_at: now,
    };
    let publish = row.enabled;
    store(state, platform, row, publish).await
}

/// An edit: only the fields sent change.
pub async fn edit(
    state: &State,
    request: EditAnnouncementRequest,
) -> ServiceResult<AnnouncementRow> {
    let platform = platform(request.platform.as_ref())?;
    let mut row = find(state, request.id).await?;
    manages(platform, &row.community_identifier).map_err(|_| not_yours())?;
    let was_open = row.enabled;
    if let Some(title) = request.title {
        row.title = title;
    }
    if let Some(content) = request.content {
        row.content = content;
    }
    if let Some(weight) = request.order {
        row.weight = weight;
    }
    if let Some(top) = request.top {
        row.top = top;
    }
    if let Some(enabled) = request.status {
        row.enabled = enabled;
    }
    if let Some(manager) = request.manager {
        row.manager = manager;
    }
    if let Some(logo) = request.logo {
        row.logo = logo;
    }
    if let Some(images) = request.images {
        row.images = images.urls.join(",");
    }
    row.updated_at = kit::time::now_unix();
    let publish = row.enabled && !was_open;
    store(state, platform, row, publish).await
}

/// Inserts a new announcement or updates one, with the seed's default manager: the community's
/// name + 物业 (晨曦家园物业). One `publish`ed (opened) is told to the community's residents
/// (subscribe messages), written with it.
async fn store(
    state: &State,
    platform: &PlatformRef,
    mut row: AnnouncementRow,
    publish: bool,
) -> ServiceResult<AnnouncementRow> {
    if row.manager.is_empty() {
        let name = state
            .registrations
            .community_name(&row.community_identifier)
            .await?
            .unwrap_or_else(|| row.community_identifier.clone());
        row.manager = format!("{name}物业");
    }
    let readers = if publish {
        state
            .registrations
            .community_residents(&row.community_identifier)
            .await?
    } else {
        Vec::new()
    };
    let row = state
        .db
        .write(move |conn| -> Result<AnnouncementRow, Error> {
            let row = if row.id == 0 {
                db::insert_announcement(conn, &row)?
            } else {
                db::update_announcement(conn, &row)?
            };
            if !readers.is_empty() {
                kit::outbox::enqueue_notice(conn, &readers_notice(&row, readers))?;
            }
            Ok(row)
        })
        .await?;
    tracing::info!(
        announcement = row.id,
        secret_id = platform.secret_id,
        "announcement saved"
    );
    Ok(row)
}

/// The residents' notice of a published announcement.
fn readers_notice(row: &AnnouncementRow, readers: Vec<i64>) -> kit::outbox::Notice {
    kit::outbox::Notice {
        users: readers,
        kind: kit::outbox::NoticeKind::Announcement,
        title: Some(row.title.clone()),
        subject: Some(row.manager.clone()),
        time: row.updated_at,
        page_query: Some(format!("id={}", row.id)),
        ..kit::outbox::Notice::default()
    }
}

async fn find(state: &State, id: i64) -> ServiceResult<AnnouncementRow> {
    state
        .db
        .run(move |conn| db::find_announcement(conn, id).map_err(Error::from))
        .await?
        .ok_or_else(|| ServiceError::not_found("没有找到该公告", "no announcement with this id"))
}

pub async fn delete(state: &State, request: PlatformRecord) -> ServiceResult<()> {
    let platform = platform(request.platform.as_ref())?;
    let id = request.id;
    let row = find(state, id).await?;
    manages(platform, &row.community_identifier).map_err(|_| not_yours())?;
    state
        .db
        .run(move |conn| db::delete_announcement(conn, id).map_err(Error::from))
        .await?;
    Ok(())
}

pub type Page = (Vec<AnnouncementRow>, i64, Paging);

async fn page(
    state: &State,
    community: String,
    enabled: Option<bool>,
    paging: Paging,
) -> ServiceResult<Page> {
    let (rows, total) = state
        .db
        .run(move |conn| {
            db::page_announcements(conn, &community, enabled, paging).map_err(Error::from)
        })
        .await?;
    Ok((rows, total, paging))
}

/// The platform's list: `status` 0/1 filters, none lists all.
pub async fn platform_list(
    state: &State,
    request: PlatformAnnouncementsRequest,
) -> ServiceResult<Page> {
    let platform = platform(request.platform.as_ref())?;
    manages(platform, &request.xiaoqu)?;
    let paging = convert::paging(request.paging)?;
    page(state, request.xiaoqu, request.status, paging).await
}

/// A resident's list of a community they are bound to: open ones only.
pub async fn resident_list(
    state: &State,
    request: ResidentAnnouncementsRequest,
) -> ServiceResult<Page> {
    let resident = resident(request.resident.as_ref())?;
    let community = request.xiaoqu;
    let paging = convert::paging(request.paging)?;
    state.houses(resident).await?.community(&community)?;
    state.require_module(&community, ANNOUNCEMENTS).await?;
    page(state, community, Some(true), paging).await
}

/// One open announcement of a community the resident is bound to.
pub async fn resident_one(
    state: &State,
    request: ResidentRecord,
) -> ServiceResult<AnnouncementRow> {
    let resident = resident(request.resident.as_ref())?;
    let row = find(state, request.id).await?;
    state
        .houses(resident)
        .await?
        .community(&row.community_identifier)
        .map_err(|_| not_yours())?;
    if !row.enabled {
        return Err(ServiceError::not_found(
            "该公告已关闭",
            "the announcement is closed",
        ));
    }
    Ok(row)
}
