//! /search_house: the published listings within `radius` km of a point that pass the filters,
//! sorted one of seed 004's six ways. The box around the circle is read through the map index;
//! the exact great-circle distance then drops the box's corners, and only the page's rows are
//! read whole.
use std::cmp::Ordering;

use kit::error::{ServiceError, ServiceResult};
use proto::rental::{SearchRequest, Sort};

use super::{Shown, shown};
use crate::actions::{State, resident};
use crate::db::rental::{self as db, Candidate, SearchFilter};
use crate::domain::rental::{bounding_box, distance_km, stored_tags};
use crate::error::Error;

/// The largest radius (the gateway's `Decimal<50>`: 50.99 km) and page the gateway lets
/// through, checked again here.
pub const MAX_RADIUS_KM: f64 = 51.0;
pub const MAX_COUNT: i64 = 100;

pub async fn search(state: &State, request: SearchRequest) -> ServiceResult<Vec<Shown>> {
    resident(request.resident.as_ref())?;
    if !(request.radius_km > 0.0 && request.radius_km < MAX_RADIUS_KM) {
        return Err(ServiceError::invalid("radius", "radius超出范围"));
    }
    if !(1..=MAX_COUNT).contains(&request.count) || request.shift < 0 {
        return Err(ServiceError::invalid("count", "count超出范围"));
    }
    let (lat, lon, radius) = (request.latitude, request.longitude, request.radius_km);
    let area = bounding_box(lat, lon, radius);
    let sort = request.sort();
    let (shift, count) = (request.shift as usize, request.count as usize);
    let filter = filter_of(request);
    let found = state
        .db
        .run(move |conn| db::candidates(conn, area, &filter).map_err(Error::from))
        .await?;
    let mut near: Vec<(Candidate, f64)> = found
        .into_iter()
        .filter_map(|c| {
            let d = distance_km(lat, lon, c.latitude?, c.longitude?);
            (d <= radius).then_some((c, d))
        })
        .collect();
    near.sort_by(|a, b| order(sort, a, b));
    let page: Vec<(Candidate, f64)> = near.into_iter().skip(shift).take(count).collect();
    let ids: Vec<i64> = page.iter().map(|(c, _)| c.id).collect();
    let mut rows = state
        .db
        .run(move |conn| db::listings_by_id(conn, &ids).map_err(Error::from))
        .await?;
    // Back in the page's order; a row deleted between the two reads is left out.
    let mut ordered = Vec::with_capacity(page.len());
    let mut distances = Vec::with_capacity(page.len());
    for (candidate, distance) in page {
        if let Some(at) = rows.iter().position(|r| r.id == candidate.id) {
            ordered.push(rows.swap_remove(at));
            distances.push(distance);
        }
    }
    shown(state, ordered, distances).await
}

fn filter_of(r: SearchRequest) -> SearchFilter {
    let bounds = |b: Option<proto::rental::Bounds>| b.map_or((None, None), |b| (b.low, b.high));
    let rent = bounds(r.rent_fen);
    SearchFilter {
        title_contains: r.house_name,
        house_type: r.house_type,
        rent_time_types: r.rent_time_types,
        rent_room_types: r.rent_room_types,
        // Fen are whole: the range's ends as the whole fen inside it.
        rent_fen: (
            rent.0.map(|low| low.ceil() as i64),
            rent.1.map(|high| high.floor() as i64),
        ),
        house_sources: r.house_sources,
        size: bounds(r.house_size),
        directions: r.house_directions,
        decorations: r.house_decorations,
        rooms: r.house_rooms,
        subdistrict_code: r.subdistrict_code,
        subway_station_code: r.subway_station_code,
        tags: r
            .house_characteristics
            .iter()
            .map(|t| stored_tags(t).trim_matches('|').to_owned())
            .filter(|t| !t.is_empty())
            .collect(),
    }
}

/// Seed 004's sorts; ties go to the nearer listing, then the newer id, so a page is stable.
fn order(sort: Sort, a: &(Candidate, f64), b: &(Candidate, f64)) -> Ordering {
    let (x, y) = (&a.0, &b.0);
    let nearer = a.1.total_cmp(&b.1);
    let newer_id = y.id.cmp(&x.id);
    let first = match sort {
        Sort::Unspecified | Sort::Distance => Ordering::Equal,
        Sort::Newest => y.released_at.cmp(&x.released_at),
        Sort::Attention => (y.praise_count + y.view_count).cmp(&(x.praise_count + x.view_count)),
        Sort::RentAscending => x.house_rent_fen.cmp(&y.house_rent_fen),
        Sort::RentDescending => y.house_rent_fen.cmp(&x.house_rent_fen),
        Sort::SizeAscending => x
            .house_size
            .unwrap_or(0.0)
            .total_cmp(&y.house_size.unwrap_or(0.0)),
    };
    first.then(nearer).then(newer_id)
}
