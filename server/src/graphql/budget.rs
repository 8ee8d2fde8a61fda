//! Our own bounds, which GitLab's formula lacks, on what one request may make
//! the server load. GitLab's complexity adds a nested connection's cost; its
//! real cost multiplies (100 x 100 x ...).
//!
//! - Pages: every connection is one query. Each takes a page from the budget
//!   before it loads, atomically, so even the sibling connections of one
//!   level, which resolve concurrently, stop at the bound together.
//! - Nodes: what the pages loaded, charged after each load.
//!
//! So one request makes at most [`MAX_PAGES`] listing queries, and hands out
//! at most [`MAX_NODES`] nodes.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Nodes one request may resolve across all its connections.
pub const MAX_NODES: usize = 5_000;
/// Connections (one query each) one request may load.
pub const MAX_PAGES: usize = 1_000;

/// The request's budget is spent.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OverBudget {
    #[error(
        "Query resolves more than {MAX_NODES} nodes; ask for fewer nodes per connection, or fewer nested connections"
    )]
    Nodes,
    #[error("Query loads more than {MAX_PAGES} connections; ask for fewer nested connections")]
    Pages,
}

/// One request's budget.
#[derive(Debug, Default)]
pub struct NodeBudget {
    nodes: AtomicUsize,
    pages: AtomicUsize,
}

impl NodeBudget {
    /// Refuses a lookup once the request has resolved its nodes.
    pub fn check(&self) -> Result<(), OverBudget> {
        if self.nodes.load(Ordering::Relaxed) > MAX_NODES {
            return Err(OverBudget::Nodes);
        }
        Ok(())
    }

    /// Takes one page before a connection loads, or refuses it.
    pub fn open_page(&self) -> Result<(), OverBudget> {
        self.check()?;
        if self.pages.fetch_add(1, Ordering::Relaxed) >= MAX_PAGES {
            self.pages.fetch_sub(1, Ordering::Relaxed);
            return Err(OverBudget::Pages);
        }
        Ok(())
    }

    /// Charges the nodes a page loaded; refuses the page that went over.
    pub fn charge(&self, loaded: usize) -> Result<(), OverBudget> {
        self.nodes.fetch_add(loaded, Ordering::Relaxed);
        self.check()
    }

    /// Pages taken so far.
    pub fn pages(&self) -> usize {
        self.pages.load(Ordering::Relaxed)
    }
}
