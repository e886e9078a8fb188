//! Reviews (审核): every change a resident asks for, waiting for the security platform, and the
//! record of each decision.
use diesel::sql_types::{Integer, Text};
use kit::db::{Inline, any_of, inline_int, inline_text};
use std::fmt;

use diesel::prelude::*;
use kit::db::AnyConnection;
use kit::paging::Paging;

use super::schema::{review_decisions, reviews};
use crate::domain::registration::{ReviewStatus, ReviewType};

use kit::db::AnyBackend as Backend;

#[derive(Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = reviews)]
pub struct Review {
    pub id: i64,
    pub user_id: i64,
    pub community_identifier: String,
    pub house_id: Option<i64>,
    pub binding_id: Option<i64>,
    pub shenhe_type: String,
    /// 审核数据 JSON (personal data: never logged).
    pub content: String,
    pub status: i32,
    pub house_introduction: String,
    pub action_introduction: String,
    pub refuse_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl fmt::Debug for Review {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Review")
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .field("community_identifier", &self.community_identifier)
            .field("house_id", &self.house_id)
            .field("binding_id", &self.binding_id)
            .field("shenhe_type", &self.shenhe_type)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl Review {
    pub fn status(&self) -> Option<ReviewStatus> {
        ReviewStatus::from_code(self.status)
    }

    pub fn is_pending(&self) -> bool {
        self.status == ReviewStatus::Pending.code()
    }

    pub fn review_type(&self) -> Option<ReviewType> {
        ReviewType::parse(&self.shenhe_type)
    }
}

/// A review to insert (it starts pending).
#[derive(Clone, Debug)]
pub struct NewReview<'a> {
    pub user_id: i64,
    pub community_identifier: &'a str,
    pub house_id: Option<i64>,
    pub binding_id: Option<i64>,
    pub shenhe_type: ReviewType,
    pub content: &'a str,
    pub house_introduction: &'a str,
    pub action_introduction: &'a str,
}

/// What the platform's list filters on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewFilter {
    pub community_identifier: String,
    pub shenhe_type: Option<ReviewType>,
    pub status: Option<ReviewStatus>,
}

/// A decision to record.
#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = review_decisions)]
pub struct NewDecision<'a> {
    pub review_id: i64,
    pub credential_id: i64,
    pub secret_id: &'a str,
    pub community_identifier: &'a str,
    pub status: i32,
    pub refuse_reason: Option<&'a str>,
    pub decided_at: i64,
}

/// A recorded decision with what it was about.
#[derive(Clone, Debug, PartialEq, Eq, Queryable)]
pub struct DecisionRow {
    pub id: i64,
    pub review_id: i64,
    pub credential_id: i64,
    pub secret_id: String,
    pub community_identifier: String,
    pub status: i32,
    pub refuse_reason: Option<String>,
    pub decided_at: i64,
    pub shenhe_type: String,
    pub house_introduction: String,
}

/// Pending and refused: what a resident still sees of their reviews.
pub(crate) const OPEN: [i32; 2] = [0, 2];

pub fn insert(conn: &mut AnyConnection, new: &NewReview<'_>, now: i64) -> QueryResult<Review> {
    diesel::insert_into(reviews::table)
        .values((
            reviews::user_id.eq(new.user_id),
            reviews::community_identifier.eq(new.community_identifier),
            reviews::house_id.eq(new.house_id),
            reviews::binding_id.eq(new.binding_id),
            reviews::shenhe_type.eq(new.shenhe_type.as_str()),
            reviews::content.eq(new.content),
            reviews::status.eq(ReviewStatus::Pending.code()),
            reviews::house_introduction.eq(new.house_introduction),
            reviews::action_introduction.eq(new.action_introduction),
            reviews::refuse_reason.eq(None::<String>),
            reviews::created_at.eq(now),
            reviews::updated_at.eq(now),
        ))
        .returning(reviews::all_columns)
        .get_result::<Review>(conn)
}

pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Review>> {
    reviews::table
        .find(id)
        .select(Review::as_select())
        .first(conn)
        .optional()
}

