//! Reads every way a caller sends fields — a JSON object, a form, multipart/form-data or the
//! query string, merged (the body wins) — into raw values and files, under the body caps.
//! [`crate::input::Input`] turns them into a route's typed request; nothing else reads them.
use std::cell::Cell;
use std::collections::BTreeMap;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use actix_multipart::Multipart;
use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderMap};
use actix_web::web::{Bytes, BytesMut};
use actix_web::{FromRequest, HttpRequest};
use futures::future::LocalBoxFuture;
use futures::{Stream, StreamExt};
use kit::error::ServiceError;
use serde_json::{Map, Value};

use crate::envelope::ApiError;

/// The caps the extractor enforces while reading (an app-data value; defaults otherwise).
#[derive(Clone, Copy, Debug)]
pub struct ParamsLimits {
    /// A whole body as it arrives, whatever its encoding: JSON, form, or multipart with its
    /// boundaries and part headers.
    pub body: usize,
    /// What `body` becomes on the routes that take files (`photos::admit_image_body`).
    pub upload: usize,
    /// What `body` becomes on the rental video routes (`photos::admit_video_body`).
    pub video: usize,
    /// Most parts (fields and files) of a multipart body.
    pub parts: usize,
}

impl Default for ParamsLimits {
    fn default() -> Self {
        Self {
            body: 64 * 1024,
            upload: 5 * 1024 * 1024,
            video: 12 * 1024 * 1024,
            parts: 64,
        }
    }
}

/// A file sent in a multipart body.
#[derive(Clone, Debug)]
pub struct Upload {
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Bytes,
}

/// The caller's fields, however they were sent.
#[derive(Clone, Debug, Default)]
pub struct Params {
    values: Map<String, Value>,
    /// Files by part name; several parts may share one (seed 004 sends several photos so).
    files: BTreeMap<String, Vec<Upload>>,
}

impl Params {
    /// The fields and the files, for [`crate::input::Input`], the one parser of their values.
    pub fn into_parts(self) -> (Map<String, Value>, BTreeMap<String, Vec<Upload>>) {
        (self.values, self.files)
    }

    fn merge_pairs(&mut self, pairs: Vec<(String, String)>) {
        for (key, value) in pairs {
            self.values.insert(key, Value::String(value));
        }
    }
}

impl FromRequest for Params {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limits = req.app_data::<ParamsLimits>().copied().unwrap_or_default();
        let query = req.query_string().to_owned();
        let headers = req.headers().clone();
        let payload = payload.take();
        Box::pin(async move { read(&query, &headers, payload, limits).await })
    }
}

fn too_large(limit: usize) -> ApiError {
    ApiError::refused(
        StatusCode::PAYLOAD_TOO_LARGE,
        "提交的数据过大",
        format!("请求体超过{limit}字节"),
    )
}

fn bad_body(message: impl Into<String>) -> ApiError {
    ServiceError::invalid("body", message).into()
}

async fn read(
    query: &str,
    headers: &HeaderMap,
    payload: Payload,
    limits: ParamsLimits,
) -> Result<Params, ApiError> {
    let mut params = Params::default();
    if !query.is_empty() {
        let pairs = serde_urlencoded::from_str::<Vec<(String, String)>>(query)
            .map_err(|_| ServiceError::invalid("query", "查询字符串格式不正确"))?;
        params.merge_pairs(pairs);
    }
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<usize>().ok());
    if declared.is_some_and(|length| length > limits.body) {
        return Err(too_large(limits.body));
    }
    if content_type.starts_with("multipart/form-data") {
        read_multipart(&mut params, headers, payload, limits).await?;
        return Ok(params);
    }
    let body = read_capped(payload, limits.body).await?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(params);
    }
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    let is_json = content_type.starts_with("application/json") || content_type.contains("+json");
    // Without a usable content type, a body that looks like JSON is JSON, anything else a form.
    let as_json = is_json || (!is_form && body.trim_ascii_start().first() == Some(&b'{'));
    if as_json {
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(object)) => params.values.extend(object),
            Ok(_) => return Err(bad_body("请求体必须是JSON对象")),
            Err(_) => return Err(bad_body("请求体不是合法的JSON")),
        }
    } else {
        let pairs = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
            .map_err(|_| bad_body("请求体不是合法的表单"))?;
        params.merge_pairs(pairs);
    }
    Ok(params)
}

/// Reads the body, refusing as soon as it passes `limit`: nothing above it is buffered.
async fn read_capped(mut payload: Payload, limit: usize) -> Result<Bytes, ApiError> {
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|error| bad_body(format!("读取请求体失败: {error}")))?;
        if body.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The raw bytes of a body as they arrive (chunked or not), counted: once they pass `limit` the
