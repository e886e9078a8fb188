//! What the payment providers' helpers share: their error answer, the dev keys they fall back
//! to, delivering a notification to the merchant several times at once, or handing it over.
use actix_web::HttpResponse;
use serde_json::json;
use tokio::task::JoinSet;

/// A helper's refusal (`{"error": …}`) with `status` (400 when it is not one).
pub(crate) fn helper_error(status: u16, message: &str) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(status)
        .unwrap_or(actix_web::http::StatusCode::BAD_REQUEST);
    HttpResponse::build(status).json(json!({ "error": message }))
}

/// A notification handed to the helper's caller instead of posted (`"hand_over": true`): where
/// it would have gone, its headers (`Content-Type` among them) and its body as text.
pub(crate) fn handed_over(
    url: &str,
    content_type: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> serde_json::Value {
    let mut named = serde_json::Map::new();
    named.insert("Content-Type".to_owned(), json!(content_type));
    for (name, value) in headers {
        named.insert((*name).to_owned(), json!(value));
    }
    json!({
        "url": url,
        "headers": named,
        "body": String::from_utf8_lossy(body),
    })
}

/// The configured key, or the dev key of `fixtures/` when none is.
pub(crate) fn or_dev<'a>(configured: &'a str, dev: &'a str) -> &'a str {
    if configured.trim().is_empty() {
        dev
    } else {
        configured
    }
}

/// Sends `request` `times` times at once; each delivery's HTTP status (0 when none came:
/// timeout, refused connection) and whether the merchant took it, as `taken` judges the status
/// and the body of its answer.
pub(crate) async fn deliver(
    provider: &'static str,
    request: reqwest::RequestBuilder,
    times: u32,
    taken: impl Fn(u16, &str) -> bool + Clone + Send + 'static,
) -> Vec<(u16, bool)> {
    let mut deliveries = JoinSet::new();
    for index in 0..times {
        let Some(request) = request.try_clone() else {
            break;
        };
        let taken = taken.clone();
        deliveries.spawn(async move {
            let answer = match request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let body = response.text().await.unwrap_or_default();
                    (status, taken(status, &body))
                }
                Err(error) => {
                    tracing::info!(provider, error = %error.without_url(), "notification not delivered");
                    (0, false)
                }
            };
            (index, answer)
        });
    }
    let mut answers = vec![(0, false); times as usize];
    while let Some(joined) = deliveries.join_next().await {
        if let Ok((index, answer)) = joined
            && let Some(slot) = answers.get_mut(index as usize)
        {
            *slot = answer;
        }
    }
    answers
}
