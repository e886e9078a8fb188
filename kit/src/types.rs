//! Validated types: a value of these types has been checked when it was parsed.
use std::fmt;

use chrono::NaiveDate;

/// A mainland China mobile number: 11 digits, `1[3-9]xxxxxxxxx`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Mobile(String);

impl Mobile {
    /// Accepts the bare number, with `+86`/`86` prefix or spaces and dashes removed.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let digits: String = input
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect();
        let digits = digits
            .strip_prefix("+86")
            .or_else(|| digits.strip_prefix("0086"))
            .unwrap_or(&digits);
        let bytes = digits.as_bytes();
        let valid = bytes.len() == 11
            && bytes.iter().all(u8::is_ascii_digit)
            && bytes[0] == b'1'
            && (b'3'..=b'9').contains(&bytes[1]);
        if valid {
            Ok(Self(digits.to_owned()))
        } else {
            Err("必须是正确的手机号")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `176****1130`.
    pub fn masked(&self) -> String {
        mask_phone(&self.0)
    }
}

impl fmt::Debug for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mobile({})", self.masked())
    }
}

impl fmt::Display for Mobile {
    /// Displays masked, so a number never reaches a log by accident.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// A resident identity card number (GB 11643-1999): 17 digits and a check character.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdCardNumber(String);

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

impl IdCardNumber {
    /// Checks length, region, birth date and the check character.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let value = input.trim().to_ascii_uppercase();
        let chars: Vec<char> = value.chars().collect();
        if chars.len() != 18 || !chars[..17].iter().all(char::is_ascii_digit) {
            return Err("身份证号必须是18位");
        }
        if !('1'..='9').contains(&chars[0]) {
            return Err("身份证号的地区码不正确");
        }
        let birth = &value[6..14];
        let date =
            NaiveDate::parse_from_str(birth, "%Y%m%d").map_err(|_| "身份证号的出生日期不正确")?;
        if date.format("%Y").to_string().as_str() < "1900" || date > chrono::Utc::now().date_naive()
        {
            return Err("身份证号的出生日期不正确");
        }
        let sum: u32 = chars[..17]
            .iter()
            .zip(WEIGHTS)
            .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
            .sum();
        let expected = CHECK[(sum % 11) as usize];
        if chars[17] != expected {
            return Err("身份证号校验码不正确");
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The birth date the number carries.
    pub fn birth_date(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").ok()
    }

    /// `1303**********2519`.
    pub fn masked(&self) -> String {
        mask_idcard(&self.0)
    }
}

impl fmt::Debug for IdCardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdCardNumber({})", self.masked())
    }
}

impl fmt::Display for IdCardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

fn mask_middle(value: &str, keep_start: usize, keep_end: usize) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= keep_start + keep_end {
        return "*".repeat(chars.len());
    }
    let hidden = chars.len() - keep_start - keep_end;
    let mut out: String = chars[..keep_start].iter().collect();
    out.push_str(&"*".repeat(hidden));
    out.extend(&chars[chars.len() - keep_end..]);
    out
}

/// Masks a phone number as DESIGN says: `176****1130`.
pub fn mask_phone(phone: &str) -> String {
    mask_middle(phone, 3, 4)
}

/// Masks an ID number as DESIGN says: `1303**********2519`.
pub fn mask_idcard(idcard: &str) -> String {
    mask_middle(idcard, 4, 4)
}

/// Masks a payout account for logs and strangers: an email keeps the first character of its
/// local part and its domain (`l*******@example.com`), anything else (a phone, an Alipay user id)
/// its first 3 and last 4 characters (`138****8000`).
pub fn mask_account(account: &str) -> String {
    match account.split_once('@') {
        Some((local, domain)) => format!("{}@{domain}", mask_middle(local, 1, 0)),
        None => mask_middle(account, 3, 4),
    }
}

/// Masks a person's name for logs: its first character stays (`李*`, `欧**`).
pub fn mask_name(name: &str) -> String {
    mask_middle(name, 1, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payout_accounts_and_names_are_masked() {
        assert_eq!(mask_account("landlord@example.com"), "l*******@example.com");
        assert_eq!(mask_account("13800138000"), "138****8000");
        assert_eq!(mask_account("2088102000000001"), "208*********0001");
        assert_eq!(mask_name("李雷"), "李*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
    }

    #[test]
    fn mobiles_are_mainland_eleven_digit_numbers() {
        assert_eq!(
            Mobile::parse("17600381130").expect("valid").as_str(),
            "17600381130"
        );
        assert_eq!(
            Mobile::parse("+86 176-0038-1130").expect("valid").as_str(),
            "17600381130"
        );
        assert!(Mobile::parse("1761049113").is_err());
        assert!(Mobile::parse("12600381130").is_err());
        assert!(Mobile::parse("1760038113a").is_err());
        assert!(Mobile::parse("").is_err());
    }

    #[test]
    fn a_mobile_never_prints_in_full() {
        let mobile = Mobile::parse("17600381130").expect("valid");
        assert_eq!(mobile.to_string(), "176****1130");
        assert_eq!(format!("{mobile:?}"), "Mobile(176****1130)");
    }

    #[test]
    fn id_numbers_carry_a_check_digit() {
        let id = IdCardNumber::parse("130302199211302519").expect("valid");
        assert_eq!(id.masked(), "1303**********2519");
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1992, 11, 30));
        assert!(IdCardNumber::parse("11010519491231002x").is_ok());
        assert_eq!(
            IdCardNumber::parse("130302199211302518"),
            Err("身份证号校验码不正确")
        );
        assert_eq!(
            IdCardNumber::parse("130302199213302519"),
            Err("身份证号的出生日期不正确")
        );
        assert!(IdCardNumber::parse("13030219921130251").is_err());
        assert!(IdCardNumber::parse("030302199211302519").is_err());
    }

    #[test]
    fn masks_keep_the_ends() {
        assert_eq!(mask_phone("17600381130"), "176****1130");
        assert_eq!(mask_idcard("130302199211302519"), "1303**********2519");
        assert_eq!(mask_phone("123"), "***");
    }
}
