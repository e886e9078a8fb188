//! The rental marketplace's rules without I/O: a listing's states, what releasing needs, the
//! map's geometry (GCJ-02 degrees, kilometres) and invitation codes.

/// A listing's `status` (DESIGN "Rental"); a draft has none.
pub const REFUSED: i32 = 0;
pub const PUBLISHED: i32 = 1;
pub const WAITING: i32 = 2;
pub const TAKEN_DOWN: i32 = 3;
/// A house identification's `status`: 2 waiting ([`WAITING`]), 1 approved, 0 refused.
pub const APPROVED: i32 = 1;

/// What a listing's status becomes when its landlord releases it: a verified 业主's listing is
/// published at once unless the platform holds it (it refused or took it down before); anyone
/// else's waits for the platform.
pub fn released_status(owner_verified: bool, platform_hold: bool) -> i32 {
    if owner_verified && !platform_hold {
        PUBLISHED
    } else {
        WAITING
    }
}

/// Whether the landlord may release a listing in `status` (a draft, or one taken down or refused).
pub fn may_release(status: Option<i32>) -> bool {
    matches!(status, None | Some(REFUSED | TAKEN_DOWN))
}

/// The platform's decision: 1 approve, 0 refuse, 3 take down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Refuse,
    TakeDown,
}

impl Decision {
    pub fn of_status(status: i32) -> Option<Self> {
        match status {
            PUBLISHED => Some(Self::Approve),
            REFUSED => Some(Self::Refuse),
            TAKEN_DOWN => Some(Self::TakeDown),
            _ => None,
        }
    }

    /// The status a listing in `current` takes, or `None` when the decision does not apply:
    /// only a waiting listing is approved or refused; only a published or waiting one taken down.
    pub fn next(self, current: Option<i32>) -> Option<i32> {
        match (self, current) {
            (Self::Approve, Some(WAITING)) => Some(PUBLISHED),
            (Self::Refuse, Some(WAITING)) => Some(REFUSED),
            (Self::TakeDown, Some(WAITING | PUBLISHED)) => Some(TAKEN_DOWN),
            _ => None,
        }
    }

    pub fn needs_reason(self) -> bool {
        self != Self::Approve
    }
}

/// Mean Earth radius (km), as great-circle distances on a sphere take it.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// The great-circle (haversine) distance in km between two points given in degrees.
pub fn distance_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (phi1, phi2) = (lat1.to_radians(), lat2.to_radians());
    let half_dphi = (lat2 - lat1).to_radians() / 2.0;
    let half_dlambda = (lon2 - lon1).to_radians() / 2.0;
    let a = half_dphi.sin().powi(2) + phi1.cos() * phi2.cos() * half_dlambda.sin().powi(2);
    2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
}

/// A latitude/longitude box holding every point within `radius_km` of a point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoundingBox {
    pub lat_min: f64,
    pub lat_max: f64,
    pub lon_min: f64,
    pub lon_max: f64,
}

/// The box around (`lat`, `lon`) that a search of `radius_km` reads through the map index; the
/// exact distance then filters its corners out. China lies far from the poles and the
/// antimeridian, but the box is still clamped to valid degrees.
pub fn bounding_box(lat: f64, lon: f64, radius_km: f64) -> BoundingBox {
    let dlat = (radius_km / EARTH_RADIUS_KM).to_degrees();
    // A degree of longitude shrinks with cos(latitude); take the box's widest latitude.
    let widest = (lat.abs() + dlat).min(89.9).to_radians();
    let dlon = (radius_km / (EARTH_RADIUS_KM * widest.cos())).to_degrees();
    BoundingBox {
        lat_min: (lat - dlat).max(-90.0),
        lat_max: (lat + dlat).min(90.0),
        lon_min: (lon - dlon).max(-180.0),
        lon_max: (lon + dlon).min(180.0),
    }
}

/// How many bands a degree of latitude holds: a band is 0.001° (about 111 m) high.
const BANDS_PER_DEGREE: f64 = 1000.0;

/// The band latitude `lat` lies in: `floor(lat × 1000) + 100000` (positive for every latitude),
/// what the map's band index holds for a listing (`rental_listings_on_map_bands`).
pub fn map_band(lat: f64) -> i32 {
    (lat * BANDS_PER_DEGREE + 100_000.0).floor() as i32
}

