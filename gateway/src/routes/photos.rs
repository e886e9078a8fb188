//! 000 §2.3: face photo upload, ID-card OCR, and the stored files behind the photo URLs.
//! Inputs are extracted as in [`super::registration`]: the caller is answered first.
use std::rc::Rc;

use actix_web::body::MessageBody;
use actix_web::dev::{Extensions, ServiceRequest, ServiceResponse};
use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use kit::error::{ErrorKind, ServiceError};
use proto::auth::caller;
use proto::yibiaosanshi as pb;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{self, Audience, ResidentCaller};
use crate::envelope::{self, ApiError, ApiResult, Failure, Head};
use crate::input::{FilePart, Input, Level, Text, Xiaoqu};
use crate::middleware::RequestId;
use crate::params::ParamsLimits;
use crate::state::AppState;

/// 000 §2.3.1 request (`wx.uploadFile` with `name: 'file'` and `formData`): the house the photo
/// is filed under, and the photo.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FacePhotoForm {
    /// The photo: JPEG or PNG, whatever its name says (a file part, read apart from the fields).
    #[schema(required = true)]
    #[serde(default)]
    pub file: FilePart,
    #[schema(example = "10002")]
    pub community_identifier: Xiaoqu,
    #[schema(example = "1")]
    pub building_number: Level,
    #[schema(example = "1")]
    pub unit_number: Level,
    #[schema(example = "1")]
    pub floor_number: Level,
    #[schema(example = "101")]
    pub house_number: Level,
}

/// 000 §2.3.1 success.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacePhotoResponse {
    #[serde(flatten)]
    pub head: Head,
    /// The photo's URL, relative to the gateway (`GET` it with a token).
    #[schema(
        example = "https://api.example.com/api/v1/files/wjdh-platform/face-photo/10002/1/1/1/101/202011/21/QhnV7ro72m5eYCTtdCNl6vLTusEigO7mNY7oVrVQ.png"
    )]
    pub data: String,
}

/// Longest base64 text of an ID-card photo, in characters (the service refuses a photo larger
/// than its limit once decoded).
const MAX_IMAGE_CHARS: usize = 16 * 1024 * 1024;

/// 2.3.2's base64 text.
pub type ImageText = Text<MAX_IMAGE_CHARS>;

/// 000 §2.3.2 request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IdCardBody {
    /// 身份证的base64码 (a `data:image/...;base64,` prefix and line breaks are allowed); the
    /// seed words its absence.
    #[schema(required = true, value_type = ImageText)]
    pub image: Option<ImageText>,
}

/// Standard base64, padding optional (clients differ).
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The image bytes of 2.3.2's `image`; its absence is answered as the seed words it.
fn image_bytes(image: Option<&str>) -> Result<Vec<u8>, ServiceError> {
    let text = image.unwrap_or_default();
    let text = match text.split_once(";base64,") {
        Some((head, rest)) if head.starts_with("data:") => rest,
        _ => text,
    };
    if text.trim().is_empty() {
        return Err(ServiceError::new(
            ErrorKind::Invalid,
            "没有传递image的base64码",
            "传递的image字段为空",
        ));
    }
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    BASE64
        .decode(compact)
        .map_err(|_| ServiceError::invalid("image", "image必须是图片的base64码"))
}

/// 000 §2.3.2.4 `data`: the caller's own card, so nothing is masked.
#[derive(Serialize, ToSchema)]
pub struct IdCardData {
    #[schema(example = "19921130")]
    pub birthday: String,
    #[schema(example = "河北省秦皇岛市海港区秦皇小区98栋3单元4号")]
    pub address: String,
    #[schema(example = "男")]
    pub gender: String,
    #[schema(example = "汉")]
    pub nation: String,
    #[schema(example = "130302199211302519")]
    pub idcard: String,
    #[schema(example = "杨哲")]
    pub name: String,
}

/// 000 §2.3.2 success.
#[derive(Serialize, ToSchema)]
pub struct IdCardResponse {
    #[serde(flatten)]
    pub head: Head,
    pub data: IdCardData,
}

/// Lets a route read a body as large as an upload: an ID-card photo travels base64 in JSON or a
/// form, face and community photos as multipart. Every other route reads at most
/// `body_limit_bytes`, multipart included.
pub async fn admit_image_body(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    admit_body(req, next, |limits| limits.upload).await
}

/// Lets a rental video route read a body as large as a video upload.
pub async fn admit_video_body(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    admit_body(req, next, |limits| limits.video).await
}

