//! The store and the use cases against real databases: every test runs once on a
//! fresh SQLite file and once on a fresh PostgreSQL database (`TEST_POSTGRES_URL`,
//! which `make test` provides). `unit/` holds the library's unit tests.

mod unit;

use app::domain::achievements::{self, CreateAchievement, UpdateAward};
use app::domain::auth::{authenticate, Credentials};
use app::domain::award_emoji;
use app::domain::award_rules;
use app::domain::bootstrap::{bootstrap, RootSetup};
use app::domain::credentials;
use app::domain::feed::{self, FeedCursor, SCAN_BUDGET};
use app::domain::groups::{self, CreateGroup};
use app::domain::listing::Window;
use app::domain::projects::{self, CreateProject};
use app::domain::settings;
use app::domain::users::{self, CreateUser};
use app::domain::{Actor, AppState, DomainError, Instance};
use app::events::{AwardableKind, AwardableRef, Event};
use app::store::{Store, UserRow};
use testkit::TestDatabase;

const ROOT_TOKEN: &str = "root-token-0123456789abcdef";

/// A fresh instance on the test's database: migrated, with the admin.
async fn fresh_state(database: &TestDatabase) -> AppState {
    let store = Store::connect(&database.url).await.expect("connect and migrate");
    let sealer = app::domain::secrets::Sealer::new(&[7; 32]).expect("key");
    let instance =
        Instance { external_url: "http://laurel.test".into(), data_dir: database.dir().to_path_buf(), sealer };
    let app = AppState::new(store, instance).await.expect("state");
    bootstrap(&app, RootSetup { password: Some("root-password".into()), token: Some(ROOT_TOKEN.into()) })
        .await
        .expect("bootstrap");
    app
}

testkit::on_both!(
    with fresh_state;
    tokens_authenticate_and_bad_tokens_do_not,
    achievements_award_revoke_and_delete,
    names_are_unique_per_group_ignoring_case,
    priorities_follow_the_spec_example,
    hidden_and_private_awards,
    pending_awards_need_acceptance,
    feature_flag_off_hides_everything,
    reactions_are_unique_even_when_concurrent,
    events_are_published_after_commit,
    audit_log_is_append_only,
    the_feed_reads_a_bounded_number_of_rows_per_request,
    pages_read_together_answer_each_viewer_as_alone,
);

async fn root(app: &AppState) -> Actor {
    let mut tx = app.store.read().await.expect("tx");
    Actor::User(Box::new(tx.user_by_username("root").await.expect("query").expect("root exists")))
}

async fn user(app: &AppState, username: &str) -> (UserRow, Actor) {
    let admin = root(app).await;
    let row = users::create_user(
        app,
        &admin,
        CreateUser {
            username: username.into(),
            name: format!("{username} Name"),
            email: format!("{username}@example.com"),
            password: Some("password123".into()),
            admin: false,
            private_profile: false,
        },
    )
    .await
    .expect("create user");
    (row.clone(), Actor::User(Box::new(row)))
}

/// A group owned by `owner` with a maintainer, a developer and a guest.
struct Scene {
    group_id: i64,
    owner: Actor,
    maintainer: Actor,
    developer: Actor,
    guest: Actor,
    stranger: Actor,
    recipient: UserRow,
    recipient_actor: Actor,
}

async fn scene(app: &AppState, visibility: &str) -> Scene {
    let (_, owner) = user(app, "owner").await;
    let (maintainer_row, maintainer) = user(app, "maint").await;
    let (developer_row, developer) = user(app, "dev").await;
    let (guest_row, guest) = user(app, "guest").await;
    let (_, stranger) = user(app, "stranger").await;
    let (recipient, recipient_actor) = user(app, "recipient").await;
    let group = groups::create_group(
        app,
        &owner,
        CreateGroup {
            name: "Heroes".into(),
            path: "heroes".into(),
            parent_id: None,
            visibility: Some(visibility.into()),
            description: None,
        },
    )
    .await
    .expect("group");
    for (row, level) in [(&maintainer_row, 40), (&developer_row, 30), (&guest_row, 10)] {
        groups::set_member(app, &owner, "heroes", row.id, level).await.expect("member");
    }
    Scene { group_id: group.id, owner, maintainer, developer, guest, stranger, recipient, recipient_actor }
}

