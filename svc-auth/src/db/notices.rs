//! Subscribe messages: the residents' quotas per (openid, template) and every notice handed over.
use diesel::prelude::*;
use kit::db::AnyConnection;
use kit::db::any_of;
use kit::paging::Paging;

use super::schema::{notices, subscriptions};

/// A notice as recorded.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = notices)]
pub struct NoticeRow {
    pub id: i64,
    pub source: String,
    pub event_id: i64,
    pub user_id: i64,
    pub kind: String,
    pub template_id: String,
    pub openid: Option<String>,
    pub page: String,
    /// JSON list of `[key, value]`.
    pub data: String,
    pub status: String,
    pub reason: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

#[derive(Insertable)]
#[diesel(table_name = notices, treat_none_as_default_value = false)]
pub struct NewNotice<'a> {
    pub source: &'a str,
    pub event_id: i64,
    pub user_id: i64,
    pub kind: &'a str,
    pub template_id: &'a str,
    pub openid: Option<&'a str>,
    pub page: &'a str,
    pub data: &'a str,
    pub status: &'a str,
    pub reason: &'a str,
    pub created_at: i64,
}

/// Records an answer: `accept` adds one to the quota, `ban` empties it, the others leave it.
pub fn answer(
    conn: &mut AnyConnection,
    openid: &str,
    template_id: &str,
    answer: &str,
    add: i32,
    empty: bool,
    now: i64,
) -> QueryResult<()> {
    let mine = subscriptions::table
        .filter(subscriptions::openid.eq(openid))
        .filter(subscriptions::template_id.eq(template_id));
    let changed = if empty {
        diesel::update(mine)
            .set((
                subscriptions::quota.eq(0),
                subscriptions::last_answer.eq(answer),
                subscriptions::updated_at.eq(now),
            ))
            .execute(conn)?
    } else {
        diesel::update(mine)
            .set((
                subscriptions::quota.eq(subscriptions::quota + add),
                subscriptions::last_answer.eq(answer),
                subscriptions::updated_at.eq(now),
            ))
            .execute(conn)?
    };
    if changed == 0 {
        diesel::insert_into(subscriptions::table)
            .values((
                subscriptions::openid.eq(openid),
                subscriptions::template_id.eq(template_id),
                subscriptions::quota.eq(if empty { 0 } else { add }),
                subscriptions::last_answer.eq(answer),
                subscriptions::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The quota left of each of `template_ids` (0 for one never answered).
pub fn quotas(
    conn: &mut AnyConnection,
    openid: &str,
    template_ids: &[String],
) -> QueryResult<Vec<(String, i64)>> {
    let found: Vec<(String, i32)> = subscriptions::table
        .filter(subscriptions::openid.eq(openid))
        .filter(any_of(subscriptions::template_id, template_ids))
        .select((subscriptions::template_id, subscriptions::quota))
        .load(conn)?;
    Ok(template_ids
        .iter()
        .map(|id| {
            let left = found
                .iter()
                .find(|(template, _)| template == id)
                .map_or(0, |(_, quota)| i64::from(*quota));
            (id.clone(), left)
        })
        .collect())
}

/// Takes one message of the quota; false when none is left.
pub fn take_one(conn: &mut AnyConnection, openid: &str, template_id: &str) -> QueryResult<bool> {
    let taken = diesel::update(
        subscriptions::table
            .filter(subscriptions::openid.eq(openid))
            .filter(subscriptions::template_id.eq(template_id))
            .filter(subscriptions::quota.gt(0)),
    )
    .set(subscriptions::quota.eq(subscriptions::quota - 1))
    .execute(conn)?;
    Ok(taken == 1)
}

/// Of the residents `openids`, the (openid, template) pairs with an accept left: a batch of
/// events asks in one read which of them may be sent at all, and takes an accept ([`take_one`])
/// only for those.
pub fn with_quota(
    conn: &mut AnyConnection,
    openids: &[&str],
) -> QueryResult<Vec<(String, String)>> {
    subscriptions::table
        .filter(any_of(subscriptions::openid, openids))
        .filter(subscriptions::quota.gt(0))
        .select((subscriptions::openid, subscriptions::template_id))
        .load(conn)
}

/// Gives back a message WeChat did not send.
pub fn give_back(conn: &mut AnyConnection, openid: &str, template_id: &str) -> QueryResult<usize> {
    diesel::update(
        subscriptions::table
            .filter(subscriptions::openid.eq(openid))
            .filter(subscriptions::template_id.eq(template_id)),
    )
    .set(subscriptions::quota.eq(subscriptions::quota + 1))
    .execute(conn)
}

/// Those of events `event_ids` of `source` that were handed over before.
///
/// Read between the least and the greatest of the ids, as well as among them: PostgreSQL's one
/// plan of a statement is made at its first call on a connection, and made while the table is
/// small it kept only `source` as the index's bound and filtered the ids, so every pass read
/// every notice of the source (397,824 index entries in 112 passes of a 10 s bench, issue 14).
/// A range of the index's second column bounds the read whatever the plan; an outbox pass
/// hands over its oldest messages, so the range is narrow.
pub fn recorded_events(
    conn: &mut AnyConnection,
    source: &str,
    event_ids: &[i64],
) -> QueryResult<Vec<i64>> {
    let (Some(&least), Some(&greatest)) = (event_ids.iter().min(), event_ids.iter().max()) else {
        return Ok(Vec::new());
    };
    notices::table
        .filter(notices::source.eq(source))
        .filter(notices::event_id.between(least, greatest))
        .filter(any_of(notices::event_id, event_ids))
        .select(notices::event_id)
        .load(conn)
}

pub fn insert(conn: &mut AnyConnection, notice: &NewNotice<'_>) -> QueryResult<NoticeRow> {
    diesel::insert_into(notices::table)
        .values(notice)
        .returning(notices::all_columns)
        .get_result(conn)
}

/// Inserts `rows` (not empty) in one statement; each one's (source, event id, notice id).
pub fn insert_all(
    conn: &mut AnyConnection,
    rows: &[NewNotice<'_>],
) -> QueryResult<Vec<(String, i64, i64)>> {
    let returned = (notices::source, notices::event_id, notices::id);
    let insert = diesel::insert_into(notices::table).values(rows);
    match conn {
        AnyConnection::Postgresql(conn) => insert.returning(returned).load(conn),
        AnyConnection::Sqlite(conn) => insert.returning(returned).load(conn),
    }
}

pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<NoticeRow>> {
    notices::table
        .find(id)
        .select(NoticeRow::as_select())
        .first(conn)
        .optional()
}

/// Settles a pending notice: sent, or not sent for good; false when it was no longer pending.
pub fn settle(
    conn: &mut AnyConnection,
    id: i64,
    status: &str,
    reason: &str,
    sent_at: Option<i64>,
) -> QueryResult<bool> {
    let changed = diesel::update(
        notices::table
            .find(id)
            .filter(notices::status.eq("pending")),
    )
    .set((
        notices::status.eq(status),
        notices::reason.eq(reason),
        notices::sent_at.eq(sent_at),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Says why a pending notice waits.
pub fn set_reason(conn: &mut AnyConnection, id: i64, reason: &str) -> QueryResult<usize> {
    diesel::update(
        notices::table
            .find(id)
            .filter(notices::status.eq("pending")),
    )
    .set(notices::reason.eq(reason))
    .execute(conn)
}

/// A resident's notices, newest first, and how many there are.
pub fn page_of_user(
    conn: &mut AnyConnection,
    user_id: i64,
    paging: Paging,
) -> QueryResult<(Vec<NoticeRow>, i64)> {
    let rows = notices::table
        .filter(notices::user_id.eq(user_id))
        .order(notices::id.desc())
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(NoticeRow::as_select())
        .load(conn)?;
    let total = paging.total(rows.len(), || {
        notices::table
            .filter(notices::user_id.eq(user_id))
            .count()
            .get_result(conn)
    })?;
    Ok((rows, total))
}
