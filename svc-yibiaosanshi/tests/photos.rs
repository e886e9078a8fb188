//! The `Photos` service over gRPC: face photos in a local object store and ID-card OCR against
//! the sandbox. Each test has its own database (SQLite, or PostgreSQL when
//! `WJDH_TEST_POSTGRES_URL` is set, seeded with the demo tree), object directory and sandbox.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;

use kit::error::{ErrorKind, ServiceError};
use kit::settings::{ObjectStoreKind, ObjectStoreSettings, OcrSettings};
use proto::yibiaosanshi::photos_client::PhotosClient;
use proto::yibiaosanshi::{
    IdCardFields, ImageType, PhotoKey, PlatformRef, ReadFileRequest, ReadIdCardRequest,
    ResidentRef, StoredFile, UploadFacePhotoRequest, UploadedPhoto,
};
use svc_yibiaosanshi::actions::photos::Photos;
use svc_yibiaosanshi::db::MIGRATIONS;
use svc_yibiaosanshi::grpc::PhotosService;
use tokio::sync::oneshot;

const MAX_PHOTO_BYTES: usize = 64 * 1024;

/// The smallest PNG: one transparent pixel.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// The head of a JFIF file: enough for the sniffer.
const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00, 0xFF, 0xD9,
];

#[path = "../../kit/tests/support/database.rs"]
mod database;

use database::TestDatabase;

struct TestPhotos {
    client: PhotosClient<kit::caller::CallerChannel>,
    objects: tempfile::TempDir,
    sandbox: Option<sandbox::Sandbox>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    _database: TestDatabase,
}

fn objects_settings(dir: &std::path::Path) -> ObjectStoreSettings {
    ObjectStoreSettings {
        store: ObjectStoreKind::Local,
        local_dir: dir.display().to_string(),
        s3_bucket: String::new(),
        s3_endpoint: String::new(),
        s3_region: String::new(),
        s3_access_key_id: String::new(),
        s3_secret_access_key: String::new(),
        s3_virtual_hosted_style: false,
        public_prefix: "wjdh-platform".to_owned(),
        max_photo_bytes: MAX_PHOTO_BYTES,
    }
}

/// The service on a free port, its OCR pointed at a fresh sandbox.
async fn spawn_photos() -> TestPhotos {
    let sandbox = sandbox::Sandbox::start(sandbox::SandboxSettings {
        listen: "127.0.0.1:0".to_owned(),
        ..sandbox::SandboxSettings::default()
    })
    .await
    .unwrap();
    let ocr = OcrSettings {
        endpoint: format!("{}/ocr/idcard", sandbox.base_url()),
        appcode: "sandbox-appcode".to_owned(),
        timeout_ms: 5000,
    };
    let mut app = spawn_photos_with(ocr).await;
    app.sandbox = Some(sandbox);
    app
}

async fn spawn_photos_with(ocr: OcrSettings) -> TestPhotos {
    let database = TestDatabase::new("photos");
    let db = kit::db::Database::connect(&database.url, 4, &MIGRATIONS)
        .await
        .unwrap();
    svc_yibiaosanshi::actions::addresses::demo::ensure_demo_dataset(&db)
        .await
        .unwrap();
    let objects = tempfile::tempdir().unwrap();
    let photos = Photos::new(objects_settings(objects.path()), ocr, db).unwrap();
    let service = PhotosService::new(photos);
    let callers = kit::settings::CallerSettings::load().unwrap();
    let signer = callers.signer("tests").unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        tonic::transport::Server::builder()
            .layer(kit::caller::require(callers.verifier().unwrap()))
            .add_service(service.into_server())
            .serve_with_incoming_shutdown(kit::grpc::incoming(listener), async move {
                let _ = stopped.await;
            })
            .await
            .unwrap();
    });
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let client = PhotosClient::new(signer.channel(channel))
        .max_decoding_message_size(svc_yibiaosanshi::grpc::MAX_MESSAGE_BYTES)
        .max_encoding_message_size(svc_yibiaosanshi::grpc::MAX_MESSAGE_BYTES);
    TestPhotos {
        client,
        objects,
        sandbox: None,
        stop: Some(stop),
        server: Some(server),
        _database: database,
    }
}

fn resident(user_id: i64) -> Option<ResidentRef> {
    Some(ResidentRef {
        user_id,
        phone: String::new(),
    })
}

/// Who reads a file.
enum Reader {
    UserId(i64),
    Platform(PlatformRef),
}

