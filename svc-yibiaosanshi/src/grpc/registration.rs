//! The `Registration` gRPC service: who is calling, the request into an action, the answer back.
use std::future::Future;
use std::sync::Arc;

use kit::error::{ServiceError, ServiceResult};
use kit::paging::Paging;
use proto::caller::CallerRefs;
use proto::yibiaosanshi as pb;
use tonic::{Request, Response, Status};

use crate::actions::registration::platform::{self, Decision, ReviewQuery};
use crate::actions::registration::submit::{self, Submission};
use crate::actions::registration::{houses, import, owner, payer, switches};
use crate::actions::{Platform, Resident, State};
use crate::domain::registration::{Grant, ReviewStatus, ReviewType};

/// The service behind `proto::yibiaosanshi::registration_server::RegistrationServer`.
#[derive(Clone)]
pub struct RegistrationService {
    state: Arc<State>,
}

impl RegistrationService {
    pub fn new(state: Arc<State>) -> Self {
        Self { state }
    }
}

/// Runs `work` for the request once the caller it names is the verified one (its request id
/// reaches outgoing calls through the server layer of `kit::caller`).
pub(super) async fn serve<T: CallerRefs, R, F>(
    request: Request<T>,
    work: impl FnOnce(T) -> F,
) -> Result<Response<R>, Status>
where
    F: Future<Output = ServiceResult<R>>,
{
    let reply = work(proto::caller::checked(request)?).await?;
    Ok(Response::new(reply))
}

/// The requested page, bounded (the gateway sends one; 0 means the default).
pub(super) fn paging(page: i64, per_page: i64) -> ServiceResult<Paging> {
    Paging::requested(page, per_page)
}

pub(super) fn resident(resident: Option<pb::ResidentRef>) -> ServiceResult<Resident> {
    Resident::new(resident.map(|r| r.user_id))
}

pub(super) fn platform(platform: Option<pb::PlatformRef>) -> ServiceResult<Platform> {
    let platform = platform.ok_or_else(|| {
        kit::error::ServiceError::unauthenticated("the request carries no platform credential")
    })?;
    Ok(Platform {
        credential_id: platform.credential_id,
        secret_id: platform.secret_id,
        communities: platform.communities,
    })
}

/// The submission a request's `kind` carries.
fn submission(kind: Option<pb::submit_request::Kind>) -> ServiceResult<Submission> {
    use pb::submit_request::Kind;
    let missing = |field: &str| ServiceError::missing(field);
    Ok(match kind.ok_or_else(|| missing("kind"))? {
        Kind::First(first) => Submission::First {
            person: first.person.ok_or_else(|| missing("person"))?.into(),
            choice: first.house.ok_or_else(|| missing("house"))?.try_into()?,
        },
        Kind::Bind(choice) => Submission::Bind(choice.try_into()?),
        Kind::Unbind(binding_id) => Submission::Unbind { binding_id },
        Kind::ModifyHouse(change) => Submission::ModifyHouse {
            binding_id: change.binding_id,
            change: change.into(),
        },
        Kind::ModifyPerson(change) => Submission::ModifyPerson {
            person: change.person.ok_or_else(|| missing("person"))?.into(),
            house_id: change.house_id,
        },
    })
}

fn review_type(kind: i32) -> ServiceResult<ReviewType> {
    let kind = pb::ReviewType::try_from(kind).unwrap_or(pb::ReviewType::Unspecified);
    Ok(match kind {
        pb::ReviewType::OwnerBind => ReviewType::OwnerBind,
        pb::ReviewType::TenantBind => ReviewType::TenantBind,
        pb::ReviewType::FamilyBind => ReviewType::FamilyBind,
        pb::ReviewType::ReplaceOwner => ReviewType::ReplaceOwner,
        pb::ReviewType::OwnerUnbind => ReviewType::OwnerUnbind,
        pb::ReviewType::TenantUnbind => ReviewType::TenantUnbind,
        pb::ReviewType::FamilyUnbind => ReviewType::FamilyUnbind,
        pb::ReviewType::ModifyHouse => ReviewType::ModifyHouse,
        pb::ReviewType::ModifyPerson => ReviewType::ModifyPerson,
        pb::ReviewType::Unspecified => return Err(ServiceError::missing("type")),
    })
}