fn new_achievement(group_id: i64, name: &str) -> CreateAchievement {
    CreateAchievement { namespace_id: group_id, name: name.into(), description: Some("desc".into()), avatar: None }
}

async fn tokens_authenticate_and_bad_tokens_do_not(app: AppState) {
    let actor = authenticate(&app, Credentials { token: Some(ROOT_TOKEN), session: None }).await.expect("token works");
    assert_eq!(actor.actor.user().map(|u| u.username.as_str()), Some("root"));
    let bad = authenticate(&app, Credentials { token: Some("glpat-wrong-token-value"), session: None }).await;
    assert!(matches!(bad, Err(DomainError::Unauthorized)));
    let anonymous = authenticate(&app, Credentials::default()).await.expect("anonymous");
    assert!(anonymous.actor.user().is_none());
    // The token is stored only as a digest.
    let raw: Vec<String> = match &app.store {
        Store::Sqlite(p, ..) => {
            sqlx::query_scalar("SELECT token_digest FROM personal_access_tokens").fetch_all(p).await
        }
        Store::Postgres(p) => sqlx::query_scalar("SELECT token_digest FROM personal_access_tokens").fetch_all(p).await,
    }
    .expect("digests");
    assert!(!raw.is_empty() && raw.iter().all(|d| d != ROOT_TOKEN && d.len() == 64));
    // Sessions: sign in with the password, then the session authenticates.
    let (secret, _) = app::domain::auth::sign_in(&app, "root", "root-password").await.expect("sign in");
    let by_session = authenticate(&app, Credentials { token: None, session: Some(&secret) }).await.expect("session");
    assert_eq!(by_session.actor.user().map(|u| u.username.as_str()), Some("root"));
    assert!(matches!(app::domain::auth::sign_in(&app, "root", "wrong").await, Err(DomainError::Unauthorized)));
}

async fn achievements_award_revoke_and_delete(app: AppState) {
    let s = scene(&app, "public").await;
    // Developers and guests may not create; maintainers may.
    for actor in [&s.developer, &s.guest, &s.stranger, &Actor::Anonymous] {
        let denied = achievements::create_achievement(&app, actor, new_achievement(s.group_id, "Nope")).await;
        assert!(matches!(denied, Err(DomainError::NotFound(_))), "{denied:?}");
    }
    let a = achievements::create_achievement(&app, &s.maintainer, new_achievement(s.group_id, "  Contributor  "))
        .await
        .expect("maintainer creates");
    assert_eq!(a.name, "Contributor");
    // Awarding twice creates two rows.
    let first = achievements::award_achievement(&app, &s.maintainer, a.id, s.recipient.id, Some("thanks".into()))
        .await
        .expect("award");
    let second =
        achievements::award_achievement(&app, &s.owner, a.id, s.recipient.id, None).await.expect("award again");
    assert_ne!(first.id, second.id);
    let shown = achievements::user_awards(&app, &s.stranger, s.recipient.id, false, Window::first(100))
        .await
        .expect("list")
        .items;
    assert_eq!(shown.len(), 2);
    // Unknown recipient: a validation error, not a crash.
    let unknown = achievements::award_achievement(&app, &s.maintainer, a.id, 999_999, None).await;
    assert!(
        matches!(unknown, Err(DomainError::Invalid(m)) if m == vec!["Couldn't find User with 'id'=999999".to_string()])
    );
    // Too long a message.
    let long = achievements::award_achievement(&app, &s.maintainer, a.id, s.recipient.id, Some("x".repeat(201))).await;
    assert!(matches!(long, Err(DomainError::Invalid(_))));
    // Developers cannot revoke; maintainers can, once.
    assert!(matches!(achievements::revoke_award(&app, &s.developer, first.id).await, Err(DomainError::NotFound(_))));
    let revoked = achievements::revoke_award(&app, &s.maintainer, first.id).await.expect("revoke");
    assert!(revoked.revoked_at.is_some());
    let twice = achievements::revoke_award(&app, &s.maintainer, first.id).await;
    assert!(matches!(twice, Err(DomainError::Invalid(m)) if m == vec![achievements::ALREADY_REVOKED.to_string()]));
    assert_eq!(
        achievements::user_awards(&app, &s.stranger, s.recipient.id, false, Window::first(100))
            .await
            .expect("list")
            .items
            .len(),
        1
    );
    // Hard delete: Owners only.
    assert!(matches!(achievements::delete_award(&app, &s.maintainer, second.id).await, Err(DomainError::NotFound(_))));
    achievements::delete_award(&app, &s.owner, second.id).await.expect("owner deletes");
    assert!(achievements::user_awards(&app, &s.stranger, s.recipient.id, false, Window::first(100))
        .await
        .expect("list")
        .items
        .is_empty());
    // Deleting the achievement cascades.
    achievements::award_achievement(&app, &s.maintainer, a.id, s.recipient.id, None).await.expect("award");
    achievements::delete_achievement(&app, &s.maintainer, a.id).await.expect("delete");
    assert!(achievements::user_awards(&app, &s.recipient_actor, s.recipient.id, true, Window::first(100))
        .await
        .expect("list")
        .items
        .is_empty());
}

