//! Importing the address tree: checked rows loaded in one transaction (upserting by natural
//! keys), and a community written back out in the same format.
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use kit::db::{AnyConnection, Database, DbError};
use kit::time::now_unix;

use crate::db::addresses::{self, Building, Community, Floor, House, Unit};
use crate::domain::address_csv::{WriteError, write_csv};
use crate::domain::address_rows::{HouseRow, RowError, validate};

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
    #[error(transparent)]
    Write(#[from] WriteError),
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
    // A write transaction that reads first: on SQLite it takes the write lock before its first
    // read (`Database::write`), or another writer's commit in between failed it at once with
    // "database is locked" (WAL's stale snapshot), which no busy timeout waits out.
    let summary = db
        .write(move |conn| load(conn, &rows, &progress).map_err(ImportError::from))
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
            &row.address(),
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
    Ok(write_csv(&rows)?)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_given_directly_are_checked_too() {
        let mut rows = crate::actions::addresses::demo::demo_rows();
        rows[3].house_type = "公寓".to_owned();
        rows[5].house_name = " 301号".to_owned();
        let errors = validate(&rows).expect_err("refused");
        let lines: Vec<usize> = errors.iter().map(|error| error.line).collect();
        assert_eq!(lines, [5, 7]);
        assert!(
            ImportError::Invalid(errors)
                .to_string()
                .starts_with("2 problem(s): line 5: ")
        );
    }
}
