//! 000 §3.1–§3.2: the resident's houses and reviews, a house's members, and the rights the
//! owner (or a member they made a manager) hands out.

use kit::db::AnyConnection;
use kit::error::{ServiceError, ServiceResult};
use kit::time::now_unix;
use kit::types::mask_phone;
use proto::yibiaosanshi as pb;

use super::{house_not_found, houses_changed, sync_registration_states};
use crate::actions::{Resident, State};
use crate::db::addresses;
use crate::db::bindings::{self, Binding};
use crate::db::house_list;
use crate::db::people;
use crate::db::reviews::{self, Review};
use crate::domain::content::ReviewContent;
use crate::domain::house::HouseFields;
use crate::domain::registration::{
    Grant, OWNER, ReviewStatus, charge_label, review_row_introduction, shouquan_label,
};
use crate::error::Result;

/// A row of 3.1.1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MyHouseRow {
    /// A house the user is bound to.
    Bound {
        binding_id: i64,
        house_id: i64,
        role: String,
        introduction: String,
        /// Members of the house who have not activated.
        not_register: i32,
    },
    /// A pending or refused review of the user.
    Review {
        review_id: i64,
        house_id: i64,
        status: ReviewStatus,
        role: String,
        introduction: String,
        action: String,
    },
}

/// One member in 3.1.2.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub binding_id: i64,
    pub name: String,
    pub role: String,
    pub shouquan: &'static str,
    pub charge: &'static str,
    /// Masked unless the member is the viewer.
    pub phone: String,
    pub activated: bool,
}

/// A review row of 3.1.2.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HouseReview {
    pub review_id: i64,
    pub introduction: String,
    pub action: String,
    pub status: ReviewStatus,
    pub shenhe_type: String,
}

/// 3.1.2.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HouseDetail {
    pub introduction: String,
    pub house_type: String,
    /// The viewer's own binding.
    pub fields: HouseFields,
    /// Owners first, then in the order they were bound.
    pub members: Vec<Member>,
    pub reviews: Vec<HouseReview>,
}

/// 3.1.3: the applicant's own review and its content.
#[derive(Clone, Debug)]
pub struct ReviewDetail {
    pub review: Review,
    pub content: ReviewContent,
}

fn status_of(review: &Review) -> ServiceResult<ReviewStatus> {
    review_status(review.id, review.status)
}

/// Review `id`'s status from its `code`; a code no status has is the database's fault.
fn review_status(id: i64, code: i32) -> ServiceResult<ReviewStatus> {
    ReviewStatus::from_code(code)
        .ok_or_else(|| ServiceError::internal(format!("review {id} has status {code}")))
}

fn role_in(content: &str) -> String {
    ReviewContent::read(content)
        .map(|content| content.house.people_house_role)
        .unwrap_or_default()
}

/// 3.1.1: the user's bindings, then their pending and refused reviews (newest first).
pub async fn list_my_houses(state: &State, resident: &Resident) -> ServiceResult<Vec<MyHouseRow>> {
    let user_id = resident.user_id;
    state
        .db
        .run(move |conn| -> Result<_> {
            let rows = house_list::of_user(conn, user_id)?
                .into_iter()
                .map(|row| {
                    let introduction = row.introduction();
                    Ok(if row.is_review {
                        MyHouseRow::Review {
                            review_id: row.id,
                            house_id: row.house_id.unwrap_or(0),
                            status: review_status(row.id, row.status)?,
                            role: role_in(&row.content),
                            introduction: review_row_introduction(&introduction, &row.action),
                            action: row.action,
                        }
                    } else {
                        MyHouseRow::Bound {
                            binding_id: row.id,
                            house_id: row.house_id.unwrap_or(0),
                            introduction,
                            not_register: i32::try_from(row.not_activated.unwrap_or(0))
                                .unwrap_or(i32::MAX),
                            role: row.role,
                        }
                    })
                })
                .collect::<ServiceResult<Vec<_>>>()?;
            Ok(rows)
        })
        .await
        .map_err(Into::into)
}

