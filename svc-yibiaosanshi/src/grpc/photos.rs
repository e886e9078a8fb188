//! The `Photos` gRPC service: requests in, actions run, answers out.
use kit::error::ServiceError;
use proto::yibiaosanshi as pb;
use proto::yibiaosanshi::photos_server::PhotosServer;
use tonic::{Request, Response, Status};

use crate::actions::photos::{Photos, Reader, url_of};
use crate::domain::photo_key::{PhotoAddress, PhotoType, ReadKey};

/// Largest gRPC message the service accepts: an image under the gateway's upload cap.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// The service behind `proto::yibiaosanshi::photos_server::PhotosServer`.
#[derive(Clone)]
pub struct PhotosService {
    photos: Photos,
}

impl PhotosService {
    pub fn new(photos: Photos) -> Self {
        Self { photos }
    }

    /// The tonic service, admitting messages as large as an image may be.
    pub fn into_server(self) -> PhotosServer<Self> {
        PhotosServer::new(self)
            .max_decoding_message_size(MAX_MESSAGE_BYTES)
            .max_encoding_message_size(MAX_MESSAGE_BYTES)
    }
}

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
        let key = self
            .photos
            .upload_face_photo(user_id, address, request.content)
            .await?;
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
        let file = self.photos.read_file(&reader, &key).await?;
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
        let front = self.photos.read_id_card(user_id, request.image).await?;
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
