//! 应急电话 (kept by the platform, read by residents), 访客通行 (a resident's pass, checked once
//! at the gate within its window) and the photos residents attach.
use kit::error::{ServiceError, ServiceResult};
use proto::community::{
    IssueVisitorPassRequest, MyVisitorPassesRequest, PlatformCommunity, PlatformRecord,
    ReadPhotoRequest, ResidentCommunity, SaveEmergencyPhoneRequest, UploadPhotoRequest,
    VerifyVisitorPassRequest,
};

use super::photos::Reader;
use super::{State, manages, not_yours, platform, resident};
use crate::db::content::{self as db, EmergencyPhoneRow, VisitorPassRow};
use crate::domain::modules::{EMERGENCY, VISITORS};
use crate::error::Error;

/// The longest a visitor pass may last.
pub const MAX_PASS_SECONDS: i64 = 7 * 24 * 3600;

pub async fn save_phone(
    state: &State,
    request: SaveEmergencyPhoneRequest,
) -> ServiceResult<EmergencyPhoneRow> {
    let platform = platform(request.platform.as_ref())?;
    manages(platform, &request.xiaoqu)?;
    let row = EmergencyPhoneRow {
        id: 0,
        community_identifier: request.xiaoqu,
        name: request.name,
        phone: request.phone,
        weight: request.order,
        created_at: kit::time::now_unix(),
    };
    Ok(state
        .db
        .run(move |conn| db::insert_phone(conn, &row).map_err(Error::from))
        .await?)
}

pub async fn remove_phone(state: &State, request: PlatformRecord) -> ServiceResult<()> {
    let platform = platform(request.platform.as_ref())?;
    let id = request.id;
    let row = state
        .db
        .run(move |conn| db::find_phone(conn, id).map_err(Error::from))
        .await?
        .ok_or_else(|| {
            ServiceError::not_found("没有找到该应急电话", "no emergency phone with this id")
        })?;
    manages(platform, &row.community_identifier).map_err(|_| not_yours())?;
    state
        .db
        .run(move |conn| db::delete_phone(conn, id).map_err(Error::from))
        .await?;
    Ok(())
}

async fn phones_of(state: &State, community: String) -> ServiceResult<Vec<EmergencyPhoneRow>> {
    Ok(state
        .db
        .run(move |conn| db::phones_of(conn, &community).map_err(Error::from))
        .await?)
}

pub async fn platform_phones(
    state: &State,
    request: PlatformCommunity,
) -> ServiceResult<Vec<EmergencyPhoneRow>> {
    let platform = platform(request.platform.as_ref())?;
    manages(platform, &request.xiaoqu)?;
    phones_of(state, request.xiaoqu).await
}

pub async fn resident_phones(
    state: &State,
    request: ResidentCommunity,
) -> ServiceResult<Vec<EmergencyPhoneRow>> {
    let resident = resident(request.resident.as_ref())?;
    let community = request.xiaoqu;
    state.houses(resident).await?.community(&community)?;
    state.require_module(&community, EMERGENCY).await?;
    phones_of(state, community).await
}

/// A pass for one of the resident's houses; `valid_from`/`valid_until` are unix seconds
/// (default: now and 24 hours later), at most 7 days apart.
pub async fn issue_pass(
    state: &State,
    request: IssueVisitorPassRequest,
) -> ServiceResult<VisitorPassRow> {
    let resident = resident(request.resident.as_ref())?;
    let house_id = request.house_id;
    let now = kit::time::now_unix();
    let valid_from = request.valid_from.unwrap_or(now);
    let valid_until = request.valid_until.unwrap_or(valid_from + 24 * 3600);
    if valid_until <= valid_from || valid_until <= now {
        return Err(ServiceError::invalid(
            "valid_until",
            "valid_until必须晚于valid_from和当前时间",
        ));
    }
    if valid_until - valid_from > MAX_PASS_SECONDS {
        return Err(ServiceError::invalid("valid_until", "通行证有效期最长7天"));
    }
    let houses = state.houses(resident).await?;
    let house = houses.house(house_id)?;
    state
        .require_module(&house.community_identifier, VISITORS)
        .await?;
    let row = VisitorPassRow {
        id: 0,
        community_identifier: house.community_identifier.clone(),
        user_id: resident.user_id,
        house_id,
        house_introduction: house.introduction.clone(),
        visitor_name: request.visitor_name,
        visitor_phone: request.visitor_phone,
        code: kit::secret::random_digits(8),
        valid_from,
        valid_until,
        used_at: None,
        created_at: now,
    };
    let row = state
        .db
        .run(move |conn| db::insert_pass(conn, &row).map_err(Error::from))
        .await?;
    tracing::info!(
        pass = row.id,
        user_id = resident.user_id,
        "visitor pass issued"
    );
    Ok(row)
}

pub async fn my_passes(
    state: &State,
    request: MyVisitorPassesRequest,
) -> ServiceResult<Vec<VisitorPassRow>> {
    let resident = resident(request.resident.as_ref())?;
    let user_id = resident.user_id;
    Ok(state
        .db
        .run(move |conn| db::passes_of(conn, user_id).map_err(Error::from))
        .await?)
}

/// The gate checks `code`: the community's, within its window, not used before; it is used now.
pub async fn verify_pass(
    state: &State,
    request: VerifyVisitorPassRequest,
) -> ServiceResult<VisitorPassRow> {
    let platform = platform(request.platform.as_ref())?;
    let code = request.code;
    let invalid = || ServiceError::not_found("通行码无效", "no pass with this code");
    let mut row = state
        .db
        .run(move |conn| db::pass_by_code(conn, &code).map_err(Error::from))
        .await?
        .ok_or_else(invalid)?;
    manages(platform, &row.community_identifier).map_err(|_| invalid())?;
    let now = kit::time::now_unix();
    if now < row.valid_from {
        return Err(ServiceError::conflict(
            "通行码尚未生效",
            "before the pass's window",
        ));
    }
    if now > row.valid_until {
        return Err(ServiceError::conflict(
            "通行码已过期",
            "after the pass's window",
        ));
    }
    let id = row.id;
    let used = state
        .db
        .run(move |conn| db::use_pass(conn, id, now).map_err(Error::from))
        .await?;
    if used == 0 {
        return Err(ServiceError::conflict(
            "通行码已使用",
            "the pass was used before",
        ));
    }
    row.used_at = Some(now);
    tracing::info!(
        pass = id,
        secret_id = platform.secret_id,
        "visitor pass used"
    );
    Ok(row)
}

/// A resident uploads a photo for a community they are bound to.
pub async fn upload_photo(state: &State, request: UploadPhotoRequest) -> ServiceResult<String> {
    let resident = resident(request.resident.as_ref())?;
    let community = request.community_identifier;
    state.houses(resident).await?.community(&community)?;
    state
        .photos
        .upload(&community, resident.user_id, request.content)
        .await
}

pub async fn read_photo(
    state: &State,
    request: ReadPhotoRequest,
) -> ServiceResult<(String, Vec<u8>)> {
    let reader = match (&request.resident, &request.platform) {
        (Some(resident), _) => Reader::Resident(resident.user_id),
        (None, Some(platform)) => Reader::Platform(&platform.communities),
        (None, None) => return Err(ServiceError::unauthenticated("no caller")),
    };
    state.photos.read(reader, &request.key).await
}
