//! Face photos (000 §2.3.1), the files behind their URLs, and ID-card OCR (000 §2.3.2).
//!
//! A photo is checked (not empty, not too large, really a JPEG or PNG), filed under an existing
//! house of the address tree and stored with its uploader; it is read back by that uploader or by
//! the platform managing the house's community. ID-card images go to the OCR provider and the
//! fields come back unmasked: they are the caller's own.
use chrono::Utc;
use kit::db::{Database, DbError};
use kit::error::{ErrorKind, ServiceError, ServiceResult};
use kit::settings::{ObjectStoreSettings, OcrSettings};

use crate::clients::ocr::{IdCardFront, OcrClient, OcrError};
use crate::clients::photo_store::PhotoStore;
use crate::db::addresses;
use crate::domain::photo_key::{self, PhotoAddress, PhotoKey, PhotoType, ReadKey};

/// Where the gateway serves a stored file.
pub const FILES_PATH: &str = "/api/v1/files/";

/// Who asks for a stored file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reader {
    /// A signed-in resident.
    Resident(i64),
    /// A platform credential and the communities it manages.
    Platform { communities: Vec<String> },
}

/// A stored file: its type and bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredPhoto {
    pub content_type: &'static str,
    pub content: Vec<u8>,
}

/// What the photo actions need: the store, the OCR client, the address tree and the limits.
#[derive(Clone)]
pub struct Photos {
    store: PhotoStore,
    ocr: OcrClient,
    db: Database,
    public_prefix: String,
    max_photo_bytes: usize,
}

impl Photos {
    /// Opens the object store (creating the local directory) and the OCR client.
    pub fn new(
        objects: ObjectStoreSettings,
        ocr: OcrSettings,
        db: Database,
    ) -> anyhow::Result<Self> {
        let public_prefix = objects.public_prefix.trim_matches('/').to_owned();
        anyhow::ensure!(
            !public_prefix.is_empty(),
            "objects.public_prefix must not be empty"
        );
        Ok(Self {
            store: PhotoStore::open(&objects)?,
            ocr: OcrClient::new(&ocr)?,
            db,
            public_prefix,
            max_photo_bytes: objects.max_photo_bytes,
        })
    }

    /// 000 §2.3.1: checks and stores a face photo of the house at `address`; returns its key.
    pub async fn upload_face_photo(
        &self,
        user_id: i64,
        address: PhotoAddress,
        content: Vec<u8>,
    ) -> ServiceResult<PhotoKey> {
        if content.len() > self.max_photo_bytes {
            return Err(too_large("file", self.max_photo_bytes));
        }
        let photo_type = PhotoType::sniff(&content)
            .ok_or_else(|| ServiceError::invalid("file", "只能上传JPG或PNG格式的图片"))?;
        let house = address.house_address();
        let exists = address.is_filable()
            && self
                .db
                .run(move |conn| {
                    Ok::<_, DbError>(addresses::find_house_at(conn, &house)?.is_some())
                })
                .await?;
        if !exists {
            return Err(ServiceError::not_found(
                "没有找到该房屋",
                "没有根据小区唯一标识、楼号、单元号、楼层号和房屋号查找到房屋",
            ));
        }
        let name = kit::secret::random_alnum(photo_key::NAME_LEN);
        let key = PhotoKey::new(&self.public_prefix, &address, Utc::now(), &name, photo_type);
        let size = content.len();
        if let Err(error) = self.store.put_photo(&key, user_id, content).await {
            tracing::error!(%error, user_id, "face photo not stored");
            return Err(ServiceError::new(
                ErrorKind::Upstream,
                "图片上传失败",
                "图片上传失败,message编码Yi1326",
            ));
        }
        tracing::info!(user_id, key = key.as_str(), size, "face photo stored");
        Ok(key)
    }

    /// A stored photo, for its uploader or the platform managing its community.
    pub async fn read_file(&self, reader: &Reader, key: &ReadKey) -> ServiceResult<StoredPhoto> {
        let unknown = || ServiceError::not_found("文件不存在", "没有找到该文件");
        let key = PhotoKey::of_read(&self.public_prefix, key).ok_or_else(unknown)?;
        let forbidden = || {
            ServiceError::forbidden(
                "您没有权限查看该文件",
                "只有上传者和管理该小区的平台可以查看",
            )
        };
        match reader {
            Reader::Resident(user_id) => {
                let owner = self.store.owner(&key).await.map_err(store_failed)?;
                match owner {
                    None => return Err(unknown()),
                    Some(owner) if owner != *user_id => return Err(forbidden()),
                    Some(_) => {}
                }
            }
            Reader::Platform { communities } => {
                if !kit::scope::manages(communities, key.community_identifier()) {
                    return Err(forbidden());
                }
            }
        }
        let content = self
            .store
            .photo(&key)
            .await
            .map_err(store_failed)?
            .ok_or_else(unknown)?;
        Ok(StoredPhoto {
            content_type: key.photo_type().content_type(),
            content,
        })
    }

    /// 000 §2.3.2: the front of the ID card in `image`.
    pub async fn read_id_card(&self, user_id: i64, image: Vec<u8>) -> ServiceResult<IdCardFront> {
        if image.len() > self.max_photo_bytes {
            return Err(too_large("image", self.max_photo_bytes));
        }
        match self.ocr.read_front(&image).await {
            Ok(front) => {
                tracing::info!(user_id, "ID card read");
                Ok(front)
            }
            Err(OcrError::Unreadable) => {
                tracing::info!(user_id, "ID card unreadable");
                Err(unreadable(ErrorKind::Invalid))
            }
            Err(error @ OcrError::Refused(_)) => {
                // A wrong AppCode or a used-up quota (接口欠费): the seed words it for people.
                tracing::error!(%error, "the OCR provider refused us");
                Err(unreadable(ErrorKind::Upstream))
            }
            Err(error) => {
                tracing::warn!(%error, "the OCR provider failed");
                Err(ServiceError::upstream(format!(
                    "身份证识别接口故障: {error}"
                )))
            }
        }
    }
}

/// The relative URL of a stored file.
pub fn url_of(key: &PhotoKey) -> String {
    format!("{FILES_PATH}{}", key.as_str())
}

fn too_large(field: &str, max: usize) -> ServiceError {
    ServiceError::invalid(field, format!("图片不能超过{}KB", max / 1024))
}

fn unreadable(kind: ErrorKind) -> ServiceError {
    ServiceError::new(
        kind,
        "扫描失败，请重新上传更加清晰的照片或者手动填写个人信息",
        "照片模糊，或者是接口欠费了",
    )
}

fn store_failed(error: object_store::Error) -> ServiceError {
    tracing::error!(%error, "object store failed");
    ServiceError::upstream("对象存储读取失败")
}
