//! /search_house: the published listings within `radius` km of a point that pass the filters,
//! sorted one of seed 004's six ways, read so that the work of a page does not grow with the
//! number of listings in the city (issue 12):
//!
//! - nearest first: squares of growing half-width (250 m, 500 m, 1 km, … up to the radius) are
//!   read by latitude band (0.001°, one range of longitude per band); once the circle
//!   inscribed in a square holds the page, nothing outside it can come before the page's last;
//! - the other sorts: the map cells (1/32°) the box crosses are read one by one, nearest
//!   first, each in the sort's order through a per-cell index that holds the coordinates, in
//!   batches checked against the box on the index, until the cell's page is found or the page's
//!   last key so far is passed; the last key's listings are then read whole, so ties still go to
//!   the nearer, then the newer. A radius so wide that its box crosses many cells reads the
//!   city in the sort's order instead.
//!
//! The exact great-circle distance drops the box's corners, and only the page's rows are read
//! whole.
use std::cmp::Ordering;

use diesel::QueryResult;
use kit::db::AnyConnection;
use kit::error::{ServiceError, ServiceResult};
use proto::rental::{SearchRequest, Sort};

use super::{Shown, shown};
use crate::actions::{State, resident};
use crate::db::rental::{self as db, Candidate, KeyFrom, KeyRead, KeyValue, SearchFilter, SortKey};
use crate::domain::rental::{
    BoundingBox, bands_of, bounding_box, cells_of, distance_km, stored_tags,
};
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
    let sort = request.sort();
    let (shift, count) = (request.shift as usize, request.count as usize);
    let filter = filter_of(request);
    let around = Around { lat, lon, radius };
    let need = shift + count;
    let mut near = state
        .db
        .run(move |conn| {
            let found = match sort_key(sort) {
                None => nearest(conn, around, &filter, need),
                Some((key, descending)) => {
                    in_key_order(conn, around, &filter, key, descending, need)
                }
            };
            found.map_err(Error::from)
        })
        .await?;
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

/// Where a search looks: a point and a radius (km).
#[derive(Clone, Copy, Debug)]
struct Around {
    lat: f64,
    lon: f64,
    radius: f64,
}

impl Around {
    /// The candidates within `within` km (at most the radius), each with its distance.
    fn keep(&self, found: Vec<Candidate>, within: f64) -> Vec<(Candidate, f64)> {
        let within = within.min(self.radius);
        found
            .into_iter()
            .filter_map(|c| {
                let d = distance_km(self.lat, self.lon, c.latitude?, c.longitude?);
                (d <= within).then_some((c, d))
            })
            .collect()
    }
}

/// The half-width (km) of the first square the nearest-first search reads; each next one is
/// twice as wide, the last the radius.
const FIRST_SQUARE_KM: f64 = 0.25;

/// The nearest-first candidates: every listing within some distance `r` that holds at least
/// `need` of them (or within the radius, when it holds fewer). Squares of half-width `r` are
/// read through the band index; all listings within `r` lie in that square, so when `need` are
/// found within `r` no listing farther away can enter the first `need`. Reading the inner
/// squares again costs at most a third more than the last square alone.
fn nearest(
    conn: &mut AnyConnection,
    around: Around,
    filter: &SearchFilter,
    need: usize,
) -> QueryResult<Vec<(Candidate, f64)>> {
    let mut r = FIRST_SQUARE_KM.min(around.radius);
    loop {
        let area = bounding_box(around.lat, around.lon, r);
        let found = db::in_bands(conn, area, &bands_of(area), filter)?;
        let near = around.keep(found, r);
        if near.len() >= need || r >= around.radius {
            return Ok(near);
        }
        r = (r * 2.0).min(around.radius);
    }
}

/// The key and direction a sort other than nearest-first reads in.
fn sort_key(sort: Sort) -> Option<(SortKey, bool)> {
    match sort {
        Sort::Unspecified | Sort::Distance => None,
        Sort::Newest => Some((SortKey::Released, true)),
        Sort::Attention => Some((SortKey::Attention, true)),
        Sort::RentAscending => Some((SortKey::Rent, false)),
        Sort::RentDescending => Some((SortKey::Rent, true)),
        Sort::SizeAscending => Some((SortKey::Size, false)),
    }
}

/// The most map cells a search reads its box by, one after the other. A wider box (a radius
/// beyond about 6 km) holds so large a share of the city that reading the city's listings in
/// key order finds its page soon.
const MOST_CELLS: usize = 25;

/// The candidates of a sort by `key`: every listing within the radius whose key comes before
/// the `need`th one's, and all those sharing that key (their order is the distance's, then the
/// id's). The box's cells are read one after the other, nearest first, each in key order up to
/// the `need`th key found so far (the cell read first mostly holds the page, so the others read
/// little); a box of too many cells is read in key order across the city.
fn in_key_order(
    conn: &mut AnyConnection,
    around: Around,
    filter: &SearchFilter,
    key: SortKey,
    descending: bool,
    need: usize,
) -> QueryResult<Vec<(Candidate, f64)>> {
    let area = bounding_box(around.lat, around.lon, around.radius);
    let read = KeyRead {
        key,
        descending,
        cell: None,
        until: None,
    };
    let cells = cells_of(area, around.lat, around.lon);
    if cells.len() > MOST_CELLS {
        return walk(conn, around, area, filter, read, need);
    }
    let mut near = Vec::new();
    for cell in cells {
        let until = nth_key(&near, key, descending, need);
        let read = KeyRead {
            cell: Some(cell),
            until,
            ..read
        };
        near.extend(walk(conn, around, area, filter, read, need)?);
    }
    Ok(near)
}

/// The `need`th key among `near` in the order read, once there are so many.
fn nth_key(
    near: &[(Candidate, f64)],
    key: SortKey,
    descending: bool,
    need: usize,
) -> Option<KeyValue> {
    let mut keys: Vec<KeyValue> = near.iter().filter_map(|(c, _)| key.of(c)).collect();
    let nth = need.checked_sub(1).filter(|&n| n < keys.len())?;
    let (_, &mut nth, _) = keys.select_nth_unstable_by(nth, |a, b| a.in_order(*b, descending));
    Some(nth)
}

/// Reads `read` in batches until `need` listings within the radius are found or the read ends:
/// a full batch's last key is read whole, and the next batch starts past it.
fn walk(
    conn: &mut AnyConnection,
    around: Around,
    area: BoundingBox,
    filter: &SearchFilter,
    read: KeyRead,
    need: usize,
) -> QueryResult<Vec<(Candidate, f64)>> {
    // The circle covers π/4 of its box: a batch of 3/2 the page mostly holds it.
    let batch = need + need / 2 + 8;
    let mut near = Vec::new();
    let mut from = KeyFrom::Start;
    loop {
        let mut found = db::by_key(conn, area, filter, read, from, Some(batch as i64))?;
        let full = found.len() == batch;
        if full {
            let last = found.last().and_then(|c| read.key.of(c));
            if let Some(last) = last {
                found.retain(|c| read.key.of(c) != Some(last));
                found.extend(db::by_key(
                    conn,
                    area,
                    filter,
                    read,
                    KeyFrom::At(last),
                    None,
                )?);
                from = KeyFrom::Beyond(last);
            }
        }
        near.extend(around.keep(found, around.radius));
        if near.len() >= need || !full {
            return Ok(near);
        }
    }
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
