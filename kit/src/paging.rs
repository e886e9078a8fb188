//! Paging as the seeds render it: `links` (first/last/prev/next) and `meta` (Laravel style).
use serde::Serialize;

/// Default and largest page sizes.
pub const DEFAULT_PER_PAGE: i64 = 20;
pub const MAX_PER_PAGE: i64 = 100;

/// A requested page, already bounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    pub page: i64,
    pub per_page: i64,
}

impl Paging {
    /// The page a service request asks for, where 0 means the default (proto3's absent), bounded
    /// as [`Paging::new`] bounds it; an error names the field.
    pub fn requested(page: i64, per_page: i64) -> crate::error::ServiceResult<Self> {
        let given = |value: i64| (value != 0).then_some(value);
        Self::new(given(page), given(per_page))
            .map_err(|field| crate::error::ServiceError::invalid(field, format!("{field}超出范围")))
    }

    /// `page` ≥ 1 (default 1), `per_page` in 1..=100 (default 20); anything else is an error
    /// naming the field.
    pub fn new(page: Option<i64>, per_page: Option<i64>) -> Result<Self, &'static str> {
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
        if page < 1 {
            return Err("page");
        }
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err("per_page");
        }
        Ok(Self { page, per_page })
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }

    /// The total a page of `rows` rows already tells: a page that isn't full is the last, so
    /// the total is the rows before it plus its own. `None` when it is full (there may be more)
    /// or empty past the first page (the set may end anywhere before it): count them.
    pub fn total_when_last(&self, rows: usize) -> Option<i64> {
        let rows = i64::try_from(rows).ok()?;
        (rows < self.per_page && (rows > 0 || self.page == 1)).then(|| self.offset() + rows)
    }

    /// The total of a set whose page of `rows` rows was read: what the page tells
    /// ([`Paging::total_when_last`]), else `count()` (a list's COUNT, run only then).
    pub fn total<E>(&self, rows: usize, count: impl FnOnce() -> Result<i64, E>) -> Result<i64, E> {
        match self.total_when_last(rows) {
            Some(total) => Ok(total),
            None => count(),
        }
    }
}

/// The `links` object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Links {
    pub first: String,
    pub last: String,
    pub prev: Option<String>,
    pub next: Option<String>,
}

/// The `meta` object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Meta {
    pub current_page: i64,
    pub from: Option<i64>,
    pub last_page: i64,
    pub path: String,
    pub per_page: i64,
    pub to: Option<i64>,
    pub total: i64,
}

/// Builds `links` and `meta` for a page of `count` rows out of `total`, at `path`.
pub fn page_info(path: &str, paging: Paging, count: i64, total: i64) -> (Links, Meta) {
    let last_page = ((total + paging.per_page - 1) / paging.per_page).max(1);
    let url = |page: i64| format!("{path}?page={page}");
    let links = Links {
        first: url(1),
        last: url(last_page),
        prev: (paging.page > 1).then(|| url(paging.page - 1)),
        next: (paging.page < last_page).then(|| url(paging.page + 1)),
    };
    let from = (count > 0).then(|| paging.offset() + 1);
    let meta = Meta {
        current_page: paging.page,
        from,
        last_page,
        path: path.to_owned(),
        per_page: paging.per_page,
        to: from.map(|from| from + count - 1),
        total,
    };
    (links, meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_that_is_not_full_tells_the_total() {
        let page = |page, per_page| Paging::new(Some(page), Some(per_page)).expect("paging");
        assert_eq!(page(1, 20).total_when_last(0), Some(0), "nothing at all");
        assert_eq!(page(1, 20).total_when_last(3), Some(3));
        assert_eq!(page(3, 20).total_when_last(5), Some(45));
        assert_eq!(page(1, 20).total_when_last(20), None, "full: maybe more");
        assert_eq!(page(3, 20).total_when_last(0), None, "past the end: count");
    }

    #[test]
    fn the_seed_example_page_two_of_three() {
        let paging = Paging::new(Some(2), Some(1)).expect("paging");
        let (links, meta) = page_info("http://h/api/v1/wjdh/shenheList", paging, 1, 3);
        assert_eq!(
            links.prev.as_deref(),
            Some("http://h/api/v1/wjdh/shenheList?page=1")
        );
        assert_eq!(
            links.next.as_deref(),
            Some("http://h/api/v1/wjdh/shenheList?page=3")
        );
        assert_eq!((meta.from, meta.to, meta.last_page), (Some(2), Some(2), 3));
    }

    #[test]
    fn bad_paging_names_the_field() {
        assert_eq!(Paging::new(Some(0), None), Err("page"));
        assert_eq!(Paging::new(None, Some(1000)), Err("per_page"));
        let (_, meta) = page_info("/x", Paging::new(None, None).expect("default"), 0, 0);
        assert_eq!((meta.from, meta.last_page), (None, 1));
    }
}
