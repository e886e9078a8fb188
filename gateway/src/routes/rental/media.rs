//! A listing's photos and videos (seed 004 添加/修改房源照片, 添加/修改房源视频) and the files
//! behind rental URLs. Photos and videos travel as multipart files; their bytes are sniffed and
//! capped in svc-community.
use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::{HttpRequest, HttpResponse, web};
use kit::error::ServiceError;
use proto::auth::caller;
use proto::rental as pb;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::fields::Decimal;
use super::{TAG, media_url, ok};
use crate::auth::{self, Audience, ResidentCaller};
use crate::envelope::{ApiError, ApiResult, DataResponse, Failure};
use crate::input::{FilePart, Id, Input, Int, Text};
use crate::middleware::RequestId;
use crate::state::AppState;

/// 添加房源照片: one or several files under `house_photo`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AddPhotosInput {
    house_id: Id,
    /// One or several JPEG or PNG files (several parts may share the name).
    #[schema(required = true)]
    #[serde(default)]
    pub house_photo: FilePart,
    /// 房间类型: 1 主卧, 2 次卧, 3 客厅, 4 厨房, 5 卫生间, 6 阳台, 7 其他房间.
    rooms_type: Int<1, 7>,
    /// 房间的面积 (m², 主卧、次卧 only).
    rooms_area: Option<Decimal<999>>,
    /// 房间的朝向 (主卧、次卧 only).
    #[schema(example = "南")]
    rooms_orientation: Option<Text<10>>,
}

fn contents(input: &Input<impl Sized>, name: &str) -> Vec<Vec<u8>> {
    input
        .files(name)
        .iter()
        .map(|file| file.bytes.to_vec())
        .collect()
}

fn media_json(state: &AppState, media: &[pb::Media]) -> Value {
    let urls: Vec<String> = media.iter().map(|m| media_url(state, &m.key)).collect();
    let ids: Vec<i64> = media.iter().map(|m| m.id).collect();
    json!({"url": urls, "id": ids})
}

/// 添加房源照片: the listing's landlord adds one or several photos; `data` lists their URLs and
/// ids (keep the ids: /update_house_photo takes them).
#[utoipa::path(post, path = "/api/v1/rental/create_house_photo", tag = TAG,
    request_body(content = AddPhotosInput, content_type = "multipart/form-data"),
    responses((status = 200, body = DataResponse), (status = 403, body = Failure), (status = 413, body = Failure)),
    security(("bearer" = [])))]
pub async fn add_photos(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<AddPhotosInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let files = contents(&input, "house_photo");
    let i = input.into_inner();
    let message = pb::AddMediaRequest {
        resident: Some(resident.reference()),
        house_id: i.house_id.get(),
        kind: pb::MediaKind::Photo as i32,
        contents: files,
        rooms_type: i.rooms_type.get() as i32,
        rooms_area: i.rooms_area.map(Decimal::value),
        rooms_orientation: i.rooms_orientation.map(Text::into_string),
    };
    let reply = state
        .call(
            "community",
            state.rental().add_media(request_id.grpc(message)),
        )
        .await?;
    ok("照片上传成功", media_json(&state, &reply.media))
}

/// 添加房源视频.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AddVideoInput {
    house_id: Id,
    /// An MP4 file.
    #[schema(required = true)]
    #[serde(default)]
    pub house_video: FilePart,
}

/// 添加房源视频: the listing's landlord adds an MP4 video; `data` is its id and URL.
#[utoipa::path(post, path = "/api/v1/rental/create_house_video", tag = TAG,
    request_body(content = AddVideoInput, content_type = "multipart/form-data"),
    responses((status = 200, body = DataResponse), (status = 403, body = Failure), (status = 413, body = Failure)),
    security(("bearer" = [])))]
pub async fn add_video(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<AddVideoInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let files = contents(&input, "house_video");
    let message = pb::AddMediaRequest {
        resident: Some(resident.reference()),
        house_id: input.into_inner().house_id.get(),
        kind: pb::MediaKind::Video as i32,
        contents: files.into_iter().take(1).collect(),
        ..pb::AddMediaRequest::default()
    };
    let reply = state
        .call(
            "community",
            state.rental().add_media(request_id.grpc(message)),
        )
        .await?;
    let video = reply
        .media
        .first()
        .ok_or_else(|| ServiceError::internal("no video stored"))?;
    ok(
        "视频上传成功",
        json!({"id": video.id, "url": media_url(&state, &video.key)}),
    )
}

