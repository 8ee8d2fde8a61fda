//! The unit tests of `app/src/domain/listing.rs`.

use app::domain::listing::*;

#[test]
fn graphql_arguments_pick_the_page_they_name() {
    let w = |first, after, last, before| Window::cursors(first, after, last, before).range(10);
    assert_eq!(w(None, None, None, None), 0..10);
    assert_eq!(w(Some(3), None, None, None), 0..3);
    assert_eq!(w(Some(3), Some(2), None, None), 3..6);
    assert_eq!(w(None, None, Some(3), None), 7..10);
    assert_eq!(w(None, None, Some(3), Some(5)), 2..5);
    assert_eq!(w(Some(0), None, None, None), 0..0);
    assert_eq!(w(Some(5), Some(9), None, None), 10..10);
    assert_eq!(w(None, Some(usize::MAX), None, None), 10..10);
    assert_eq!(Window::cursors(None, None, None, None).range(1_000), 0..100);
    assert_eq!(Window::cursors(Some(1_000), None, None, None).range(1_000), 0..100);
    assert_eq!(Window::cursors(None, None, Some(1_000), None).range(1_000), 900..1_000);
}

#[test]
fn offsets_start_where_they_say() {
    assert_eq!(Window::offset(0, 20).range(50), 0..20);
    assert_eq!(Window::offset(40, 20).range(50), 40..50);
    assert_eq!(Window::offset(usize::MAX, 20).range(50), 50..50);
    assert_eq!(Window::first(500).range(1_000), 0..500);
}

#[test]
fn a_listing_knows_its_neighbours() {
    let page = Listing { total: 10, start: 3, items: vec![3, 4, 5] };
    assert!(page.has_previous() && page.has_next());
    let last = Listing { total: 6, start: 3, items: vec![3, 4, 5] }.map(|n| n * 2);
    assert_eq!(last.items, vec![6, 8, 10]);
    assert!(!last.has_next());
}
