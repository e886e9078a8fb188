//! Cars and parking spots (001 §2.1.1 `car_number` / `parking_number`): residents bind their
//! plates; the security platform assigns its communities' spots to residents found by phone.
//! Orders find the user behind a plate or a spot through `FindPayer`.
//!
//! Plates and spot numbers arrive checked and normalised (the gateway reads them with
//! [`kit::vehicle`]); what is left here are the rules.
use kit::error::{ServiceError, ServiceResult};
use kit::paging::Paging;
use kit::time::now_unix;
use kit::types::mask_phone;

use crate::actions::{Page, Platform, Resident, State, not_your_community};
use crate::db::cars::{self, Car};
use crate::db::parking::{self, SpotFilter, SpotView};
use crate::db::{bindings, people};
use crate::domain::vehicle::{MAX_CARS_PER_USER, normalize};
use crate::error::Result;

/// The platform's spot list.
#[derive(Clone, Debug)]
pub struct SpotQuery {
    pub xiaoqu: String,
    /// Spot numbers starting with this (upper case).
    pub number_prefix: Option<String>,
    pub assigned: Option<bool>,
    pub paging: Paging,
}

fn plate_taken() -> ServiceError {
    ServiceError::conflict(
        "该车牌已被其他用户绑定；如车辆属于您，请提交转绑申请，由物业确认后转到您的名下",
        "number: the plate is bound to another user",
    )
}

/// The resident's cars, oldest first.
pub async fn list_my_cars(state: &State, resident: &Resident) -> ServiceResult<Vec<Car>> {
    let user_id = resident.user_id;
    Ok(state
        .db
        .run(move |conn| -> Result<_> { Ok(cars::list_for_user(conn, user_id)?) })
        .await?)
}

/// Binds `plate` (checked, normalised) to the resident; binding one of their own plates again
/// changes nothing.
pub async fn bind_car(state: &State, resident: &Resident, plate: String) -> ServiceResult<Car> {
    let user_id = resident.user_id;
    let car = state
        .db
        .write(move |conn| -> Result<Car> {
            cars::lock_user(conn, user_id)?;
            if let Some(car) = cars::find_by_plate(conn, &plate)? {
                return if car.user_id == user_id {
                    Ok(car)
                } else {
                    Err(plate_taken().into())
                };
            }
            if cars::count_for_user(conn, user_id)? >= MAX_CARS_PER_USER {
                return Err(ServiceError::conflict(
                    format!("每位用户最多绑定{MAX_CARS_PER_USER}辆车，请先解绑不用的车辆"),
                    "number: the user has bound the most cars allowed",
                )
                .into());
            }
            match cars::insert(conn, user_id, &plate, now_unix()) {
                // Another user bound the same plate a moment ago.
                Err(error) if kit::db::is_unique_violation(&error) => Err(plate_taken().into()),
                inserted => Ok(inserted?),
            }
        })
        .await?;
    tracing::info!(user_id, car = car.id, "car bound");
    Ok(car)
}

/// Unbinds one of the resident's plates, `number` as they typed it.
pub async fn unbind_car(state: &State, resident: &Resident, number: &str) -> ServiceResult<()> {
    let plate = normalize(number);
    let user_id = resident.user_id;
    let removed = state
        .db
        .run(move |conn| -> Result<_> { Ok(cars::delete_of_user(conn, user_id, &plate)?) })
        .await?;
    if removed == 0 {
        return Err(ServiceError::not_found(
            "number: 您没有绑定该车牌",
            "number: the caller has bound no car with this plate",
        ));
    }
    tracing::info!(user_id, "car unbound");
    Ok(())
}

/// The spots assigned to the resident, in every community.
pub async fn list_my_spots(state: &State, resident: &Resident) -> ServiceResult<Vec<SpotView>> {
    let user_id = resident.user_id;
    Ok(state
        .db
        .run(move |conn| -> Result<_> { Ok(parking::list_for_user(conn, user_id)?) })
        .await?)
}

