//! The records the simulated security platform holds, and the look-ups it answers from them.

use anyhow::Context;
use secplat::{HouseRecord, PersonRecord};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// The copy of `fixtures/security-platform.json` built into the sandbox.
const EMBEDDED: &str = include_str!("../../fixtures/security-platform.json");

#[derive(Deserialize)]
struct RawFixture {
    #[serde(default)]
    people: Vec<Value>,
    #[serde(default)]
    modules: Map<String, Value>,
}

/// Where 1.1.3 looks for an owner.
pub(crate) struct AddressQuery<'a> {
    pub community_identifier: &'a str,
    pub building_number: &'a str,
    pub unit_number: &'a str,
    pub floor_number: &'a str,
    pub house_number: &'a str,
}

/// The platform's people (as given, and read) and module states.
pub(crate) struct Fixture {
    /// Each entry exactly as the file has it: what 1.1.2 answers.
    people: Vec<Value>,
    /// The same entries read by our client's parser, for matching.
    records: Vec<PersonRecord>,
    modules: Map<String, Value>,
}

impl Fixture {
    /// The built-in records when `path` is empty, else the JSON file at `path`.
    pub(crate) fn load(path: &str) -> anyhow::Result<Self> {
        if path.trim().is_empty() {
            return Self::parse(EMBEDDED).context("the built-in security platform fixture");
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the security platform fixture {path}"))?;
        Self::parse(&text).with_context(|| format!("the security platform fixture {path}"))
    }

    pub(crate) fn parse(text: &str) -> anyhow::Result<Self> {
        let raw: RawFixture = serde_json::from_str(text).context("not the fixture's shape")?;
        let records = raw
            .people
            .iter()
            .enumerate()
            .map(|(index, person)| {
                PersonRecord::from_value(person).with_context(|| format!("people[{index}]"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        if let Some((community, _)) = raw.modules.iter().find(|(_, states)| !states.is_object()) {
            anyhow::bail!("modules.{community} is not an object");
        }
        Ok(Self {
            people: raw.people,
            records,
            modules: raw.modules,
        })
    }

    /// 1.1.2: the entry whose phone matches, and whose name too when one is given.
    pub(crate) fn find_person(&self, phone: &str, name: Option<&str>) -> Option<&Value> {
        self.records
            .iter()
            .position(|person| {
                person.people_phone == phone && name.is_none_or(|name| person.people_name == name)
            })
            .and_then(|index| self.people.get(index))
    }

    /// 1.1.3: the owner of the house at `address`, in 1.1.3.4's shape.
    pub(crate) fn find_owner(&self, address: &AddressQuery<'_>) -> Option<Value> {
        self.records.iter().find_map(|person| {
            person
                .houses
                .iter()
                .filter(|house| is_at(house, address))
                .find_map(|house| owner_of(person, house))
        })
    }

    /// 3.1.1's data: the module states as one JSON text.
    pub(crate) fn modules_text(&self) -> String {
        Value::Object(self.modules.clone()).to_string()
    }
}

/// Equal as text, or as numbers (`"01"` is `"1"`).
fn same(held: &str, asked: &str) -> bool {
    let asked = asked.trim();
    held == asked || matches!((held.parse::<i64>(), asked.parse::<i64>()), (Ok(a), Ok(b)) if a == b)
}

fn is_at(house: &HouseRecord, address: &AddressQuery<'_>) -> bool {
    house.xiaoqu == address.community_identifier.trim()
        && same(&house.louhao, address.building_number)
        && same(&house.danyuan, address.unit_number)
        && same(&house.louceng, address.floor_number)
        && same(&house.fangjian, address.house_number)
}

/// The owner as seen from `person`'s entry: the person when they are the owner, else the member
/// with the owner's role; only an owner with a phone counts.
fn owner_of(person: &PersonRecord, house: &HouseRecord) -> Option<Value> {
    let (phone, household_type) = if house.people_house_role == "业主" {
        let household_type = if house.people_house_type.is_empty() {
            "业主"
        } else {
            house.people_house_type.as_str()
        };
        (person.people_phone.as_str(), household_type)
    } else {
        let owner = house.owner()?;
        let phone = if owner.member_phone.is_empty() && owner.member_idcard == person.people_idcard
        {
            person.people_phone.as_str()
        } else {
            owner.member_phone.as_str()
        };
        (phone, "业主")
    };
    (!phone.is_empty()).then(|| {
        json!({
            "people_phone": phone,
            "people_house_use": house.people_house_use,
            "people_house_xingzhi": house.people_house_xingzhi,
            "people_house_status": house.people_house_status,
            "people_house_role": "业主",
            "people_house_type": household_type,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(community: &'a str, house: [&'a str; 4]) -> AddressQuery<'a> {
        AddressQuery {
            community_identifier: community,
            building_number: house[0],
            unit_number: house[1],
            floor_number: house[2],
            house_number: house[3],
        }
    }

    #[test]
    fn the_built_in_fixture_loads() {
        let fixture = Fixture::load("").expect("built-in fixture");
        assert_eq!(fixture.people.len(), 3);
        assert!(fixture.modules_text().contains("10002"));
    }

    #[test]
    fn people_match_by_phone_and_name_or_phone_alone() {
        let fixture = Fixture::load("").expect("built-in fixture");
        let found = fixture
            .find_person("17600381130", Some("王芳"))
            .expect("王芳");
        assert_eq!(found["people_name"], "王芳");
        assert!(fixture.find_person("17600381130", Some("付钰")).is_none());
        assert!(fixture.find_person("17600381130", None).is_some());
        assert!(fixture.find_person("17600000000", None).is_none());
    }

    #[test]
    fn owners_are_found_by_address_with_numbers_compared_as_numbers() {
        let fixture = Fixture::load("").expect("built-in fixture");
        let owner = fixture
            .find_owner(&at("10002", ["1", "1", "2", "201"]))
            .expect("王芳 owns 201");
        assert_eq!(owner["people_phone"], "17600381130");
        assert_eq!(owner["people_house_role"], "业主");
        let owner = fixture
            .find_owner(&at("10002", ["01", "1", "1", "102"]))
            .expect("付钰 owns 102");
        assert_eq!(owner["people_house_use"], "经营");
        assert_eq!(owner["people_house_status"], "租用");
        assert!(
            fixture
                .find_owner(&at("10002", ["3", "2", "6", "602"]))
                .is_none()
        );
        assert!(
            fixture
                .find_owner(&at("10003", ["1", "1", "2", "201"]))
                .is_none()
        );
    }

    #[test]
    fn an_owner_listed_only_among_the_members_is_found_too() {
        let fixture = Fixture::parse(
            r#"{"people": [{
                "people_name": "李四", "people_phone": "13900139000", "people_idcard": "x",
                "houses": [{
                    "xiaoqu": "9", "louhao": 1, "danyuan": 1, "louceng": 1, "fangjian": 101,
                    "people_house_use": 1, "people_house_xingzhi": 1, "people_house_status": 5,
                    "people_house_role": 2, "people_house_type": 2,
                    "members": [{"member_name": "张三", "member_role": "业主", "member_phone": "13700137000"}]
                }]
            }]}"#,
        )
        .expect("fixture with numeric codes");
        let owner = fixture
            .find_owner(&at("9", ["1", "1", "1", "101"]))
            .expect("张三 owns it");
        assert_eq!(owner["people_phone"], "13700137000");
        assert_eq!(owner["people_house_status"], "租用");
        assert_eq!(owner["people_house_type"], "业主");
    }

    #[test]
    fn a_fixture_with_an_unknown_code_is_refused_naming_the_field() {
        let error = Fixture::parse(r#"{"people": [{"people_sex": 7}]}"#)
            .err()
            .expect("7 is no sex");
        let chain = format!("{error:#}");
        assert!(chain.contains("people[0]"), "{chain}");
        assert!(chain.contains("people_sex"), "{chain}");
    }
}