fn review_status(status: i32) -> ServiceResult<ReviewStatus> {
    ReviewStatus::from_code(status)
        .ok_or_else(|| ServiceError::invalid("status", format!("no review status {status}")))
}

#[tonic::async_trait]
impl pb::registration_server::Registration for RegistrationService {
    async fn import_from_security_platform(
        &self,
        request: Request<pb::ImportRequest>,
    ) -> Result<Response<pb::ImportReply>, Status> {
        serve(request, |r| async move {
            let imported = import::import_from_security_platform(
                &self.state,
                &resident(r.resident)?,
                &r.verification_key,
                &r.verification_code,
                &r.community_identifier,
            )
            .await?;
            Ok(pb::ImportReply {
                already_registered: imported.already_registered,
                houses: imported.houses,
                members: imported.members,
            })
        })
        .await
    }

    async fn look_up_owner(
        &self,
        request: Request<pb::LookUpOwnerRequest>,
    ) -> Result<Response<pb::LookUpOwnerReply>, Status> {
        serve(request, |r| async move {
            let found =
                owner::look_up_owner(&self.state, &resident(r.resident)?, r.house_id).await?;
            Ok(found.into())
        })
        .await
    }

    async fn verify_owner(
        &self,
        request: Request<pb::VerifyOwnerRequest>,
    ) -> Result<Response<pb::VerifyOwnerReply>, Status> {
        serve(request, |r| async move {
            let house = owner::verify_owner(
                &self.state,
                &resident(r.resident)?,
                &r.verification_key,
                &r.verification_code,
            )
            .await?;
            Ok(house.into())
        })
        .await
    }

    async fn submit(
        &self,
        request: Request<pb::SubmitRequest>,
    ) -> Result<Response<pb::SubmitReply>, Status> {
        serve(request, |r| async move {
            let submission = submission(r.kind)?;
            let submitted = submit::submit(&self.state, &resident(r.resident)?, submission).await?;
            Ok(pb::SubmitReply {
                review_id: submitted.review_id,
                shenhe_type: submitted.shenhe_type.as_str().to_owned(),
            })
        })
        .await
    }

    async fn list_my_houses(
        &self,
        request: Request<pb::MyHousesRequest>,
    ) -> Result<Response<pb::MyHousesReply>, Status> {
        serve(request, |r| async move {
            let rows = houses::list_my_houses(&self.state, &resident(r.resident)?).await?;
            Ok(pb::MyHousesReply {
                items: rows.into_iter().map(Into::into).collect(),
            })
        })
        .await
    }

    async fn house_detail(
        &self,
        request: Request<pb::HouseDetailRequest>,
    ) -> Result<Response<pb::HouseDetailReply>, Status> {
        serve(request, |r| async move {
            let house =
                houses::house_detail(&self.state, &resident(r.resident)?, r.house_id).await?;
            Ok(house.into())
        })
        .await
    }

    async fn review_detail(
        &self,
        request: Request<pb::ReviewDetailRequest>,
    ) -> Result<Response<pb::ReviewDetailReply>, Status> {
        serve(request, |r| async move {
            let detail =
                houses::review_detail(&self.state, &resident(r.resident)?, r.review_id).await?;
            Ok(detail.into())
        })
        .await
    }

    async fn delete_review(
        &self,
        request: Request<pb::ReviewDetailRequest>,
    ) -> Result<Response<pb::DeleteReviewReply>, Status> {
        serve(request, |r| async move {
            houses::delete_review(&self.state, &resident(r.resident)?, r.review_id).await?;
            Ok(pb::DeleteReviewReply {})
        })
        .await
    }

    async fn toggle_grant(
        &self,
        request: Request<pb::ToggleGrantRequest>,
    ) -> Result<Response<pb::ToggleGrantReply>, Status> {
        serve(request, |r| async move {
            let grant = match r.grant() {
                pb::Grant::Manage => Grant::Manage,
                pb::Grant::Pay => Grant::Pay,
                pb::Grant::Unspecified => return Err(ServiceError::missing("grant")),
            };
            let (button, granted) =
                houses::toggle_grant(&self.state, &resident(r.resident)?, r.binding_id, grant)
                    .await?;
            Ok(pb::ToggleGrantReply {
                button: button.to_owned(),
                granted,
            })
        })
        .await
    }

