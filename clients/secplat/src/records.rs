//! The 一标三实 records the security platform answers with (seed 001 §1.1.2.5, §1.1.3.4), read
//! leniently: numbers or strings, 001's Chinese enum names or 002's numeric codes, 001's
//! `member_*` members or 002's three-field ones. Enumerations come out as 001's names.
//!
//! `Debug` masks phone and ID numbers, so a record never reaches a log in full.
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::enums::{self, Table, UnknownValue};
use kit::types::{mask_idcard, mask_phone};

/// A record field that could not be read; `field` is its path, e.g. `houses[0].members[1].member_role`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct RecordError {
    pub field: String,
    pub problem: String,
}

/// A person as 1.1.2 returns them, with the houses they are bound to.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct PersonRecord {
    pub people_name: String,
    /// 男 / 女, or empty when not given.
    pub people_sex: String,
    pub people_nation: String,
    /// As the platform gave it (`19870504`, or a timestamp in some of 001's examples).
    pub people_birth: String,
    pub people_address: String,
    pub people_idcard: String,
    pub people_phone: String,
    pub people_photo: String,
    /// 群众 / 党员, or empty.
    pub people_zhengzhimianmao: String,
    pub people_tuiyijunren: bool,
    pub people_dibao: bool,
    pub people_shangfang: bool,
    pub job_name: String,
    pub company_name: String,
    pub houses: Vec<HouseRecord>,
}

/// A house the person is bound to and the person's place in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HouseRecord {
    /// The community identifier (`10002`).
    pub xiaoqu: String,
    pub louhao: String,
    pub danyuan: String,
    pub louceng: String,
    pub fangjian: String,
    pub people_house_use: String,
    pub people_house_xingzhi: String,
    pub people_house_status: String,
    /// The person's role in this house (居民角色).
    pub people_house_role: String,
    pub people_house_type: String,
    pub members: Vec<MemberRecord>,
}

/// Someone else (or the person again) living in the house. 002 sent only the ID number, the
/// name and the role; the other fields are then empty.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct MemberRecord {
    pub member_idcard: String,
    pub member_name: String,
    pub member_role: String,
    pub member_sex: String,
    pub member_nation: String,
    pub member_birth: String,
    pub member_address: String,
    pub member_phone: String,
    pub member_photo: String,
    pub member_zhengzhimianmao: String,
    pub member_tuiyijunren: bool,
    pub member_dibao: bool,
    pub member_shangfang: bool,
    pub member_job_name: String,
    pub member_company_name: String,
}

/// The owner of a house as 1.1.3 returns them.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct OwnerRecord {
    pub people_phone: String,
    pub people_house_use: String,
    pub people_house_xingzhi: String,
    pub people_house_status: String,
    pub people_house_role: String,
    pub people_house_type: String,
}

/// A house's place in the hierarchy: how 1.1.3 asks for its owner.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HouseAddress {
    pub community_identifier: String,
    pub building_number: i64,
    pub unit_number: i64,
    pub floor_number: i64,
    pub house_number: i64,
}

/// Reads the fields of one JSON object, naming each by its path when it does not fit.
struct Fields<'a> {
    object: &'a Map<String, Value>,
    path: String,
}

impl<'a> Fields<'a> {
    fn of(value: &'a Value, path: &str) -> Result<Self, RecordError> {
        match value {
            Value::Object(object) => Ok(Self {
                object,
                path: path.to_owned(),
            }),
            other => Err(RecordError {
                field: if path.is_empty() { "data" } else { path }.to_owned(),
                problem: format!("应为对象，收到 {}", kind_of(other)),
            }),
        }
    }

    fn path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The first of `keys` that is present and not null.
    fn get(&self, keys: &[&str]) -> Option<(&'a Value, String)> {
        keys.iter().find_map(|key| {
            self.object
                .get(*key)
                .filter(|value| !value.is_null())
                .map(|value| (value, self.path(key)))
        })
    }

    /// Text; a number becomes its decimal form; missing or null is empty.
    fn text(&self, keys: &[&str]) -> Result<String, RecordError> {
        match self.get(keys) {
            None => Ok(String::new()),
            Some((Value::String(text), _)) => Ok(text.trim().to_owned()),
            Some((Value::Number(number), _)) => Ok(number.to_string()),
            Some((other, field)) => Err(RecordError {
                field,
                problem: format!("应为文字或数字，收到 {}", kind_of(other)),
            }),
        }
    }

