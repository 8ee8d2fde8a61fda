//! GitLab's connection shapes, exactly as GitLab's schema has them: lists and
//! their items are nullable (`edges: [XEdge]`, `nodes: [X]`, `node: X`), countable
//! connections have `count(limit: Int): Int!`, and `AwardEmojiConnection` has no
//! `count` at all. Clients generated from GitLab's schema validate against these.

use super::{ctx, Result};
use app::domain::listing::Listing;
use async_graphql::connection::PageInfo;
use async_graphql::{Context, Object, OutputType, TypeName};
use std::borrow::Cow;

/// One page of a countable connection (`AchievementConnection`, `NoteConnection`, ...).
pub struct Page<T> {
    edges: Vec<Edge<T>>,
    has_previous: bool,
    has_next: bool,
    total: usize,
}

pub struct Edge<T> {
    cursor: String,
    node: T,
}

/// A page the domain loaded, charged to the request's node budget.
pub fn connection<T>(context: &Context<'_>, page: Listing<T>) -> Result<Page<T>> {
    ctx(context).budget.charge(page.items.len()).map_err(|over| async_graphql::Error::new(over.to_string()))?;
    let (has_previous, has_next) = (page.has_previous(), page.has_next());
    let edges =
        page.items.into_iter().enumerate().map(|(i, node)| Edge { cursor: format!("o:{}", page.start + i), node });
    Ok(Page { edges: edges.collect(), has_previous, has_next, total: page.total })
}

impl<T> Page<T> {
    fn page_info(&self) -> PageInfo {
        PageInfo {
            has_previous_page: self.has_previous,
            has_next_page: self.has_next,
            start_cursor: self.edges.first().map(|e| e.cursor.clone()),
            end_cursor: self.edges.last().map(|e| e.cursor.clone()),
        }
    }
    fn edges(&self) -> Option<Vec<Option<&Edge<T>>>> {
        Some(self.edges.iter().map(Some).collect())
    }
    fn nodes(&self) -> Option<Vec<Option<&T>>> {
        Some(self.edges.iter().map(|e| Some(&e.node)).collect())
    }
}

#[Object(name_type)]
impl<T: OutputType> Page<T> {
    /// Total count of collection. Returns limit + 1 for counts greater than the limit.
    async fn count(
        &self,
        #[graphql(
            desc = "Limit applied to the count query, returns limit + 1. When not provided, returns the exact count."
        )]
        limit: Option<i32>,
    ) -> i64 {
        let total = i64::try_from(self.total).unwrap_or(i64::MAX);
        match limit.map(i64::from) {
            Some(limit) if limit >= 0 && total > limit => limit + 1,
            _ => total,
        }
    }
    /// A list of edges.
    #[graphql(name = "edges")]
    async fn edge_list(&self) -> Option<Vec<Option<&Edge<T>>>> {
        self.edges()
    }
    /// A list of nodes.
    #[graphql(name = "nodes")]
    async fn node_list(&self) -> Option<Vec<Option<&T>>> {
        self.nodes()
    }
    /// Information to aid in pagination.
    #[graphql(name = "pageInfo")]
    async fn info(&self) -> PageInfo {
        self.page_info()
    }
}

impl<T: OutputType> TypeName for Page<T> {
    fn type_name() -> Cow<'static, str> {
        format!("{}Connection", T::type_name()).into()
    }
}

#[Object(name_type)]
impl<T: OutputType> Edge<T> {
    /// A cursor for use in pagination.
    async fn cursor(&self) -> &str {
        &self.cursor
    }
    /// The item at the end of the edge.
    async fn node(&self) -> Option<&T> {
        Some(&self.node)
    }
}

impl<T: OutputType> TypeName for Edge<T> {
    fn type_name() -> Cow<'static, str> {
        format!("{}Edge", T::type_name()).into()
    }
}

/// `AwardEmojiConnection`: GitLab's plain connection, without `count`.
pub struct AwardEmojiPage(pub Page<super::award_emoji::AwardEmoji>);

#[Object(name = "AwardEmojiConnection")]
impl AwardEmojiPage {
    /// A list of edges.
    async fn edges(&self) -> Option<Vec<Option<&Edge<super::award_emoji::AwardEmoji>>>> {
        self.0.edges()
    }
    /// A list of nodes.
    async fn nodes(&self) -> Option<Vec<Option<&super::award_emoji::AwardEmoji>>> {
        self.0.nodes()
    }
    /// Information to aid in pagination.
    async fn page_info(&self) -> PageInfo {
        self.0.page_info()
    }
}
