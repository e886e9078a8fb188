//! Announcements (001 §5): the platform creates, edits, closes and deletes them; residents of the
//! community read the open ones, top first, then weight, then newest.
use kit::error::{ServiceError, ServiceResult};
use kit::paging::Paging;
use proto::community::{PlatformFields, ResidentFields};

use super::{State, manages, not_yours, platform, resident};
use crate::db::content::{self as db, AnnouncementRow};
use crate::domain::fields::Fields;
use crate::domain::modules::ANNOUNCEMENTS;
use crate::error::Error;

pub const MAX_TITLE: usize = 100;
pub const MAX_CONTENT: usize = 10_000;

/// 5.1 without `id`; an edit of `id` otherwise (only the fields sent change).
pub async fn save(state: &State, request: PlatformFields) -> ServiceResult<AnnouncementRow> {
    let platform = platform(request.platform.as_ref())?;
    let fields = Fields::from(request.fields);
    let now = kit::time::now_unix();
    let mut row = match fields.int("id")? {
        Some(id) => {
            let row = find(state, id).await?;
            manages(platform, &row.community_identifier).map_err(|_| not_yours())?;
            row
        }
        None => {
            let community = fields.required_text("xiaoqu", 32)?;
            manages(platform, &community)?;
            AnnouncementRow {
                id: 0,
                manager: String::new(),
                community_identifier: community,
                title: fields.required_text("title", MAX_TITLE)?,
                content: fields.required_text("content", MAX_CONTENT)?,
                weight: 0,
                top: false,
                enabled: true,
                logo: String::new(),
                images: String::new(),
                created_by: platform.secret_id.clone(),
                created_at: now,
                updated_at: now,
            }
        }
    };
    if let Some(title) = fields.text("title", MAX_TITLE)? {
        row.title = title;
    }
    if let Some(content) = fields.text("content", MAX_CONTENT)? {
        row.content = content;
    }
    if let Some(weight) = fields.int("order")? {
        row.weight = weight;
    }
    if let Some(top) = fields.flag("top")? {
        row.top = top;
    }
    if let Some(enabled) = fields.flag("status")? {
        row.enabled = enabled;
    }
    if let Some(manager) = fields.text("manager", 64)? {
        row.manager = manager;
    }
    if let Some(logo) = fields.text("logo", 500)? {
        row.logo = logo;
    }
    if fields.has("images") {
        row.images = fields.images("images", 9)?.join(",");
    }
    if row.manager.is_empty() {
        // The seed's default: the community's name + 物业 (晨曦家园物业).
        let name = state
            .registrations
            .community_name(&row.community_identifier)
            .await?
            .unwrap_or_else(|| row.community_identifier.clone());
        row.manager = format!("{name}物业");
    }
    row.updated_at = now;
    let row = state
        .db
        .run(move |conn| {
            if row.id == 0 {
                db::insert_announcement(conn, &row)
            } else {
                db::update_announcement(conn, &row)
            }
            .map_err(Error::from)
        })
        .await?;
    tracing::info!(
        announcement = row.id,
        secret_id = platform.secret_id,
        "announcement saved"
    );
    Ok(row)
}

async fn find(state: &State, id: i64) -> ServiceResult<AnnouncementRow> {
    state
        .db
        .run(move |conn| db::find_announcement(conn, id).map_err(Error::from))
        .await?
        .ok_or_else(|| ServiceError::not_found("没有找到该公告", "no announcement with this id"))
}

pub async fn delete(state: &State, request: PlatformFields) -> ServiceResult<()> {
    let platform = platform(request.platform.as_ref())?;
    let id = Fields::from(request.fields).id("id")?;
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
pub async fn platform_list(state: &State, request: PlatformFields) -> ServiceResult<Page> {
    let platform = platform(request.platform.as_ref())?;
    let fields = Fields::from(request.fields);
    let community = fields.required_text("xiaoqu", 32)?;
    manages(platform, &community)?;
    page(state, community, fields.flag("status")?, fields.paging()?).await
}

/// A resident's list of a community they are bound to: open ones only.
pub async fn resident_list(state: &State, request: ResidentFields) -> ServiceResult<Page> {
    let resident = resident(request.resident.as_ref())?;
    let fields = Fields::from(request.fields);
    let community = fields.required_text("xiaoqu", 32)?;
    let paging = fields.paging()?;
    state.houses(resident).await?.community(&community)?;
    state.require_module(&community, ANNOUNCEMENTS).await?;
    page(state, community, Some(true), paging).await
}

/// One open announcement of a community the resident is bound to.
pub async fn resident_one(
    state: &State,
    request: ResidentFields,
) -> ServiceResult<AnnouncementRow> {
    let resident = resident(request.resident.as_ref())?;
    let id = Fields::from(request.fields).id("id")?;
    let row = find(state, id).await?;
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