fn upload_request(user_id: i64, address: [&str; 5], content: &[u8]) -> UploadFacePhotoRequest {
    UploadFacePhotoRequest {
        resident: resident(user_id),
        community_identifier: address[0].to_owned(),
        building_number: address[1].parse().unwrap(),
        unit_number: address[2].parse().unwrap(),
        floor_number: address[3].parse().unwrap(),
        house_number: address[4].parse().unwrap(),
        filename: "face.png".to_owned(),
        content: content.to_vec(),
    }
}

/// The parts of a key the upload answered with, as the gateway reads them from its URL.
fn photo_key(key: &str) -> PhotoKey {
    let (prefix, rest) = key.split_once("/face-photo/").expect("layout");
    let parts: Vec<&str> = rest.split('/').collect();
    let (name, extension) = parts[7].split_once('.').expect("extension");
    PhotoKey {
        prefix: prefix.to_owned(),
        community_identifier: parts[0].to_owned(),
        building_number: parts[1].parse().unwrap(),
        unit_number: parts[2].parse().unwrap(),
        floor_number: parts[3].parse().unwrap(),
        house_number: parts[4].parse().unwrap(),
        month: parts[5].parse().unwrap(),
        day: parts[6].parse().unwrap(),
        name: name.to_owned(),
        r#type: if extension == "png" {
            ImageType::Png
        } else {
            ImageType::Jpeg
        }
        .into(),
    }
}

const HOUSE_10002: [&str; 5] = ["10002", "1", "2", "3", "301"];
const HOUSE_10003: [&str; 5] = ["10003", "1", "1", "2", "202"];

fn platform(communities: &[&str]) -> Reader {
    Reader::Platform(PlatformRef {
        credential_id: 1,
        secret_id: "123456".to_owned(),
        communities: communities.iter().map(|c| (*c).to_owned()).collect(),
    })
}

impl TestPhotos {
    async fn upload(
        &self,
        user_id: i64,
        address: [&str; 5],
        content: &[u8],
    ) -> Result<UploadedPhoto, ServiceError> {
        self.client
            .clone()
            .upload_face_photo(upload_request(user_id, address, content))
            .await
            .map(tonic::Response::into_inner)
            .map_err(|status| ServiceError::from_status(&status))
    }

    async fn read(&self, reader: Reader, key: &str) -> Result<StoredFile, ServiceError> {
        self.client
            .clone()
            .read_file(match reader {
                Reader::UserId(user_id) => ReadFileRequest {
                    resident: resident(user_id),
                    platform: None,
                    key: Some(photo_key(key)),
                },
                Reader::Platform(platform) => ReadFileRequest {
                    resident: None,
                    platform: Some(platform),
                    key: Some(photo_key(key)),
                },
            })
            .await
            .map(tonic::Response::into_inner)
            .map_err(|status| ServiceError::from_status(&status))
    }

    async fn read_id_card(&self, image: &[u8]) -> Result<IdCardFields, ServiceError> {
        self.client
            .clone()
            .read_id_card(ReadIdCardRequest {
                resident: resident(7),
                image: image.to_vec(),
            })
            .await
            .map(tonic::Response::into_inner)
            .map_err(|status| ServiceError::from_status(&status))
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.unwrap();
        }
        if let Some(sandbox) = self.sandbox.take() {
            sandbox.stop().await;
        }
    }
}

fn assert_refused(error: &ServiceError, kind: ErrorKind, msg: &str, message: &str) {
    assert_eq!(error.kind, kind, "{error:?}");
    assert_eq!(error.msg, msg, "{error:?}");
    assert_eq!(error.message, message, "{error:?}");
}