/// Every band a box crosses, with one more on each side: the index's cast truncates on SQLite
/// and rounds on PostgreSQL, and the box's exact latitudes filter the extra rows out anyway.
pub fn bands_of(area: BoundingBox) -> Vec<i32> {
    (map_band(area.lat_min) - 1..=map_band(area.lat_max) + 1).collect()
}

/// How many map cells a degree holds, of latitude and of longitude: a cell is 1/32° square
/// (3.5 km north–south, 3 km east–west around Shanghai). A power of two, so `× 32` is exact and
/// the database's generated `map_cell` and [`map_cell`] agree on every coordinate.
const CELLS_PER_DEGREE: f64 = 32.0;

/// How far apart two rows of cells are numbered: more than the 11,520 cells around a latitude.
const CELL_ROW: i32 = 16_384;

/// The row or column of cells `degrees` north of the South Pole or east of 180° W lies in.
fn cell_index(degrees: f64) -> i32 {
    (degrees * CELLS_PER_DEGREE).floor() as i32
}

/// The number of the cell in `row` and `column`.
fn cell_number(row: i32, column: i32) -> i32 {
    row * CELL_ROW + column
}

/// The cell (`lat`, `lon`) lies in, as `rental_listings.map_cell` holds it:
/// `floor((lat + 90) × 32) × 16384 + floor((lon + 180) × 32)`.
pub fn map_cell(lat: f64, lon: f64) -> i32 {
    cell_number(cell_index(lat + 90.0), cell_index(lon + 180.0))
}

/// The cells `area` crosses, those nearest (`lat`, `lon`) first (by the distance from the point
/// to the cell's centre).
pub fn cells_of(area: BoundingBox, lat: f64, lon: f64) -> Vec<i32> {
    let rows = cell_index(area.lat_min + 90.0)..=cell_index(area.lat_max + 90.0);
    let columns = cell_index(area.lon_min + 180.0)..=cell_index(area.lon_max + 180.0);
    let centre = |i: i32| (f64::from(i) + 0.5) / CELLS_PER_DEGREE;
    let mut cells: Vec<(f64, i32)> = rows
        .flat_map(|row| columns.clone().map(move |column| (row, column)))
        .map(|(row, column)| {
            let away = distance_km(lat, lon, centre(row) - 90.0, centre(column) - 180.0);
            (away, cell_number(row, column))
        })
        .collect();
    cells.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    cells.into_iter().map(|(_, cell)| cell).collect()
}

/// A user's invitation code: their id in 8 upper-case hex digits (`00000006`, `0000000A`), as
/// seed 004 shows them.
pub fn invite_code(user_id: i64) -> String {
    format!("{user_id:08X}")
}

/// The user an invitation code names, if it is one.
pub fn invite_code_user(code: &str) -> Option<i64> {
    if code.len() != 8 || !code.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    i64::from_str_radix(code, 16).ok().filter(|id| *id > 0)
}

/// Tags (房源特色) as stored: `|近地铁|拎包入住|`, so one tag is found as `|tag|`.
pub fn stored_tags(tags: &str) -> String {
    let tags: Vec<&str> = tags
        .split('|')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    if tags.is_empty() {
        String::new()
    } else {
        format!("|{}|", tags.join("|"))
    }
}

