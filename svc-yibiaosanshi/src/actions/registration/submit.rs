//! 000 §2.4.1, §2.4.2 and the review types the seed left 未开发: every change a resident asks for
//! becomes a pending review (审核) for the security platform, after the rules that can be checked
//! now are checked.
use kit::db::AnyConnection;
use kit::error::{ServiceError, ServiceResult};
use kit::time::now_unix;

use super::owner::owner_verified;
use super::{house_not_found, house_part, load_place, tell_registration_states};
use crate::actions::{Resident, State};
use crate::db::addresses::{self, HousePlace};
use crate::db::bindings::{self, Binding};
use crate::db::module_switches;
use crate::db::people::{self, Person};
use crate::db::reviews::{self, NewReview};
use crate::domain::content::ReviewContent;
use crate::domain::house::{HouseChange, HouseChoice};
use crate::domain::person::PersonData;
use crate::domain::registration::{
    Applicant, OWNER, RegistrationState, ReviewType, action_introduction,
};
use crate::error::Result;

/// What a resident asks for (the gateway checked the fields).
#[derive(Clone, Debug)]
pub enum Submission {
    /// 2.4.1: person and a first house.
    First {
        person: PersonData,
        choice: HouseChoice,
    },
    /// 2.4.2: a further house for a registered person.
    Bind(HouseChoice),
    /// The user leaves the house of their binding.
    Unbind { binding_id: i64 },
    /// New role or house data for one of the user's bindings.
    ModifyHouse {
        binding_id: i64,
        change: HouseChange,
    },
    /// Corrected personal data, reviewed by the platform of `house_id` (or of the first house).
    ModifyPerson {
        person: PersonData,
        house_id: Option<i64>,
    },
}

/// The review a submission became.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Submitted {
    pub review_id: i64,
    pub shenhe_type: ReviewType,
}

/// Checks the submission and files it as a pending review.
pub async fn submit(
    state: &State,
    resident: &Resident,
    submission: Submission,
) -> ServiceResult<Submitted> {
    let user_id = resident.user_id;
    // A registration writes one row, the review (its rules read first; the index
    // `reviews_one_pending_per_house` refuses a second filed at once): on PostgreSQL outside a
    // transaction, no BEGIN and COMMIT round trips.
    let (submitted, registration) = match submission {
        Submission::First { person, choice } => {
            let consent = consent(state, user_id, &choice).await?;
            state
                .db
                .write_statement(move |conn| -> Result<_> {
                    let filed = file_first(conn, user_id, &person, &choice, consent)?;
                    // Filed because the user had no person: none of theirs is bound anywhere.
                    Ok(registering(false, filed))
                })
                .await?
        }
        Submission::Bind(choice) => {
            let consent = consent(state, user_id, &choice).await?;
            state
                .db
                .write_statement(move |conn| -> Result<_> {
                    let (person, bound) =
                        bindings::person_of_user(conn, user_id)?.ok_or_else(not_registered)?;
                    let filed = file_bind(conn, user_id, &person, &choice, consent)?;
                    // Filing a review binds and unbinds nothing: read with the person, `bound`
                    // still holds.
                    Ok(registering(bound, filed))
                })
                .await?
        }
        Submission::Unbind { binding_id } => (
            state
                .db
                .write(move |conn| file_unbind(conn, user_id, binding_id))
                .await?,
            None,
        ),
        Submission::ModifyHouse { binding_id, change } => (
            state
                .db
                .write(move |conn| file_modify_house(conn, user_id, binding_id, &change))
                .await?,
            None,
        ),
        Submission::ModifyPerson { person, house_id } => (
            state
                .db
                .write(move |conn| file_modify_person(conn, user_id, &person, house_id))
                .await?,
            None,
        ),
    };
    tracing::info!(
        user_id,
        review_id = submitted.review_id,
        shenhe_type = submitted.shenhe_type.as_str(),
        "review submitted"
    );
    if let Some(registration) = registration {
        tell_registration_states(state, vec![(user_id, Ok(registration))]).await;
    }
    Ok(submitted)
}

