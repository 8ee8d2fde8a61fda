//! Group webhooks against a real HTTP receiver (an axum server in this test
//! process): GitLab's headers and payloads for emoji and achievement events,
//! Standard Webhooks signatures checked here with an HMAC of our own, local
//! addresses refused until the admin allows them, retries while the receiver
//! is down, GitLab's auto-disable rule, resends, refused callers changing
//! nothing, and two processes on one PostgreSQL delivering each event once.

use crate::common;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use common::smtp::free_port;
use common::{call, database, spawn, start, temp_dir, token_for, Backend, ROOT_TOKEN};
use reqwest::Method;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request the receiver got.
#[derive(Clone, Debug)]
pub(crate) struct Received {
    headers: HeaderMap,
    body: String,
}

impl Received {
    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON payload")
    }
}

/// A webhook receiver: records every POST and answers with `status`.
#[derive(Clone, Default)]
pub(crate) struct Receiver {
    got: Arc<Mutex<Vec<Received>>>,
    status: Arc<AtomicU16>,
}

impl Receiver {
    /// Listens on `port` (0: any) until the test ends; the URL to give a hook.
    pub(crate) async fn listen(&self, port: u16) -> String {
        self.status.compare_exchange(0, 200, Ordering::SeqCst, Ordering::SeqCst).ok();
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.expect("receiver port");
        let port = listener.local_addr().expect("address").port();
        let app = axum::Router::new().route("/hook", axum::routing::post(Self::record)).with_state(self.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://127.0.0.1:{port}/hook")
    }

    async fn record(State(receiver): State<Receiver>, headers: HeaderMap, body: String) -> StatusCode {
        receiver.got.lock().expect("lock").push(Received { headers, body });
        StatusCode::from_u16(receiver.status.load(Ordering::SeqCst)).unwrap_or(StatusCode::OK)
    }

    pub(crate) fn all(&self) -> Vec<Received> {
        self.got.lock().expect("lock").clone()
    }

    /// Waits until `n` requests came (30 s at most), and returns them all.
    pub(crate) async fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let got = self.all();
            if got.len() >= n {
                return got;
            }
            assert!(Instant::now() < deadline, "{n} deliveries expected, {} came", got.len());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Checks a delivery's Standard Webhooks signature as a receiver would.
pub(crate) fn signature_holds(received: &Received, signing_token: &str) -> bool {
    use base64::Engine;
    use hmac::Mac;
    let b64 = base64::engine::general_purpose::STANDARD;
    let key = b64.decode(signing_token.trim_start_matches("whsec_")).expect("key");
    let (id, timestamp) = (received.header("webhook-id"), received.header("webhook-timestamp"));
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).expect("hmac");
    mac.update(format!("{id}.{timestamp}.{}", received.body).as_bytes());
    let expected = format!("v1,{}", b64.encode(mac.finalize().into_bytes()));
    let fresh = timestamp.parse::<i64>().is_ok_and(|t| (chrono::Utc::now().timestamp() - t).abs() < 300);
    fresh && received.header("webhook-signature").split(' ').any(|sig| sig == expected)
}

/// The keys come in this order (each key's first appearance in the JSON text).
fn in_order(json: &str, keys: &[&str]) {
    let at = |key: &str| json.find(&format!("\"{key}\":")).unwrap_or_else(|| panic!("{key} in {json}"));
    for pair in keys.windows(2) {
        assert!(at(pair[0]) < at(pair[1]), "{} before {} in {json}", pair[0], pair[1]);
    }
}

pub(crate) const SIGNING_TOKEN: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

pub(crate) async fn allow_local(base: &str, allow: bool) {
    let body = json!({ "allow_local_requests_from_web_hooks_and_services": allow });
    let (status, settings) = call(base, Method::PUT, "/application/settings", Some(ROOT_TOKEN), Some(body)).await;
    assert_eq!((status, &settings["allow_local_requests_from_web_hooks_and_services"]), (200, &json!(allow)));
}

/// Waits until the hook's newest delivery reached `state` after `attempts`
/// or more attempts; returns the list.
async fn deliveries_until(base: &str, token: &str, hook: i64, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let path = format!("/groups/heroes/hooks/{hook}/events");
        let (status, list) = call(base, Method::GET, &path, Some(token), None).await;
        assert_eq!(status, 200, "{list}");
        if done(&list) {
            return list;
        }
        assert!(Instant::now() < deadline, "deliveries never got there: {list}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

on_both!(
    group_webhooks_send_gitlabs_emoji_and_achievement_events,
    a_webhook_retries_while_its_receiver_is_down_then_is_disabled
);

async fn group_webhooks_send_gitlabs_emoji_and_achievement_events(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1"), ("WEBHOOK_RETRY_SECONDS", "0.2")]).await;
    let base = &server.base;
    let (alice, bob, carol, grace) = (
        token_for(base, "alice").await,
        token_for(base, "bob").await,
        token_for(base, "carol").await,
        token_for(base, "grace").await,
    );
    let receiver = Receiver::default();
    let url = receiver.listen(0).await;
    let hooks = "/groups/heroes/hooks";
    let new_hook = json!({
        "url": url, "name": "chat bridge", "token": "s3cret-token", "signing_token": SIGNING_TOKEN,
        "emoji_events": true, "achievement_events": true, "push_events": false,
    });

    // Refused callers, refused URLs: nothing is made.
    for (token, body, status) in [
        (Some(bob.as_str()), new_hook.clone(), 403),
        (None, new_hook.clone(), 401),
        (Some(alice.as_str()), json!({ "url": "not a url" }), 422),
        (Some(alice.as_str()), json!({ "url": "ftp://example.com/x" }), 422),
        (Some(alice.as_str()), json!({ "name": "no url" }), 400),
        (Some(alice.as_str()), new_hook.clone(), 400),
        (Some(alice.as_str()), json!({ "url": "http://169.254.169.254/latest" }), 400),
        (Some(alice.as_str()), json!({ "url": "https://example.com/h", "signing_token": "whsec_short" }), 400),
        (Some(alice.as_str()), json!({ "url": "https://example.com/h", "wiki_page_events": "maybe" }), 400),
    ] {
        let (got, answer) = call(base, Method::POST, hooks, token, Some(body.clone())).await;
        assert_eq!(got, status, "{body}: {answer}");
    }
    let (_, invalid) = call(base, Method::POST, hooks, Some(&alice), Some(json!({ "url": "not a url" }))).await;
    assert_eq!(invalid, json!({ "error": "Invalid url given" }));
    let (_, local) = call(base, Method::POST, hooks, Some(&alice), Some(new_hook.clone())).await;
    assert_eq!(local, json!({ "message": ["Url is blocked: Requests to the local network are not allowed"] }));
    assert_eq!(call(base, Method::GET, "/groups/secret-lab/hooks", Some(&grace), None).await.0, 404);
    assert_eq!(call(base, Method::GET, hooks, Some(&bob), None).await.0, 403);
    assert_eq!(call(base, Method::GET, hooks, Some(&alice), None).await, (200, json!([])), "nothing made");

    // Only the admin may let hooks reach local addresses.
    let allow = json!({ "allow_local_requests_from_web_hooks_and_services": true });
    let (status, _) = call(base, Method::PUT, "/application/settings", Some(&bob), Some(allow)).await;
    assert_eq!(status, 403);
    let (_, settings) = call(base, Method::GET, "/application/settings", Some(ROOT_TOKEN), None).await;
    assert_eq!(settings["allow_local_requests_from_web_hooks_and_services"], json!(false));
    allow_local(base, true).await;

    let (status, hook) = call(base, Method::POST, hooks, Some(&alice), Some(new_hook.clone())).await;
    assert_eq!(status, 201, "{hook}");
    let raw = common::client()
        .get(format!("{base}/api/v4/groups/heroes/hooks/{}", hook["id"]))
        .header("PRIVATE-TOKEN", &alice)
        .send()
        .await
        .expect("hook")
        .text()
        .await
        .expect("text");
    in_order(
        &raw,
        &[
            "id",
            "url",
            "name",
            "description",
            "created_at",
            "push_events",
            "tag_push_events",
            "merge_requests_events",
            "repository_update_events",
            "enable_ssl_verification",
            "alert_status",
            "disabled_until",
            "url_variables",
            "push_events_branch_filter",
            "branch_filter_strategy",
            "custom_webhook_template",
            "custom_headers",
            "group_id",
            "issues_events",
            "confidential_issues_events",
            "note_events",
            "confidential_note_events",
            "pipeline_events",
            "wiki_page_events",
            "job_events",
            "deployment_events",
            "feature_flag_events",
            "releases_events",
            "milestone_events",
            "subgroup_events",
            "emoji_events",
            "resource_access_token_events",
            "member_events",
            "vulnerability_events",
            "project_events",
        ],
    );
    assert!(!raw.contains("s3cret-token") && !raw.contains(SIGNING_TOKEN), "secrets never shown: {raw}");
    assert!(hook.get("token").is_none() && hook.get("signing_token").is_none(), "{hook}");
    assert_eq!(
        (&hook["emoji_events"], &hook["push_events"], &hook["alert_status"]),
        (&json!(true), &json!(false), &json!("executable"))
    );
    let hook_id = hook["id"].as_i64().expect("hook id");

    // A reaction: GitLab's emoji event, signed, with the secret token.
    let reactions = "/projects/heroes%2Fwebsite/issues/1/award_emoji";
    let (status, reaction) = call(base, Method::POST, reactions, Some(&carol), Some(json!({ "name": "rocket" }))).await;
    assert_eq!(status, 201, "{reaction}");
    let got = receiver.wait_for(1).await;
    let award = &got[0];
    assert_eq!(award.header("x-gitlab-event"), "Emoji Hook");
    assert_eq!(award.header("x-gitlab-token"), "s3cret-token");
    assert_eq!(award.header("content-type"), "application/json");
    assert!(award.header("user-agent").starts_with("Laurel/"), "{:?}", award.headers);
    assert_eq!(award.header("x-gitlab-instance"), base);
    assert_eq!(award.header("idempotency-key"), award.header("webhook-id"));
    assert_eq!(award.header("idempotency-key").len(), 36, "a UUID");
    assert!(signature_holds(award, SIGNING_TOKEN), "the signature verifies: {:?}", award.headers);
    let mut tampered = award.clone();
    tampered.body = tampered.body.replace("rocket", "tada");
    assert!(!signature_holds(&tampered, SIGNING_TOKEN), "a changed body does not");
    let payload = award.json();
    assert_eq!(
        (&payload["object_kind"], &payload["event_type"], &payload["user"]["username"], &payload["user"]["email"]),
        (&json!("emoji"), &json!("award"), &json!("carol"), &json!("[REDACTED]"))
    );
    assert_eq!(payload["object_attributes"]["name"], "rocket");
    assert_eq!(payload["object_attributes"]["id"], reaction["id"]);
    assert_eq!(payload["object_attributes"]["awardable_type"], "Issue");
    assert_eq!(payload["issue"]["iid"], 1);
    assert_eq!(payload["project"]["path_with_namespace"], "heroes/website");
    assert_eq!(payload["project_id"], payload["project"]["id"]);
    assert_eq!(payload["object_attributes"]["awarded_on_url"], format!("{base}/heroes/website/-/issues/1"));
    let keys = ["object_kind", "event_type", "user", "project_id", "project", "object_attributes", "issue"];
    in_order(&award.body, &keys);
    assert_eq!(payload.as_object().expect("object").len(), keys.len(), "{payload}");

    // Taking it back is a revoke event.
    let remove = format!("{reactions}/{}", reaction["id"]);
    assert_eq!(call(base, Method::DELETE, &remove, Some(&carol), None).await.0, 204);
    let got = receiver.wait_for(2).await;
    assert_eq!(got[1].json()["event_type"], "revoke");
    assert_ne!(got[1].header("idempotency-key"), got[0].header("idempotency-key"));

    // An award and its revocation: achievement events.
    let (_, achievement) =
        call(base, Method::POST, "/groups/heroes/achievements", Some(&alice), Some(json!({ "name": "Hooked" }))).await;
    let awards = format!("/groups/heroes/achievements/{}/awards", achievement["id"]);
    let (status, given) = call(base, Method::POST, &awards, Some(&alice), Some(json!({ "username": "carol" }))).await;
    assert_eq!(status, 201, "{given}");
    let got = receiver.wait_for(3).await;
    assert_eq!(got[2].header("x-gitlab-event"), "Achievement Hook");
    let awarded = got[2].json();
    assert_eq!(
        (&awarded["object_kind"], &awarded["event_type"], &awarded["user"]["username"]),
        (&json!("achievement"), &json!("awarded"), &json!("alice"))
    );
    assert_eq!(
        (&awarded["recipient"]["username"], &awarded["achievement"]["name"]),
        (&json!("carol"), &json!("Hooked"))
    );
    assert_eq!(awarded["object_attributes"]["id"], given["id"]);
    assert_eq!(awarded["group"]["full_path"], "heroes");
    let revoke = format!("/user_achievements/{}/revoke", given["id"]);
    assert_eq!(call(base, Method::POST, &revoke, Some(&alice), None).await.0, 201);
    let got = receiver.wait_for(4).await;
    assert_eq!(got[3].json()["event_type"], "revoked");
    assert!(got[3].json()["object_attributes"]["revoked_at"].is_string());

    // A reaction on a confidential issue goes only to hooks that also take
    // confidential issue events; an award to someone behind a private profile
    // goes nowhere (Owners are not told who holds what there).
    let secret_issue = "/projects/heroes%2Fwebsite/issues/3/award_emoji";
    assert_eq!(call(base, Method::POST, secret_issue, Some(&carol), Some(json!({ "name": "eyes" }))).await.0, 201);
    let dave = call(base, Method::GET, "/users?username=dave", Some(ROOT_TOKEN), None).await.1[0]["id"].clone();
    let private = json!({ "private_profile": true });
    assert_eq!(call(base, Method::PUT, &format!("/users/{dave}"), Some(ROOT_TOKEN), Some(private)).await.0, 200);
    let (status, _) = call(base, Method::POST, &awards, Some(&alice), Some(json!({ "username": "dave" }))).await;
    assert_eq!(status, 201);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.all().len(), 4, "neither was sent");
    let confidential = json!({ "confidential_issues_events": true });
    let (status, _) = call(base, Method::PUT, &format!("{hooks}/{hook_id}"), Some(&alice), Some(confidential)).await;
    assert_eq!(status, 200);
    assert_eq!(call(base, Method::POST, secret_issue, Some(&carol), Some(json!({ "name": "lock" }))).await.0, 201);
    let got = receiver.wait_for(5).await;
    assert_eq!((&got[4].json()["issue"]["confidential"], &got[4].json()["issue"]["iid"]), (&json!(true), &json!(3)));

    // The recent deliveries, newest first.
    let list = deliveries_until(base, &alice, hook_id, |list| {
        list.as_array().is_some_and(|l| l.len() == 5 && l.iter().all(|d| d["state"] == "delivered"))
    })
    .await;
    assert_eq!(list[1]["trigger"], "achievement_events");
    assert_eq!(list[4]["trigger"], "emoji_events");
    assert_eq!((&list[4]["response_status"], &list[4]["attempts"]), (&json!("200"), &json!(1)));
    assert_eq!(list[4]["request_data"]["object_attributes"]["name"], "rocket");

    // Refused callers see nothing and resend nothing.
    let first = list[4]["id"].as_i64().expect("delivery id");
    let resend = format!("/groups/heroes/hooks/{hook_id}/events/{first}/resend");
    assert_eq!(call(base, Method::GET, &format!("{hooks}/{hook_id}/events"), Some(&bob), None).await.0, 403);
    assert_eq!(call(base, Method::GET, &format!("{hooks}/{hook_id}"), Some(&bob), None).await.0, 403);
    assert_eq!(call(base, Method::GET, &format!("{hooks}/{hook_id}"), None, None).await.0, 401);
    assert_eq!(call(base, Method::POST, &resend, Some(&bob), None).await.0, 403);
    assert_eq!(call(base, Method::POST, &resend, None, None).await.0, 401);
    assert_eq!(
        call(base, Method::GET, &format!("/groups/secret-lab/hooks/{hook_id}"), Some(ROOT_TOKEN), None).await.0,
        404
    );
    // A resend keeps the Idempotency-Key, with a fresh signature.
    let (status, answer) = call(base, Method::POST, &resend, Some(&alice), None).await;
    assert_eq!((status, answer), (201, json!({ "message": "201 Created" })));
    let got = receiver.wait_for(6).await;
    assert_eq!(got[5].header("idempotency-key"), got[0].header("idempotency-key"));
    assert_eq!(got[5].body, got[0].body);
    assert!(signature_holds(&got[5], SIGNING_TOKEN));
    assert_eq!(got.len(), 6, "the refused resends sent nothing");

    // A test event: the group's newest reaction, now.
    let test = format!("{hooks}/{hook_id}/test/emoji_events");
    assert_eq!(call(base, Method::POST, &test, Some(&bob), None).await.0, 403);
    assert_eq!(
        call(base, Method::POST, &format!("{hooks}/{hook_id}/test/push_events"), Some(&alice), None).await.0,
        400
    );
    assert_eq!(call(base, Method::POST, &test, Some(&alice), None).await.0, 201);
    assert_eq!(receiver.wait_for(7).await[6].json()["object_kind"], "emoji");

    // Switched off: no more emoji events. Bob may not switch it back.
    let one = format!("{hooks}/{hook_id}");
    let (status, changed) = call(base, Method::PUT, &one, Some(&alice), Some(json!({ "emoji_events": false }))).await;
    assert_eq!((status, &changed["emoji_events"], &changed["achievement_events"]), (200, &json!(false), &json!(true)));
    assert_eq!(call(base, Method::PUT, &one, Some(&bob), Some(json!({ "emoji_events": true }))).await.0, 403);
    assert_eq!(call(base, Method::POST, reactions, Some(&carol), Some(json!({ "name": "tada" }))).await.0, 201);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.all().len(), 7, "nothing sent for a switched-off event");

    // A new address gets no old secret: the token and signing key stay behind.
    let other = Receiver::default();
    let moved = json!({ "url": other.listen(0).await, "emoji_events": true });
    assert_eq!(call(base, Method::PUT, &one, Some(&alice), Some(moved)).await.0, 200);
    assert_eq!(call(base, Method::POST, &test, Some(&alice), None).await.0, 201);
    let at_other = other.wait_for(1).await;
    assert_eq!((at_other[0].header("x-gitlab-token"), at_other[0].header("webhook-signature")), ("", ""));

    // Without confidential issue events, a test takes the newest reaction
    // the hook would have had: never one on a confidential issue, even the
    // newest of all.
    let open_only = json!({ "confidential_issues_events": false });
    assert_eq!(call(base, Method::PUT, &one, Some(&alice), Some(open_only)).await.0, 200);
    assert_eq!(call(base, Method::POST, secret_issue, Some(&carol), Some(json!({ "name": "zap" }))).await.0, 201);
    assert_eq!(call(base, Method::POST, &test, Some(&alice), None).await.0, 201);
    let at_other = other.wait_for(2).await;
    let sample = at_other[1].json();
    assert_eq!(
        (&sample["issue"]["confidential"], &sample["object_attributes"]["name"]),
        (&json!(false), &json!("tada"))
    );
    assert!(!at_other[1].body.contains("Rotate the signing keys"), "{}", at_other[1].body);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(other.all().len(), 2, "the reaction on the confidential issue was not sent");

    // Tests: five a minute per user, as GitLab (three so far).
    for _ in 0..2 {
        assert_eq!(call(base, Method::POST, &test, Some(&alice), None).await.0, 201);
    }
    let (status, answer) = call(base, Method::POST, &test, Some(&alice), None).await;
    assert_eq!(
        (status, answer),
        (429, json!({ "message": { "error": "This endpoint has been requested too many times. Try again later." } }))
    );
    other.wait_for(4).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(other.all().len(), 4, "the refused test sent nothing");

    // Deleting: Bob may not; Alice may; its deliveries go with it.
    assert_eq!(call(base, Method::DELETE, &one, Some(&bob), None).await.0, 403);
    assert_eq!(call(base, Method::DELETE, &one, Some(&alice), None).await.0, 204);
    assert_eq!(call(base, Method::GET, hooks, Some(&alice), None).await, (200, json!([])));
    assert_eq!(call(base, Method::GET, &format!("{one}/events"), Some(&alice), None).await.0, 404);
}

async fn a_webhook_retries_while_its_receiver_is_down_then_is_disabled(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1"), ("WEBHOOK_RETRY_SECONDS", "0.1")]).await;
    let base = &server.base;
    common::set_limits(base, json!({ "reactions_per_user_per_minute": 0 })).await;
    let (alice, carol) = (token_for(base, "alice").await, token_for(base, "carol").await);
    allow_local(base, true).await;
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let body = json!({ "url": url, "emoji_events": true });
    let (status, hook) = call(base, Method::POST, "/groups/heroes/hooks", Some(&alice), Some(body)).await;
    assert_eq!(status, 201, "{hook}");
    let hook_id = hook["id"].as_i64().expect("hook id");
    let reactions = "/projects/heroes%2Fwebsite/issues/1/award_emoji";

    // Nobody listens yet: the first attempt fails, and is tried again.
    assert_eq!(call(base, Method::POST, reactions, Some(&carol), Some(json!({ "name": "rocket" }))).await.0, 201);
    let list = deliveries_until(base, &alice, hook_id, |l| {
        l[0]["attempts"].as_i64() >= Some(1) && l[0]["internal_error_message"].is_string()
    })
    .await;
    assert_eq!(list[0]["response_status"], "internal error");
    let receiver = Receiver::default();
    receiver.listen(port).await;
    let got = receiver.wait_for(1).await;
    assert_eq!(got[0].json()["object_attributes"]["name"], "rocket");
    let list = deliveries_until(base, &alice, hook_id, |l| l[0]["state"] == "delivered").await;
    assert!(list[0]["attempts"].as_i64() >= Some(2), "delivered on a retry: {list}");

    // The receiver fails every time: four deliveries failed in a row
    // (each after its retries) disable the hook for a while.
    receiver.status.store(500, Ordering::SeqCst);
    for name in ["tada", "heart", "eyes", "fire"] {
        assert_eq!(call(base, Method::POST, reactions, Some(&carol), Some(json!({ "name": name }))).await.0, 201);
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let disabled = loop {
        let (_, hook) = call(base, Method::GET, &format!("/groups/heroes/hooks/{hook_id}"), Some(&alice), None).await;
        if hook["alert_status"] == "temporarily_disabled" {
            break hook;
        }
        assert!(Instant::now() < deadline, "never disabled: {hook}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(disabled["disabled_until"].is_string(), "{disabled}");
    let list = deliveries_until(base, &alice, hook_id, |l| l.as_array().is_some_and(|l| l.len() == 5)).await;
    for failed in &list.as_array().expect("list")[..4] {
        let seen = (&failed["state"], &failed["attempts"], &failed["response_status"]);
        assert_eq!(seen, (&json!("failed"), &json!(4), &json!("500")), "{list:#}");
    }
    let sent_while_failing = receiver.all().len();
    assert_eq!(sent_while_failing, 1 + 4 * 4, "four attempts per delivery");

    // While disabled an event waits; a test that reaches the receiver enables the hook again.
    assert_eq!(call(base, Method::POST, reactions, Some(&carol), Some(json!({ "name": "star" }))).await.0, 201);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(receiver.all().len(), sent_while_failing, "nothing sent while disabled");
    let waiting = deliveries_until(base, &alice, hook_id, |l| l.as_array().is_some_and(|l| l.len() == 6)).await;
    assert_eq!((&waiting[0]["state"], &waiting[0]["attempts"]), (&json!("pending"), &json!(0)));
    receiver.status.store(200, Ordering::SeqCst);
    let test = format!("/groups/heroes/hooks/{hook_id}/test/emoji_events");
    assert_eq!(call(base, Method::POST, &test, Some(&alice), None).await.0, 201);
    receiver.wait_for(sent_while_failing + 1).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, hook) = call(base, Method::GET, &format!("/groups/heroes/hooks/{hook_id}"), Some(&alice), None).await;
        if hook["alert_status"] == "executable" {
            break;
        }
        assert!(Instant::now() < deadline, "never enabled again: {hook}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Two server processes on one PostgreSQL database: every event goes to the
/// receiver once, whichever process made it and whichever delivered it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_deliver_each_webhook_event_once() {
    let db = database(Backend::Postgres).await;
    let (url, dir) = (db.url.clone(), db.dir().to_path_buf());
    let env = [("DEMO_DATA", "1")];
    let first = spawn(&url, &dir, &env);
    let second = spawn(&url, &temp_dir(), &env);
    common::set_limits(&first.base, json!({ "reactions_per_user_per_minute": 0 })).await;
    allow_local(&first.base, true).await;
    let receiver = Receiver::default();
    let hook_url = receiver.listen(0).await;
    let alice = token_for(&first.base, "alice").await;
    let body = json!({ "url": hook_url, "emoji_events": true });
    assert_eq!(call(&first.base, Method::POST, "/groups/heroes/hooks", Some(&alice), Some(body)).await.0, 201);
    let names = ["rocket", "tada", "heart", "eyes", "fire", "star", "sparkles", "clap", "wave", "100"];
    let mut tasks = Vec::new();
    for (n, base) in [first.base.clone(), second.base.clone()].into_iter().enumerate() {
        let carol = token_for(&base, "carol").await;
        tasks.push(tokio::spawn(async move {
            for name in names {
                let path = format!("/projects/heroes%2Fwebsite/issues/{}/award_emoji", n + 1);
                assert_eq!(call(&base, Method::POST, &path, Some(&carol), Some(json!({ "name": name }))).await.0, 201);
            }
        }));
    }
    for task in tasks {
        task.await.expect("reactions");
    }
    receiver.wait_for(20).await;
    // Time for a second copy to come, if either process were to send one.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let got = receiver.all();
    let mut keys: Vec<&str> = got.iter().map(|r| r.header("idempotency-key")).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!((got.len(), keys.len()), (20, 20), "20 events, each delivered once");
}

/// One group's slow receivers hold no more than half the senders: another
/// group's delivery goes out at once while a group with eight hooks to a
/// receiver that never answers waits on them (with every sender held, it
/// waited for their 10 s timeouts, and with hundreds queued, for hours).
#[tokio::test]
async fn one_groups_slow_receivers_do_not_hold_up_another_groups_deliveries() {
    let server = start(Backend::Sqlite, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    allow_local(base, true).await;
    let (alice, grace) = (token_for(base, "alice").await, token_for(base, "grace").await);
    // A receiver that takes every connection and never answers.
    let stall = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("stall port");
    let stall_url = format!("http://127.0.0.1:{}/hook", stall.local_addr().expect("address").port());
    let held = Arc::new(Mutex::new(Vec::new()));
    let keep = held.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = stall.accept().await {
            keep.lock().expect("lock").push(socket);
        }
    });
    let (status, group) =
        call(base, Method::POST, "/groups", Some(&grace), Some(json!({ "name": "Crowd", "path": "crowd" }))).await;
    assert_eq!(status, 201, "{group}");
    for _ in 0..8 {
        let hook = json!({ "url": stall_url, "achievement_events": true });
        assert_eq!(call(base, Method::POST, "/groups/crowd/hooks", Some(&grace), Some(hook)).await.0, 201);
    }
    let (_, crowd) =
        call(base, Method::POST, "/groups/crowd/achievements", Some(&grace), Some(json!({ "name": "Loud" }))).await;
    for _ in 0..3 {
        let path = format!("/groups/crowd/achievements/{}/awards", crowd["id"]);
        assert_eq!(call(base, Method::POST, &path, Some(&grace), Some(json!({ "username": "carol" }))).await.0, 201);
    }
    // The crowd's deliveries are in flight (24 queued, eight hooks).
    let deadline = Instant::now() + Duration::from_secs(10);
    while held.lock().expect("lock").len() < 4 {
        assert!(Instant::now() < deadline, "the stalled receiver was called");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let receiver = Receiver::default();
    let url = receiver.listen(0).await;
    let hook = json!({ "url": url, "achievement_events": true });
    assert_eq!(call(base, Method::POST, "/groups/heroes/hooks", Some(&alice), Some(hook)).await.0, 201);
    let (_, list) = call(base, Method::GET, "/groups/heroes/achievements", Some(&alice), None).await;
    let path = format!("/groups/heroes/achievements/{}/awards", list[0]["id"]);
    let sent = Instant::now();
    assert_eq!(call(base, Method::POST, &path, Some(&alice), Some(json!({ "username": "dave" }))).await.0, 201);
    receiver.wait_for(1).await;
    assert!(sent.elapsed() < Duration::from_secs(3), "delivered in {:?}", sent.elapsed());
    assert_eq!(held.lock().expect("lock").len(), 4, "the crowd holds half the senders");
}
