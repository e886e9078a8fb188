//! Who a landlord is: /user_identification checks a real name and ID number against OCR of the
//! card's front (svc-yibiaosanshi's OCR client); /house_identification claims a house of our
//! address tree to let, approved at once for the house's bound 业主 and otherwise decided by the
//! platform managing its community.
use kit::error::{ErrorKind, ServiceError, ServiceResult};
use kit::paging::Paging;
use proto::rental::{
    Caller, IdentifyHouseRequest, IdentifyUserRequest, PlatformListingsRequest,
    ReviewListingRequest,
};

use super::{Holding, holding};
use crate::actions::{State, manages, not_yours, platform, resident};
use crate::db::rental::{self as db, IdentificationRow, ProfileRow};
use crate::domain::rental::{APPROVED, REFUSED, WAITING};
use crate::domain::rental_key::FileKind;
use crate::error::Error;

/// A claim on a house let by its tenant (二房东) carries the lease agreement.
const SUBLET: i32 = 2;

/// Checks the name and number against the card's front, then keeps the three photos.
pub async fn identify_user(
    state: &State,
    request: IdentifyUserRequest,
) -> ServiceResult<ProfileRow> {
    let resident = resident(request.resident.as_ref())?.clone();
    for (field, content) in [
        ("portrait", &request.portrait),
        ("idcardfront", &request.idcardfront),
        ("idcardback", &request.idcardback),
    ] {
        if content.is_empty() {
            return Err(ServiceError::missing(field));
        }
    }
    let card = state
        .registrations
        .read_id_card(resident.clone(), request.idcardfront.clone())
        .await
        .map_err(|error| match error.kind {
            // Unreadable or too large: the front photo is what was wrong.
            ErrorKind::Invalid => ServiceError::invalid("idcardfront", error.message),
            _ => error,
        })?;
    if card.name.trim() != request.realname.trim() {
        return Err(ServiceError::conflict_in(
            "realname",
            "姓名与身份证照片不符",
        ));
    }
    if !card
        .idcard
        .trim()
        .eq_ignore_ascii_case(&request.idcardnumber)
    {
        return Err(ServiceError::conflict_in(
            "idcardnumber",
            "身份证号与身份证照片不符",
        ));
    }
    let user = resident.user_id;
    let files = &state.rental_files;
    let portrait = files
        .put("portrait", user, FileKind::IdPortrait, request.portrait)
        .await?;
    let front = files
        .put(
            "idcardfront",
            user,
            FileKind::IdCardFront,
            request.idcardfront,
        )
        .await?;
    let back = files
        .put("idcardback", user, FileKind::IdCardBack, request.idcardback)
        .await?;
    let (name, number) = (request.realname, request.idcardnumber.to_ascii_uppercase());
    let now = kit::time::now_unix();
    tracing::info!(user, "real name checked against the ID card");
    Ok(state
        .db
        .write(move |conn| {
            let mut row = db::ensure_profile(conn, user, now)?;
            row.realname = Some(name);
            row.idcardnumber = Some(number);
            row.id_portrait_key = Some(portrait);
            row.idcard_front_key = Some(front);
            row.idcard_back_key = Some(back);
            row.identified_at = Some(now);
            row.updated_at = now;
            Ok::<_, Error>(db::save_profile(conn, &row)?)
        })
        .await?)
}

