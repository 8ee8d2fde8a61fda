//! Who may do what, over HTTP against the real server: every achievements
//! mutation and read, and the award emoji endpoints, for each role (anonymous,
//! guest, reporter, developer, maintainer, owner, admin, the recipient, a
//! stranger), on a public and a private group, for a public and a private
//! profile. The expected sets are written from the spec (GITLAB_BEHAVIOUR.md
//! §3-§5), not from `app::policy`. Every case starts from fresh fixtures made by
//! the group's owner, and a refused write must leave them as they were.

use crate::common;

use common::{start, unique, Backend, ROOT_TOKEN};
use serde_json::{json, Value};
use std::collections::HashMap;

on_both!(every_role_on_every_endpoint_matches_the_spec);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Role {
    Anonymous,
    Guest,
    Reporter,
    Developer,
    Maintainer,
    Owner,
    Admin,
    Recipient,
    Stranger,
}

use Role::*;

const ROLES: [Role; 9] = [Anonymous, Guest, Reporter, Developer, Maintainer, Owner, Admin, Recipient, Stranger];
const MEMBERS: [Role; 5] = [Guest, Reporter, Developer, Maintainer, Owner];

#[derive(Clone, Copy, Debug)]
enum Op {
    ReadGroupAchievements,
    CreateAchievement,
    UpdateAchievement,
    DeleteAchievement,
    Award,
    Revoke,
    DeleteAward,
    HideAward,
    EditAwardMessage,
    ReorderAwards,
    ReadShownAward,
    ReadHiddenAward,
    ListShownHolder,
    ListHiddenHolder,
    ListReactions,
    AddReactionRest,
    AddReactionGraphql,
    ToggleReactionOnNote,
    RemoveOthersReaction,
    ListConfidentialIssue,
    ReadInstanceSettings,
    UpdateInstanceSettings,
}