    /// An enumeration normalised through `table`; missing, null or empty is empty.
    fn choice(&self, keys: &[&str], table: &Table) -> Result<String, RecordError> {
        match self.get(keys) {
            None => Ok(String::new()),
            Some((Value::String(text), _)) if text.trim().is_empty() => Ok(String::new()),
            Some((value, field)) => table.name(value).map_err(|error| unknown(field, &error)),
        }
    }

    /// A yes/no flag; missing, null or empty is no.
    fn flag(&self, keys: &[&str]) -> Result<bool, RecordError> {
        match self.get(keys) {
            None => Ok(false),
            Some((Value::String(text), _)) if text.trim().is_empty() => Ok(false),
            Some((value, field)) => {
                enums::flag("flag", value).map_err(|error| unknown(field, &error))
            }
        }
    }

    /// An array of objects read by `read`; missing or null is empty.
    fn list<T>(
        &self,
        key: &str,
        read: impl Fn(&Value, &str) -> Result<T, RecordError>,
    ) -> Result<Vec<T>, RecordError> {
        match self.get(&[key]) {
            None => Ok(Vec::new()),
            Some((Value::Array(items), field)) => items
                .iter()
                .enumerate()
                .map(|(index, item)| read(item, &format!("{field}[{index}]")))
                .collect(),
            Some((other, field)) => Err(RecordError {
                field,
                problem: format!("应为数组，收到 {}", kind_of(other)),
            }),
        }
    }
}

fn unknown(field: String, error: &UnknownValue) -> RecordError {
    RecordError {
        field,
        problem: format!("未知的取值 {}", error.value),
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "布尔值",
        Value::Number(_) => "数字",
        Value::String(_) => "文字",
        Value::Array(_) => "数组",
        Value::Object(_) => "对象",
    }
}

/// Implements `Deserialize` through `from_value`, so the lenient reading applies everywhere.
macro_rules! deserialize_through_from_value {
    ($($record:ty),*) => {$(
        impl<'de> Deserialize<'de> for $record {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = Value::deserialize(deserializer)?;
                Self::from_value(&value).map_err(serde::de::Error::custom)
            }
        }
    )*};
}

deserialize_through_from_value!(PersonRecord, HouseRecord, MemberRecord, OwnerRecord);

impl PersonRecord {
    /// Reads 1.1.2's `data`.
    pub fn from_value(value: &Value) -> Result<Self, RecordError> {
        Self::read(value, "")
    }

    fn read(value: &Value, path: &str) -> Result<Self, RecordError> {
        let fields = Fields::of(value, path)?;
        Ok(Self {
            people_name: fields.text(&["people_name"])?,
            people_sex: fields.choice(&["people_sex"], &enums::SEX)?,
            people_nation: fields.text(&["people_nation"])?,
            people_birth: fields.text(&["people_birth"])?,
            people_address: fields.text(&["people_address"])?,
            people_idcard: fields.text(&["people_idcard"])?,
            people_phone: fields.text(&["people_phone"])?,
            people_photo: fields.text(&["people_photo"])?,
            people_zhengzhimianmao: fields
                .choice(&["people_zhengzhimianmao"], &enums::POLITICAL_STATUS)?,
            people_tuiyijunren: fields.flag(&["people_tuiyijunren"])?,
            people_dibao: fields.flag(&["people_dibao"])?,
            people_shangfang: fields.flag(&["people_shangfang"])?,
            job_name: fields.text(&["job_name"])?,
            company_name: fields.text(&["company_name"])?,
            houses: fields.list("houses", HouseRecord::read)?,
        })
    }
}

impl HouseRecord {
    /// Reads one entry of `houses`.
    pub fn from_value(value: &Value) -> Result<Self, RecordError> {
        Self::read(value, "")
    }

    fn read(value: &Value, path: &str) -> Result<Self, RecordError> {
        let fields = Fields::of(value, path)?;
        Ok(Self {
            xiaoqu: fields.text(&["xiaoqu"])?,
            louhao: fields.text(&["louhao"])?,
            danyuan: fields.text(&["danyuan"])?,
            louceng: fields.text(&["louceng"])?,
            fangjian: fields.text(&["fangjian"])?,
            people_house_use: fields.choice(&["people_house_use"], &enums::HOUSE_USE)?,
            people_house_xingzhi: fields.choice(&["people_house_xingzhi"], &enums::HOUSE_NATURE)?,
            people_house_status: fields.choice(&["people_house_status"], &enums::HOUSE_STATUS)?,
            // 001's field table calls it people_role.
            people_house_role: fields
                .choice(&["people_house_role", "people_role"], &enums::ROLE)?,
            people_house_type: fields.choice(&["people_house_type"], &enums::HOUSEHOLD_TYPE)?,
            members: fields.list("members", MemberRecord::read)?,
        })
    }