async fn names_are_unique_per_group_ignoring_case(app: AppState) {
    let s = scene(&app, "private").await;
    achievements::create_achievement(&app, &s.owner, new_achievement(s.group_id, "Bug Hunter")).await.expect("create");
    let dup = achievements::create_achievement(&app, &s.owner, new_achievement(s.group_id, "bug hunter")).await;
    assert!(matches!(dup, Err(DomainError::Invalid(m)) if m == vec!["Name has already been taken".to_string()]));
    let blank = achievements::create_achievement(&app, &s.owner, new_achievement(s.group_id, "   ")).await;
    assert!(matches!(blank, Err(DomainError::Invalid(m)) if m == vec!["Name can't be blank".to_string()]));
    let long = achievements::create_achievement(&app, &s.owner, new_achievement(s.group_id, &"n".repeat(256))).await;
    assert!(
        matches!(long, Err(DomainError::Invalid(m)) if m == vec!["Name is too long (maximum is 255 characters)".to_string()])
    );
    // Another group may use the same name.
    let other = groups::create_group(
        &app,
        &s.owner,
        CreateGroup {
            name: "Other".into(),
            path: "other".into(),
            parent_id: None,
            visibility: None,
            description: None,
        },
    )
    .await
    .expect("group");
    achievements::create_achievement(&app, &s.owner, new_achievement(other.id, "Bug Hunter"))
        .await
        .expect("same name elsewhere");
}

async fn priorities_follow_the_spec_example(app: AppState) {
    let s = scene(&app, "public").await;
    let a = achievements::create_achievement(&app, &s.owner, new_achievement(s.group_id, "A")).await.expect("create");
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(achievements::award_achievement(&app, &s.owner, a.id, s.recipient.id, None).await.expect("award").id);
    }
    let (ua1, ua2, ua3) = (ids[0], ids[1], ids[2]);
    achievements::set_priorities(&app, &s.recipient_actor, &[ua1]).await.expect("UA1=0");
    let changed = achievements::set_priorities(&app, &s.recipient_actor, &[ua3, ua1]).await.expect("reorder");
    let changed: Vec<(i64, Option<i64>)> = changed.iter().map(|u| (u.id, u.priority)).collect();
    assert_eq!(changed, vec![(ua3, Some(0)), (ua1, Some(1))]);
    let order: Vec<i64> = achievements::user_awards(&app, &s.recipient_actor, s.recipient.id, true, Window::first(100))
        .await
        .expect("list")
        .items
        .iter()
        .map(|d| d.award.id)
        .collect();
    assert_eq!(order, vec![ua3, ua1, ua2]);
    // Someone else's id fails the whole call and changes nothing.
    let (_, other) = user(&app, "other").await;
    assert!(matches!(achievements::set_priorities(&app, &other, &[ua2]).await, Err(DomainError::NotFound(_))));
    assert!(matches!(
        achievements::set_priorities(&app, &s.recipient_actor, &[ua2, 424242]).await,
        Err(DomainError::NotFound(_))
    ));
    let after: Vec<i64> = achievements::user_awards(&app, &s.recipient_actor, s.recipient.id, true, Window::first(100))
        .await
        .expect("list")
        .items
        .iter()
        .map(|d| d.award.id)
        .collect();
    assert_eq!(after, vec![ua3, ua1, ua2]);
    // An empty list clears every priority.
    let cleared = achievements::set_priorities(&app, &s.recipient_actor, &[]).await.expect("clear");
    assert_eq!(cleared.len(), 2);
    assert!(cleared.iter().all(|u| u.priority.is_none()));
}

