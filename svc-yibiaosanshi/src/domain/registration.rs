//! The vocabulary of 一标三实 (000 前言): roles, review kinds, types and statuses, the sentences
//! that introduce a house and a review, and the labels of the family-rights buttons.
use std::fmt;

/// The 居民角色 of a house's owner.
pub const OWNER: &str = "业主";
/// The 居民角色 of a tenant.
pub const TENANT: &str = "租客";

/// Who the applicant is in a house, as the review sentences name them: family roles and 其他
/// are all 家属.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applicant {
    Owner,
    Tenant,
    Family,
}

impl Applicant {
    pub fn of_role(role: &str) -> Self {
        match role {
            OWNER => Self::Owner,
            TENANT => Self::Tenant,
            _ => Self::Family,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "业主",
            Self::Tenant => "租客",
            Self::Family => "家属",
        }
    }

    /// The review that binds someone of this kind to a house.
    pub fn binding(self) -> ReviewType {
        match self {
            Self::Owner => ReviewType::OwnerBind,
            Self::Tenant => ReviewType::TenantBind,
            Self::Family => ReviewType::FamilyBind,
        }
    }

    /// The review that unbinds someone of this kind from a house.
    pub fn unbinding(self) -> ReviewType {
        match self {
            Self::Owner => ReviewType::OwnerUnbind,
            Self::Tenant => ReviewType::TenantUnbind,
            Self::Family => ReviewType::FamilyUnbind,
        }
    }
}

/// 审核类型.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewType {
    OwnerBind,
    TenantBind,
    FamilyBind,
    ReplaceOwner,
    OwnerUnbind,
    TenantUnbind,
    FamilyUnbind,
    ModifyHouse,
    ModifyPerson,
}

impl ReviewType {
    pub const ALL: [Self; 9] = [
        Self::OwnerBind,
        Self::TenantBind,
        Self::FamilyBind,
        Self::ReplaceOwner,
        Self::OwnerUnbind,
        Self::TenantUnbind,
        Self::FamilyUnbind,
        Self::ModifyHouse,
        Self::ModifyPerson,
    ];

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == value)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OwnerBind => "业主绑定",
            Self::TenantBind => "租客绑定",
            Self::FamilyBind => "家属绑定",
            Self::ReplaceOwner => "替换业主",
            Self::OwnerUnbind => "业主解绑",
            Self::TenantUnbind => "租客解绑",
            Self::FamilyUnbind => "家属解绑",
            Self::ModifyHouse => "修改房屋数据",
            Self::ModifyPerson => "修改个人信息",
        }
    }

    /// Approving it binds the applicant to the house.
    pub fn binds(self) -> bool {
        matches!(
            self,
            Self::OwnerBind | Self::TenantBind | Self::FamilyBind | Self::ReplaceOwner
        )
    }

    /// Approving it removes the applicant's binding.
    pub fn unbinds(self) -> bool {
        matches!(
            self,
            Self::OwnerUnbind | Self::TenantUnbind | Self::FamilyUnbind
        )
    }
}

impl fmt::Display for ReviewType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// 审核状态, numbered as 001 numbers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewStatus {
    Refused,
    Approved,
    Pending,
}

impl ReviewStatus {
    pub fn code(self) -> i32 {
        match self {
            Self::Refused => 0,
            Self::Approved => 1,
            Self::Pending => 2,
        }
    }

    pub fn from_code(code: i32) -> Option<Self> {
        match code {
            0 => Some(Self::Refused),
            1 => Some(Self::Approved),
            2 => Some(Self::Pending),
            _ => None,
        }
    }

    /// How the resident's lists show it (000 §3.1.1, §3.1.2).
    pub fn resident_label(self) -> &'static str {
        match self {
            Self::Refused => "未通过",
            Self::Approved => "审核通过",
            Self::Pending => "待审核",
        }
    }
}

/// The mini-program user's registration state (000 前言 小程序用户权限), kept by svc-auth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistrationState {
    NewMember,
    Shenheing,
    HouseMember,
}

impl RegistrationState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NewMember => "NewMember",
            Self::Shenheing => "Shenheing",
            Self::HouseMember => "HouseMember",
        }
    }

    /// The state a user is in: bound to a house, else waiting for a review, else new.
    pub fn of(has_activated_binding: bool, has_pending_review: bool) -> Self {
        if has_activated_binding {
            Self::HouseMember
        } else if has_pending_review {
            Self::Shenheing
        } else {
            Self::NewMember
        }
    }
}

