//! A scripted svc-auth: fixed answers, enough to see the gateway's mapping.
use kit::error::ServiceError;
use proto::auth::auth_server::{Auth, AuthServer};
use proto::auth::*;
use tonic::{Request, Response, Status};

pub const RESIDENT_TOKEN: &str = "resident-token";
pub const PLATFORM_TOKEN: &str = "platform-token";
pub const BAD_PHONE: &str = "1761049113";

pub struct FakeAuth;

fn login_reply(registered: bool) -> LoginReply {
    LoginReply {
        access_token: "eyJ0eXAiO".to_owned(),
        expires_in: 3600,
        permissions: vec!["NewMember".to_owned()],
        name: "yangzhe".to_owned(),
        avatar: "avatar".to_owned(),
        registered,
    }
}

#[tonic::async_trait]
impl Auth for FakeAuth {
    async fn send_code(
        &self,
        request: Request<SendCodeRequest>,
    ) -> Result<Response<SendCodeReply>, Status> {
        let request_id = request
            .metadata()
            .get("x-request-id")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let request = request.into_inner();
        if request.phone == BAD_PHONE {
            return Err(ServiceError::invalid("phone", "必须是正确的手机号")
                .with("phone", request.phone)
                .into());
        }
        let kind = request
            .r#type()
            .as_str_name()
            .trim_start_matches("CODE_TYPE_")
            .to_ascii_lowercase();
        let ttl_seconds = if kind == "yezhu" { 1800 } else { 300 };
        Ok(Response::new(SendCodeReply {
            key: format!(
                "{}|{}|{}|{}",
                request.user_id, request.client_ip, request_id, kind
            ),
            expires_at: 1_605_764_078,
            ttl_seconds,
        }))
    }

    async fn code_to_session(
        &self,
        request: Request<CodeToSessionRequest>,
    ) -> Result<Response<CodeToSessionReply>, Status> {
        let code = request.into_inner().code;
        let Some(openid) = code.strip_prefix("sandbox:") else {
            return Err(ServiceError::upstream("invalid code, errcode 40029").into());
        };
        Ok(Response::new(CodeToSessionReply {
            openid: openid.to_owned(),
            session_key: "handle".to_owned(),
        }))
    }

    async fn register(
        &self,
        request: Request<RegisterRequest>,
    ) -> Result<Response<LoginReply>, Status> {
        let request = request.into_inner();
        Ok(Response::new(login_reply(request.openid == "new")))
    }

    async fn login_by_code(
        &self,
        _: Request<LoginByCodeRequest>,
    ) -> Result<Response<LoginReply>, Status> {
        Ok(Response::new(login_reply(false)))
    }

    async fn refresh_token(
        &self,
        request: Request<RefreshTokenRequest>,
    ) -> Result<Response<LoginReply>, Status> {
        if request.into_inner().token == "too-old" {
            return Err(ServiceError::conflict(
                "服务器开小差，请重试",
                "刷新token值失败,message编码Au335",
            )
            .into());
        }
        Ok(Response::new(login_reply(false)))
    }

    async fn authenticate(
        &self,
        request: Request<AuthenticateRequest>,
    ) -> Result<Response<Caller>, Status> {
        let kind = match request.into_inner().token.as_str() {
            RESIDENT_TOKEN => caller::Kind::Resident(Resident {
                user_id: 7,
                phone: "17600381130".to_owned(),
            }),
            PLATFORM_TOKEN => caller::Kind::Platform(Platform {
                credential_id: 1,
                secret_id: "123456".to_owned(),
                communities: vec!["10002".to_owned()],
            }),
            _ => return Err(ServiceError::unauthenticated("token已过期").into()),
        };
        Ok(Response::new(Caller {
            kind: Some(kind),
            ..Default::default()
        }))
    }

    async fn permissions(
        &self,
        request: Request<PermissionsRequest>,
    ) -> Result<Response<PermissionsReply>, Status> {
        assert_eq!(request.into_inner().user_id, 7);
        Ok(Response::new(PermissionsReply {
            permissions: vec!["HouseMember".to_owned()],
        }))
    }

    async fn platform_token(
        &self,
        request: Request<PlatformTokenRequest>,
    ) -> Result<Response<PlatformTokenReply>, Status> {
        let request = request.into_inner();
        if (request.secret_id.as_str(), request.secret_key.as_str()) != ("123456", "123456") {
            return Err(ServiceError::not_found(
                "没有找到该密钥对儿对应的用户，请联系万家灯火平台的数据库负责人",
                "告诉负责人，是security_platform_managers表里没有查找到",
            )
            .into());
        }
        Ok(Response::new(PlatformTokenReply {
            access_token: PLATFORM_TOKEN.to_owned(),
            expires_in: 3600,
        }))
    }

    async fn remember_owner_phone(
        &self,
        _: Request<RememberOwnerPhoneRequest>,
    ) -> Result<Response<RememberOwnerPhoneReply>, Status> {
        Err(Status::unimplemented("not scripted"))
    }

    async fn verify_code(
        &self,
        _: Request<VerifyCodeRequest>,
    ) -> Result<Response<VerifyCodeReply>, Status> {
        Err(Status::unimplemented("not scripted"))
    }

    async fn user_profile(
        &self,
        _: Request<UserProfileRequest>,
    ) -> Result<Response<UserProfileReply>, Status> {
        Err(Status::unimplemented("not used by the gateway"))
    }

    async fn set_registration_state(
        &self,
        _: Request<SetRegistrationStateRequest>,
    ) -> Result<Response<PermissionsReply>, Status> {
        Err(Status::unimplemented("not scripted"))
    }
}

/// Serves the fake (and a gRPC health service) on a free port; returns `http://127.0.0.1:PORT`.
pub async fn spawn() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind fake auth");
    let addr = listener.local_addr().expect("addr");
    let (_reporter, health) = tonic_health::server::health_reporter();
    tokio::spawn(async move {
        let _keep_reporting = _reporter;
        tonic::transport::Server::builder()
            .add_service(health)
            .add_service(AuthServer::new(FakeAuth))
            .serve_with_incoming(kit::grpc::incoming(listener))
            .await
    });
    format!("http://{addr}")
}
