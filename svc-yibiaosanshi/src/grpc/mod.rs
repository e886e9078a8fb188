//! The gRPC services: `Addresses` (the address tree), `Registration` (一标三实), `Vehicles`
//! (cars and parking spots) and `Photos` (face photos, stored files, ID-card OCR). Each converts
//! requests into actions and answers back.
mod convert;
mod photos;
mod registration;
mod vehicles;

use kit::db::Database;
use proto::yibiaosanshi as pb;
use tonic::{Request, Response, Status};

use crate::actions::addresses;
pub use photos::{MAX_MESSAGE_BYTES, PhotosService};
pub use registration::RegistrationService;
pub use vehicles::VehiclesService;

/// The service behind `proto::yibiaosanshi::addresses_server::AddressesServer`.
#[derive(Clone)]
pub struct AddressesService {
    db: Database,
}

impl AddressesService {
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[tonic::async_trait]
impl pb::addresses_server::Addresses for AddressesService {
    async fn list_communities(
        &self,
        request: Request<pb::ListCommunitiesRequest>,
    ) -> Result<Response<pb::CommunityList>, Status> {
        let only = request.into_inner().community_identifier;
        let found = addresses::list_communities(&self.db, only).await?;
        Ok(Response::new(pb::CommunityList {
            communities: found.into_iter().map(Into::into).collect(),
        }))
    }

    async fn list_buildings(
        &self,
        request: Request<pb::ListBuildingsRequest>,
    ) -> Result<Response<pb::BuildingList>, Status> {
        let identifier = proto::caller::checked(request)?.community_identifier;
        let found = addresses::list_buildings(&self.db, identifier).await?;
        Ok(Response::new(pb::BuildingList {
            buildings: found.into_iter().map(Into::into).collect(),
        }))
    }

    async fn list_units(
        &self,
        request: Request<pb::ChildrenRequest>,
    ) -> Result<Response<pb::UnitList>, Status> {
        let found =
            addresses::list_units(&self.db, proto::caller::checked(request)?.parent_id).await?;
        Ok(Response::new(pb::UnitList {
            units: found.into_iter().map(Into::into).collect(),
        }))
    }

    async fn list_floors(
        &self,
        request: Request<pb::ChildrenRequest>,
    ) -> Result<Response<pb::FloorList>, Status> {
        let found =
            addresses::list_floors(&self.db, proto::caller::checked(request)?.parent_id).await?;
        Ok(Response::new(pb::FloorList {
            floors: found.into_iter().map(Into::into).collect(),
        }))
    }

    async fn list_houses(
        &self,
        request: Request<pb::ChildrenRequest>,
    ) -> Result<Response<pb::HouseList>, Status> {
        let found =
            addresses::list_houses(&self.db, proto::caller::checked(request)?.parent_id).await?;
        Ok(Response::new(pb::HouseList {
            houses: found.into_iter().map(Into::into).collect(),
        }))
    }

    async fn find_house(
        &self,
        request: Request<pb::FindHouseRequest>,
    ) -> Result<Response<pb::FoundHouse>, Status> {
        let id = proto::caller::checked(request)?.id;
        let place = addresses::find_house(&self.db, id).await?;
        Ok(Response::new(place.map_or_else(
            pb::FoundHouse::default,
            |place| pb::FoundHouse {
                found: true,
                id: place.house_id,
                introduction: place.introduction(),
                community_identifier: place.community_identifier,
            },
        )))
    }
}
