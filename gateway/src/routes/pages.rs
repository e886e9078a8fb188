//! The seeds' paging, in their two shapes: 001 §1.2.2's `links` + `meta`, and the flat `pages`
//! object of 000 §4.1 and the community lists.
use actix_web::HttpRequest;
use kit::paging::{Links, Meta, Paging, page_info};
use serde::Serialize;
use utoipa::ToSchema;

/// `links` and `meta` for a page of `count` rows, linked to this request's URL.
pub fn links_meta(
    request: &HttpRequest,
    paging: Paging,
    count: usize,
    total: i64,
) -> (Links, Meta) {
    let info = request.connection_info();
    let path = format!("{}://{}{}", info.scheme(), info.host(), request.path());
    page_info(&path, paging, i64::try_from(count).unwrap_or(0), total)
}

/// The flat `pages` object of 000 §4.1 and the community lists.
#[derive(Debug, Serialize, ToSchema)]
pub struct FlatPages {
    pub current_page: i64,
    pub first_page_url: String,
    /// The first row's position; `null` past the end.
    #[schema(required = true)]
    pub from: Option<i64>,
    pub last_page: i64,
    pub last_page_url: String,
    #[schema(required = true)]
    pub next_page_url: Option<String>,
    pub path: String,
    pub per_page: i64,
    #[schema(required = true)]
    pub prev_page_url: Option<String>,
    /// The last row's position; `null` past the end.
    #[schema(required = true)]
    pub to: Option<i64>,
    pub total: i64,
}

/// The flat `pages` object (`current_page`, `first_page_url`, … `total`) for a page of `count`
/// rows.
pub fn flat(
    request: &HttpRequest,
    page: i64,
    per_page: i64,
    count: usize,
    total: i64,
) -> FlatPages {
    let (links, meta) = links_meta(request, Paging { page, per_page }, count, total);
    FlatPages {
        current_page: meta.current_page,
        first_page_url: links.first,
        from: meta.from,
        last_page: meta.last_page,
        last_page_url: links.last,
        next_page_url: links.next,
        path: meta.path,
        per_page: meta.per_page,
        prev_page_url: links.prev,
        to: meta.to,
        total: meta.total,
    }
}
