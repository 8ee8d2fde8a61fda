//! `server::graphql::budget`: what one GraphQL request may make the server load.

use server::graphql::budget::{NodeBudget, OverBudget, MAX_NODES, MAX_PAGES};

#[test]
fn pages_are_taken_before_they_load_so_a_level_of_siblings_stops_at_the_bound() {
    let budget = NodeBudget::default();
    // A level of a fan-out: every sibling opens its page before any has loaded.
    let granted = (0..MAX_PAGES + 500).filter(|_| budget.open_page().is_ok()).count();
    assert_eq!(granted, MAX_PAGES);
    assert_eq!(budget.pages(), MAX_PAGES);
    assert_eq!(budget.open_page(), Err(OverBudget::Pages));
    // Refusals took nothing.
    assert_eq!(budget.pages(), MAX_PAGES);
}

#[test]
fn nodes_are_charged_as_pages_load_and_the_page_that_goes_over_is_refused() {
    let budget = NodeBudget::default();
    budget.open_page().expect("a first page");
    assert_eq!(budget.charge(MAX_NODES), Ok(()));
    assert_eq!(budget.check(), Ok(()));
    budget.open_page().expect("still within");
    assert_eq!(budget.charge(1), Err(OverBudget::Nodes));
    // Once over, nothing more loads.
    assert_eq!(budget.open_page(), Err(OverBudget::Nodes));
    assert_eq!(budget.check(), Err(OverBudget::Nodes));
    assert_eq!(budget.pages(), 2);
}
