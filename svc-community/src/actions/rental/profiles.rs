//! A resident's rental profile (/wx_fetch_userinfo, /create_userinfo) and invitations: every
//! user's code is their id in hex; a friend's code is set once, never one's own, never closing
//! a circle of invitations.
use kit::error::{ServiceError, ServiceResult};
use proto::rental::{Caller, ProfileFields, SaveProfileRequest, SetInviteCodeRequest};

use crate::actions::{State, resident};
use crate::db::rental::{self as db, ProfileRow};
use crate::domain::rental::{invite_code, invite_code_user};
use crate::domain::rental_key::FileKind;
use crate::error::Error;

/// Profile types that are landlords (房东, 二房东): only they may show a 400 short number.
const LANDLORDS: [i32; 2] = [1, 2];

/// How far up a chain of invitations is followed looking for a circle; chains are short.
const MAX_CHAIN: usize = 64;

/// The caller's profile (an empty one when they never saved it).
pub async fn mine(state: &State, request: Caller) -> ServiceResult<ProfileRow> {
    let user = resident(request.resident.as_ref())?.user_id;
    let now = kit::time::now_unix();
    Ok(state
        .db
        .run(move |conn| db::ensure_profile(conn, user, now).map_err(Error::from))
        .await?)
}

/// The payout account (`account_number`, `account_name`) of user `user_id`'s profile, empty
/// when they never saved one.
pub async fn payout_account(state: &State, user_id: i64) -> ServiceResult<(String, String)> {
    let row = state
        .db
        .run(move |conn| db::find_profile(conn, user_id).map_err(Error::from))
        .await?;
    Ok(row
        .map(|row| {
            (
                row.account_number.unwrap_or_default(),
                row.account_name.unwrap_or_default(),
            )
        })
        .unwrap_or_default())
}

/// Saves the fields sent.
pub async fn save(state: &State, request: SaveProfileRequest) -> ServiceResult<ProfileRow> {
    let user = resident(request.resident.as_ref())?.user_id;
    let fields = request.fields.unwrap_or_default();
    let portrait = match request.portrait {
        Some(content) => Some(
            state
                .rental_files
                .put("portrait", user, FileKind::Portrait, content)
                .await?,
        ),
        None => None,
    };
    let now = kit::time::now_unix();
    Ok(state
        .db
        .write(move |conn| {
            let mut row = db::ensure_profile(conn, user, now)?;
            apply(&mut row, fields)?;
            if portrait.is_some() {
                row.portrait_key = portrait;
            }
            row.saved_at = Some(now);
            row.updated_at = now;
            Ok::<_, Error>(db::save_profile(conn, &row)?)
        })
        .await?)
}

fn apply(row: &mut ProfileRow, f: ProfileFields) -> Result<(), Error> {
    macro_rules! set {
        ($($field:ident),*) => {
            $(if let Some(value) = f.$field {
                row.$field = Some(value);
            })*
        };
    }
    let short_number = f.virtual_tel_flag == Some(true) || f.virtual_tel.is_some();
    let short_field = if f.virtual_tel.is_some() {
        "virtual_tel"
    } else {
        "virtual_tel_flag"
    };
    set!(
        nickname,
        sex,
        user_type,
        self_description,
        address_province,
        address_city,
        birthday,
        constellations,
        education,
        occupation,
        account_name,
        account_number,
        account_idcardnumber,
        tel,
        virtual_tel_flag,
        virtual_tel,
        wechat,
        qq
    );
    if short_number && !row.user_type.is_some_and(|t| LANDLORDS.contains(&t)) {
        return Err(ServiceError::forbidden_in(short_field, "400短号仅限房东和二房东使用").into());
    }
    if !LANDLORDS.contains(&row.user_type.unwrap_or(0)) {
        row.virtual_tel_flag = None;
        row.virtual_tel = None;
    }
    Ok(())
}

/// The caller's code, and their friend's once set.
pub async fn codes(state: &State, request: Caller) -> ServiceResult<(String, String)> {
    let row = mine(state, request).await?;
    Ok((
        invite_code(row.user_id),
        row.inviter_id.map(invite_code).unwrap_or_default(),
    ))
}

/// Sets the friend who invited the caller: once, a user of the marketplace, not the caller, and
/// not someone the caller invited (directly or down a chain).
pub async fn set_code(state: &State, request: SetInviteCodeRequest) -> ServiceResult<()> {
    let user = resident(request.resident.as_ref())?.user_id;
    let unknown = || ServiceError::not_found_in("invite_code", "邀请码不存在");
    let inviter = invite_code_user(&request.invite_code).ok_or_else(unknown)?;
    if inviter == user {
        return Err(ServiceError::conflict_in(
            "invite_code",
            "不能填写自己的邀请码",
        ));
    }
    let now = kit::time::now_unix();
    state
        .db
        .write(move |conn| {
            db::find_profile(conn, inviter)?.ok_or_else(unknown)?;
            db::ensure_profile(conn, user, now)?;
            // Up the inviter's chain: meeting the caller would close a circle.
            let mut next = db::inviter_of(conn, inviter)?;
            for _ in 0..MAX_CHAIN {
                match next {
                    Some(id) if id == user => {
                        return Err(ServiceError::conflict_in(
                            "invite_code",
                            "不能填写您邀请的好友的邀请码",
                        )
                        .into());
                    }
                    Some(id) => next = db::inviter_of(conn, id)?,
                    None => break,
                }
            }
            if !db::set_inviter(conn, user, inviter)? {
                return Err(ServiceError::conflict_in("invite_code", "邀请码已经填写过了").into());
            }
            Ok::<_, Error>(())
        })
        .await?;
    Ok(())
}
