//! 审核数据 (seed 001 前言 shenhe_content): the JSON a review carries, as we write it and read it
//! back (leniently: numbers or strings, 002's codes or names). A platform's correction arrives
//! typed, checked by the gateway.
use std::fmt;

use kit::error::{ServiceError, ServiceResult};
use kit::types::{mask_idcard, mask_phone};
use secplat::enums::{self, SEX};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::house::HouseFields;
use super::person::PersonData;
use super::registration::ReviewType;

/// The whole 审核数据 object.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct ReviewContent {
    pub people: PeoplePart,
    pub job: JobPart,
    pub company: CompanyPart,
    pub house: HousePart,
}

/// `people`: the person the review is about.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct PeoplePart {
    pub user_id: i64,
    pub people_phone: String,
    pub people_name: String,
    pub people_sex: String,
    pub people_nation: String,
    pub people_birth: String,
    pub people_address: String,
    pub people_idcard: String,
    pub people_photo: String,
    pub people_zhengzhimianmao: String,
    #[serde(serialize_with = "flag_text")]
    pub people_tuiyijunren: bool,
    #[serde(serialize_with = "flag_text")]
    pub people_shangfang: bool,
    #[serde(serialize_with = "flag_text")]
    pub people_dibao: bool,
}

/// `job`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JobPart {
    pub job_name: String,
}

/// `company`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CompanyPart {
    pub company_name: String,
}

/// `house`: where, and the person's place there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HousePart {
    /// The house id, written as text as the seed writes it (`"4"`).
    #[serde(serialize_with = "id_text")]
    pub id: i64,
    pub community_identifier: String,
    pub building_number: i64,
    pub unit_number: i64,
    pub floor_number: i64,
    pub house_number: i64,
    pub people_house_role: String,
    pub people_house_status: String,
    pub people_house_use: String,
    pub people_house_xingzhi: String,
    pub people_house_type: String,
}

fn flag_text<S: Serializer>(value: &bool, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(if *value { "1" } else { "0" })
}

fn id_text<S: Serializer>(value: &i64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&value.to_string())
}

impl fmt::Debug for PeoplePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PeoplePart")
            .field("user_id", &self.user_id)
            .field("people_phone", &mask_phone(&self.people_phone))
            .field("people_idcard", &mask_idcard(&self.people_idcard))
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for ReviewContent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReviewContent")
            .field("people", &self.people)
            .field("house", &self.house)
            .finish_non_exhaustive()
    }
}

impl PeoplePart {
    pub fn new(user_id: i64, person: &PersonData) -> Self {
        Self {
            user_id,
            people_phone: person.phone.clone(),
            people_name: person.name.clone(),
            people_sex: person.sex.clone(),
            people_nation: person.nation.clone(),
            people_birth: person.birth.clone(),
            people_address: person.address.clone(),
            people_idcard: person.idcard.clone(),
            people_photo: person.photo.clone(),
            people_zhengzhimianmao: person.zhengzhimianmao.clone(),
            people_tuiyijunren: person.tuiyijunren,
            people_shangfang: person.shangfang,
            people_dibao: person.dibao,
        }
    }
}

impl ReviewContent {
    /// The content of a review about `person` (of user `user_id`) in `house`.
    pub fn new(user_id: i64, person: &PersonData, house: HousePart) -> Self {
        Self {
            people: PeoplePart::new(user_id, person),
            job: JobPart {
                job_name: person.job_name.clone(),
            },
            company: CompanyPart {
                company_name: person.company_name.clone(),
            },
            house,
        }
    }

    /// The JSON text stored with the review and shown to the platform.
    pub fn to_json(&self) -> ServiceResult<String> {
        serde_json::to_string(self).map_err(ServiceError::internal)
    }

    /// The person as the content describes them (not checked).
    pub fn person(&self) -> PersonData {
        let people = &self.people;
        PersonData {
            phone: people.people_phone.clone(),
            name: people.people_name.clone(),
            sex: people.people_sex.clone(),
            nation: people.people_nation.clone(),
            birth: people.people_birth.clone(),
            address: people.people_address.clone(),
            idcard: people.people_idcard.clone(),
            photo: people.people_photo.clone(),
            zhengzhimianmao: people.people_zhengzhimianmao.clone(),
            tuiyijunren: people.people_tuiyijunren,
            dibao: people.people_dibao,
            shangfang: people.people_shangfang,
            job_name: self.job.job_name.clone(),
            company_name: self.company.company_name.clone(),
        }
    }

    /// The role and house data the content declares.
    pub fn house_fields(&self) -> HouseFields {
        HouseFields {
            role: self.house.people_house_role.clone(),
            status: self.house.people_house_status.clone(),
            house_use: self.house.people_house_use.clone(),
            xingzhi: self.house.people_house_xingzhi.clone(),
            household_type: self.house.people_house_type.clone(),
        }
    }

