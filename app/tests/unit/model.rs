//! The unit tests of `app/src/model.rs`.

use app::model::Rarity;

/// Rarity is the share of the group's members who hold it; nobody holding it
/// has none, and holders from outside the group never push it past 100%.
#[test]
fn rarity_follows_the_share_of_members() {
    assert_eq!(Rarity::of(0, 10), None);
    assert_eq!(Rarity::of(1, 10), Some(Rarity::Rare));
    assert_eq!(Rarity::of(2, 10), Some(Rarity::Uncommon));
    assert_eq!(Rarity::of(3, 10), Some(Rarity::Uncommon));
    assert_eq!(Rarity::of(4, 10), Some(Rarity::Common));
    assert_eq!(Rarity::of(10, 10), Some(Rarity::Common));
    assert_eq!(Rarity::of(1, 0), Some(Rarity::Common), "a group with no members of its own");
    assert_eq!(Rarity::of(5, 2), Some(Rarity::Common));
    assert_eq!(Rarity::of(1, 1000), Some(Rarity::Rare));
}
