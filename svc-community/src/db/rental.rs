//! The rental marketplace's tables: profiles, listings and their media.
use diesel::prelude::*;
use kit::db::AnyConnection;
use kit::db::any_of;

use super::Backend;
use super::schema::{
    rental_favourites, rental_identifications, rental_listings, rental_media, rental_profiles,
    rental_views,
};
use crate::domain::rental::{BoundingBox, PUBLISHED, TAKEN_DOWN, WAITING};

#[derive(Clone, Debug, Default, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = rental_profiles, treat_none_as_null = true)]
pub struct ProfileRow {
    #[diesel(skip_update)]
    pub user_id: i64,
    pub nickname: Option<String>,
    pub sex: Option<i32>,
    pub user_type: Option<i32>,
    pub self_description: Option<String>,
    pub portrait_key: Option<String>,
    pub address_province: Option<String>,
    pub address_city: Option<String>,
    pub birthday: Option<String>,
    pub constellations: Option<String>,
    pub education: Option<String>,
    pub occupation: Option<String>,
    pub account_name: Option<String>,
    pub account_number: Option<String>,
    pub account_idcardnumber: Option<String>,
    pub tel: Option<String>,
    pub virtual_tel_flag: Option<bool>,
    pub virtual_tel: Option<String>,
    pub wechat: Option<String>,
    pub qq: Option<String>,
    #[diesel(skip_update)]
    pub inviter_id: Option<i64>,
    pub saved_at: Option<i64>,
    #[diesel(skip_update)]
    pub created_at: i64,
    pub updated_at: i64,
    pub realname: Option<String>,
    pub idcardnumber: Option<String>,
    pub id_portrait_key: Option<String>,
    pub idcard_front_key: Option<String>,
    pub idcard_back_key: Option<String>,
    pub identified_at: Option<i64>,
}

pub fn find_profile(conn: &mut AnyConnection, user_id: i64) -> QueryResult<Option<ProfileRow>> {
    rental_profiles::table
        .find(user_id)
        .select(ProfileRow::as_select())
        .first(conn)
        .optional()
}

/// The user's profile row, made empty when they never had one.
pub fn ensure_profile(conn: &mut AnyConnection, user_id: i64, now: i64) -> QueryResult<ProfileRow> {
    let row = ProfileRow {
        user_id,
        created_at: now,
        updated_at: now,
        ..ProfileRow::default()
    };
    if let Some(found) = find_profile(conn, user_id)? {
        return Ok(found);
    }
    // A concurrent first call may have made it meanwhile: the key is the user.
    match diesel::insert_into(rental_profiles::table)
        .values(&row)
        .execute(conn)
    {
        Ok(_) => {}
        Err(error) if kit::db::is_unique_violation(&error) => {}
        Err(error) => return Err(error),
    }
    rental_profiles::table
        .find(user_id)
        .select(ProfileRow::as_select())
        .first(conn)
}

pub fn save_profile(conn: &mut AnyConnection, row: &ProfileRow) -> QueryResult<ProfileRow> {
    diesel::update(rental_profiles::table.find(row.user_id))
        .set(row)
        .returning(rental_profiles::all_columns)
        .get_result(conn)
}

/// Sets the user's inviter when none is set yet; answers whether it did.
pub fn set_inviter(conn: &mut AnyConnection, user_id: i64, inviter: i64) -> QueryResult<bool> {
    let changed = diesel::update(
        rental_profiles::table
            .find(user_id)
            .filter(rental_profiles::inviter_id.is_null()),
    )
    .set(rental_profiles::inviter_id.eq(inviter))
    .execute(conn)?;
    Ok(changed == 1)
}

/// The user's inviter, if any (`None` also when the user has no profile row).
pub fn inviter_of(conn: &mut AnyConnection, user_id: i64) -> QueryResult<Option<i64>> {
    Ok(rental_profiles::table
        .find(user_id)
        .select(rental_profiles::inviter_id)
        .first::<Option<i64>>(conn)
        .optional()?
        .flatten())
}

/// What a listing shows of its landlord.
#[derive(Clone, Debug, Default, Queryable)]
pub struct Landlord {
    pub user_id: i64,
    /// 房东, 二房东 or 中介 (1, 2, 3).
    pub user_type: Option<i32>,
    pub nickname: Option<String>,
    pub portrait_key: Option<String>,
    /// When /user_identification checked their name and number against their ID card.
    pub identified_at: Option<i64>,
}

