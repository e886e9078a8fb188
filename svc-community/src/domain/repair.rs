//! Seed 003's repair workflow: NEW → RECEIVE (接单) → REPAIR (维修) → DONE (完成). 001 §4.3's
//! `status=1` finishes a repair from any open stage; nothing leaves DONE.
use kit::error::{ServiceError, ServiceResult};

/// Where a repair is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    New,
    Receive,
    Repair,
    Done,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "NEW",
            Self::Receive => "RECEIVE",
            Self::Repair => "REPAIR",
            Self::Done => "DONE",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_uppercase().as_str() {
            "NEW" => Some(Self::New),
            "RECEIVE" => Some(Self::Receive),
            "REPAIR" => Some(Self::Repair),
            "DONE" => Some(Self::Done),
            _ => None,
        }
    }

    /// How a resident reads the stage (a subscribe message's 状态).
    pub fn resident_label(self) -> &'static str {
        match self {
            Self::New => "待受理",
            Self::Receive => "已受理",
            Self::Repair => "维修中",
            Self::Done => "已完成",
        }
    }

    /// 001 §4's status: 1 once done.
    pub fn status(self) -> i32 {
        i32::from(self == Self::Done)
    }

    /// The stage `action` leads to from here, or why not.
    pub fn apply(self, action: Stage) -> ServiceResult<Stage> {
        let allowed = matches!(
            (self, action),
            (Self::New, Self::Receive)
                | (Self::Receive, Self::Repair)
                | (Self::New | Self::Receive | Self::Repair, Self::Done)
        );
        if allowed {
            Ok(action)
        } else {
            Err(ServiceError::conflict(
                format!("报修当前为{}，不能{}", self.chinese(), action.verb()),
                format!(
                    "illegal transition {} -> {}",
                    self.as_str(),
                    action.as_str()
                ),
            ))
        }
    }

    pub fn chinese(self) -> &'static str {
        match self {
            Self::New => "待接单",
            Self::Receive => "已接单",
            Self::Repair => "维修中",
            Self::Done => "已完成",
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Self::New => "重新开启",
            Self::Receive => "接单",
            Self::Repair => "开始维修",
            Self::Done => "确认完成",
        }
    }
}

/// Seed 003 §5.5's settlement parties.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayPart {
    Owner,
    Tenant,
    RepairFund,
    Other,
}

impl PayPart {
    /// The code a repair keeps.
    pub fn code(self) -> &'static str {
        match self {
            Self::Owner => "OWNER_SETT",
            Self::Tenant => "TENANT_SETT",
            Self::RepairFund => "ALL_SETTLE",
            Self::Other => "OTHER_SETT",
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_moves_forward_only() {
        assert_eq!(Stage::New.apply(Stage::Receive).unwrap(), Stage::Receive);
        assert_eq!(Stage::Receive.apply(Stage::Repair).unwrap(), Stage::Repair);
        assert_eq!(Stage::Repair.apply(Stage::Done).unwrap(), Stage::Done);
        assert_eq!(Stage::New.apply(Stage::Done).unwrap(), Stage::Done);
        assert!(Stage::New.apply(Stage::Repair).is_err());
        assert!(Stage::Done.apply(Stage::Receive).is_err());
        assert!(Stage::Done.apply(Stage::Done).is_err());
        assert!(Stage::Repair.apply(Stage::Receive).is_err());
    }
}
