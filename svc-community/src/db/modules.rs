//! The module switches (001 §3).
use diesel::prelude::*;
use kit::db::AnyConnection;

use super::schema::community_modules;

/// `(module, enabled)` of a community, as stored.
pub fn of_community(conn: &mut AnyConnection, community: &str) -> QueryResult<Vec<(String, bool)>> {
    community_modules::table
        .filter(community_modules::community_identifier.eq(community))
        .select((community_modules::module, community_modules::enabled))
        .load(conn)
}

/// Whether `module` is on in `community`, if it was ever set.
pub fn enabled(
    conn: &mut AnyConnection,
    community: &str,
    module: &str,
) -> QueryResult<Option<bool>> {
    community_modules::table
        .find((community, module))
        .select(community_modules::enabled)
        .first(conn)
        .optional()
}

/// Sets a switch, creating its row if needed.
pub fn set(
    conn: &mut AnyConnection,
    community: &str,
    module: &str,
    enabled: bool,
    now: i64,
) -> QueryResult<()> {
    let updated = diesel::update(community_modules::table.find((community, module)))
        .set((
            community_modules::enabled.eq(enabled),
            community_modules::updated_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(community_modules::table)
            .values((
                community_modules::community_identifier.eq(community),
                community_modules::module.eq(module),
                community_modules::enabled.eq(enabled),
                community_modules::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}
