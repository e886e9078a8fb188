//! Where photos are kept: a local directory (the embedded default) or an S3-compatible bucket
//! (OSS, MinIO), behind `object_store`. Each photo has a small sidecar object, `{key}.owner`,
//! holding the uploader's user id: object metadata is not portable across stores.
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use kit::settings::{ObjectStoreKind, ObjectStoreSettings};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ClientOptions, ObjectStore, PutPayload};

use crate::domain::photo_key::PhotoKey;

/// Per-request timeout of the S3 client (it retries idempotent requests within it).
const S3_TIMEOUT: Duration = Duration::from_secs(30);
const S3_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The photo store.
#[derive(Clone, Debug)]
pub struct PhotoStore {
    store: Arc<dyn ObjectStore>,
}

impl PhotoStore {
    /// Opens the store `settings` name; the local directory is created if missing.
    pub fn open(settings: &ObjectStoreSettings) -> anyhow::Result<Self> {
        let store: Arc<dyn ObjectStore> = match settings.store {
            ObjectStoreKind::Local => {
                std::fs::create_dir_all(&settings.local_dir)
                    .with_context(|| format!("creating {}", settings.local_dir))?;
                Arc::new(
                    LocalFileSystem::new_with_prefix(&settings.local_dir)
                        .with_context(|| format!("opening {}", settings.local_dir))?,
                )
            }
            ObjectStoreKind::S3 => Arc::new(s3(settings)?),
        };
        Ok(Self { store })
    }

    /// Stores the photo and, first, its owner: a photo never exists without one.
    pub async fn put_photo(
        &self,
        key: &PhotoKey,
        owner: i64,
        content: Vec<u8>,
    ) -> object_store::Result<()> {
        let owner_path = path(&key.owner_key())?;
        self.store
            .put(
                &owner_path,
                PutPayload::from(owner.to_string().into_bytes()),
            )
            .await?;
        let stored = self
            .store
            .put(&path(key.as_str())?, PutPayload::from(content))
            .await;
        if let Err(error) = stored {
            if let Err(cleanup) = self.store.delete(&owner_path).await {
                tracing::warn!(error = %cleanup, "orphan owner sidecar left behind");
            }
            return Err(error);
        }
        Ok(())
    }

    /// The user id that uploaded the photo; `None` when there is no such photo.
    pub async fn owner(&self, key: &PhotoKey) -> object_store::Result<Option<i64>> {
        let Some(bytes) = self.read(&key.owner_key()).await? else {
            return Ok(None);
        };
        Ok(std::str::from_utf8(&bytes)
            .ok()
            .and_then(|text| text.trim().parse().ok()))
    }

    /// The photo's bytes; `None` when there is no such photo.
    pub async fn photo(&self, key: &PhotoKey) -> object_store::Result<Option<Vec<u8>>> {
        self.read(key.as_str()).await
    }

    async fn read(&self, key: &str) -> object_store::Result<Option<Vec<u8>>> {
        match self.store.get(&path(key)?).await {
            Ok(found) => Ok(Some(found.bytes().await?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }
}

fn path(key: &str) -> object_store::Result<Path> {
    Path::parse(key).map_err(object_store::Error::from)
}

fn s3(settings: &ObjectStoreSettings) -> anyhow::Result<object_store::aws::AmazonS3> {
    anyhow::ensure!(
        !settings.s3_bucket.trim().is_empty(),
        "objects.s3_bucket must name the bucket when objects.store is s3"
    );
    let endpoint = settings.s3_endpoint.trim();
    let options = ClientOptions::new()
        .with_timeout(S3_TIMEOUT)
        .with_connect_timeout(S3_CONNECT_TIMEOUT)
        .with_allow_http(endpoint.starts_with("http://"));
    let mut builder = AmazonS3Builder::new()
        .with_client_options(options)
        .with_bucket_name(&settings.s3_bucket)
        .with_access_key_id(&settings.s3_access_key_id)
        .with_secret_access_key(&settings.s3_secret_access_key)
        .with_virtual_hosted_style_request(settings.s3_virtual_hosted_style);
    if !endpoint.is_empty() {
        builder = builder.with_endpoint(endpoint);
    }
    if !settings.s3_region.trim().is_empty() {
        builder = builder.with_region(settings.s3_region.trim());
    }
    builder
        .build()
        .with_context(|| format!("the S3 bucket {:?}", settings.s3_bucket))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s3_settings(bucket: &str) -> ObjectStoreSettings {
        ObjectStoreSettings {
            store: ObjectStoreKind::S3,
            local_dir: String::new(),
            s3_bucket: bucket.to_owned(),
            s3_endpoint: "http://127.0.0.1:9000".to_owned(),
            s3_region: "cn-hangzhou".to_owned(),
            s3_access_key_id: "ak".to_owned(),
            s3_secret_access_key: "sk".to_owned(),
            s3_virtual_hosted_style: false,
            public_prefix: "wjdh-platform".to_owned(),
            max_photo_bytes: 1024,
        }
    }

    #[test]
    fn an_s3_store_opens_from_settings_and_needs_a_bucket() {
        assert!(PhotoStore::open(&s3_settings("photos")).is_ok());
        assert!(PhotoStore::open(&s3_settings("")).is_err());
    }
}