/// stream ends with an overflow, so the multipart parser never sees more.
struct Counted {
    payload: Payload,
    seen: Rc<Cell<usize>>,
    limit: usize,
}

impl Stream for Counted {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.seen.get() > self.limit {
            return Poll::Ready(Some(Err(PayloadError::Overflow)));
        }
        let polled = Pin::new(&mut self.payload).poll_next(cx);
        if let Poll::Ready(Some(Ok(chunk))) = &polled {
            let seen = self.seen.get().saturating_add(chunk.len());
            self.seen.set(seen);
            if seen > self.limit {
                return Poll::Ready(Some(Err(PayloadError::Overflow)));
            }
        }
        polled
    }
}

/// Reads a multipart body: at most `limits.body` bytes in all (boundaries and part headers
/// included, not only the contents) and `limits.parts` parts, refused with 413 as soon as either
/// is passed.
async fn read_multipart(
    params: &mut Params,
    headers: &HeaderMap,
    payload: Payload,
    limits: ParamsLimits,
) -> Result<(), ApiError> {
    let seen = Rc::new(Cell::new(0));
    let counted = Counted {
        payload,
        seen: seen.clone(),
        limit: limits.body,
    };
    let over = |seen: &Rc<Cell<usize>>| seen.get() > limits.body;
    let mut multipart = Multipart::new(headers, counted);
    let mut parts = 0usize;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(|error| {
            if over(&seen) {
                too_large(limits.body)
            } else {
                bad_body(format!("multipart格式不正确: {error}"))
            }
        })?;
        parts += 1;
        if parts > limits.parts {
            return Err(ApiError::refused(
                StatusCode::PAYLOAD_TOO_LARGE,
                "提交的数据过大",
                format!("multipart最多{}个字段", limits.parts),
            ));
        }
        let Some(name) = field.name().map(str::to_owned) else {
            continue;
        };
        let filename = field
            .content_disposition()
            .and_then(|disposition| disposition.get_filename())
            .map(str::to_owned);
        let content_type = field.content_type().map(ToString::to_string);
        let mut bytes = BytesMut::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|error| {
                if over(&seen) {
                    too_large(limits.body)
                } else {
                    bad_body(format!("multipart格式不正确: {error}"))
                }
            })?;
            bytes.extend_from_slice(&chunk);
        }
        if filename.is_some() {
            let upload = Upload {
                filename,
                content_type,
                bytes: bytes.freeze(),
            };
            params.files.entry(name).or_default().push(upload);
        } else {
            let text = String::from_utf8(bytes.to_vec())
                .map_err(|_| ServiceError::invalid(&name, format!("{name}必须是UTF-8文本")))?;
            params.values.insert(name, Value::String(text));
        }
    }
    if over(&seen) {
        return Err(too_large(limits.body));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    async fn extract(request: TestRequest) -> Result<Params, ApiError> {
        let (req, mut payload) = request.to_http_parts();
        Params::from_request(&req, &mut payload).await
    }

    /// A field as it arrived.
    fn field(params: &Params, name: &str) -> Value {
        params.values.get(name).cloned().unwrap_or(Value::Null)
    }

    #[actix_web::test]
    async fn reads_a_json_object_with_a_number_for_a_string() {
        let params = extract(
            TestRequest::post()
                .uri("/x")
                .insert_header((CONTENT_TYPE, "application/json"))
                .set_payload(r#"{"phone": 17600381130, "type": "login", "page": "2"}"#),
        )
        .await
        .expect("params");
        assert_eq!(
            field(&params, "phone"),
            serde_json::json!(17_600_381_130_i64)
        );
        assert_eq!(field(&params, "type"), "login");
        assert_eq!(field(&params, "page"), "2");
    }

    #[actix_web::test]
    async fn reads_a_form_and_lets_the_body_win_over_the_query() {
        let params = extract(
            TestRequest::post()
                .uri("/x?secret_id=query&extra=q")
                .insert_header((CONTENT_TYPE, "application/x-www-form-urlencoded"))
                .set_payload("secret_id=123456&secret_key=%E4%B8%AD"),
        )
        .await
        .expect("params");
        assert_eq!(field(&params, "secret_id"), "123456");
        assert_eq!(field(&params, "secret_key"), "中");
        assert_eq!(field(&params, "extra"), "q");
    }

    #[actix_web::test]
    async fn reads_the_query_string_alone() {
        let params = extract(TestRequest::get().uri("/x?page=3&name=a%20b"))
            .await
            .expect("params");
        assert_eq!(field(&params, "page"), "3");
        assert_eq!(field(&params, "name"), "a b");
    }

    #[actix_web::test]
    async fn reads_multipart_text_fields_and_files() {
        let body = "--XYZ\r\n\
            Content-Disposition: form-data; name=\"phone\"\r\n\r\n\
            17600381130\r\n\
            --XYZ\r\n\
            Content-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\n\
            Content-Type: image/jpeg\r\n\r\n\
            JPEG\r\n\
            --XYZ--\r\n";
        let params = extract(
            TestRequest::post()
                .uri("/x")
                .insert_header((CONTENT_TYPE, "multipart/form-data; boundary=XYZ"))
                .set_payload(body),
        )
        .await
        .expect("params");
        assert_eq!(field(&params, "phone"), "17600381130");
        let photo = params
            .files
            .get("photo")
            .and_then(|files| files.first())
            .expect("photo");
        assert_eq!(photo.filename.as_deref(), Some("a.jpg"));
        assert_eq!(photo.bytes.as_ref(), b"JPEG");
    }

    fn empty_fields(count: usize, padding: usize) -> String {
        let pad = "p".repeat(padding);
        let mut body = String::new();
        for n in 0..count {
            body.push_str(&format!(
                "--XYZ\r\nContent-Disposition: form-data; name=\"f{n}\"\r\nX-Pad: {pad}\r\n\r\n\r\n"
            ));
        }
        body.push_str("--XYZ--\r\n");
        body
    }

    async fn status_of(limits: ParamsLimits, body: String) -> StatusCode {
        let request = TestRequest::post()
            .uri("/x")
            .app_data(limits)
            .insert_header((CONTENT_TYPE, "multipart/form-data; boundary=XYZ"))
            .set_payload(body)
            // As if chunked: the declared length does not give the size away.
            .insert_header((CONTENT_LENGTH, "1"));
        match extract(request).await {
            Ok(_) => StatusCode::OK,
            Err(error) => actix_web::ResponseError::status_code(&error),
        }
    }

    #[actix_web::test]
    async fn multipart_counts_every_byte_and_every_part() {
        let limits = ParamsLimits {
            body: 4096,
            upload: 4096,
            video: 4096,
            parts: 8,
        };
        assert_eq!(status_of(limits, empty_fields(8, 10)).await, StatusCode::OK);
        // Empty fields: nothing in their contents, yet the parts and the bytes count.
        assert_eq!(
            status_of(limits, empty_fields(9, 10)).await,
            StatusCode::PAYLOAD_TOO_LARGE
        );
        let wide = ParamsLimits {
            parts: 10_000,
            ..limits
        };
        assert_eq!(
            status_of(wide, empty_fields(100, 100)).await,
            StatusCode::PAYLOAD_TOO_LARGE
        );
    }

    #[actix_web::test]
    async fn a_json_body_that_is_not_an_object_names_the_body() {
        let error = extract(
            TestRequest::post()
                .uri("/x")
                .insert_header((CONTENT_TYPE, "application/json"))
                .set_payload("[1,2]"),
        )
        .await
        .expect_err("refused");
        assert_eq!(error.error().kind, kit::error::ErrorKind::Invalid);
        assert!(error.error().msg.contains("body"));
    }

    #[actix_web::test]
    async fn a_body_above_the_limit_is_413() {
        let request = TestRequest::post()
            .uri("/x")
            .app_data(ParamsLimits {
                body: 8,
                upload: 16,
                video: 16,
                parts: 4,
            })
            .insert_header((CONTENT_TYPE, "application/json"))
            .set_payload(r#"{"name":"far too long"}"#);
        let error = extract(request).await.expect_err("too large");
        assert_eq!(
            actix_web::ResponseError::status_code(&error),
            StatusCode::PAYLOAD_TOO_LARGE
        );
    }

    #[actix_web::test]
    async fn a_body_longer_than_its_declared_length_is_still_capped() {
        let request = TestRequest::post()
            .uri("/x")
            .app_data(ParamsLimits {
                body: 8,
                upload: 16,
                video: 16,
                parts: 4,
            })
            .set_payload("code=far+too+long+for+the+cap")
            .insert_header((CONTENT_LENGTH, "4"));
        let error = extract(request).await.expect_err("too large");
        assert_eq!(error.error().msg, "提交的数据过大");
    }

    #[actix_web::test]
    async fn a_body_without_content_type_is_guessed() {
        let json = extract(
            TestRequest::post()
                .uri("/x")
                .set_payload(r#"{"code":"abc"}"#),
        )
        .await
        .expect("json");
        assert_eq!(field(&json, "code"), "abc");
        let form = extract(TestRequest::post().uri("/x").set_payload("code=abc"))
            .await
            .expect("form");
        assert_eq!(field(&form, "code"), "abc");
    }
}
