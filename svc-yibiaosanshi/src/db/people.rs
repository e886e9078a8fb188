//! People: one row per ID number, linked to the mini-program user who registered as them.
use std::fmt;

use diesel::prelude::*;
use kit::db::AnyConnection;
use kit::types::{mask_idcard, mask_phone};

use super::schema::people;
use crate::domain::person::PersonData;

#[derive(Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = people)]
pub struct Person {
    pub id: i64,
    pub user_id: Option<i64>,
    pub phone: String,
    pub name: String,
    pub sex: String,
    pub nation: String,
    pub birth: String,
    pub address: String,
    pub idcard: String,
    pub photo: String,
    pub zhengzhimianmao: String,
    pub tuiyijunren: bool,
    pub dibao: bool,
    pub shangfang: bool,
    pub job_name: String,
    pub company_name: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl fmt::Debug for Person {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Person")
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .field("phone", &mask_phone(&self.phone))
            .field("idcard", &mask_idcard(&self.idcard))
            .finish_non_exhaustive()
    }
}

impl Person {
    /// The person's data as a review content carries it.
    pub fn data(&self) -> PersonData {
        PersonData {
            phone: self.phone.clone(),
            name: self.name.clone(),
            sex: self.sex.clone(),
            nation: self.nation.clone(),
            birth: self.birth.clone(),
            address: self.address.clone(),
            idcard: self.idcard.clone(),
            photo: self.photo.clone(),
            zhengzhimianmao: self.zhengzhimianmao.clone(),
            tuiyijunren: self.tuiyijunren,
            dibao: self.dibao,
            shangfang: self.shangfang,
            job_name: self.job_name.clone(),
            company_name: self.company_name.clone(),
        }
    }
}

/// The columns a person's data fills, for inserts and updates alike.
#[derive(AsChangeset, Insertable)]
#[diesel(table_name = people)]
struct DataColumns<'a> {
    phone: &'a str,
    name: &'a str,
    sex: &'a str,
    nation: &'a str,
    birth: &'a str,
    address: &'a str,
    idcard: &'a str,
    photo: &'a str,
    zhengzhimianmao: &'a str,
    tuiyijunren: bool,
    dibao: bool,
    shangfang: bool,
    job_name: &'a str,
    company_name: &'a str,
    updated_at: i64,
}

impl<'a> DataColumns<'a> {
    fn of(data: &'a PersonData, now: i64) -> Self {
        Self {
            phone: &data.phone,
            name: &data.name,
            sex: &data.sex,
            nation: &data.nation,
            birth: &data.birth,
            address: &data.address,
            idcard: &data.idcard,
            photo: &data.photo,
            zhengzhimianmao: &data.zhengzhimianmao,
            tuiyijunren: data.tuiyijunren,
            dibao: data.dibao,
            shangfang: data.shangfang,
            job_name: &data.job_name,
            company_name: &data.company_name,
            updated_at: now,
        }
    }
}

pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Person>> {
    people::table
        .find(id)
        .select(Person::as_select())
        .first(conn)
        .optional()
}

/// The person user `user_id` registered as.
pub fn find_by_user(conn: &mut AnyConnection, user_id: i64) -> QueryResult<Option<Person>> {
    people::table
        .filter(people::user_id.eq(user_id))
        .select(Person::as_select())
        .first(conn)
        .optional()
}

/// The people entered with `phone` (and `name`, unless empty).
pub fn find_by_phone(
    conn: &mut AnyConnection,
    phone: &str,
    name: &str,
) -> QueryResult<Vec<Person>> {
    let mut query = people::table
        .filter(people::phone.eq(phone))
        .select(Person::as_select())
        .into_boxed();
    if !name.is_empty() {
        query = query.filter(people::name.eq(name));
    }
    query.load(conn)
}

pub fn find_by_idcard(conn: &mut AnyConnection, idcard: &str) -> QueryResult<Option<Person>> {
    people::table
        .filter(people::idcard.eq(idcard))
        .select(Person::as_select())
        .first(conn)
        .optional()
}

/// Inserts a person with `data`, linked to `user_id` when given.
pub fn insert(
    conn: &mut AnyConnection,
    user_id: Option<i64>,
    data: &PersonData,
    now: i64,
) -> QueryResult<Person> {
    diesel::insert_into(people::table)
        .values((
            DataColumns::of(data, now),
            people::user_id.eq(user_id),
            people::created_at.eq(now),
        ))
        .returning(people::all_columns)
        .get_result::<Person>(conn)
}

/// Replaces the person's data (ID number included).
pub fn update_data(
    conn: &mut AnyConnection,
    id: i64,
    data: &PersonData,
    now: i64,
) -> QueryResult<Person> {
    diesel::update(people::table.find(id))
        .set(DataColumns::of(data, now))
        .returning(people::all_columns)
        .get_result::<Person>(conn)
}

/// Links the person to `user_id` and records the phone the user proved.
pub fn link_user(
    conn: &mut AnyConnection,
    id: i64,
    user_id: i64,
    phone: &str,
    now: i64,
) -> QueryResult<Person> {
    diesel::update(people::table.find(id))
        .set((
            people::user_id.eq(Some(user_id)),
            people::phone.eq(phone),
            people::updated_at.eq(now),
        ))
        .returning(people::all_columns)
        .get_result::<Person>(conn)
}

/// Links the person to `user_id`, keeping the rest.
pub fn set_user(conn: &mut AnyConnection, id: i64, user_id: i64, now: i64) -> QueryResult<usize> {
    diesel::update(people::table.find(id))
        .set((
            people::user_id.eq(Some(user_id)),
            people::updated_at.eq(now),
        ))
        .execute(conn)
}