async fn hidden_and_private_awards(app: AppState) {
    let s = scene(&app, "private").await;
    let a =
        achievements::create_achievement(&app, &s.owner, new_achievement(s.group_id, "Secret")).await.expect("create");
    let award = achievements::award_achievement(&app, &s.owner, a.id, s.recipient.id, None).await.expect("award");
    // Visible to a stranger, but the private group is not named.
    let seen = achievements::user_awards(&app, &s.stranger, s.recipient.id, false, Window::first(100))
        .await
        .expect("list")
        .items;
    assert_eq!(seen.len(), 1);
    assert!(seen[0].group.is_none(), "a private namespace");
    let by_member =
        achievements::user_awards(&app, &s.guest, s.recipient.id, false, Window::first(100)).await.expect("list").items;
    assert_eq!(by_member[0].group.as_ref().map(|g| g.full_path.as_str()), Some("heroes"));
    // Only the recipient hides it.
    let hide = UpdateAward { show_on_profile: Some(false), award_message: None };
    assert!(matches!(achievements::update_award(&app, &s.owner, award.id, hide).await, Err(DomainError::NotFound(_))));
    let hide = UpdateAward { show_on_profile: Some(false), award_message: None };
    achievements::update_award(&app, &s.recipient_actor, award.id, hide).await.expect("recipient hides");
    assert!(achievements::user_awards(&app, &s.stranger, s.recipient.id, true, Window::first(100))
        .await
        .expect("list")
        .items
        .is_empty());
    assert_eq!(
        achievements::user_awards(&app, &s.maintainer, s.recipient.id, true, Window::first(100))
            .await
            .expect("list")
            .items
            .len(),
        1
    );
    assert_eq!(
        achievements::user_awards(&app, &s.recipient_actor, s.recipient.id, true, Window::first(100))
            .await
            .expect("list")
            .items
            .len(),
        1
    );
    assert!(achievements::user_awards(&app, &s.developer, s.recipient.id, true, Window::first(100))
        .await
        .expect("list")
        .items
        .is_empty());
    // A private profile shows nothing to others.
    let private = users::OwnSettings { private_profile: true, achievements_enabled: true };
    users::update_own_settings(&app, &s.recipient_actor, private).await.expect("private profile");
    let show = UpdateAward { show_on_profile: Some(true), award_message: None };
    achievements::update_award(&app, &s.recipient_actor, award.id, show).await.expect("show again");
    assert!(achievements::user_awards(&app, &s.stranger, s.recipient.id, false, Window::first(100))
        .await
        .expect("list")
        .items
        .is_empty());
    assert_eq!(
        achievements::user_awards(&app, &root(&app).await, s.recipient.id, false, Window::first(100))
            .await
            .expect("list")
            .items
            .len(),
        1
    );
}

