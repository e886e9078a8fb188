//! 000 §2.3: face photos (upload, then the file behind the URL) and ID-card OCR against the
//! sandbox — through the gateway, as the mini-program and the security platform use them.
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::helpers::{Answer, TestApp, assert_failure, spawn_app_with};

/// A real PNG: one transparent pixel (signature, IHDR, IDAT, IEND with their CRCs).
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// The default `objects.max_photo_bytes`.
const MAX_PHOTO_BYTES: usize = 2 * 1024 * 1024;

/// The stack with its objects in a directory of the test's own.
async fn spawn() -> (TestApp, tempfile::TempDir) {
    let objects = tempfile::tempdir().unwrap();
    let dir = objects.path().display().to_string();
    let app = spawn_app_with(&[("objects.local_dir", dir.as_str())]).await;
    (app, objects)
}

/// The `wx.uploadFile` form: `file` plus the house's address.
fn photo_form(file: Option<(&[u8], &str)>, address: [&str; 5]) -> Form {
    let mut form = Form::new()
        .text("community_identifier", address[0].to_owned())
        .text("building_number", address[1].to_owned())
        .text("unit_number", address[2].to_owned())
        .text("floor_number", address[3].to_owned())
        .text("house_number", address[4].to_owned());
    if let Some((bytes, name)) = file {
        let part = Part::bytes(bytes.to_vec())
            .file_name(name.to_owned())
            .mime_str("image/png")
            .unwrap();
        form = form.part("file", part);
    }
    form
}

const HOUSE_10002: [&str; 5] = ["10002", "1", "1", "1", "101"];

async fn upload(
    app: &TestApp,
    token: &str,
    file: Option<(&[u8], &str)>,
    address: [&str; 5],
) -> Answer {
    app.post_multipart("/api/v1/people/photo", photo_form(file, address), token)
        .await
}

/// Standard base64 with padding (the mini-program's `readFile` with `encoding: 'base64'`).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// 000 §2.3.2.4's example card, as the sandbox's helper image carries it.
fn seed_card() -> Value {
    json!({
        "birthday": "19921130",
        "address": "河北省秦皇岛市海港区秦皇小区98栋3单元4号",
        "gender": "男",
        "nation": "汉",
        "idcard": "130302199211302519",
        "name": "杨哲",
    })
}

fn card_image() -> String {
    base64(format!("IDCARD:{}", seed_card()).as_bytes())
}

#[tokio::test]
async fn a_face_photo_is_uploaded_and_read_back_by_its_uploader_and_the_managing_platform() {
    let (app, _objects) = spawn().await;
    let token = app.resident_token("o-photo-owner", "13800000001").await;
    let uploaded = upload(&app, &token, Some((PNG, "face.png")), HOUSE_10002).await;
    assert_eq!(uploaded.status.as_u16(), 200, "{:?}", uploaded.body);
    assert_eq!(uploaded.code(), 0);
    assert_eq!(uploaded.body["token_expired"], json!(1));
    assert_eq!(uploaded.str("msg"), "图片上传成功");
    assert_eq!(uploaded.str("message"), "图片上传成功,message编码Yi1320");
    let url = uploaded.str("data").to_owned();
    // Absolute, from the gateway's public base URL (DESIGN; 2.3.1's example).
    assert!(
        url.starts_with(&format!(
            "{}/api/v1/files/wjdh-platform/face-photo/10002/1/1/1/101/",
            app.base
        )),
        "{url}"
    );
    assert!(url.ends_with(".png"), "{url}");

    let mine = app.get_raw(&url, Some(&token)).await;
    assert_eq!(mine.status.as_u16(), 200);
    assert_eq!(mine.bytes, PNG);
    assert_eq!(mine.header("content-type"), "image/png");
    assert_eq!(mine.header("cache-control"), "private");

    let stranger = app.resident_token("o-photo-stranger", "13800000002").await;
    let refused = app.get_raw(&url, Some(&stranger)).await;
    assert_eq!(refused.status.as_u16(), 403);
    assert_eq!(refused.json()["code"], json!(1));

    let managing = app.platform().await;
    let platform = app.get_raw(&url, Some(&managing)).await;
    assert_eq!(platform.status.as_u16(), 200);
    assert_eq!(platform.bytes, PNG);
    let elsewhere = app.platform_10003().await;
    let other_platform = app.get_raw(&url, Some(&elsewhere)).await;
    assert_eq!(other_platform.status.as_u16(), 403);
    assert_eq!(other_platform.json()["code"], json!(1));

    let anonymous = app.get_raw(&url, None).await;
    assert_eq!(anonymous.status.as_u16(), 401);
    assert_eq!(anonymous.json()["code"], json!(9));
    let unknown = app
        .get_raw(&url.replace(".png", ".jpg"), Some(&token))
        .await;
    assert_eq!(unknown.status.as_u16(), 404);
    assert_eq!(unknown.json()["code"], json!(1));
    // A key outside the layout (the sidecar) names no file.
    let sidecar = app.get_raw(&format!("{url}.owner"), Some(&token)).await;
    assert_eq!(sidecar.status.as_u16(), 404);
    assert_eq!(sidecar.json()["code"], json!(1));
    app.stop().await;
}

