//! The `Photos` gRPC service: requests in, actions run, answers out.
use kit::error::ServiceError;
use proto::yibiaosanshi as pb;
use tonic::{Request, Response, Status};

use super::key::{PhotoAddress, PhotoType, ReadKey};
use super::{PhotosService, Reader, url_of};

/// The resident a request is for (already checked against the caller's assertion).
fn resident_id(resident: Option<&pb::ResidentRef>) -> Result<i64, ServiceError> {
    resident
        .map(|r| r.user_id)
        .ok_or_else(|| ServiceError::unauthenticated("the request carries no resident"))
}

#[tonic::async_trait]
impl pb::photos_server::Photos for PhotosService {
    async fn upload_face_photo(
        &self,
        request: Request<pb::UploadFacePhotoRequest>,
    ) -> Result<Response<pb::UploadedPhoto>, Status> {
        let request = proto::caller::checked(request)?;
        let address = PhotoAddress {
            community_identifier: request.community_identifier,
            building_number: request.building_number,
            unit_number: request.unit_number,
            floor_number: request.floor_number,
            house_number: request.house_number,
        };
        let user_id = resident_id(request.resident.as_ref())?;
        let key = PhotosService::upload_face_photo(self, user_id, address, request.content).await?;
        Ok(Response::new(pb::UploadedPhoto {
            url: url_of(&key),
            key: key.as_str().to_owned(),
        }))
    }

    async fn read_file(
        &self,
        request: Request<pb::ReadFileRequest>,
    ) -> Result<Response<pb::StoredFile>, Status> {
        let request = proto::caller::checked(request)?;
        let reader = match (request.resident, request.platform) {
            (Some(resident), _) => Reader::Resident(resident.user_id),
            (None, Some(platform)) => Reader::Platform {
                communities: platform.communities,
            },
            (None, None) => {
                return Err(ServiceError::forbidden(
                    "您没有权限查看该文件",
                    "ReadFile needs a resident or a platform",
                )
                .into());
            }
        };
        let key = request.key.ok_or_else(|| ServiceError::missing("key"))?;
        let photo_type = match key.r#type() {
            pb::ImageType::Jpeg => PhotoType::Jpeg,
            pb::ImageType::Png => PhotoType::Png,
            pb::ImageType::Unspecified => return Err(ServiceError::missing("key.type").into()),
        };
        let key = ReadKey {
            prefix: key.prefix,
            address: PhotoAddress {
                community_identifier: key.community_identifier,
                building_number: key.building_number,
                unit_number: key.unit_number,
                floor_number: key.floor_number,
                house_number: key.house_number,
            },
            month: key.month,
            day: key.day,
            name: key.name,
            photo_type,
        };
        let file = PhotosService::read_file(self, &reader, &key).await?;
        Ok(Response::new(pb::StoredFile {
            content_type: file.content_type.to_owned(),
            content: file.content,
        }))
    }

    async fn read_id_card(
        &self,
        request: Request<pb::ReadIdCardRequest>,
    ) -> Result<Response<pb::IdCardFields>, Status> {
        let request = proto::caller::checked(request)?;
        let user_id = resident_id(request.resident.as_ref())?;
        let front = PhotosService::read_id_card(self, user_id, request.image).await?;
        Ok(Response::new(pb::IdCardFields {
            birthday: front.birthday,
            address: front.address,
            gender: front.gender,
            nation: front.nation,
            idcard: front.idcard,
            name: front.name,
        }))
    }
}
