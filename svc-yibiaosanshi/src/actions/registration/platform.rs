//! 001 §1.2.2–§1.2.4: the security platform lists, reads and decides the reviews of the
//! communities its credential manages; every decision is recorded (who, when, what).
use kit::db::AnyConnection;
use kit::error::{ServiceError, ServiceResult};
use kit::paging::Paging;
use kit::time::now_unix;

use super::apply::apply;
use super::{house_part, load_place, sync_registration_states};
use crate::actions::{Page, Platform, State, not_your_community};
use crate::db::reviews::{self, DecisionRow, NewDecision, Review, ReviewFilter};
use crate::domain::content::ReviewContent;
use crate::domain::house::HouseFields;
use crate::domain::person::PersonData;
use crate::domain::registration::{ReviewStatus, ReviewType};
use crate::error::Result;

/// The list request of 1.2.2.
#[derive(Clone, Debug)]
pub struct ReviewQuery {
    pub community_identifier: String,
    pub shenhe_type: Option<ReviewType>,
    pub status: Option<ReviewStatus>,
    pub paging: Paging,
    /// The version of a page the caller kept ([`ReviewPage::version`]).
    pub known_version: Option<i64>,
}

/// 1.2.2's answer: the page, or `None` when the caller's kept page is current.
pub struct ReviewPage {
    pub page: Option<Page<Review>>,
    /// The version of the community's reviews the page shows ([`reviews::version`]); 0 for an
    /// empty page, which is not to be kept.
    pub version: i64,
}

/// A platform's correction of 审核数据: the applicant, the house (neither may change), the
/// person and their place in the house.
#[derive(Clone, Debug)]
pub struct Correction {
    pub user_id: i64,
    pub house_id: i64,
    pub person: PersonData,
    pub fields: HouseFields,
}

/// The decision of 1.2.4: approve, or refuse with a reason; maybe with a corrected content.
#[derive(Clone, Debug)]
pub struct Decision {
    pub id: i64,
    /// The reason of a refusal; `None` approves.
    pub refusal: Option<String>,
    pub content: Option<Correction>,
}

/// 1.2.2: a community's reviews, newest first.
pub async fn list_reviews(
    state: &State,
    platform: &Platform,
    query: ReviewQuery,
) -> ServiceResult<ReviewPage> {
    let ReviewQuery {
        community_identifier: community,
        shenhe_type,
        status,
        paging,
        known_version,
    } = query;
    let unknown = || {
        ServiceError::not_found(
            "服务器开小差，请重试",
            "没有根据community_identifier查找到小区，请核实社区的唯一标识是否有误",
        )
    };
    if !platform.manages(&community) {
        // An unknown community is named so before the credential is refused.
        return Err(if state.community_known(&community).await? {
            not_your_community("Se104")
        } else {
            unknown()
        });
    }
    let filter = ReviewFilter {
        community_identifier: community,
        shenhe_type,
        status,
    };
    // A community with reviews exists: only an empty page asks whether it does.
    state
        .db
        .run(move |conn| -> Result<_> {
            // Read before the page: the page then shows this version or a later one, and a
            // later one has a greater version, which no later call will match. Only a page
            // with rows is kept, so a known version is of a community that has reviews.
            let version = reviews::version(conn, &filter.community_identifier)?;
            if known_version == Some(version) {
                return Ok(ReviewPage {
                    page: None,
                    version,
                });
            }
            let (rows, total) = reviews::page(conn, &filter, paging)?;
            if total == 0
                && !crate::db::addresses::community_exists(conn, &filter.community_identifier)?
            {
                return Err(unknown().into());
            }
            Ok(ReviewPage {
                version: if rows.is_empty() { 0 } else { version },
                page: Some(Page {
                    rows,
                    total,
                    paging,
                }),
            })
        })
        .await
        .map_err(Into::into)
}

fn no_such_review() -> ServiceError {
    ServiceError::not_found("未查找到审核信息", "没有根据id查找到审核数据")
}

/// Review `id` when it belongs to one of the platform's communities.
fn managed_review(conn: &mut AnyConnection, platform: &Platform, id: i64) -> Result<Review> {
    let review = reviews::find(conn, id)?.ok_or_else(no_such_review)?;
    if !platform.manages(&review.community_identifier) {
        return Err(not_your_community("Se160").into());
    }
    Ok(review)
}

/// 1.2.3.
pub async fn get_review(state: &State, platform: &Platform, id: i64) -> ServiceResult<Review> {
    let platform = platform.clone();
    Ok(state
        .db
        .run(move |conn| managed_review(conn, &platform, id))
        .await?)
}

