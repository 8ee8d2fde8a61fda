//! GitLab's offset pagination headers.

use axum::response::{IntoResponse, Response};
use axum::Json;
use http::{HeaderMap, HeaderValue};
use serde::Serialize;

#[derive(Clone, Copy, Debug)]
pub struct Page {
    pub page: i64,
    pub per_page: i64,
}

impl Page {
    pub fn offset(&self) -> i64 {
        (self.page - 1).saturating_mul(self.per_page)
    }

    /// This page as the window the domain loads.
    pub fn window(&self) -> app::domain::listing::Window {
        let offset = usize::try_from(self.offset()).unwrap_or(usize::MAX);
        app::domain::listing::Window::offset(offset, usize::try_from(self.per_page).unwrap_or(20))
    }
}

/// A JSON array with `x-page`, `x-per-page`, `x-total`, `x-total-pages`,
/// `x-next-page`, `x-prev-page` and `Link` headers. `url` is the request URL
/// without its page parameters.
pub fn paginated<T: Serialize>(items: Vec<T>, page: Page, total: i64, url: &str) -> Response {
    let total_pages = ((total + page.per_page - 1) / page.per_page).max(1);
    let next = (page.page < total_pages).then_some(page.page + 1);
    let prev = (page.page > 1).then_some(page.page - 1);
    let mut headers = HeaderMap::new();
    let mut set = |name: &'static str, value: String| {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    };
    set("x-page", page.page.to_string());
    set("x-per-page", page.per_page.to_string());
    set("x-total", total.to_string());
    set("x-total-pages", total_pages.to_string());
    set("x-next-page", next.map(|n| n.to_string()).unwrap_or_default());
    set("x-prev-page", prev.map(|n| n.to_string()).unwrap_or_default());
    let sep = if url.contains('?') { '&' } else { '?' };
    let link = |n: i64, rel: &str| format!("<{url}{sep}page={n}&per_page={}>; rel=\"{rel}\"", page.per_page);
    let mut links = Vec::new();
    if let Some(p) = prev {
        links.push(link(p, "prev"));
    }
    if let Some(n) = next {
        links.push(link(n, "next"));
    }
    links.push(link(1, "first"));
    links.push(link(total_pages, "last"));
    set("link", links.join(", "));
    (headers, Json(items)).into_response()
}
