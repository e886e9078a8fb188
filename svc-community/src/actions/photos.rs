//! Photos of repairs and complaints: sniffed (JPEG or PNG), size-capped and kept in the object
//! store beside the face photos, under `{prefix}/community-photo/{community}/{user}/{day}/{name}`.
//! The uploader and the platform managing the community read them back.
use kit::error::{ErrorKind, ServiceError, ServiceResult};
use kit::settings::ObjectStoreSettings;
use object_store::path::Path;

use crate::clients::photo_store::PhotoStore;
use crate::domain::photo_key;

/// The store and its limits.
#[derive(Clone, Debug)]
pub struct Photos {
    store: PhotoStore,
    prefix: String,
    max_bytes: usize,
}

/// Who reads a photo.
pub enum Reader<'a> {
    Resident(i64),
    Platform(&'a [String]),
}

impl Photos {
    pub fn open(settings: &ObjectStoreSettings) -> anyhow::Result<Self> {
        Ok(Self {
            store: PhotoStore::open(settings)?,
            prefix: settings.public_prefix.trim_matches('/').to_owned(),
            max_bytes: settings.max_photo_bytes,
        })
    }

    /// Checks and stores a photo; returns its key.
    pub async fn upload(
        &self,
        community: &str,
        user_id: i64,
        content: Vec<u8>,
    ) -> ServiceResult<String> {
        if content.is_empty() {
            return Err(ServiceError::invalid("file", "没有传递任何文件到后台"));
        }
        if content.len() > self.max_bytes {
            return Err(ServiceError::invalid(
                "file",
                format!("图片不能超过{}KB", self.max_bytes / 1024),
            ));
        }
        let Some(extension) = photo_key::image_extension(&content) else {
            return Err(ServiceError::invalid("file", "只能上传JPG或PNG格式的图片"));
        };
        if !photo_key::is_filable(community) {
            return Err(ServiceError::invalid("xiaoqu", "小区唯一标识不正确"));
        }
        let day = chrono::Utc::now().format("%Y%m%d");
        let name = kit::secret::random_alnum(24);
        let key = photo_key::new_key(&self.prefix, community, user_id, day, &name, extension);
        let path = Path::parse(&key).map_err(ServiceError::internal)?;
        if let Err(error) = self.store.put(&path, content).await {
            tracing::error!(%error, user_id, "community photo not stored");
            return Err(ServiceError::new(
                ErrorKind::Upstream,
                "图片上传失败",
                "object store put failed",
            ));
        }
        Ok(key)
    }

    /// Whether `key` is a community photo (the gateway routes by it).
    pub fn owns(&self, key: &str) -> bool {
        photo_key::is_ours(&self.prefix, key)
    }

    /// Whether `url` (relative `/api/v1/files/<key>` or the bare key) is a photo `user_id`
    /// uploaded for `community`; other URLs are refused.
    pub fn check_mine(
        &self,
        field: &str,
        url: &str,
        community: &str,
        user_id: i64,
    ) -> ServiceResult<()> {
        let key = photo_key::key_of_url(url);
        match photo_key::parts(&self.prefix, key) {
            Some((c, u)) if c == community && u == user_id => Ok(()),
            _ => Err(ServiceError::forbidden_in(
                field,
                format!("{field}只能是您为该小区上传的图片地址"),
            )),
        }
    }

    /// A stored photo: `(content type, bytes)`.
    pub async fn read(&self, reader: Reader<'_>, key: &str) -> ServiceResult<(String, Vec<u8>)> {
        // A key of another layout or prefix names no photo of ours.
        let (community, uploader) = photo_key::parts(&self.prefix, key)
            .ok_or_else(|| ServiceError::not_found("文件不存在", "没有找到该文件"))?;
        let allowed = match reader {
            Reader::Resident(user_id) => user_id == uploader,
            Reader::Platform(communities) => kit::scope::manages(communities, community),
        };
        if !allowed {
            return Err(ServiceError::forbidden(
                "您没有权限查看该文件",
                "only the uploader and the platform of the community",
            ));
        }
        let path = Path::parse(key).map_err(|_| ServiceError::invalid("key", "文件地址不正确"))?;
        let content = self
            .store
            .get(&path)
            .await
            .map_err(ServiceError::internal)?
            .ok_or_else(|| ServiceError::not_found("文件不存在", "没有找到该文件"))?;
        Ok((photo_key::content_type(key).to_owned(), content))
    }
}
