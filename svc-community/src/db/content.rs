//! Announcements (001 §5), complaints (001 §6), emergency numbers and visitor passes.
use diesel::prelude::*;
use kit::db::AnyConnection;
use kit::paging::Paging;

use super::Backend;
use super::schema::{announcements, complaints, emergency_phones, visitor_passes};

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = announcements)]
pub struct AnnouncementRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub community_identifier: String,
    pub title: String,
    pub content: String,
    pub weight: i64,
    pub top: bool,
    pub enabled: bool,
    pub manager: String,
    pub logo: String,
    pub images: String,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

pub fn insert_announcement(
    conn: &mut AnyConnection,
    row: &AnnouncementRow,
) -> QueryResult<AnnouncementRow> {
    diesel::insert_into(announcements::table)
        .values(row)
        .returning(announcements::all_columns)
        .get_result(conn)
}

pub fn update_announcement(
    conn: &mut AnyConnection,
    row: &AnnouncementRow,
) -> QueryResult<AnnouncementRow> {
    diesel::update(announcements::table.find(row.id))
        .set(row)
        .returning(announcements::all_columns)
        .get_result(conn)
}

pub fn find_announcement(
    conn: &mut AnyConnection,
    id: i64,
) -> QueryResult<Option<AnnouncementRow>> {
    announcements::table
        .find(id)
        .select(AnnouncementRow::as_select())
        .first(conn)
        .optional()
}

pub fn delete_announcement(conn: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(announcements::table.find(id)).execute(conn)
}

fn announcements_of(
    community: &str,
    enabled: Option<bool>,
) -> announcements::BoxedQuery<'_, Backend> {
    let mut query = announcements::table
        .filter(announcements::community_identifier.eq(community))
        .into_boxed();
    if let Some(enabled) = enabled {
        query = query.filter(announcements::enabled.eq(enabled));
    }
    query
}

/// A page of a community's announcements (only open or closed ones when `enabled` says so):
/// top first, then weight, then newest.
pub fn page_announcements(
    conn: &mut AnyConnection,
    community: &str,
    enabled: Option<bool>,
    paging: Paging,
) -> QueryResult<(Vec<AnnouncementRow>, i64)> {
    let rows = announcements_of(community, enabled)
        .order((
            announcements::top.desc(),
            announcements::weight.desc(),
            announcements::id.desc(),
        ))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(AnnouncementRow::as_select())
        .load(conn)?;
    let total = paging.total(rows.len(), || {
        announcements_of(community, enabled)
            .count()
            .get_result(conn)
    })?;
    Ok((rows, total))
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = complaints)]
pub struct ComplaintRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub community_identifier: String,
    pub user_id: i64,
    pub phone: String,
    pub kind: String,
    pub content: String,
    pub images: String,
    pub house_id: Option<i64>,
    pub house_introduction: String,
    pub status: String,
    pub reply: Option<String>,
    pub replied_by: Option<String>,
    pub replied_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub fn insert_complaint(conn: &mut AnyConnection, row: &ComplaintRow) -> QueryResult<ComplaintRow> {
    diesel::insert_into(complaints::table)
        .values(row)
        .returning(complaints::all_columns)
        .get_result(conn)
}

pub fn find_complaint(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<ComplaintRow>> {
    complaints::table
        .find(id)
        .select(ComplaintRow::as_select())
        .first(conn)
        .optional()
}

pub fn answer_complaint(
    conn: &mut AnyConnection,
    id: i64,
    status: &str,
    reply: Option<(&str, &str, i64)>,
    now: i64,
) -> QueryResult<ComplaintRow> {
    match reply {
        Some((reply, by, at)) => diesel::update(complaints::table.find(id))
            .set((
                complaints::status.eq(status),
                complaints::reply.eq(reply),
                complaints::replied_by.eq(by),
                complaints::replied_at.eq(at),
                complaints::updated_at.eq(now),
            ))
            .returning(complaints::all_columns)
            .get_result(conn),
        None => diesel::update(complaints::table.find(id))
            .set((
                complaints::status.eq(status),
                complaints::updated_at.eq(now),
            ))
            .returning(complaints::all_columns)
            .get_result(conn),
    }
}

/// Which complaints a list shows.
#[derive(Clone, Debug, Default)]
pub struct ComplaintFilter {
    pub community_identifier: Option<String>,
    pub user_id: Option<i64>,
    pub kind: Option<String>,
    pub status: Option<String>,
}

fn complaints_filtered(filter: &ComplaintFilter) -> complaints::BoxedQuery<'_, Backend> {
    let mut query = complaints::table.into_boxed();
    if let Some(community) = &filter.community_identifier {
        query = query.filter(complaints::community_identifier.eq(community));
    }
    if let Some(user_id) = filter.user_id {
        query = query.filter(complaints::user_id.eq(user_id));
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(complaints::kind.eq(kind));
    }
    if let Some(status) = &filter.status {
        query = query.filter(complaints::status.eq(status));
    }
    query
}

