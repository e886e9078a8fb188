//! Where community photos are kept: a local directory (the embedded default) or an S3-compatible
//! bucket (OSS, MinIO), behind `object_store`, beside svc-yibiaosanshi's face photos.
use std::sync::Arc;

use anyhow::Context;
use kit::settings::{ObjectStoreKind, ObjectStoreSettings};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ClientOptions, ObjectStore, PutPayload};

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
        Ok(Self { store })
    }

    /// Stores `content` at `path`.
    pub async fn put(&self, path: &Path, content: Vec<u8>) -> object_store::Result<()> {
        self.store.put(path, PutPayload::from(content)).await?;
        Ok(())
    }

    /// The bytes at `path`; `None` when there are none.
    pub async fn get(&self, path: &Path) -> object_store::Result<Option<Vec<u8>>> {
        match self.store.get(path).await {
            Ok(found) => Ok(Some(found.bytes().await?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }
}