/// A claim to let a house of our address tree.
pub async fn identify_house(
    state: &State,
    request: IdentifyHouseRequest,
) -> ServiceResult<IdentificationRow> {
    let resident = resident(request.resident.as_ref())?.clone();
    let community = request.community_identifier;
    let house_id = request.community_house_id;
    let house = state
        .registrations
        .house(house_id)
        .await?
        .filter(|house| house.community_identifier == community)
        .ok_or_else(|| ServiceError::not_found_in("community_house_id", "该小区没有这个房屋"))?;
    if request.property_cert_photo.is_empty() {
        return Err(ServiceError::missing("property_cert_photo"));
    }
    let lease = request.lease_agreement_photo.filter(|l| !l.is_empty());
    if request.house_type == SUBLET && lease.is_none() {
        return Err(ServiceError::missing("lease_agreement_photo_url"));
    }
    let owner = matches!(
        holding(state, &resident, &community, house_id).await?,
        Holding::Owner(_)
    );
    let user = resident.user_id;
    let files = &state.rental_files;
    let cert = files
        .put(
            "property_cert_photo",
            user,
            FileKind::PropertyCert,
            request.property_cert_photo,
        )
        .await?;
    let lease = match lease {
        Some(content) => Some(
            files
                .put("lease_agreement_photo_url", user, FileKind::Lease, content)
                .await?,
        ),
        None => None,
    };
    let now = kit::time::now_unix();
    let row = IdentificationRow {
        id: 0,
        user_id: user,
        community_identifier: community,
        community_house_id: house_id,
        house_introduction: house.introduction,
        certname: request.certname,
        idcardnumber: request.idcardnumber.to_ascii_uppercase(),
        property_cert_number: request.property_cert_number,
        property_cert_key: cert,
        house_type: request.house_type,
        lease_key: lease,
        // The registry already says the house is theirs.
        status: if owner { APPROVED } else { WAITING },
        reason: String::new(),
        decided_by: owner.then(|| "registry".to_owned()),
        decided_at: owner.then_some(now),
        created_at: now,
        updated_at: now,
    };
    Ok(state
        .db
        .run(move |conn| db::insert_identification(conn, &row).map_err(Error::from))
        .await?)
}

pub type Page = (Vec<IdentificationRow>, i64, Paging);

/// The most claims /my_identifications answers.
pub const MY_CLAIMS_LIMIT: i64 = 100;

/// The caller's own claims to let a house, the latest first: waiting, approved, or refused with
/// the platform's reason.
pub async fn mine(state: &State, request: Caller) -> ServiceResult<Vec<IdentificationRow>> {
    let user = resident(request.resident.as_ref())?.user_id;
    Ok(state
        .db
        .run(move |conn| {
            db::identifications_by_user(conn, user, MY_CLAIMS_LIMIT).map_err(Error::from)
        })
        .await?)
}

/// A page of one of the platform's communities' claims.
pub async fn platform_list(state: &State, request: PlatformListingsRequest) -> ServiceResult<Page> {
    let platform = platform(request.platform.as_ref())?;
    manages(platform, &request.xiaoqu)?;
    let paging = Paging::requested(request.page, request.per_page)?;
    let (community, status) = (request.xiaoqu, request.status);
    let (rows, total) = state
        .db
        .run(move |conn| {
            db::identifications_of_community(conn, &community, status, paging).map_err(Error::from)
        })
        .await?;
    Ok((rows, total, paging))
}

/// The platform approves (1) or refuses (0, with a reason) a waiting claim of its community.
pub async fn review(
    state: &State,
    request: ReviewListingRequest,
) -> ServiceResult<IdentificationRow> {
    let platform = platform(request.platform.as_ref())?.clone();
    let status = match request.status {
        APPROVED | REFUSED => request.status,
        _ => return Err(ServiceError::invalid("status", "status必须是1或0")),
    };
    let reason = request.reason;
    if status == REFUSED && reason.trim().is_empty() {
        return Err(ServiceError::missing("reason"));
    }
    let id = request.id;
    Ok(state
        .db
        .write(move |conn| {
            let mut row = db::find_identification(conn, id)?
                .ok_or_else(|| ServiceError::not_found_in("id", "没有找到该认证申请"))?;
            if manages(&platform, &row.community_identifier).is_err() {
                return Err(not_yours().into());
            }
            if row.status != WAITING {
                return Err(ServiceError::conflict_in("status", "该认证申请已经处理过了").into());
            }
            let now = kit::time::now_unix();
            row.status = status;
            row.reason = if status == REFUSED {
                reason
            } else {
                String::new()
            };
            row.decided_by = Some(platform.secret_id.clone());
            row.decided_at = Some(now);
            row.updated_at = now;
            Ok::<_, Error>(db::update_identification(conn, &row)?)
        })
        .await?)
}