/// Review `id` when `user_id` submitted it.
pub fn find_of_user(
    conn: &mut AnyConnection,
    id: i64,
    user_id: i64,
) -> QueryResult<Option<Review>> {
    reviews::table
        .find(id)
        .filter(reviews::user_id.eq(user_id))
        .select(Review::as_select())
        .first(conn)
        .optional()
}

/// A house's pending and refused reviews, newest first.
pub fn list_open_of_house(conn: &mut AnyConnection, house_id: i64) -> QueryResult<Vec<Review>> {
    reviews::table
        .filter(reviews::house_id.eq(house_id))
        .filter(any_of(reviews::status, OPEN.to_vec()))
        .order(reviews::id.desc())
        .select(Review::as_select())
        .load(conn)
}

/// True when the user waits for a review about this house (personal-data changes aside).
pub fn has_pending_for_house(
    conn: &mut AnyConnection,
    user_id: i64,
    house_id: i64,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(pending_for_house(user_id, house_id))).get_result(conn)
}

/// The user's pending reviews of the house (修改个人信息 aside): at most one, which the index
/// `reviews_one_pending_per_house` keeps.
#[diesel::dsl::auto_type]
pub(crate) fn pending_for_house(user_id: i64, house_id: i64) -> _ {
    // Written into the text, so PostgreSQL's one plan can use the partial index ([`Inline`]).
    let pending: Inline<Integer> = inline_int(ReviewStatus::Pending.code());
    let modify_person: Inline<Text> = inline_text(ReviewType::ModifyPerson.as_str());
    reviews::table
        .filter(reviews::user_id.eq(user_id))
        .filter(reviews::house_id.eq(house_id))
        .filter(reviews::status.eq(pending))
        .filter(reviews::shenhe_type.ne(modify_person))
}

/// True when the user waits for a review of this type.
pub fn has_pending_of_type(
    conn: &mut AnyConnection,
    user_id: i64,
    kind: ReviewType,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        reviews::table
            .filter(reviews::user_id.eq(user_id))
            .filter(reviews::shenhe_type.eq(kind.as_str()))
            .filter(reviews::status.eq(ReviewStatus::Pending.code())),
    ))
    .get_result(conn)
}

/// True when the user waits for any review.
pub fn has_pending(conn: &mut AnyConnection, user_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        reviews::table
            .filter(reviews::user_id.eq(user_id))
            .filter(reviews::status.eq(ReviewStatus::Pending.code())),
    ))
    .get_result(conn)
}

/// Decides a pending review: only one decision can win, so a review already decided (or gone)
/// changes nothing and 0 is returned.
pub fn decide(
    conn: &mut AnyConnection,
    id: i64,
    status: ReviewStatus,
    refuse_reason: Option<&str>,
    content: &str,
    now: i64,
) -> QueryResult<usize> {
    diesel::update(
        reviews::table
            .find(id)
            .filter(reviews::status.eq(ReviewStatus::Pending.code())),
    )
    .set((
        reviews::status.eq(status.code()),
        reviews::refuse_reason.eq(refuse_reason),
        reviews::content.eq(content),
        reviews::updated_at.eq(now),
    ))
    .execute(conn)
}

/// Deletes review `id` of `user_id` while it is pending; returns how many rows went.
pub fn delete_pending(conn: &mut AnyConnection, id: i64, user_id: i64) -> QueryResult<usize> {
    diesel::delete(
        reviews::table
            .find(id)
            .filter(reviews::user_id.eq(user_id))
            .filter(reviews::status.eq(ReviewStatus::Pending.code())),
    )
    .execute(conn)
}

fn filtered(filter: &ReviewFilter) -> reviews::BoxedQuery<'_, Backend> {
    let mut query = reviews::table
        .filter(reviews::community_identifier.eq(&filter.community_identifier))
        .into_boxed();
    if let Some(kind) = filter.shenhe_type {
        query = query.filter(reviews::shenhe_type.eq(kind.as_str()));
    }
    if let Some(status) = filter.status {
        // In the text: the plan then knows how rare pending reviews are ([`Inline`]).
        query = query.filter(reviews::status.eq(inline_int(status.code())));
    }
    query
}