async fn admit_body(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
    body: impl Fn(&ParamsLimits) -> usize,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let limits = req.app_data::<ParamsLimits>().copied().unwrap_or_default();
    let mut data = Extensions::new();
    data.insert(ParamsLimits {
        body: body(&limits),
        ..limits
    });
    req.add_data_container(Rc::new(data));
    next.call(req).await
}

/// 000 §2.3.1 人脸照片上传: a JPEG or PNG photo of the resident, filed under the house.
#[utoipa::path(
    post,
    path = "/api/v1/people/photo",
    tag = "000 §2.3 附件上传",
    request_body(content = FacePhotoForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, body = FacePhotoResponse, description = "图片上传成功"),
        (status = 400, body = Failure, description = "没有传递任何文件到后台; file (not JPEG/PNG, too large); an address field"),
        (status = 404, body = Failure, description = "没有找到该房屋"),
        (status = 413, body = Failure, description = "提交的数据过大"),
        (status = 502, body = Failure, description = "图片上传失败 (Yi1326)")
    ),
    security(("bearer" = []))
)]
pub async fn upload_face_photo(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<FacePhotoForm>, ApiError>,
) -> ApiResult {
    let input = input?;
    let file = input
        .file("file")
        .filter(|file| !file.bytes.is_empty())
        .ok_or_else(|| {
            ServiceError::new(
                ErrorKind::Invalid,
                "没有传递任何文件到后台",
                "传递的file为空",
            )
        })?;
    let request = pb::UploadFacePhotoRequest {
        resident: Some(resident.reference()),
        community_identifier: input.community_identifier.as_str().to_owned(),
        building_number: input.building_number.get(),
        unit_number: input.unit_number.get(),
        floor_number: input.floor_number.get(),
        house_number: input.house_number.get(),
        filename: file.filename.clone().unwrap_or_default(),
        content: file.bytes.to_vec(),
    };
    let uploaded = state
        .call(
            "yibiaosanshi",
            state.photos().upload_face_photo(request_id.grpc(request)),
        )
        .await?;
    Ok(envelope::ok(&FacePhotoResponse {
        head: Head::ok("图片上传成功", "图片上传成功,message编码Yi1320"),
        data: state.file_url(&uploaded.url),
    }))
}

/// 000 §2.3.2 身份证验证: the fields on the front of the resident's ID card (OCR).
#[utoipa::path(
    post,
    path = "/api/v1/idcard/photo",
    tag = "000 §2.3 附件上传",
    request_body(content(
        (IdCardBody = "application/json"),
        (IdCardBody = "application/x-www-form-urlencoded")
    )),
    responses(
        (status = 200, body = IdCardResponse, description = "获取信息成功！"),
        (status = 400, body = Failure, description = "没有传递image的base64码; image (not base64, too large); 扫描失败 (unreadable)"),
        (status = 502, body = Failure, description = "扫描失败 (接口欠费) or the OCR provider is down")
    ),
    security(("bearer" = []))
)]
pub async fn read_id_card(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<IdCardBody>, ApiError>,
) -> ApiResult {
    let input = input?;
    let request = pb::ReadIdCardRequest {
        resident: Some(resident.reference()),
        image: image_bytes(input.image.as_ref().map(Text::as_str))?,
    };
    let card = state
        .call(
            "yibiaosanshi",
            state.photos().read_id_card(request_id.grpc(request)),
        )
        .await?;
    Ok(envelope::ok(&IdCardResponse {
        head: Head::ok("获取信息成功！", "获取信息成功"),
        data: IdCardData {
            birthday: card.birthday,
            address: card.address,
            gender: card.gender,
            nation: card.nation,
            idcard: card.idcard,
            name: card.name,
        },
    }))
}

/// The object-store prefix a stored file's key starts with: segments of letters, digits, `.`,
/// `_` and `-`, none of them `.` or `..`.
pub const KEY_PREFIX: &str = r"[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*";

/// A face photo's key, exactly as svc-yibiaosanshi lays it out:
/// `{prefix}/face-photo/{community}/{building}/{unit}/{floor}/{house}/{yyyymm}/{dd}/{name}.jpg`
/// (or `.png`). No `..`, no sidecar and nothing outside a `face-photo/` layout can be named: any
/// other key names no file (404). (An OpenAPI path parameter cannot hold `/`, so the document
/// says the layout in words.)
static FACE_PHOTO_KEY: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    let layout = r"/face-photo/[0-9]{1,20}(/-?[0-9]{1,18}){4}/[0-9]{6}/[0-9]{2}/[A-Za-z0-9]{1,64}\.(jpg|png)";
    regex::Regex::new(&format!("^{KEY_PREFIX}{layout}$")).expect("FACE_PHOTO_KEY")
});