async fn pending_awards_need_acceptance(app: AppState) {
    let s = scene(&app, "public").await;
    let admin = root(&app).await;
    assert!(matches!(settings::set_auto_accept(&app, &s.owner, false).await, Err(DomainError::Forbidden)));
    settings::set_auto_accept(&app, &admin, false).await.expect("admin switches auto-accept off");
    let a =
        achievements::create_achievement(&app, &s.owner, new_achievement(s.group_id, "Pending")).await.expect("create");
    let award = achievements::award_achievement(&app, &s.owner, a.id, s.recipient.id, None).await.expect("award");
    assert!(award.accepted_at.is_none());
    assert!(achievements::user_awards(&app, &s.stranger, s.recipient.id, false, Window::first(100))
        .await
        .expect("list")
        .items
        .is_empty());
    assert!(matches!(achievements::accept_award(&app, &s.stranger, award.id).await, Err(DomainError::NotFound(_))));
    achievements::accept_award(&app, &s.recipient_actor, award.id).await.expect("accept");
    assert_eq!(
        achievements::user_awards(&app, &s.stranger, s.recipient.id, false, Window::first(100))
            .await
            .expect("list")
            .items
            .len(),
        1
    );
    let second = achievements::award_achievement(&app, &s.owner, a.id, s.recipient.id, None).await.expect("award");
    achievements::decline_award(&app, &s.recipient_actor, second.id).await.expect("decline");
    assert_eq!(
        achievements::user_awards(&app, &s.recipient_actor, s.recipient.id, true, Window::first(100))
            .await
            .expect("list")
            .items
            .len(),
        1
    );
}

async fn feature_flag_off_hides_everything(app: AppState) {
    let s = scene(&app, "public").await;
    let admin = root(&app).await;
    let a =
        achievements::create_achievement(&app, &s.owner, new_achievement(s.group_id, "Flagged")).await.expect("create");
    let sub = groups::create_group(
        &app,
        &s.owner,
        CreateGroup {
            name: "Sub".into(),
            path: "sub".into(),
            parent_id: Some(s.group_id),
            visibility: Some("public".into()),
            description: None,
        },
    )
    .await
    .expect("subgroup");
    // A rule saved while on: whoever opens an issue in the group's project.
    let web = CreateProject {
        name: "Web".into(),
        path: None,
        namespace_id: Some(s.group_id),
        visibility: Some("public".into()),
        description: None,
    };
    projects::create_project(&app, &s.owner, web).await.expect("project");
    let opener =
        achievements::create_achievement(&app, &s.owner, new_achievement(s.group_id, "Opener")).await.expect("create");
    let rule = award_rules::RuleInput { trigger: "issues_opened".into(), threshold: 1, emoji: None, auto_revoke: true };
    award_rules::save_rule(&app, &s.owner, opener.id, &rule).await.expect("rule");
    let held = |app: AppState| async move {
        let sql = "SELECT COUNT(*) FROM user_achievements WHERE achievement_id = $1 AND revoked_at IS NULL";
        match &app.store {
            Store::Sqlite(p, ..) => sqlx::query_scalar::<_, i64>(sql).bind(opener.id).fetch_one(p).await,
            Store::Postgres(p) => sqlx::query_scalar::<_, i64>(sql).bind(opener.id).fetch_one(p).await,
        }
        .expect("count")
    };
    assert_eq!(held(app.clone()).await, 0);
    let award = achievements::award_achievement(&app, &s.owner, a.id, s.recipient.id, None).await.expect("award");
    settings::set_achievements_flag(&app, &admin, Some("heroes"), false).await.expect("flag off for the group");
    // Off: no credential, and rules award nobody, at once or in a pass.
    let credential = credentials::credential(&app, &s.recipient_actor, award.id).await;
    assert!(matches!(credential, Err(DomainError::NotFound(_))), "{credential:?}");
    projects::create_issue(&app, &s.developer, "heroes/web", "Opened", "", false).await.expect("issue");
    award_rules::run_pass(&app).await.expect("pass");
    assert_eq!(held(app.clone()).await, 0, "no award while the flag is off");
    assert!(achievements::list_group_achievements(&app, &s.owner, "heroes", "", None, Window::first(20))
        .await
        .expect("list")
        .items
        .is_empty());
    assert!(achievements::user_awards(&app, &s.recipient_actor, s.recipient.id, true, Window::first(100))
        .await
        .expect("list")
        .items
        .is_empty());
    let denied = achievements::create_achievement(&app, &s.owner, new_achievement(sub.id, "Inherited")).await;
    assert!(matches!(denied, Err(DomainError::NotFound(_))), "the subgroup inherits the flag");
    // A group-level "on" beats the instance "off"; the rule's pass awards again.
    settings::set_achievements_flag(&app, &admin, None, false).await.expect("instance off");
    settings::set_achievements_flag(&app, &admin, Some("heroes"), true).await.expect("group on");
    assert!(credentials::credential(&app, &s.recipient_actor, award.id).await.is_ok());
    award_rules::run_pass(&app).await.expect("pass");
    assert_eq!(held(app.clone()).await, 1, "the developer who opened an issue");
    assert_eq!(
        achievements::list_group_achievements(&app, &s.stranger, "heroes", "", None, Window::first(20))
            .await
            .expect("list")
            .items
            .len(),
        2
    );
}

