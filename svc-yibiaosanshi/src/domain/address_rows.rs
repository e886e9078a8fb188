//! The address tree's rows, one per house with its ancestors' names, and the rules they obey on
//! their own and across a file.
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::hash::Hash;

use super::address::{HouseType, is_community_identifier, name_problem, pinyin_problem};

/// One CSV row = one house, with the names of its ancestors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HouseRow {
    pub community_identifier: String,
    pub community_name: String,
    pub community_pinyin: String,
    pub building_number: i64,
    pub building_name: String,
    pub unit_number: i64,
    pub unit_name: String,
    pub floor_number: i64,
    pub floor_name: String,
    pub house_number: i64,
    pub house_name: String,
    pub house_type: String,
}

impl HouseRow {
    /// The house's address: the numbers the tree and the security platform know it by.
    pub fn address(&self) -> secplat::HouseAddress {
        secplat::HouseAddress {
            community_identifier: self.community_identifier.clone(),
            building_number: self.building_number,
            unit_number: self.unit_number,
            floor_number: self.floor_number,
            house_number: self.house_number,
        }
    }
}

/// A problem with one line of the file (1-based; the header is line 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub message: String,
}

impl RowError {
    pub(crate) fn new(line: usize, message: impl Into<String>) -> Self {
        Self {
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for RowError {}

/// What is wrong with one row on its own.
pub(crate) fn check_row(row: &HouseRow) -> Vec<String> {
    let mut problems = Vec::new();
    if !is_community_identifier(&row.community_identifier) {
        problems.push(format!(
            "community_identifier must be 1 to 20 digits, got {:?}",
            row.community_identifier
        ));
    }
    problems.extend(name_problem("community_name", &row.community_name));
    problems.extend(pinyin_problem(&row.community_pinyin));
    for (field, value) in [
        ("building_number", row.building_number),
        ("unit_number", row.unit_number),
        ("floor_number", row.floor_number),
        ("house_number", row.house_number),
    ] {
        if value <= 0 {
            problems.push(format!("{field} must be positive, got {value}"));
        }
    }
    for (field, value) in [
        ("building_name", &row.building_name),
        ("unit_name", &row.unit_name),
        ("floor_name", &row.floor_name),
        ("house_name", &row.house_name),
    ] {
        problems.extend(name_problem(field, value));
    }
    if HouseType::parse(&row.house_type).is_none() {
        let allowed: Vec<&str> = HouseType::ALL.iter().map(|kind| kind.as_str()).collect();
        problems.push(format!(
            "house_type must be one of {}, got {:?}",
            allowed.join("、"),
            row.house_type
        ));
    }
    problems
}

/// What is wrong between rows: a house listed twice, a community, building, unit or floor
/// named differently on different lines.
pub(crate) fn check_across_rows(rows: &[(usize, HouseRow)]) -> Vec<RowError> {
    let mut errors = Vec::new();
    let mut communities = HashMap::new();
    let mut buildings = HashMap::new();
    let mut units = HashMap::new();
    let mut floors = HashMap::new();
    let mut houses = HashMap::new();
    for (line, row) in rows {
        let line = *line;
        let community = row.community_identifier.as_str();
        let building = (community, row.building_number);
        let unit = (community, row.building_number, row.unit_number);
        let floor = (unit, row.floor_number);
        let named = format!("{} ({})", row.community_name, row.community_pinyin);
        errors.extend(same_name(&mut communities, community, line, named, || {
            format!("community {community}")
        }));
        errors.extend(same_name(
            &mut buildings,
            building,
            line,
            row.building_name.clone(),
            || format!("building {} of community {community}", row.building_number),
        ));
        errors.extend(same_name(
            &mut units,
            unit,
            line,
            row.unit_name.clone(),
            || {
                format!(
                    "unit {} of building {}",
                    row.unit_number, row.building_number
                )
            },
        ));
        errors.extend(same_name(
            &mut floors,
            floor,
            line,
            row.floor_name.clone(),
            || {
                format!(
                    "floor {} of unit {}, building {}",
                    row.floor_number, row.unit_number, row.building_number
                )
            },
        ));
        match houses.entry((floor, row.house_number)) {
            Entry::Occupied(first) => errors.push(RowError::new(
                line,
                format!(
                    "house {} on floor {}, unit {}, building {} of community {community} is already on line {}",
                    row.house_number,
                    row.floor_number,
                    row.unit_number,
                    row.building_number,
                    first.get()
                ),
            )),
            Entry::Vacant(slot) => {
                slot.insert(line);
            }
        }
    }
    errors
}

/// Remembers the first name seen for `key`; a later different name is a problem.
fn same_name<K: Eq + Hash>(
    seen: &mut HashMap<K, (usize, String)>,
    key: K,
    line: usize,
    name: String,
    what: impl FnOnce() -> String,
) -> Option<RowError> {
    match seen.entry(key) {
        Entry::Occupied(first) => {
            let (first_line, first_name) = first.get();
            (*first_name != name).then(|| {
                RowError::new(
                    line,
                    format!(
                        "{} is named {first_name} on line {first_line} but {name} here",
                        what()
                    ),
                )
            })
        }
        Entry::Vacant(slot) => {
            slot.insert((line, name));
            None
        }
    }
}

/// Checks rows that did not come from a file (line numbers as if they had: the header is line 1).
pub fn validate(rows: &[HouseRow]) -> Result<(), Vec<RowError>> {
    let numbered: Vec<(usize, HouseRow)> = rows
        .iter()
        .enumerate()
        .map(|(index, row)| (index + 2, row.clone()))
        .collect();
    let mut errors: Vec<RowError> = numbered
        .iter()
        .flat_map(|(line, row)| {
            check_row(row)
                .into_iter()
                .map(|message| RowError::new(*line, message))
        })
        .collect();
    errors.extend(check_across_rows(&numbered));
    if errors.is_empty() {
        Ok(())
    } else {
        errors.sort_by_key(|error| error.line);
        Err(errors)
    }
}
