//! The `Auth` gRPC service: converts requests into actions and answers back.
use std::sync::Arc;

use kit::error::{ServiceError, ServiceResult};
use proto::auth as pb;
use tonic::{Request, Response, Status};

use crate::actions::codes::{self, CodeRequest};
use crate::actions::login::{self, PhoneProof, Registration};
use crate::actions::tokens::{self, Caller, Login, UserKey};
use crate::actions::{State, platform};
use crate::domain::codes::CodeType;
use crate::domain::permissions::RegistrationState;

/// The domain's code type of a request's (the gateway always names one).
fn code_type(value: i32) -> ServiceResult<CodeType> {
    match pb::CodeType::try_from(value) {
        Ok(pb::CodeType::Register) => Ok(CodeType::Register),
        Ok(pb::CodeType::Login) => Ok(CodeType::Login),
        Ok(pb::CodeType::Verify) => Ok(CodeType::Verify),
        Ok(pb::CodeType::Yezhu) => Ok(CodeType::Yezhu),
        Ok(pb::CodeType::Unspecified) | Err(_) => Err(ServiceError::missing("type")),
    }
}

/// How a registration proves its phone (the gateway always sends one proof).
fn phone_proof(proof: Option<pb::register_request::Proof>) -> ServiceResult<PhoneProof> {
    use pb::register_request::Proof;
    match proof {
        Some(Proof::Encrypted(pb::EncryptedPhone { encrypted_data, iv })) => {
            Ok(PhoneProof::Encrypted {
                data: encrypted_data,
                iv,
            })
        }
        Some(Proof::PhoneCode(code)) => Ok(PhoneProof::WechatCode(code)),
        Some(Proof::Sms(pb::SmsProof {
            verification_key,
            verification_code,
        })) => Ok(PhoneProof::Sms {
            key: verification_key,
            code: verification_code,
        }),
        None => Err(ServiceError::missing("type")),
    }
}

/// The service behind `proto::auth::auth_server::AuthServer`.
#[derive(Clone)]
pub struct AuthService {
    state: Arc<State>,
}

impl AuthService {
    pub fn new(state: Arc<State>) -> Self {
        Self { state }
    }
}

fn login_reply(login: Login) -> Response<pb::LoginReply> {
    Response::new(pb::LoginReply {
        access_token: login.access_token,
        expires_in: login.expires_in,
        permissions: login.permissions,
        name: login.name,
        avatar: login.avatar,
        registered: login.registered,
    })
}

