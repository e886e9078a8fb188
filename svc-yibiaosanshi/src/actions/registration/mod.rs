//! 一标三实 (000 §2.2–§3.2, 001 §1.2): people, their bindings to houses and the reviews that
//! change them, for residents and for the security platform.
pub mod apply;
pub mod houses;
pub mod import;
pub mod owner;
pub mod payer;
pub mod platform;
pub mod submit;
pub mod switches;

use kit::db::AnyConnection;
use kit::error::ServiceError;

use super::State;
use crate::db::addresses::{self, HousePlace};
use crate::db::{bindings, reviews};
use crate::domain::content::HousePart;
use crate::domain::house::HouseFields;
use crate::domain::registration::RegistrationState;
use crate::error::Result;

pub(crate) fn house_not_found() -> ServiceError {
    ServiceError::not_found(
        "没有找到该房屋",
        "没有根据id查找到房屋，请核实房屋的id是否有误",
    )
}

/// House `house_id` with its ancestors, or not found.
pub(crate) fn load_place(conn: &mut AnyConnection, house_id: i64) -> Result<HousePlace> {
    Ok(addresses::find_house_place(conn, house_id)?.ok_or_else(house_not_found)?)
}

/// The `house` part of a review content: where the house is and the person's place in it.
pub(crate) fn house_part(place: &HousePlace, fields: &HouseFields) -> HousePart {
    HousePart {
        id: place.house_id,
        community_identifier: place.community_identifier.clone(),
        building_number: place.building_number,
        unit_number: place.unit_number,
        floor_number: place.floor_number,
        house_number: place.house_number,
        people_house_role: fields.role.clone(),
        people_house_status: fields.status.clone(),
        people_house_use: fields.house_use.clone(),
        people_house_xingzhi: fields.xingzhi.clone(),
        people_house_type: fields.household_type.clone(),
    }
}

/// Where the user's bindings and reviews put them (000 前言 小程序用户权限).
pub(crate) fn registration_state(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<RegistrationState> {
    let waiting = reviews::has_pending(conn, user_id)?;
    Ok(RegistrationState::of(bound(conn, user_id)?, waiting))
}

/// True when the user's person holds an activated binding.
pub(crate) fn bound(conn: &mut AnyConnection, user_id: i64) -> Result<bool> {
    Ok(bindings::person_of_user(conn, user_id)?.is_some_and(|(_, bound)| bound))
}

/// Announces, after the change is committed, that these users' houses or rights changed: the
/// services remembering their houses ask again at their next call. A cache that can't take it
/// is logged; what they remember then ends within a minute.
pub(crate) async fn houses_changed(state: &State, user_ids: &[i64]) {
    for &user_id in user_ids {
        let key = kit::cache::keys::resident_houses(user_id);
        kit::cache::announce(state.cache.as_ref(), &key).await;
    }
}

/// Tells svc-auth where each user now stands, and the services remembering their houses that
/// those changed. The change that moved them is committed already, so a failure is logged, not
/// answered: the next change (or a repeated import) sends it again.
pub(crate) async fn sync_registration_states(state: &State, user_ids: Vec<i64>) {
    let asked = user_ids.clone();
    let computed = state
        .db
        .run(move |conn| -> Result<_> {
            Ok(user_ids
                .into_iter()
                .map(|user_id| {
                    let registration =
                        registration_state(conn, user_id).map_err(ServiceError::from);
                    (user_id, registration)
                })
                .collect())
        })
        .await
        // No connection: every user's state is unread, and each is logged as such.
        .unwrap_or_else(|error| {
            let error = ServiceError::from(error);
            asked
                .into_iter()
                .map(|user_id| (user_id, Err(error.clone())))
                .collect()
        });
    tell_registration_states(state, computed).await;
}

/// [`sync_registration_states`] for states the change's own transaction read (no read more).
pub(crate) async fn tell_registration_states(
    state: &State,
    computed: Vec<(i64, kit::error::ServiceResult<RegistrationState>)>,
) {
    let user_ids: Vec<i64> = computed.iter().map(|(user_id, _)| *user_id).collect();
    houses_changed(state, &user_ids).await;
    for (user_id, registration) in computed {
        let result = match registration {
            Ok(registration) => state
                .auth
                .set_registration_state(user_id, registration)
                .await
                .map(|()| registration),
            Err(error) => Err(error),
        };
        match result {
            Ok(registration) => {
                tracing::info!(
                    user_id,
                    state = registration.as_str(),
                    "registration state sent to svc-auth"
                );
            }
            Err(error) => tracing::warn!(
                user_id,
                error = %error.message,
                "registration state not sent to svc-auth"
            ),
        }
    }
}

/// Binds person `people_id` to `house_id` as an activated member with `fields`: the binding
/// they already have (`existing`) is updated, else one is made. An owner holds 授权 and 收费
/// (and rights someone gave before are kept).
pub(super) fn bind_activated(
    conn: &mut AnyConnection,
    existing: Option<bindings::Binding>,
    people_id: i64,
    house_id: i64,
    community_identifier: &str,
    fields: &HouseFields,
    now: i64,
) -> Result<()> {
    let owner = fields.role == crate::domain::registration::OWNER;
    match existing {
        Some(found) => {
            let (shouquan, charge) = (found.shouquan || owner, found.charge || owner);
            bindings::update(conn, found.id, fields, shouquan, charge, true, now)?;
        }
        None => {
            let new = bindings::NewBinding {
                people_id,
                house_id,
                community_identifier,
                fields,
                shouquan: owner,
                charge: owner,
                activated: true,
            };
            bindings::insert(conn, &new, now)?;
        }
    }
    Ok(())
}
