//! The `Vehicles` gRPC service: who is calling, the request into an action, the answer back.
use std::sync::Arc;

use proto::yibiaosanshi as pb;
use tonic::{Request, Response, Status};

use super::registration::{paging, platform, resident, serve};
use crate::actions::State;
use crate::actions::car_transfers::{self, Claim, TransferQuery};
use crate::actions::vehicles::{self, SpotQuery};

/// The service behind `proto::yibiaosanshi::vehicles_server::VehiclesServer`.
#[derive(Clone)]
pub struct VehiclesService {
    state: Arc<State>,
}

impl VehiclesService {
    pub fn new(state: Arc<State>) -> Self {
        Self { state }
    }
}

#[tonic::async_trait]
impl pb::vehicles_server::Vehicles for VehiclesService {
    async fn list_my_cars(
        &self,
        request: Request<pb::MyCarsRequest>,
    ) -> Result<Response<pb::CarList>, Status> {
        serve(request, |r| async move {
            let cars = vehicles::list_my_cars(&self.state, &resident(r.resident)?).await?;
            Ok(pb::CarList {
                cars: cars.into_iter().map(Into::into).collect(),
            })
        })
        .await
    }

    async fn bind_car(
        &self,
        request: Request<pb::CarRequest>,
    ) -> Result<Response<pb::Car>, Status> {
        serve(request, |r| async move {
            let car = vehicles::bind_car(&self.state, &resident(r.resident)?, r.number).await?;
            Ok(car.into())
        })
        .await
    }

    async fn unbind_car(
        &self,
        request: Request<pb::CarRequest>,
    ) -> Result<Response<pb::UnbindCarReply>, Status> {
        serve(request, |r| async move {
            vehicles::unbind_car(&self.state, &resident(r.resident)?, &r.number).await?;
            Ok(pb::UnbindCarReply {})
        })
        .await
    }

    async fn list_my_spots(
        &self,
        request: Request<pb::MySpotsRequest>,
    ) -> Result<Response<pb::SpotList>, Status> {
        serve(request, |r| async move {
            let spots = vehicles::list_my_spots(&self.state, &resident(r.resident)?).await?;
            Ok(pb::SpotList {
                spots: spots.into_iter().map(Into::into).collect(),
            })
        })
        .await
    }

    async fn list_spots(
        &self,
        request: Request<pb::ListSpotsRequest>,
    ) -> Result<Response<pb::SpotPage>, Status> {
        serve(request, |r| async move {
            let query = SpotQuery {
                xiaoqu: r.xiaoqu,
                number_prefix: r.number_prefix,
                assigned: r.assigned,
                paging: paging(r.page, r.per_page)?,
            };
            let page = vehicles::list_spots(&self.state, &platform(r.platform)?, query).await?;
            Ok(page.into())
        })
        .await
    }

    async fn assign_spot(
        &self,
        request: Request<pb::AssignSpotRequest>,
    ) -> Result<Response<pb::Spot>, Status> {
        serve(request, |r| async move {
            let spot = vehicles::assign_spot(
                &self.state,
                &platform(r.platform)?,
                &r.xiaoqu,
                r.number,
                &r.phone,
            )
            .await?;
            Ok(spot.into())
        })
        .await
    }

    async fn release_spot(
        &self,
        request: Request<pb::ReleaseSpotRequest>,
    ) -> Result<Response<pb::Spot>, Status> {
        serve(request, |r| async move {
            let spot =
                vehicles::release_spot(&self.state, &platform(r.platform)?, &r.xiaoqu, r.number)
                    .await?;
            Ok(spot.into())
        })
        .await
    }

    async fn request_car_transfer(
        &self,
        request: Request<pb::CarTransferRequest>,
    ) -> Result<Response<pb::CarTransfer>, Status> {
        serve(request, |r| async move {
            let claim = Claim {
                plate: r.number,
                xiaoqu: r.xiaoqu,
                reason: r.reason.unwrap_or_default(),
            };
            let claim = car_transfers::request(&self.state, &resident(r.resident)?, claim).await?;
            Ok(claim.into())
        })
        .await
    }

    async fn list_car_transfers(
        &self,
        request: Request<pb::ListCarTransfersRequest>,
    ) -> Result<Response<pb::CarTransferPage>, Status> {
        serve(request, |r| async move {
            let query = TransferQuery {
                xiaoqu: r.xiaoqu,
                status: r.status,
                paging: paging(r.page, r.per_page)?,
            };
            let page = car_transfers::list(&self.state, &platform(r.platform)?, query).await?;
            Ok(page.into())
        })
        .await
    }

    async fn decide_car_transfer(
        &self,
        request: Request<pb::DecideCarTransferRequest>,
    ) -> Result<Response<pb::CarTransfer>, Status> {
        serve(request, |r| async move {
            let decided = car_transfers::decide(
                &self.state,
                &platform(r.platform)?,
                r.id,
                r.confirm,
                r.reason,
            )
            .await?;
            Ok(decided.into())
        })
        .await
    }
}