#[tonic::async_trait]
impl pb::auth_server::Auth for AuthService {
    async fn send_code(
        &self,
        request: Request<pb::SendCodeRequest>,
    ) -> Result<Response<pb::SendCodeReply>, Status> {
        let r = proto::caller::checked(request)?;
        let sent = codes::send_code(
            &self.state,
            CodeRequest {
                phone: &r.phone,
                code_type: code_type(r.r#type)?,
                community_house_name: r.community_house_name.as_deref(),
                client_ip: &r.client_ip,
                user_id: r.user_id,
            },
        )
        .await?;
        Ok(Response::new(pb::SendCodeReply {
            key: sent.key,
            expires_at: sent.expires_at,
            ttl_seconds: sent.ttl_seconds,
        }))
    }

    async fn code_to_session(
        &self,
        request: Request<pb::CodeToSessionRequest>,
    ) -> Result<Response<pb::CodeToSessionReply>, Status> {
        let (openid, session_key) =
            login::code_to_session(&self.state, &proto::caller::checked(request)?.code).await?;
        Ok(Response::new(pb::CodeToSessionReply {
            openid,
            session_key,
        }))
    }

    async fn register(
        &self,
        request: Request<pb::RegisterRequest>,
    ) -> Result<Response<pb::LoginReply>, Status> {
        let r = proto::caller::checked(request)?;
        let form = Registration {
            proof: phone_proof(r.proof)?,
            openid: r.openid,
            session_key: r.session_key,
            name: r.name,
            avatar: r.avatar,
        };
        Ok(login_reply(login::register(&self.state, form).await?))
    }

    async fn login_by_code(
        &self,
        request: Request<pb::LoginByCodeRequest>,
    ) -> Result<Response<pb::LoginReply>, Status> {
        Ok(login_reply(
            login::login_by_code(&self.state, &proto::caller::checked(request)?.code).await?,
        ))
    }

    async fn refresh_token(
        &self,
        request: Request<pb::RefreshTokenRequest>,
    ) -> Result<Response<pb::LoginReply>, Status> {
        Ok(login_reply(
            tokens::refresh(&self.state, &proto::caller::checked(request)?.token).await?,
        ))
    }

    async fn authenticate(
        &self,
        request: Request<pb::AuthenticateRequest>,
    ) -> Result<Response<pb::Caller>, Status> {
        let checked =
            tokens::authenticate(&self.state, &proto::caller::checked(request)?.token).await?;
        let kind = match checked.caller {
            Caller::Resident { user_id, phone } => {
                pb::caller::Kind::Resident(pb::Resident { user_id, phone })
            }
            Caller::Platform {
                credential_id,
                secret_id,
                communities,
            } => pb::caller::Kind::Platform(pb::Platform {
                credential_id,
                secret_id,
                communities,
            }),
        };
        Ok(Response::new(pb::Caller {
            kind: Some(kind),
            token_id: checked.token_id,
            expires_at: checked.expires_at,
        }))
    }

    async fn permissions(
        &self,
        request: Request<pb::PermissionsRequest>,
    ) -> Result<Response<pb::PermissionsReply>, Status> {
        let permissions =
            tokens::permissions(&self.state, proto::caller::checked(request)?.user_id).await?;
        Ok(Response::new(pb::PermissionsReply { permissions }))
    }

    async fn user_profile(
        &self,
        request: Request<pb::UserProfileRequest>,
    ) -> Result<Response<pb::UserProfileReply>, Status> {
        let r = proto::caller::checked(request)?;
        let user = match r.user.ok_or_else(|| ServiceError::missing("user_id"))? {
            pb::user_profile_request::User::UserId(id) => UserKey::Id(id),
            pb::user_profile_request::User::Phone(phone) => UserKey::Phone(phone),
        };
        let found = tokens::profile(&self.state, user).await?;
        let (user_id, openid) = found.clone().unwrap_or_default();
        Ok(Response::new(pb::UserProfileReply {
            found: found.is_some(),
            openid,
            user_id,
        }))
    }

    async fn platform_token(
        &self,
        request: Request<pb::PlatformTokenRequest>,
    ) -> Result<Response<pb::PlatformTokenReply>, Status> {
        let r = proto::caller::checked(request)?;
        let (access_token, expires_in) =
            platform::platform_token(&self.state, &r.secret_id, &r.secret_key, &r.client_ip)
                .await?;
        Ok(Response::new(pb::PlatformTokenReply {
            access_token,
            expires_in,
        }))
    }

    async fn remember_owner_phone(
        &self,
        request: Request<pb::RememberOwnerPhoneRequest>,
    ) -> Result<Response<pb::RememberOwnerPhoneReply>, Status> {
        let r = proto::caller::checked(request)?;
        let masked_phone = codes::remember_owner_phone(
            &self.state,
            r.user_id,
            &r.community_house_name,
            &r.owner_phone,
        )
        .await?;
        Ok(Response::new(pb::RememberOwnerPhoneReply { masked_phone }))
    }

    async fn verify_code(
        &self,
        request: Request<pb::VerifyCodeRequest>,
    ) -> Result<Response<pb::VerifyCodeReply>, Status> {
        let r = proto::caller::checked(request)?;
        let wanted = code_type(r.r#type)?;
        let issued = codes::consume_code(
            &self.state,
            &r.key,
            &r.code,
            |kind| kind == wanted,
            r.user_id,
        )
        .await?;
        Ok(Response::new(pb::VerifyCodeReply {
            phone: issued.phone,
        }))
    }

    async fn set_registration_state(
        &self,
        request: Request<pb::SetRegistrationStateRequest>,
    ) -> Result<Response<pb::PermissionsReply>, Status> {
        let r = proto::caller::checked(request)?;
        let new_state = match pb::RegistrationState::try_from(r.state) {
            Ok(pb::RegistrationState::NewMember) => RegistrationState::NewMember,
            Ok(pb::RegistrationState::Shenheing) => RegistrationState::Shenheing,
            Ok(pb::RegistrationState::HouseMember) => RegistrationState::HouseMember,
            Ok(pb::RegistrationState::Unspecified) | Err(_) => {
                return Err(ServiceError::missing("state").into());
            }
        };
        let permissions = tokens::set_registration_state(&self.state, r.user_id, new_state).await?;
        Ok(Response::new(pb::PermissionsReply { permissions }))
    }
}
