//! Approving a review applies its content: binding, replacing the owner, unbinding, changing a
//! binding's data or a person's. It runs inside the decision's transaction, so a review is
//! applied whole or not at all.
use kit::db::AnyConnection;
use kit::error::ServiceError;

use crate::db::bindings;
use crate::db::people::{self, Person};
use crate::db::reviews::Review;
use crate::domain::content::ReviewContent;
use crate::domain::person::PersonData;
use crate::domain::registration::{OWNER, ReviewType};
use crate::error::Result;

/// Users whose bindings the approval changed besides the applicant (a replaced owner).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    pub other_users: Vec<i64>,
}

fn gone(what: &str) -> ServiceError {
    ServiceError::conflict(
        format!("{what}已不存在，请拒绝该审核"),
        format!("审核所涉及的{what}已被删除，无法通过"),
    )
}

/// Applies `content` (already checked) of `review`.
pub fn apply(
    conn: &mut AnyConnection,
    review: &Review,
    content: &ReviewContent,
    now: i64,
) -> Result<Applied> {
    let kind = review.review_type().ok_or_else(|| {
        ServiceError::internal(format!(
            "review {} has type {:?}",
            review.id, review.shenhe_type
        ))
    })?;
    match kind {
        ReviewType::OwnerBind
        | ReviewType::TenantBind
        | ReviewType::FamilyBind
        | ReviewType::ReplaceOwner => {
            bind(conn, review, content, kind == ReviewType::ReplaceOwner, now)
        }
        ReviewType::OwnerUnbind | ReviewType::TenantUnbind | ReviewType::FamilyUnbind => {
            // Already gone (a manager removed it meanwhile) is what was asked for.
            if let Some(binding_id) = review.binding_id {
                bindings::delete(conn, binding_id)?;
            }
            Ok(Applied::default())
        }
        ReviewType::ModifyHouse => {
            let binding = review
                .binding_id
                .map(|id| bindings::find(conn, id))
                .transpose()?
                .flatten()
                .ok_or_else(|| gone("房屋绑定"))?;
            let fields = content.house_fields();
            let owner = fields.role == OWNER;
            bindings::update(
                conn,
                binding.id,
                &fields,
                binding.shouquan || owner,
                binding.charge || owner,
                binding.activated,
                now,
            )?;
            Ok(Applied::default())
        }
        ReviewType::ModifyPerson => {
            let person =
                people::find_by_user(conn, review.user_id)?.ok_or_else(|| gone("个人信息"))?;
            let data = content.person();
            if data.idcard != person.idcard
                && people::find_by_idcard(conn, &data.idcard)?.is_some_and(|o| o.id != person.id)
            {
                return Err(idcard_taken().into());
            }
            people::update_data(conn, person.id, &data, now)?;
            Ok(Applied::default())
        }
    }
}

fn idcard_taken() -> ServiceError {
    ServiceError::conflict(
        "该身份证号已被其他人员使用",
        "审核数据中的身份证号已属于其他人员，无法通过",
    )
}

/// The applicant's person: theirs already, an unregistered person with the ID number (family
/// imported from the security platform) claimed with the submitted data, or a new one.
fn claim_person(
    conn: &mut AnyConnection,
    user_id: i64,
    data: &PersonData,
    now: i64,
) -> Result<Person> {
    let mine = people::find_by_user(conn, user_id)?;
    let known = people::find_by_idcard(conn, &data.idcard)?;
    match (mine, known) {
        // Registered already: later changes go through 修改个人信息, so the snapshot in the
        // review does not overwrite them.
        (Some(mine), Some(known)) if mine.id == known.id => Ok(mine),
        (Some(_), _) => Err(ServiceError::conflict(
            "申请人已录入其他身份证号的个人信息",
            "申请人在people表中的身份证号与审核数据不一致",
        )
        .into()),
        (None, Some(known)) if known.user_id.is_some() => Err(idcard_taken().into()),
        (None, Some(known)) => {
            people::update_data(conn, known.id, data, now)?;
            people::set_user(conn, known.id, user_id, now)?;
            Ok(people::find(conn, known.id)?.ok_or_else(|| gone("人员"))?)
        }
        (None, None) => Ok(people::insert(conn, Some(user_id), data, now)?),
    }
}

/// Binds the applicant (activated; the owner holds both rights), replacing the owner if asked.
fn bind(
    conn: &mut AnyConnection,
    review: &Review,
    content: &ReviewContent,
    replace_owner: bool,
    now: i64,
) -> Result<Applied> {
    let house_id = review
        .house_id
        .ok_or_else(|| ServiceError::internal(format!("review {} has no house", review.id)))?;
    let person = claim_person(conn, review.user_id, &content.person(), now)?;
    let mut applied = Applied::default();
    if replace_owner {
        for (binding, owner) in bindings::owners_of(conn, house_id)? {
            if owner.id != person.id {
                bindings::delete(conn, binding.id)?;
                applied.other_users.extend(owner.user_id);
            }
        }
    }
    let fields = content.house_fields();
    let existing = bindings::find_for(conn, person.id, house_id)?;
    let community = &review.community_identifier;
    super::bind_activated(conn, existing, person.id, house_id, community, &fields, now)?;
    Ok(applied)
}
