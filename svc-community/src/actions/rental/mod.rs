//! The rental marketplace (seed 004): profiles and invitations, listings and the platform's
//! review of them, the map search.
pub mod browse;
pub mod fields;
pub mod identity;
pub mod listings;
pub mod media;
pub mod profiles;
pub mod search;

use std::collections::HashMap;

use kit::error::{ServiceError, ServiceResult};
use proto::rental::ResidentRef;

use super::State;
use crate::db::rental::{self as db, Landlord, ListingRow, MediaRow};
use crate::domain::rental::{APPROVED, WAITING};
use crate::error::Error;

/// The role whose binding makes a resident a house's verified landlord.
const OWNER: &str = "业主";

/// A listing as it is shown: its row, photos and videos, its landlord's profile (when they
/// saved one) and, for a search row, the distance from the search's point.
pub struct Shown {
    pub row: ListingRow,
    pub media: Vec<MediaRow>,
    pub landlord: Option<Landlord>,
    pub distance_km: f64,
}

/// `rows` with their media and their landlords, in the same order.
pub async fn shown(
    state: &State,
    rows: Vec<ListingRow>,
    distances: Vec<f64>,
) -> ServiceResult<Vec<Shown>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut owners: Vec<i64> = rows.iter().map(|r| r.owner_id).collect();
    owners.sort_unstable();
    owners.dedup();
    let (media, landlords) = state
        .db
        .run(move |conn| -> Result<_, Error> {
            Ok((db::media_of(conn, &ids)?, db::landlords(conn, &owners)?))
        })
        .await?;
    let landlords: HashMap<i64, Landlord> = landlords.into_iter().map(|l| (l.user_id, l)).collect();
    let mut by_listing: HashMap<i64, Vec<MediaRow>> = HashMap::new();
    for m in media {
        by_listing.entry(m.listing_id).or_default().push(m);
    }
    Ok(rows
        .into_iter()
        .enumerate()
        .map(|(i, row)| Shown {
            media: by_listing.remove(&row.id).unwrap_or_default(),
            landlord: landlords.get(&row.owner_id).cloned(),
            distance_km: distances.get(i).copied().unwrap_or(0.0),
            row,
        })
        .collect())
}

/// One listing as it is shown.
pub async fn one(state: &State, row: ListingRow) -> ServiceResult<Shown> {
    let mut rows = shown(state, vec![row], Vec::new()).await?;
    rows.pop()
        .ok_or_else(|| ServiceError::internal("a listing went missing"))
}

/// How a resident holds a house they would let (each with the house's introduction).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Holding {
    /// Its bound 业主 in the 一标三实 registry.
    Owner(String),
    /// The platform approved their house identification.
    Identified(String),
    /// Their house identification waits for the platform.
    Claimed(String),
    None,
}

/// How `resident` holds house `house_id` of `community`: the registry first, then their claims.
pub async fn holding(
    state: &State,
    resident: &ResidentRef,
    community: &str,
    house_id: i64,
) -> ServiceResult<Holding> {
    let houses = state.houses(resident).await?;
    if let Some(house) = houses
        .0
        .into_iter()
        .find(|h| h.house_id == house_id && h.community_identifier == community && h.role == OWNER)
    {
        return Ok(Holding::Owner(house.introduction));
    }
    let user = resident.user_id;
    let claims = state
        .db
        .run(move |conn| db::identifications_of(conn, user, house_id).map_err(Error::from))
        .await?;
    let of = |status: i32| {
        claims
            .iter()
            .find(|c| c.status == status && c.community_identifier == community)
            .map(|c| c.house_introduction.clone())
    };
    Ok(if let Some(introduction) = of(APPROVED) {
        Holding::Identified(introduction)
    } else if let Some(introduction) = of(WAITING) {
        Holding::Claimed(introduction)
    } else {
        Holding::None
    })
}

/// The caller's own listing, or 404 (none) / 403 (another landlord's).
fn own_listing(row: Option<ListingRow>, resident: &ResidentRef) -> Result<ListingRow, Error> {
    let row = row.ok_or_else(|| ServiceError::not_found_in("house_id", "没有找到该房源"))?;
    if row.owner_id != resident.user_id {
        return Err(ServiceError::forbidden_in("house_id", "只有房东本人可以修改该房源").into());
    }
    Ok(row)
}