async fn reactions_are_unique_even_when_concurrent(app: AppState) {
    let s = scene(&app, "public").await;
    let project = projects::create_project(
        &app,
        &s.owner,
        CreateProject {
            name: "Web".into(),
            path: None,
            namespace_id: Some(s.group_id),
            visibility: Some("public".into()),
            description: None,
        },
    )
    .await
    .expect("project");
    let issue =
        projects::create_issue(&app, &s.developer, &project.id.to_string(), "Bug", "", false).await.expect("issue");
    let item = AwardableRef { kind: AwardableKind::Issue, id: issue.id };
    // Ten simultaneous "+1" from the same user: exactly one lands.
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (app, actor) = (app.clone(), s.stranger.clone());
        tasks.push(tokio::spawn(async move { award_emoji::add_award_emoji(&app, &actor, item, "+1").await }));
    }
    let mut ok = 0;
    for task in tasks {
        match task.await.expect("join") {
            Ok(change) => {
                ok += 1;
                assert_eq!(change.award.name, "thumbsup");
            }
            Err(DomainError::Conflict(m)) => assert_eq!(m, award_emoji::NAME_TAKEN),
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(ok, 1);
    let change = award_emoji::add_award_emoji(&app, &s.guest, item, "thumbsup").await.expect("another user");
    assert_eq!(change.counts, vec![app::events::EmojiCount { name: "thumbsup".into(), count: 2, emoji: "👍".into() }]);
    let bad = award_emoji::add_award_emoji(&app, &s.guest, item, "definitely_not_emoji").await;
    assert!(matches!(bad, Err(DomainError::Invalid(m)) if m == vec![award_emoji::INVALID_NAME.to_string()]));
    assert!(matches!(
        award_emoji::add_award_emoji(&app, &Actor::Anonymous, item, "tada").await,
        Err(DomainError::Unauthorized)
    ));
    // Someone else's reaction cannot be removed; one's own can.
    let listed =
        award_emoji::list_award_emoji(&app, &Actor::Anonymous, item, Window::first(20)).await.expect("public list");
    assert_eq!(listed.total, 2);
    let rows = listed.items;
    let strangers = rows.iter().find(|r| Some(r.user_id) == s.stranger.id()).expect("stranger's award");
    let denied = award_emoji::remove_award_emoji(&app, &s.guest, item, strangers.id, None).await;
    assert!(matches!(denied, Err(DomainError::Unauthorized)));
    award_emoji::remove_award_emoji(&app, &s.stranger, item, strangers.id, None).await.expect("own removal");
    let (change, on) = award_emoji::toggle_award_emoji(&app, &s.guest, item, "thumbsup").await.expect("toggle off");
    assert!(!on && change.counts.is_empty());
}

async fn events_are_published_after_commit(app: AppState) {
    let s = scene(&app, "public").await;
    let mut events = app.bus.subscribe();
    let a =
        achievements::create_achievement(&app, &s.owner, new_achievement(s.group_id, "Evented")).await.expect("create");
    let award = achievements::award_achievement(&app, &s.owner, a.id, s.recipient.id, None).await.expect("award");
    let mut seen = Vec::new();
    while let Ok(Ok(event)) = tokio::time::timeout(std::time::Duration::from_millis(500), events.recv()).await {
        seen.push((*event).clone());
    }
    // A new achievement has no holders; an award names its recipient and group.
    let created =
        Event::AchievementChanged { achievement_id: a.id, group_id: s.group_id, deleted: false, holders: Some(vec![]) };
    assert!(seen.contains(&created), "{seen:?}");
    assert!(seen.contains(&Event::AchievementAwarded {
        user_achievement_id: award.id,
        achievement_id: a.id,
        user_id: s.recipient.id,
        group_id: s.group_id,
    }));
    // Renamed, it names its holders (whose profiles show the name).
    let rename =
        achievements::UpdateAchievement { name: Some("Evented again".into()), description: None, avatar: None };
    achievements::update_achievement(&app, &s.owner, a.id, rename).await.expect("rename");
    let renamed = tokio::time::timeout(std::time::Duration::from_millis(500), events.recv()).await;
    let renamed = (*renamed.expect("an event").expect("open")).clone();
    let holders = Some(vec![s.recipient.id]);
    assert_eq!(
        renamed,
        Event::AchievementChanged { achievement_id: a.id, group_id: s.group_id, deleted: false, holders }
    );
    // A refused change publishes nothing.
    let _ = achievements::create_achievement(&app, &s.guest, new_achievement(s.group_id, "Refused")).await;
    assert!(tokio::time::timeout(std::time::Duration::from_millis(300), events.recv()).await.is_err());
}

async fn audit_log_is_append_only(app: AppState) {
    let s = scene(&app, "public").await;
    achievements::create_achievement(&app, &s.owner, new_achievement(s.group_id, "Audited")).await.expect("create");
    let admin = root(&app).await;
    let log = settings::recent_audit(&app, &admin, 50).await.expect("audit");
    assert!(log.iter().any(|e| e.action == "achievement_created" && e.actor_name.as_deref() == Some("owner")));
    assert!(matches!(settings::recent_audit(&app, &s.owner, 50).await, Err(DomainError::Forbidden)));
    let update = "UPDATE audit_events SET action = 'tampered'";
    let delete = "DELETE FROM audit_events";
    for sql in [update, delete] {
        let result = match &app.store {
            Store::Sqlite(p, ..) => sqlx::query(sql).execute(p).await.map(|_| ()),
            Store::Postgres(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
        };
        assert!(result.is_err(), "{sql} must be refused");
    }
}

/// A viewer who may see none of a busy instance's activity gets short pages
/// that still move on: each request reads at most `SCAN_BUDGET` candidates per
/// stream, and paging reaches the end.
async fn the_feed_reads_a_bounded_number_of_rows_per_request(app: AppState) {
    let s = scene(&app, "private").await;
    let project = projects::create_project(
        &app,
        &s.owner,
        CreateProject {
            name: "Vault".into(),
            path: None,
            namespace_id: Some(s.group_id),
            visibility: Some("private".into()),
            description: None,
        },
    )
    .await
    .expect("project");
    let issue =
        projects::create_issue(&app, &s.owner, &project.id.to_string(), "Secret", "", false).await.expect("issue");
    let owner_id = s.owner.id().expect("owner id");
    // Straight into the store (no abuse limits): more reactions than one request may read.
    let total = SCAN_BUDGET + 50;
    let mut tx = app.store.write().await.expect("tx");
    for i in 0..total {
        tx.insert_award_emoji(owner_id, "Issue", issue.id, &format!("r{i}")).await.expect("insert").expect("new");
    }
    tx.commit().await.expect("commit");

    // The stranger: nothing on the first page, but a cursor past what was read.
    let first = feed::home_feed(&app, &s.stranger, FeedCursor::default()).await.expect("first page");
    assert!(first.entries.is_empty());
    let older = first.older.expect("more to read");
    assert_eq!(older.awards_before, Some(0), "no awards at all: that stream is done");
    let second = feed::home_feed(&app, &s.stranger, older).await.expect("second page");
    assert!(second.entries.is_empty());
    assert!(second.older.is_none(), "the remaining {} rows were read: the end", total - SCAN_BUDGET);
    // A member reads a full page from the same rows; a visitor may not ask.
    let owner = feed::home_feed(&app, &s.owner, FeedCursor::default()).await.expect("owner page");
    assert_eq!(owner.entries.len(), feed::PAGE);
    assert!(owner.older.is_some());
    assert!(matches!(
        feed::home_feed(&app, &Actor::Anonymous, FeedCursor::default()).await,
        Err(DomainError::Unauthorized)
    ));
}

async fn named(app: &AppState, username: &str) -> Actor {
    let mut tx = app.store.read().await.expect("tx");
    Actor::User(Box::new(tx.user_by_username(username).await.expect("query").expect("user exists")))
}

/// What live viewers may watch, read for many viewers in one transaction
/// (`projects::watchable_each`), is what each would read alone: visitors,
/// a guest, a reporter, a member of the private group only, the admin, and
/// the guest again as an admin (the same user, another viewer: facts read
/// for one never serve the other), each on public, confidential and private
/// issues, comments (one internal), a merge request, a snippet and items
/// that do not exist, in one interleaved list.
async fn pages_read_together_answer_each_viewer_as_alone(app: AppState) {
    app::domain::demo::seed(&app).await.expect("demo data");
    let alice = named(&app, "alice").await;
    let issue = AwardableRef { kind: AwardableKind::Issue, id: 1 };
    let internal = projects::create_note(&app, &alice, issue, "Internal only.", true).await.expect("internal note");
    let erin = named(&app, "erin").await;
    let erin_admin = match &erin {
        Actor::User(row) => Actor::User(Box::new(UserRow { admin: true, ..(**row).clone() })),
        Actor::Anonymous => unreachable!("erin is a user"),
    };
    let actors =
        [Actor::Anonymous, erin_admin, erin, named(&app, "dave").await, named(&app, "frank").await, root(&app).await];
    let mut items = Vec::new();
    for (kind, ids) in [
        (AwardableKind::Issue, vec![1, 2, 3, 4, 999_999]),
        (AwardableKind::Note, vec![1, 2, internal.id, 999_999]),
        (AwardableKind::MergeRequest, vec![1]),
        (AwardableKind::Snippet, vec![1]),
    ] {
        items.extend(ids.into_iter().map(|id| AwardableRef { kind, id }));
    }
    let asked: Vec<(Actor, AwardableRef)> =
        items.iter().flat_map(|item| actors.iter().map(|actor| (actor.clone(), *item))).collect();
    let together = projects::watchable_each(&app, &asked).await.expect("read together");
    assert_eq!(together.len(), asked.len());
    let shown = |answer: &Result<Vec<AwardableRef>, DomainError>| match answer {
        Ok(items) => format!("{items:?}"),
        Err(err) => format!("refused: {err}"),
    };
    let mut refused = 0;
    for ((actor, item), answer) in asked.iter().zip(&together) {
        let alone = projects::watchable(&app, actor, *item).await;
        assert_eq!(shown(answer), shown(&alone), "{:?} on {item:?}", actor.viewer());
        refused += usize::from(alone.is_err());
    }
    assert!(refused > 0 && refused < asked.len(), "some answers are refusals, not all: {refused}");
    // The private project's issue: the guest as an admin may watch it, the guest not.
    let private = asked.iter().position(|(_, item)| *item == AwardableRef { kind: AwardableKind::Issue, id: 4 });
    let private = private.expect("issue 4 asked");
    assert!(together[private + 1].is_ok() && together[private + 2].is_err(), "{:?}", &together[private..private + 3]);
}
