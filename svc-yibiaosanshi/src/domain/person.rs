//! A person's data (000 §2.4.1), as the gateway checked it or as the security platform's records
//! give it: enumerations in 001's Chinese strings.
use std::fmt;

use kit::types::{mask_idcard, mask_phone};

/// A person's data.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_masks_the_numbers() {
        let person = PersonData {
            phone: "17600381130".into(),
            name: "杨哲".into(),
            sex: "男".into(),
            nation: "汉族".into(),
            birth: "19921130".into(),
            address: "河北秦皇岛海港区".into(),
            idcard: "130302199211302519".into(),
            photo: "https://example.com/p.png".into(),
            zhengzhimianmao: "群众".into(),
            tuiyijunren: false,
            dibao: false,
            shangfang: false,
            job_name: "程序员".into(),
            company_name: "万家灯火".into(),
        };
        let printed = format!("{person:?}");
        assert!(!printed.contains("17600381130"));
        assert!(!printed.contains("130302199211302519"));
    }
}
