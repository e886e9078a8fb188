//! The address tree as CSV, one row per house: parsing and checking a file, loading it in one
//! transaction (upserting by natural keys), and writing a community back out.
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::Hash;

use diesel::Connection;
use kit::db::{AnyConnection, Database, DbError};
use kit::time::now_unix;

use crate::db::addresses::{self, Building, Community, Floor, House, Unit};
use crate::domain::address::{HouseType, is_community_identifier, name_problem, pinyin_problem};

/// The header line, exactly, in this order.
pub const HEADER: [&str; 12] = [
    "community_identifier",
    "community_name",
    "community_pinyin",
    "building_number",
    "building_name",
    "unit_number",
    "unit_name",
    "floor_number",
    "floor_name",
    "house_number",
    "house_name",
    "house_type",
];

/// Past this many problems a file is not read further.
const MAX_ERRORS: usize = 1000;

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

/// A problem with one line of the file (1-based; the header is line 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub message: String,
}

impl RowError {
    fn new(line: usize, message: impl Into<String>) -> Self {
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

/// How many rows of each level an import created (all 0 when it was loaded before).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub communities: usize,
    pub buildings: usize,
    pub units: usize,
    pub floors: usize,
    pub houses: usize,
}

/// Why an import or export did nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The rows break the rules; nothing was loaded.
    #[error("{}", describe(.0))]
    Invalid(Vec<RowError>),
    #[error("no community with community_identifier {0:?}")]
    UnknownCommunity(String),
    #[error("writing CSV: {0}")]
    Write(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for ImportError {
    fn from(error: diesel::result::Error) -> Self {
        Self::Db(DbError::Query(error))
    }
}

fn describe(errors: &[RowError]) -> String {
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    format!("{} problem(s): {}", errors.len(), lines.join("; "))
}

/// Parses and checks every row of a CSV file; on failure, every problem found with its line.
pub fn parse_csv(input: impl std::io::Read) -> Result<Vec<HouseRow>, Vec<RowError>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(input);
    let mut records = reader.records();
    match records.next() {
        None => {
            return Err(vec![RowError::new(
                1,
                format!(
                    "the file is empty: line 1 must be the header {}",
                    HEADER.join(",")
                ),
            )]);
        }
        Some(Err(error)) => return Err(vec![csv_error(&error)]),
        Some(Ok(header)) => {
            let names: Vec<&str> = header
                .iter()
                .enumerate()
                // A spreadsheet may start the file with a byte-order mark.
                .map(|(i, name)| {
                    if i == 0 {
                        name.trim_start_matches('\u{feff}')
                    } else {
                        name
                    }
                })
                .collect();
            if names != HEADER {
                return Err(vec![RowError::new(
                    line_of(&header),
                    format!(
                        "the header must be {} (found {})",
                        HEADER.join(","),
                        names.join(",")
                    ),
                )]);
            }
        }
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for record in records {
        if errors.len() >= MAX_ERRORS {
            errors.push(RowError::new(
                errors.last().map_or(0, |e: &RowError| e.line),
                format!("more than {MAX_ERRORS} problems: stopped reading"),
            ));
            break;
        }
        match record {
            Ok(record) => {
                let line = line_of(&record);
                match row_from_record(&record) {
                    Ok(row) => rows.push((line, row)),
                    Err(problems) => {
                        errors.extend(problems.into_iter().map(|m| RowError::new(line, m)))
                    }
                }
            }
            Err(error) => {
                errors.push(csv_error(&error));
                if matches!(error.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
            }
        }
    }
    errors.extend(check_across_rows(&rows));
    if errors.is_empty() {
        Ok(rows.into_iter().map(|(_, row)| row).collect())
    } else {
        errors.sort_by_key(|error| error.line);
        Err(errors)
    }
}

fn line_of(record: &csv::StringRecord) -> usize {
    record.position().map_or(0, |position| {
        usize::try_from(position.line()).unwrap_or(usize::MAX)
    })
}

fn csv_error(error: &csv::Error) -> RowError {
    let line = error.position().map_or(0, |position| {
        usize::try_from(position.line()).unwrap_or(usize::MAX)
    });
    let message = match error.kind() {
        csv::ErrorKind::Utf8 { .. } => "the line is not valid UTF-8 text".to_owned(),
        csv::ErrorKind::Io(cause) => format!("cannot read the file: {cause}"),
        _ => error.to_string(),
    };
    RowError::new(line, message)
}

/// One record's fields as a row, or what is wrong with them.
fn row_from_record(record: &csv::StringRecord) -> Result<HouseRow, Vec<String>> {
    if record.len() != HEADER.len() {
        return Err(vec![format!(
            "expected {} fields, found {}",
            HEADER.len(),
            record.len()
        )]);
    }
    let field = |index: usize| record.get(index).unwrap_or_default().to_owned();
    let mut problems = Vec::new();
    let mut number = |index: usize| {
        let value = record.get(index).unwrap_or_default();
        value.parse::<i64>().unwrap_or_else(|_| {
            problems.push(format!(
                "{} must be a whole number, got {value:?}",
                HEADER[index]
            ));
            // Stands in for the value just reported, so it is not reported twice.
            1
        })
    };
    let row = HouseRow {
        community_identifier: field(0),
        community_name: field(1),
        community_pinyin: field(2),
        building_number: number(3),
        building_name: field(4),
        unit_number: number(5),
        unit_name: field(6),
        floor_number: number(7),
        floor_name: field(8),
        house_number: number(9),
        house_name: field(10),
        house_type: field(11),
    };
    problems.extend(check_row(&row));
    if problems.is_empty() {
        Ok(row)
    } else {
        Err(problems)
    }
}

/// What is wrong with one row on its own.
fn check_row(row: &HouseRow) -> Vec<String> {
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
fn check_across_rows(rows: &[(usize, HouseRow)]) -> Vec<RowError> {
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
fn validate(rows: &[HouseRow]) -> Result<(), Vec<RowError>> {
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

/// Loads the rows in one transaction: each level is found by its natural key (renamed when its
/// name changed) or created. Nothing is loaded if anything fails. `progress` hears the number of
/// rows done so far.
pub async fn import(
    db: &Database,
    rows: Vec<HouseRow>,
    progress: impl Fn(u64) + Send + 'static,
) -> Result<ImportSummary, ImportError> {
    validate(&rows).map_err(ImportError::Invalid)?;
    let count = rows.len();
    let summary = db
        .run(move |conn| {
            conn.transaction(|conn| load(conn, &rows, &progress))
                .map_err(ImportError::from)
        })
        .await?;
    tracing::info!(rows = count, ?summary, "address rows imported");
    Ok(summary)
}

fn load(
    conn: &mut AnyConnection,
    rows: &[HouseRow],
    progress: &dyn Fn(u64),
) -> Result<ImportSummary, diesel::result::Error> {
    let now = now_unix();
    let mut summary = ImportSummary::default();
    // Ids already upserted in this import, so each ancestor is looked up once.
    let mut communities = HashSet::new();
    let mut buildings = HashMap::new();
    let mut units = HashMap::new();
    let mut floors = HashMap::new();
    for (done, row) in rows.iter().enumerate() {
        let community = row.community_identifier.as_str();
        if communities.insert(community)
            && addresses::upsert_community(
                conn,
                community,
                &row.community_name,
                &row.community_pinyin,
                now,
            )?
        {
            summary.communities += 1;
        }
        let building_id = match buildings.entry((community, row.building_number)) {
            Entry::Occupied(known) => *known.get(),
            Entry::Vacant(slot) => {
                let building = addresses::upsert_building(
                    conn,
                    community,
                    row.building_number,
                    &row.building_name,
                )?;
                summary.buildings += usize::from(building.created);
                *slot.insert(building.id)
            }
        };
        let unit_id = match units.entry((building_id, row.unit_number)) {
            Entry::Occupied(known) => *known.get(),
            Entry::Vacant(slot) => {
                let unit = addresses::upsert_unit(
                    conn,
                    building_id,
                    community,
                    row.unit_number,
                    &row.unit_name,
                )?;
                summary.units += usize::from(unit.created);
                *slot.insert(unit.id)
            }
        };
        let floor_id = match floors.entry((unit_id, row.floor_number)) {
            Entry::Occupied(known) => *known.get(),
            Entry::Vacant(slot) => {
                let floor = addresses::upsert_floor(
                    conn,
                    unit_id,
                    community,
                    row.floor_number,
                    &row.floor_name,
                )?;
                summary.floors += usize::from(floor.created);
                *slot.insert(floor.id)
            }
        };
        let house = addresses::upsert_house(
            conn,
            floor_id,
            community,
            row.house_number,
            &row.house_name,
            &row.house_type,
        )?;
        summary.houses += usize::from(house.created);
        progress(u64::try_from(done + 1).unwrap_or(u64::MAX));
    }
    Ok(summary)
}

/// Writes one community in the import format: the header, then its houses ordered by building,
/// unit, floor and house.
pub async fn export(db: &Database, community_identifier: &str) -> Result<String, ImportError> {
    let identifier = community_identifier.trim().to_owned();
    let rows = db
        .run(move |conn| {
            let community = addresses::find_community(conn, &identifier)?
                .ok_or_else(|| ImportError::UnknownCommunity(identifier.clone()))?;
            let tree = addresses::list_community_tree(conn, &identifier)?;
            Ok::<_, ImportError>(
                tree.into_iter()
                    .map(|(building, unit, floor, house)| {
                        house_row(&community, building, unit, floor, house)
                    })
                    .collect::<Vec<_>>(),
            )
        })
        .await?;
    write_csv(&rows)
}

fn house_row(
    community: &Community,
    building: Building,
    unit: Unit,
    floor: Floor,
    house: House,
) -> HouseRow {
    HouseRow {
        community_identifier: community.community_identifier.clone(),
        community_name: community.community_name.clone(),
        community_pinyin: community.community_pinyin.clone(),
        building_number: building.building_number,
        building_name: building.building_name,
        unit_number: unit.unit_number,
        unit_name: unit.unit_name,
        floor_number: floor.floor_number,
        floor_name: floor.floor_name,
        house_number: house.house_number,
        house_name: house.house_name,
        house_type: house.house_type,
    }
}

/// Writes rows in the import format, header first, in the order given.
pub fn write_csv(rows: &[HouseRow]) -> Result<String, ImportError> {
    let failed = |error: csv::Error| ImportError::Write(error.to_string());
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(HEADER).map_err(failed)?;
    for row in rows {
        writer
            .write_record([
                row.community_identifier.as_str(),
                &row.community_name,
                &row.community_pinyin,
                &row.building_number.to_string(),
                &row.building_name,
                &row.unit_number.to_string(),
                &row.unit_name,
                &row.floor_number.to_string(),
                &row.floor_name,
                &row.house_number.to_string(),
                &row.house_name,
                &row.house_type,
            ])
            .map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|error| ImportError::Write(error.to_string()))?;
    String::from_utf8(bytes).map_err(|error| ImportError::Write(error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER_LINE: &str = "community_identifier,community_name,community_pinyin,building_number,building_name,unit_number,unit_name,floor_number,floor_name,house_number,house_name,house_type";

    fn file(lines: &[&str]) -> String {
        let mut text = String::from(HEADER_LINE);
        for line in lines {
            text.push('\n');
            text.push_str(line);
        }
        text.push('\n');
        text
    }

    fn parse(text: &str) -> Result<Vec<HouseRow>, Vec<RowError>> {
        parse_csv(text.as_bytes())
    }

    fn lines_of(errors: &[RowError]) -> Vec<usize> {
        errors.iter().map(|error| error.line).collect()
    }

    #[test]
    fn a_good_file_parses_into_rows() {
        let rows = parse(&file(&[
            "10002,晨曦家园,ChenXiJiaYuan,1,1栋,1,1单元,1,1楼,101,101号,单元楼",
            "10002,晨曦家园,ChenXiJiaYuan,1,1栋,1,1单元,1,1楼,102,102号,别墅",
        ]))
        .expect("parses");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].house_number, 102);
        assert_eq!(rows[1].house_type, "别墅");
        assert_eq!(rows[0].building_name, "1栋");
    }

    #[test]
    fn a_byte_order_mark_spaces_and_quoted_commas_are_accepted() {
        let text = format!(
            "\u{feff}{}",
            file(&[r#"10002, 晨曦家园 ,ChenXiJiaYuan,1,"1栋,东",1,1单元,1,1楼,101,101号,单元楼"#])
        );
        let rows = parse(&text).expect("parses");
        assert_eq!(rows[0].community_name, "晨曦家园");
        assert_eq!(rows[0].building_name, "1栋,东");
    }

    #[test]
    fn a_wrong_header_is_the_only_error() {
        let errors = parse("community_identifier,community_name\n10002,x\n").expect_err("refused");
        assert_eq!(lines_of(&errors), [1]);
        assert!(
            errors[0]
                .to_string()
                .starts_with("line 1: the header must be")
        );
        let errors = parse("").expect_err("refused");
        assert_eq!(lines_of(&errors), [1]);
    }

    #[test]
    fn every_bad_field_of_every_row_is_reported_with_its_line() {
        let errors = parse(&file(&[
            "10a02,晨曦家园,ChenXiJiaYuan,1,1栋,1,1单元,1,1楼,101,101号,单元楼",
            "10002,晨曦家园,ChenXiJiaYuan,0,1栋,x,,1,1楼,101,101号,公寓",
            "10002,晨曦家园,ChenXiJiaYuan,1,1栋",
        ]))
        .expect_err("refused");
        assert_eq!(lines_of(&errors), [2, 3, 3, 3, 3, 4]);
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(text[0].contains("community_identifier"), "{text:?}");
        assert!(
            text.iter()
                .any(|e| e.contains("building_number must be positive"))
        );
        assert!(
            text.iter()
                .any(|e| e.contains("unit_number must be a whole number"))
        );
        assert!(
            text.iter()
                .any(|e| e.contains("unit_name must not be empty"))
        );
        assert!(
            text.iter()
                .any(|e| e.contains("house_type must be one of 单元楼"))
        );
        assert!(text[5].contains("expected 12 fields, found 5"));
    }

    #[test]
    fn a_house_listed_twice_is_refused_on_its_second_line() {
        let row = "10002,晨曦家园,ChenXiJiaYuan,1,1栋,1,1单元,1,1楼,101,101号,单元楼";
        let errors = parse(&file(&[row, row])).expect_err("refused");
        assert_eq!(lines_of(&errors), [3]);
        assert!(errors[0].message.contains("already on line 2"));
    }

    #[test]
    fn a_community_or_building_named_two_ways_is_refused() {
        let errors = parse(&file(&[
            "10002,晨曦家园,ChenXiJiaYuan,1,1栋,1,1单元,1,1楼,101,101号,单元楼",
            "10002,晨曦花园,ChenXiHuaYuan,1,1栋,1,1单元,1,1楼,102,102号,单元楼",
            "10002,晨曦家园,ChenXiJiaYuan,1,一栋,1,1单元,1,1楼,103,103号,单元楼",
        ]))
        .expect_err("refused");
        assert_eq!(lines_of(&errors), [3, 4]);
        assert!(
            errors[0]
                .message
                .contains("community 10002 is named 晨曦家园 (ChenXiJiaYuan)")
        );
        assert!(errors[1].message.contains("building 1 of community 10002"));
    }

    #[test]
    fn text_that_is_not_utf8_is_reported() {
        let mut bytes = file(&[]).into_bytes();
        bytes.extend_from_slice(
            b"10002,\xff\xfe,P,1,b,1,u,1,f,1,h,\xe5\x8d\x95\xe5\x85\x83\xe6\xa5\xbc\n",
        );
        let errors = parse_csv(bytes.as_slice()).expect_err("refused");
        assert_eq!(lines_of(&errors), [2]);
        assert!(errors[0].message.contains("UTF-8"));
    }

    #[test]
    fn rows_written_out_parse_back_the_same() {
        let rows = crate::actions::addresses::demo::demo_rows();
        let text = write_csv(&rows).expect("writes");
        assert!(text.starts_with(HEADER_LINE));
        assert_eq!(parse(&text).expect("parses"), rows);
    }

    #[test]
    fn rows_given_directly_are_checked_too() {
        let mut rows = crate::actions::addresses::demo::demo_rows();
        rows[3].house_type = "公寓".to_owned();
        rows[5].house_name = " 301号".to_owned();
        let errors = validate(&rows).expect_err("refused");
        assert_eq!(lines_of(&errors), [5, 7]);
        assert!(
            ImportError::Invalid(errors)
                .to_string()
                .starts_with("2 problem(s): line 5: ")
        );
    }
}
