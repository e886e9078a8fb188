//! A person's data as a resident submits it (000 §2.4.1): every field checked and named when
//! wrong, enumerations normalised to the seed's Chinese strings.
use std::fmt;

use kit::error::{ServiceError, ServiceResult};
use kit::types::{IdCardNumber, Mobile, mask_idcard, mask_phone};
use secplat::enums::{self, SEX};
use serde_json::Value;

use super::registration::POLITICAL_STATUS;

/// Longest name, in characters.
pub const MAX_NAME_CHARS: usize = 32;
/// Longest photo URL.
pub const MAX_PHOTO_CHARS: usize = 512;
/// Longest nation and job.
pub const MAX_SHORT_CHARS: usize = 64;
/// Longest address and company.
pub const MAX_LONG_CHARS: usize = 128;

/// The person part of a form as it arrived (the field names of 2.4.1).
#[derive(Clone, Default)]
pub struct PersonInput {
    pub phone: String,
    pub idcard: String,
    pub name: String,
    pub photo: String,
    pub sex: String,
    pub birth: String,
    pub nation: String,
    pub address: String,
    pub zzmm: String,
    pub tyjr: String,
    pub dibao: String,
    pub shangfang: String,
    pub job: String,
    pub company: String,
}

/// A person's data, checked.
#[derive(Clone, PartialEq, Eq)]
pub struct PersonData {
    pub phone: String,
    pub name: String,
    /// 男 / 女.
    pub sex: String,
    pub nation: String,
    /// `YYYYMMDD`, the ID number's birth date.
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
}

impl fmt::Debug for PersonData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PersonData")
            .field("phone", &mask_phone(&self.phone))
            .field("idcard", &mask_idcard(&self.idcard))
            .field("sex", &self.sex)
            .field("nation", &self.nation)
            .finish_non_exhaustive()
    }
}

/// `value` trimmed; an error naming `field` with `missing` when empty.
fn required<'a>(field: &str, value: &'a str, missing: &str) -> ServiceResult<&'a str> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ServiceError::invalid(field, missing));
    }
    if value.chars().any(char::is_control) {
        return Err(ServiceError::invalid(
            field,
            format!("{field}不能包含控制字符"),
        ));
    }
    Ok(value)
}

fn bounded(
    field: &str,
    value: &str,
    missing: &str,
    label: &str,
    max: usize,
) -> ServiceResult<String> {
    let value = required(field, value, missing)?;
    if value.chars().count() > max {
        return Err(ServiceError::invalid(
            field,
            format!("{label}不能超过{max}个字"),
        ));
    }
    Ok(value.to_owned())
}

fn flag(field: &'static str, value: &str, missing: &str) -> ServiceResult<bool> {
    let value = required(field, value, missing)?;
    enums::flag(field, &Value::String(value.to_owned()))
        .map_err(|_| ServiceError::invalid(field, format!("{field}必须是0或1")))
}

/// The birth date as `YYYYMMDD` (`1992-11-30` and `1992/11/30` are read too).
fn birth_digits(value: &str) -> String {
    value
        .chars()
        .filter(|c| !matches!(c, '-' | '/' | '.'))
        .collect()
}

