//! The GraphQL API: the seed documents verbatim, both error channels, uploads,
//! and bad input. Demo data: achievement 1 is "Contributor of the month" in the
//! public group `heroes` (alice owns it, bob maintains it); carol holds it 3x;
//! achievement 4 "Bug hunter" is in the private group `secret-lab`.

use crate::common;

use common::{client, graphql, start, token_for, Backend};
use serde_json::{json, Value};

on_both!(
    award_emoji_mutations,
    issues_merge_requests_and_notes_expose_reactions,
    seed_documents_run_verbatim,
    errors_use_gitlabs_two_channels,
    avatar_upload_follows_the_multipart_spec,
    bad_queries_are_graphql_errors
);

const NOT_AVAILABLE: &str =
    "The resource that you are attempting to access does not exist or you don't have permission to perform this action";

async fn seed_documents_run_verbatim(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let alice = token_for(base, "alice").await;
    // "View a user's achievements"
    let (status, body) = graphql(
        base,
        None,
        r#"query {
  user(username: "carol") {
    userAchievements {
      nodes {
        achievement {
          name
          description
          avatarUrl
          namespace {
            fullPath
            name
          }
        }
      }
    }
  }
}"#,
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    let nodes = body["data"]["user"]["userAchievements"]["nodes"].as_array().expect("nodes").clone();
    assert_eq!(nodes.len(), 6, "{body}");
    assert_eq!(nodes[0]["achievement"]["name"], "Contributor of the month");
    assert_eq!(nodes[0]["achievement"]["namespace"]["fullPath"], "heroes");
    let bug = nodes.iter().find(|n| n["achievement"]["name"] == "Bug hunter").expect("bug hunter");
    assert_eq!(bug["achievement"]["namespace"], Value::Null, "the private group stays hidden");

    // "Award an achievement" (grace is user 8)
    let (_, body) = graphql(
        base,
        Some(&alice),
        r#"mutation {
  achievementsAward(input: {
    achievementId: "gid://gitlab/Achievements::Achievement/1",
    userId: "gid://gitlab/User/8" }) {
    userAchievement {
      id
      achievement {
        id
        name
      }
      user {
        id
        username
      }
    }
    errors
  }
}"#,
        json!({}),
    )
    .await;
    let award = &body["data"]["achievementsAward"];
    assert_eq!(award["errors"], json!([]), "{body}");
    assert_eq!(award["userAchievement"]["achievement"]["id"], "gid://gitlab/Achievements::Achievement/1");
    assert_eq!(award["userAchievement"]["user"]["username"], "grace");
    let award_id = award["userAchievement"]["id"].as_str().expect("gid").to_string();
    assert!(award_id.starts_with("gid://gitlab/Achievements::UserAchievement/"));

    // "Revoke an achievement", twice.
    let revoke = format!(
        r#"mutation {{
  achievementsRevoke(input: {{
    userAchievementId: "{award_id}" }}) {{
    userAchievement {{
      id
      achievement {{
        id
        name
      }}
      user {{
        id
        username
      }}
      revokedAt
    }}
    errors
  }}
}}"#
    );
    let (_, body) = graphql(base, Some(&alice), &revoke, json!({})).await;
    assert!(body["data"]["achievementsRevoke"]["userAchievement"]["revokedAt"].is_string(), "{body}");
    let (_, body) = graphql(base, Some(&alice), &revoke, json!({})).await;
    assert_eq!(body["data"]["achievementsRevoke"]["errors"], json!(["This achievement has already been revoked"]));

    // "Delete an awarded achievement" (Owner) and "Delete an achievement".
    let (_, body) = graphql(
        base,
        Some(&alice),
        &format!(
            r#"mutation {{
  userAchievementsDelete(input: {{
    userAchievementId: "{award_id}" }}) {{
    userAchievement {{
      id
      achievement {{
        id
        name
      }}
      user {{
        id
        username
      }}
    }}
    errors
  }}
}}"#
        ),
        json!({}),
    )
    .await;
    assert_eq!(body["data"]["userAchievementsDelete"]["errors"], json!([]), "{body}");
    let (_, body) = graphql(
        base,
        Some(&alice),
        r#"mutation {
  achievementsDelete(input: {
    achievementId: "gid://gitlab/Achievements::Achievement/2" }) {
    achievement {
      id
      name
    }
    errors
  }
}"#,
        json!({}),
    )
    .await;
    assert_eq!(body["data"]["achievementsDelete"]["achievement"]["name"], "First merge request", "{body}");

    // Group listing with connection fields.
    let (_, body) = graphql(base, None, r#"{ group(fullPath: "heroes") { achievementsPath achievements(first: 1) { count pageInfo { hasNextPage endCursor } nodes { name } edges { cursor node { id } } } } }"#, json!({})).await;
    let list = &body["data"]["group"]["achievements"];
    assert_eq!(list["count"], 1, "{body}");
    assert_eq!(body["data"]["group"]["achievementsPath"], "/groups/heroes/-/achievements");
}