    /// Reads 审核数据 leniently (numbers or strings, codes or names); a field that does not fit
    /// is named by its path under `content`.
    pub fn read(text: &str) -> ServiceResult<Self> {
        let value: Value = serde_json::from_str(text)
            .map_err(|_| ServiceError::invalid("content", "content必须是审核数据的JSON"))?;
        let root = Object::of(&value, "content")?;
        let people = root.object("people")?;
        let job = root.object("job")?;
        let company = root.object("company")?;
        let house = root.object("house")?;
        let fields = HouseFields {
            role: house.text("people_house_role")?,
            status: house.text("people_house_status")?,
            house_use: house.text("people_house_use")?,
            xingzhi: house.text("people_house_xingzhi")?,
            // 001's example writes the review type here; it says nothing of the household.
            household_type: Some(house.text("people_house_type")?)
                .filter(|value| ReviewType::parse(value).is_none())
                .unwrap_or_default(),
        }
        .normalise("content.house.")?;
        Ok(Self {
            people: PeoplePart {
                user_id: people.number("user_id")?,
                people_phone: people.text("people_phone")?,
                people_name: people.text("people_name")?,
                people_sex: people.choice("people_sex", |v| SEX.name_of(v).ok())?,
                people_nation: people.text("people_nation")?,
                people_birth: people.text("people_birth")?,
                people_address: people.text("people_address")?,
                people_idcard: people.text("people_idcard")?.to_ascii_uppercase(),
                people_photo: people.text("people_photo")?,
                people_zhengzhimianmao: people.text("people_zhengzhimianmao")?,
                people_tuiyijunren: people.flag("people_tuiyijunren")?,
                people_shangfang: people.flag("people_shangfang")?,
                people_dibao: people.flag("people_dibao")?,
            },
            job: JobPart {
                job_name: job.text("job_name")?,
            },
            company: CompanyPart {
                company_name: company.text("company_name")?,
            },
            house: HousePart {
                id: house.number("id")?,
                community_identifier: house.text("community_identifier")?,
                building_number: house.number("building_number")?,
                unit_number: house.number("unit_number")?,
                floor_number: house.number("floor_number")?,
                house_number: house.number("house_number")?,
                people_house_role: fields.role,
                people_house_status: fields.status,
                people_house_use: fields.house_use,
                people_house_xingzhi: fields.xingzhi,
                people_house_type: fields.household_type,
            },
        })
    }
}

