//! "This credential manages that community": the one guard every service uses, with seed 001's
//! sentences (message编码 Se104 for lists, Se160 for one record).
use crate::error::{ServiceError, ServiceResult};

/// Ok when `community` is one of the credential's `communities`; the seed's 403 otherwise.
pub fn require_managed(communities: &[String], community: &str) -> ServiceResult<()> {
    if manages(communities, community) {
        Ok(())
    } else {
        Err(not_managed(None))
    }
}

/// Whether `community` is one of the credential's `communities`.
pub fn manages(communities: &[String], community: &str) -> bool {
    communities.iter().any(|c| c == community)
}

/// The refusal of a community the credential does not manage; `code` is the seed's message
/// code where it names one.
pub fn not_managed(code: Option<&str>) -> ServiceError {
    let message = "该小区没有授权给该安防平台管理员权限，请联系万家灯火平台管理员";
    ServiceError::forbidden(
        "您没有权限管理该小区，请核对授权信息",
        match code {
            Some(code) => format!("{message}（message编码{code}）"),
            None => message.to_owned(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_credentials_communities_pass() {
        let mine = vec!["10002".to_owned()];
        assert!(require_managed(&mine, "10002").is_ok());
        let refused = require_managed(&mine, "10003").expect_err("not managed");
        assert_eq!(refused.kind.http_status(), 403);
        assert_eq!(refused.msg, "您没有权限管理该小区，请核对授权信息");
        assert!(
            not_managed(Some("Se104"))
                .message
                .ends_with("（message编码Se104）")
        );
    }
}