/// The key of a face photo URL, read by [`FACE_PHOTO_KEY`].
fn photo_key(key: &str) -> Result<pb::PhotoKey, ServiceError> {
    let bad = || ServiceError::not_found("文件不存在", "not a face photo key");
    if !FACE_PHOTO_KEY.is_match(key) {
        return Err(bad());
    }
    // From the right: the eight parts the layout fixes, `face-photo`, and the prefix.
    let mut parts: Vec<&str> = key.rsplitn(10, '/').collect();
    parts.reverse();
    let [
        prefix,
        _,
        community,
        building,
        unit,
        floor,
        house,
        month,
        day,
        file,
    ] = parts.as_slice()
    else {
        return Err(bad());
    };
    let number = |s: &str| s.parse::<i64>().map_err(|_| bad());
    let (name, extension) = file.split_once('.').ok_or_else(bad)?;
    Ok(pb::PhotoKey {
        prefix: (*prefix).to_owned(),
        community_identifier: (*community).to_owned(),
        building_number: number(building)?,
        unit_number: number(unit)?,
        floor_number: number(floor)?,
        house_number: number(house)?,
        month: month.parse().map_err(|_| bad())?,
        day: day.parse().map_err(|_| bad())?,
        name: name.to_owned(),
        r#type: if extension == "png" {
            pb::ImageType::Png
        } else {
            pb::ImageType::Jpeg
        }
        .into(),
    })
}

