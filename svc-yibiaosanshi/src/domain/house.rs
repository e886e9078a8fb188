//! A person's place in a house (000 §2.4.1 / §2.4.2): the house, the role and the house's data,
//! in the seed's Chinese strings (the gateway maps 002's numeric codes of a form; stored data is
//! read back through the tables).
use kit::error::{ServiceError, ServiceResult};
use secplat::enums::{HOUSE_NATURE, HOUSE_STATUS, HOUSE_USE, HOUSEHOLD_TYPE, ROLE, Table};

/// Role and house data of a binding; empty strings where the resident gave nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HouseFields {
    /// 居民角色.
    pub role: String,
    /// 房屋状态.
    pub status: String,
    /// 房屋用途.
    pub house_use: String,
    /// 房屋性质.
    pub xingzhi: String,
    /// 住户类型.
    pub household_type: String,
}

/// A house choice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HouseChoice {
    pub house_id: i64,
    pub fields: HouseFields,
    /// 2 替换业主 was chosen.
    pub replace_owner: bool,
}

/// The table's name for `value`; empty stays empty.
fn optional(table: &Table, field: &str, label: &str, value: &str) -> ServiceResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(String::new());
    }
    table.name_of(value).map_err(|_| {
        ServiceError::invalid(
            field,
            format!("{label}必须是{}之一", table.names.join("、")),
        )
    })
}

/// 居民角色, required.
fn parse_role(field: &str, value: &str) -> ServiceResult<String> {
    if value.trim().is_empty() {
        return Err(ServiceError::invalid(field, "没有选择角色"));
    }
    optional(&ROLE, field, "角色", value)
}

impl HouseFields {
    /// The same fields read back from stored or platform-sent data (any spelling the tables
    /// know); `path` prefixes the field names in errors.
    pub fn normalise(&self, path: &str) -> ServiceResult<Self> {
        let field = |name: &str| format!("{path}{name}");
        Ok(Self {
            role: parse_role(&field("people_house_role"), &self.role)?,
            status: optional(
                &HOUSE_STATUS,
                &field("people_house_status"),
                "房屋状态",
                &self.status,
            )?,
            house_use: optional(
                &HOUSE_USE,
                &field("people_house_use"),
                "房屋用途",
                &self.house_use,
            )?,
            xingzhi: optional(
                &HOUSE_NATURE,
                &field("people_house_xingzhi"),
                "房屋性质",
                &self.xingzhi,
            )?,
            household_type: optional(
                &HOUSEHOLD_TYPE,
                &field("people_house_type"),
                "住户类型",
                &self.household_type,
            )?,
        })
    }
}

/// A change of a binding's role and house data: what is left out stays as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HouseChange {
    /// The binding's house, when the resident named it.
    pub house_id: Option<i64>,
    pub role: Option<String>,
    pub status: Option<String>,
    pub house_use: Option<String>,
    pub xingzhi: Option<String>,
    pub household_type: Option<String>,
}

impl HouseChange {
    /// `current` with the change made.
    pub fn applied_to(&self, current: &HouseFields) -> HouseFields {
        let pick = |given: &Option<String>, current: &str| {
            given.clone().unwrap_or_else(|| current.to_owned())
        };
        HouseFields {
            role: pick(&self.role, &current.role),
            status: pick(&self.status, &current.status),
            house_use: pick(&self.house_use, &current.house_use),
            xingzhi: pick(&self.xingzhi, &current.xingzhi),
            household_type: pick(&self.household_type, &current.household_type),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_keeps_what_it_leaves_out() {
        let current = HouseFields {
            role: "租客".into(),
            status: "租用".into(),
            house_use: "住宅".into(),
            xingzhi: "私有".into(),
            household_type: "租户".into(),
        };
        let changed = HouseChange {
            status: Some("闲置".into()),
            ..HouseChange::default()
        }
        .applied_to(&current);
        assert_eq!(changed.role, "租客");
        assert_eq!(changed.status, "闲置");
        assert_eq!(changed.household_type, "租户");
    }

    #[test]
    fn stored_fields_read_back_by_any_spelling_and_name_their_path() {
        let fields = HouseFields {
            role: "1".into(),
            status: "5".into(),
            house_use: "住宅".into(),
            xingzhi: String::new(),
            household_type: "2".into(),
        }
        .normalise("content.house.")
        .expect("codes");
        assert_eq!(fields.role, "业主");
        assert_eq!(fields.status, "租用");
        assert_eq!(fields.household_type, "租户");
        let error = HouseFields {
            role: "邻居".into(),
            ..HouseFields::default()
        }
        .normalise("content.house.")
        .expect_err("no such role");
        assert!(error.msg.starts_with("content.house.people_house_role"));
    }
}