#[tokio::test]
async fn a_photo_of_the_largest_size_is_accepted_and_one_byte_more_is_refused() {
    let (app, _objects) = spawn().await;
    let token = app.resident_token("o-photo-large", "13800000003").await;
    let mut largest = PNG.to_vec();
    largest.resize(MAX_PHOTO_BYTES, 0);
    let accepted = upload(&app, &token, Some((&largest, "big.png")), HOUSE_10002).await;
    assert_eq!(accepted.code(), 0, "{:?}", accepted.body);
    let back = app.get_raw(accepted.str("data"), Some(&token)).await;
    assert_eq!(back.bytes.len(), MAX_PHOTO_BYTES);

    largest.push(0);
    let refused = upload(&app, &token, Some((&largest, "big.png")), HOUSE_10002).await;
    assert_eq!(refused.code(), 1, "{:?}", refused.body);
    assert_eq!(refused.status.as_u16(), 400);
    assert!(refused.str("msg").contains("file"), "{:?}", refused.body);
    app.stop().await;
}

#[tokio::test]
async fn uploads_are_refused_as_the_seed_shows() {
    let (app, _objects) = spawn().await;
    let token = app.resident_token("o-photo-refused", "13800000004").await;
    let text = upload(
        &app,
        &token,
        Some((b"hello, not a photo", "face.png")),
        HOUSE_10002,
    )
    .await;
    assert_eq!(text.code(), 1, "{:?}", text.body);
    assert_eq!(text.status.as_u16(), 400);
    assert!(text.str("msg").contains("file"), "{:?}", text.body);

    let missing = upload(&app, &token, None, HOUSE_10002).await;
    assert_failure(&missing, 1, 400, "传递的file为空");
    assert_eq!(missing.str("msg"), "没有传递任何文件到后台");

    let nowhere = upload(
        &app,
        &token,
        Some((PNG, "face.png")),
        ["10002", "9", "1", "1", "101"],
    )
    .await;
    assert_eq!(nowhere.code(), 1, "{:?}", nowhere.body);
    assert_eq!(nowhere.status.as_u16(), 404);
    let no_house = upload(
        &app,
        &token,
        Some((PNG, "face.png")),
        ["10002", "1", "1", "1", ""],
    )
    .await;
    assert_eq!(no_house.code(), 1, "{:?}", no_house.body);
    assert!(
        no_house.str("msg").contains("house_number"),
        "{:?}",
        no_house.body
    );

    let form = photo_form(Some((PNG, "face.png")), HOUSE_10002);
    let anonymous = app
        .client
        .post(format!("{}/api/v1/people/photo", app.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
    app.stop().await;
}

#[tokio::test]
async fn an_id_card_photo_is_read_into_the_seeds_fields() {
    let (app, _objects) = spawn().await;
    let token = app.resident_token("o-idcard", "13800000005").await;
    let answer = app
        .post(
            "/api/v1/idcard/photo",
            json!({"image": card_image()}),
            Some(&token),
        )
        .await;
    assert_eq!(answer.code(), 0, "{:?}", answer.body);
    assert_eq!(answer.body["token_expired"], json!(1));
    assert_eq!(answer.str("msg"), "获取信息成功！");
    assert_eq!(answer.str("message"), "获取信息成功");
    assert_eq!(answer.body["data"], seed_card());

    let image = card_image();
    let as_form = app
        .post_form_token("/api/v1/idcard/photo", &[("image", image.as_str())], &token)
        .await;
    assert_eq!(as_form.code(), 0, "{:?}", as_form.body);
    assert_eq!(as_form.body["data"]["idcard"], "130302199211302519");
    app.stop().await;
}

#[tokio::test]
async fn id_card_failures_answer_as_the_seed_shows() {
    let (app, _objects) = spawn().await;
    let token = app.resident_token("o-idcard-bad", "13800000006").await;
    let garbage = app
        .post(
            "/api/v1/idcard/photo",
            json!({"image": base64(PNG)}),
            Some(&token),
        )
        .await;
    assert_failure(&garbage, 1, 400, "照片模糊，或者是接口欠费了");
    assert_eq!(
        garbage.str("msg"),
        "扫描失败，请重新上传更加清晰的照片或者手动填写个人信息"
    );

    for body in [json!({"image": ""}), json!({})] {
        let empty = app.post("/api/v1/idcard/photo", body, Some(&token)).await;
        assert_failure(&empty, 1, 400, "传递的image字段为空");
        assert_eq!(empty.str("msg"), "没有传递image的base64码");
    }

    let not_base64 = app
        .post(
            "/api/v1/idcard/photo",
            json!({"image": "not base64 at all!"}),
            Some(&token),
        )
        .await;
    assert_eq!(not_base64.code(), 1, "{:?}", not_base64.body);
    assert!(
        not_base64.str("msg").contains("image"),
        "{:?}",
        not_base64.body
    );

    // A photo-sized image passes the gateway's body cap and reaches the provider.
    let photo_sized = base64(&vec![0x5A; 1024 * 1024]);
    let large = app
        .post(
            "/api/v1/idcard/photo",
            json!({"image": photo_sized}),
            Some(&token),
        )
        .await;
    assert_failure(&large, 1, 400, "照片模糊，或者是接口欠费了");

    let anonymous = app
        .post("/api/v1/idcard/photo", json!({"image": card_image()}), None)
        .await;
    assert_eq!(anonymous.code(), 9);
    app.stop().await;
}
