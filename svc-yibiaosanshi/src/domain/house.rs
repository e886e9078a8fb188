//! A person's place in a house as a resident declares it (000 §2.4.1 / §2.4.2): the house, the
//! role and the house's data, each normalised to the seed's Chinese strings (002's numeric codes
//! accepted).
use kit::error::{ServiceError, ServiceResult};
use secplat::enums::{HOUSE_NATURE, HOUSE_STATUS, HOUSE_USE, HOUSEHOLD_TYPE, ROLE, Table};

use super::address::parse_positive_id;

/// The house part of a form as it arrived.
#[derive(Clone, Debug, Default)]
pub struct HouseChoiceInput {
    pub house_id: String,
    pub role: String,
    pub status: String,
    pub house_use: String,
    pub xingzhi: String,
    /// 1 与业主绑定 (default), 2 替换业主.
    pub choice: String,
    pub household_type: String,
}

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

/// A house choice, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HouseChoice {
    pub house_id: i64,
    pub fields: HouseFields,
    /// 2 替换业主 was chosen.
    pub replace_owner: bool,
}

/// A house id as a caller sent it, naming `field` when it is not one.
pub fn parse_house_id(field: &str, value: &str) -> ServiceResult<i64> {
    if value.trim().is_empty() {
        return Err(ServiceError::invalid(field, "没有选择房屋"));
    }
    parse_positive_id(value)
        .ok_or_else(|| ServiceError::invalid(field, format!("{field}必须是正整数")))
}

