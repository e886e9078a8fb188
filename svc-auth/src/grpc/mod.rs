//! The `Auth` gRPC service: converts requests into actions and answers back.
use std::sync::Arc;

use kit::error::{ServiceError, ServiceResult};
use proto::auth as pb;
use tonic::{Request, Response, Status};

use crate::actions::codes::{self, CodeRequest};
use crate::actions::login::{self, PhoneProof, Registration};
use crate::actions::notices::{self, Event};
use crate::actions::tokens::{self, Caller, Login, UserKey};
use crate::actions::{State, platform};
use crate::domain::codes::CodeType;
use crate::domain::notices::{Answer, Values};
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

/// The signed-in resident of a request (the gateway always sends one).
fn resident_id(resident: Option<&pb::ResidentRef>) -> ServiceResult<i64> {
    resident
        .map(|resident| resident.user_id)
        .filter(|id| *id > 0)
        .ok_or_else(|| ServiceError::unauthenticated("no resident in the request"))
}

fn answer(value: i32) -> ServiceResult<Answer> {
    match pb::SubscribeAnswer::try_from(value) {
        Ok(pb::SubscribeAnswer::Accept) => Ok(Answer::Accept),
        Ok(pb::SubscribeAnswer::Reject) => Ok(Answer::Reject),
        Ok(pb::SubscribeAnswer::Ban) => Ok(Answer::Ban),
        Ok(pb::SubscribeAnswer::Filter) => Ok(Answer::Filter),
        Ok(pb::SubscribeAnswer::Unspecified) | Err(_) => Err(ServiceError::missing("results")),
    }
}

/// The event another service handed over.
fn event(r: pb::NotifyRequest) -> ServiceResult<Event> {
    let fields = r.fields.unwrap_or_default();
    Ok(Event {
        source: r.source,
        event_id: r.event_id,
        user_id: r.user_id,
        kind: notice_kind(r.kind)?,
        values: Values {
            title: fields.title,
            status: fields.status,
            remark: fields.remark,
            amount_fen: fields.amount_fen,
            number: fields.number,
            subject: fields.subject,
            phone: fields.phone,
            time: fields.time,
            page_query: fields.page_query,
        },
    })
}

fn notice_kind(value: i32) -> ServiceResult<kit::outbox::NoticeKind> {
    use kit::outbox::NoticeKind as Kind;
    match pb::NoticeKind::try_from(value) {
        Ok(pb::NoticeKind::Review) => Ok(Kind::Review),
        Ok(pb::NoticeKind::Order) => Ok(Kind::Order),
        Ok(pb::NoticeKind::Paid) => Ok(Kind::Paid),
        Ok(pb::NoticeKind::Repair) => Ok(Kind::Repair),
        Ok(pb::NoticeKind::Complaint) => Ok(Kind::Complaint),
        Ok(pb::NoticeKind::Viewing) => Ok(Kind::Viewing),
        Ok(pb::NoticeKind::Announcement) => Ok(Kind::Announcement),
        Ok(pb::NoticeKind::Unspecified) | Err(_) => Err(ServiceError::missing("kind")),
    }
}

fn notice_row(row: crate::db::notices::NoticeRow) -> pb::NoticeRow {
    let data: Vec<(String, String)> = serde_json::from_str(&row.data).unwrap_or_default();
    pb::NoticeRow {
        id: row.id,
        kind: row.kind,
        template_id: row.template_id,
        status: row.status,
        reason: row.reason,
        page: row.page,
        data: data
            .into_iter()
            .map(|(key, value)| pb::NoticeValue { key, value })
            .collect(),
        created_at: row.created_at,
        sent_at: row.sent_at.unwrap_or_default(),
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

    async fn subscribe(
        &self,
        request: Request<pb::SubscribeRequest>,
    ) -> Result<Response<pb::SubscribeReply>, Status> {
        let r = proto::caller::checked(request)?;
        let user_id = resident_id(r.resident.as_ref())?;
        let answers = r
            .answers
            .into_iter()
            .map(|a| Ok((a.template_id, answer(a.answer)?)))
            .collect::<ServiceResult<Vec<_>>>()?;
        let quotas = notices::subscribe(&self.state, user_id, answers).await?;
        Ok(Response::new(pb::SubscribeReply {
            quotas: quotas
                .into_iter()
                .map(|(template_id, remaining)| pb::TemplateQuota {
                    template_id,
                    remaining,
                })
                .collect(),
        }))
    }

    async fn list_notices(
        &self,
        request: Request<pb::ListNoticesRequest>,
    ) -> Result<Response<pb::ListNoticesReply>, Status> {
        let r = proto::caller::checked(request)?;
        let user_id = resident_id(r.resident.as_ref())?;
        let paging = kit::paging::Paging::requested(r.page, r.per_page)?;
        let (rows, total) = notices::list(&self.state, user_id, paging).await?;
        Ok(Response::new(pb::ListNoticesReply {
            rows: rows.into_iter().map(notice_row).collect(),
            total,
        }))
    }

    async fn notify(
        &self,
        request: Request<pb::NotifyRequest>,
    ) -> Result<Response<pb::NotifyReply>, Status> {
        let r = proto::caller::from_service(request)?;
        let recorded = notices::notify(&self.state, event(r)?).await?;
        Ok(Response::new(pb::NotifyReply { recorded }))
    }

    async fn notify_all(
        &self,
        request: Request<pb::NotifyAllRequest>,
    ) -> Result<Response<pb::NotifyAllReply>, Status> {
        let r = proto::caller::from_service(request)?;
        let events = r
            .events
            .into_iter()
            .map(event)
            .collect::<ServiceResult<Vec<_>>>()?;
        let recorded = notices::notify_all(&self.state, events).await?;
        Ok(Response::new(pb::NotifyAllReply { recorded }))
    }
}