/// `晨曦家园1栋1单元1楼101号`.
pub fn house_introduction(
    community_name: &str,
    building_number: i64,
    unit_number: i64,
    floor_number: i64,
    house_number: i64,
) -> String {
    format!("{community_name}{building_number}栋{unit_number}单元{floor_number}楼{house_number}号")
}

/// `业主正在申请：业主绑定`.
pub fn action_introduction(role: &str, kind: ReviewType) -> String {
    format!("{}正在申请：{kind}", Applicant::of_role(role).as_str())
}

/// A review row of 3.1.1: `晨曦家园1栋1单元1楼101号的业主正在申请：家属绑定`.
pub fn review_row_introduction(house_introduction: &str, action_introduction: &str) -> String {
    format!("{house_introduction}的{action_introduction}")
}

/// The two rights an owner hands out (000 §3.2.1, §3.2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grant {
    /// 管理: may bind others and manage the family.
    Manage,
    /// 支付: may pay and see the bills.
    Pay,
}

impl Grant {
    /// The button text while the right is `granted`: it offers the opposite.
    pub fn button(self, granted: bool) -> &'static str {
        match (self, granted) {
            (Self::Manage, true) => "禁止管理",
            (Self::Manage, false) => "授权管理",
            (Self::Pay, true) => "禁止支付",
            (Self::Pay, false) => "授权支付",
        }
    }
}

/// The management button of 3.1.2: 管理员 for the owner, 邀请激活 for a member who has not
/// activated, else what pressing it would do.
pub fn shouquan_label(role: &str, activated: bool, shouquan: bool) -> &'static str {
    if role == OWNER {
        "管理员"
    } else if !activated {
        "邀请激活"
    } else {
        Grant::Manage.button(shouquan)
    }
}

/// The payment button of 3.1.2: empty for the owner.
pub fn charge_label(role: &str, charge: bool) -> &'static str {
    if role == OWNER {
        ""
    } else {
        Grant::Pay.button(charge)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_roles_and_other_apply_as_family() {
        assert_eq!(Applicant::of_role("业主"), Applicant::Owner);
        assert_eq!(Applicant::of_role("租客"), Applicant::Tenant);
        for role in ["家属", "妻子", "父亲", "姥姥", "其他"] {
            assert_eq!(Applicant::of_role(role), Applicant::Family, "{role}");
        }
        assert_eq!(
            action_introduction("妻子", ReviewType::FamilyBind),
            "家属正在申请：家属绑定"
        );
        assert_eq!(
            action_introduction("业主", ReviewType::ReplaceOwner),
            "业主正在申请：替换业主"
        );
    }

    #[test]
    fn a_house_is_introduced_as_the_seed_writes_it() {
        let house = house_introduction("晨曦家园", 1, 1, 1, 101);
        assert_eq!(house, "晨曦家园1栋1单元1楼101号");
        assert_eq!(
            review_row_introduction(&house, "业主正在申请：家属绑定"),
            "晨曦家园1栋1单元1楼101号的业主正在申请：家属绑定"
        );
    }

    #[test]
    fn review_types_and_statuses_round_trip() {
        for kind in ReviewType::ALL {
            assert_eq!(ReviewType::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(ReviewType::parse("业主"), None);
        assert_eq!(ReviewStatus::from_code(2), Some(ReviewStatus::Pending));
        assert_eq!(ReviewStatus::from_code(3), None);
        assert_eq!(ReviewStatus::Refused.resident_label(), "未通过");
        assert!(ReviewType::ReplaceOwner.binds());
        assert!(ReviewType::TenantUnbind.unbinds());
        assert!(!ReviewType::ModifyHouse.binds());
    }

    #[test]
    fn buttons_offer_the_opposite_of_the_right_held() {
        assert_eq!(shouquan_label("业主", true, true), "管理员");
        assert_eq!(shouquan_label("父亲", false, false), "邀请激活");
        assert_eq!(shouquan_label("妻子", true, true), "禁止管理");
        assert_eq!(shouquan_label("儿子", true, false), "授权管理");
        assert_eq!(charge_label("业主", true), "");
        assert_eq!(charge_label("租客", true), "禁止支付");
        assert_eq!(charge_label("租客", false), "授权支付");
    }

    #[test]
    fn the_registration_state_follows_bindings_then_reviews() {
        assert_eq!(
            RegistrationState::of(true, true),
            RegistrationState::HouseMember
        );
        assert_eq!(
            RegistrationState::of(false, true),
            RegistrationState::Shenheing
        );
        assert_eq!(
            RegistrationState::of(false, false),
            RegistrationState::NewMember
        );
    }
}
