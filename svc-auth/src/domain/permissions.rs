//! The mini-program user's permission (000 前言 小程序用户权限), which follows registration.

/// Where a resident stands in 一标三实 registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistrationState {
    /// Signed up, nothing registered yet.
    NewMember,
    /// First registration submitted and under review.
    Shenheing,
    /// Registration approved or imported from the security platform.
    HouseMember,
}

impl RegistrationState {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "NewMember" => Some(Self::NewMember),
            "Shenheing" => Some(Self::Shenheing),
            "HouseMember" => Some(Self::HouseMember),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NewMember => "NewMember",
            Self::Shenheing => "Shenheing",
            Self::HouseMember => "HouseMember",
        }
    }

    /// The permissions list 1.5.1 answers with.
    pub fn permissions(self) -> Vec<String> {
        vec![self.as_str().to_owned()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_through_their_names() {
        for state in [
            RegistrationState::NewMember,
            RegistrationState::Shenheing,
            RegistrationState::HouseMember,
        ] {
            assert_eq!(RegistrationState::parse(state.as_str()), Some(state));
        }
        assert_eq!(RegistrationState::parse("Admin"), None);
    }
}
