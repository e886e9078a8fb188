//! 000 §2.2.1: the resident proves a phone; whatever the security platform holds for it (the
//! person, their houses and the people living there) is saved, in one transaction.
use kit::db::AnyConnection;
use kit::error::{ErrorKind, ServiceError, ServiceResult};
use kit::time::now_unix;
use secplat::{HouseRecord, MemberRecord, PersonRecord, SecplatError};

use super::sync_registration_states;
use crate::actions::{Resident, State};
use crate::clients::auth::CodeKind;
use crate::db::addresses;
use crate::db::bindings::{self, NewBinding};
use crate::db::people::{self, Person};
use crate::domain::house::HouseFields;
use crate::domain::person::PersonData;
use crate::domain::registration::OWNER;
use crate::error::Result;

/// What an import did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Imported {
    /// The resident had a person record already; nothing was imported (2.2.1 example 2).
    pub already_registered: bool,
    /// Houses the resident was bound to (new or activated bindings).
    pub houses: i32,
    /// Bindings made for the other people living there.
    pub members: i32,
}

fn nobody() -> ServiceError {
    ServiceError::new(
        ErrorKind::Nothing,
        "该手机号还未绑定业主",
        "安防平台没有查找到该手机号绑定的数据,message编码Yi658-message编码SeApi57",
    )
}

/// Checks the community, consumes the code, and imports the platform's record for the phone.
pub async fn import_from_security_platform(
    state: &State,
    resident: &Resident,
    verification_key: &str,
    verification_code: &str,
    community_identifier: &str,
) -> ServiceResult<Imported> {
    // Checked before the code is consumed, so a wrong community does not cost the code.
    if !state.community_known(community_identifier).await? {
        return Err(ServiceError::not_found(
            "没有找到该小区",
            "没有根据id查找到小区，请核实社区的唯一标识是否有误",
        ));
    }
    let phone = state
        .auth
        .verify_code(
            verification_key,
            verification_code,
            CodeKind::Verify,
            resident.user_id,
        )
        .await?;
    let user_id = resident.user_id;
    let existing = state
        .db
        .run(move |conn| -> Result<_> { Ok(people::find_by_user(conn, user_id)?) })
        .await?;
    if existing.is_some() {
        tracing::info!(user_id, "person already registered; nothing imported");
        // Resends the state in case an earlier import could not.
        sync_registration_states(state, vec![user_id]).await;
        return Ok(Imported {
            already_registered: true,
            ..Imported::default()
        });
    }
    let record = state
        .secplat
        .find_person(&phone, "")
        .await?
        .ok_or_else(nobody)?;
    let imported = state
        .db
        .write(move |conn| save_record(conn, user_id, &phone, &record, now_unix()))
        .await?;
    tracing::info!(
        user_id,
        houses = imported.houses,
        members = imported.members,
        "security platform record imported"
    );
    if imported.houses > 0 {
        sync_registration_states(state, vec![user_id]).await;
    }
    Ok(imported)
}

fn normalised_idcard(value: &str) -> String {
    value.trim().to_ascii_uppercase()
}

fn person_of_record(record: &PersonRecord, phone: &str) -> PersonData {
    PersonData {
        phone: phone.to_owned(),
        name: record.people_name.clone(),
        sex: record.people_sex.clone(),
        nation: record.people_nation.clone(),
        birth: record.people_birth.clone(),
        address: record.people_address.clone(),
        idcard: normalised_idcard(&record.people_idcard),
        photo: record.people_photo.clone(),
        zhengzhimianmao: record.people_zhengzhimianmao.clone(),
        tuiyijunren: record.people_tuiyijunren,
        dibao: record.people_dibao,
        shangfang: record.people_shangfang,
        job_name: record.job_name.clone(),
        company_name: record.company_name.clone(),
    }
}

fn person_of_member(member: &MemberRecord) -> PersonData {
    PersonData {
        phone: member.member_phone.clone(),
        name: member.member_name.clone(),
        sex: member.member_sex.clone(),
        nation: member.member_nation.clone(),
        birth: member.member_birth.clone(),
        address: member.member_address.clone(),
        idcard: normalised_idcard(&member.member_idcard),
        photo: member.member_photo.clone(),
        zhengzhimianmao: member.member_zhengzhimianmao.clone(),
        tuiyijunren: member.member_tuiyijunren,
        dibao: member.member_dibao,
        shangfang: member.member_shangfang,
        job_name: member.member_job_name.clone(),
        company_name: member.member_company_name.clone(),
    }
}