/// A registration filed, with where it leaves the user when that moved (for svc-auth): `bound`
/// when the user's person held an activated binding (read with the filing). A bound user stays
/// a house member, which svc-auth was told when the binding was made, and filing a review
/// changes none of their houses: nothing is sent, and no call is paid for it.
fn registering(bound: bool, filed: Submitted) -> (Submitted, Option<RegistrationState>) {
    // The review just filed is pending: a user bound nowhere waits for it.
    (
        filed,
        (!bound).then_some(RegistrationState::of(false, true)),
    )
}

/// What is known, before the transaction, of the owner's consent to a non-owner's binding.
#[derive(Clone, Copy, Debug)]
struct Consent {
    /// The applicant proved the owner's code (2.2.3) for this house.
    verified: bool,
    /// No owner is bound here, but the security platform knows one.
    owner_elsewhere: bool,
}

/// The switch a role's binding needs: 绑定房屋 (owners, tenants) or 绑定家属 (family).
fn module_of(role: &str) -> &'static str {
    if role == OWNER || role == "租客" {
        "绑定房屋"
    } else {
        "绑定家属"
    }
}

/// The role's switch must be on in the house's community; a switch svc-community never told of
/// (`enabled` `None`) is on, as it is there.
fn module_gate(community: &str, module: &str, enabled: Option<bool>) -> Result<()> {
    match enabled {
        Some(false) => Err(ServiceError::forbidden(
            format!("该小区的{module}功能已关闭"),
            format!("module {module} is off in community {community}"),
        )
        .into()),
        _ => Ok(()),
    }
}

/// An owner known only to the security platform must consent as one bound here does: the
/// platform is asked only when it matters (a non-owner role, not verified, no owner bound here,
/// the module on). The transaction filing the request checks the module again, and everything
/// else, in its own reads.
async fn consent(state: &State, user_id: i64, choice: &HouseChoice) -> ServiceResult<Consent> {
    // An owner needs no one's consent: the cache is not asked.
    let owner = choice.fields.role == OWNER;
    let verified = !owner && owner_verified(state, user_id, choice.house_id).await?;
    if owner || verified {
        return Ok(Consent {
            verified,
            owner_elsewhere: false,
        });
    }
    let (house_id, role) = (choice.house_id, choice.fields.role.clone());
    let unowned = state
        .db
        .run(move |conn| -> Result<_> {
            let Some(place) = addresses::find_house_place(conn, house_id)? else {
                return Ok(None);
            };
            let module = module_of(&role);
            let community = &place.community_identifier;
            module_gate(
                community,
                module,
                module_switches::enabled(conn, community, module)?,
            )?;
            Ok(bindings::owners_of(conn, house_id)?
                .is_empty()
                .then_some(place))
        })
        .await?;
    let owner_elsewhere = match unowned {
        Some(place) => state.secplat.find_owner(&place.address()).await?.is_some(),
        None => false,
    };
    Ok(Consent {
        verified: false,
        owner_elsewhere,
    })
}

fn not_registered() -> ServiceError {
    ServiceError::conflict(
        "您还未录入个人信息，请先填写一标三实表单",
        "该用户在people表中没有数据，请使用第一次录入一标三实表单",
    )
}

fn already_pending() -> ServiceError {
    ServiceError::conflict(
        "该房屋已有待审核的申请",
        "该用户对该房屋已有等待审核的申请，请等待审核或删除后再提交",
    )
}

fn idcard_taken() -> ServiceError {
    ServiceError::conflict(
        "该身份证号已被其他用户绑定",
        "该身份证号已由其他小程序用户录入",
    )
}

fn owner_exists() -> ServiceError {
    ServiceError::conflict(
        "该房屋已有业主",
        "该房屋已绑定业主：如需替换业主，请选择choice=2（替换业主）",
    )
}

fn binding_not_found() -> ServiceError {
    ServiceError::not_found("未找到该房屋绑定", "没有根据id查找到该用户的房屋绑定")
}