/// The landlords `users` who have a profile.
pub fn landlords(conn: &mut AnyConnection, users: &[i64]) -> QueryResult<Vec<Landlord>> {
    use rental_profiles as p;
    p::table
        .filter(any_of(p::user_id, users))
        .select((
            p::user_id,
            p::user_type,
            p::nickname,
            p::portrait_key,
            p::identified_at,
        ))
        .load(conn)
}

#[derive(Clone, Debug, Default, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = rental_listings, treat_none_as_null = true)]
pub struct ListingRow {
    #[diesel(skip_insertion, skip_update)]
    pub id: i64,
    #[diesel(skip_update)]
    pub owner_id: i64,
    #[diesel(skip_update)]
    pub community_identifier: String,
    #[diesel(skip_update)]
    pub community_house_id: i64,
    pub house_introduction: String,
    pub status: Option<i32>,
    pub reason: String,
    pub platform_hold: bool,
    pub owner_verified: bool,
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    pub house_rent_fen: Option<i64>,
    pub house_size: Option<f64>,
    pub house_type: Option<String>,
    pub rent_time_type: Option<i32>,
    pub rent_room_type: Option<i32>,
    pub house_source: Option<i32>,
    pub house_direction: Option<String>,
    pub house_decoration: Option<String>,
    pub house_rooms: Option<i64>,
    pub subdistrict_code: Option<i64>,
    pub subway_station_code: Option<i64>,
    pub house_characteristic: Option<String>,
    pub description_title: Option<String>,
    pub details: String,
    /// Counters change by their own statements, never by a whole-row update.
    #[diesel(skip_update)]
    pub praise_count: i64,
    #[diesel(skip_update)]
    pub view_count: i64,
    #[diesel(skip_update)]
    pub created_at: i64,
    pub updated_at: i64,
    pub released_at: Option<i64>,
    pub submitted_at: Option<i64>,
    pub deleted_at: Option<i64>,
}

pub fn insert_listing(conn: &mut AnyConnection, row: &ListingRow) -> QueryResult<ListingRow> {
    diesel::insert_into(rental_listings::table)
        .values(row)
        .returning(rental_listings::all_columns)
        .get_result(conn)
}

pub fn update_listing(conn: &mut AnyConnection, row: &ListingRow) -> QueryResult<ListingRow> {
    diesel::update(rental_listings::table.find(row.id))
        .set(row)
        .returning(rental_listings::all_columns)
        .get_result(conn)
}