    async fn unbind(
        &self,
        request: Request<pb::UnbindRequest>,
    ) -> Result<Response<pb::UnbindReply>, Status> {
        serve(request, |r| async move {
            houses::unbind(&self.state, &resident(r.resident)?, r.binding_id).await?;
            Ok(pb::UnbindReply {})
        })
        .await
    }

    async fn list_reviews(
        &self,
        request: Request<pb::ListReviewsRequest>,
    ) -> Result<Response<pb::ReviewPage>, Status> {
        serve(request, |r| async move {
            let shenhe_type = match r.r#type {
                Some(kind) => Some(review_type(kind)?),
                None => None,
            };
            let status = match r.status {
                Some(status) => Some(review_status(status)?),
                None => None,
            };
            let query = ReviewQuery {
                community_identifier: r.community_identifier,
                shenhe_type,
                status,
                paging: paging(r.page, r.per_page)?,
                known_version: r.known_version,
            };
            let page = platform::list_reviews(&self.state, &platform(r.platform)?, query).await?;
            Ok(page.into())
        })
        .await
    }

    async fn get_review(
        &self,
        request: Request<pb::PlatformReviewRequest>,
    ) -> Result<Response<pb::Review>, Status> {
        serve(request, |r| async move {
            let review = platform::get_review(&self.state, &platform(r.platform)?, r.id).await?;
            Ok(review.into())
        })
        .await
    }

    async fn decide_review(
        &self,
        request: Request<pb::DecideReviewRequest>,
    ) -> Result<Response<pb::Review>, Status> {
        serve(request, |r| async move {
            use pb::decide_review_request::Decision as Decided;
            let refusal = match r.decision {
                Some(Decided::Approve(_)) => None,
                Some(Decided::Refuse(refusal)) => Some(refusal.reason),
                None => return Err(ServiceError::missing("status")),
            };
            let decision = Decision {
                id: r.id,
                refusal,
                content: r.content.map(TryInto::try_into).transpose()?,
            };
            let review =
                platform::decide_review(&self.state, &platform(r.platform)?, decision).await?;
            Ok(review.into())
        })
        .await
    }

    async fn list_decisions(
        &self,
        request: Request<pb::ListDecisionsRequest>,
    ) -> Result<Response<pb::DecisionPage>, Status> {
        serve(request, |r| async move {
            let page = platform::list_decisions(
                &self.state,
                &platform(r.platform)?,
                r.community_identifier.as_deref(),
                paging(r.page, r.per_page)?,
            )
            .await?;
            Ok(page.into())
        })
        .await
    }

    async fn resident_houses(
        &self,
        request: Request<pb::ResidentHousesRequest>,
    ) -> Result<Response<pb::ResidentHousesReply>, Status> {
        serve(request, |r| async move {
            let houses = houses::resident_houses(&self.state, r.user_id).await?;
            Ok(pb::ResidentHousesReply { houses })
        })
        .await
    }

    async fn find_payer(
        &self,
        request: Request<pb::FindPayerRequest>,
    ) -> Result<Response<pb::FindPayerReply>, Status> {
        serve(request, |r| payer::find_payer(&self.state, r)).await
    }

    async fn community_residents(
        &self,
        request: Request<pb::CommunityResidentsRequest>,
    ) -> Result<Response<pb::CommunityResidentsReply>, Status> {
        let r = proto::caller::from_service(request)?;
        let user_ids = self
            .state
            .db
            .run(move |conn| -> crate::error::Result<_> {
                Ok(crate::db::bindings::users_in(
                    conn,
                    &r.community_identifier,
                )?)
            })
            .await?;
        Ok(Response::new(pb::CommunityResidentsReply { user_ids }))
    }

    async fn set_module_switches(
        &self,
        request: Request<pb::ModuleSwitchesRequest>,
    ) -> Result<Response<pb::ModuleSwitchesReply>, Status> {
        serve(request, |r| async move {
            let stored = switches::store(&self.state, r.switches).await?;
            Ok(pb::ModuleSwitchesReply { stored })
        })
        .await
    }
}