/// A stored file (a face photo URL): for its uploader, or the platform managing its community.
#[utoipa::path(
    get,
    path = "/api/v1/files/{key}",
    tag = "000 §2.3 附件上传",
    params(("key" = String, Path, description = "the object key, slashes included: `{prefix}/face-photo/{community}/{building}/{unit}/{floor}/{house}/{yyyymm}/{dd}/{name}.jpg` (or .png); any other key is 404")),
    responses(
        (status = 200, description = "the bytes, with their content type", content_type = "image/*"),
        (status = 401, body = Failure, description = "token missing or invalid (code 9)"),
        (status = 403, body = Failure, description = "neither the uploader nor the managing platform"),
        (status = 404, body = Failure, description = "文件不存在")
    ),
    security(("bearer" = []))
)]
pub async fn read_file(
    state: web::Data<AppState>,
    request_id: RequestId,
    req: HttpRequest,
    key: web::Path<String>,
) -> ApiResult {
    let key = photo_key(&key.into_inner());
    let token = auth::bearer_token(&req);
    let (resident, platform) =
        match auth::authenticate(&state, request_id.as_str(), token, Audience::Resident).await? {
            caller::Kind::Resident(resident) => (
                Some(proto::caller::ResidentRef {
                    user_id: resident.user_id,
                    phone: String::new(),
                }),
                None,
            ),
            caller::Kind::Platform(platform) => (
                None,
                Some(proto::caller::PlatformRef {
                    credential_id: platform.credential_id,
                    secret_id: platform.secret_id,
                    communities: platform.communities,
                }),
            ),
        };
    let request = pb::ReadFileRequest {
        resident,
        platform,
        key: Some(key?),
    };
    let file = state
        .call(
            "yibiaosanshi",
            state.photos().read_file(request_id.grpc(request)),
        )
        .await?;
    Ok(HttpResponse::Ok()
        .content_type(file.content_type)
        .insert_header(CacheControl(vec![CacheDirective::Private]))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(file.content))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::middleware::from_fn;
    use actix_web::{App, test};

    async fn echo_image(input: Input<IdCardBody>) -> HttpResponse {
        HttpResponse::Ok().body(
            input
                .into_inner()
                .image
                .map(Text::into_string)
                .unwrap_or_default(),
        )
    }

    #[actix_web::test]
    async fn a_photo_key_is_read_in_the_services_layout_only() {
        let good = "wjdh-platform/face-photo/10002/1/2/3/301/202011/21/abc.jpg";
        let key = photo_key(good).expect("good");
        assert_eq!(
            (
                key.prefix.as_str(),
                key.community_identifier.as_str(),
                key.house_number
            ),
            ("wjdh-platform", "10002", 301)
        );
        assert_eq!((key.month, key.day, key.name.as_str()), (202011, 21, "abc"));
        assert_eq!(key.r#type(), pb::ImageType::Jpeg);
        // A prefix of several segments, one of them named like the layout's.
        let deep = photo_key("a/face-photo/b/face-photo/1/-2/3/4/5/202011/21/x.png").expect("deep");
        assert_eq!(
            (deep.prefix.as_str(), deep.building_number, deep.r#type()),
            ("a/face-photo/b", -2, pb::ImageType::Png)
        );
        for bad in [
            "p/face-photo/10002/1/2/3/301/202011/21/abc.jpg.owner",
            "p/face-photo/10002/1/2/3/301/202011/21/abc.gif",
            "p/face-photo/10002/1/2/3/301/202011/21/../abc.jpg",
            "p/face-photo/10002/1/2/3/301/202011/../../abc.jpg",
            "p/face-photo/10002/1/2/3/301/202011/21/a/abc.jpg",
            "p/face-photo/../1/2/3/301/202011/21/abc.jpg",
            "../face-photo/10002/1/2/3/301/202011/21/abc.jpg",
            "p/other/10002/1/2/3/301/202011/21/abc.jpg",
            "/p/face-photo/10002/1/2/3/301/202011/21/abc.jpg",
            "p/face-photo/10002/1/2/3/301/2020-11/21/abc.jpg",
            "p/face-photo/10002/1/2/3/301/202011/21/.jpg",
            "p/face-photo/10002/1/2/3/301/202011/21/a-b.jpg",
            "p/face-photo/10002/x/2/3/301/202011/21/abc.jpg",
            "p/face-photo/face-photo/10002/1/2/3/301/202011/21/abc.jpg.jpg",
            "./face-photo/10002/1/2/3/301/202011/21/abc.jpg",
            "",
        ] {
            let error = photo_key(bad).expect_err(bad);
            assert_eq!(error.msg, "文件不存在", "{bad}");
            assert_eq!(error.kind, kit::error::ErrorKind::NotFound, "{bad}");
        }
    }

    #[actix_web::test]
    async fn an_id_card_image_is_read_from_base64_or_a_data_url() {
        let image = b"IDCARD:{}".to_vec();
        let plain = base64::engine::general_purpose::STANDARD.encode(&image);
        assert_eq!(image_bytes(Some(&plain)).expect("plain"), image);
        let unpadded = plain.trim_end_matches('=');
        let (head, tail) = unpadded.split_at(4);
        let data_url = format!("data:image/jpeg;base64,{head}\n{tail}");
        assert_eq!(image_bytes(Some(&data_url)).expect("data url"), image);
        for empty in [
            None,
            Some("data:image/png;base64,"),
            Some("data:image/png;base64,  "),
        ] {
            let error = image_bytes(empty).expect_err("empty");
            assert_eq!(
                (error.msg.as_str(), error.message.as_str()),
                ("没有传递image的base64码", "传递的image字段为空")
            );
        }
        let error = image_bytes(Some("this is not base64!")).expect_err("not base64");
        assert!(error.msg.starts_with("image"), "{}", error.msg);
    }

    #[actix_web::test]
    async fn the_id_card_route_reads_bodies_up_to_the_upload_cap() {
        let app = test::init_service(
            App::new()
                .app_data(ParamsLimits {
                    body: 16,
                    upload: 1024,
                    video: 1024,
                    parts: 4,
                })
                .service(
                    web::resource("/wide")
                        .wrap(from_fn(admit_image_body))
                        .route(web::post().to(echo_image)),
                )
                .service(web::resource("/narrow").route(web::post().to(echo_image))),
        )
        .await;
        let image = "A".repeat(512);
        let body = serde_json::json!({ "image": image });
        let wide = test::call_service(
            &app,
            test::TestRequest::post()
                .uri("/wide")
                .set_json(&body)
                .to_request(),
        )
        .await;
        assert_eq!(wide.status(), 200);
        assert_eq!(test::read_body(wide).await, image.as_bytes());

        let narrow = test::call_service(
            &app,
            test::TestRequest::post()
                .uri("/narrow")
                .set_json(&body)
                .to_request(),
        )
        .await;
        assert_eq!(narrow.status(), 413);

        let beyond = serde_json::json!({ "image": "A".repeat(2048) });
        let refused = test::call_service(
            &app,
            test::TestRequest::post()
                .uri("/wide")
                .set_json(&beyond)
                .to_request(),
        )
        .await;
        assert_eq!(refused.status(), 413);
    }
}