/// A listing not deleted.
pub fn find_listing(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<ListingRow>> {
    rental_listings::table
        .find(id)
        .filter(rental_listings::deleted_at.is_null())
        .select(ListingRow::as_select())
        .first(conn)
        .optional()
}

/// The landlord's listings, newest first.
pub fn listings_of_owner(conn: &mut AnyConnection, owner: i64) -> QueryResult<Vec<ListingRow>> {
    rental_listings::table
        .filter(rental_listings::owner_id.eq(owner))
        .filter(rental_listings::deleted_at.is_null())
        .order(rental_listings::id.desc())
        .select(ListingRow::as_select())
        .load(conn)
}

/// A page of a community's listings (of one status when given), newest first, and the total.
pub fn page_of_community(
    conn: &mut AnyConnection,
    community: &str,
    status: Option<i32>,
    paging: kit::paging::Paging,
) -> QueryResult<(Vec<ListingRow>, i64)> {
    let filtered = || {
        let mut query = rental_listings::table
            .filter(rental_listings::community_identifier.eq(community))
            .filter(rental_listings::status.is_not_null())
            .into_boxed::<Backend>();
        if let Some(status) = status {
            query = query.filter(rental_listings::status.eq(status));
        }
        query
    };
    let rows = filtered()
        .order(rental_listings::id.desc())
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(ListingRow::as_select())
        .load(conn)?;
    let total = paging.total(rows.len(), || filtered().count().get_result(conn))?;
    Ok((rows, total))
}

/// Listings by id (any order).
pub fn listings_by_id(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<ListingRow>> {
    rental_listings::table
        .filter(any_of(rental_listings::id, ids))
        .select(ListingRow::as_select())
        .load(conn)
}

/// A listing on the market or on its way there, and the house its landlord lets.
#[derive(Clone, Debug, Queryable)]
pub struct LiveListing {
    pub id: i64,
    pub owner_id: i64,
    pub community_identifier: String,
    pub community_house_id: i64,
}

/// The published or waiting listings after id `after`, in id order, at most `limit`.
pub fn live_listings_after(
    conn: &mut AnyConnection,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<LiveListing>> {
    use rental_listings as l;
    l::table
        .filter(any_of(l::status, vec![PUBLISHED, WAITING]))
        .filter(l::id.gt(after))
        .order(l::id)
        .limit(limit)
        .select((
            l::id,
            l::owner_id,
            l::community_identifier,
            l::community_house_id,
        ))
        .load(conn)
}

/// Takes listing `id` of `owner` off the market with `reason` (the landlord sees it) when it is
/// still published or waiting; answers whether it did. Not the platform's hold: the landlord may
/// release it again once they hold the house again.
pub fn take_down(
    conn: &mut AnyConnection,
    id: i64,
    owner: i64,
    reason: &str,
    now: i64,
) -> QueryResult<bool> {
    use rental_listings as l;
    let changed = diesel::update(
        l::table
            .find(id)
            .filter(l::owner_id.eq(owner))
            .filter(any_of(l::status, vec![PUBLISHED, WAITING])),
    )
    .set((
        l::status.eq(TAKEN_DOWN),
        l::reason.eq(reason),
        l::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Takes listing `id`'s row lock (PostgreSQL; SQLite's write transaction holds the database)
/// so that two transactions counting on the same listing take turns; false when there is no
/// such listing.
fn lock_listing(conn: &mut AnyConnection, id: i64) -> QueryResult<bool> {
    use rental_listings as l;
    let locked = diesel::update(l::table.find(id))
        .set(l::praise_count.eq(l::praise_count))
        .execute(conn)?;
    Ok(locked == 1)
}

/// Counts `user` once among listing `id`'s viewers; answers whether this was their first view.
/// Call it inside a write transaction.
pub fn count_view(conn: &mut AnyConnection, id: i64, user: i64, now: i64) -> QueryResult<bool> {
    use rental_listings as l;
    use rental_views as v;
    if !lock_listing(conn, id)? || has_viewed(conn, id, user)? {
        return Ok(false);
    }
    diesel::insert_into(v::table)
        .values((
            v::listing_id.eq(id),
            v::user_id.eq(user),
            v::viewed_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(l::table.find(id))
        .set(l::view_count.eq(l::view_count + 1))
        .execute(conn)?;
    Ok(true)
}

/// Whether `user` is already counted among listing `id`'s viewers.
pub fn has_viewed(conn: &mut AnyConnection, id: i64, user: i64) -> QueryResult<bool> {
    use rental_views as v;
    Ok(v::table
        .find((id, user))
        .select(v::viewed_at)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

/// Keeps (or lets go) listing `id` among `user`'s favourites, keeping its `praise_count` the
/// number of its favourites; idempotent. Call it inside a write transaction.
pub fn set_favourite(
    conn: &mut AnyConnection,
    id: i64,
    user: i64,
    keep: bool,
    now: i64,
) -> QueryResult<()> {
    use rental_favourites as f;
    use rental_listings as l;
    if !lock_listing(conn, id)? {
        return Ok(());
    }
    let kept = is_favourite(conn, id, user)?;
    if keep && !kept {
        diesel::insert_into(f::table)
            .values((
                f::user_id.eq(user),
                f::listing_id.eq(id),
                f::created_at.eq(now),
            ))
            .execute(conn)?;
        diesel::update(l::table.find(id))
            .set(l::praise_count.eq(l::praise_count + 1))
            .execute(conn)?;
    } else if !keep && kept {
        diesel::delete(f::table.find((user, id))).execute(conn)?;
        diesel::update(l::table.find(id))
            .set(l::praise_count.eq(l::praise_count - 1))
            .execute(conn)?;
    }
    Ok(())
}

/// Whether `user` keeps listing `id` among their favourites.
pub fn is_favourite(conn: &mut AnyConnection, id: i64, user: i64) -> QueryResult<bool> {
    use rental_favourites as f;
    Ok(f::table
        .find((user, id))
        .select(f::created_at)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

/// The listings `user` keeps, the latest kept first (read through `rental_favourites_by_user`).
pub fn favourites_of(conn: &mut AnyConnection, user: i64, limit: i64) -> QueryResult<Vec<i64>> {
    use rental_favourites as f;
    f::table
        .filter(f::user_id.eq(user))
        .order((f::created_at.desc(), f::listing_id.desc()))
        .select(f::listing_id)
        .limit(limit)
        .load(conn)
}

/// What the map search filters on besides the box; empty sets and `None` filter nothing.
#[derive(Clone, Debug, Default)]
pub struct SearchFilter {
    pub title_contains: Option<String>,
    pub house_type: Option<String>,
    pub rent_time_types: Vec<i32>,
    pub rent_room_types: Vec<i32>,
    pub rent_fen: (Option<i64>, Option<i64>),
    pub house_sources: Vec<i32>,
    pub size: (Option<f64>, Option<f64>),
    pub directions: Vec<String>,
    pub decorations: Vec<String>,
    pub rooms: Vec<i64>,
    pub subdistrict_code: Option<i64>,
    pub subway_station_code: Option<i64>,
    /// Each stored as `|tag|`; all must be there.
    pub tags: Vec<String>,
}

/// A published listing in the box: what sorting needs, before its row is read.
#[derive(Clone, Copy, Debug, Queryable)]
pub struct Candidate {
    pub id: i64,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub released_at: Option<i64>,
    pub praise_count: i64,
    pub view_count: i64,
    pub house_rent_fen: Option<i64>,
    pub house_size: Option<f64>,
}

/// `text` for a LIKE pattern, its wildcards escaped with `\`.
fn like_escaped(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// How the map search writes the columns it filters on besides the key it reads by, for a
/// backend's planner: each planner must take the band index for the band read and the sort's
/// own index for a read in a sort's order, at 10,000 listings as at a million.
#[derive(Clone, Copy, Debug)]
pub struct Written {
    pub latitude: &'static str,
    pub longitude: &'static str,
    pub rent: &'static str,
    pub size: &'static str,
    /// Whether a read of one map cell checks the box too (or leaves it to the distance, which
    /// the search checks on every candidate anyway).
    pub box_in_cell: bool,
}

/// PostgreSQL checks conditions on an index's later columns on its entries (without reading
/// the row) only when they are written on the columns, and estimates them well that way, so
/// everything stays plain. But it takes the box's latitudes and longitudes as independent of
/// the cell, so within a cell it expects a hundredth of the listings the box really holds there,
/// and would read the cell by the filter's rent range and sort it: a cell's read leaves the box
/// out (its rows outside the circle are dropped by the distance).
pub const POSTGRES_WRITES: Written = Written {
    latitude: "latitude",
    longitude: "longitude",
    rent: "house_rent_fen",
    size: "house_size",
    box_in_cell: false,
};

/// SQLite reads the coordinates from the index entry either way (its deferred seek), but given
/// plain ones it may skip-scan a sort index over the few values of its leading columns and sort
/// the box, and given a plain rent range it may walk the rent index and sort: a read that grows
/// with the listings. Unary plus makes each an expression no index serves.
pub const SQLITE_WRITES: Written = Written {
    latitude: "(+latitude)",
    longitude: "(+longitude)",
    rent: "(+house_rent_fen)",
    size: "(+house_size)",
    box_in_cell: true,
};

/// The columns as a read of one key's listings ([`KeyFrom::At`]) writes them: the latitude
/// plain, since after the key the sort's index holds the latitude, and the box's latitudes are
/// then one range of it (a seek, not the key's every listing in the city).
pub fn ties_written(written: Written) -> Written {
    Written {
        latitude: "latitude",
        ..written
    }
}

/// How `conn`'s backend has the search written.
fn written_for(conn: &AnyConnection) -> Written {
    match conn {
        AnyConnection::Postgresql(_) => POSTGRES_WRITES,
        AnyConnection::Sqlite(_) => SQLITE_WRITES,
    }
}

/// The published listings in `area` (anywhere if `None`) that pass `filter`, as a query still
/// to be ordered, its columns `written` so.
fn in_area(
    area: Option<BoundingBox>,
    filter: &SearchFilter,
    written: Written,
) -> rental_listings::BoxedQuery<'static, Backend> {
    use diesel::dsl::sql;
    use diesel::sql_types::{BigInt, Double, Nullable};
    use rental_listings as l;
    let mut query = l::table
        .filter(l::status.eq(PUBLISHED))
        .into_boxed::<Backend>();
    if let Some(area) = area {
        query = query
            .filter(sql::<Nullable<Double>>(written.latitude).between(area.lat_min, area.lat_max))
            .filter(sql::<Nullable<Double>>(written.longitude).between(area.lon_min, area.lon_max));
    }
    if let Some(text) = &filter.title_contains {
        let pattern = format!("%{}%", like_escaped(text));
        query = query.filter(l::description_title.like(pattern).escape('\\'));
    }
    if let Some(house_type) = &filter.house_type {
        query = query.filter(l::house_type.eq(house_type.clone()));
    }
    if !filter.rent_time_types.is_empty() {
        query = query.filter(any_of(l::rent_time_type, filter.rent_time_types.clone()));
    }
    if !filter.rent_room_types.is_empty() {
        query = query.filter(any_of(l::rent_room_type, filter.rent_room_types.clone()));
    }
    // A read in the rent's or the size's order bounds them on the column as well (`by_key`).
    if let Some(low) = filter.rent_fen.0 {
        query = query.filter(sql::<Nullable<BigInt>>(written.rent).ge(low));
    }
    if let Some(high) = filter.rent_fen.1 {
        query = query.filter(sql::<Nullable<BigInt>>(written.rent).le(high));
    }
    if !filter.house_sources.is_empty() {
        query = query.filter(any_of(l::house_source, filter.house_sources.clone()));
    }
    if let Some(low) = filter.size.0 {
        query = query.filter(sql::<Nullable<Double>>(written.size).ge(low));
    }
    if let Some(high) = filter.size.1 {
        query = query.filter(sql::<Nullable<Double>>(written.size).le(high));
    }
    if !filter.directions.is_empty() {
        query = query.filter(any_of(l::house_direction, filter.directions.clone()));
    }
    if !filter.decorations.is_empty() {
        query = query.filter(any_of(l::house_decoration, filter.decorations.clone()));
    }
    if !filter.rooms.is_empty() {
        query = query.filter(any_of(l::house_rooms, filter.rooms.clone()));
    }
    if let Some(code) = filter.subdistrict_code {
        query = query.filter(l::subdistrict_code.eq(code));
    }
    if let Some(code) = filter.subway_station_code {
        query = query.filter(l::subway_station_code.eq(code));
    }
    for tag in &filter.tags {
        let pattern = format!("%|{}|%", like_escaped(tag));
        query = query.filter(l::house_characteristic.like(pattern).escape('\\'));
    }
    query
}

/// What a candidate's row holds for sorting.
type CandidateColumns = (
    rental_listings::id,
    rental_listings::latitude,
    rental_listings::longitude,
    rental_listings::released_at,
    rental_listings::praise_count,
    rental_listings::view_count,
    rental_listings::house_rent_fen,
    rental_listings::house_size,
);

const CANDIDATE: CandidateColumns = (
    rental_listings::id,
    rental_listings::latitude,
    rental_listings::longitude,
    rental_listings::released_at,
    rental_listings::praise_count,
    rental_listings::view_count,
    rental_listings::house_rent_fen,
    rental_listings::house_size,
);

/// A listing's latitude band, as `rental_listings_on_map_bands` indexes it: the same text, or
/// the planners do not match the index. SQLite truncates the cast and PostgreSQL rounds it, so a
/// band read is [`bands_of`](crate::domain::rental::bands_of) with a band to spare on each side.
pub const MAP_BAND_SQL: &str = "CAST(latitude * 1000 + 100000 AS INTEGER)";

/// The coordinates as the band index holds them, `(longitude + 0)` and `(latitude + 0)`: the
/// band read matches them (each band's longitude is one range of the index), and a read in
/// a sort's order, which writes them otherwise, cannot turn to the band index and sort the box.
pub fn band_written(written: Written) -> Written {
    Written {
        latitude: "(latitude + 0)",
        longitude: "(longitude + 0)",
        ..written
    }
}

/// The published listings in `area` that pass `filter`, read by latitude band through
/// `rental_listings_on_map_bands` (status, band, longitude, latitude): one range of longitude
/// in each of `bands`, so the index entries read are those of the box (and of its edge bands),
/// however many listings lie elsewhere in the city.
pub fn in_bands(
    conn: &mut AnyConnection,
    area: BoundingBox,
    bands: &[i32],
    filter: &SearchFilter,
) -> QueryResult<Vec<Candidate>> {
    use diesel::dsl::sql;
    use diesel::sql_types::Integer;
    in_area(Some(area), filter, band_written(written_for(conn)))
        .filter(any_of(sql::<Integer>(MAP_BAND_SQL), bands.to_vec()))
        .select(CANDIDATE)
        .load(conn)
}

/// A column the map search sorts by, each read through an index that leads with `status`, then
/// the column, and holds the coordinates, so the box is checked on index entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    /// `released_at` (`rental_listings_by_release`).
    Released,
    /// `praise_count + view_count` (`rental_listings_by_attention`, an index on that expression).
    Attention,
    /// `house_rent_fen` (`rental_listings_by_rent`).
    Rent,
    /// `house_size` (`rental_listings_by_size`).
    Size,
}

/// A value of a [`SortKey`]: whole for the integer columns, real for the size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum KeyValue {
    Whole(i64),
    Real(f64),
}

impl SortKey {
    /// The key of `c`; `None` for a listing without it (never published: see
    /// `missing_for_release`).
    pub fn of(self, c: &Candidate) -> Option<KeyValue> {
        match self {
            Self::Released => c.released_at.map(KeyValue::Whole),
            Self::Attention => Some(KeyValue::Whole(c.praise_count + c.view_count)),
            Self::Rent => c.house_rent_fen.map(KeyValue::Whole),
            Self::Size => c.house_size.map(KeyValue::Real),
        }
    }
}

impl KeyValue {
    /// How `self` and `other` (of one type) fall in a read `descending` or not.
    pub fn in_order(self, other: Self, descending: bool) -> std::cmp::Ordering {
        let ascending = match (self, other) {
            (Self::Whole(a), Self::Whole(b)) => a.cmp(&b),
            (Self::Real(a), Self::Real(b)) => a.total_cmp(&b),
            (Self::Whole(_), Self::Real(_)) | (Self::Real(_), Self::Whole(_)) => {
                std::cmp::Ordering::Equal
            }
        };
        if descending {
            ascending.reverse()
        } else {
            ascending
        }
    }
}

/// Where a read in key order starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum KeyFrom {
    /// At the first key.
    Start,
    /// Past this key (after it in the order read).
    Beyond(KeyValue),
    /// Only the listings with exactly this key.
    At(KeyValue),
}

/// A read in a sort's order: the key and its direction, and where it may be narrowed to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KeyRead {
    pub key: SortKey,
    pub descending: bool,
    /// Only the listings of this map cell (`domain::rental::map_cell`), through the sort's
    /// per-cell index (`rental_listings_cells_by_…`); otherwise the city's, through the sort's
    /// index.
    pub cell: Option<i32>,
    /// No key past this one (in the order read); the listings with this key are read.
    pub until: Option<KeyValue>,
}

/// The published listings in `area` that pass `filter`, read in `read`'s order from `from`, at
/// most `limit` of them. Each read walks the key's index (the city's, or one cell's) from `from`
/// and checks the box on its entries, so it stops after `limit` listings in the box: the entries
/// walked are about `limit` divided by the share of the city (or of the cell) the box holds, a
/// share that does not grow with the number of listings. Rows are ordered by the key only; a
/// caller that cuts a read short reads the last key's listings whole with [`KeyFrom::At`] (an
/// equality on the key, then the box's latitudes: a range of the same index).
pub fn by_key(
    conn: &mut AnyConnection,
    area: BoundingBox,
    filter: &SearchFilter,
    read: KeyRead,
    from: KeyFrom,
    limit: Option<i64>,
) -> QueryResult<Vec<Candidate>> {
    use rental_listings as l;
    let KeyRead {
        key,
        descending,
        cell,
        until,
    } = read;
    let written = match from {
        KeyFrom::At(_) => ties_written(written_for(conn)),
        KeyFrom::Start | KeyFrom::Beyond(_) => written_for(conn),
    };
    let checked = (cell.is_none() || written.box_in_cell).then_some(area);
    let mut query = in_area(checked, filter, written);
    if let Some(cell) = cell {
        // A generated column, not in the schema (diesel's tables stop at 32 columns).
        use diesel::sql_types::{Integer, Nullable};
        query = query.filter(diesel::dsl::sql::<Nullable<Integer>>("map_cell").eq(cell));
    }
    macro_rules! keyed {
        ($column:expr, $variant:ident) => {{
            query = query.filter(($column).is_not_null());
            match from {
                KeyFrom::Start => {}
                KeyFrom::Beyond(KeyValue::$variant(v)) if descending => {
                    query = query.filter(($column).lt(v))
                }
                KeyFrom::Beyond(KeyValue::$variant(v)) => query = query.filter(($column).gt(v)),
                KeyFrom::At(KeyValue::$variant(v)) => query = query.filter(($column).eq(v)),
                KeyFrom::Beyond(_) | KeyFrom::At(_) => {
                    return Err(diesel::result::Error::QueryBuilderError(
                        "a sort key of another type".into(),
                    ));
                }
            }
            match until {
                None => {}
                Some(KeyValue::$variant(v)) if descending => query = query.filter(($column).ge(v)),
                Some(KeyValue::$variant(v)) => query = query.filter(($column).le(v)),
                Some(_) => {
                    return Err(diesel::result::Error::QueryBuilderError(
                        "a sort key of another type".into(),
                    ));
                }
            }
            query = if descending {
                query.order(($column).desc())
            } else {
                query.order(($column).asc())
            };
        }};
    }
    match key {
        SortKey::Released => keyed!(l::released_at, Whole),
        SortKey::Attention => keyed!(l::praise_count + l::view_count, Whole),
        SortKey::Rent => keyed!(l::house_rent_fen, Whole),
        SortKey::Size => keyed!(l::house_size, Real),
    }
    // The filter's range of the key itself bounds the index's range.
    match key {
        SortKey::Rent => {
            if let Some(low) = filter.rent_fen.0 {
                query = query.filter(l::house_rent_fen.ge(low));
            }
            if let Some(high) = filter.rent_fen.1 {
                query = query.filter(l::house_rent_fen.le(high));
            }
        }
        SortKey::Size => {
            if let Some(low) = filter.size.0 {
                query = query.filter(l::house_size.ge(low));
            }
            if let Some(high) = filter.size.1 {
                query = query.filter(l::house_size.le(high));
            }
        }
        SortKey::Released | SortKey::Attention => {}
    }
    if let Some(limit) = limit {
        query = query.limit(limit);
    }
    query.select(CANDIDATE).load(conn)
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = rental_media)]
pub struct MediaRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub listing_id: i64,
    pub kind: String,
    pub object_key: String,
    pub rooms_type: Option<i32>,
    pub rooms_area: Option<f64>,
    pub rooms_orientation: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The photos and videos of `listings`, oldest first.
pub fn media_of(conn: &mut AnyConnection, listings: &[i64]) -> QueryResult<Vec<MediaRow>> {
    rental_media::table
        .filter(any_of(rental_media::listing_id, listings))
        .order((
            rental_media::listing_id,
            rental_media::kind,
            rental_media::id,
        ))
        .select(MediaRow::as_select())
        .load(conn)
}

/// How many files of `kind` listing `listing` has.
pub fn count_media(conn: &mut AnyConnection, listing: i64, kind: &str) -> QueryResult<i64> {
    rental_media::table
        .filter(rental_media::listing_id.eq(listing))
        .filter(rental_media::kind.eq(kind))
        .count()
        .get_result(conn)
}

pub fn insert_media(conn: &mut AnyConnection, row: &MediaRow) -> QueryResult<MediaRow> {
    diesel::insert_into(rental_media::table)
        .values(row)
        .returning(rental_media::all_columns)
        .get_result(conn)
}

pub fn find_media(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<MediaRow>> {
    rental_media::table
        .find(id)
        .select(MediaRow::as_select())
        .first(conn)
        .optional()
}

/// Points media `id` at a new file.
pub fn replace_media(
    conn: &mut AnyConnection,
    id: i64,
    key: &str,
    now: i64,
) -> QueryResult<MediaRow> {
    diesel::update(rental_media::table.find(id))
        .set((
            rental_media::object_key.eq(key),
            rental_media::updated_at.eq(now),
        ))
        .returning(rental_media::all_columns)
        .get_result(conn)
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = rental_identifications, treat_none_as_null = true)]
pub struct IdentificationRow {
    #[diesel(skip_insertion, skip_update)]
    pub id: i64,
    pub user_id: i64,
    pub community_identifier: String,
    pub community_house_id: i64,
    pub house_introduction: String,
    pub certname: String,
    pub idcardnumber: String,
    pub property_cert_number: String,
    pub property_cert_key: String,
    pub house_type: i32,
    pub lease_key: Option<String>,
    pub status: i32,
    pub reason: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    #[diesel(skip_update)]
    pub created_at: i64,
    pub updated_at: i64,
}

pub fn insert_identification(
    conn: &mut AnyConnection,
    row: &IdentificationRow,
) -> QueryResult<IdentificationRow> {
    diesel::insert_into(rental_identifications::table)
        .values(row)
        .returning(rental_identifications::all_columns)
        .get_result(conn)
}

pub fn update_identification(
    conn: &mut AnyConnection,
    row: &IdentificationRow,
) -> QueryResult<IdentificationRow> {
    diesel::update(rental_identifications::table.find(row.id))
        .set(row)
        .returning(rental_identifications::all_columns)
        .get_result(conn)
}

pub fn find_identification(
    conn: &mut AnyConnection,
    id: i64,
) -> QueryResult<Option<IdentificationRow>> {
    rental_identifications::table
        .find(id)
        .select(IdentificationRow::as_select())
        .first(conn)
        .optional()
}

/// The user's claims on house `house`, newest first.
pub fn identifications_of(
    conn: &mut AnyConnection,
    user: i64,
    house: i64,
) -> QueryResult<Vec<IdentificationRow>> {
    rental_identifications::table
        .filter(rental_identifications::user_id.eq(user))
        .filter(rental_identifications::community_house_id.eq(house))
        .order(rental_identifications::id.desc())
        .select(IdentificationRow::as_select())
        .load(conn)
}

/// `user`'s claims, the latest first, at most `limit` (read through
/// `rental_identifications_by_user`).
pub fn identifications_by_user(
    conn: &mut AnyConnection,
    user: i64,
    limit: i64,
) -> QueryResult<Vec<IdentificationRow>> {
    rental_identifications::table
        .filter(rental_identifications::user_id.eq(user))
        .order(rental_identifications::id.desc())
        .limit(limit)
        .select(IdentificationRow::as_select())
        .load(conn)
}

/// The claim whose property certificate or lease agreement is the file `key`.
pub fn identification_with_file(
    conn: &mut AnyConnection,
    key: &str,
) -> QueryResult<Option<IdentificationRow>> {
    let by_cert = rental_identifications::table
        .filter(rental_identifications::property_cert_key.eq(key))
        .select(IdentificationRow::as_select())
        .first(conn)
        .optional()?;
    if by_cert.is_some() {
        return Ok(by_cert);
    }
    rental_identifications::table
        .filter(rental_identifications::lease_key.eq(key))
        .select(IdentificationRow::as_select())
        .first(conn)
        .optional()
}

/// A page of a community's claims (of one status when given), newest first, and the total.
pub fn identifications_of_community(
    conn: &mut AnyConnection,
    community: &str,
    status: Option<i32>,
    paging: kit::paging::Paging,
) -> QueryResult<(Vec<IdentificationRow>, i64)> {
    let filtered = || {
        let mut query = rental_identifications::table
            .filter(rental_identifications::community_identifier.eq(community))
            .into_boxed::<Backend>();
        if let Some(status) = status {
            query = query.filter(rental_identifications::status.eq(status));
        }
        query
    };
    let rows = filtered()
        .order(rental_identifications::id.desc())
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(IdentificationRow::as_select())
        .load(conn)?;
    let total = paging.total(rows.len(), || filtered().count().get_result(conn))?;
    Ok((rows, total))
}
