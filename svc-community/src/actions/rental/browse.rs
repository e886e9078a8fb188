//! What a seeker does with a listing besides searching: opens it (counted once per seeker among
//! its views) and keeps it among their favourites (counted in its `praise_count`). Both counts
//! feed the "attention" sort.
use std::collections::HashMap;

use kit::error::{ServiceError, ServiceResult};
use proto::rental::{Caller, FavouriteRequest, ListingRef};

use super::{Shown, one, shown};
use crate::actions::{State, resident};
use crate::db::rental::{self as db, ListingRow};
use crate::domain::rental::PUBLISHED;
use crate::error::Error;

/// The most favourites /my_favorites answers, the latest kept first.
pub const MY_FAVOURITES_LIMIT: i64 = 200;

/// Whether `user` may open `row`: a published listing, or any of their own that still exists.
fn visible(row: &ListingRow, user: i64) -> bool {
    row.deleted_at.is_none() && (row.owner_id == user || row.status == Some(PUBLISHED))
}

fn no_such_listing() -> Error {
    ServiceError::not_found_in("house_id", "没有找到该房源").into()
}

/// A listing opened by the caller: a published one (counted among its views the first time a
/// resident other than its landlord opens it), or any of their own; whether they keep it.
pub async fn detail(state: &State, request: ListingRef) -> ServiceResult<(Shown, bool)> {
    let user = resident(request.resident.as_ref())?.user_id;
    let id = request.house_id;
    let now = kit::time::now_unix();
    let (row, favourite) = state
        .db
        .run(move |conn| {
            let mut row = db::find_listing(conn, id)?
                .filter(|row| visible(row, user))
                .ok_or_else(no_such_listing)?;
            // A seeker counted before only reads: the write lock is taken for a first view.
            if row.owner_id != user
                && !db::has_viewed(conn, id, user)?
                && kit::db::write_transaction(conn, |conn| db::count_view(conn, id, user, now))?
            {
                row.view_count += 1;
            }
            Ok::<_, Error>((row, db::is_favourite(conn, id, user)?))
        })
        .await?;
    Ok((one(state, row).await?, favourite))
}

/// Keeps a published listing among the caller's favourites, or lets one go (whatever became
/// of it); asking twice changes nothing. A landlord does not keep their own listing.
pub async fn favourite(state: &State, request: FavouriteRequest) -> ServiceResult<(Shown, bool)> {
    let user = resident(request.resident.as_ref())?.user_id;
    let (id, keep) = (request.house_id, request.favourite);
    let now = kit::time::now_unix();
    let row = state
        .db
        .write(move |conn| {
            let row = db::find_listing(conn, id)?
                .filter(|row| row.deleted_at.is_none())
                .ok_or_else(no_such_listing)?;
            if keep {
                if row.owner_id == user {
                    return Err(
                        ServiceError::forbidden_in("house_id", "不能收藏自己发布的房源").into(),
                    );
                }
                if row.status != Some(PUBLISHED) && !db::is_favourite(conn, id, user)? {
                    return Err(no_such_listing());
                }
            }
            db::set_favourite(conn, id, user, keep, now)?;
            db::find_listing(conn, id)?.ok_or_else(no_such_listing)
        })
        .await?;
    Ok((one(state, row).await?, keep))
}

/// The listings the caller keeps, the latest kept first; a deleted one is left out, one pulled
/// off or taken down stays with its `status` so the seeker sees what became of it.
pub async fn my_favourites(state: &State, request: Caller) -> ServiceResult<Vec<Shown>> {
    let user = resident(request.resident.as_ref())?.user_id;
    let rows = state
        .db
        .run(move |conn| {
            let ids = db::favourites_of(conn, user, MY_FAVOURITES_LIMIT)?;
            let mut rows: HashMap<i64, ListingRow> = db::listings_by_id(conn, &ids)?
                .into_iter()
                .filter(|row| row.deleted_at.is_none())
                .map(|row| (row.id, row))
                .collect();
            Ok::<_, Error>(
                ids.into_iter()
                    .filter_map(|id| rows.remove(&id))
                    .collect::<Vec<_>>(),
            )
        })
        .await?;
    shown(state, rows, Vec::new()).await
}

/// For a viewing request (svc-orders): a published listing the caller may ask to view; not
/// their own.
pub async fn viewable(state: &State, request: ListingRef) -> ServiceResult<(Shown, Option<i64>)> {
    let user = resident(request.resident.as_ref())?.user_id;
    let id = request.house_id;
    let (row, inviter) = state
        .db
        .run(move |conn| {
            let Some(row) = db::find_listing(conn, id)?
                .filter(|row| row.deleted_at.is_none() && row.status == Some(PUBLISHED))
            else {
                return Ok::<_, Error>(None);
            };
            let inviter = db::inviter_of(conn, row.owner_id)?;
            Ok(Some((row, inviter)))
        })
        .await?
        .ok_or_else(no_such_listing)?;
    if row.owner_id == user {
        return Err(ServiceError::forbidden_in(
            "house_id",
            "不能预约查看自己发布的房源",
        ));
    }
    Ok((one(state, row).await?, inviter))
}
