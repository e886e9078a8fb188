//! svc-auth as registration needs it: consuming verification codes, remembering a house owner's
//! phone for the `yezhu` code, and moving a user's registration state along. A failure comes
//! back as the `ServiceError` svc-auth raised (its `msg` and `message` intact).
use kit::caller::CallerChannel;
use kit::error::{ServiceError, ServiceResult};
use proto::auth as pb;
use proto::auth::auth_client::AuthClient as GrpcClient;

use crate::domain::registration::RegistrationState;

/// The kinds of verification code registration consumes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeKind {
    /// 000 §2.2.1: the resident's own phone.
    Verify,
    /// 000 §2.2.3: sent to the owner of the house the resident chose.
    Yezhu,
}

impl From<CodeKind> for pb::CodeType {
    fn from(kind: CodeKind) -> Self {
        match kind {
            CodeKind::Verify => Self::Verify,
            CodeKind::Yezhu => Self::Yezhu,
        }
    }
}

/// The proto's name for `state`.
fn registration_state(state: RegistrationState) -> pb::RegistrationState {
    match state {
        RegistrationState::NewMember => pb::RegistrationState::NewMember,
        RegistrationState::Shenheing => pb::RegistrationState::Shenheing,
        RegistrationState::HouseMember => pb::RegistrationState::HouseMember,
    }
}

/// A client of svc-auth over a lazily connected channel with a per-call timeout, through the
/// client layer (trace context, request id, caller assertion).
#[derive(Clone)]
pub struct AuthClient {
    inner: GrpcClient<CallerChannel>,
}

impl AuthClient {
    pub fn new(channel: CallerChannel) -> Self {
        Self {
            inner: GrpcClient::new(channel),
        }
    }

    /// Consumes a code (once); returns the phone it was sent to.
    pub async fn verify_code(
        &self,
        key: &str,
        code: &str,
        kind: CodeKind,
        user_id: i64,
    ) -> ServiceResult<String> {
        let reply = self
            .inner
            .clone()
            .verify_code(pb::VerifyCodeRequest {
                key: key.to_owned(),
                code: code.to_owned(),
                r#type: pb::CodeType::from(kind).into(),
                user_id,
            })
            .await
            .map_err(|status| ServiceError::from_status(&status))?;
        Ok(reply.into_inner().phone)
    }

    /// Remembers the owner's phone for this user and house; returns it masked.
    pub async fn remember_owner_phone(
        &self,
        user_id: i64,
        community_house_name: &str,
        owner_phone: &str,
    ) -> ServiceResult<String> {
        let reply = self
            .inner
            .clone()
            .remember_owner_phone(pb::RememberOwnerPhoneRequest {
                user_id,
                community_house_name: community_house_name.to_owned(),
                owner_phone: owner_phone.to_owned(),
            })
            .await
            .map_err(|status| ServiceError::from_status(&status))?;
        Ok(reply.into_inner().masked_phone)
    }

    /// The user who signed up with `phone`, if any.
    pub async fn user_by_phone(&self, phone: &str) -> ServiceResult<Option<i64>> {
        let reply = self
            .inner
            .clone()
            .user_profile(pb::UserProfileRequest {
                user: Some(pb::user_profile_request::User::Phone(phone.to_owned())),
            })
            .await
            .map_err(|status| ServiceError::from_status(&status))?
            .into_inner();
        Ok(reply.found.then_some(reply.user_id))
    }

    /// Moves the user to `state`.
    pub async fn set_registration_state(
        &self,
        user_id: i64,
        state: RegistrationState,
    ) -> ServiceResult<()> {
        self.inner
            .clone()
            .set_registration_state(pb::SetRegistrationStateRequest {
                user_id,
                state: registration_state(state).into(),
            })
            .await
            .map_err(|status| ServiceError::from_status(&status))?;
        Ok(())
    }
}