#[tokio::test]
async fn a_png_is_filed_under_its_house_and_read_back_by_its_uploader() {
    let app = spawn_photos().await;
    let uploaded = app.upload(7, HOUSE_10002, PNG).await.unwrap();
    let now = chrono::Utc::now();
    let folder = format!(
        "wjdh-platform/face-photo/10002/1/2/3/301/{}/",
        now.format("%Y%m/%d")
    );
    let name = uploaded
        .key
        .strip_prefix(&folder)
        .and_then(|rest| rest.strip_suffix(".png"))
        .unwrap_or_else(|| panic!("{} under {folder}", uploaded.key));
    assert_eq!(name.len(), 40);
    assert!(name.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert_eq!(uploaded.url, format!("/api/v1/files/{}", uploaded.key));

    let on_disk = app.objects.path().join(&uploaded.key);
    assert_eq!(std::fs::read(&on_disk).unwrap(), PNG);
    let owner = app.objects.path().join(format!("{}.owner", uploaded.key));
    assert_eq!(std::fs::read_to_string(owner).unwrap(), "7");

    let file = app.read(Reader::UserId(7), &uploaded.key).await.unwrap();
    assert_eq!(file.content_type, "image/png");
    assert_eq!(file.content, PNG);
    app.stop().await;
}

#[tokio::test]
async fn the_content_decides_the_type_whatever_the_filename() {
    let app = spawn_photos().await;
    let uploaded = app.upload(7, HOUSE_10003, JPEG).await.unwrap();
    assert!(uploaded.key.ends_with(".jpg"), "{}", uploaded.key);
    assert!(
        uploaded
            .key
            .starts_with("wjdh-platform/face-photo/10003/1/1/2/202/")
    );
    let file = app.read(Reader::UserId(7), &uploaded.key).await.unwrap();
    assert_eq!(file.content_type, "image/jpeg");

    let text = app
        .upload(7, HOUSE_10002, b"just text, named face.png")
        .await
        .unwrap_err();
    assert_eq!(text.kind, ErrorKind::Invalid);
    assert!(text.msg.starts_with("file"), "{text:?}");
    let gif = app
        .upload(7, HOUSE_10002, b"GIF89a\x01\0\x01\0")
        .await
        .unwrap_err();
    assert!(gif.msg.starts_with("file"), "{gif:?}");
    app.stop().await;
}

#[tokio::test]
async fn only_the_uploader_and_the_managing_platform_may_read_a_photo() {
    let app = spawn_photos().await;
    let key = app.upload(7, HOUSE_10002, PNG).await.unwrap().key;
    let other = app.read(Reader::UserId(8), &key).await.unwrap_err();
    assert_eq!(other.kind, ErrorKind::Forbidden);
    assert_eq!(other.kind.http_status(), 403);

    let managing = app.read(platform(&["10002"]), &key).await.unwrap();
    assert_eq!(managing.content, PNG);
    let elsewhere = app.read(platform(&["10003"]), &key).await.unwrap_err();
    assert_eq!(elsewhere.kind, ErrorKind::Forbidden);
    let nothing = app.read(platform(&[]), &key).await.unwrap_err();
    assert_eq!(nothing.kind, ErrorKind::Forbidden);

    let no_reader = app
        .client
        .clone()
        .read_file(ReadFileRequest {
            resident: None,
            platform: None,
            key: Some(photo_key(&key)),
        })
        .await
        .unwrap_err();
    assert_eq!(
        ServiceError::from_status(&no_reader).kind,
        ErrorKind::Forbidden
    );
    app.stop().await;
}

#[tokio::test]
async fn unknown_and_malformed_keys_are_refused() {
    let app = spawn_photos().await;
    let key = app.upload(7, HOUSE_10002, PNG).await.unwrap().key;
    let unknown = key.replace(".png", ".jpg");
    for reader in [Reader::UserId(7), platform(&["10002"])] {
        let error = app.read(reader, &unknown).await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::NotFound, "{error:?}");
    }
    // The gateway reads the layout; a key under another store's prefix is no file of ours.
    let foreign = key.replacen("wjdh-platform", "elsewhere", 1);
    let error = app.read(Reader::UserId(7), &foreign).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotFound, "{error:?}");
    app.stop().await;
}

#[tokio::test]
async fn uploads_are_refused_as_the_seed_words_it() {
    let app = spawn_photos().await;
    let empty = app.upload(7, HOUSE_10002, b"").await.unwrap_err();
    assert_eq!(empty.kind, ErrorKind::Invalid);
    assert!(empty.msg.starts_with("file"), "{empty:?}");

    let mut large = PNG.to_vec();
    large.resize(MAX_PHOTO_BYTES + 1, 0);
    let too_large = app.upload(7, HOUSE_10002, &large).await.unwrap_err();
    assert_eq!(too_large.kind, ErrorKind::Invalid);
    assert!(too_large.msg.starts_with("file"), "{too_large:?}");
    let mut largest = PNG.to_vec();
    largest.resize(MAX_PHOTO_BYTES, 0);
    app.upload(7, HOUSE_10002, &largest).await.unwrap();

    let unknown = app
        .upload(7, ["10002", "9", "1", "1", "101"], PNG)
        .await
        .unwrap_err();
    assert_eq!(unknown.kind, ErrorKind::NotFound, "{unknown:?}");
    assert_eq!(unknown.kind.envelope_code(), 1);
    let no_community = app
        .upload(7, ["99999", "1", "1", "1", "101"], PNG)
        .await
        .unwrap_err();
    assert_eq!(no_community.kind, ErrorKind::NotFound);

    // A community that is not digits is no folder of the store: no such house.
    let path = app
        .upload(7, ["../10002", "1", "1", "1", "101"], PNG)
        .await
        .unwrap_err();
    assert_eq!(path.kind, ErrorKind::NotFound, "{path:?}");
    app.stop().await;
}

