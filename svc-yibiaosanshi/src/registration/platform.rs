//! 001 §1.2.2–§1.2.4: the security platform lists, reads and decides the reviews of the
//! communities its credential manages; every decision is recorded (who, when, what).
use kit::db::AnyConnection;
use kit::error::{ServiceError, ServiceResult};
use kit::paging::Paging;
use kit::time::now_unix;

use super::apply::apply;
use super::{
    Platform, State, house_part, load_place, not_your_community, sync_registration_states,
};
use crate::db::addresses;
use crate::db::reviews::{self, DecisionRow, NewDecision, Review, ReviewFilter};
use crate::domain::address::{is_community_identifier, parse_positive_id};
use crate::domain::content::ReviewContent;
use crate::domain::person::PersonData;
use crate::domain::registration::{ReviewStatus, ReviewType};
use crate::error::Result;
use kit::db::write_transaction;

/// Longest refusal reason, in characters.
pub const MAX_REFUSE_REASON_CHARS: usize = 200;

/// A page of rows and where it sits.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub total: i64,
    pub paging: Paging,
}

/// The list request of 1.2.2 as it arrived.
#[derive(Clone, Debug, Default)]
pub struct ReviewQuery {
    pub community_identifier: String,
    pub shenhe_type: String,
    pub status: String,
    pub page: String,
    pub per_page: String,
}

/// The decision of 1.2.4 as it arrived.
#[derive(Clone, Default)]
pub struct Decision {
    pub id: String,
    pub status: String,
    pub refuse_reason: String,
    pub content: String,
}

fn page_number(field: &str, value: &str) -> ServiceResult<Option<i64>> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    value
        .parse::<i64>()
        .map(Some)
        .map_err(|_| ServiceError::invalid(field, format!("{field}必须是正整数")))
}

/// `page` (default 1) and `per_page` (default 20, at most 100), naming the field that is wrong.
pub fn parse_paging(page: &str, per_page: &str) -> ServiceResult<Paging> {
    Paging::new(
        page_number("page", page)?,
        page_number("per_page", per_page)?,
    )
    .map_err(|field| {
        let message = if field == "page" {
            "page必须是正整数".to_owned()
        } else {
            format!("per_page必须在1到{}之间", kit::paging::MAX_PER_PAGE)
        };
        ServiceError::invalid(field, message)
    })
}

/// 1.2.2: a community's reviews, newest first.
pub async fn list_reviews(
    state: &State,
    platform: &Platform,
    query: ReviewQuery,
) -> ServiceResult<Page<Review>> {
    let community = query.community_identifier.trim().to_owned();
    if community.is_empty() {
        return Err(ServiceError::invalid(
            "community_identifier",
            "必须传递community_identifier",
        ));
    }
    let shenhe_type = match query.shenhe_type.trim() {
        "" => None,
        given => Some(ReviewType::parse(given).ok_or_else(|| {
            ServiceError::invalid("type", "type必须是审核类型之一（业主绑定、租客绑定……）")
        })?),
    };
    let status = match query.status.trim() {
        "" => None,
        given => Some(
            ReviewStatus::parse(given)
                .ok_or_else(|| ServiceError::invalid("status", "status必须是0、1或2"))?,
        ),
    };
    let paging = parse_paging(&query.page, &query.per_page)?;
    let known = is_community_identifier(&community) && {
        let community = community.clone();
        state
            .db
            .run(move |conn| addresses::community_exists(conn, &community))
            .await?
    };
    if !known {
        return Err(ServiceError::not_found(
            "服务器开小差，请重试",
            "没有根据community_identifier查找到小区，请核实社区的唯一标识是否有误",
        ));
    }
    if !platform.manages(&community) {
        return Err(not_your_community("Se104"));
    }
    let filter = ReviewFilter {
        community_identifier: community,
        shenhe_type,
        status,
    };
    let (rows, total) = state
        .db
        .run(move |conn| -> Result<_> { Ok(reviews::page(conn, &filter, paging)?) })
        .await?;
    Ok(Page {
        rows,
        total,
        paging,
    })
}

