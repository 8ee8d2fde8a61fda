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
fn numbered_pages_are_counted_from_the_first_item_and_default_to_the_last() {
    let page = |n: Option<usize>, total| Window::page(n, 100).range(total);
    assert_eq!(page(None, 1_001), 1_000..1_001);
    assert_eq!(page(Some(1), 1_001), 0..100);
    assert_eq!(page(Some(3), 1_001), 200..300);
    assert_eq!(page(Some(99), 1_001), 1_000..1_001, "past the last: the last");
    assert_eq!(page(Some(0), 1_001), 0..100, "before the first: the first");
    assert_eq!(page(None, 0), 0..0);
    assert_eq!(page(None, 300), 200..300);
    assert_eq!(Window::page_of(200, 1_001, 100), (3, 11));
    assert_eq!(Window::page_of(0, 0, 100), (1, 1));
}

#[test]
fn a_listing_knows_its_neighbours() {
    let page = Listing { total: 10, start: 3, items: vec![3, 4, 5] };
    assert!(page.has_previous() && page.has_next());
    let last = Listing { total: 6, start: 3, items: vec![3, 4, 5] }.map(|n| n * 2);
    assert_eq!(last.items, vec![6, 8, 10]);
    assert!(!last.has_next());
}