    /// The house's address when every level is a number.
    pub fn address(&self) -> Option<HouseAddress> {
        Some(HouseAddress {
            community_identifier: self.xiaoqu.clone(),
            building_number: self.louhao.parse().ok()?,
            unit_number: self.danyuan.parse().ok()?,
            floor_number: self.louceng.parse().ok()?,
            house_number: self.fangjian.parse().ok()?,
        })
    }

    /// The member whose role is 业主, if the platform listed one.
    pub fn owner(&self) -> Option<&MemberRecord> {
        self.members
            .iter()
            .find(|member| member.member_role == "业主")
    }
}

impl MemberRecord {
    /// Reads one entry of `members`, in 001's shape or 002's.
    pub fn from_value(value: &Value) -> Result<Self, RecordError> {
        Self::read(value, "")
    }

    fn read(value: &Value, path: &str) -> Result<Self, RecordError> {
        let fields = Fields::of(value, path)?;
        Ok(Self {
            member_idcard: fields.text(&["member_idcard", "people_idcard"])?,
            member_name: fields.text(&["member_name", "people_house_name"])?,
            member_role: fields.choice(&["member_role", "people_house_role"], &enums::ROLE)?,
            member_sex: fields.choice(&["member_sex"], &enums::SEX)?,
            member_nation: fields.text(&["member_nation"])?,
            member_birth: fields.text(&["member_birth"])?,
            member_address: fields.text(&["member_address"])?,
            member_phone: fields.text(&["member_phone"])?,
            member_photo: fields.text(&["member_photo"])?,
            member_zhengzhimianmao: fields
                .choice(&["member_zhengzhimianmao"], &enums::POLITICAL_STATUS)?,
            member_tuiyijunren: fields.flag(&["member_tuiyijunren"])?,
            member_dibao: fields.flag(&["member_dibao"])?,
            member_shangfang: fields.flag(&["member_shangfang"])?,
            member_job_name: fields.text(&["member_job_name"])?,
            member_company_name: fields.text(&["member_company_name"])?,
        })
    }
}

impl OwnerRecord {
    /// Reads 1.1.3's `data`.
    pub fn from_value(value: &Value) -> Result<Self, RecordError> {
        let fields = Fields::of(value, "")?;
        Ok(Self {
            people_phone: fields.text(&["people_phone"])?,
            people_house_use: fields.choice(&["people_house_use"], &enums::HOUSE_USE)?,
            people_house_xingzhi: fields.choice(&["people_house_xingzhi"], &enums::HOUSE_NATURE)?,
            people_house_status: fields.choice(&["people_house_status"], &enums::HOUSE_STATUS)?,
            people_house_role: fields
                .choice(&["people_house_role", "people_role"], &enums::ROLE)?,
            people_house_type: fields.choice(&["people_house_type"], &enums::HOUSEHOLD_TYPE)?,
        })
    }
}

impl fmt::Debug for PersonRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PersonRecord")
            .field("people_name", &self.people_name)
            .field("people_sex", &self.people_sex)
            .field("people_nation", &self.people_nation)
            .field("people_birth", &self.people_birth)
            .field("people_address", &self.people_address)
            .field("people_idcard", &mask_idcard(&self.people_idcard))
            .field("people_phone", &mask_phone(&self.people_phone))
            .field("people_photo", &self.people_photo)
            .field("people_zhengzhimianmao", &self.people_zhengzhimianmao)
            .field("people_tuiyijunren", &self.people_tuiyijunren)
            .field("people_dibao", &self.people_dibao)
            .field("people_shangfang", &self.people_shangfang)
            .field("job_name", &self.job_name)
            .field("company_name", &self.company_name)
            .field("houses", &self.houses)
            .finish()
    }
}

