//! Where a listing's fields live: what search filters and sorts on is a column of
//! `rental_listings`; the rest of seed 004's fields are its `details` (JSON).
use proto::rental::ListingFields;
use serde::{Deserialize, Serialize};

use crate::db::rental::ListingRow;
use crate::domain::rental::{shown_tags, stored_tags};

/// The fields no query reads: kept whole as JSON.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Details {
    province_name: Option<String>,
    province_code: Option<i64>,
    city_name: Option<String>,
    city_code: Option<i64>,
    county_name: Option<String>,
    county_code: Option<i64>,
    district_name: Option<String>,
    district_code: Option<i64>,
    house_number: Option<i64>,
    house_floor: Option<String>,
    house_max_livein: Option<i64>,
    payment_type: Option<String>,
    property_management_fee: Option<i32>,
    heating_charge: Option<i32>,
    description: Option<String>,
    traffic_condition: Option<String>,
    around_condition: Option<String>,
    facility: Option<String>,
    all_floor: Option<i64>,
    earliest_checkin_time: Option<String>,
    extra_fee: Option<String>,
    verification_code: Option<String>,
}

impl Details {
    fn of(row: &ListingRow) -> Self {
        // Written only by `apply`; a row that does not read back is a bug, not input.
        serde_json::from_str(&row.details).unwrap_or_default()
    }
}

/// Sets every field `fields` has on `row`; the others keep their values.
pub fn apply(row: &mut ListingRow, fields: ListingFields) {
    macro_rules! set {
        ($target:expr, $value:expr) => {
            if let Some(value) = $value {
                $target = Some(value);
            }
        };
    }
    set!(row.longitude, fields.longitude);
    set!(row.latitude, fields.latitude);
    set!(row.house_rent_fen, fields.house_rent_fen);
    set!(row.house_size, fields.house_size);
    set!(row.house_type, fields.house_type);
    set!(row.rent_time_type, fields.rent_time_type);
    set!(row.rent_room_type, fields.rent_room_type);
    set!(row.house_source, fields.house_source);
    set!(row.house_direction, fields.house_direction);
    set!(row.house_decoration, fields.house_decoration);
    set!(row.house_rooms, fields.house_rooms);
    set!(row.subdistrict_code, fields.subdistrict_code);
    set!(row.subway_station_code, fields.subway_station_code);
    set!(
        row.house_characteristic,
        fields.house_characteristic.as_deref().map(stored_tags)
    );
    set!(row.description_title, fields.description_title);
    let mut d = Details::of(row);
    set!(d.province_name, fields.province_name);
    set!(d.province_code, fields.province_code);
    set!(d.city_name, fields.city_name);
    set!(d.city_code, fields.city_code);
    set!(d.county_name, fields.county_name);
    set!(d.county_code, fields.county_code);
    set!(d.district_name, fields.district_name);
    set!(d.district_code, fields.district_code);
    set!(d.house_number, fields.house_number);
    set!(d.house_floor, fields.house_floor);
    set!(d.house_max_livein, fields.house_max_livein);
    set!(d.payment_type, fields.payment_type);
    set!(d.property_management_fee, fields.property_management_fee);
    set!(d.heating_charge, fields.heating_charge);
    set!(d.description, fields.description);
    set!(d.traffic_condition, fields.traffic_condition);
    set!(d.around_condition, fields.around_condition);
    set!(d.facility, fields.facility);
    set!(d.all_floor, fields.all_floor);
    set!(d.earliest_checkin_time, fields.earliest_checkin_time);
    set!(d.extra_fee, fields.extra_fee);
    set!(d.verification_code, fields.verification_code);
    row.details = serde_json::to_string(&d).unwrap_or_else(|_| "{}".to_owned());
}

/// Every field of `row`, as /house_create takes them.
pub fn of_row(row: &ListingRow) -> ListingFields {
    let d = Details::of(row);
    ListingFields {
        province_name: d.province_name,
        province_code: d.province_code,
        city_name: d.city_name,
        city_code: d.city_code,
        county_name: d.county_name,
        county_code: d.county_code,
        district_name: d.district_name,
        district_code: d.district_code,
        house_number: d.house_number,
        longitude: row.longitude,
        latitude: row.latitude,
        rent_time_type: row.rent_time_type,
        rent_room_type: row.rent_room_type,
        house_size: row.house_size,
        house_type: row.house_type.clone(),
        house_floor: d.house_floor,
        house_direction: row.house_direction.clone(),
        house_decoration: row.house_decoration.clone(),
        house_max_livein: d.house_max_livein,
        house_rent_fen: row.house_rent_fen,
        payment_type: d.payment_type,
        property_management_fee: d.property_management_fee,
        heating_charge: d.heating_charge,
        description_title: row.description_title.clone(),
        description: d.description,
        traffic_condition: d.traffic_condition,
        around_condition: d.around_condition,
        facility: d.facility,
        house_rooms: row.house_rooms,
        subdistrict_code: row.subdistrict_code,
        subway_station_code: row.subway_station_code,
        house_characteristic: row.house_characteristic.as_deref().map(shown_tags),
        house_source: row.house_source,
        all_floor: d.all_floor,
        earliest_checkin_time: d.earliest_checkin_time,
        extra_fee: d.extra_fee,
        verification_code: d.verification_code,
    }
}

/// The first field a listing must have before it is released, if one is missing: a seeker needs
/// a title, the rent and size, the kind of let, and a place on the map.
pub fn missing_for_release(row: &ListingRow) -> Option<&'static str> {
    [
        ("description_title", row.description_title.is_none()),
        ("house_rent", row.house_rent_fen.is_none()),
        ("house_size", row.house_size.is_none()),
        ("rent_time_type", row.rent_time_type.is_none()),
        ("rent_room_type", row.rent_room_type.is_none()),
        ("longitude", row.longitude.is_none()),
        ("latitude", row.latitude.is_none()),
    ]
    .into_iter()
    .find_map(|(field, missing)| missing.then_some(field))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_come_back_as_they_went_in_and_absent_ones_keep_their_values() {
        let mut row = ListingRow {
            details: "{}".to_owned(),
            ..ListingRow::default()
        };
        let fields = ListingFields {
            province_name: Some("河北省".to_owned()),
            longitude: Some(119.6),
            house_rent_fen: Some(150_000),
            house_characteristic: Some("近地铁|拎包入住".to_owned()),
            payment_type: Some("1|3".to_owned()),
            ..ListingFields::default()
        };
        apply(&mut row, fields.clone());
        assert_eq!(of_row(&row), fields);
        assert_eq!(
            row.house_characteristic.as_deref(),
            Some("|近地铁|拎包入住|")
        );
        assert_eq!(missing_for_release(&row), Some("description_title"));
        apply(
            &mut row,
            ListingFields {
                house_rent_fen: Some(160_000),
                ..ListingFields::default()
            },
        );
        let after = of_row(&row);
        assert_eq!(after.house_rent_fen, Some(160_000));
        assert_eq!(after.province_name.as_deref(), Some("河北省"));
        assert_eq!(after.payment_type.as_deref(), Some("1|3"));
    }
}
