//! Listings: a landlord creates a draft of a house they hold, releases it (published at once for
//! the house's verified 业主, else waiting for the platform), edits, pulls off and deletes it;
//! the platform managing the community approves, refuses or takes listings down.
use kit::error::{ServiceError, ServiceResult};
use kit::paging::Paging;
use proto::rental::{
    CreateListingRequest, ListingRef, PlatformListingsRequest, ReviewListingRequest,
    UpdateListingRequest,
};

use super::{Holding, Shown, fields, holding, one, own_listing, shown};
use crate::actions::{State, manages, not_yours, platform, resident};
use crate::db::rental::{self as db, ListingRow};
use crate::domain::rental::{self as rules, Decision};
use crate::error::Error;

/// A draft listing of a house the caller holds: its bound 业主, or with a house identification
/// (approved, or waiting for the platform).
pub async fn create(state: &State, request: CreateListingRequest) -> ServiceResult<Shown> {
    let resident = resident(request.resident.as_ref())?;
    let community = request.community_identifier;
    let house_id = request.community_house_id;
    let held = holding(state, resident, &community, house_id).await?;
    let owner = matches!(held, Holding::Owner(_));
    let introduction = match held {
        Holding::Owner(introduction)
        | Holding::Identified(introduction)
        | Holding::Claimed(introduction) => introduction,
        Holding::None => {
            return Err(ServiceError::forbidden_in(
                "community_house_id",
                "请先完成该房屋的房东身份认证（/house_identification）",
            ));
        }
    };
    let now = kit::time::now_unix();
    let mut row = ListingRow {
        owner_id: resident.user_id,
        community_identifier: community,
        community_house_id: house_id,
        house_introduction: introduction,
        owner_verified: owner,
        details: "{}".to_owned(),
        created_at: now,
        updated_at: now,
        ..ListingRow::default()
    };
    fields::apply(&mut row, request.fields.unwrap_or_default());
    let row = state
        .db
        .run(move |conn| db::insert_listing(conn, &row).map_err(Error::from))
        .await?;
    one(state, row).await
}

/// Loads the caller's listing, changes it with `change` in one write transaction and saves it.
async fn change(
    state: &State,
    resident: &proto::rental::ResidentRef,
    id: i64,
    change: impl FnOnce(&mut ListingRow) -> Result<(), Error> + Send + 'static,
) -> ServiceResult<ListingRow> {
    let resident = resident.clone();
    Ok(state
        .db
        .write(move |conn| {
            let mut row = own_listing(db::find_listing(conn, id)?, &resident)?;
            change(&mut row)?;
            row.updated_at = kit::time::now_unix();
            Ok::<_, Error>(db::update_listing(conn, &row)?)
        })
        .await?)
}

/// Releases a draft (or a listing taken down or refused): the house's bound 业主 publishes at
/// once; a landlord whose house identification the platform approved waits for the platform.
pub async fn release(state: &State, request: ListingRef) -> ServiceResult<Shown> {
    let resident = resident(request.resident.as_ref())?;
    let id = request.house_id;
    let current = state
        .db
        .run(move |conn| db::find_listing(conn, id).map_err(Error::from))
        .await?;
    let current = own_listing(current, resident)?;
    let verified = match holding(
        state,
        resident,
        &current.community_identifier,
        current.community_house_id,
    )
    .await?
    {
        Holding::Owner(_) => true,
        Holding::Identified(_) => false,
        Holding::Claimed(_) => {
            return Err(ServiceError::forbidden_in(
                "house_id",
                "您的房东身份认证尚在审核中，通过后才能发布",
            ));
        }
        Holding::None => {
            return Err(ServiceError::forbidden_in(
                "house_id",
                "您已不再持有该房屋，不能发布该房源",
            ));
        }
    };
    let row = change(state, resident, id, move |row| {
        if !rules::may_release(row.status) {
            return Err(ServiceError::conflict_in("house_id", "该房源已发布或正在审核").into());
        }
        if let Some(field) = fields::missing_for_release(row) {
            return Err(
                ServiceError::conflict_in(field, format!("发布房源前请填写{field}")).into(),
            );
        }
        let now = kit::time::now_unix();
        let status = rules::released_status(verified, row.platform_hold);
        row.owner_verified = verified;
        row.status = Some(status);
        row.submitted_at = Some(now);
        row.reason = String::new();
        if status == rules::PUBLISHED {
            row.released_at = Some(now);
        }
        Ok(())
    })
    .await?;
    one(state, row).await
}

/// The caller's listings, newest first.
pub async fn mine(state: &State, request: proto::rental::Caller) -> ServiceResult<Vec<Shown>> {
    let owner = resident(request.resident.as_ref())?.user_id;
    let rows = state
        .db
        .run(move |conn| db::listings_of_owner(conn, owner).map_err(Error::from))
        .await?;
    shown(state, rows, Vec::new()).await
}

/// One field, as checked at create. A published listing stays published; the platform sees
/// the change in its list.
pub async fn update(state: &State, request: UpdateListingRequest) -> ServiceResult<Shown> {
    let resident = resident(request.resident.as_ref())?;
    let fields = request.fields.unwrap_or_default();
    let row = change(state, resident, request.house_id, move |row| {
        fields::apply(row, fields);
        if matches!(row.status, Some(rules::PUBLISHED | rules::WAITING))
            && let Some(field) = fields::missing_for_release(row)
        {
            return Err(ServiceError::invalid(field, format!("{field}不能为空")).into());
        }
        Ok(())
    })
    .await?;
    one(state, row).await
}

