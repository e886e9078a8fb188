//! The enumerations of the 一标三实 data (seed 001 前言) and the numeric codes seed 002 used for
//! them: every value is normalised to the Chinese string of 001, whichever form it arrived in.
use serde_json::Value;

/// A value that is neither a name of the table nor one of its numeric codes.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: 未知的取值 {value}")]
pub struct UnknownValue {
    /// The field whose table was consulted, e.g. `people_house_role`.
    pub field: &'static str,
    /// The value as it arrived (JSON text).
    pub value: String,
}

/// One enumeration: its names (001), the numeric codes 002 gave them, and older spellings.
#[derive(Debug)]
pub struct Table {
    /// The field the table belongs to; named in errors.
    pub field: &'static str,
    /// The names of 001, in table order.
    pub names: &'static [&'static str],
    /// 002's numeric codes and the 001 name each stands for.
    pub codes: &'static [(i64, &'static str)],
    /// Other spellings seen in the seeds and the name they stand for.
    pub aliases: &'static [(&'static str, &'static str)],
}

impl Table {
    /// The 001 name `value` stands for: a name, an alias, or a code (as a number or a string).
    pub fn name(&self, value: &Value) -> Result<String, UnknownValue> {
        let found = match value {
            Value::Number(number) => number.as_i64().and_then(|code| self.by_code(code)),
            Value::String(text) => self.by_text(text.trim()),
            _ => None,
        };
        found.map(str::to_owned).ok_or_else(|| UnknownValue {
            field: self.field,
            value: value.to_string(),
        })
    }

    /// [`Table::name`] for a value already held as text.
    pub fn name_of(&self, text: &str) -> Result<String, UnknownValue> {
        self.name(&Value::String(text.to_owned()))
    }

    fn by_code(&self, code: i64) -> Option<&'static str> {
        self.codes
            .iter()
            .find(|(known, _)| *known == code)
            .map(|(_, name)| *name)
    }

    fn by_text(&self, text: &str) -> Option<&'static str> {
        if let Some(name) = self.names.iter().find(|name| **name == text) {
            return Some(name);
        }
        if let Some((_, name)) = self.aliases.iter().find(|(alias, _)| *alias == text) {
            return Some(name);
        }
        text.parse::<i64>().ok().and_then(|code| self.by_code(code))
    }
}

/// 居民角色 (`people_house_role`, `member_role`); 002's 1 本人 is 001's 业主.
pub static ROLE: Table = Table {
    field: "people_house_role",
    names: &[
        "家属", "业主", "租客", "丈夫", "妻子", "父亲", "母亲", "爷爷", "奶奶", "姥爷", "姥姥",
        "儿子", "女儿", "其他",
    ],
    codes: &[
        (0, "家属"),
        (1, "业主"),
        (2, "租客"),
        (3, "丈夫"),
        (4, "妻子"),
        (5, "父亲"),
        (6, "母亲"),
        (7, "爷爷"),
        (8, "奶奶"),
        (9, "姥爷"),
        (10, "姥姥"),
        (11, "儿子"),
        (12, "女儿"),
        (13, "其他"),
    ],
    aliases: &[("本人", "业主")],
};

/// 房屋用途 (`people_house_use`); 002 wrote the 补充 into some names.
pub static HOUSE_USE: Table = Table {
    field: "people_house_use",
    names: &[
        "住宅", "生产", "经营", "仓储", "教育", "文化", "办公", "商业", "其他",
    ],
    codes: &[
        (1, "住宅"),
        (2, "生产"),
        (3, "经营"),
        (4, "仓储"),
        (5, "教育"),
        (6, "文化"),
        (7, "办公"),
        (8, "商业"),
        (9, "其他"),
    ],
    aliases: &[
        ("经营（商业）（饭店）", "经营"),
        ("教育（医疗、卫生、科研）", "教育"),
        ("文化(娱乐、体育)", "文化"),
        ("文化（娱乐、体育）", "文化"),
        ("商业（金融）（信息）", "商业"),
    ],
};

