//! 001 §2.1.1's `type` and `identifier`: whom an order is for.
use kit::error::{ServiceError, ServiceResult};
use proto::orders::create_order_request::Payer as Payer_;

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

    /// From the request's payer (the gateway checked its fields); `None` when it is missing.
    pub fn from_request(payer: Option<Payer_>) -> ServiceResult<Self> {
        Ok(match payer.ok_or_else(|| ServiceError::missing("type"))? {
            Payer_::House(house) => Self::House {
                louhao: house.louhao,
                danyuan: house.danyuan,
                louceng: house.louceng,
                fangjian: house.fangjian,
            },
            Payer_::Phone(phone) => Self::Phone {
                phone: phone.phone,
                name: phone.name.unwrap_or_default(),
            },
            Payer_::Idcard(idcard) => Self::Idcard(idcard),
            Payer_::CarNumber(number) => Self::Car(number),
            Payer_::ParkingNumber(number) => Self::Parking(number),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proto::orders::{HouseAddress, PhonePayer};

    #[test]
    fn every_kind_of_payer_is_taken_from_the_request() {
        let house = HouseAddress {
            louhao: 1,
            danyuan: 1,
            louceng: 1,
            fangjian: 101,
        };
        let payer = Payer::from_request(Some(Payer_::House(house))).expect("house");
        assert_eq!(payer.kind(), "house");
        let phone = Payer::from_request(Some(Payer_::Phone(PhonePayer {
            phone: "17600381130".into(),
            name: None,
        })))
        .expect("phone");
        assert_eq!(
            phone,
            Payer::Phone {
                phone: "17600381130".into(),
                name: String::new()
            }
        );
        assert_eq!(format!("{phone:?}"), "Payer::Phone(176****1130)");
        let car = Payer::from_request(Some(Payer_::CarNumber("GK12001".into()))).expect("car");
        assert_eq!(car.kind(), "car_number");
        assert!(Payer::from_request(None).is_err());
    }
}
