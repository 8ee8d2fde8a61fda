//! Pages of ordered listings, cut by the database: a `COUNT` with the listing's
//! filter, then `LIMIT`/`OFFSET` for the page, never a whole list loaded and
//! sliced in memory. GraphQL's `first/after/last/before` need the total to
//! place `last`; REST's `page/per_page` and the web pages just start somewhere.

use std::ops::Range;

/// The most items one page holds (GitLab's GraphQL `max_page_size`).
pub const MAX_PAGE_SIZE: usize = 100;

/// The most items a web page or a live snapshot that shows a listing whole
/// loads (a profile's awards, an item's comments, an achievement's holders).
pub const WHOLE: usize = 1_000;

/// Which part of a listing to load, decided once its length is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    /// Items strictly after this index (a decoded `after` cursor).
    pub after: Option<usize>,
    /// Items strictly before this index (a decoded `before` cursor).
    pub before: Option<usize>,
    pub first: Option<usize>,
    pub last: Option<usize>,
    /// The size of a page when neither `first` nor `last` is given, and the cap on both.
    pub cap: usize,
    /// Pages of `cap` counted from the first item: this one (from 1), the
    /// last when `None`, the nearest when out of range; the rest unused.
    pub page: Option<Option<usize>>,
}

impl Window {
    /// GraphQL's connection arguments, cursors already decoded to indexes.
    pub fn cursors(first: Option<usize>, after: Option<usize>, last: Option<usize>, before: Option<usize>) -> Window {
        Window { after, before, first, last, cap: MAX_PAGE_SIZE, page: None }
    }

    /// `limit` items from `offset` (REST's `page` and `per_page`, a web page).
    pub fn offset(offset: usize, limit: usize) -> Window {
        Window { after: offset.checked_sub(1), before: None, first: Some(limit), last: None, cap: limit, page: None }
    }

    /// The first `n` items: a page that shows a listing whole, up to a bound.
    pub fn first(n: usize) -> Window {
        Window::offset(0, n)
    }

    /// Page `page` (from 1) of `per` items, the last page when `None`, the
    /// nearest page when out of range (a web page's `?page=`).
    pub fn page(page: Option<usize>, per: usize) -> Window {
        Window { after: None, before: None, first: None, last: None, cap: per.max(1), page: Some(page) }
    }

    /// Which page (from 1) of how many a listing of `total` items starting at
    /// `start` is, in pages of `per`.
    pub fn page_of(start: usize, total: usize, per: usize) -> (usize, usize) {
        let per = per.max(1);
        (start / per + 1, total.div_ceil(per).max(1))
    }

    /// The indexes to load from a listing of `total` items.
    pub fn range(&self, total: usize) -> Range<usize> {
        if let Some(page) = self.page {
            let pages = total.div_ceil(self.cap).max(1);
            let start = (page.unwrap_or(pages).clamp(1, pages) - 1) * self.cap;
            return start.min(total)..start.saturating_add(self.cap).min(total);
        }
        let mut start = self.after.map_or(0, |a| a.saturating_add(1)).min(total);
        let mut end = self.before.unwrap_or(total).min(total).max(start);
        if let Some(first) = self.first {
            end = end.min(start.saturating_add(first.min(self.cap)));
        }
        if let Some(last) = self.last {
            start = start.max(end.saturating_sub(last.min(self.cap)));
        }
        if self.first.is_none() && self.last.is_none() {
            end = end.min(start.saturating_add(self.cap));
        }
        start..end
    }
}

/// One page of a listing: its items, where they start, and the listing's length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listing<T> {
    pub total: usize,
    pub start: usize,
    pub items: Vec<T>,
}

impl<T> Listing<T> {
    pub fn empty() -> Listing<T> {
        Listing { total: 0, start: 0, items: Vec::new() }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Listing<U> {
        Listing { total: self.total, start: self.start, items: self.items.into_iter().map(f).collect() }
    }

    pub fn has_previous(&self) -> bool {
        self.start > 0
    }

    pub fn has_next(&self) -> bool {
        self.start + self.items.len() < self.total
    }
}

/// A page as the store's `LIMIT` and `OFFSET`.
pub(crate) fn limit_offset(range: &Range<usize>) -> (i64, i64) {
    (range.len() as i64, range.start as i64)
}

/// Converts a database count (never negative).
pub(crate) fn count(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}