/// An id of a row (binding, review) as a caller sent it, naming `field`.
pub fn parse_row_id(field: &str, value: &str) -> ServiceResult<i64> {
    if value.trim().is_empty() {
        return Err(ServiceError::missing(field));
    }
    parse_positive_id(value)
        .ok_or_else(|| ServiceError::invalid(field, format!("{field}必须是正整数")))
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
pub fn parse_role(field: &str, value: &str) -> ServiceResult<String> {
    if value.trim().is_empty() {
        return Err(ServiceError::invalid(field, "没有选择角色"));
    }
    optional(&ROLE, field, "角色", value)
}

impl HouseFields {
    /// Role (required) and the optional house data of a form.
    pub fn parse(input: &HouseChoiceInput) -> ServiceResult<Self> {
        Ok(Self {
            role: parse_role("role", &input.role)?,
            status: optional(&HOUSE_STATUS, "status", "房屋状态", &input.status)?,
            house_use: optional(&HOUSE_USE, "use", "房屋用途", &input.house_use)?,
            xingzhi: optional(&HOUSE_NATURE, "xingzhi", "房屋性质", &input.xingzhi)?,
            household_type: optional(&HOUSEHOLD_TYPE, "type", "住户类型", &input.household_type)?,
        })
    }

    /// A change of `current`: what the form leaves empty stays as it is.
    pub fn parse_change(input: &HouseChoiceInput, current: &HouseFields) -> ServiceResult<Self> {
        let keep = |given: String, current: &str| {
            if given.is_empty() {
                current.to_owned()
            } else {
                given
            }
        };
        let role = if input.role.trim().is_empty() {
            current.role.clone()
        } else {
            parse_role("role", &input.role)?
        };
        Ok(Self {
            role,
            status: keep(
                optional(&HOUSE_STATUS, "status", "房屋状态", &input.status)?,
                &current.status,
            ),
            house_use: keep(
                optional(&HOUSE_USE, "use", "房屋用途", &input.house_use)?,
                &current.house_use,
            ),
            xingzhi: keep(
                optional(&HOUSE_NATURE, "xingzhi", "房屋性质", &input.xingzhi)?,
                &current.xingzhi,
            ),
            household_type: keep(
                optional(&HOUSEHOLD_TYPE, "type", "住户类型", &input.household_type)?,
                &current.household_type,
            ),
        })
    }

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

impl HouseChoice {
    /// Checks the house part of a 2.4.1 / 2.4.2 form.
    pub fn parse(input: &HouseChoiceInput) -> ServiceResult<Self> {
        let house_id = parse_house_id("house_id", &input.house_id)?;
        let fields = HouseFields::parse(input)?;
        let replace_owner = match input.choice.trim() {
            "" | "1" => false,
            "2" => true,
            _ => {
                return Err(ServiceError::invalid(
                    "choice",
                    "choice必须是1（与业主绑定）或2（替换业主）",
                ));
            }
        };
        Ok(Self {
            house_id,
            fields,
            replace_owner,
        })
    }
}

#[cfg(test)]
mod tests {
    use kit::error::ErrorKind;

    use super::*;

    fn input() -> HouseChoiceInput {
        HouseChoiceInput {
            house_id: "4".into(),
            role: "妻子".into(),
            ..HouseChoiceInput::default()
        }
    }

    #[test]
    fn only_the_house_and_the_role_are_required() {
        let choice = HouseChoice::parse(&input()).expect("valid");
        assert_eq!(choice.house_id, 4);
        assert_eq!(choice.fields.role, "妻子");
        assert_eq!(choice.fields.status, "");
        assert!(!choice.replace_owner);
        let error = HouseChoice::parse(&HouseChoiceInput {
            role: String::new(),
            ..input()
        })
        .expect_err("no role");
        assert_eq!(error.message, "没有选择角色");
        assert!(error.msg.starts_with("role"));
        let error = HouseChoice::parse(&HouseChoiceInput {
            house_id: "x".into(),
            ..input()
        })
        .expect_err("bad id");
        assert!(error.msg.starts_with("house_id"));
    }

    #[test]
    fn the_codes_of_002_become_names() {
        let choice = HouseChoice::parse(&HouseChoiceInput {
            role: "1".into(),
            status: "5".into(),
            house_use: "1".into(),
            xingzhi: "2".into(),
            household_type: "2".into(),
            choice: "2".into(),
            ..input()
        })
        .expect("codes");
        assert_eq!(
            choice.fields,
            HouseFields {
                role: "业主".into(),
                status: "租用".into(),
                house_use: "住宅".into(),
                xingzhi: "公有".into(),
                household_type: "租户".into(),
            }
        );
        assert!(choice.replace_owner);
    }

    #[test]
    fn a_wrong_value_names_its_field() {
        for (field, bad) in [
            (
                "role",
                HouseChoiceInput {
                    role: "邻居".into(),
                    ..input()
                },
            ),
            (
                "status",
                HouseChoiceInput {
                    status: "8".into(),
                    ..input()
                },
            ),
            (
                "use",
                HouseChoiceInput {
                    house_use: "豪宅".into(),
                    ..input()
                },
            ),
            (
                "xingzhi",
                HouseChoiceInput {
                    xingzhi: "4".into(),
                    ..input()
                },
            ),
            (
                "type",
                HouseChoiceInput {
                    household_type: "业主绑定".into(),
                    ..input()
                },
            ),
            (
                "choice",
                HouseChoiceInput {
                    choice: "3".into(),
                    ..input()
                },
            ),
        ] {
            let error = HouseChoice::parse(&bad).expect_err(field);
            assert_eq!(error.kind, ErrorKind::Invalid);
            assert!(error.msg.starts_with(&format!("{field}:")), "{}", error.msg);
        }
    }

    #[test]
    fn a_change_keeps_what_the_form_leaves_empty() {
        let current = HouseFields {
            role: "租客".into(),
            status: "租用".into(),
            house_use: "住宅".into(),
            xingzhi: "私有".into(),
            household_type: "租户".into(),
        };
        let changed = HouseFields::parse_change(
            &HouseChoiceInput {
                status: "闲置".into(),
                ..HouseChoiceInput::default()
            },
            &current,
        )
        .expect("valid");
        assert_eq!(changed.role, "租客");
        assert_eq!(changed.status, "闲置");
        assert_eq!(changed.household_type, "租户");
    }
}