/// 2.4.1: the user has no person yet; their ID number is not another user's.
fn file_first(
    conn: &mut AnyConnection,
    user_id: i64,
    person: &PersonData,
    choice: &HouseChoice,
    consent: Consent,
) -> Result<Submitted> {
    if people::find_by_user(conn, user_id)?.is_some() {
        return Err(ServiceError::conflict(
            "您已录入个人信息，请使用绑定更多房屋",
            "该用户在people表中已有数据，请使用绑定更多房屋",
        )
        .into());
    }
    // An unregistered person with this ID number (family imported from the security platform)
    // is the applicant themself.
    let known = people::find_by_idcard(conn, &person.idcard)?;
    if known.as_ref().is_some_and(|p| p.user_id.is_some()) {
        return Err(idcard_taken().into());
    }
    file_binding(conn, user_id, known.as_ref(), person, choice, consent)
}

/// 2.4.2: a further house for the user's person.
fn file_bind(
    conn: &mut AnyConnection,
    user_id: i64,
    person: &Person,
    choice: &HouseChoice,
    consent: Consent,
) -> Result<Submitted> {
    file_binding(conn, user_id, Some(person), &person.data(), choice, consent)
}

/// The rules every binding request meets: not bound yet, nothing pending for the house, and
/// the owner's consent or the owner's place.
fn file_binding(
    conn: &mut AnyConnection,
    user_id: i64,
    applicant: Option<&Person>,
    person: &PersonData,
    choice: &HouseChoice,
    consent: Consent,
) -> Result<Submitted> {
    let role = &choice.fields.role;
    let module = module_of(role);
    let requested = addresses::place_for_request(
        conn,
        choice.house_id,
        user_id,
        module,
        applicant.map(|a| a.id),
    )?
    .ok_or_else(house_not_found)?;
    let place = &requested.place;
    module_gate(&place.community_identifier, module, requested.enabled)?;
    if requested.applicant_bound {
        return Err(ServiceError::conflict("您已绑定该房屋", "该人员与该房屋已有绑定关系").into());
    }
    if requested.pending {
        return Err(already_pending().into());
    }
    let has_owner = requested.owned_by_another;
    let kind = if role == OWNER {
        match (has_owner, choice.replace_owner) {
            (false, _) => ReviewType::OwnerBind,
            (true, true) => ReviewType::ReplaceOwner,
            (true, false) => return Err(owner_exists().into()),
        }
    } else {
        if (has_owner || consent.owner_elsewhere) && !consent.verified {
            return Err(ServiceError::forbidden(
                "请先验证业主手机号",
                "该房屋已有业主：非业主绑定需先通过业主手机号验证（/security/yezhu-code）",
            )
            .into());
        }
        Applicant::of_role(role).binding()
    };
    let content = ReviewContent::new(user_id, person, house_part(place, &choice.fields));
    file(conn, user_id, place, None, kind, role, &content)
}

/// The user's person and their binding `binding_id`.
fn own_binding(
    conn: &mut AnyConnection,
    user_id: i64,
    binding_id: i64,
) -> Result<(Person, Binding)> {
    let person = people::find_by_user(conn, user_id)?.ok_or_else(not_registered)?;
    let binding = bindings::find(conn, binding_id)?
        .filter(|b| b.people_id == person.id)
        .ok_or_else(binding_not_found)?;
    Ok((person, binding))
}

/// 业主/租客/家属解绑: the user leaves one of their houses.
fn file_unbind(conn: &mut AnyConnection, user_id: i64, binding_id: i64) -> Result<Submitted> {
    let (person, binding) = own_binding(conn, user_id, binding_id)?;
    let place = load_place(conn, binding.house_id)?;
    if reviews::has_pending_for_house(conn, user_id, place.house_id)? {
        return Err(already_pending().into());
    }
    let kind = Applicant::of_role(&binding.role).unbinding();
    let content = ReviewContent::new(
        user_id,
        &person.data(),
        house_part(&place, &binding.fields()),
    );
    file(
        conn,
        user_id,
        &place,
        Some(binding.id),
        kind,
        &binding.role,
        &content,
    )
}