#[tokio::test]
async fn a_store_that_cannot_write_answers_the_seeds_upload_failure() {
    let app = spawn_photos().await;
    // A file where the store wants a directory: every write under the prefix fails.
    std::fs::write(app.objects.path().join("wjdh-platform"), b"in the way").unwrap();
    let error = app.upload(7, HOUSE_10002, PNG).await.unwrap_err();
    assert_refused(
        &error,
        ErrorKind::Upstream,
        "图片上传失败",
        "图片上传失败,message编码Yi1326",
    );
    app.stop().await;
}

fn seed_card() -> serde_json::Value {
    serde_json::json!({
        "birthday": "19921130",
        "address": "河北省秦皇岛市海港区秦皇小区98栋3单元4号",
        "gender": "男",
        "nation": "汉",
        "idcard": "130302199211302519",
        "name": "杨哲",
    })
}

fn card_image() -> Vec<u8> {
    format!("IDCARD:{}", seed_card()).into_bytes()
}

#[tokio::test]
async fn an_id_card_is_read_into_the_seeds_fields() {
    let app = spawn_photos().await;
    let fields = app.read_id_card(&card_image()).await.unwrap();
    assert_eq!(
        fields,
        IdCardFields {
            birthday: "19921130".to_owned(),
            address: "河北省秦皇岛市海港区秦皇小区98栋3单元4号".to_owned(),
            gender: "男".to_owned(),
            nation: "汉".to_owned(),
            idcard: "130302199211302519".to_owned(),
            name: "杨哲".to_owned(),
        }
    );
    app.stop().await;
}

#[tokio::test]
async fn id_card_failures_answer_as_the_seed_words_them() {
    let app = spawn_photos().await;
    let unreadable = app.read_id_card(PNG).await.unwrap_err();
    assert_refused(
        &unreadable,
        ErrorKind::Invalid,
        "扫描失败，请重新上传更加清晰的照片或者手动填写个人信息",
        "照片模糊，或者是接口欠费了",
    );
    let huge = vec![0_u8; MAX_PHOTO_BYTES + 1];
    let too_large = app.read_id_card(&huge).await.unwrap_err();
    assert!(too_large.msg.starts_with("image"), "{too_large:?}");
    app.stop().await;
}

#[tokio::test]
async fn a_refused_appcode_is_the_seeds_failure_and_an_outage_is_upstream() {
    let sandbox = sandbox::Sandbox::start(sandbox::SandboxSettings {
        listen: "127.0.0.1:0".to_owned(),
        ..sandbox::SandboxSettings::default()
    })
    .await
    .unwrap();
    let refused = spawn_photos_with(OcrSettings {
        endpoint: format!("{}/ocr/idcard", sandbox.base_url()),
        appcode: "not-ours".to_owned(),
        timeout_ms: 5000,
    })
    .await;
    let error = refused.read_id_card(&card_image()).await.unwrap_err();
    assert_refused(
        &error,
        ErrorKind::Upstream,
        "扫描失败，请重新上传更加清晰的照片或者手动填写个人信息",
        "照片模糊，或者是接口欠费了",
    );
    refused.stop().await;
    sandbox.stop().await;

    // Nobody listening.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_addr = closed.local_addr().unwrap();
    drop(closed);
    let down = spawn_photos_with(OcrSettings {
        endpoint: format!("http://{closed_addr}/ocr/idcard"),
        appcode: "sandbox-appcode".to_owned(),
        timeout_ms: 2000,
    })
    .await;
    let error = down.read_id_card(&card_image()).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Upstream, "{error:?}");
    assert_eq!(error.kind.http_status(), 502);
    down.stop().await;

    // Accepts, never answers: the timeout ends the call.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_addr = silent.local_addr().unwrap();
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let slow = spawn_photos_with(OcrSettings {
        endpoint: format!("http://{silent_addr}/ocr/idcard"),
        appcode: "sandbox-appcode".to_owned(),
        timeout_ms: 300,
    })
    .await;
    let started = std::time::Instant::now();
    let error = slow.read_id_card(&card_image()).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Upstream, "{error:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    slow.stop().await;
    hold.abort();
}
