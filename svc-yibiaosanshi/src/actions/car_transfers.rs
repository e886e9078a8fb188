//! Plate transfers (issue 11): binding a plate nobody holds is immediate, but a plate another
//! user holds moves only when the platform credential managing the claimant's community
//! confirms the claim (having seen the evidence: 行驶证, the car itself). Until then the plate,
//! and the `car_number` orders it names, stay with its holder.
use kit::db::AnyConnection;
use kit::error::{ServiceError, ServiceResult};
use kit::paging::Paging;
use kit::time::now_unix;
use kit::types::mask_phone;

use crate::actions::{Page, Platform, Resident, State, not_your_community};
use crate::db::car_transfers::{self as db, CONFIRMED, NewTransfer, REFUSED, Transfer, WAITING};
use crate::db::{bindings, cars, people};
use crate::domain::vehicle::MAX_CARS_PER_USER;
use crate::error::Result;

/// A claim as its readers see it: the claimant (the managing platform's resident) whole, the
/// holder, who may live anywhere, by masked phone only.
#[derive(Clone, PartialEq, Eq)]
pub struct TransferView {
    pub transfer: Transfer,
    pub claimant_name: String,
    pub claimant_phone: String,
    pub holder_phone_masked: String,
}

impl std::fmt::Debug for TransferView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransferView")
            .field("transfer", &self.transfer.id)
            .field("status", &self.transfer.status)
            .finish_non_exhaustive()
    }
}

/// The platform's list of claims.
#[derive(Clone, Debug)]
pub struct TransferQuery {
    pub xiaoqu: String,
    /// WAITING, CONFIRMED or REFUSED; `None` for all.
    pub status: Option<i32>,
    pub paging: Paging,
}

/// A resident's claim: a checked, normalised plate, the community whose platform decides (their
/// only one when `None`), and why the plate is theirs.
#[derive(Clone, Debug)]
pub struct Claim {
    pub plate: String,
    pub xiaoqu: Option<String>,
    pub reason: String,
}

fn view(conn: &mut AnyConnection, transfer: Transfer) -> Result<TransferView> {
    let (claimant_name, claimant_phone) = people::find_by_user(conn, transfer.claimant_user_id)?
        .map(|person| (person.name, person.phone))
        .unwrap_or_default();
    let holder_phone_masked = people::find_by_user(conn, transfer.holder_user_id)?
        .map(|person| mask_phone(&person.phone))
        .unwrap_or_default();
    Ok(TransferView {
        transfer,
        claimant_name,
        claimant_phone,
        holder_phone_masked,
    })
}

/// The community whose platform decides the claim: `xiaoqu` where the claimant holds an
/// activated binding, or their only such community.
fn claimant_community(
    conn: &mut AnyConnection,
    user_id: i64,
    xiaoqu: Option<&str>,
) -> Result<String> {
    let mut communities: Vec<String> = match people::find_by_user(conn, user_id)? {
        Some(person) => bindings::list_for_person(conn, person.id)?
            .into_iter()
            .filter(|binding| binding.activated)
            .map(|binding| binding.community_identifier)
            .collect(),
        None => Vec::new(),
    };
    communities.sort_unstable();
    communities.dedup();
    if let Some(xiaoqu) = xiaoqu {
        return if communities.iter().any(|c| c == xiaoqu) {
            Ok(xiaoqu.to_owned())
        } else {
            Err(ServiceError::forbidden(
                "xiaoqu: 您没有绑定该小区的房屋",
                "xiaoqu: the claimant has no activated binding in this community",
            )
            .into())
        };
    }
    match communities.as_slice() {
        [only] => Ok(only.clone()),
        [] => Err(ServiceError::forbidden(
            "请先绑定小区房屋，再申请转绑车牌",
            "a plate transfer needs an activated binding: its community's platform decides",
        )
        .into()),
        _ => Err(ServiceError::invalid(
            "xiaoqu",
            "您绑定了多个小区的房屋，请选择由哪个小区的物业确认",
        )
        .into()),
    }
}