/// Saves the platform's record for user `user_id`, who proved `phone`. Running it again changes
/// nothing and counts nothing.
pub fn save_record(
    conn: &mut AnyConnection,
    user_id: i64,
    phone: &str,
    record: &PersonRecord,
    now: i64,
) -> Result<Imported> {
    let data = person_of_record(record, phone);
    if data.idcard.is_empty() {
        return Err(ServiceError::from(SecplatError::Unavailable(
            "people: a record without people_idcard".to_owned(),
        ))
        .into());
    }
    let person = match people::find_by_idcard(conn, &data.idcard)? {
        Some(found) if found.user_id.is_some_and(|owner| owner != user_id) => {
            return Err(ServiceError::conflict(
                "该身份证号已被其他用户绑定",
                "安防平台查找到的人员已由其他小程序用户绑定",
            )
            .into());
        }
        Some(found) => people::link_user(conn, found.id, user_id, phone, now)?,
        None => people::insert(conn, Some(user_id), &data, now)?,
    };
    let mut imported = Imported::default();
    for house in &record.houses {
        let Some(address) = house.address() else {
            continue;
        };
        let Some(house_id) = addresses::find_house_at(conn, &address)? else {
            tracing::info!(
                community = %address.community_identifier,
                "a house of the record is not in the address tree; skipped"
            );
            continue;
        };
        if bind_person(
            conn,
            &person,
            house_id,
            &address.community_identifier,
            house,
            now,
        )? {
            imported.houses += 1;
        }
        for member in &house.members {
            if bind_member(
                conn,
                &person,
                house_id,
                &address.community_identifier,
                house,
                member,
                now,
            )? {
                imported.members += 1;
            }
        }
    }
    Ok(imported)
}

/// Binds the person to the house as the record says, activated; true when that changed anything.
fn bind_person(
    conn: &mut AnyConnection,
    person: &Person,
    house_id: i64,
    community_identifier: &str,
    house: &HouseRecord,
    now: i64,
) -> Result<bool> {
    let role = if house.people_house_role.is_empty() {
        // The platform did not say; 其他 is the seed's role for "cannot tell".
        "其他".to_owned()
    } else {
        house.people_house_role.clone()
    };
    let fields = HouseFields {
        role,
        status: house.people_house_status.clone(),
        house_use: house.people_house_use.clone(),
        xingzhi: house.people_house_xingzhi.clone(),
        household_type: house.people_house_type.clone(),
    };
    let existing = bindings::find_for(conn, person.id, house_id)?;
    if existing.as_ref().is_some_and(|found| found.activated) {
        return Ok(false);
    }
    // Not bound, or listed as someone's family member before signing up: this activates it.
    super::bind_activated(
        conn,
        existing,
        person.id,
        house_id,
        community_identifier,
        &fields,
        now,
    )?;
    Ok(true)
}

/// Saves a member (by ID number; a registered user's link is left alone) and binds them to the
/// house with their role, not activated unless they have signed up; true when a binding was made.
fn bind_member(
    conn: &mut AnyConnection,
    person: &Person,
    house_id: i64,
    community_identifier: &str,
    house: &HouseRecord,
    member: &MemberRecord,
    now: i64,
) -> Result<bool> {
    let data = person_of_member(member);
    if data.idcard.is_empty() || data.idcard == person.idcard {
        return Ok(false);
    }
    let member_person = match people::find_by_idcard(conn, &data.idcard)? {
        Some(found) => found,
        None => people::insert(conn, None, &data, now)?,
    };
    if bindings::find_for(conn, member_person.id, house_id)?.is_some() {
        return Ok(false);
    }
    let role = if member.member_role.is_empty() {
        "家属".to_owned()
    } else {
        member.member_role.clone()
    };
    let owner = role == OWNER;
    let fields = HouseFields {
        role,
        status: house.people_house_status.clone(),
        house_use: house.people_house_use.clone(),
        xingzhi: house.people_house_xingzhi.clone(),
        household_type: house.people_house_type.clone(),
    };
    bindings::insert(
        conn,
        &NewBinding {
            people_id: member_person.id,
            house_id,
            community_identifier,
            fields: &fields,
            shouquan: owner,
            charge: owner,
            activated: member_person.user_id.is_some(),
        },
        now,
    )?;
    Ok(true)
}
