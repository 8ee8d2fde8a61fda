//! The unit tests of `app/src/model.rs`.

use app::model::{Held, Rarity};

fn held(holders: usize, members: usize) -> Held {
    Held { holders, members }
}

/// Rarity is the share of the group's members who hold it; nobody holding it
/// has none, and holders from outside the group never push it past 100%.
#[test]
fn rarity_follows_the_share_of_members() {
    assert_eq!(held(0, 10).rarity(), None);
    assert_eq!(held(1, 10).rarity(), Some(Rarity::Rare));
    assert_eq!(held(2, 10).rarity(), Some(Rarity::Uncommon));
    assert_eq!(held(3, 10).rarity(), Some(Rarity::Uncommon));
    assert_eq!(held(4, 10).rarity(), Some(Rarity::Common));
    assert_eq!(held(10, 10).rarity(), Some(Rarity::Common));
    assert_eq!(held(1, 0).rarity(), Some(Rarity::Common), "a group with no members of its own");
    assert_eq!(held(5, 2).rarity(), Some(Rarity::Common));
    assert_eq!(held(1, 1000).rarity(), Some(Rarity::Rare));
}

/// The share in whole percent, never past 100, and 0 for an empty group.
#[test]
fn the_share_is_whole_percent_of_the_members() {
    assert_eq!(held(12, 150).percent(), 8);
    assert_eq!(held(2, 5).percent(), 40);
    assert_eq!(held(0, 0).percent(), 0);
    assert_eq!(held(0, 7).percent(), 0);
    assert_eq!(held(3, 1).percent(), 100);
}