/// 房屋性质 (`people_house_xingzhi`).
pub static HOUSE_NATURE: Table = Table {
    field: "people_house_xingzhi",
    names: &["私有", "公有", "其他"],
    codes: &[(1, "私有"), (2, "公有"), (3, "其他")],
    aliases: &[],
};

/// 房屋状态 (`people_house_status`; 002 called it 居住现状).
pub static HOUSE_STATUS: Table = Table {
    field: "people_house_status",
    names: &["自用", "闲置", "借用", "空挂", "租用", "拆迁", "其他"],
    codes: &[
        (1, "自用"),
        (2, "闲置"),
        (3, "借用"),
        (4, "空挂"),
        (5, "租用"),
        (6, "拆迁"),
        (7, "其他"),
    ],
    aliases: &[],
};

/// 住户类型 (`people_house_type`).
pub static HOUSEHOLD_TYPE: Table = Table {
    field: "people_house_type",
    names: &["业主", "租户", "其他"],
    codes: &[(1, "业主"), (2, "租户"), (3, "其他")],
    aliases: &[],
};

/// 房屋类型 (`house_type`): 001 only, no numeric codes.
pub static HOUSE_TYPE: Table = Table {
    field: "house_type",
    names: &[
        "单元楼",
        "筒子楼",
        "四合院",
        "独立平房",
        "自建小楼",
        "别墅",
        "自建",
        "其他",
    ],
    codes: &[],
    aliases: &[],
};

/// 性别 (`people_sex`): 002 sent 1 男, 2 女.
pub static SEX: Table = Table {
    field: "people_sex",
    names: &["男", "女"],
    codes: &[(1, "男"), (2, "女")],
    aliases: &[],
};

/// 政治面貌 (`people_zhengzhimianmao`): 002 sent 1 群众, 2 党员.
pub static POLITICAL_STATUS: Table = Table {
    field: "people_zhengzhimianmao",
    names: &["群众", "党员"],
    codes: &[(1, "群众"), (2, "党员")],
    aliases: &[],
};

/// 审核类型 (`shenhe_type`): names only.
pub static REVIEW_TYPE: Table = Table {
    field: "shenhe_type",
    names: &[
        "业主绑定",
        "租客绑定",
        "家属绑定",
        "替换业主",
        "业主解绑",
        "租客解绑",
        "家属解绑",
        "修改房屋数据",
        "修改个人信息",
    ],
    codes: &[],
    aliases: &[],
};

/// 审核状态 (`shenhe_status`): 001 numbers them 0 未通过, 1 通过, 2 等待.
pub static REVIEW_STATUS: Table = Table {
    field: "shenhe_status",
    names: &["审核未通过", "审核通过", "等待审核"],
    codes: &[(0, "审核未通过"), (1, "审核通过"), (2, "等待审核")],
    aliases: &[],
};

/// 居民角色 of a value as the platform sent it.
pub fn role_name(value: &Value) -> Result<String, UnknownValue> {
    ROLE.name(value)
}

/// 房屋用途.
pub fn house_use_name(value: &Value) -> Result<String, UnknownValue> {
    HOUSE_USE.name(value)
}

/// 房屋性质.
pub fn house_nature_name(value: &Value) -> Result<String, UnknownValue> {
    HOUSE_NATURE.name(value)
}

/// 房屋状态.
pub fn house_status_name(value: &Value) -> Result<String, UnknownValue> {
    HOUSE_STATUS.name(value)
}

/// 住户类型.
pub fn household_type_name(value: &Value) -> Result<String, UnknownValue> {
    HOUSEHOLD_TYPE.name(value)
}

/// 房屋类型.
pub fn house_type_name(value: &Value) -> Result<String, UnknownValue> {
    HOUSE_TYPE.name(value)
}

/// 性别.
pub fn sex_name(value: &Value) -> Result<String, UnknownValue> {
    SEX.name(value)
}

/// 政治面貌.
pub fn political_status_name(value: &Value) -> Result<String, UnknownValue> {
    POLITICAL_STATUS.name(value)
}

/// 审核类型.
pub fn review_type_name(value: &Value) -> Result<String, UnknownValue> {
    REVIEW_TYPE.name(value)
}