/// A user's bindings with their rights, for the other services (repairs, bills, visitor passes).
pub async fn resident_houses(state: &State, user_id: i64) -> ServiceResult<Vec<pb::ResidentHouse>> {
    state
        .db
        .run(move |conn| -> Result<_> {
            Ok(bindings::placed_of_user(conn, user_id)?
                .into_iter()
                .map(|(binding, place)| pb::ResidentHouse {
                    binding_id: binding.id,
                    house_id: binding.house_id,
                    introduction: place.introduction(),
                    manage: binding.is_owner() || binding.shouquan,
                    pay: binding.is_owner() || binding.charge,
                    activated: binding.activated,
                    community_identifier: binding.community_identifier,
                    role: binding.role,
                })
                .collect())
        })
        .await
        .map_err(Into::into)
}

/// 3.1.2: only someone bound to the house sees it.
pub async fn house_detail(
    state: &State,
    resident: &Resident,
    house_id: i64,
) -> ServiceResult<HouseDetail> {
    let user_id = resident.user_id;
    state
        .db
        .run(move |conn| -> Result<_> {
            let place = addresses::find_house_place(conn, house_id)?.ok_or_else(house_not_found)?;
            let everyone = bindings::list_for_house(conn, house_id)?;
            let viewer = everyone
                .iter()
                .find(|(_, person)| person.user_id == Some(user_id))
                .map(|(binding, _)| binding.fields())
                .ok_or_else(|| {
                    ServiceError::forbidden(
                        "您没有绑定该房屋，无法查看",
                        "只有绑定该房屋的人员可以查看房屋详情",
                    )
                })?;
            let mut members: Vec<Member> = everyone
                .into_iter()
                .map(|(binding, person)| Member {
                    binding_id: binding.id,
                    shouquan: shouquan_label(&binding.role, binding.activated, binding.shouquan),
                    charge: charge_label(&binding.role, binding.charge),
                    phone: if person.user_id == Some(user_id) {
                        person.phone
                    } else {
                        mask_phone(&person.phone)
                    },
                    name: person.name,
                    activated: binding.activated,
                    role: binding.role,
                })
                .collect();
            // Owners first, as the seed lists them; the sort is stable, so binding order otherwise.
            members.sort_by_key(|member| member.role != OWNER);
            let reviews = reviews::list_open_of_house(conn, house_id)?
                .into_iter()
                .map(|review| {
                    Ok(HouseReview {
                        review_id: review.id,
                        status: status_of(&review)?,
                        introduction: review.house_introduction,
                        action: review.action_introduction,
                        shenhe_type: review.shenhe_type,
                    })
                })
                .collect::<ServiceResult<Vec<_>>>()?;
            Ok(HouseDetail {
                introduction: place.introduction(),
                house_type: place.house_type,
                fields: viewer,
                members,
                reviews,
            })
        })
        .await
        .map_err(Into::into)
}

fn review_not_found() -> ServiceError {
    ServiceError::not_found("未查找到审核信息", "未查找到审核信息。message编码Yi1815")
}

/// 3.1.3: the applicant's own review.
pub async fn review_detail(
    state: &State,
    resident: &Resident,
    review_id: i64,
) -> ServiceResult<ReviewDetail> {
    let user_id = resident.user_id;
    let review = state
        .db
        .run(move |conn| -> Result<_> { Ok(reviews::find_of_user(conn, review_id, user_id)?) })
        .await?
        .ok_or_else(review_not_found)?;
    let content = ReviewContent::read(&review.content).map_err(|error| {
        ServiceError::internal(format!(
            "review {} content unreadable: {}",
            review.id, error.message
        ))
    })?;
    Ok(ReviewDetail { review, content })
}

fn not_deleted() -> ServiceError {
    ServiceError::not_found("删除失败", "审核删除失败,message编程1879")
}