/// The landlord takes a published or waiting listing off the market.
pub async fn pull_off(state: &State, request: ListingRef) -> ServiceResult<Shown> {
    let resident = resident(request.resident.as_ref())?;
    let row = change(state, resident, request.house_id, |row| {
        if !matches!(row.status, Some(rules::PUBLISHED | rules::WAITING)) {
            return Err(ServiceError::conflict_in("house_id", "该房源未发布").into());
        }
        row.status = Some(rules::TAKEN_DOWN);
        Ok(())
    })
    .await?;
    one(state, row).await
}

/// Deleted: out of every list and the search at once; the row stays for what names it.
pub async fn delete(state: &State, request: ListingRef) -> ServiceResult<()> {
    let resident = resident(request.resident.as_ref())?;
    change(state, resident, request.house_id, |row| {
        row.status = None;
        row.deleted_at = Some(kit::time::now_unix());
        Ok(())
    })
    .await?;
    Ok(())
}

pub type Page = (Vec<Shown>, i64, Paging);

/// A page of one of the platform's communities' listings (drafts are the landlords' own).
pub async fn platform_list(state: &State, request: PlatformListingsRequest) -> ServiceResult<Page> {
    let platform = platform(request.platform.as_ref())?;
    manages(platform, &request.xiaoqu)?;
    let paging = Paging::requested(request.page, request.per_page)?;
    let (community, status) = (request.xiaoqu, request.status);
    let (rows, total) = state
        .db
        .run(move |conn| {
            db::page_of_community(conn, &community, status, paging).map_err(Error::from)
        })
        .await?;
    Ok((shown(state, rows, Vec::new()).await?, total, paging))
}

/// The platform approves (1), refuses (0) or takes down (3) a listing of its community.
pub async fn review(state: &State, request: ReviewListingRequest) -> ServiceResult<Shown> {
    let platform = platform(request.platform.as_ref())?.clone();
    let decision = Decision::of_status(request.status)
        .ok_or_else(|| ServiceError::invalid("status", "status必须是1、0或3"))?;
    let reason = request.reason;
    if decision.needs_reason() && reason.trim().is_empty() {
        return Err(ServiceError::missing("reason"));
    }
    let id = request.id;
    let row = state
        .db
        .write(move |conn| {
            let mut row = db::find_listing(conn, id)?
                .ok_or_else(|| ServiceError::not_found_in("id", "没有找到该房源"))?;
            if manages(&platform, &row.community_identifier).is_err() {
                return Err(not_yours().into());
            }
            let next = decision.next(row.status).ok_or_else(|| {
                ServiceError::conflict_in("status", "该房源当前的状态不能这样处理")
            })?;
            let now = kit::time::now_unix();
            row.status = Some(next);
            row.updated_at = now;
            match decision {
                Decision::Approve => {
                    row.reason = String::new();
                    row.platform_hold = false;
                    row.released_at = Some(now);
                }
                Decision::Refuse | Decision::TakeDown => {
                    row.reason = reason;
                    row.platform_hold = true;
                }
            }
            Ok::<_, Error>(db::update_listing(conn, &row)?)
        })
        .await?;
    one(state, row).await
}

/// How many live listings one read of [`check_holdings`] takes.
const HOLDING_BATCH: i64 = 500;

/// What a landlord reads on a listing taken down because they no longer hold its house.
pub const NO_LONGER_HELD: &str =
    "您已不再持有该房屋（一标三实登记或房东身份认证已变更），房源已下架";

/// Takes down every published or waiting listing whose landlord no longer holds its house: no
/// longer its bound 业主 in the registry (unbound, replaced) and without an approved house
/// identification. Answers how many it took down. Runs every `[rental] holding_check_seconds`.
pub async fn check_holdings(state: &State) -> ServiceResult<usize> {
    let mut held: std::collections::HashMap<(i64, String, i64), bool> = Default::default();
    let (mut after, mut taken) = (0, 0);
    loop {
        let batch = state
            .db
            .run(move |conn| {
                db::live_listings_after(conn, after, HOLDING_BATCH).map_err(Error::from)
            })
            .await?;
        let Some(last) = batch.last() else {
            return Ok(taken);
        };
        after = last.id;
        for listing in batch {
            let key = (
                listing.owner_id,
                listing.community_identifier.clone(),
                listing.community_house_id,
            );
            let holds = match held.get(&key) {
                Some(holds) => *holds,
                None => {
                    let landlord = proto::rental::ResidentRef {
                        user_id: listing.owner_id,
                        ..Default::default()
                    };
                    let holds = matches!(
                        holding(state, &landlord, &key.1, key.2).await?,
                        Holding::Owner(_) | Holding::Identified(_)
                    );
                    held.insert(key, holds);
                    holds
                }
            };
            if holds {
                continue;
            }
            let (id, owner, now) = (listing.id, listing.owner_id, kit::time::now_unix());
            let done = state
                .db
                .run(move |conn| {
                    db::take_down(conn, id, owner, NO_LONGER_HELD, now).map_err(Error::from)
                })
                .await?;
            if done {
                tracing::info!(
                    listing = id,
                    "listing taken down: its landlord no longer holds the house"
                );
                taken += 1;
            }
        }
    }
}