/// 1.2.4: approves (applying the content, or the corrected `content`) or refuses a pending
/// review, and records the decision, all in one transaction.
pub async fn decide_review(
    state: &State,
    platform: &Platform,
    decision: Decision,
) -> ServiceResult<Review> {
    let Decision {
        id,
        refusal: reason,
        content: corrected,
    } = decision;
    let status = if reason.is_some() {
        ReviewStatus::Refused
    } else {
        ReviewStatus::Approved
    };
    let platform_ref = platform.clone();
    let (review, applied) = state
        .db
        .write(move |conn| {
            decide(
                conn,
                &platform_ref,
                id,
                status,
                reason.as_deref(),
                corrected,
            )
        })
        .await?;
    tracing::info!(
        review_id = review.id,
        secret_id = %platform.secret_id,
        status = status.code(),
        shenhe_type = %review.shenhe_type,
        "review decided"
    );
    let mut users = vec![review.user_id];
    users.extend(applied);
    sync_registration_states(state, users).await;
    Ok(review)
}

fn decide(
    conn: &mut AnyConnection,
    platform: &Platform,
    id: i64,
    status: ReviewStatus,
    reason: Option<&str>,
    corrected: Option<Correction>,
) -> Result<(Review, Vec<i64>)> {
    let review = managed_review(conn, platform, id)?;
    if !review.is_pending() {
        return Err(already_decided().into());
    }
    let stored = ReviewContent::read(&review.content).map_err(|error| {
        ServiceError::internal(format!(
            "review {} content unreadable: {}",
            review.id, error.message
        ))
    })?;
    let content = match corrected {
        Some(corrected) => checked_correction(conn, &review, &stored, corrected)?,
        None => stored,
    };
    let now = now_unix();
    // Only one decision can take a pending review: a concurrent one finds it decided.
    if reviews::decide(conn, review.id, status, reason, &content.to_json()?, now)? == 0 {
        return Err(already_decided().into());
    }
    let applied = if status == ReviewStatus::Approved {
        apply(conn, &review, &content, now)?.other_users
    } else {
        Vec::new()
    };
    reviews::insert_decision(
        conn,
        &NewDecision {
            review_id: review.id,
            credential_id: platform.credential_id,
            secret_id: &platform.secret_id,
            community_identifier: &review.community_identifier,
            status: status.code(),
            refuse_reason: reason,
            decided_at: now,
        },
    )?;
    // The applicant hears of it (a subscribe message), written with the decision.
    kit::outbox::enqueue_notice(conn, &decided_notice(&review, status, reason, now))?;
    let decided = reviews::find(conn, review.id)?.ok_or_else(no_such_review)?;
    Ok((decided, applied))
}

/// The applicant's notice of a decision: what was reviewed, the outcome and its reason.
fn decided_notice(
    review: &Review,
    status: ReviewStatus,
    reason: Option<&str>,
    now: i64,
) -> kit::outbox::Notice {
    let approved = status == ReviewStatus::Approved;
    kit::outbox::Notice {
        users: vec![review.user_id],
        kind: kit::outbox::NoticeKind::Review,
        title: Some(format!(
            "{} {}",
            review.shenhe_type, review.house_introduction
        )),
        status: Some(if approved { "通过" } else { "未通过" }.to_owned()),
        remark: Some(reason.unwrap_or("审核通过").to_owned()),
        subject: Some(review.house_introduction.clone()),
        time: now,
        page_query: Some(format!("id={}", review.id)),
        ..kit::outbox::Notice::default()
    }
}

fn already_decided() -> ServiceError {
    ServiceError::conflict(
        "该审核已处理，不能重复处理",
        "只能处理等待审核（status=2）的审核数据",
    )
}

/// A corrected content keeps the review's house and applicant; the house's place is taken from
/// the address tree.
fn checked_correction(
    conn: &mut AnyConnection,
    review: &Review,
    stored: &ReviewContent,
    corrected: Correction,
) -> Result<ReviewContent> {
    if Some(corrected.house_id) != review.house_id || corrected.user_id != review.user_id {
        return Err(ServiceError::invalid(
            "content",
            "content不能更改审核的房屋（house.id）或申请人（people.user_id）",
        )
        .into());
    }
    let place = load_place(conn, stored.house.id)?;
    Ok(ReviewContent::new(
        review.user_id,
        &corrected.person,
        house_part(&place, &corrected.fields),
    ))
}

/// Every decision of the platform's communities (or of the one asked for), newest first.
pub async fn list_decisions(
    state: &State,
    platform: &Platform,
    community_identifier: Option<&str>,
    paging: Paging,
) -> ServiceResult<Page<DecisionRow>> {
    let communities = match community_identifier {
        None => platform.communities.clone(),
        Some(given) if platform.manages(given) => vec![given.to_owned()],
        Some(_) => return Err(not_your_community("Se104")),
    };
    let (rows, total) = state
        .db
        .run(move |conn| -> Result<_> { Ok(reviews::page_decisions(conn, &communities, paging)?) })
        .await?;
    Ok(Page {
        rows,
        total,
        paging,
    })
}