/// 审核状态.
pub fn review_status_name(value: &Value) -> Result<String, UnknownValue> {
    REVIEW_STATUS.name(value)
}

/// A yes/no flag (退役军人, 低保, 上访, module states): 0/1 as numbers or strings, booleans, 否/是.
pub fn flag(field: &'static str, value: &Value) -> Result<bool, UnknownValue> {
    let parsed = match value {
        Value::Bool(flag) => Some(*flag),
        Value::Number(number) => match number.as_i64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        Value::String(text) => match text.trim() {
            "0" | "否" | "false" => Some(false),
            "1" | "是" | "true" => Some(true),
            _ => None,
        },
        _ => None,
    };
    parsed.ok_or_else(|| UnknownValue {
        field,
        value: value.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn roles_accept_names_and_the_numeric_codes_of_002() {
        assert_eq!(role_name(&json!("妻子")).expect("name"), "妻子");
        assert_eq!(role_name(&json!(1)).expect("code"), "业主");
        assert_eq!(role_name(&json!("1")).expect("code as text"), "业主");
        assert_eq!(role_name(&json!("本人")).expect("002 name"), "业主");
        assert_eq!(role_name(&json!(0)).expect("code"), "家属");
        assert_eq!(role_name(&json!("13")).expect("code"), "其他");
        assert_eq!(role_name(&json!(10)).expect("code"), "姥姥");
    }

    #[test]
    fn an_unknown_code_names_the_field() {
        let error = role_name(&json!(14)).expect_err("no such role");
        assert_eq!(error.field, "people_house_role");
        assert_eq!(error.value, "14");
        assert_eq!(error.to_string(), "people_house_role: 未知的取值 14");
        assert!(house_use_name(&json!("豪宅")).is_err());
        assert!(sex_name(&json!(null)).is_err());
        assert!(role_name(&json!("")).is_err());
    }

    #[test]
    fn house_tables_follow_002() {
        assert_eq!(house_use_name(&json!(3)).expect("code"), "经营");
        assert_eq!(
            house_use_name(&json!("经营（商业）（饭店）")).expect("002 name"),
            "经营"
        );
        assert_eq!(house_use_name(&json!("9")).expect("code"), "其他");
        assert_eq!(house_nature_name(&json!(2)).expect("code"), "公有");
        assert_eq!(house_status_name(&json!(5)).expect("code"), "租用");
        assert_eq!(house_status_name(&json!("拆迁")).expect("name"), "拆迁");
        assert!(house_status_name(&json!(8)).is_err());
        assert_eq!(household_type_name(&json!(2)).expect("code"), "租户");
        assert_eq!(house_type_name(&json!("别墅")).expect("name"), "别墅");
        assert!(house_type_name(&json!(1)).is_err(), "房屋类型 has no codes");
    }

    #[test]
    fn sex_and_political_status_have_two_codes_each() {
        assert_eq!(sex_name(&json!(1)).expect("code"), "男");
        assert_eq!(sex_name(&json!("2")).expect("code"), "女");
        assert_eq!(political_status_name(&json!("1")).expect("code"), "群众");
        assert_eq!(political_status_name(&json!(2)).expect("code"), "党员");
        assert!(political_status_name(&json!(3)).is_err());
    }

    #[test]
    fn review_statuses_are_numbered_from_zero() {
        assert_eq!(review_status_name(&json!(0)).expect("code"), "审核未通过");
        assert_eq!(review_status_name(&json!("2")).expect("code"), "等待审核");
        assert_eq!(
            review_type_name(&json!("替换业主")).expect("name"),
            "替换业主"
        );
    }

    #[test]
    fn flags_take_numbers_text_and_booleans() {
        for yes in [json!(1), json!("1"), json!(true), json!("是")] {
            assert!(flag("people_dibao", &yes).expect("yes"), "{yes}");
        }
        for no in [json!(0), json!("0"), json!(false), json!("否")] {
            assert!(!flag("people_dibao", &no).expect("no"), "{no}");
        }
        let error = flag("people_dibao", &json!(2)).expect_err("not a flag");
        assert_eq!(error.field, "people_dibao");
    }
}
