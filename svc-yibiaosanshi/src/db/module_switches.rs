//! The registration switches (绑定房屋, 绑定家属) as svc-community last told them.
use diesel::prelude::*;
use kit::db::AnyConnection;

use super::schema::module_switches;

/// Whether `module` is on in `community`, if svc-community ever told.
pub fn enabled(
    conn: &mut AnyConnection,
    community: &str,
    module: &str,
) -> QueryResult<Option<bool>> {
    module_switches::table
        .find((community, module))
        .select(module_switches::enabled)
        .first(conn)
        .optional()
}

/// Stores a switch as told (an update, or the first row of it).
pub fn store(
    conn: &mut AnyConnection,
    community: &str,
    module: &str,
    enabled: bool,
    now: i64,
) -> QueryResult<()> {
    let updated = diesel::update(module_switches::table.find((community, module)))
        .set((
            module_switches::enabled.eq(enabled),
            module_switches::updated_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(module_switches::table)
            .values((
                module_switches::community_identifier.eq(community),
                module_switches::module_name.eq(module),
                module_switches::enabled.eq(enabled),
                module_switches::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}