/// 修改房源照片, 一次一张.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReplacePhotoInput {
    /// The id /create_house_photo answered.
    photo_id: Id,
    #[schema(required = true)]
    #[serde(default)]
    pub house_photo: FilePart,
}

/// 修改房源视频.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReplaceVideoInput {
    /// The id /create_house_video answered.
    video_id: Id,
    #[schema(required = true)]
    #[serde(default)]
    pub house_video: FilePart,
}

async fn replace(
    state: &AppState,
    request_id: &RequestId,
    message: pb::ReplaceMediaRequest,
) -> ApiResult {
    state
        .call(
            "community",
            state.rental().replace_media(request_id.grpc(message)),
        )
        .await?;
    ok("修改成功", json!({}))
}

/// 修改房源照片: the file behind `photo_id`, replaced; only the listing's landlord.
#[utoipa::path(post, path = "/api/v1/rental/update_house_photo", tag = TAG,
    request_body(content = ReplacePhotoInput, content_type = "multipart/form-data"),
    responses((status = 200, body = DataResponse), (status = 403, body = Failure), (status = 413, body = Failure)),
    security(("bearer" = [])))]
pub async fn replace_photo(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<ReplacePhotoInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let content = contents(&input, "house_photo")
        .into_iter()
        .next()
        .unwrap_or_default();
    let message = pb::ReplaceMediaRequest {
        resident: Some(resident.reference()),
        media_id: input.into_inner().photo_id.get(),
        kind: pb::MediaKind::Photo as i32,
        content,
    };
    replace(&state, &request_id, message).await
}

/// 修改房源视频: the file behind `video_id`, replaced; only the listing's landlord.
#[utoipa::path(post, path = "/api/v1/rental/update_house_video", tag = TAG,
    request_body(content = ReplaceVideoInput, content_type = "multipart/form-data"),
    responses((status = 200, body = DataResponse), (status = 403, body = Failure), (status = 413, body = Failure)),
    security(("bearer" = [])))]
pub async fn replace_video(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<ReplaceVideoInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let content = contents(&input, "house_video")
        .into_iter()
        .next()
        .unwrap_or_default();
    let message = pb::ReplaceMediaRequest {
        resident: Some(resident.reference()),
        media_id: input.into_inner().video_id.get(),
        kind: pb::MediaKind::Video as i32,
        content,
    };
    replace(&state, &request_id, message).await
}

/// A rental file: listing photos, videos and portraits for anyone (a mini-program's `<image>`
/// sends no token); identification documents for their owner (and a claim's for the platform
/// deciding it), with the caller's token.
#[utoipa::path(get, path = "/api/v1/rental/files/{key}", tag = TAG,
    params(("key" = String, Path, description = "the object key, slashes included: `{prefix}/rental/{user}/{kind}/{yyyymmdd}/{name}.{jpg|png|mp4}` (kind: portrait, house-photo, house-video — anyone; id-portrait, idcard-front, idcard-back — their owner; property-cert, lease — their owner and the platform managing the house); any other key is 404")),
    responses((status = 200, description = "the file"), (status = 403, body = Failure), (status = 404, body = Failure)))]
pub async fn read_file(
    state: web::Data<AppState>,
    request_id: RequestId,
    req: HttpRequest,
    key: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = key.into_inner();
    if !super::RENTAL_FILE_KEY.is_match(&key) {
        return Err(ServiceError::not_found("文件不存在", "not a rental file key").into());
    }
    // A token is not needed; when one is sent, the service learns who reads.
    let (mut resident, mut platform) = (None, None);
    if let Some(token) = auth::bearer_token(&req) {
        match auth::authenticate(&state, request_id.as_str(), Some(token), Audience::Resident)
            .await?
        {
            caller::Kind::Resident(r) => {
                resident = Some(pb::ResidentRef {
                    user_id: r.user_id,
                    phone: String::new(),
                });
            }
            caller::Kind::Platform(p) => {
                platform = Some(pb::PlatformRef {
                    credential_id: p.credential_id,
                    secret_id: p.secret_id,
                    communities: p.communities,
                });
            }
        }
    }
    let request = pb::ReadFileRequest {
        resident,
        platform,
        key,
    };
    let file = state
        .call(
            "community",
            state.rental().read_file(request_id.grpc(request)),
        )
        .await?;
    let cache = if file.is_public {
        vec![CacheDirective::Public, CacheDirective::MaxAge(86_400)]
    } else {
        vec![CacheDirective::Private, CacheDirective::NoStore]
    };
    Ok(HttpResponse::Ok()
        .content_type(file.content_type)
        .insert_header(CacheControl(cache))
        .body(file.content))
}