const OPS: [Op; 22] = [
    Op::ReadGroupAchievements,
    Op::CreateAchievement,
    Op::UpdateAchievement,
    Op::DeleteAchievement,
    Op::Award,
    Op::Revoke,
    Op::DeleteAward,
    Op::HideAward,
    Op::EditAwardMessage,
    Op::ReorderAwards,
    Op::ReadShownAward,
    Op::ReadHiddenAward,
    Op::ListShownHolder,
    Op::ListHiddenHolder,
    Op::ListReactions,
    Op::AddReactionRest,
    Op::AddReactionGraphql,
    Op::ToggleReactionOnNote,
    Op::RemoveOthersReaction,
    Op::ListConfidentialIssue,
    Op::ReadInstanceSettings,
    Op::UpdateInstanceSettings,
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Visibility {
    Public,
    Private,
}

/// The spec's answer: who may do `op` on a group of `group` visibility whose
/// award recipient has a private profile or not.
fn allowed(op: Op, group: Visibility, private_profile: bool) -> Vec<Role> {
    let readers_of_group: Vec<Role> = match group {
        Visibility::Public => ROLES.to_vec(),
        Visibility::Private => [&MEMBERS[..], &[Admin]].concat(),
    };
    let signed_in_readers: Vec<Role> = readers_of_group.iter().copied().filter(|r| *r != Anonymous).collect();
    match op {
        // §4: readable by whoever can read the group.
        Op::ReadGroupAchievements => readers_of_group,
        // §3 table: Maintainer/Owner (admins can do everything).
        Op::CreateAchievement | Op::UpdateAchievement | Op::DeleteAchievement | Op::Award | Op::Revoke => {
            vec![Maintainer, Owner, Admin]
        }
        // §3: userAchievementsDelete is Owner only.
        Op::DeleteAward => vec![Owner, Admin],
        // §3: showOnProfile and priorities: the recipient only.
        Op::HideAward | Op::ReorderAwards => vec![Recipient],
        // §3: awarding-group Maintainer+ may edit the award message.
        Op::EditAwardMessage => vec![Maintainer, Owner, Admin],
        // §4: achievements belong to the user and show whatever the group's
        // visibility; a private profile shows them to the user and admins only.
        Op::ReadShownAward if private_profile => vec![Recipient, Admin],
        Op::ReadShownAward => ROLES.to_vec(),
        // §3: includeHidden reveals hidden awards to the recipient and the
        // awarding group's Maintainers+ (and admins); never through a private profile.
        Op::ReadHiddenAward if private_profile => vec![Recipient, Admin],
        Op::ReadHiddenAward => vec![Recipient, Maintainer, Owner, Admin],
        // The listing of an achievement's holders (GraphQL `userAchievements`,
        // `uniqueUsers`) follows the profile's rule inside the group's: hidden
        // awards to the recipient and Maintainers+, private holders to
        // themselves and admins, and only for readers of the group.
        Op::ListShownHolder | Op::ListHiddenHolder => {
            let may: Vec<Role> = match (op, private_profile) {
                (_, true) => vec![Recipient, Admin],
                (Op::ListHiddenHolder, false) => vec![Recipient, Maintainer, Owner, Admin],
                _ => ROLES.to_vec(),
            };
            may.into_iter().filter(|r| readers_of_group.contains(r)).collect()
        }
        // §5: reactions are readable with the item; awarding needs a sign-in.
        Op::ListReactions => readers_of_group,
        Op::AddReactionRest | Op::AddReactionGraphql | Op::ToggleReactionOnNote => signed_in_readers,
        // §5: someone else's reaction: only admins may remove it.
        Op::RemoveOthersReaction => vec![Admin],
        // §5 / GitLab: confidential issues list for Reporters+, their author
        // (the owner here) and admins.
        Op::ListConfidentialIssue => vec![Reporter, Developer, Maintainer, Owner, Admin],
        // `/application/settings` (the abuse limits): admins only.
        Op::ReadInstanceSettings | Op::UpdateInstanceSettings => vec![Admin],
    }
}

struct GroupWorld {
    visibility: Visibility,
    full_path: String,
    namespace_gid: String,
    project_id: i64,
    issue_iid: i64,
    note_gid: String,
}

struct World {
    base: String,
    tokens: HashMap<Role, String>,
    /// The recipients: (username, user id, token), public profile first.
    recipients: [(String, i64, String); 2],
    groups: Vec<GroupWorld>,
    /// A developer of both groups whose reactions the cases try to remove.
    reactor: String,
}

/// What a request came to. Anything else (a 500, a 403 where GitLab answers
/// 404, a malformed payload) fails the test on the spot.
#[derive(Debug, PartialEq)]
enum Outcome {
    Allowed,
    Denied,
}

const NOT_AVAILABLE: &str =
    "The resource that you are attempting to access does not exist or you don't have permission to perform this action";

impl World {
    fn token(&self, role: Role, recipient: usize) -> Option<&str> {
        match role {
            Anonymous => None,
            Recipient => Some(&self.recipients[recipient].2),
            other => self.tokens.get(&other).map(String::as_str),
        }
    }

    async fn rest(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        common::call(&self.base, method, path, token, body).await
    }

    async fn graphql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let (status, body) = common::graphql(&self.base, token, query, variables).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Runs a mutation by GitLab's field name; allowed when the payload has no
    /// errors, denied only through the top-level resource-not-available error.
    async fn mutate(&self, token: Option<&str>, field: &str, input: Value) -> (Outcome, Value) {
        let input_type = format!("{}{}Input", field[..1].to_uppercase(), &field[1..]);
        let query =
            format!("mutation($input: {input_type}!) {{ result: {field}(input: $input) {{ __typename errors }} }}");
        let body = self.graphql(token, &query, json!({ "input": input })).await;
        if body["data"]["result"].is_object() && body["data"]["result"]["errors"] == json!([]) {
            return (Outcome::Allowed, body);
        }
        assert_eq!(body["data"]["result"], Value::Null, "a refusal carries no payload: {body}");
        assert_eq!(body["errors"][0]["message"], NOT_AVAILABLE, "{field}: {body}");
        (Outcome::Denied, body)
    }

    async fn owner_mutate(&self, field: &str, input: Value, selection: &str) -> Value {
        let input_type = format!("{}{}Input", field[..1].to_uppercase(), &field[1..]);
        let query =
            format!("mutation($input: {input_type}!) {{ result: {field}(input: $input) {{ errors {selection} }} }}");
        let body = self.graphql(Some(&self.tokens[&Owner]), &query, json!({ "input": input })).await;
        assert_eq!(body["data"]["result"]["errors"], json!([]), "fixture {field}: {body}");
        body["data"]["result"].clone()
    }

    async fn new_achievement(&self, group: &GroupWorld) -> String {
        let made = self
            .owner_mutate(
                "achievementsCreate",
                json!({ "namespaceId": group.namespace_gid, "name": unique("Achievement "), "description": "d" }),
                "achievement { id }",
            )
            .await;
        made["achievement"]["id"].as_str().expect("achievement id").to_string()
    }

    async fn new_award(&self, group: &GroupWorld, recipient: usize) -> (String, String) {
        let achievement = self.new_achievement(group).await;
        let user_gid = format!("gid://gitlab/User/{}", self.recipients[recipient].1);
        let made = self
            .owner_mutate(
                "achievementsAward",
                json!({ "achievementId": achievement, "userId": user_gid, "awardMessage": "Thanks" }),
                "userAchievement { id }",
            )
            .await;
        (achievement, made["userAchievement"]["id"].as_str().expect("award id").to_string())
    }

    /// The recipient's awards as the owner of `group` sees them with hidden ones
    /// (the owner may always see them on a public profile), or as the recipient.
    async fn awards_seen_by(&self, token: Option<&str>, recipient: usize, include_hidden: bool) -> Vec<Value> {
        let mut all = Vec::new();
        let mut after = Value::Null;
        loop {
            let body = self
                .graphql(
                    token,
                    "query($u: String!, $h: Boolean!, $after: String) { user(username: $u) { userAchievements(includeHidden: $h, first: 100, after: $after) { nodes { id showOnProfile awardMessage revokedAt } pageInfo { hasNextPage endCursor } } } }",
                    json!({ "u": self.recipients[recipient].0, "h": include_hidden, "after": after }),
                )
                .await;
            assert!(body["errors"].is_null(), "{body}");
            let connection = &body["data"]["user"]["userAchievements"];
            all.extend(connection["nodes"].as_array().cloned().unwrap_or_default());
            if connection["pageInfo"]["hasNextPage"] != true {
                return all;
            }
            after = connection["pageInfo"]["endCursor"].clone();
        }
    }

    /// The recipient hides one of their awards (a fixture step: it must work).
    async fn hide_award(&self, recipient: usize, award: &str) {
        let own = Some(self.recipients[recipient].2.as_str());
        let body = self
            .graphql(
                own,
                "mutation($id: AchievementsUserAchievementID!) { userAchievementsUpdate(input: { userAchievementId: $id, showOnProfile: false }) { errors } }",
                json!({ "id": award }),
            )
            .await;
        assert_eq!(body["data"]["userAchievementsUpdate"]["errors"], json!([]), "{body}");
    }

    async fn award_state(&self, recipient: usize, award: &str) -> Option<Value> {
        let own = Some(self.recipients[recipient].2.as_str());
        self.awards_seen_by(own, recipient, true).await.into_iter().find(|n| n["id"] == award)
    }

    async fn achievement_names(&self, group: &GroupWorld) -> Vec<(String, String)> {
        let body = self
            .graphql(
                Some(&self.tokens[&Owner]),
                "query($p: ID!) { group(fullPath: $p) { achievements { nodes { id name } } } }",
                json!({ "p": group.full_path }),
            )
            .await;
        body["data"]["group"]["achievements"]["nodes"]
            .as_array()
            .expect("owner reads the group")
            .iter()
            .map(|n| (n["id"].as_str().unwrap_or("").to_string(), n["name"].as_str().unwrap_or("").to_string()))
            .collect()
    }

    fn issue_path(&self, group: &GroupWorld) -> String {
        format!("/projects/{}/issues/{}/award_emoji", group.project_id, group.issue_iid)
    }

    /// Runs one case and checks that a refusal changed nothing.
    async fn run(&self, op: Op, group: &GroupWorld, recipient: usize, role: Role) -> Outcome {
        let token = self.token(role, recipient);
        match op {
            Op::ReadGroupAchievements => {
                let achievement = self.new_achievement(group).await;
                let body = self
                    .graphql(
                        token,
                        "query($p: ID!) { group(fullPath: $p) { achievements { nodes { id } } } }",
                        json!({ "p": group.full_path }),
                    )
                    .await;
                assert!(body["errors"].is_null(), "{body}");
                let listed = body["data"]["group"]["achievements"]["nodes"]
                    .as_array()
                    .is_some_and(|nodes| nodes.iter().any(|n| n["id"] == achievement.as_str()));
                if listed {
                    Outcome::Allowed
                } else {
                    assert_eq!(body["data"]["group"], Value::Null, "a group is either readable or null: {body}");
                    Outcome::Denied
                }
            }
            Op::CreateAchievement => {
                let name = unique("Created ");
                let (outcome, _) = self
                    .mutate(token, "achievementsCreate", json!({ "namespaceId": group.namespace_gid, "name": name }))
                    .await;
                let exists = self.achievement_names(group).await.iter().any(|(_, n)| *n == name);
                assert_eq!(exists, outcome == Outcome::Allowed, "created exactly when allowed");
                outcome
            }
            Op::UpdateAchievement => {
                let achievement = self.new_achievement(group).await;
                let name = unique("Renamed ");
                let (outcome, _) = self
                    .mutate(token, "achievementsUpdate", json!({ "achievementId": achievement, "name": name }))
                    .await;
                let renamed = self.achievement_names(group).await.contains(&(achievement, name));
                assert_eq!(renamed, outcome == Outcome::Allowed);
                outcome
            }
            Op::DeleteAchievement => {
                let (achievement, award) = self.new_award(group, recipient).await;
                let (outcome, _) =
                    self.mutate(token, "achievementsDelete", json!({ "achievementId": achievement })).await;
                let exists = self.achievement_names(group).await.iter().any(|(id, _)| *id == achievement);
                assert_eq!(exists, outcome == Outcome::Denied);
                // Deleting the achievement takes its awards with it.
                assert_eq!(self.award_state(recipient, &award).await.is_some(), outcome == Outcome::Denied);
                outcome
            }
            Op::Award => {
                let achievement = self.new_achievement(group).await;
                let user_gid = format!("gid://gitlab/User/{}", self.recipients[recipient].1);
                let (outcome, body) = self
                    .mutate(token, "achievementsAward", json!({ "achievementId": achievement, "userId": user_gid }))
                    .await;
                let holds = self.awards_seen_by(Some(&self.recipients[recipient].2), recipient, true).await.len();
                assert!(holds > 0 || outcome == Outcome::Denied, "{body}");
                outcome
            }
            Op::Revoke => {
                let (_, award) = self.new_award(group, recipient).await;
                let (outcome, _) =
                    self.mutate(token, "achievementsRevoke", json!({ "userAchievementId": award })).await;
                // Revoked awards vanish from every listing.
                assert_eq!(self.award_state(recipient, &award).await.is_some(), outcome == Outcome::Denied);
                outcome
            }
            Op::DeleteAward => {
                let (_, award) = self.new_award(group, recipient).await;
                let (outcome, _) =
                    self.mutate(token, "userAchievementsDelete", json!({ "userAchievementId": award })).await;
                assert_eq!(self.award_state(recipient, &award).await.is_some(), outcome == Outcome::Denied);
                outcome
            }
            Op::HideAward => {
                let (_, award) = self.new_award(group, recipient).await;
                let (outcome, _) = self
                    .mutate(
                        token,
                        "userAchievementsUpdate",
                        json!({ "userAchievementId": award, "showOnProfile": false }),
                    )
                    .await;
                let state = self.award_state(recipient, &award).await.expect("still there");
                assert_eq!(state["showOnProfile"], outcome == Outcome::Denied);
                outcome
            }
            Op::EditAwardMessage => {
                let (_, award) = self.new_award(group, recipient).await;
                let (outcome, _) = self
                    .mutate(
                        token,
                        "userAchievementsUpdate",
                        json!({ "userAchievementId": award, "awardMessage": "Edited" }),
                    )
                    .await;
                let state = self.award_state(recipient, &award).await.expect("still there");
                let expected = if outcome == Outcome::Allowed { "Edited" } else { "Thanks" };
                assert_eq!(state["awardMessage"], expected);
                outcome
            }
            Op::ReorderAwards => {
                let (_, first) = self.new_award(group, recipient).await;
                let (_, second) = self.new_award(group, recipient).await;
                let (outcome, _) = self
                    .mutate(token, "userAchievementPrioritiesUpdate", json!({ "userAchievementIds": [second, first] }))
                    .await;
                let own = Some(self.recipients[recipient].2.as_str());
                let order: Vec<Value> =
                    self.awards_seen_by(own, recipient, true).await.into_iter().map(|n| n["id"].clone()).collect();
                let second_first = order.iter().position(|id| *id == second) < order.iter().position(|id| *id == first);
                assert_eq!(second_first, outcome == Outcome::Allowed, "{order:?}");
                // Clear the priorities again so later cases start from id order.
                let cleared = self.graphql(
                    own,
                    "mutation { userAchievementPrioritiesUpdate(input: { userAchievementIds: [] }) { errors } }",
                    json!({}),
                );
                assert_eq!(cleared.await["data"]["userAchievementPrioritiesUpdate"]["errors"], json!([]));
                outcome
            }
            Op::ReadShownAward | Op::ReadHiddenAward => {
                let (_, award) = self.new_award(group, recipient).await;
                let hidden = matches!(op, Op::ReadHiddenAward);
                if hidden {
                    self.hide_award(recipient, &award).await;
                }
                let seen =
                    self.awards_seen_by(token, recipient, hidden).await.iter().any(|n| n["id"] == award.as_str());
                if seen {
                    Outcome::Allowed
                } else {
                    Outcome::Denied
                }
            }
            Op::ListShownHolder | Op::ListHiddenHolder => {
                let (achievement, award) = self.new_award(group, recipient).await;
                if matches!(op, Op::ListHiddenHolder) {
                    self.hide_award(recipient, &award).await;
                }
                let body = self
                    .graphql(
                        token,
                        "query($p: ID!) { group(fullPath: $p) { achievements { nodes { id userAchievements { nodes { id } } uniqueUsers { nodes { username } } } } } }",
                        json!({ "p": group.full_path }),
                    )
                    .await;
                assert!(body["errors"].is_null(), "{body}");
                let node = body["data"]["group"]["achievements"]["nodes"]
                    .as_array()
                    .and_then(|nodes| nodes.iter().find(|n| n["id"] == achievement.as_str()).cloned());
                let Some(node) = node else { return Outcome::Denied };
                let award_listed = node["userAchievements"]["nodes"].as_array().is_some_and(|a| !a.is_empty());
                let holder_listed = node["uniqueUsers"]["nodes"].as_array().is_some_and(|u| !u.is_empty());
                // The two listings must agree: a holder hidden from one is hidden from both.
                assert_eq!(award_listed, holder_listed, "{op:?} as {role:?}: {node}");
                if award_listed {
                    Outcome::Allowed
                } else {
                    Outcome::Denied
                }
            }
            Op::ListReactions => {
                let (status, body) = self.rest(reqwest::Method::GET, &self.issue_path(group), token, None).await;
                match status {
                    200 => Outcome::Allowed,
                    404 => {
                        assert!(body["message"].as_str().is_some_and(|m| m.starts_with("404")), "{body}");
                        Outcome::Denied
                    }
                    other => panic!("list: {other} {body}"),
                }
            }
            Op::AddReactionRest => {
                let path = format!("{}?name=thumbsup", self.issue_path(group));
                let (status, body) = self.rest(reqwest::Method::POST, &path, token, None).await;
                match status {
                    201 => {
                        assert_eq!(body["name"], "thumbsup");
                        // Leave no trace for the next role.
                        let id = body["id"].as_i64().expect("id");
                        let delete = format!("{}/{id}", self.issue_path(group));
                        assert_eq!(self.rest(reqwest::Method::DELETE, &delete, token, None).await.0, 204);
                        Outcome::Allowed
                    }
                    401 | 404 => Outcome::Denied,
                    other => panic!("add: {other} {body}"),
                }
            }
            Op::AddReactionGraphql => {
                let issue_gid = self.issue_gid(group).await;
                let (outcome, _) =
                    self.mutate(token, "awardEmojiAdd", json!({ "awardableId": issue_gid, "name": "rocket" })).await;
                if outcome == Outcome::Allowed {
                    let (removed, _) = self
                        .mutate(token, "awardEmojiRemove", json!({ "awardableId": issue_gid, "name": "rocket" }))
                        .await;
                    assert_eq!(removed, Outcome::Allowed);
                }
                outcome
            }
            Op::ToggleReactionOnNote => {
                let input = json!({ "awardableId": group.note_gid, "name": "heart" });
                let (outcome, _) = self.mutate(token, "awardEmojiToggle", input.clone()).await;
                if outcome == Outcome::Allowed {
                    assert_eq!(self.mutate(token, "awardEmojiToggle", input).await.0, Outcome::Allowed);
                }
                outcome
            }
            Op::RemoveOthersReaction => {
                let owner = Some(self.tokens[&Owner].as_str());
                let path = format!("{}?name=eyes", self.issue_path(group));
                let (status, award) = self.rest(reqwest::Method::POST, &path, Some(&self.reactor), None).await;
                assert_eq!(status, 201, "{award}");
                let delete = format!("{}/{}", self.issue_path(group), award["id"]);
                let (status, body) = self.rest(reqwest::Method::DELETE, &delete, token, None).await;
                let outcome = match status {
                    204 => Outcome::Allowed,
                    401 | 404 => Outcome::Denied,
                    other => panic!("delete: {other} {body}"),
                };
                let (still, _) = self.rest(reqwest::Method::GET, &delete, owner, None).await;
                assert_eq!(still == 200, outcome == Outcome::Denied);
                if still == 200 {
                    assert_eq!(self.rest(reqwest::Method::DELETE, &delete, Some(&self.reactor), None).await.0, 204);
                }
                outcome
            }
            Op::ListConfidentialIssue => {
                let owner = Some(self.tokens[&Owner].as_str());
                let path = format!("/projects/{}/issues", group.project_id);
                let title = unique("secret");
                let made = json!({ "title": title, "confidential": true });
                let (status, issue) = self.rest(reqwest::Method::POST, &path, owner, Some(made)).await;
                assert_eq!(status, 201, "{issue}");
                let (status, listed) =
                    self.rest(reqwest::Method::GET, &format!("{path}?per_page=100"), token, None).await;
                let found = status == 200
                    && listed.as_array().is_some_and(|issues| issues.iter().any(|i| i["title"] == title.as_str()));
                if found {
                    Outcome::Allowed
                } else {
                    assert!(matches!(status, 200 | 404), "{status} {listed}");
                    Outcome::Denied
                }
            }
            Op::ReadInstanceSettings | Op::UpdateInstanceSettings => self.instance_settings(op, token).await,
        }
    }

    /// Admin-only instance settings: read, or write one limit; a refused write
    /// leaves it as it was.
    async fn instance_settings(&self, op: Op, token: Option<&str>) -> Outcome {
        let root = Some(ROOT_TOKEN);
        let field = "reactions_per_user_per_minute";
        let (_, before) = self.rest(reqwest::Method::GET, "/application/settings", root, None).await;
        let (status, body) = match op {
            Op::ReadInstanceSettings => self.rest(reqwest::Method::GET, "/application/settings", token, None).await,
            _ => {
                let wanted = json!({ field: before[field].as_i64().unwrap_or(60) + 1 });
                self.rest(reqwest::Method::PUT, "/application/settings", token, Some(wanted)).await
            }
        };
        let (_, after) = self.rest(reqwest::Method::GET, "/application/settings", root, None).await;
        match status {
            200 => {
                assert!(body[field].is_i64(), "{body}");
                if after != before {
                    self.rest(reqwest::Method::PUT, "/application/settings", root, Some(before)).await;
                }
                Outcome::Allowed
            }
            401 | 403 => {
                assert_eq!(after, before, "a refused caller changed nothing");
                assert!(body.get(field).is_none(), "a refusal reveals nothing: {body}");
                Outcome::Denied
            }
            other => panic!("settings: {other} {body}"),
        }
    }

    async fn issue_gid(&self, group: &GroupWorld) -> String {
        let path = format!("/projects/{}/issues/{}", group.project_id, group.issue_iid);
        let (status, issue) = self.rest(reqwest::Method::GET, &path, Some(&self.tokens[&Owner]), None).await;
        assert_eq!(status, 200);
        format!("gid://gitlab/Issue/{}", issue["id"])
    }
}

async fn create_user(base: &str, name: &str, private_profile: bool) -> (i64, String) {
    let world = World {
        base: base.into(),
        tokens: HashMap::new(),
        recipients: Default::default(),
        groups: vec![],
        reactor: String::new(),
    };
    let admin = Some(ROOT_TOKEN);
    let (status, user) = world
        .rest(
            reqwest::Method::POST,
            "/users",
            admin,
            Some(json!({
                "username": name, "name": name, "email": format!("{name}@example.com"),
                "password": "password123", "private_profile": private_profile, "skip_confirmation": true,
            })),
        )
        .await;
    assert_eq!(status, 201, "{user}");
    let id = user["id"].as_i64().expect("id");
    let path = format!("/users/{id}/personal_access_tokens");
    let (status, token) =
        world.rest(reqwest::Method::POST, &path, admin, Some(json!({ "name": "t", "scopes": ["api"] }))).await;
    assert_eq!(status, 201, "{token}");
    (id, token["token"].as_str().expect("token").to_string())
}

async fn build_world(base: &str) -> World {
    let mut tokens = HashMap::new();
    let mut ids = HashMap::new();
    tokens.insert(Admin, ROOT_TOKEN.to_string());
    for (role, name) in [
        (Guest, "guest"),
        (Reporter, "reporter"),
        (Developer, "developer"),
        (Maintainer, "maintainer"),
        (Owner, "owner"),
        (Stranger, "stranger"),
    ] {
        let (id, token) = create_user(base, name, false).await;
        tokens.insert(role, token);
        ids.insert(name, id);
    }
    let (open_id, open_token) = create_user(base, "recipient", false).await;
    let (hermit_id, hermit_token) = create_user(base, "hermit", true).await;
    let (reactor_id, reactor) = create_user(base, "reactor", false).await;
    ids.insert("reactor", reactor_id);
    let mut world = World {
        base: base.into(),
        tokens,
        recipients: [("recipient".into(), open_id, open_token), ("hermit".into(), hermit_id, hermit_token)],
        groups: Vec::new(),
        reactor,
    };
    for visibility in [Visibility::Public, Visibility::Private] {
        let vis = if visibility == Visibility::Public { "public" } else { "private" };
        let owner = Some(world.tokens[&Owner].clone());
        let owner = owner.as_deref();
        let path = format!("{vis}-group");
        let (status, group) = world
            .rest(
                reqwest::Method::POST,
                "/groups",
                owner,
                Some(json!({ "name": path, "path": path, "visibility": vis })),
            )
            .await;
        assert_eq!(status, 201, "{group}");
        let group_id = group["id"].as_i64().expect("group id");
        for (name, level) in [("guest", 10), ("reporter", 20), ("developer", 30), ("maintainer", 40), ("reactor", 30)] {
            let (status, body) = world
                .rest(
                    reqwest::Method::POST,
                    &format!("/groups/{group_id}/members"),
                    owner,
                    Some(json!({ "user_id": ids[name], "access_level": level })),
                )
                .await;
            assert_eq!(status, 201, "{body}");
        }
        let (status, project) = world
            .rest(
                reqwest::Method::POST,
                "/projects",
                owner,
                Some(json!({ "name": "app", "path": "app", "namespace_id": group_id, "visibility": vis })),
            )
            .await;
        assert_eq!(status, 201, "{project}");
        let project_id = project["id"].as_i64().expect("project id");
        let (status, issue) = world
            .rest(
                reqwest::Method::POST,
                &format!("/projects/{project_id}/issues"),
                owner,
                Some(json!({ "title": "Something to react to" })),
            )
            .await;
        assert_eq!(status, 201, "{issue}");
        let issue_iid = issue["iid"].as_i64().expect("iid");
        let (status, note) = world
            .rest(
                reqwest::Method::POST,
                &format!("/projects/{project_id}/issues/{issue_iid}/notes"),
                owner,
                Some(json!({ "body": "A comment" })),
            )
            .await;
        assert_eq!(status, 201, "{note}");
        world.groups.push(GroupWorld {
            visibility,
            full_path: path,
            namespace_gid: format!("gid://gitlab/Group/{group_id}"),
            project_id,
            issue_iid,
            note_gid: format!("gid://gitlab/Note/{}", note["id"]),
        });
    }
    world
}

async fn every_role_on_every_endpoint_matches_the_spec(backend: Backend) {
    let server = start(backend, &[]).await;
    let world = build_world(&server.base).await;
    let mut mismatches = Vec::new();
    let mut cases = 0;
    for group in &world.groups {
        for (recipient, private_profile) in [(0, false), (1, true)] {
            for op in OPS {
                let recipient_matters = matches!(
                    op,
                    Op::DeleteAchievement
                        | Op::Award
                        | Op::Revoke
                        | Op::DeleteAward
                        | Op::HideAward
                        | Op::EditAwardMessage
                        | Op::ReorderAwards
                        | Op::ReadShownAward
                        | Op::ReadHiddenAward
                        | Op::ListShownHolder
                        | Op::ListHiddenHolder
                );
                if private_profile && !recipient_matters {
                    continue;
                }
                let instance_wide = matches!(op, Op::ReadInstanceSettings | Op::UpdateInstanceSettings);
                if instance_wide && group.visibility != world.groups[0].visibility {
                    continue;
                }
                let expected = allowed(op, group.visibility, private_profile);
                for role in ROLES {
                    cases += 1;
                    let outcome = world.run(op, group, recipient, role).await;
                    let want = if expected.contains(&role) { Outcome::Allowed } else { Outcome::Denied };
                    if outcome != want {
                        mismatches.push(format!(
                            "{op:?} on a {:?} group, private profile {private_profile}, as {role:?}: got {outcome:?}, spec says {want:?}",
                            group.visibility
                        ));
                    }
                }
            }
        }
    }
    assert!(cases > 300, "the table ran {cases} cases");
    assert!(
        mismatches.is_empty(),
        "{} of {cases} cases differ from the spec:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

on_both!(a_private_project_in_a_users_own_namespace_is_its_owners_alone);

/// A user's own namespace makes them the owner of its projects, with no
/// project membership of their own (creating a project adds none): they read,
/// write and react in a private one; another user finds nothing there, and
/// their refused reaction changes nothing.
async fn a_private_project_in_a_users_own_namespace_is_its_owners_alone(backend: Backend) {
    use reqwest::Method;
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let (alice, bob) = (common::token_for(base, "alice").await, common::token_for(base, "bob").await);
    let (alice, bob) = (Some(alice.as_str()), Some(bob.as_str()));
    let body = json!({ "name": unique("Diary"), "visibility": "private" });
    let (status, project) = common::call(base, Method::POST, "/projects", alice, Some(body)).await;
    assert_eq!(status, 201, "{project}");
    let id = project["id"].as_i64().expect("project id");
    let issues = format!("/projects/{id}/issues");
    let (status, issue) = common::call(base, Method::POST, &issues, alice, Some(json!({ "title": "Mine" }))).await;
    assert_eq!(status, 201, "its owner writes in it: {issue}");
    let awards = format!("/projects/{id}/issues/{}/award_emoji", issue["iid"]);
    let project = format!("/projects/{id}");
    assert_eq!(common::call(base, Method::GET, &project, alice, None).await.0, 200);
    assert_eq!(common::call(base, Method::POST, &format!("{awards}?name=thumbsup"), alice, None).await.0, 201);

    assert_eq!(common::call(base, Method::GET, &project, bob, None).await.0, 404, "hidden from another user");
    assert_eq!(common::call(base, Method::POST, &format!("{awards}?name=thumbsdown"), bob, None).await.0, 404);
    let (status, list) = common::call(base, Method::GET, &awards, alice, None).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = list.as_array().expect("awards").iter().filter_map(|a| a["name"].as_str()).collect();
    assert_eq!(names, ["thumbsup"], "the refused reaction changed nothing");
}

on_both!(a_blocked_users_token_is_refused_and_changes_nothing);

/// A token whose user the admin has blocked is refused (401), and its
/// reaction is not made.
async fn a_blocked_users_token_is_refused_and_changes_nothing(backend: Backend) {
    use reqwest::Method;
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let bob = common::token_for(base, "bob").await;
    let bob = Some(bob.as_str());
    let awards = "/projects/1/issues/1/award_emoji";
    let count = || async {
        let (_, list) = common::call(base, Method::GET, awards, Some(ROOT_TOKEN), None).await;
        list.as_array().expect("awards").len()
    };
    let (status, user) = common::call(base, Method::GET, "/user", bob, None).await;
    assert_eq!(status, 200);
    let before = count().await;
    let root = common::sign_in_cookie(base, "root", "root-password").await.expect("root session");
    let blocked = common::client()
        .post(format!("{base}/-/sfn/admin_update_user"))
        .header("Cookie", root)
        .header("Accept", "text/html")
        .form(&[("id", user["id"].to_string()), ("blocked", "true".into())])
        .send()
        .await
        .expect("block");
    assert!(blocked.status().as_u16() < 400, "the admin blocks bob");
    assert_eq!(common::call(base, Method::GET, "/user", bob, None).await.0, 401);
    assert_eq!(common::call(base, Method::POST, &format!("{awards}?name=tada"), bob, None).await.0, 401);
    assert_eq!(count().await, before, "the refused reaction changed nothing");
}