/// One JSON object of the content and its path.
struct Object<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Object<'a> {
    fn of(value: &'a Value, path: &str) -> ServiceResult<Self> {
        match value {
            Value::Object(map) => Ok(Self {
                map,
                path: path.to_owned(),
            }),
            _ => Err(ServiceError::invalid(path, format!("{path}必须是对象"))),
        }
    }

    fn path(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }

    fn object(&self, key: &str) -> ServiceResult<Object<'a>> {
        let path = self.path(key);
        match self.map.get(key) {
            Some(value) => Object::of(value, &path),
            None => Err(ServiceError::invalid(&path, format!("缺少{path}"))),
        }
    }

    /// Text or a number as text; absent or null is empty.
    fn text(&self, key: &str) -> ServiceResult<String> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(text)) => Ok(text.trim().to_owned()),
            Some(Value::Number(number)) => Ok(number.to_string()),
            Some(_) => {
                let path = self.path(key);
                Err(ServiceError::invalid(
                    &path,
                    format!("{path}必须是文字或数字"),
                ))
            }
        }
    }

    /// A whole number, or text holding one; required.
    fn number(&self, key: &str) -> ServiceResult<i64> {
        let path = self.path(key);
        let number = match self.map.get(key) {
            Some(Value::Number(number)) => number.as_i64(),
            Some(Value::String(text)) => text.trim().parse().ok(),
            _ => None,
        };
        number.ok_or_else(|| ServiceError::invalid(&path, format!("{path}必须是整数")))
    }

    /// A name of a table (through `name`), empty allowed.
    fn choice(&self, key: &str, name: impl Fn(&str) -> Option<String>) -> ServiceResult<String> {
        let text = self.text(key)?;
        if text.is_empty() {
            return Ok(text);
        }
        name(&text).ok_or_else(|| {
            let path = self.path(key);
            ServiceError::invalid(&path, format!("{path}的取值{text}无效"))
        })
    }

    /// 0/1 (numbers, text, booleans); absent is 0.
    fn flag(&self, key: &str) -> ServiceResult<bool> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(false),
            Some(value) => enums::flag("flag", value).map_err(|_| {
                let path = self.path(key);
                ServiceError::invalid(&path, format!("{path}必须是0或1"))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn content() -> ReviewContent {
        ReviewContent {
            people: PeoplePart {
                user_id: 2,
                people_phone: "17600381130".into(),
                people_name: "杨哲".into(),
                people_sex: "男".into(),
                people_nation: "汉族".into(),
                people_birth: "19921130".into(),
                people_address: "秦皇小区98栋3单元4号".into(),
                people_idcard: "130302199211302519".into(),
                people_photo: "https://x/p.png".into(),
                people_zhengzhimianmao: "群众".into(),
                people_tuiyijunren: false,
                people_shangfang: false,
                people_dibao: true,
            },
            job: JobPart {
                job_name: "程序员".into(),
            },
            company: CompanyPart {
                company_name: "万家灯火".into(),
            },
            house: HousePart {
                id: 4,
                community_identifier: "10002".into(),
                building_number: 1,
                unit_number: 1,
                floor_number: 2,
                house_number: 201,
                people_house_role: "业主".into(),
                people_house_status: "自用".into(),
                people_house_use: "住宅".into(),
                people_house_xingzhi: "私有".into(),
                people_house_type: "业主".into(),
            },
        }
    }

    #[test]
    fn the_json_has_the_shape_of_the_seed() {
        let value: Value =
            serde_json::from_str(&content().to_json().expect("json")).expect("parses");
        assert_eq!(value["people"]["user_id"], json!(2));
        assert_eq!(value["people"]["people_dibao"], json!("1"));
        assert_eq!(value["people"]["people_tuiyijunren"], json!("0"));
        assert_eq!(value["job"]["job_name"], json!("程序员"));
        assert_eq!(value["company"]["company_name"], json!("万家灯火"));
        assert_eq!(value["house"]["id"], json!("4"));
        assert_eq!(value["house"]["community_identifier"], json!("10002"));
        assert_eq!(value["house"]["house_number"], json!(201));
        let keys: Vec<&String> = value["people"]
            .as_object()
            .expect("object")
            .keys()
            .collect();
        assert_eq!(keys.len(), 13);
    }

    #[test]
    fn our_own_json_reads_back() {
        let text = content().to_json().expect("json");
        assert_eq!(ReviewContent::read(&text).expect("reads"), content());
    }

    #[test]
    fn the_platform_may_send_numbers_and_codes() {
        // 001 §1.2.2's example, numeric codes and all.
        let text = r#"{"people":{"user_id":5,"people_phone":"17600381130","people_name":"杨哲","people_sex":2,"people_nation":"汉族","people_birth":723052800,"people_address":"阿斯顿","people_idcard":"130302199211302519","people_photo":"www","people_zhengzhimianmao":"1","people_tuiyijunren":"0","people_shangfang":"0","people_dibao":"0"},"job":{"job_name":"程序员"},"company":{"company_name":"万家灯火"},"house":{"id":"1","community_identifier":"1","building_number":1,"unit_number":1,"floor_number":1,"house_number":101,"people_house_role":1,"people_house_status":"1","people_house_use":"1","people_house_xingzhi":"1","people_house_type":"1"}}"#;
        let read = ReviewContent::read(text).expect("reads");
        assert_eq!(read.people.people_sex, "女");
        assert_eq!(read.people.people_birth, "723052800");
        assert_eq!(read.house.id, 1);
        assert_eq!(read.house.people_house_role, "业主");
        assert_eq!(read.house.people_house_use, "住宅");
        assert_eq!(read.house.people_house_type, "业主");
    }

    #[test]
    fn the_seeds_review_type_in_people_house_type_is_ignored() {
        let mut value: Value =
            serde_json::from_str(&content().to_json().expect("json")).expect("parses");
        value["house"]["people_house_type"] = json!("业主绑定");
        let read = ReviewContent::read(&value.to_string()).expect("reads");
        assert_eq!(read.house.people_house_type, "");
    }

    #[test]
    fn a_field_that_does_not_fit_is_named_by_its_path() {
        let mut value: Value =
            serde_json::from_str(&content().to_json().expect("json")).expect("parses");
        value["house"]["people_house_role"] = json!("邻居");
        let error = ReviewContent::read(&value.to_string()).expect_err("bad role");
        assert!(
            error.msg.starts_with("content.house.people_house_role"),
            "{}",
            error.msg
        );
        let error = ReviewContent::read("{\"people\": {}}").expect_err("no job");
        assert!(error.msg.starts_with("content.job"), "{}", error.msg);
        let error = ReviewContent::read("not json").expect_err("not json");
        assert!(error.msg.starts_with("content"));
        let mut value: Value =
            serde_json::from_str(&content().to_json().expect("json")).expect("parses");
        value["people"]["people_dibao"] = json!("maybe");
        let error = ReviewContent::read(&value.to_string()).expect_err("bad flag");
        assert!(error.msg.starts_with("content.people.people_dibao"));
    }

    #[test]
    fn debug_output_masks_the_numbers() {
        let printed = format!("{:?}", content());
        assert!(!printed.contains("17600381130"), "{printed}");
        assert!(!printed.contains("130302199211302519"), "{printed}");
    }
}