pub fn page_complaints(
    conn: &mut AnyConnection,
    filter: &ComplaintFilter,
    paging: Paging,
) -> QueryResult<(Vec<ComplaintRow>, i64)> {
    // By creation time, then id, as the `complaints_of_community…_newest` indexes hold a
    // community's (a resident's few sorted): ordered by id, the primary key offered PostgreSQL's
    // one plan a walk through every community's complaints.
    let rows = complaints_filtered(filter)
        .order((complaints::created_at.desc(), complaints::id.desc()))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(ComplaintRow::as_select())
        .load(conn)?;
    let total = paging.total(rows.len(), || {
        complaints_filtered(filter).count().get_result(conn)
    })?;
    Ok((rows, total))
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = emergency_phones)]
pub struct EmergencyPhoneRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub community_identifier: String,
    pub name: String,
    pub phone: String,
    pub weight: i64,
    pub created_at: i64,
}

pub fn insert_phone(
    conn: &mut AnyConnection,
    row: &EmergencyPhoneRow,
) -> QueryResult<EmergencyPhoneRow> {
    diesel::insert_into(emergency_phones::table)
        .values(row)
        .returning(emergency_phones::all_columns)
        .get_result(conn)
}

pub fn find_phone(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<EmergencyPhoneRow>> {
    emergency_phones::table
        .find(id)
        .select(EmergencyPhoneRow::as_select())
        .first(conn)
        .optional()
}

pub fn delete_phone(conn: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(emergency_phones::table.find(id)).execute(conn)
}

/// A community's numbers, highest weight first.
pub fn phones_of(conn: &mut AnyConnection, community: &str) -> QueryResult<Vec<EmergencyPhoneRow>> {
    emergency_phones::table
        .filter(emergency_phones::community_identifier.eq(community))
        .order((emergency_phones::weight.desc(), emergency_phones::id.asc()))
        .select(EmergencyPhoneRow::as_select())
        .load(conn)
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = visitor_passes)]
pub struct VisitorPassRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub community_identifier: String,
    pub user_id: i64,
    pub house_id: i64,
    pub house_introduction: String,
    pub visitor_name: String,
    pub visitor_phone: String,
    pub code: String,
    pub valid_from: i64,
    pub valid_until: i64,
    pub used_at: Option<i64>,
    pub created_at: i64,
}

pub fn insert_pass(conn: &mut AnyConnection, row: &VisitorPassRow) -> QueryResult<VisitorPassRow> {
    diesel::insert_into(visitor_passes::table)
        .values(row)
        .returning(visitor_passes::all_columns)
        .get_result(conn)
}

pub fn passes_of(conn: &mut AnyConnection, user_id: i64) -> QueryResult<Vec<VisitorPassRow>> {
    visitor_passes::table
        .filter(visitor_passes::user_id.eq(user_id))
        .order(visitor_passes::id.desc())
        .limit(100)
        .select(VisitorPassRow::as_select())
        .load(conn)
}

pub fn pass_by_code(conn: &mut AnyConnection, code: &str) -> QueryResult<Option<VisitorPassRow>> {
    visitor_passes::table
        .filter(visitor_passes::code.eq(code))
        .select(VisitorPassRow::as_select())
        .first(conn)
        .optional()
}

/// Marks an unused pass used; 0 when someone used it first.
pub fn use_pass(conn: &mut AnyConnection, id: i64, now: i64) -> QueryResult<usize> {
    diesel::update(
        visitor_passes::table
            .find(id)
            .filter(visitor_passes::used_at.is_null()),
    )
    .set(visitor_passes::used_at.eq(now))
    .execute(conn)
}
