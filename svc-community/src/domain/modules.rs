//! The nine modules of 001 §3 and what each switch guards.

/// The seed's modules, in its order (their `id` in 3.2.1 is the position, from 1).
pub const MODULES: [&str; 9] = [
    "绑定房屋",
    "绑定家属",
    "生活缴费",
    "物业报修",
    "云停车场",
    "投诉建议",
    "公告通知",
    "应急电话",
    "访客通行",
];

/// The switches registrations obey, which svc-yibiaosanshi is told of and keeps.
pub const REGISTRATION_MODULES: [&str; 2] = ["绑定房屋", "绑定家属"];

pub const REPAIRS: &str = "物业报修";
pub const COMPLAINTS: &str = "投诉建议";
pub const ANNOUNCEMENTS: &str = "公告通知";
pub const EMERGENCY: &str = "应急电话";
pub const VISITORS: &str = "访客通行";

/// The position (1..=9) of a module name, if it is one of the nine.
pub fn position(name: &str) -> Option<i64> {
    MODULES
        .iter()
        .position(|m| *m == name)
        .and_then(|i| i64::try_from(i + 1).ok())
}

/// What the resident reads when a module is off.
pub fn closed_msg(name: &str) -> String {
    format!("该小区的{name}功能已关闭")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn positions_follow_the_seed() {
        assert_eq!(position("绑定房屋"), Some(1));
        assert_eq!(position("访客通行"), Some(9));
        assert_eq!(position("停车"), None);
    }
}
