//! Listing photos and videos, and portraits: sniffed (JPEG or PNG; MP4 for a video), capped,
//! kept in the object store beside the other files under
//! `{prefix}/rental/{user}/{kind}/{day}/{name}.{ext}`, and read back through the gateway.
use kit::error::{ErrorKind, ServiceError, ServiceResult};
use kit::settings::ObjectStoreSettings;
use object_store::path::Path;
use proto::rental::{AddMediaRequest, MediaKind, ReadFileRequest, ReplaceMediaRequest};

use super::own_listing;
use crate::actions::{State, resident};
use crate::clients::photo_store::PhotoStore;
use crate::config::RentalSettings;
use crate::db::rental::{self as db, MediaRow};
use crate::domain::rental_key::{self, FileKind};
use crate::error::Error;

/// The store and the marketplace's limits.
#[derive(Clone, Debug)]
pub struct RentalFiles {
    store: PhotoStore,
    prefix: String,
    max_photo_bytes: usize,
    max_video_bytes: usize,
    max_photos: i64,
    max_videos: i64,
}

/// Bedrooms (主卧, 次卧): the only rooms whose area and orientation are kept.
const BEDROOMS: [i32; 2] = [1, 2];

impl RentalFiles {
    pub fn open(objects: &ObjectStoreSettings, rental: &RentalSettings) -> anyhow::Result<Self> {
        Ok(Self {
            store: PhotoStore::open(objects)?,
            prefix: objects.public_prefix.trim_matches('/').to_owned(),
            max_photo_bytes: objects.max_photo_bytes,
            max_video_bytes: rental.max_video_bytes,
            max_photos: rental.max_photos_per_listing,
            max_videos: rental.max_videos_per_listing,
        })
    }

    /// Checks and stores `content` as `user`'s file of `kind`; its key. `field` names the part
    /// in a refusal.
    pub async fn put(
        &self,
        field: &str,
        user: i64,
        kind: FileKind,
        content: Vec<u8>,
    ) -> ServiceResult<String> {
        if content.is_empty() {
            return Err(ServiceError::missing(field));
        }
        let (cap, what) = if kind.is_video() {
            (self.max_video_bytes, "视频")
        } else {
            (self.max_photo_bytes, "图片")
        };
        if content.len() > cap {
            return Err(ServiceError::invalid(
                field,
                format!("{what}不能超过{}KB", cap / 1024),
            ));
        }
        let Some(extension) = rental_key::extension(kind, &content) else {
            let formats = if kind.is_video() { "MP4" } else { "JPG或PNG" };
            return Err(ServiceError::invalid(
                field,
                format!("只能上传{formats}格式的{what}"),
            ));
        };
        let day = chrono::Utc::now().format("%Y%m%d");
        let name = kit::secret::random_alnum(24);
        let key = rental_key::new_key(&self.prefix, user, kind, day, &name, extension);
        let path = Path::parse(&key).map_err(ServiceError::internal)?;
        if let Err(error) = self.store.put(&path, content).await {
            tracing::error!(%error, user, "rental file not stored");
            return Err(ServiceError::new(
                ErrorKind::Upstream,
                format!("{what}上传失败"),
                "object store put failed",
            ));
        }
        Ok(key)
    }
}

fn kind_of(kind: MediaKind) -> ServiceResult<(FileKind, &'static str, &'static str)> {
    match kind {
        MediaKind::Photo => Ok((FileKind::HousePhoto, "photo", "house_photo")),
        MediaKind::Video => Ok((FileKind::HouseVideo, "video", "house_video")),
        MediaKind::Unspecified => Err(ServiceError::missing("kind")),
    }
}

