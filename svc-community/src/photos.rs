//! Photos of repairs and complaints: sniffed (JPEG or PNG), size-capped and kept in the object
//! store beside the face photos, under `{prefix}/community-photo/{community}/{user}/{day}/{name}`.
//! The uploader and the platform managing the community read them back.
use std::sync::Arc;

use anyhow::Context;
use kit::error::{ErrorKind, ServiceError, ServiceResult};
use kit::settings::{ObjectStoreKind, ObjectStoreSettings};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ClientOptions, ObjectStore, PutPayload};

/// The key segment of community photos.
pub const KIND: &str = "community-photo";
/// Where the gateway serves stored files.
pub const FILES_PATH: &str = "/api/v1/community/files/";

/// The store and its limits.
#[derive(Clone, Debug)]
pub struct Photos {
    store: Arc<dyn ObjectStore>,
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
        let store: Arc<dyn ObjectStore> = match settings.store {
            ObjectStoreKind::Local => {
                std::fs::create_dir_all(&settings.local_dir)
                    .with_context(|| format!("creating {}", settings.local_dir))?;
                Arc::new(LocalFileSystem::new_with_prefix(&settings.local_dir)?)
            }
            ObjectStoreKind::S3 => {
                let mut builder = AmazonS3Builder::new()
                    .with_bucket_name(&settings.s3_bucket)
                    .with_region(&settings.s3_region)
                    .with_access_key_id(&settings.s3_access_key_id)
                    .with_secret_access_key(&settings.s3_secret_access_key)
                    .with_virtual_hosted_style_request(settings.s3_virtual_hosted_style)
                    .with_client_options(
                        ClientOptions::new()
                            .with_timeout(std::time::Duration::from_secs(30))
                            .with_connect_timeout(std::time::Duration::from_secs(5)),
                    );
                if !settings.s3_endpoint.is_empty() {
                    builder = builder
                        .with_endpoint(&settings.s3_endpoint)
                        .with_allow_http(settings.s3_endpoint.starts_with("http://"));
                }
                Arc::new(builder.build().context("S3 object store")?)
            }
        };
        Ok(Self {
            store,
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
        let extension = if infer::image::is_png(&content) {
            "png"
        } else if infer::image::is_jpeg(&content) {
            "jpg"
        } else {
            return Err(ServiceError::invalid("file", "只能上传JPG或PNG格式的图片"));
        };
        if !community.chars().all(|c| c.is_ascii_alphanumeric()) || community.is_empty() {
            return Err(ServiceError::invalid("xiaoqu", "小区唯一标识不正确"));
        }
        let day = chrono::Utc::now().format("%Y%m%d");
        let name = kit::secret::random_alnum(24);
        let key = format!(
            "{}/{KIND}/{community}/{user_id}/{day}/{name}.{extension}",
            self.prefix
        );
        let path = Path::parse(&key).map_err(ServiceError::internal)?;
        if let Err(error) = self.store.put(&path, PutPayload::from(content)).await {
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
        key.starts_with(&format!("{}/{KIND}/", self.prefix))
    }

    /// `(community, uploader)` of a key of ours.
    fn parts<'k>(&self, key: &'k str) -> Option<(&'k str, i64)> {
        let rest = key.strip_prefix(&format!("{}/{KIND}/", self.prefix))?;
        let mut segments = rest.split('/');
        let community = segments.next()?;
        let user = segments.next()?.parse().ok()?;
        let _day = segments.next()?;
        let _name = segments.next()?;
        segments.next().is_none().then_some((community, user))
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
        let key = url.split_once(FILES_PATH).map_or(url, |(_, key)| key);
        match self.parts(key) {
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
        let (community, uploader) = self
            .parts(key)
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
        let content = match self.store.get(&path).await {
            Ok(found) => found
                .bytes()
                .await
                .map_err(ServiceError::internal)?
                .to_vec(),
            Err(object_store::Error::NotFound { .. }) => {
                return Err(ServiceError::not_found("文件不存在", "没有找到该文件"));
            }
            Err(error) => return Err(ServiceError::internal(error)),
        };
        let content_type = if key.ends_with(".png") {
            "image/png"
        } else {
            "image/jpeg"
        };
        Ok((content_type.to_owned(), content))
    }
}