async fn errors_use_gitlabs_two_channels(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let (bob, carol) = (token_for(base, "bob").await, token_for(base, "carol").await);
    let award = r#"mutation($a: AchievementsAchievementID!, $u: UserID!, $m: String) {
        achievementsAward(input: { achievementId: $a, userId: $u, awardMessage: $m }) { userAchievement { id awardMessage awardMessageHtml } errors } }"#;
    // A developer may not award: top-level error, field null.
    let (status, body) = graphql(
        base,
        Some(&carol),
        award,
        json!({ "a": "gid://gitlab/Achievements::Achievement/1", "u": "gid://gitlab/User/8" }),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["achievementsAward"], Value::Null);
    assert_eq!(body["errors"][0]["message"], NOT_AVAILABLE);
    // Unknown user: payload error.
    let (_, body) = graphql(
        base,
        Some(&bob),
        award,
        json!({ "a": "gid://gitlab/Achievements::Achievement/1", "u": "gid://gitlab/User/999" }),
    )
    .await;
    assert_eq!(body["data"]["achievementsAward"]["errors"], json!(["Couldn't find User with 'id'=999"]));
    // Messages are escaped in the HTML rendering.
    let (_, body) = graphql(base, Some(&bob), award, json!({ "a": "gid://gitlab/Achievements::Achievement/1", "u": "gid://gitlab/User/8", "m": "<script>x</script>" })).await;
    assert_eq!(
        body["data"]["achievementsAward"]["userAchievement"]["awardMessageHtml"],
        "<p>&lt;script&gt;x&lt;/script&gt;</p>"
    );
    // Create: duplicate name goes to the payload.
    let create = r#"mutation($n: NamespaceID!, $name: String!) { achievementsCreate(input: { namespaceId: $n, name: $name }) { achievement { id } errors } }"#;
    let (_, group) = graphql(base, None, r#"{ group(fullPath: "heroes") { id } }"#, json!({})).await;
    let heroes = group["data"]["group"]["id"].clone();
    assert!(heroes.as_str().is_some_and(|id| id.starts_with("gid://gitlab/Group/")), "{heroes}");
    let (_, body) = graphql(base, Some(&bob), create, json!({ "n": heroes, "name": "contributor OF the month" })).await;
    assert_eq!(body["data"]["achievementsCreate"]["errors"], json!(["Name has already been taken"]), "{body}");
    // Priorities: carol reorders her own; someone else's id changes nothing.
    let (_, body) =
        graphql(base, Some(&carol), r#"{ currentUser { userAchievements { nodes { id } } } }"#, json!({})).await;
    let ids: Vec<Value> = body["data"]["currentUser"]["userAchievements"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["id"].clone())
        .collect();
    let reorder = r#"mutation($ids: [AchievementsUserAchievementID!]!) { userAchievementPrioritiesUpdate(input: { userAchievementIds: $ids }) { userAchievements { id priority } errors } }"#;
    let (_, body) = graphql(base, Some(&carol), reorder, json!({ "ids": [ids[2], ids[0]] })).await;
    let changed = &body["data"]["userAchievementPrioritiesUpdate"]["userAchievements"];
    assert_eq!(changed, &json!([{ "id": ids[2], "priority": 0 }, { "id": ids[0], "priority": 1 }]), "{body}");
    let (_, body) = graphql(base, Some(&bob), reorder, json!({ "ids": [ids[1]] })).await;
    assert_eq!(body["errors"][0]["message"], NOT_AVAILABLE);
    // Hidden awards: carol hides one; anonymous no longer sees it.
    let hide = r#"mutation($id: AchievementsUserAchievementID!) { userAchievementsUpdate(input: { userAchievementId: $id, showOnProfile: false }) { userAchievement { showOnProfile } errors } }"#;
    let (_, body) = graphql(base, Some(&carol), hide, json!({ "id": ids[1] })).await;
    assert_eq!(body["data"]["userAchievementsUpdate"]["userAchievement"]["showOnProfile"], false, "{body}");
    let count = r#"{ user(username: "carol") { userAchievements(includeHidden: true) { count } } }"#;
    assert_eq!(graphql(base, None, count, json!({})).await.1["data"]["user"]["userAchievements"]["count"], 5);
    assert_eq!(graphql(base, Some(&carol), count, json!({})).await.1["data"]["user"]["userAchievements"]["count"], 6);
}

async fn avatar_upload_follows_the_multipart_spec(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let alice = token_for(&server.base, "alice").await;
    // A real 8x8 PNG.
    let png = {
        let mut out = std::io::Cursor::new(Vec::new());
        image::RgbaImage::from_pixel(8, 8, image::Rgba([10, 200, 90, 255]))
            .write_to(&mut out, image::ImageFormat::Png)
            .expect("png");
        out.into_inner()
    };
    // The seed's curl command, with the demo group's namespace id.
    let (_, group) = graphql(&server.base, None, r#"{ namespace(fullPath: "heroes") { id } }"#, json!({})).await;
    let namespace = group["data"]["namespace"]["id"].as_str().expect("namespace gid").to_string();
    assert!(namespace.starts_with("gid://gitlab/Namespace/"), "{namespace}");
    let operations = r#"{ "query": "mutation ($file: Upload!) { achievementsCreate(input: { namespaceId: \"NAMESPACE\", name: \"Uploaded\", description: \"with avatar\", avatar: $file }) { achievement { id name description avatarUrl } } }", "variables": { "file": null } }"#
        .replace("NAMESPACE", &namespace);
    let send_with = |operations: String, bytes: Vec<u8>, name: &'static str| {
        let form = reqwest::multipart::Form::new()
            .text("operations", operations)
            .text("map", r#"{ "0": ["variables.file"] }"#)
            .part("0", reqwest::multipart::Part::bytes(bytes).file_name(name));
        client().post(format!("{}/api/graphql", server.base)).bearer_auth(&alice).multipart(form).send()
    };
    let body: Value =
        send_with(operations.clone(), png.clone(), "file.png").await.expect("upload").json().await.expect("json");
    let achievement = &body["data"]["achievementsCreate"]["achievement"];
    assert_eq!(achievement["name"], "Uploaded", "{body}");
    let url = achievement["avatarUrl"].as_str().expect("avatar url").to_string();
    assert!(url.ends_with("/file.png") && url.contains("/uploads/-/system/achievements/achievement/avatar/"), "{url}");
    let served = client().get(&url).send().await.expect("avatar").bytes().await.expect("bytes");
    assert_eq!(served.as_ref(), png.as_slice());
    // Not really an image, an image under the wrong name, too big, and of
    // more pixels than an avatar may have (a small file that would decode
    // into far more memory): payload errors, and nothing created.
    let failing = r#"{ "query": "mutation ($file: Upload!) { achievementsCreate(input: { namespaceId: \"NAMESPACE\", name: \"Rejected\", avatar: $file }) { achievement { id } errors } }", "variables": { "file": null } }"#
        .replace("NAMESPACE", &namespace);
    let bad_format = "Avatar file format is not supported. Please try one of the following supported formats: png, jpg, jpeg, gif, bmp, tiff, ico, webp";
    for (bytes, name, message) in [
        (b"GIF89a\x01\x00\x01\x00 not really".to_vec(), "fake.gif", bad_format),
        (png.clone(), "renamed.jpg", bad_format),
        (vec![0u8; 300 * 1024], "big.png", "Avatar is too big (should be at most 200 KB)"),
        (grey_png(2049, 1), "wide.png", "Avatar is too large (should be at most 2048 × 2048 pixels)"),
        (grey_png(1, 8000), "tall.png", "Avatar is too large (should be at most 2048 × 2048 pixels)"),
    ] {
        let body: Value = send_with(failing.clone(), bytes, name).await.expect("upload").json().await.expect("json");
        assert_eq!(body["data"]["achievementsCreate"], json!({ "achievement": null, "errors": [message] }), "{name}");
    }
    // As large as an avatar may be: taken.
    let edge = failing.replace("Rejected", "Edge");
    let body: Value =
        send_with(edge, grey_png(2048, 2048), "edge.png").await.expect("upload").json().await.expect("json");
    assert_eq!(body["data"]["achievementsCreate"]["errors"], json!([]), "{body}");
    let (_, listed) =
        graphql(&server.base, None, r#"{ group(fullPath: "heroes") { achievements { nodes { name } } } }"#, json!({}))
            .await;
    assert!(!listed.to_string().contains("Rejected"), "{listed}");
}

/// A grey PNG of `width` x `height` pixels (a few hundred bytes, whatever its size).
fn grey_png(width: u32, height: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::GrayImage::from_pixel(width, height, image::Luma([128]))
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

async fn bad_queries_are_graphql_errors(backend: Backend) {
    let server = start(backend, &[]).await;
    let deep = format!("{{ currentUser {} }}", "{ userAchievements { nodes { user ".repeat(12) + &"} } }".repeat(12));
    for query in [
        "{ this is not graphql",
        "{ nope }",
        r#"{ user(id: "gid://gitlab/Project/1") { id } }"#,
        r#"mutation { achievementsDelete(input: { achievementId: "gid://gitlab/User/1" }) { errors } }"#,
        deep.as_str(),
    ] {
        let (status, body) = graphql(&server.base, None, query, json!({})).await;
        assert!(status == 200 || status == 400, "{query}: {status}");
        assert!(body["errors"].as_array().is_some_and(|e| !e.is_empty()), "{query}: {body}");
    }
    let raw = client()
        .post(format!("{}/api/graphql", server.base))
        .body("not json")
        .header("content-type", "application/json")
        .send()
        .await
        .expect("post");
    assert!(raw.status().is_client_error(), "{}", raw.status());
}

async fn award_emoji_mutations(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let grace = token_for(base, "grace").await;
    let add = r#"mutation($id: AwardableID!, $name: String!) { awardEmojiAdd(input: { awardableId: $id, name: $name }) { __typename awardEmoji { name emoji description unicode unicodeVersion user { username } } errors } }"#;
    let (_, body) = graphql(base, Some(&grace), add, json!({ "id": "gid://gitlab/Issue/1", "name": "+1" })).await;
    let added = &body["data"]["awardEmojiAdd"];
    assert_eq!(added["__typename"], "AwardEmojiAddPayload");
    assert_eq!(added["awardEmoji"]["name"], "thumbsup", "{body}");
    assert_eq!(added["awardEmoji"]["emoji"], "👍");
    assert_eq!(added["awardEmoji"]["unicode"], "1f44d");
    assert_eq!(added["awardEmoji"]["user"]["username"], "grace");
    let (_, body) = graphql(base, Some(&grace), add, json!({ "id": "gid://gitlab/Issue/1", "name": "thumbsup" })).await;
    assert_eq!(body["data"]["awardEmojiAdd"]["errors"], json!(["Name has already been taken"]));
    let (_, body) =
        graphql(base, Some(&grace), add, json!({ "id": "gid://gitlab/Issue/1", "name": "nonsense_emoji" })).await;
    assert_eq!(body["data"]["awardEmojiAdd"]["errors"], json!(["Name is not a valid emoji name"]));
    // The private project's issue does not exist for grace.
    let (_, body) = graphql(base, Some(&grace), add, json!({ "id": "gid://gitlab/Issue/4", "name": "tada" })).await;
    assert_eq!(body["errors"][0]["message"], NOT_AVAILABLE);
    let toggle = r#"mutation($id: AwardableID!) { awardEmojiToggle(input: { awardableId: $id, name: "tada" }) { toggledOn awardEmoji { name } errors } }"#;
    let (_, on) = graphql(base, Some(&grace), toggle, json!({ "id": "gid://gitlab/Note/1" })).await;
    assert_eq!(on["data"]["awardEmojiToggle"]["toggledOn"], true, "{on}");
    let (_, off) = graphql(base, Some(&grace), toggle, json!({ "id": "gid://gitlab/Note/1" })).await;
    assert_eq!(off["data"]["awardEmojiToggle"]["toggledOn"], false);
    let remove = r#"mutation($id: AwardableID!, $name: String!) { awardEmojiRemove(input: { awardableId: $id, name: $name }) { awardEmoji { name } errors } }"#;
    let (_, body) =
        graphql(base, Some(&grace), remove, json!({ "id": "gid://gitlab/Issue/1", "name": "thumbsup" })).await;
    assert_eq!(body["data"]["awardEmojiRemove"], json!({ "awardEmoji": null, "errors": [] }));
    let (_, body) =
        graphql(base, Some(&grace), remove, json!({ "id": "gid://gitlab/Issue/1", "name": "thumbsup" })).await;
    assert_eq!(
        body["data"]["awardEmojiRemove"]["errors"],
        json!(["User has not awarded emoji of type thumbsup on the awardable"])
    );
    // Payload type names are GitLab's.
    let (_, body) = graphql(base, None, r#"{ __type(name: "AchievementsCreatePayload") { name } }"#, json!({})).await;
    assert_eq!(body["data"]["__type"]["name"], "AchievementsCreatePayload");
}

async fn issues_merge_requests_and_notes_expose_reactions(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let alice = token_for(base, "alice").await;
    let query = r#"query {
  project(fullPath: "heroes/website") {
    id fullPath
    issues { count atMost1: count(limit: 1) nodes { id iid title state upvotes downvotes author { username }
      awardEmoji { nodes { name emoji user { username } } }
      notes { nodes { id body awardEmoji { nodes { name user { username } } } } }
      comments: notes(filter: ONLY_COMMENTS) { count } activity: notes(filter: ONLY_ACTIVITY) { count } } }
    mergeRequest(iid: "1") { id iid upvotes downvotes awardEmoji { nodes { name } } notes { nodes { body } } }
  }
}"#;
    let (status, anonymous) = graphql(base, None, query, json!({})).await;
    assert_eq!(status, 200);
    let project = &anonymous["data"]["project"];
    assert_eq!(project["id"], "gid://gitlab/Project/1", "{anonymous}");
    // The confidential issue is not listed for anonymous readers.
    assert_eq!(project["issues"]["count"], 2, "{anonymous}");
    // GitLab's `count(limit:)`: the limit plus one when there are more.
    assert_eq!(project["issues"]["atMost1"], 2, "{anonymous}");
    // Newest first, as in GitLab.
    assert_eq!(project["issues"]["nodes"][0]["iid"], "2");
    let first = &project["issues"]["nodes"][1];
    assert_eq!(first["id"], "gid://gitlab/Issue/1");
    assert_eq!(first["iid"], "1");
    assert_eq!((first["upvotes"].as_i64(), first["downvotes"].as_i64()), (Some(3), Some(0)));
    assert_eq!(first["state"], "opened");
    assert_eq!(first["awardEmoji"]["nodes"].as_array().map(Vec::len), Some(4));
    // `notes(filter:)`: the issue has one comment and no system notes.
    assert_eq!((first["comments"]["count"].as_i64(), first["activity"]["count"].as_i64()), (Some(1), Some(0)));
    let names: Vec<&str> =
        first["awardEmoji"]["nodes"].as_array().expect("nodes").iter().filter_map(|n| n["name"].as_str()).collect();
    assert_eq!(names, ["thumbsup", "thumbsup", "eyes", "thumbsup"]);
    assert_eq!(first["awardEmoji"]["nodes"][0]["user"]["username"], "bob");
    assert_eq!(first["notes"]["nodes"][0]["awardEmoji"]["nodes"][0]["name"], "heart");
    assert_eq!(first["notes"]["nodes"][0]["awardEmoji"]["nodes"][0]["user"]["username"], "carol");
    let mr = &project["mergeRequest"];
    assert_eq!(mr["id"], "gid://gitlab/MergeRequest/1");
    assert_eq!(mr["awardEmoji"]["nodes"], json!([{ "name": "tada" }, { "name": "rocket" }]));
    assert_eq!(mr["notes"]["nodes"][0]["body"], "Looks good to me!");

    // A member sees the confidential issue too.
    let (_, owner) = graphql(base, Some(&alice), query, json!({})).await;
    assert_eq!(owner["data"]["project"]["issues"]["count"], 3, "{owner}");

    // Entry points by global id; private things are null, wrong ID kinds are errors.
    let by_id = r#"query($issue: IssueID!, $note: NoteID!) {
  issue(id: $issue) { title upvotes }
  note(id: $note) { body awardEmoji { nodes { name } } }
  mergeRequest(id: "gid://gitlab/MergeRequest/1") { title downvotes }
}"#;
    let (_, body) =
        graphql(base, None, by_id, json!({ "issue": "gid://gitlab/Issue/1", "note": "gid://gitlab/Note/1" })).await;
    assert_eq!(body["data"]["issue"], json!({ "title": "Dark mode flickers on load", "upvotes": 3 }), "{body}");
    assert_eq!(body["data"]["note"]["awardEmoji"]["nodes"], json!([{ "name": "heart" }]), "{body}");
    assert_eq!(body["data"]["mergeRequest"]["downvotes"], 0);
    let (_, hidden) =
        graphql(base, None, by_id, json!({ "issue": "gid://gitlab/Issue/4", "note": "gid://gitlab/Note/1" })).await;
    assert_eq!(hidden["data"]["issue"], Value::Null, "the private project's issue: {hidden}");
    let (_, private) = graphql(base, None, r#"{ project(fullPath: "secret-lab/vault") { id } }"#, json!({})).await;
    assert_eq!(private["data"]["project"], Value::Null);
    let (_, wrong) =
        graphql(base, None, by_id, json!({ "issue": "gid://gitlab/Note/1", "note": "gid://gitlab/Note/1" })).await;
    assert!(wrong["errors"][0]["message"].as_str().is_some_and(|m| m.contains("IssueID")), "{wrong}");
    let (_, bad_iid) =
        graphql(base, None, r#"{ project(fullPath: "heroes/website") { issue(iid: "x") { id } } }"#, json!({})).await;
    assert!(bad_iid["errors"][0]["message"].as_str().is_some_and(|m| m.contains("not a valid iid")), "{bad_iid}");
}
