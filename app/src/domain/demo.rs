//! Demo data for `make run`: users at every role, a public group with a subgroup,
//! a private group, projects with issues, merge requests, notes and a snippet,
//! achievements awarded several times, and reactions. Built through the same use
//! cases as everything else, acting as the admin.

use super::achievements::{award_achievement, create_achievement, CreateAchievement};
use super::award_emoji::add_award_emoji;
use super::groups::{create_group, set_member, CreateGroup};
use super::passwords::hash_password;
use super::projects::{create_issue, create_merge_request, create_note, create_project, create_snippet, CreateProject};
use super::users::{create_user_hashed, CreateUser};
use super::{Actor, AppState, DomainResult};
use crate::events::{AwardableKind, AwardableRef};
use crate::store::UserRow;

pub const DEMO_PASSWORD: &str = "laurel-demo";

/// (username, name, private profile)
const PEOPLE: &[(&str, &str, bool)] = &[
    ("alice", "Alice Owner", false),
    ("bob", "Bob Maintainer", false),
    ("carol", "Carol Developer", false),
    ("dave", "Dave Reporter", false),
    ("erin", "Erin Guest", false),
    ("frank", "Frank Private", true),
    ("grace", "Grace Outsider", false),
];

pub async fn seed(app: &AppState) -> DomainResult<()> {
    let mut tx = app.store.read().await?;
    let root = tx.user_by_username("root").await?.ok_or(super::DomainError::NotFound("User"))?;
    drop(tx);
    let admin = Actor::User(Box::new(root));
    // One public password for all of them: hashed once (Argon2 takes a while,
    // and every test server starts with this data).
    let password_hash = hash_password(DEMO_PASSWORD).await?;
    let mut users: Vec<UserRow> = Vec::new();
    for (username, name, private_profile) in PEOPLE {
        users.push(
            create_user_hashed(
                app,
                &admin,
                CreateUser {
                    username: username.to_string(),
                    name: name.to_string(),
                    email: format!("{username}@example.com"),
                    password: Some(DEMO_PASSWORD.into()),
                    admin: false,
                    private_profile: *private_profile,
                },
                Some(password_hash.clone()),
            )
            .await?,
        );
    }
    let as_user = |i: usize| Actor::User(Box::new(users[i].clone()));
    let (alice, bob, carol, dave, erin, frank) =
        (as_user(0), as_user(1), as_user(2), as_user(3), as_user(4), as_user(5));

    let heroes = create_group(
        app,
        &alice,
        CreateGroup {
            name: "Laurel Heroes".into(),
            path: "heroes".into(),
            parent_id: None,
            visibility: Some("public".into()),
            description: Some("A public group that celebrates its contributors.".into()),
        },
    )
    .await?;
    let design = create_group(
        app,
        &alice,
        CreateGroup {
            name: "Design".into(),
            path: "design".into(),
            parent_id: Some(heroes.id),
            visibility: Some("public".into()),
            description: Some("Subgroup: membership is inherited from Laurel Heroes.".into()),
        },
    )
    .await?;
    let lab = create_group(
        app,
        &alice,
        CreateGroup {
            name: "Secret Lab".into(),
            path: "secret-lab".into(),
            parent_id: None,
            visibility: Some("private".into()),
            description: Some("A private group.".into()),
        },
    )
    .await?;
    for (i, level) in [(1, 40), (2, 30), (3, 20), (4, 10)] {
        set_member(app, &alice, &heroes.id.to_string(), users[i].id, level).await?;
    }
    set_member(app, &alice, &lab.id.to_string(), users[1].id, 40).await?;
    set_member(app, &alice, &lab.id.to_string(), users[5].id, 30).await?;

    let website = create_project(
        app,
        &alice,
        CreateProject {
            name: "Website".into(),
            path: Some("website".into()),
            namespace_id: Some(heroes.id),
            visibility: Some("public".into()),
            description: Some("The public website.".into()),
        },
    )
    .await?;
    let vault = create_project(
        app,
        &alice,
        CreateProject {
            name: "Vault".into(),
            path: Some("vault".into()),
            namespace_id: Some(lab.id),
            visibility: Some("private".into()),
            description: None,
        },
    )
    .await?;
    let site = website.id.to_string();
    let issue =
        create_issue(app, &carol, &site, "Dark mode flickers on load", "The page flashes white first.", false).await?;
    let issue2 = create_issue(app, &dave, &site, "Add a Korean translation", "성취 for achievements.", false).await?;
    create_issue(app, &bob, &site, "Rotate the signing keys", "Internal only.", true).await?;
    let mr =
        create_merge_request(app, &carol, &site, "Fix dark mode flicker", "Closes #1", "fix-flicker", "main").await?;
    let snippet =
        create_snippet(app, &bob, &site, "Deploy script", "deploy.sh", "#!/bin/sh\nmake run\n", Some("public")).await?;
    let issue_ref = AwardableRef { kind: AwardableKind::Issue, id: issue.id };
    let note = create_note(app, &bob, issue_ref, "I can reproduce this in Firefox too.", false).await?;
    create_note(app, &alice, AwardableRef { kind: AwardableKind::MergeRequest, id: mr.id }, "Looks good to me!", false)
        .await?;
    create_issue(app, &frank, &vault.id.to_string(), "Calibrate the flux sensor", "", false).await?;

    let reactions: [(&Actor, AwardableRef, &str); 9] = [
        (&bob, issue_ref, "thumbsup"),
        (&dave, issue_ref, "thumbsup"),
        (&erin, issue_ref, "eyes"),
        (&alice, issue_ref, "thumbsup"),
        (&carol, AwardableRef { kind: AwardableKind::Note, id: note.id }, "heart"),
        (&alice, AwardableRef { kind: AwardableKind::MergeRequest, id: mr.id }, "tada"),
        (&bob, AwardableRef { kind: AwardableKind::MergeRequest, id: mr.id }, "rocket"),
        (&carol, AwardableRef { kind: AwardableKind::Issue, id: issue2.id }, "+1"),
        (&dave, AwardableRef { kind: AwardableKind::Snippet, id: snippet.id }, "star"),
    ];
    for (who, item, emoji) in reactions {
        add_award_emoji(app, who, item, emoji).await?;
    }

    let achievement = |group_id: i64, name: &str, description: &str| CreateAchievement {
        namespace_id: group_id,
        name: name.into(),
        description: Some(description.into()),
        avatar: None,
    };
    let month = create_achievement(
        app,
        &alice,
        achievement(heroes.id, "Contributor of the month", "Awarded every month to the most helpful contributor."),
    )
    .await?;
    let first_mr = create_achievement(
        app,
        &bob,
        achievement(heroes.id, "First merge request", "Your first merge request was merged."),
    )
    .await?;
    let pixel =
        create_achievement(app, &alice, achievement(design.id, "Pixel perfect", "For meticulous design work.")).await?;
    let bug =
        create_achievement(app, &bob, achievement(lab.id, "Bug hunter", "Found a bug nobody else could.")).await?;
    let awards: [(&Actor, i64, usize, Option<&str>); 8] = [
        (&alice, month.id, 2, Some("For fixing the dark mode flicker in record time.")),
        (&bob, month.id, 2, Some("Again! Thank you for the reviews.")),
        (&alice, month.id, 2, None),
        (&bob, first_mr.id, 2, Some("Welcome aboard!")),
        (&bob, first_mr.id, 3, None),
        (&alice, pixel.id, 2, Some("The new icons are gorgeous.")),
        (&bob, bug.id, 2, Some("The flux sensor thanks you.")),
        (&alice, month.id, 1, None),
    ];
    for (who, achievement_id, recipient, message) in awards {
        award_achievement(app, who, achievement_id, users[recipient].id, message.map(String::from)).await?;
    }
    Ok(())
}
