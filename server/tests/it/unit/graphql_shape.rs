//! `server::graphql::shape`: a query's nesting and its fields once its
//! fragments are written out, bounded before parsing and validation.

use async_graphql::parser::types::ExecutableDocument;
use server::graphql::shape::{check_fields, check_nesting, Shape};

fn parsed(query: &str) -> ExecutableDocument {
    async_graphql::parser::parse_query(query).expect("a valid query")
}

#[test]
fn nesting_counts_outside_strings_and_comments() {
    let deep = format!("{{ user(username: {}1{}) {{ id }} }}", "[".repeat(70), "]".repeat(70));
    assert_eq!(check_nesting(&deep), Err(Shape::TooDeep));
    let fine = format!("{{ user(username: {}1{}) {{ id }} }}", "[".repeat(40), "]".repeat(40));
    assert_eq!(check_nesting(&fine), Ok(()));
    let quoted = format!("{{ user(username: \"{}\\\"\") {{ id }} }}", "[".repeat(500));
    assert_eq!(check_nesting(&quoted), Ok(()));
    let block = format!("{{ user(username: \"\"\"{}\\\"\"\" \"\"\") {{ id }} }}", "{".repeat(500));
    assert_eq!(check_nesting(&block), Ok(()));
    let commented = format!("# {}\n{{ currentUser {{ id }} }}", "(".repeat(500));
    assert_eq!(check_nesting(&commented), Ok(()));
    // A string that ends the line does not hide what follows it.
    let unclosed = format!("{{ a(b: \"x\n{} }}", "[".repeat(70));
    assert_eq!(check_nesting(&unclosed), Err(Shape::TooDeep));
}

#[test]
fn fields_are_counted_with_fragments_written_out_once_each() {
    let fields = "{ currentUser { id username } ...F } fragment F on Query { currentUser { name } }";
    assert_eq!(check_fields(&parsed(fields)), Ok(()));
    // Each fragment spreads the next twice: 2^30 fields written out.
    let mut chain = String::from("{ ...F0 } ");
    for i in 0..30 {
        chain.push_str(&format!("fragment F{i} on Query {{ ...F{} ...F{} }} ", i + 1, i + 1));
    }
    chain.push_str("fragment F30 on Query { currentUser { id } }");
    assert_eq!(check_fields(&parsed(&chain)), Err(Shape::TooManyFields));
    // Ten levels: 2^10 x 2 = 2,048 fields, just past the bound; nine pass.
    let nested = |levels: usize| {
        let mut q = String::from("{ ...F0 } ");
        for i in 0..levels {
            q.push_str(&format!("fragment F{i} on Query {{ ...F{} ...F{} }} ", i + 1, i + 1));
        }
        q.push_str(&format!("fragment F{levels} on Query {{ currentUser {{ id }} }}"));
        q
    };
    assert_eq!(check_fields(&parsed(&nested(10))), Err(Shape::TooManyFields));
    assert_eq!(check_fields(&parsed(&nested(9))), Ok(()));
    let cycle = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }";
    assert!(matches!(check_fields(&parsed(cycle)), Err(Shape::Cycle(_))));
}
