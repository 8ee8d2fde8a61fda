//! The unit tests of `app/src/policy.rs`.

use app::policy::*;

const RECIPIENT: i64 = 7;

/// The viewers every rule is checked for, with their level in the subject group.
fn roles() -> Vec<(&'static str, Viewer, Option<AccessLevel>)> {
    let user = |id| Viewer { user_id: Some(id), admin: false };
    vec![
        ("anonymous", Viewer::ANONYMOUS, None),
        ("stranger", user(1), None),
        ("guest", user(2), Some(AccessLevel::Guest)),
        ("reporter", user(3), Some(AccessLevel::Reporter)),
        ("developer", user(4), Some(AccessLevel::Developer)),
        ("maintainer", user(5), Some(AccessLevel::Maintainer)),
        ("owner", user(6), Some(AccessLevel::Owner)),
        ("recipient", user(RECIPIENT), None),
        ("admin", Viewer { user_id: Some(99), admin: true }, None),
    ]
}

fn group(visibility: Visibility, access: Option<AccessLevel>, flag: bool) -> GroupFacts {
    GroupFacts { visibility, access, achievements_enabled: flag }
}

/// One row per (ability, group visibility, flag): the roles that may, in the
/// order of `roles()`: anon, stranger, guest, reporter, developer, maintainer,
/// owner, recipient, admin.
#[test]
fn achievement_abilities_by_role() {
    type Rule = fn(&Viewer, &GroupFacts) -> bool;
    let update_owned: Rule = |v, g| update_owned_user_achievement(v, RECIPIENT, g);
    let read_hidden: Rule = |v, g| read_hidden_user_achievement(v, RECIPIENT, g);
    let table: Vec<(&str, Rule, Visibility, bool, [u8; 9])> = vec![
        ("read_group", read_group, Visibility::Public, true, [1, 1, 1, 1, 1, 1, 1, 1, 1]),
        ("read_group", read_group, Visibility::Internal, true, [0, 1, 1, 1, 1, 1, 1, 1, 1]),
        ("read_group", read_group, Visibility::Private, true, [0, 0, 1, 1, 1, 1, 1, 0, 1]),
        ("read_achievement", read_achievement, Visibility::Public, true, [1, 1, 1, 1, 1, 1, 1, 1, 1]),
        ("read_achievement", read_achievement, Visibility::Private, true, [0, 0, 1, 1, 1, 1, 1, 0, 1]),
        ("read_achievement", read_achievement, Visibility::Public, false, [0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("admin_achievement", admin_achievement, Visibility::Public, true, [0, 0, 0, 0, 0, 1, 1, 0, 1]),
        ("admin_achievement", admin_achievement, Visibility::Private, true, [0, 0, 0, 0, 0, 1, 1, 0, 1]),
        ("admin_achievement", admin_achievement, Visibility::Public, false, [0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("award_achievement", award_achievement, Visibility::Private, true, [0, 0, 0, 0, 0, 1, 1, 0, 1]),
        ("destroy_user_achievement", destroy_user_achievement, Visibility::Public, true, [0, 0, 0, 0, 0, 0, 1, 0, 1]),
        ("destroy_user_achievement", destroy_user_achievement, Visibility::Public, false, [0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("update_owned_user_achievement", update_owned, Visibility::Public, true, [0, 0, 0, 0, 0, 0, 0, 1, 0]),
        ("update_owned_user_achievement", update_owned, Visibility::Public, false, [0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("read_hidden_user_achievement", read_hidden, Visibility::Public, true, [0, 0, 0, 0, 0, 1, 1, 1, 1]),
    ];
    for (name, rule, visibility, flag, expected) in table {
        for ((role, viewer, access), want) in roles().into_iter().zip(expected) {
            let facts = group(visibility, access, flag);
            assert_eq!(rule(&viewer, &facts), want == 1, "{name} for {role} on a {visibility:?} group, flag {flag}");
        }
    }
}

/// The SQL-side filters say what the one-award rules say, for every role,
/// holder and award state.
#[test]
fn listing_filters_equal_the_rules() {
    for visibility in [Visibility::Public, Visibility::Internal, Visibility::Private] {
        for flag in [true, false] {
            for (role, viewer, access) in roles() {
                let facts = group(visibility, access, flag);
                for (private_profile, blocked, shown) in
                    (0..8).map(|bits| (bits & 1 == 1, bits & 2 == 2, bits & 4 == 4))
                {
                    let recipient =
                        ProfileFacts { user_id: RECIPIENT, private_profile, blocked, achievements_enabled: true };
                    let award = AwardFacts { recipient, shown };
                    let listed = award_listing(&viewer, &facts).is_some_and(|l| l.admits(&award));
                    assert_eq!(listed, read_user_achievement(&viewer, &award, &facts), "{role} {visibility:?} {flag}");
                }
            }
        }
    }
    for (role, viewer, access) in roles() {
        for visibility in [Visibility::Public, Visibility::Internal, Visibility::Private] {
            let project = ProjectFacts { visibility, access };
            for (confidential, author) in [(false, None), (true, None), (true, Some(RECIPIENT)), (true, Some(1))] {
                let item = AwardableFacts {
                    project,
                    author_id: author,
                    confidential,
                    snippet_visibility: None,
                    system_note: false,
                };
                let parent = AwardableFacts { author_id: None, confidential: false, ..item };
                if !read_awardable(&viewer, &parent) {
                    continue;
                }
                let listed = confidential_listing(&viewer, &project).admits(confidential, author);
                assert_eq!(listed, read_awardable(&viewer, &item), "{role} {visibility:?} {confidential} {author:?}");
            }
        }
    }
}

#[test]
fn profile_abilities() {
    // (private_profile, blocked, achievements_enabled) -> who may read the achievements
    let cases: [((bool, bool, bool), [u8; 9]); 4] = [
        ((false, false, true), [1, 1, 1, 1, 1, 1, 1, 1, 1]),
        ((true, false, true), [0, 0, 0, 0, 0, 0, 0, 1, 1]),
        ((false, true, true), [0, 0, 0, 0, 0, 0, 0, 1, 1]),
        ((false, false, false), [0, 0, 0, 0, 0, 0, 0, 1, 1]),
    ];
    for ((private_profile, blocked, achievements_enabled), expected) in cases {
        let profile = ProfileFacts { user_id: RECIPIENT, private_profile, blocked, achievements_enabled };
        for ((role, viewer, _), want) in roles().into_iter().zip(expected) {
            assert_eq!(
                read_user_achievements(&viewer, &profile),
                want == 1,
                "read_user_achievements for {role}: private {private_profile}, blocked {blocked}, shown {achievements_enabled}"
            );
        }
    }
}

#[test]
fn award_listing_visibility() {
    // (private profile, blocked, shown) on a public group -> who sees the award
    let cases: [((bool, bool, bool), [u8; 9]); 5] = [
        ((false, false, true), [1, 1, 1, 1, 1, 1, 1, 1, 1]),
        ((false, false, false), [0, 0, 0, 0, 0, 1, 1, 1, 1]),
        ((true, false, true), [0, 0, 0, 0, 0, 0, 0, 1, 1]),
        ((false, true, true), [0, 0, 0, 0, 0, 0, 0, 1, 1]),
        ((true, false, false), [0, 0, 0, 0, 0, 0, 0, 1, 1]),
    ];
    for ((private_profile, blocked, shown), expected) in cases {
        let recipient = ProfileFacts { user_id: RECIPIENT, private_profile, blocked, achievements_enabled: true };
        let award = AwardFacts { recipient, shown };
        for ((role, viewer, access), want) in roles().into_iter().zip(expected) {
            let facts = group(Visibility::Public, access, true);
            assert_eq!(
                read_user_achievement(&viewer, &award, &facts),
                want == 1,
                "read_user_achievement for {role}: private {private_profile}, blocked {blocked}, shown {shown}"
            );
            let off = group(Visibility::Public, access, false);
            assert!(!read_user_achievement(&viewer, &award, &off), "flag off hides every award from {role}");
        }
    }
}

#[test]
fn awardable_abilities() {
    let author = 4; // the developer wrote it
    let item = |visibility, access, confidential, system_note| AwardableFacts {
        project: ProjectFacts { visibility, access },
        author_id: Some(author),
        confidential,
        snippet_visibility: None,
        system_note,
    };
    // (project visibility, confidential, system note) -> who may award emoji
    let cases: [((Visibility, bool, bool), [u8; 9]); 5] = [
        ((Visibility::Public, false, false), [0, 1, 1, 1, 1, 1, 1, 1, 1]),
        ((Visibility::Internal, false, false), [0, 1, 1, 1, 1, 1, 1, 1, 1]),
        ((Visibility::Private, false, false), [0, 0, 1, 1, 1, 1, 1, 0, 1]),
        ((Visibility::Public, true, false), [0, 0, 0, 1, 1, 1, 1, 0, 1]),
        ((Visibility::Public, false, true), [0, 0, 0, 0, 0, 0, 0, 0, 0]),
    ];
    for ((visibility, confidential, system_note), expected) in cases {
        for ((role, viewer, access), want) in roles().into_iter().zip(expected) {
            let facts = item(visibility, access, confidential, system_note);
            assert_eq!(
                award_emoji(&viewer, &facts),
                want == 1,
                "award_emoji for {role}: {visibility:?}, confidential {confidential}, system {system_note}"
            );
        }
    }
    // Anonymous may read public awardables, never award on them.
    let public = item(Visibility::Public, None, false, false);
    assert!(read_awardable(&Viewer::ANONYMOUS, &public));
    assert!(!award_emoji(&Viewer::ANONYMOUS, &public));
    // Only the reaction's author or an admin removes it.
    assert!(destroy_award_emoji(&Viewer { user_id: Some(3), admin: false }, 3));
    assert!(!destroy_award_emoji(&Viewer { user_id: Some(2), admin: false }, 3));
    assert!(destroy_award_emoji(&Viewer { user_id: Some(99), admin: true }, 3));
}

#[test]
fn token_scopes() {
    let scopes = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    // (scopes, [ReadUsers, Read, Write, OwnToken])
    let cases: [(&[&str], [bool; 4]); 5] = [
        (&["api"], [true, true, true, true]),
        (&["read_api"], [true, true, false, true]),
        (&["read_user"], [true, false, false, true]),
        (&["read_repository"], [false, false, false, true]),
        (&[], [false, false, false, true]),
    ];
    let uses = [ApiUse::ReadUsers, ApiUse::Read, ApiUse::Write, ApiUse::OwnToken];
    for (have, expected) in cases {
        for (usage, want) in uses.into_iter().zip(expected) {
            assert_eq!(token_allows(&scopes(have), usage), want, "{have:?} for {usage:?}");
        }
    }
    assert_eq!(scopes_allowing(ApiUse::ReadUsers).join(" "), "read_user api read_api");
    let owner = Viewer { user_id: Some(3), admin: false };
    assert!(manage_token(&owner, 3));
    assert!(!manage_token(&owner, 4));
    assert!(manage_token(&Viewer { user_id: Some(99), admin: true }, 4));
}

#[test]
fn member_management() {
    let g = |access| group(Visibility::Private, access, true);
    let maintainer = Viewer { user_id: Some(5), admin: false };
    assert!(admin_group_member(&maintainer, &g(Some(AccessLevel::Maintainer)), AccessLevel::Maintainer));
    assert!(!admin_group_member(&maintainer, &g(Some(AccessLevel::Maintainer)), AccessLevel::Owner));
    assert!(admin_group_member(&maintainer, &g(Some(AccessLevel::Owner)), AccessLevel::Owner));
    assert!(!admin_group_member(&maintainer, &g(Some(AccessLevel::Developer)), AccessLevel::Guest));
}
