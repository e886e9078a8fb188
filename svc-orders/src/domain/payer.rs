//! 001 §2.1.1's `type` and `identifier`: whom an order is for.
use kit::error::{ServiceError, ServiceResult};
use serde_json::{Map, Value};

/// Longest plate or parking spot number accepted.
const MAX_NUMBER_CHARS: usize = 32;

/// A validated payer.
#[derive(Clone, PartialEq, Eq)]
pub enum Payer {
    House {
        louhao: i64,
        danyuan: i64,
        louceng: i64,
        fangjian: i64,
    },
    /// `name` empty in the first mode (registered users only).
    Phone {
        phone: String,
        name: String,
    },
    Idcard(String),
    /// A plate a user bound in the mini-program (`car_number`).
    Car(String),
    /// A parking spot of the community (`parking_number`).
    Parking(String),
}

impl std::fmt::Debug for Payer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::House { .. } => f.write_str("Payer::House"),
            Self::Phone { phone, .. } => {
                write!(f, "Payer::Phone({})", kit::types::mask_phone(phone))
            }
            Self::Idcard(idcard) => write!(f, "Payer::Idcard({})", kit::types::mask_idcard(idcard)),
            Self::Car(number) => write!(f, "Payer::Car({number})"),
            Self::Parking(number) => write!(f, "Payer::Parking({number})"),
        }
    }
}

impl Payer {
    /// `house`, `phone`, `idcard`, `car_number` or `parking_number`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::House { .. } => "house",
            Self::Phone { .. } => "phone",
            Self::Idcard(_) => "idcard",
            Self::Car(_) => "car_number",
            Self::Parking(_) => "parking_number",
        }
    }

    /// Reads `type` and the `identifier` JSON object.
    pub fn parse(kind: &str, identifier: &str) -> ServiceResult<Self> {
        let object = identifier_object(identifier)?;
        let text = |name: &str| -> Option<String> {
            match object.get(name) {
                Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            }
        };
        match kind.trim() {
            "house" => {
                let number = |name: &str| -> ServiceResult<i64> {
                    let value = text(name).ok_or_else(|| {
                        ServiceError::invalid("identifier", format!("identifier缺少{name}"))
                    })?;
                    value.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                        ServiceError::invalid(
                            "identifier",
                            format!("identifier的{name}必须是正整数"),
                        )
                    })
                };
                Ok(Self::House {
                    louhao: number("louhao")?,
                    danyuan: number("danyuan")?,
                    louceng: number("louceng")?,
                    fangjian: number("fangjian")?,
                })
            }
            "phone" => {
                let phone = text("phone")
                    .ok_or_else(|| ServiceError::invalid("identifier", "identifier缺少phone"))?;
                let phone = kit::types::Mobile::parse(&phone).map_err(|_| {
                    ServiceError::invalid("identifier", "identifier的phone必须是正确的手机号")
                })?;
                let name = text("name").unwrap_or_default();
                if name.chars().count() > 50 {
                    return Err(ServiceError::invalid("identifier", "identifier的name过长"));
                }
                Ok(Self::Phone {
                    phone: phone.as_str().to_owned(),
                    name,
                })
            }
            "idcard" => {
                let idcard = text("idcard")
                    .ok_or_else(|| ServiceError::invalid("identifier", "identifier缺少idcard"))?;
                let idcard = kit::types::IdCardNumber::parse(&idcard).map_err(|_| {
                    ServiceError::invalid("identifier", "identifier的idcard必须是正确的身份证号")
                })?;
                Ok(Self::Idcard(idcard.as_str().to_owned()))
            }
            // Taken as sent: svc-yibiaosanshi normalises it and finds it or not (code 2).
            kind @ ("car_number" | "parking_number") => {
                let number = text("number")
                    .ok_or_else(|| ServiceError::invalid("identifier", "identifier缺少number"))?;
                if number.chars().count() > MAX_NUMBER_CHARS {
                    return Err(ServiceError::invalid(
                        "identifier",
                        "identifier的number过长",
                    ));
                }
                Ok(if kind == "car_number" {
                    Self::Car(number)
                } else {
                    Self::Parking(number)
                })
            }
            "" => Err(ServiceError::missing("type")),
            _ => Err(ServiceError::invalid(
                "type",
                "type必须是house、phone、idcard、car_number或parking_number",
            )),
        }
    }
}

fn identifier_object(identifier: &str) -> ServiceResult<Map<String, Value>> {
    if identifier.trim().is_empty() {
        return Err(ServiceError::missing("identifier"));
    }
    match serde_json::from_str::<Value>(identifier) {
        Ok(Value::Object(object)) => Ok(object),
        _ => Err(ServiceError::invalid(
            "identifier",
            "identifier必须是JSON对象",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_identifiers_are_read() {
        assert_eq!(
            Payer::parse(
                "house",
                r#"{"louhao":"1","danyuan":"1","louceng":"1","fangjian":"101"}"#
            )
            .expect("house"),
            Payer::House {
                louhao: 1,
                danyuan: 1,
                louceng: 1,
                fangjian: 101
            }
        );
        assert_eq!(
            Payer::parse("phone", r#"{"name":"杨哲","phone":17600381130}"#).expect("phone"),
            Payer::Phone {
                phone: "17600381130".into(),
                name: "杨哲".into()
            }
        );
        assert!(Payer::parse("idcard", r#"{"idcard":"130302199211302519"}"#).is_ok());
        assert!(Payer::parse("idcard", r#"{"idcard":"130302199211302510"}"#).is_err());
        assert!(Payer::parse("house", r#"{"louhao":"1"}"#).is_err());
        assert!(Payer::parse("house", "not json").is_err());
        assert!(Payer::parse("car", "{}").is_err());
        assert_eq!(
            Payer::parse("car_number", r#"{"number":"GK12001"}"#).expect("car"),
            Payer::Car("GK12001".into())
        );
        assert_eq!(
            Payer::parse("parking_number", r#"{"number":"A012"}"#).expect("spot"),
            Payer::Parking("A012".into())
        );
        for (kind, identifier) in [
            ("car_number", "{}"),
            ("car_number", r#"{"number":"  "}"#),
            ("parking_number", r#"{"phone":"17600381130"}"#),
        ] {
            let error = Payer::parse(kind, identifier).expect_err(kind);
            assert!(error.msg.starts_with("identifier"), "{}", error.msg);
        }
        assert!(
            Payer::parse(
                "parking_number",
                &format!(r#"{{"number":"{}"}}"#, "A".repeat(33))
            )
            .is_err()
        );
    }
}