/// 修改房屋数据: new role or house data for one of the user's bindings.
fn file_modify_house(
    conn: &mut AnyConnection,
    user_id: i64,
    binding_id: i64,
    change: &HouseChange,
) -> Result<Submitted> {
    let (person, binding) = own_binding(conn, user_id, binding_id)?;
    if change
        .house_id
        .is_some_and(|house_id| house_id != binding.house_id)
    {
        return Err(ServiceError::conflict_in("house_id", "house_id与该绑定的房屋不一致").into());
    }
    let current = binding.fields();
    let fields = change.applied_to(&current);
    if fields == current {
        return Err(
            ServiceError::conflict("房屋数据没有变化", "提交的房屋数据与已绑定的数据相同").into(),
        );
    }
    let place = load_place(conn, binding.house_id)?;
    if reviews::has_pending_for_house(conn, user_id, place.house_id)? {
        return Err(already_pending().into());
    }
    if fields.role == OWNER
        && !binding.is_owner()
        && bindings::owners_of(conn, place.house_id)?
            .iter()
            .any(|(_, owner)| owner.id != person.id)
    {
        return Err(owner_exists().into());
    }
    let content = ReviewContent::new(user_id, &person.data(), house_part(&place, &fields));
    file(
        conn,
        user_id,
        &place,
        Some(binding.id),
        ReviewType::ModifyHouse,
        &binding.role,
        &content,
    )
}

/// 修改个人信息: the user's corrected personal data, reviewed by the platform of the house
/// named (or of their first house).
fn file_modify_person(
    conn: &mut AnyConnection,
    user_id: i64,
    data: &PersonData,
    house_id: Option<i64>,
) -> Result<Submitted> {
    let person = people::find_by_user(conn, user_id)?.ok_or_else(not_registered)?;
    if *data == person.data() {
        return Err(
            ServiceError::conflict("个人信息没有变化", "提交的个人信息与已录入的数据相同").into(),
        );
    }
    if data.idcard != person.idcard
        && people::find_by_idcard(conn, &data.idcard)?.is_some_and(|other| other.id != person.id)
    {
        return Err(idcard_taken().into());
    }
    if reviews::has_pending_of_type(conn, user_id, ReviewType::ModifyPerson)? {
        return Err(ServiceError::conflict(
            "您已有待审核的个人信息修改",
            "该用户已有等待审核的修改个人信息申请",
        )
        .into());
    }
    let bound = bindings::list_for_person(conn, person.id)?;
    let binding = match house_id {
        Some(house_id) => bound
            .into_iter()
            .find(|b| b.house_id == house_id)
            .ok_or_else(binding_not_found)?,
        None => bound.into_iter().next().ok_or_else(|| {
            ServiceError::conflict(
                "您还没有绑定房屋，无法修改个人信息",
                "修改个人信息由所绑定房屋的小区审核，该用户没有绑定房屋",
            )
        })?,
    };
    let place = load_place(conn, binding.house_id)?;
    let content = ReviewContent::new(user_id, data, house_part(&place, &binding.fields()));
    file(
        conn,
        user_id,
        &place,
        None,
        ReviewType::ModifyPerson,
        &binding.role,
        &content,
    )
}

fn file(
    conn: &mut AnyConnection,
    user_id: i64,
    place: &HousePlace,
    binding_id: Option<i64>,
    kind: ReviewType,
    role: &str,
    content: &ReviewContent,
) -> Result<Submitted> {
    let content = content.to_json()?;
    let written = reviews::insert(
        conn,
        &NewReview {
            user_id,
            community_identifier: &place.community_identifier,
            house_id: Some(place.house_id),
            binding_id,
            shenhe_type: kind,
            content: &content,
            house_introduction: &place.introduction(),
            action_introduction: &action_introduction(role, kind),
        },
        now_unix(),
    );
    // Filed at the same moment as another request of the user's for the house, after both
    // found none pending: the index keeps one.
    let review = match written {
        Err(error) if kit::db::is_unique_violation(&error) => return Err(already_pending().into()),
        other => other?,
    };
    Ok(Submitted {
        review_id: review.id,
        shenhe_type: kind,
    })
}