/// `xiaoqu` when it is a known community the credential manages.
async fn managed_community(
    state: &State,
    platform: &Platform,
    xiaoqu: &str,
) -> ServiceResult<String> {
    let community = xiaoqu.to_owned();
    if !platform.manages(&community) {
        return Err(not_your_community("Se104"));
    }
    if !state.community_known(&community).await? {
        return Err(ServiceError::not_found(
            "xiaoqu: 没有找到该小区",
            "没有根据xiaoqu查找到小区，请核实小区的唯一值是否有误",
        ));
    }
    Ok(community)
}

/// The platform's spots of one community, by number.
pub async fn list_spots(
    state: &State,
    platform: &Platform,
    query: SpotQuery,
) -> ServiceResult<Page<SpotView>> {
    let community = managed_community(state, platform, &query.xiaoqu).await?;
    let paging = query.paging;
    let filter = SpotFilter {
        community_identifier: community,
        number_prefix: query.number_prefix,
        assigned: query.assigned,
    };
    let (rows, total) = state
        .db
        .run(move |conn| -> Result<_> { Ok(parking::page(conn, &filter, paging)?) })
        .await?;
    Ok(Page {
        rows,
        total,
        paging,
    })
}

/// One answer for a phone nobody signed up with and for a user bound only elsewhere: a
/// credential learns nothing about people outside its communities.
fn not_a_resident_here() -> ServiceError {
    ServiceError::invalid(
        "phone",
        "该手机号不是本小区已注册并绑定房屋的住户，请让住户先注册并绑定房屋",
    )
}

/// Assigns spot `number` of `xiaoqu` (creating it when new) to the registered user with `phone`,
/// who must hold an activated binding to a house of that community.
pub async fn assign_spot(
    state: &State,
    platform: &Platform,
    xiaoqu: &str,
    number: String,
    phone: &str,
) -> ServiceResult<SpotView> {
    let community = managed_community(state, platform, xiaoqu).await?;
    let user_id = state
        .auth
        .user_by_phone(phone)
        .await?
        .ok_or_else(not_a_resident_here)?;
    let credential_id = platform.credential_id;
    let spot = {
        let community = community.clone();
        let number = number.clone();
        state
            .db
            .write(move |conn| -> Result<SpotView> {
                let lives_here = match people::find_by_user(conn, user_id)? {
                    Some(person) => bindings::list_for_person(conn, person.id)?
                        .iter()
                        .any(|b| b.activated && b.community_identifier == community),
                    None => false,
                };
                if !lives_here {
                    return Err(not_a_resident_here().into());
                }
                let id = parking::assign(
                    conn,
                    &community,
                    &number,
                    user_id,
                    credential_id,
                    now_unix(),
                )?;
                parking::find_view(conn, id)?.ok_or_else(|| {
                    ServiceError::internal(format!("parking spot {id} vanished")).into()
                })
            })
            .await?
    };
    tracing::info!(
        community = %community,
        spot = spot.spot.id,
        user_id,
        phone = %mask_phone(phone),
        credential_id,
        "parking spot assigned"
    );
    Ok(spot)
}

/// Frees spot `number` of `xiaoqu`; freeing a free spot changes nothing.
pub async fn release_spot(
    state: &State,
    platform: &Platform,
    xiaoqu: &str,
    number: String,
) -> ServiceResult<SpotView> {
    let community = managed_community(state, platform, xiaoqu).await?;
    let (spot, was) = {
        let community = community.clone();
        state
            .db
            .write(move |conn| -> Result<(SpotView, Option<i64>)> {
                let spot = parking::find(conn, &community, &number)?.ok_or_else(|| {
                    ServiceError::not_found(
                        "number: 没有找到该车位",
                        "number: the community has no spot with this number",
                    )
                })?;
                parking::release(conn, spot.id, now_unix())?;
                let view = parking::find_view(conn, spot.id)?.ok_or_else(|| {
                    ServiceError::internal(format!("parking spot {} vanished", spot.id))
                })?;
                Ok((view, spot.user_id))
            })
            .await?
    };
    tracing::info!(
        community = %community,
        spot = spot.spot.id,
        released_user = ?was,
        credential_id = platform.credential_id,
        "parking spot released"
    );
    Ok(spot)
}
