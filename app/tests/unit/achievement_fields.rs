//! The unit tests of `app/src/components/achievement_fields.rs`.

use app::components::achievement_fields::*;

#[test]
fn checks_type_by_extension_and_size() {
    assert_eq!(avatar_problem("star.PNG", 1_000.0), None);
    assert_eq!(avatar_problem("star.svg", 1_000.0), Some(AvatarProblem::Type));
    assert_eq!(avatar_problem("noext", 1_000.0), Some(AvatarProblem::Type));
    assert_eq!(avatar_problem("big.webp", 204_801.0), Some(AvatarProblem::Size));
}