fn review_id(value: &str) -> ServiceResult<i64> {
    if value.trim().is_empty() {
        return Err(ServiceError::invalid("id", "必须传递shenhe表的id值"));
    }
    parse_positive_id(value).ok_or_else(|| ServiceError::invalid("id", "id必须是正整数"))
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
pub async fn get_review(state: &State, platform: &Platform, id: &str) -> ServiceResult<Review> {
    let id = review_id(id)?;
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
    let id = review_id(&decision.id)?;
    let status = match decision.status.trim() {
        "" => return Err(ServiceError::missing("status")),
        "1" => ReviewStatus::Approved,
        "0" => ReviewStatus::Refused,
        _ => {
            return Err(ServiceError::invalid(
                "status",
                "status必须是0（审核未通过）或1（审核通过）",
            ));
        }
    };
    let reason = decision.refuse_reason.trim().to_owned();
    let reason = match status {
        ReviewStatus::Refused if reason.is_empty() => {
            return Err(ServiceError::invalid(
                "refuse_reason",
                "拒绝时必须填写拒绝原因",
            ));
        }
        ReviewStatus::Refused if reason.chars().count() > MAX_REFUSE_REASON_CHARS => {
            return Err(ServiceError::invalid(
                "refuse_reason",
                format!("拒绝原因不能超过{MAX_REFUSE_REASON_CHARS}个字"),
            ));
        }
        ReviewStatus::Refused => Some(reason),
        _ => None,
    };
    let corrected = match decision.content.trim() {
        "" => None,
        text => Some(ReviewContent::read(text)?),
    };
    let platform_ref = platform.clone();
    let (review, applied) = state
        .db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                decide(
                    conn,
                    &platform_ref,
                    id,
                    status,
                    reason.as_deref(),
                    corrected,
                )
            })
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
    corrected: Option<ReviewContent>,
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
    let decided = reviews::find(conn, review.id)?.ok_or_else(no_such_review)?;
    Ok((decided, applied))
}

fn already_decided() -> ServiceError {
    ServiceError::conflict(
        "该审核已处理，不能重复处理",
        "只能处理等待审核（status=2）的审核数据",
    )
}

/// The form field a content path stands for, to name content fields in errors.
fn content_path(field: &str) -> String {
    match field {
        "job" => "content.job.job_name".to_owned(),
        "company" => "content.company.company_name".to_owned(),
        "zzmm" => "content.people.people_zhengzhimianmao".to_owned(),
        "tyjr" => "content.people.people_tuiyijunren".to_owned(),
        other => format!("content.people.people_{other}"),
    }
}

/// A corrected content keeps the review's house and applicant; a corrected person is checked
/// as a resident's form is; the house's place is taken from the address tree.
fn checked_correction(
    conn: &mut AnyConnection,
    review: &Review,
    stored: &ReviewContent,
    mut corrected: ReviewContent,
) -> Result<ReviewContent> {
    if Some(corrected.house.id) != review.house_id || corrected.people.user_id != review.user_id {
        return Err(ServiceError::invalid(
            "content",
            "content不能更改审核的房屋（house.id）或申请人（people.user_id）",
        )
        .into());
    }
    let person = corrected.person();
    if person != stored.person() {
        let checked = PersonData::parse(&person.to_input()).map_err(|error| {
            let field = error.msg.split(':').next().unwrap_or("content").to_owned();
            ServiceError::invalid(&content_path(&field), error.message)
        })?;
        corrected = ReviewContent::new(review.user_id, &checked, corrected.house);
    }
    let place = load_place(conn, stored.house.id)?;
    corrected.house = house_part(&place, &corrected.house_fields());
    Ok(corrected)
}

/// Every decision of the platform's communities (or of the one asked for), newest first.
pub async fn list_decisions(
    state: &State,
    platform: &Platform,
    community_identifier: &str,
    page: &str,
    per_page: &str,
) -> ServiceResult<Page<DecisionRow>> {
    let paging = parse_paging(page, per_page)?;
    let communities = match community_identifier.trim() {
        "" => platform.communities.clone(),
        given if platform.manages(given) => vec![given.to_owned()],
        _ => return Err(not_your_community("Se104")),
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