/// One page of a community's reviews, newest first, and how many match in all.
pub fn page(
    conn: &mut AnyConnection,
    filter: &ReviewFilter,
    paging: Paging,
) -> QueryResult<(Vec<Review>, i64)> {
    // By creation time, then id, as the `reviews_community…_newest` indexes hold a community's
    // reviews; ordered by id alone, the primary key offered PostgreSQL's one plan a walk through
    // every community's reviews (see migration 2026-12-15-000001_community_lists_newest).
    let rows = filtered(filter)
        .order((reviews::created_at.desc(), reviews::id.desc()))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(Review::as_select())
        .load(conn)?;
    let total = paging.total(rows.len(), || count(conn, filter))?;
    Ok((rows, total))
}

/// The version of the community's reviews: one more than how many review rows statements have
/// written there, summed over its `review_counts` rows, whose `changes` the triggers add to with
/// every insert, update and delete (migration `2026-12-17-000001_review_versions`). A page read
/// after it shows this version or a later one; every change gives a greater one. Nothing
/// deletes a count row, so it never goes back.
pub fn version(conn: &mut AnyConnection, community: &str) -> QueryResult<i64> {
    use super::schema::review_counts;
    let changes: Vec<i64> = review_counts::table
        .filter(review_counts::community_identifier.eq(community))
        .select(review_counts::changes)
        .load(conn)?;
    Ok(1 + changes.iter().sum::<i64>())
}

/// How many of the community's reviews `filter` matches: the sum of a few `review_counts` rows
/// (the triggers keep them), however many reviews the community has.
fn count(conn: &mut AnyConnection, filter: &ReviewFilter) -> QueryResult<i64> {
    use super::schema::review_counts;
    let mut query = review_counts::table
        .filter(review_counts::community_identifier.eq(&filter.community_identifier))
        .into_boxed();
    if let Some(kind) = filter.shenhe_type {
        query = query.filter(review_counts::shenhe_type.eq(kind.as_str()));
    }
    if let Some(status) = filter.status {
        query = query.filter(review_counts::status.eq(status.code()));
    }
    // A few rows (types × statuses × slots), summed here: the statement stays prepared.
    let counts: Vec<i64> = query.select(review_counts::n).load(conn)?;
    Ok(counts.into_iter().sum())
}

pub fn insert_decision(conn: &mut AnyConnection, decision: &NewDecision<'_>) -> QueryResult<i64> {
    diesel::insert_into(review_decisions::table)
        .values(decision)
        .returning(review_decisions::id)
        .get_result(conn)
}

/// One page of the decisions taken on `communities`, newest first (by decision time, then id, as
/// `review_decisions_of_community_newest` holds a community's), and how many there are.
pub fn page_decisions(
    conn: &mut AnyConnection,
    communities: &[String],
    paging: Paging,
) -> QueryResult<(Vec<DecisionRow>, i64)> {
    if communities.is_empty() {
        return Ok((Vec::new(), 0));
    }
    let rows = review_decisions::table
        .inner_join(reviews::table)
        .filter(any_of(review_decisions::community_identifier, communities))
        .order((
            review_decisions::decided_at.desc(),
            review_decisions::id.desc(),
        ))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select((
            review_decisions::id,
            review_decisions::review_id,
            review_decisions::credential_id,
            review_decisions::secret_id,
            review_decisions::community_identifier,
            review_decisions::status,
            review_decisions::refuse_reason,
            review_decisions::decided_at,
            reviews::shenhe_type,
            reviews::house_introduction,
        ))
        .load::<DecisionRow>(conn)?;
    let total = paging.total(rows.len(), || {
        review_decisions::table
            .filter(any_of(review_decisions::community_identifier, communities))
            .count()
            .get_result(conn)
    })?;
    Ok((rows, total))
}