/// 3.1.4: the applicant withdraws a review while it is pending.
pub async fn delete_review(
    state: &State,
    resident: &Resident,
    review_id: i64,
) -> ServiceResult<()> {
    let user_id = resident.user_id;
    state
        .db
        .run(move |conn| -> Result<_> {
            let review =
                reviews::find_of_user(conn, review_id, user_id)?.ok_or_else(not_deleted)?;
            if !review.is_pending() {
                return Err(
                    ServiceError::conflict("删除失败", "审核删除失败,message编程1879").into(),
                );
            }
            if reviews::delete_pending(conn, review_id, user_id)? == 0 {
                return Err(
                    ServiceError::conflict("删除失败", "审核删除失败,message编程1879").into(),
                );
            }
            Ok(())
        })
        .await?;
    tracing::info!(user_id, review_id, "review withdrawn");
    sync_registration_states(state, vec![user_id]).await;
    Ok(())
}

fn not_a_manager() -> ServiceError {
    ServiceError::forbidden(
        "您没有权限管理该家庭成员",
        "只有该房屋的业主或获得管理授权的成员可以操作",
    )
}

/// Loads the target binding and checks the caller may manage it: the caller is the house's
/// owner or holds its management right, and the target is not an owner.
fn managed_binding(
    conn: &mut AnyConnection,
    user_id: i64,
    binding_id: i64,
) -> Result<(Binding, Binding)> {
    let target = bindings::find(conn, binding_id)?
        .ok_or_else(|| ServiceError::not_found("未找到该家庭成员", "没有根据id查找到房屋绑定"))?;
    let person = people::find_by_user(conn, user_id)?.ok_or_else(not_a_manager)?;
    let mine = bindings::find_for(conn, person.id, target.house_id)?
        .filter(|mine| mine.activated && (mine.is_owner() || mine.shouquan))
        .ok_or_else(not_a_manager)?;
    if target.is_owner() {
        return Err(ServiceError::forbidden(
            "不能修改业主的权限",
            "业主的绑定不能被授权、禁用或解绑",
        )
        .into());
    }
    Ok((mine, target))
}

/// 3.2.1 / 3.2.3: flips a member's management or payment right; returns the button text now
/// due and whether the right is held.
pub async fn toggle_grant(
    state: &State,
    resident: &Resident,
    binding_id: i64,
    grant: Grant,
) -> ServiceResult<(&'static str, bool)> {
    let user_id = resident.user_id;
    let (granted, member) = state
        .db
        .write(move |conn| -> Result<(bool, Option<i64>)> {
            let (_, target) = managed_binding(conn, user_id, binding_id)?;
            let now = now_unix();
            let member = people::find(conn, target.people_id)?.and_then(|p| p.user_id);
            let granted = match grant {
                Grant::Manage => {
                    bindings::set_shouquan(conn, target.id, !target.shouquan, now)?;
                    !target.shouquan
                }
                Grant::Pay => {
                    bindings::set_charge(conn, target.id, !target.charge, now)?;
                    !target.charge
                }
            };
            Ok((granted, member))
        })
        .await?;
    tracing::info!(user_id, binding_id, ?grant, granted, "family right changed");
    if let Some(member) = member {
        houses_changed(state, &[member]).await;
    }
    Ok((grant.button(granted), granted))
}

/// 3.2.2: the owner (or a manager) removes a member; one's own binding goes through an
/// `unbind` review instead.
pub async fn unbind(state: &State, resident: &Resident, binding_id: i64) -> ServiceResult<()> {
    let user_id = resident.user_id;
    let removed_user = state
        .db
        .write(move |conn| -> Result<Option<i64>> {
            let (mine, target) = managed_binding(conn, user_id, binding_id)?;
            if mine.id == target.id {
                return Err(ServiceError::conflict(
                    "不能解绑自己，请提交解绑申请",
                    "解除自己的绑定需提交审核（kind=unbind）",
                )
                .into());
            }
            bindings::delete(conn, target.id)?;
            Ok(people::find(conn, target.people_id)?.and_then(|p| p.user_id))
        })
        .await?;
    tracing::info!(user_id, binding_id, "member unbound");
    if let Some(removed) = removed_user {
        sync_registration_states(state, vec![removed]).await;
    }
    Ok(())
}