impl PersonData {
    /// Checks every field of the form, in the form's order; the first problem names its field.
    pub fn parse(input: &PersonInput) -> ServiceResult<Self> {
        let phone = required("phone", &input.phone, "没有填写手机号")?;
        let phone = Mobile::parse(phone).map_err(|m| ServiceError::invalid("phone", m))?;
        let idcard = required("idcard", &input.idcard, "没有填写身份证号")?;
        let idcard = IdCardNumber::parse(idcard).map_err(|m| ServiceError::invalid("idcard", m))?;
        let born = idcard
            .birth_date()
            .map(|date| date.format("%Y%m%d").to_string())
            .ok_or_else(|| ServiceError::invalid("idcard", "身份证号的出生日期不正确"))?;
        let name = bounded("name", &input.name, "没有填写姓名", "姓名", MAX_NAME_CHARS)?;
        let photo = bounded(
            "photo",
            &input.photo,
            "没有上传人脸照片",
            "照片地址",
            MAX_PHOTO_CHARS,
        )?;
        let sex = required("sex", &input.sex, "没有填写性别")?;
        let sex = SEX
            .name_of(sex)
            .map_err(|_| ServiceError::invalid("sex", "性别必须是男或女"))?;
        let birth = match input.birth.trim() {
            "" => born,
            given => {
                let digits = birth_digits(given);
                if chrono::NaiveDate::parse_from_str(&digits, "%Y%m%d").is_err() {
                    return Err(ServiceError::invalid("birth", "出生日期必须是YYYYMMDD格式"));
                }
                if digits != born {
                    return Err(ServiceError::invalid("birth", "出生日期与身份证号不一致"));
                }
                digits
            }
        };
        let nation = bounded(
            "nation",
            &input.nation,
            "没有填写民族",
            "民族",
            MAX_SHORT_CHARS,
        )?;
        let address = bounded(
            "address",
            &input.address,
            "没有填写户籍地址",
            "户籍地址",
            MAX_LONG_CHARS,
        )?;
        let zzmm = required("zzmm", &input.zzmm, "没有填写政治面貌")?;
        let zhengzhimianmao = POLITICAL_STATUS.name_of(zzmm).map_err(|_| {
            ServiceError::invalid("zzmm", "政治面貌必须是群众、党员、共青团员、民主党派或其他")
        })?;
        let tuiyijunren = flag("tyjr", &input.tyjr, "没有填写是否退役军人")?;
        let dibao = flag("dibao", &input.dibao, "没有填写是否低保")?;
        let shangfang = flag("shangfang", &input.shangfang, "没有填写是否有上访记录")?;
        let job_name = bounded("job", &input.job, "没有填写职业", "职业", MAX_SHORT_CHARS)?;
        let company_name = bounded(
            "company",
            &input.company,
            "没有填写工作单位",
            "工作单位",
            MAX_LONG_CHARS,
        )?;
        Ok(Self {
            phone: phone.as_str().to_owned(),
            name,
            sex,
            nation,
            birth,
            address,
            idcard: idcard.as_str().to_owned(),
            photo,
            zhengzhimianmao,
            tuiyijunren,
            dibao,
            shangfang,
            job_name,
            company_name,
        })
    }

