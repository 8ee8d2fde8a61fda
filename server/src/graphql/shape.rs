//! A query's shape, checked before async-graphql parses and validates it.
//! Both are synchronous work the request's timeout cannot interrupt, and
//! neither bounds itself:
//! - the parser recurses once per level of nested braces, brackets and
//!   parentheses, so a few kilobytes of `[[[[…` overflow the thread's stack
//!   and abort the process;
//! - validation (and GitLab's complexity) walks every fragment spread as if
//!   written out, so a chain of fragments that each spread the next twice
//!   costs 2^n steps from a query of a kilobyte.
//!
//! So the text's nesting is bounded before parsing, and the number of fields
//! the operations have once their fragments are written out is counted (each
//! fragment once, remembered) before validation.

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, SelectionSet};
use async_graphql::Name;
use std::collections::HashMap;

/// Nesting of `{`, `[` and `(` a query may have: far beyond GitLab's
/// selection depth (20) with arguments inside, far below what the parser's
/// stack takes (about 1,500).
pub const MAX_NESTING: usize = 64;

/// Fields a document may have once its fragments are written out. GitLab's
/// complexity charges at least one per field and stops at 300, so no query
/// that could run is refused here; the standard introspection query has
/// about 200.
pub const MAX_FIELDS: usize = 2_000;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Shape {
    #[error("Query is nested more than {MAX_NESTING} levels deep")]
    TooDeep,
    #[error("Query has more than {MAX_FIELDS} fields once its fragments are expanded")]
    TooManyFields,
    #[error("Cannot spread fragment \"{0}\" within itself")]
    Cycle(String),
}

/// How deeply `query`'s braces, brackets and parentheses nest, outside
/// strings and comments; refused past [`MAX_NESTING`].
pub fn check_nesting(query: &str) -> Result<(), Shape> {
    let mut depth = 0usize;
    let mut chars = query.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' | '[' | '(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(Shape::TooDeep);
                }
            }
            '}' | ']' | ')' => depth = depth.saturating_sub(1),
            '#' => {
                for c in chars.by_ref() {
                    if c == '\n' || c == '\r' {
                        break;
                    }
                }
            }
            '"' => skip_string(&mut chars),
            _ => {}
        }
    }
    Ok(())
}

/// Past a string whose opening quote was just read: `"…"` with escapes, or a
/// block string `"""…"""` (where only `\"""` escapes).
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    if chars.peek() == Some(&'"') {
        chars.next();
        if chars.peek() != Some(&'"') {
            return; // `""`: the empty string.
        }
        chars.next();
        let mut quotes = 0;
        while let Some(c) = chars.next() {
            match c {
                '\\' if chars.peek() == Some(&'"') => {
                    // `\"""` stands for three quotes, none of them closing.
                    for _ in 0..3 {
                        if chars.peek() == Some(&'"') {
                            chars.next();
                        }
                    }
                    quotes = 0;
                }
                '"' => {
                    quotes += 1;
                    if quotes == 3 {
                        return;
                    }
                }
                _ => quotes = 0,
            }
        }
        return;
    }
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '"' | '\n' | '\r' => return,
            _ => {}
        }
    }
}

/// Counts the document's fields with its fragments written out, each
/// fragment counted once and remembered; refused past [`MAX_FIELDS`], or
/// when a fragment spreads itself (which validation would also refuse).
pub fn check_fields(document: &ExecutableDocument) -> Result<(), Shape> {
    let mut count = Count { document, known: HashMap::new(), open: Vec::new() };
    let mut total = 0usize;
    let operations: Vec<&SelectionSet> = match &document.operations {
        DocumentOperations::Single(op) => vec![&op.node.selection_set.node],
        DocumentOperations::Multiple(ops) => ops.values().map(|op| &op.node.selection_set.node).collect(),
    };
    for set in operations {
        total = total.saturating_add(count.set(set)?);
        if total > MAX_FIELDS {
            return Err(Shape::TooManyFields);
        }
    }
    Ok(())
}

struct Count<'a> {
    document: &'a ExecutableDocument,
    /// Each fragment's fields once written out.
    known: HashMap<&'a Name, usize>,
    /// The fragments being counted (a spread of one of them is a cycle).
    open: Vec<&'a Name>,
}

impl<'a> Count<'a> {
    fn set(&mut self, set: &'a SelectionSet) -> Result<usize, Shape> {
        use async_graphql::parser::types::Selection;
        let mut total = 0usize;
        for item in &set.items {
            let n = match &item.node {
                Selection::Field(field) => 1usize.saturating_add(self.set(&field.node.selection_set.node)?),
                Selection::InlineFragment(inline) => self.set(&inline.node.selection_set.node)?,
                Selection::FragmentSpread(spread) => self.fragment(&spread.node.fragment_name.node)?,
            };
            total = total.saturating_add(n);
            if total > MAX_FIELDS {
                return Err(Shape::TooManyFields);
            }
        }
        Ok(total)
    }

    fn fragment(&mut self, name: &'a Name) -> Result<usize, Shape> {
        if let Some(n) = self.known.get(name) {
            return Ok(*n);
        }
        // An unknown fragment: validation names it.
        let Some(fragment) = self.document.fragments.get(name) else { return Ok(0) };
        if self.open.contains(&name) {
            return Err(Shape::Cycle(name.to_string()));
        }
        self.open.push(name);
        let n = self.set(&fragment.node.selection_set.node);
        self.open.pop();
        let n = n?;
        self.known.insert(name, n);
        Ok(n)
    }
}
