//! Repairs and their categories (001 §4, seed 003).
use diesel::prelude::*;
use kit::db::AnyConnection;
use kit::db::any_of;
use kit::paging::Paging;

use super::Backend;
use super::schema::{repair_categories, repairs};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = repair_categories)]
pub struct CategoryRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub level: i32,
    pub name: String,
    pub created_at: i64,
    /// The community it belongs to; `None` for a shared default, read-only for everyone.
    pub community_identifier: Option<String>,
}

impl CategoryRow {
    /// True when a request of `community` may use it (its own or a shared default).
    pub fn serves(&self, community: &str) -> bool {
        self.community_identifier
            .as_deref()
            .is_none_or(|own| own == community)
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = repairs)]
pub struct RepairRow {
    pub id: i64,
    pub community_identifier: String,
    pub user_id: i64,
    pub house_id: i64,
    pub house_introduction: String,
    pub name: String,
    pub phone: String,
    pub possion: String,
    pub description: String,
    pub images: String,
    pub category_id: Option<i64>,
    pub category: String,
    pub status: i32,
    pub stage: String,
    pub reply: Option<String>,
    pub received_by: Option<String>,
    pub received_at: Option<i64>,
    pub repairing_by: Option<String>,
    pub repairing_at: Option<i64>,
    pub done_by: Option<String>,
    pub done_at: Option<i64>,
    pub pay_part: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = repairs)]
pub struct NewRepair {
    pub community_identifier: String,
    pub user_id: i64,
    pub house_id: i64,
    pub house_introduction: String,
    pub name: String,
    pub phone: String,
    pub possion: String,
    pub description: String,
    pub images: String,
    pub category_id: Option<i64>,
    pub category: String,
    pub status: i32,
    pub stage: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What changes when the staff act on a repair.
#[derive(Clone, Debug, Default, AsChangeset)]
#[diesel(table_name = repairs)]
pub struct RepairChange {
    pub status: Option<i32>,
    pub stage: Option<String>,
    pub reply: Option<String>,
    pub received_by: Option<String>,
    pub received_at: Option<i64>,
    pub repairing_by: Option<String>,
    pub repairing_at: Option<i64>,
    pub done_by: Option<String>,
    pub done_at: Option<i64>,
    pub pay_part: Option<String>,
    pub updated_at: i64,
}

/// The categories `community` sees: its own and the shared defaults, oldest first.
pub fn categories(conn: &mut AnyConnection, community: &str) -> QueryResult<Vec<CategoryRow>> {
    repair_categories::table
        .filter(
            repair_categories::community_identifier
                .eq(community)
                .or(repair_categories::community_identifier.is_null()),
        )
        .order(repair_categories::id.asc())
        .select(CategoryRow::as_select())
        .load(conn)
}

pub fn category(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<CategoryRow>> {
    repair_categories::table
        .find(id)
        .select(CategoryRow::as_select())
        .first(conn)
        .optional()
}

/// A category of `community`.
pub fn insert_category(
    conn: &mut AnyConnection,
    community: &str,
    parent_id: Option<i64>,
    level: i32,
    name: &str,
    now: i64,
) -> QueryResult<i64> {
    diesel::insert_into(repair_categories::table)
        .values((
            repair_categories::community_identifier.eq(Some(community)),
            repair_categories::parent_id.eq(parent_id),
            repair_categories::level.eq(level),
            repair_categories::name.eq(name),
            repair_categories::created_at.eq(now),
        ))
        .returning(repair_categories::id)
        .get_result(conn)
}

/// Removes category `id` of `community` if it has no children; returns how many rows went.
pub fn delete_leaf_category(
    conn: &mut AnyConnection,
    id: i64,
    community: &str,
) -> QueryResult<usize> {
    let children: i64 = repair_categories::table
        .filter(repair_categories::parent_id.eq(id))
        .count()
        .get_result(conn)?;
    if children > 0 {
        return Ok(0);
    }
    diesel::delete(
        repair_categories::table
            .filter(repair_categories::id.eq(id))
            .filter(repair_categories::community_identifier.eq(community)),
    )
    .execute(conn)
}

pub fn insert(conn: &mut AnyConnection, repair: &NewRepair) -> QueryResult<RepairRow> {
    diesel::insert_into(repairs::table)
        .values(repair)
        .returning(repairs::all_columns)
        .get_result(conn)
}

pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<RepairRow>> {
    repairs::table
        .find(id)
        .select(RepairRow::as_select())
        .first(conn)
        .optional()
}

pub fn update(conn: &mut AnyConnection, id: i64, change: &RepairChange) -> QueryResult<RepairRow> {
    diesel::update(repairs::table.find(id))
        .set(change)
        .returning(repairs::all_columns)
        .get_result(conn)
}

/// Which repairs a list shows.
#[derive(Clone, Debug, Default)]
pub struct RepairFilter {
    pub community_identifier: Option<String>,
    pub user_id: Option<i64>,
    pub status: Option<i32>,
    pub stage: Option<String>,
}

fn filtered(filter: &RepairFilter) -> repairs::BoxedQuery<'_, Backend> {
    let mut query = repairs::table.into_boxed();
    if let Some(community) = &filter.community_identifier {
        query = query.filter(repairs::community_identifier.eq(community));
    }
    if let Some(user_id) = filter.user_id {
        query = query.filter(repairs::user_id.eq(user_id));
    }
    if let Some(status) = filter.status {
        query = query.filter(repairs::status.eq(status));
    }
    if let Some(stage) = &filter.stage {
        query = query.filter(repairs::stage.eq(stage));
    }
    query
}

/// One page, newest first (by creation time, then id, as the `repairs_of_community…_newest`
/// indexes hold a community's; a resident's few sorted), and how many match.
pub fn page(
    conn: &mut AnyConnection,
    filter: &RepairFilter,
    paging: Paging,
) -> QueryResult<(Vec<RepairRow>, i64)> {
    // The page's ids first (an index walk however deep the page), then those rows: one OFFSET
    // over whole rows made PostgreSQL walk the primary key backwards and filter.
    let ids: Vec<i64> = filtered(filter)
        .order((repairs::created_at.desc(), repairs::id.desc()))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(repairs::id)
        .load(conn)?;
    let total = paging.total(ids.len(), || filtered(filter).count().get_result(conn))?;
    let rows = repairs::table
        .filter(any_of(repairs::id, ids))
        .order((repairs::created_at.desc(), repairs::id.desc()))
        .select(RepairRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

#[cfg(test)]
mod tests {
    use super::CategoryRow;

    fn category(community: Option<&str>) -> CategoryRow {
        CategoryRow {
            id: 1,
            parent_id: None,
            level: 1,
            name: "楼道".to_owned(),
            created_at: 0,
            community_identifier: community.map(str::to_owned),
        }
    }

    #[test]
    fn a_category_serves_its_own_community_and_a_shared_default_serves_all() {
        assert!(category(Some("10002")).serves("10002"));
        assert!(!category(Some("10002")).serves("10003"));
        assert!(category(None).serves("10002"));
        assert!(category(None).serves("10003"));
    }
}
