//! Pages the gateway keeps, each with the version of the data it shows (issue 14). The next
//! call for the same page carries that version; a service that finds it still current answers
//! "unchanged" (one read of the version) instead of the page, so the rows are neither read,
//! sent, decoded nor rendered again. The call is made every time: the service checks the caller
//! as on any call, and the version comes from its database in that call, so a kept page is never
//! shown after a change of its data. A page is kept under the whole request the service got
//! (the caller's credential and communities included), so one caller's page is never another's.
use std::sync::Arc;

use kit::error::ServiceError;
use serde::Serialize;
use serde_json::value::RawValue;

/// A page as the gateway renders it: its rows' JSON and what its `pages` object is made from.
pub struct KeptPage {
    /// The version of the data it shows; 0: none (not kept).
    pub version: i64,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
    /// How many rows `rows` holds.
    pub count: usize,
    /// The JSON array of the rows.
    pub rows: Box<RawValue>,
}

impl KeptPage {
    /// `rows` rendered once.
    pub fn render<T: Serialize>(
        version: i64,
        page: i64,
        per_page: i64,
        total: i64,
        rows: &[T],
    ) -> Result<Self, ServiceError> {
        Ok(Self {
            version,
            page,
            per_page,
            total,
            count: rows.len(),
            rows: serde_json::value::to_raw_value(rows).map_err(|error| {
                ServiceError::internal(format!("rendering a page's rows: {error}"))
            })?,
        })
    }
}

/// The kept pages, the least used first to go past `max_bytes` of keys and rows (0: none kept).
#[derive(Clone)]
pub struct KeptPages(Option<moka::sync::Cache<Vec<u8>, Arc<KeptPage>>>);

/// How long a page is kept at most, however often it is asked for: its version decides whether
/// it is current, this only bounds what an unused page holds.
const KEPT: std::time::Duration = std::time::Duration::from_secs(300);

impl KeptPages {
    pub fn new(max_bytes: u64) -> Self {
        Self((max_bytes > 0).then(|| {
            moka::sync::Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|key: &Vec<u8>, page: &Arc<KeptPage>| {
                    u32::try_from(key.len() + page.rows.get().len()).unwrap_or(u32::MAX)
                })
                .time_to_live(KEPT)
                .build()
        }))
    }

    /// `request` (before its known version is set) and the page kept for it, if any.
    pub fn ask(&self, request: &impl prost::Message) -> Asked {
        let key = request.encode_to_vec();
        let kept = self.0.as_ref().and_then(|pages| pages.get(&key));
        Asked { key, kept }
    }

    /// The page to answer `asked` with: the kept one when the service found its version current
    /// (`unchanged`, of `version`), else the one `read` renders from the reply, then kept when it
    /// has a version.
    pub fn answer(
        &self,
        asked: Asked,
        unchanged: bool,
        version: i64,
        read: impl FnOnce() -> Result<KeptPage, ServiceError>,
    ) -> Result<Arc<KeptPage>, ServiceError> {
        match asked.kept {
            Some(kept) if unchanged && version == kept.version => return Ok(kept),
            _ if unchanged => {
                return Err(ServiceError::internal(
                    "the service found current a page the gateway did not keep",
                ));
            }
            _ => {}
        }
        let page = Arc::new(read()?);
        if let Some(pages) = &self.0
            && page.version != 0
        {
            pages.insert(asked.key, Arc::clone(&page));
        }
        Ok(page)
    }
}

/// A request for a page and the page the gateway kept for it ([`KeptPages::ask`]).
pub struct Asked {
    key: Vec<u8>,
    kept: Option<Arc<KeptPage>>,
}

impl Asked {
    /// The version to send as the request's `known_version`.
    pub fn known_version(&self) -> Option<i64> {
        self.kept.as_ref().map(|page| page.version)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn page(version: i64) -> Result<KeptPage, ServiceError> {
        KeptPage::render(version, 1, 20, 1, &["row"])
    }

    /// A request as the key: the same text, the same page.
    fn request(text: &str) -> String {
        text.to_owned()
    }

    #[test]
    fn a_page_with_a_version_is_kept_under_its_request_and_answered_while_it_is_current() {
        let pages = KeptPages::new(1 << 20);
        let asked = pages.ask(&request("a"));
        assert_eq!(asked.known_version(), None);
        pages.answer(asked, false, 7, || page(7)).unwrap();
        let asked = pages.ask(&request("a"));
        assert_eq!(asked.known_version(), Some(7));
        assert!(pages.ask(&request("b")).known_version().is_none());
        let kept = pages
            .answer(asked, true, 7, || panic!("read again"))
            .unwrap();
        assert_eq!(kept.rows.get(), r#"["row"]"#);
        // A newer version is read and kept instead.
        let asked = pages.ask(&request("a"));
        let newer = pages.answer(asked, false, 8, || page(8)).unwrap();
        assert_eq!(newer.version, 8);
        assert_eq!(pages.ask(&request("a")).known_version(), Some(8));
    }

    #[test]
    fn a_page_without_a_version_is_not_kept_and_unchanged_without_a_kept_page_is_an_error() {
        let pages = KeptPages::new(1 << 20);
        pages
            .answer(pages.ask(&request("a")), false, 0, || page(0))
            .unwrap();
        assert!(pages.ask(&request("a")).known_version().is_none());
        assert!(
            pages
                .answer(pages.ask(&request("a")), true, 3, || page(3))
                .is_err()
        );
    }

    #[test]
    fn with_no_room_nothing_is_kept() {
        let pages = KeptPages::new(0);
        pages
            .answer(pages.ask(&request("a")), false, 7, || page(7))
            .unwrap();
        assert!(pages.ask(&request("a")).known_version().is_none());
    }
}