/// A resident claims a plate that another user holds; a waiting claim of theirs on the same
/// plate is answered again.
pub async fn request(
    state: &State,
    resident: &Resident,
    claim: Claim,
) -> ServiceResult<TransferView> {
    let Claim {
        plate,
        xiaoqu,
        reason: why,
    } = claim;
    let user_id = resident.user_id;
    let claim = state
        .db
        .write(move |conn| -> Result<TransferView> {
            cars::lock_user(conn, user_id)?;
            let holder = match cars::find_by_plate(conn, &plate)? {
                Some(car) if car.user_id == user_id => {
                    return Err(ServiceError::conflict(
                        "number: 您已绑定该车牌",
                        "number: the caller holds this plate already",
                    )
                    .into());
                }
                Some(car) => car.user_id,
                None => {
                    return Err(ServiceError::conflict(
                        "number: 该车牌没有被其他用户绑定，请直接绑定车辆",
                        "number: nobody holds this plate; bind it instead",
                    )
                    .into());
                }
            };
            let community = claimant_community(conn, user_id, xiaoqu.as_deref())?;
            if let Some(waiting) = db::find_waiting(conn, user_id, &plate)? {
                return view(conn, waiting);
            }
            let now = now_unix();
            let transfer = db::insert(
                conn,
                &NewTransfer {
                    plate: &plate,
                    claimant_user_id: user_id,
                    holder_user_id: holder,
                    community_identifier: &community,
                    reason: &why,
                    status: WAITING,
                    created_at: now,
                    updated_at: now,
                },
            )?;
            view(conn, transfer)
        })
        .await?;
    tracing::info!(
        user_id,
        transfer = claim.transfer.id,
        community = %claim.transfer.community_identifier,
        "plate transfer requested"
    );
    Ok(claim)
}

/// The claims of a community the credential manages, newest first; `status` 2 / 1 / 0 filters.
pub async fn list(
    state: &State,
    platform: &Platform,
    query: TransferQuery,
) -> ServiceResult<Page<TransferView>> {
    let TransferQuery {
        xiaoqu: community,
        status,
        paging,
    } = query;
    if !platform.manages(&community) {
        return Err(not_your_community("Se104"));
    }
    let (rows, total) = state
        .db
        .run(move |conn| -> Result<_> {
            let (rows, total) = db::page(conn, &community, status, paging)?;
            let rows = rows
                .into_iter()
                .map(|transfer| view(conn, transfer))
                .collect::<Result<Vec<_>>>()?;
            Ok((rows, total))
        })
        .await?;
    Ok(Page {
        rows,
        total,
        paging,
    })
}

fn transfer_not_found() -> ServiceError {
    ServiceError::not_found(
        "id: 没有找到该转绑申请",
        "id: no plate transfer with this id",
    )
}

/// The platform confirms (the plate moves to the claimant) or refuses claim `id` of its
/// community while it waits; `why` is its reason, if any.
pub async fn decide(
    state: &State,
    platform: &Platform,
    id: i64,
    confirm: bool,
    why: Option<String>,
) -> ServiceResult<TransferView> {
    let platform = platform.clone();
    let credential_id = platform.credential_id;
    let decided = state
        .db
        .write(move |conn| -> Result<TransferView> {
            let transfer = db::find(conn, id)?.ok_or_else(transfer_not_found)?;
            if !platform.manages(&transfer.community_identifier) {
                return Err(not_your_community("Se160").into());
            }
            if transfer.status != WAITING {
                return Err(ServiceError::conflict(
                    "该转绑申请已处理",
                    "the plate transfer was decided already",
                )
                .into());
            }
            let now = now_unix();
            if confirm {
                move_plate(conn, &transfer, now)?;
            }
            let status = if confirm { CONFIRMED } else { REFUSED };
            let reason = why.as_deref();
            if db::decide(conn, id, status, credential_id, reason, now)? == 0 {
                return Err(ServiceError::conflict(
                    "该转绑申请已处理",
                    "the plate transfer was decided meanwhile",
                )
                .into());
            }
            let transfer = db::find(conn, id)?.ok_or_else(transfer_not_found)?;
            view(conn, transfer)
        })
        .await?;
    tracing::info!(
        transfer = decided.transfer.id,
        status = decided.transfer.status,
        credential_id,
        "plate transfer decided"
    );
    Ok(decided)
}

/// Takes the plate from the holder the claim names and binds it to the claimant.
fn move_plate(conn: &mut AnyConnection, transfer: &Transfer, now: i64) -> Result<()> {
    cars::lock_user(conn, transfer.claimant_user_id)?;
    match cars::find_by_plate(conn, &transfer.plate)? {
        Some(car) if car.user_id == transfer.claimant_user_id => return Ok(()),
        Some(car) if car.user_id == transfer.holder_user_id => {
            cars::delete_of_user(conn, car.user_id, &transfer.plate)?;
        }
        Some(_) => {
            return Err(ServiceError::conflict(
                "该车牌的绑定人已变化，请让申请人重新提交",
                "the plate changed hands since the claim was made",
            )
            .into());
        }
        None => {}
    }
    if cars::count_for_user(conn, transfer.claimant_user_id)? >= MAX_CARS_PER_USER {
        return Err(ServiceError::conflict(
            format!("申请人已绑定{MAX_CARS_PER_USER}辆车，请让其先解绑不用的车辆"),
            "the claimant has bound the most cars allowed",
        )
        .into());
    }
    cars::insert(conn, transfer.claimant_user_id, &transfer.plate, now)?;
    Ok(())
}
