//! 001 §2.1.1: whom an order is for, asked by svc-orders (`FindPayer`), looked up within the
//! order's community only.
use kit::db::AnyConnection;
use kit::error::{ServiceError, ServiceResult};
use proto::yibiaosanshi as pb;

use crate::actions::State;
use crate::db::{addresses, bindings, cars, parking, people};
use crate::domain::vehicle;
use crate::error::Result;

/// Whom an order is for (001 §2.1.1), within the order's community only: the house at the
/// numbers, the person with this phone (and name) or ID number, the user who bound a plate, or
/// the resident a parking spot is assigned to. A person is reachable only while bound to a house
/// of that community, so a credential learns nothing of anyone elsewhere: someone bound only in
/// another community is not found, exactly like someone unknown to the platform.
pub async fn find_payer(
    state: &State,
    r: pb::FindPayerRequest,
) -> ServiceResult<pb::FindPayerReply> {
    let community = r.community_identifier.trim().to_owned();
    if community.is_empty() {
        return Err(ServiceError::missing("xiaoqu"));
    }
    // Mode 1 of 001 §2.1.1: a phone alone also names the user who signed up with it.
    let account = if r.kind == "phone" && r.name.is_empty() && !r.phone.is_empty() {
        state.auth.user_by_phone(&r.phone).await?
    } else {
        None
    };
    state
        .db
        .run(move |conn| -> Result<_> {
            let mut reply = pb::FindPayerReply::default();
            match r.kind.as_str() {
                "house" => {
                    let address = secplat::HouseAddress {
                        community_identifier: community.clone(),
                        building_number: r.louhao,
                        unit_number: r.danyuan,
                        floor_number: r.louceng,
                        house_number: r.fangjian,
                    };
                    if let Some((place, payers)) = bindings::house_payers_at(conn, &address)? {
                        reply.found = true;
                        reply.registered = true;
                        reply.house_id = place.house_id;
                        reply.introduction = place.introduction();
                        // The house's row brought its community's name: no second look-up.
                        reply.community_name = Some(place.community_name);
                        reply.payer_user_ids = payers;
                    }
                }
                "phone" | "idcard" => {
                    let mut candidates = Vec::new();
                    // The account holder first: when several people share a phone, the order
                    // reaches the one who signed up with it.
                    if let Some(user_id) = account
                        && let Some(person) = people::find_by_user(conn, user_id)?
                    {
                        candidates.push(person);
                    }
                    if r.kind == "phone" {
                        candidates.extend(people::find_by_phone(conn, &r.phone, &r.name)?);
                    } else {
                        candidates.extend(people::find_by_idcard(conn, &r.idcard)?);
                    }
                    let ids: Vec<i64> = candidates.iter().map(|person| person.id).collect();
                    let here = bindings::bound_in(conn, &community, &ids)?;
                    candidates.retain(|person| here.contains(&person.id));
                    reply.found = !candidates.is_empty();
                    if let Some(user_id) = candidates.iter().find_map(|person| person.user_id) {
                        reply.registered = true;
                        reply.user_id = user_id;
                    }
                }
                // Look-ups are lenient: a plate or number nobody here holds is simply not found.
                "car_number" => {
                    let plate = vehicle::normalize(&r.number);
                    if let Some(car) = cars::find_by_plate(conn, &plate)?
                        && user_bound_in(conn, car.user_id, &community)?
                    {
                        reply.found = true;
                        reply.registered = true;
                        reply.user_id = car.user_id;
                    }
                }
                "parking_number" => {
                    let number = vehicle::normalize(&r.number);
                    let spot = parking::find(conn, &community, &number)?;
                    if let Some(user_id) = spot.and_then(|spot| spot.user_id)
                        && user_bound_in(conn, user_id, &community)?
                    {
                        reply.found = true;
                        reply.registered = true;
                        reply.user_id = user_id;
                    }
                }
                other => {
                    return Err(ServiceError::invalid(
                        "type",
                        format!("unknown payer kind {other:?}"),
                    )
                    .into());
                }
            }
            if reply.user_id > 0 {
                reply.payer_user_ids = vec![reply.user_id];
            }
            if reply.community_name.is_none() {
                reply.community_name =
                    addresses::find_community(conn, &community)?.map(|found| found.community_name);
            }
            Ok(reply)
        })
        .await
        .map_err(Into::into)
}

/// True when user `user_id` is registered as a person bound to a house of `community`.
pub(crate) fn user_bound_in(
    conn: &mut AnyConnection,
    user_id: i64,
    community: &str,
) -> Result<bool> {
    let Some(person) = people::find_by_user(conn, user_id)? else {
        return Ok(false);
    };
    Ok(!bindings::bound_in(conn, community, &[person.id])?.is_empty())
}
