//! 000 §2.2.2 and §2.2.3 (DESIGN: the owner's phone never leaves the server): the applicant
//! looks up a house's owner, the owner receives a `yezhu` code, and the code proves the owner
//! agrees. The proof lets the applicant join a house that has an owner.
use std::fmt;
use std::time::Duration;

use kit::error::{ErrorKind, ServiceError, ServiceResult};
use kit::types::{Mobile, mask_phone};
use serde::{Deserialize, Serialize};

use super::load_place;
use crate::actions::{Resident, State};
use crate::clients::auth::CodeKind;
use crate::db::bindings;
use crate::domain::house::HouseFields;
use crate::error::Result;

/// How long a look-up and a proof are remembered: as long as the `yezhu` code lives.
pub const OWNER_TTL: Duration = Duration::from_secs(30 * 60);
/// How many recent look-ups a code may be matched against.
const RECENT_HOUSES: usize = 5;
/// Owner look-ups one user may make a day: house ids are sequential, so without a bound anyone
/// could walk them and collect every owner's masked phone.
const LOOK_UPS_PER_DAY: i64 = 20;
const LOOK_UP_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

fn seen_key(user_id: i64, house_id: i64) -> String {
    format!("owner-house:{user_id}:{house_id}")
}

fn pending_key(user_id: i64) -> String {
    format!("owner-pending:{user_id}")
}

fn verified_key(user_id: i64, house_id: i64) -> String {
    format!("owner-verified:{user_id}:{house_id}")
}

fn look_ups_key(user_id: i64) -> String {
    format!("owner-look-ups:{user_id}")
}

/// A house's owner as the applicant looked them up (kept server-side only).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerSeen {
    pub phone: String,
    pub fields: HouseFields,
}

impl fmt::Debug for OwnerSeen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnerSeen")
            .field("phone", &mask_phone(&self.phone))
            .field("fields", &self.fields)
            .finish()
    }
}

/// What 2.2.2 answers: the house's data only once the owner's code was verified (the seed: 只有当
/// 业主手机号验证通过后，才可以显示该接口返回的数据).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnerLookUp {
    pub masked_phone: String,
    pub fields: Option<HouseFields>,
    /// The house's introduction, which 1.1 `yezhu` names the house by.
    pub community_house_name: String,
}

/// What 2.2.3 answers once the owner's code was right.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedHouse {
    pub house_id: i64,
    pub fields: HouseFields,
}

fn no_owner() -> ServiceError {
    ServiceError::new(
        ErrorKind::Nothing,
        "该房屋尚未绑定业主",
        "安防平台没有查找到该房屋下的业主数据,message编码Yi1149-message编码SeApi87",
    )
}

/// 2.2.2: the owner bound here, else the one the security platform knows.
pub async fn look_up_owner(
    state: &State,
    resident: &Resident,
    house_id: i64,
) -> ServiceResult<OwnerLookUp> {
    let look_ups = state
        .cache
        .incr(&look_ups_key(resident.user_id), LOOK_UP_WINDOW)
        .await?;
    if look_ups > LOOK_UPS_PER_DAY {
        tracing::warn!(
            user_id = resident.user_id,
            "owner look-ups over the daily bound"
        );
        return Err(ServiceError::rate_limited(
            "too many owner look-ups by this user today",
        ));
    }
    let (place, bound) = state
        .db
        .run(move |conn| -> Result<_> {
            let place = load_place(conn, house_id)?;
            let owner =
                bindings::owners_of(conn, house_id)?
                    .into_iter()
                    .find_map(|(binding, person)| {
                        Mobile::parse(&person.phone).ok().map(|phone| OwnerSeen {
                            phone: phone.as_str().to_owned(),
                            fields: binding.fields(),
                        })
                    });
            Ok((place, owner))
        })
        .await?;
    let owner = match bound {
        Some(owner) => owner,
        None => {
            let record = state
                .secplat
                .find_owner(&place.address())
                .await?
                .ok_or_else(no_owner)?;
            let phone = Mobile::parse(&record.people_phone).map_err(|_| {
                ServiceError::conflict(
                    "该房屋业主未登记手机号，请联系物业",
                    "安防平台返回的业主手机号不是有效的手机号",
                )
            })?;
            OwnerSeen {
                phone: phone.as_str().to_owned(),
                fields: HouseFields {
                    role: record.people_house_role,
                    status: record.people_house_status,
                    house_use: record.people_house_use,
                    xingzhi: record.people_house_xingzhi,
                    household_type: record.people_house_type,
                },
            }
        }
    };
    let community_house_name = place.introduction();
    let masked_phone = state
        .auth
        .remember_owner_phone(resident.user_id, &community_house_name, &owner.phone)
        .await?;
    remember(state, resident.user_id, house_id, &owner).await?;
    let verified = owner_verified(state, resident.user_id, house_id).await?;
    tracing::info!(
        user_id = resident.user_id,
        house_id,
        owner = %masked_phone,
        "house owner looked up"
    );
    Ok(OwnerLookUp {
        masked_phone,
        fields: verified.then_some(owner.fields),
        community_house_name,
    })
}

async fn remember(
    state: &State,
    user_id: i64,
    house_id: i64,
    owner: &OwnerSeen,
) -> ServiceResult<()> {
    let stored = serde_json::to_string(owner).map_err(ServiceError::internal)?;
    state
        .cache
        .set(&seen_key(user_id, house_id), &stored, OWNER_TTL)
        .await?;
    let mut recent = recent_houses(state, user_id).await?;
    recent.retain(|id| *id != house_id);
    recent.insert(0, house_id);
    recent.truncate(RECENT_HOUSES);
    let stored = serde_json::to_string(&recent).map_err(ServiceError::internal)?;
    state
        .cache
        .set(&pending_key(user_id), &stored, OWNER_TTL)
        .await?;
    Ok(())
}

/// The houses whose owners the user looked up lately, newest first.
async fn recent_houses(state: &State, user_id: i64) -> ServiceResult<Vec<i64>> {
    Ok(state
        .cache
        .get(&pending_key(user_id))
        .await?
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default())
}

/// 2.2.3: consumes the owner's code; the house it was for is the look-up whose owner has the
/// phone the code went to.
pub async fn verify_owner(
    state: &State,
    resident: &Resident,
    verification_key: &str,
    verification_code: &str,
) -> ServiceResult<VerifiedHouse> {
    let user_id = resident.user_id;
    let phone = state
        .auth
        .verify_code(
            verification_key,
            verification_code,
            CodeKind::Yezhu,
            user_id,
        )
        .await?;
    for house_id in recent_houses(state, user_id).await? {
        let Some(text) = state.cache.get(&seen_key(user_id, house_id)).await? else {
            continue;
        };
        let Ok(owner) = serde_json::from_str::<OwnerSeen>(&text) else {
            continue;
        };
        if owner.phone == phone {
            state
                .cache
                .set(&verified_key(user_id, house_id), "1", OWNER_TTL)
                .await?;
            tracing::info!(user_id, house_id, "house owner's code verified");
            return Ok(VerifiedHouse {
                house_id,
                fields: owner.fields,
            });
        }
    }
    Err(ServiceError::conflict(
        "请先查询该房屋的业主信息",
        "验证码对应的业主手机号与最近查询的房屋业主都不一致",
    ))
}

/// True when the user proved, within the last 30 minutes, that the house's owner agrees.
pub async fn owner_verified(state: &State, user_id: i64, house_id: i64) -> ServiceResult<bool> {
    Ok(state
        .cache
        .get(&verified_key(user_id, house_id))
        .await?
        .is_some())
}