/// Tags as seed 004 writes them: `近地铁|拎包入住`.
pub fn shown_tags(stored: &str) -> String {
    stored.trim_matches('|').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_box_crosses_the_cells_its_corners_lie_in_nearest_first() {
        // On a cell's edge and just below it.
        assert_eq!(map_cell(31.0, 121.5), 3872 * 16_384 + 9648);
        assert_eq!(map_cell(31.0 - 1e-9, 121.5 - 1e-9), 3871 * 16_384 + 9647);
        assert_eq!(map_cell(-33.9, -70.6), 1795 * 16_384 + 3500);
        let (lat, lon) = (31.23, 121.47);
        let area = bounding_box(lat, lon, 3.0);
        let cells = cells_of(area, lat, lon);
        assert_eq!(cells[0], map_cell(lat, lon));
        let corners = [
            (area.lat_min, area.lon_min),
            (area.lat_min, area.lon_max),
            (area.lat_max, area.lon_min),
            (area.lat_max, area.lon_max),
        ];
        for (a, o) in corners {
            assert!(cells.contains(&map_cell(a, o)), "{a} {o}");
        }
        // 6 km of latitude and of longitude: 2 or 3 rows and 3 columns of cells.
        assert!((6..=9).contains(&cells.len()), "{cells:?}");
        let mut unique = cells.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), cells.len());
    }

    #[test]
    fn a_verified_owner_publishes_at_once_unless_the_platform_holds_the_listing() {
        assert_eq!(released_status(true, false), PUBLISHED);
        assert_eq!(released_status(true, true), WAITING);
        assert_eq!(released_status(false, false), WAITING);
        assert!(may_release(None) && may_release(Some(TAKEN_DOWN)) && may_release(Some(REFUSED)));
        assert!(!may_release(Some(PUBLISHED)) && !may_release(Some(WAITING)));
    }

    #[test]
    fn the_platform_decides_only_what_is_before_it() {
        assert_eq!(Decision::Approve.next(Some(WAITING)), Some(PUBLISHED));
        assert_eq!(Decision::Refuse.next(Some(WAITING)), Some(REFUSED));
        assert_eq!(Decision::TakeDown.next(Some(PUBLISHED)), Some(TAKEN_DOWN));
        assert_eq!(Decision::Approve.next(Some(PUBLISHED)), None);
        assert_eq!(Decision::Approve.next(None), None);
        assert_eq!(Decision::TakeDown.next(Some(REFUSED)), None);
        assert_eq!(Decision::of_status(2), None);
    }

    #[test]
    fn distances_are_great_circle_kilometres() {
        // Tian'anmen to the Shanghai Bund: about 1,067 km.
        let d = distance_km(39.9087, 116.3975, 31.2400, 121.4900);
        assert!((d - 1067.0).abs() < 5.0, "{d}");
        assert_eq!(distance_km(39.9, 116.4, 39.9, 116.4), 0.0);
        // 0.01° of latitude is about 1.11 km anywhere.
        let d = distance_km(39.90, 116.4, 39.91, 116.4);
        assert!((d - 1.112).abs() < 0.01, "{d}");
    }

    #[test]
    fn the_box_holds_the_whole_circle() {
        let (lat, lon, r) = (39.9, 116.4, 3.0);
        let b = bounding_box(lat, lon, r);
        for step in 0..360 {
            let bearing = f64::from(step).to_radians();
            // A point r km away on this bearing (small-distance approximation, slightly inside).
            let p_lat = lat + (r * 0.999 / EARTH_RADIUS_KM).to_degrees() * bearing.cos();
            let p_lon = lon
                + (r * 0.999 / (EARTH_RADIUS_KM * p_lat.to_radians().cos())).to_degrees()
                    * bearing.sin();
            assert!(distance_km(lat, lon, p_lat, p_lon) <= r);
            assert!((b.lat_min..=b.lat_max).contains(&p_lat), "{step}");
            assert!((b.lon_min..=b.lon_max).contains(&p_lon), "{step}");
        }
    }

    #[test]
    fn bands_are_thousandths_of_a_degree_and_a_box_reads_all_it_crosses() {
        assert_eq!(map_band(31.2345), 131_234);
        assert_eq!(map_band(-0.0005), 99_999);
        assert_eq!(map_band(0.0), 100_000);
        let b = bounding_box(31.2, 121.4, 3.0);
        let bands = bands_of(b);
        assert_eq!(bands.first(), Some(&(map_band(b.lat_min) - 1)));
        assert_eq!(bands.last(), Some(&(map_band(b.lat_max) + 1)));
        // 6 km of latitude is about 54 bands.
        assert!((55..=60).contains(&bands.len()), "{}", bands.len());
    }

    #[test]
    fn invitation_codes_are_eight_hex_digits_of_the_id() {
        assert_eq!(invite_code(6), "00000006");
        assert_eq!(invite_code(10), "0000000A");
        assert_eq!(invite_code_user("0000000A"), Some(10));
        assert_eq!(invite_code_user("0000000a"), Some(10));
        assert_eq!(invite_code_user("00000000"), None);
        assert_eq!(invite_code_user("0000006"), None);
        assert_eq!(invite_code_user("0000000G"), None);
        assert_eq!(invite_code_user("+0000006"), None);
    }

    #[test]
    fn tags_are_stored_between_bars() {
        assert_eq!(stored_tags("近地铁| 拎包入住|"), "|近地铁|拎包入住|");
        assert_eq!(stored_tags(" | "), "");
        assert_eq!(shown_tags("|近地铁|拎包入住|"), "近地铁|拎包入住");
    }
}