    /// The form this data would be submitted as (to check data that arrived another way).
    pub fn to_input(&self) -> PersonInput {
        let flag = |value: bool| if value { "1" } else { "0" }.to_owned();
        PersonInput {
            phone: self.phone.clone(),
            idcard: self.idcard.clone(),
            name: self.name.clone(),
            photo: self.photo.clone(),
            sex: self.sex.clone(),
            birth: self.birth.clone(),
            nation: self.nation.clone(),
            address: self.address.clone(),
            zzmm: self.zhengzhimianmao.clone(),
            tyjr: flag(self.tuiyijunren),
            dibao: flag(self.dibao),
            shangfang: flag(self.shangfang),
            job: self.job_name.clone(),
            company: self.company_name.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use kit::error::ErrorKind;

    use super::*;

    fn form() -> PersonInput {
        PersonInput {
            phone: "17600381130".into(),
            idcard: "130302199211302519".into(),
            name: "杨哲".into(),
            photo: "https://example.com/p.png".into(),
            sex: "男".into(),
            birth: "19921130".into(),
            nation: "汉族".into(),
            address: "河北秦皇岛海港区".into(),
            zzmm: "群众".into(),
            tyjr: "0".into(),
            dibao: "0".into(),
            shangfang: "0".into(),
            job: "程序员".into(),
            company: "万家灯火".into(),
        }
    }

    fn problem(input: &PersonInput) -> ServiceError {
        PersonData::parse(input).expect_err("refused")
    }

    #[test]
    fn a_complete_form_is_accepted() {
        let person = PersonData::parse(&form()).expect("valid");
        assert_eq!(person.birth, "19921130");
        assert_eq!(person.zhengzhimianmao, "群众");
        assert!(!person.tuiyijunren);
        assert_eq!(
            PersonData::parse(&person.to_input()).expect("again"),
            person
        );
    }

    #[test]
    fn a_missing_name_is_named_as_the_seed_says() {
        let error = problem(&PersonInput {
            name: " ".into(),
            ..form()
        });
        assert_eq!(error.kind, ErrorKind::Invalid);
        assert_eq!(error.message, "没有填写姓名");
        assert!(error.msg.starts_with("name"), "{}", error.msg);
    }

    #[test]
    fn the_birth_date_must_be_the_id_numbers() {
        let person = PersonData::parse(&PersonInput {
            birth: String::new(),
            ..form()
        })
        .expect("birth is optional");
        assert_eq!(person.birth, "19921130");
        assert!(
            PersonData::parse(&PersonInput {
                birth: "1992-11-30".into(),
                ..form()
            })
            .is_ok()
        );
        let error = problem(&PersonInput {
            birth: "19921201".into(),
            ..form()
        });
        assert_eq!(error.message, "出生日期与身份证号不一致");
        let error = problem(&PersonInput {
            birth: "723052800".into(),
            ..form()
        });
        assert!(error.msg.starts_with("birth"));
    }

    #[test]
    fn every_field_is_checked_and_named() {
        let cases: Vec<(&str, PersonInput)> = vec![
            (
                "phone",
                PersonInput {
                    phone: "1761049113".into(),
                    ..form()
                },
            ),
            (
                "idcard",
                PersonInput {
                    idcard: "130302199211302518".into(),
                    ..form()
                },
            ),
            (
                "name",
                PersonInput {
                    name: "名".repeat(33),
                    ..form()
                },
            ),
            (
                "photo",
                PersonInput {
                    photo: String::new(),
                    ..form()
                },
            ),
            (
                "photo",
                PersonInput {
                    photo: "x".repeat(513),
                    ..form()
                },
            ),
            (
                "sex",
                PersonInput {
                    sex: "未知".into(),
                    ..form()
                },
            ),
            (
                "nation",
                PersonInput {
                    nation: String::new(),
                    ..form()
                },
            ),
            (
                "address",
                PersonInput {
                    address: "址".repeat(129),
                    ..form()
                },
            ),
            (
                "zzmm",
                PersonInput {
                    zzmm: "3".into(),
                    ..form()
                },
            ),
            (
                "tyjr",
                PersonInput {
                    tyjr: "2".into(),
                    ..form()
                },
            ),
            (
                "dibao",
                PersonInput {
                    dibao: String::new(),
                    ..form()
                },
            ),
            (
                "shangfang",
                PersonInput {
                    shangfang: "yes".into(),
                    ..form()
                },
            ),
            (
                "job",
                PersonInput {
                    job: String::new(),
                    ..form()
                },
            ),
            (
                "company",
                PersonInput {
                    company: "司".repeat(129),
                    ..form()
                },
            ),
        ];
        for (field, input) in cases {
            let error = problem(&input);
            assert_eq!(error.kind, ErrorKind::Invalid, "{field}");
            assert!(
                error.msg.starts_with(&format!("{field}:")),
                "{field}: {}",
                error.msg
            );
        }
    }

    #[test]
    fn numeric_codes_of_002_are_accepted() {
        let person = PersonData::parse(&PersonInput {
            sex: "1".into(),
            zzmm: "2".into(),
            ..form()
        })
        .expect("codes");
        assert_eq!(
            (person.sex.as_str(), person.zhengzhimianmao.as_str()),
            ("男", "党员")
        );
        let person = PersonData::parse(&PersonInput {
            zzmm: "共青团员".into(),
            ..form()
        })
        .expect("name");
        assert_eq!(person.zhengzhimianmao, "共青团员");
    }

    #[test]
    fn debug_output_masks_the_numbers() {
        let printed = format!("{:?}", PersonData::parse(&form()).expect("valid"));
        assert!(!printed.contains("17600381130"));
        assert!(!printed.contains("130302199211302519"));
    }
}