impl fmt::Debug for MemberRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemberRecord")
            .field("member_idcard", &mask_idcard(&self.member_idcard))
            .field("member_name", &self.member_name)
            .field("member_role", &self.member_role)
            .field("member_sex", &self.member_sex)
            .field("member_nation", &self.member_nation)
            .field("member_birth", &self.member_birth)
            .field("member_address", &self.member_address)
            .field("member_phone", &mask_phone(&self.member_phone))
            .field("member_photo", &self.member_photo)
            .field("member_zhengzhimianmao", &self.member_zhengzhimianmao)
            .field("member_tuiyijunren", &self.member_tuiyijunren)
            .field("member_dibao", &self.member_dibao)
            .field("member_shangfang", &self.member_shangfang)
            .field("member_job_name", &self.member_job_name)
            .field("member_company_name", &self.member_company_name)
            .finish()
    }
}

impl fmt::Debug for OwnerRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnerRecord")
            .field("people_phone", &mask_phone(&self.people_phone))
            .field("people_house_use", &self.people_house_use)
            .field("people_house_xingzhi", &self.people_house_xingzhi)
            .field("people_house_status", &self.people_house_status)
            .field("people_house_role", &self.people_house_role)
            .field("people_house_type", &self.people_house_type)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The data of seed 002's example, numeric codes and all.
    fn seed_002_person() -> Value {
        json!({
            "people_name": "付钰",
            "people_sex": 1,
            "people_nation": "汉族",
            "people_birth": "19870504",
            "people_address": "河北省秦皇岛市海港区秦皇小区98-3-4",
            "people_idcard": "130302199211302219",
            "people_phone": "15131512234",
            "people_photo": "https:\\/\\/tc.mg.cool\\/uploads\\/test.png",
            "people_zhengzhimianmao": "1",
            "people_tuiyijunren": "0",
            "people_dibao": "0",
            "people_shangfang": "0",
            "job_name": "WEB工程师",
            "company_name": "万家灯火科技（河北）有限责任公司",
            "houses": [{
                "xiaoqu": "1", "louhao": "1", "danyuan": "1", "louceng": "1", "fangjian": "101",
                "people_house_use": 1,
                "people_house_xingzhi": 1,
                "people_house_status": 1,
                "people_house_role": 1,
                "people_house_type": 1,
                "members": [
                    {"people_idcard": "130324198705046010", "people_house_name": "付文生", "people_house_role": "3"},
                    {"people_idcard": "130324198705046010", "people_house_name": "付钰", "people_house_role": "1"}
                ]
            }]
        })
    }

    #[test]
    fn seed_002_numeric_codes_become_001_names() {
        let person = PersonRecord::from_value(&seed_002_person()).expect("002 data reads");
        assert_eq!(person.people_sex, "男");
        assert_eq!(person.people_zhengzhimianmao, "群众");
        assert!(!person.people_tuiyijunren);
        let house = &person.houses[0];
        assert_eq!(house.people_house_use, "住宅");
        assert_eq!(house.people_house_xingzhi, "私有");
        assert_eq!(house.people_house_status, "自用");
        assert_eq!(house.people_house_role, "业主");
        assert_eq!(house.people_house_type, "业主");
        assert_eq!(house.members[0].member_name, "付文生");
        assert_eq!(house.members[0].member_role, "丈夫");
        assert_eq!(house.members[0].member_idcard, "130324198705046010");
        assert_eq!(
            house.members[0].member_phone, "",
            "002 members have no phone"
        );
        assert_eq!(house.owner().map(|m| m.member_name.as_str()), Some("付钰"));
        assert_eq!(
            house.address(),
            Some(HouseAddress {
                community_identifier: "1".into(),
                building_number: 1,
                unit_number: 1,
                floor_number: 1,
                house_number: 101,
            })
        );
    }

    #[test]
    fn seed_001_data_reads_as_it_is() {
        // As 001 §1.1.2.5 shows it, with some numbers where it has strings.
        let data = r#"{
            "people_name": "付钰", "people_sex": "男", "people_nation": "汉族",
            "people_birth": "723052800", "people_address": "河北省秦皇岛市海港区秦皇小区98-3-4",
            "people_idcard": "130302199211302219", "people_phone": 15131512234,
            "people_photo": "https://tc.mg.cool/uploads/test.png",
            "people_zhengzhimianmao": "党员", "people_tuiyijunren": "1",
            "people_dibao": 0, "people_shangfang": "0",
            "job_name": "WEB工程师", "company_name": "万家灯火",
            "houses": [{
                "xiaoqu": "10002", "louhao": 1, "danyuan": "1", "louceng": "1", "fangjian": "102",
                "people_house_use": "经营", "people_house_xingzhi": "公有",
                "people_house_status": "租用", "people_house_role": "租客",
                "people_house_type": "租户",
                "members": [{
                    "member_idcard": "130324198705041234", "member_name": "付文生",
                    "member_role": "父亲", "member_sex": "男", "member_nation": "汉族",
                    "member_birth": 19870504, "member_address": "秦皇小区98-3-4",
                    "member_phone": "17600381130", "member_photo": "",
                    "member_zhengzhimianmao": "群众", "member_tuiyijunren": 1,
                    "member_dibao": 0, "member_shangfang": 0,
                    "member_job_name": "工程师", "member_company_name": "万家灯火"
                }]
            }]
        }"#;
        let person: PersonRecord = serde_json::from_str(data).expect("001 data reads");
        assert_eq!(person.people_birth, "723052800");
        assert_eq!(person.people_phone, "15131512234");
        assert!(person.people_tuiyijunren);
        assert_eq!(person.houses[0].louhao, "1");
        assert_eq!(person.houses[0].people_house_type, "租户");
        let member = &person.houses[0].members[0];
        assert_eq!(member.member_birth, "19870504");
        assert!(member.member_tuiyijunren);
        assert!(person.houses[0].owner().is_none());

        let again: PersonRecord =
            serde_json::from_value(serde_json::to_value(&person).expect("serialises"))
                .expect("its own output reads back");
        assert_eq!(again, person);
    }

    #[test]
    fn an_unknown_code_names_the_field_by_its_path() {
        let mut data = seed_002_person();
        data["houses"][0]["members"][1]["people_house_role"] = json!(99);
        let error = PersonRecord::from_value(&data).expect_err("99 is no role");
        assert_eq!(error.field, "houses[0].members[1].people_house_role");
        assert!(error.problem.contains("99"), "{error}");

        let mut data = seed_002_person();
        data["people_sex"] = json!(3);
        let error = PersonRecord::from_value(&data).expect_err("3 is no sex");
        assert_eq!(error.field, "people_sex");

        let mut data = seed_002_person();
        data["people_dibao"] = json!("maybe");
        assert_eq!(
            PersonRecord::from_value(&data)
                .expect_err("not a flag")
                .field,
            "people_dibao"
        );
    }

    #[test]
    fn a_shape_that_does_not_fit_is_named() {
        let error = PersonRecord::from_value(&json!("nobody")).expect_err("not an object");
        assert_eq!(error.field, "data");
        let error =
            PersonRecord::from_value(&json!({"houses": {"xiaoqu": "1"}})).expect_err("no array");
        assert_eq!(error.field, "houses");
        let error = PersonRecord::from_value(&json!({"people_name": ["a"]})).expect_err("array");
        assert_eq!(error.field, "people_name");
    }

    #[test]
    fn missing_fields_are_empty() {
        let person = PersonRecord::from_value(&json!({"people_phone": "17600381130"}))
            .expect("sparse data reads");
        assert_eq!(person.people_name, "");
        assert_eq!(person.people_sex, "");
        assert!(person.houses.is_empty());
    }

    #[test]
    fn owners_read_001_and_002() {
        let owner = OwnerRecord::from_value(&json!({
            "people_phone": "17600381130", "people_house_use": "住宅",
            "people_house_xingzhi": "私有", "people_house_status": "自用",
            "people_house_role": "业主", "people_house_type": "业主"
        }))
        .expect("001 owner");
        assert_eq!(owner.people_house_role, "业主");
        let owner = OwnerRecord::from_value(&json!({
            "people_phone": 17600381130_i64, "people_house_use": 7,
            "people_house_xingzhi": "3", "people_house_status": 2,
            "people_role": 1, "people_house_type": 1
        }))
        .expect("numeric owner");
        assert_eq!(owner.people_phone, "17600381130");
        assert_eq!(owner.people_house_use, "办公");
        assert_eq!(owner.people_house_xingzhi, "其他");
        assert_eq!(owner.people_house_status, "闲置");
        assert_eq!(owner.people_house_role, "业主");
    }

    #[test]
    fn debug_output_masks_phones_and_id_numbers() {
        let person = PersonRecord::from_value(&seed_002_person()).expect("reads");
        let printed = format!("{person:?}");
        assert!(!printed.contains("15131512234"), "{printed}");
        assert!(!printed.contains("130302199211302219"), "{printed}");
        assert!(!printed.contains("130324198705046010"), "{printed}");
        assert!(printed.contains("151****2234"), "{printed}");
    }
}