/// Adds photos (one or several) or a video to the caller's listing.
pub async fn add(state: &State, request: AddMediaRequest) -> ServiceResult<Vec<MediaRow>> {
    let resident = resident(request.resident.as_ref())?.clone();
    let (kind, stored, field) = kind_of(request.kind())?;
    let files = &state.rental_files;
    let id = request.house_id;
    let cap = if kind.is_video() {
        files.max_videos
    } else {
        files.max_photos
    };
    let owner = resident.clone();
    let existing = state
        .db
        .run(move |conn| -> Result<i64, Error> {
            own_listing(db::find_listing(conn, id)?, &owner)?;
            Ok(db::count_media(conn, id, stored)?)
        })
        .await?;
    if request.contents.is_empty() {
        return Err(ServiceError::missing(field));
    }
    if existing + request.contents.len() as i64 > cap {
        return Err(ServiceError::conflict_in(
            field,
            format!(
                "每个房源最多{cap}个{}",
                if kind.is_video() { "视频" } else { "照片" }
            ),
        ));
    }
    let mut keys = Vec::with_capacity(request.contents.len());
    for content in request.contents {
        keys.push(files.put(field, resident.user_id, kind, content).await?);
    }
    let bedroom = BEDROOMS.contains(&request.rooms_type);
    let (rooms_type, area, orientation) = if kind.is_video() {
        (None, None, None)
    } else {
        (
            Some(request.rooms_type),
            request.rooms_area.filter(|_| bedroom),
            request.rooms_orientation.filter(|_| bedroom),
        )
    };
    let now = kit::time::now_unix();
    Ok(state
        .db
        .write(move |conn| {
            let mut rows = Vec::with_capacity(keys.len());
            for key in keys {
                let row = MediaRow {
                    id: 0,
                    listing_id: id,
                    kind: stored.to_owned(),
                    object_key: key,
                    rooms_type,
                    rooms_area: area,
                    rooms_orientation: orientation.clone(),
                    created_at: now,
                    updated_at: now,
                };
                rows.push(db::insert_media(conn, &row)?);
            }
            Ok::<_, Error>(rows)
        })
        .await?)
}

/// Replaces the file behind one of the caller's listing's photos or videos.
pub async fn replace(state: &State, request: ReplaceMediaRequest) -> ServiceResult<MediaRow> {
    let resident = resident(request.resident.as_ref())?.clone();
    let (kind, stored, field) = kind_of(request.kind())?;
    let id_field = if kind.is_video() {
        "video_id"
    } else {
        "photo_id"
    };
    let id = request.media_id;
    let owner = resident.clone();
    state
        .db
        .run(move |conn| -> Result<(), Error> {
            let media = db::find_media(conn, id)?
                .filter(|m| m.kind == stored)
                .ok_or_else(|| ServiceError::not_found_in(id_field, "没有找到该文件"))?;
            let listing = db::find_listing(conn, media.listing_id)?
                .ok_or_else(|| ServiceError::not_found_in(id_field, "没有找到该文件"))?;
            if listing.owner_id != owner.user_id {
                return Err(
                    ServiceError::forbidden_in(id_field, "只有房东本人可以修改该房源").into(),
                );
            }
            Ok(())
        })
        .await?;
    let key = state
        .rental_files
        .put(field, resident.user_id, kind, request.content)
        .await?;
    let now = kit::time::now_unix();
    Ok(state
        .db
        .run(move |conn| db::replace_media(conn, id, &key, now).map_err(Error::from))
        .await?)
}

/// A stored file: whether anyone may read it, its content type and bytes. Listing media and
/// portraits are anyone's; identification photos their owner's; a claim's documents also the
/// platform's that manages the claimed house.
pub async fn read(
    state: &State,
    request: ReadFileRequest,
) -> ServiceResult<(bool, String, Vec<u8>)> {
    let files = &state.rental_files;
    let not_found = || ServiceError::not_found("文件不存在", "没有找到该文件");
    let (owner, kind) = rental_key::parts(&files.prefix, &request.key).ok_or_else(not_found)?;
    let mut allowed = kind.is_public()
        || request
            .resident
            .as_ref()
            .is_some_and(|r| r.user_id == owner);
    if !allowed
        && kind.is_claim_document()
        && let Some(platform) = request.platform.clone()
    {
        let key = request.key.clone();
        let claim = state
            .db
            .run(move |conn| db::identification_with_file(conn, &key).map_err(Error::from))
            .await?;
        allowed = claim.is_some_and(|claim| {
            kit::scope::manages(&platform.communities, &claim.community_identifier)
        });
    }
    if !allowed {
        return Err(ServiceError::forbidden(
            "您没有权限查看该文件",
            "only the owner and the platform reviewing it",
        ));
    }
    let path = Path::parse(&request.key).map_err(|_| not_found())?;
    let content = files
        .store
        .get(&path)
        .await
        .map_err(ServiceError::internal)?
        .ok_or_else(not_found)?;
    Ok((
        kind.is_public(),
        rental_key::content_type(&request.key).to_owned(),
        content,
    ))
}
