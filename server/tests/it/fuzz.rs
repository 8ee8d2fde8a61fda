//! Fuzz pass: thousands of generated requests against the real binary on both
//! databases, every one of which must get an answer below 500, with the server
//! still healthy afterwards. Values come from proptest strategies (deterministic
//! seed, so a failure reproduces): malformed and wrongly typed JSON, huge and
//! unicode-hostile strings, random and absurd ids, broken bodies and content
//! types. REST requests cover every route of the API; GraphQL requests cover
//! every mutation, found by introspecting the schema, with inputs generated from
//! each input type's fields.

use crate::common;

use common::{client, graphql, set_limits, start, token_for, Backend, ROOT_TOKEN};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

on_both!(generated_requests_never_get_a_server_error);

/// Requests per backend: REST, then GraphQL mutations.
const REST_CASES: usize = 2400;
const GRAPHQL_CASES: usize = 1200;
/// Below the server's body limit (4 MiB).
const MAX_BODY: usize = 3 * 1024 * 1024;

/// Every REST route (`{id}`-style holes are filled by [`path_id`]) with its methods.
const ROUTES: &[(&str, &[&str])] = &[
    ("/user", &["GET"]),
    ("/users", &["GET", "POST"]),
    ("/users/{id}", &["GET", "PUT"]),
    ("/users/{id}/personal_access_tokens", &["POST"]),
    ("/personal_access_tokens", &["GET"]),
    ("/personal_access_tokens/self", &["GET"]),
    ("/personal_access_tokens/{id}", &["GET", "DELETE"]),
    ("/personal_access_tokens/{id}/rotate", &["POST"]),
    ("/version", &["GET"]),
    ("/application/settings", &["GET", "PUT"]),
    ("/groups", &["GET", "POST"]),
    ("/groups/{id}", &["GET"]),
    ("/groups/{id}/members", &["GET", "POST"]),
    ("/groups/{id}/members/{id}", &["PUT", "DELETE"]),
    ("/projects", &["GET", "POST"]),
    ("/projects/{id}", &["GET"]),
    ("/projects/{id}/members", &["GET", "POST"]),
    ("/projects/{id}/issues", &["GET", "POST"]),
    ("/projects/{id}/issues/{id}", &["GET"]),
    ("/projects/{id}/merge_requests", &["GET", "POST"]),
    ("/projects/{id}/merge_requests/{id}", &["GET"]),
    ("/projects/{id}/issues/{id}/notes", &["GET", "POST"]),
    ("/projects/{id}/merge_requests/{id}/notes", &["GET", "POST"]),
    ("/projects/{id}/issues/{id}/notes/{id}", &["GET"]),
    ("/projects/{id}/merge_requests/{id}/notes/{id}", &["GET"]),
    ("/projects/{id}/snippets", &["GET", "POST"]),
    ("/projects/{id}/issues/{id}/award_emoji", &["GET", "POST"]),
    ("/projects/{id}/issues/{id}/award_emoji/{id}", &["GET", "DELETE"]),
    ("/projects/{id}/merge_requests/{id}/award_emoji", &["GET", "POST"]),
    ("/projects/{id}/merge_requests/{id}/award_emoji/{id}", &["GET", "DELETE"]),
    ("/projects/{id}/issues/{id}/notes/{id}/award_emoji", &["GET", "POST"]),
    ("/projects/{id}/merge_requests/{id}/notes/{id}/award_emoji/{id}", &["GET", "DELETE"]),
    ("/projects/{id}/snippets/{id}/award_emoji", &["GET", "POST"]),
    ("/projects/{id}/snippets/{id}/notes/{id}/award_emoji", &["GET", "POST"]),
    ("/groups/{id}/achievements", &["GET", "POST"]),
    ("/groups/{id}/achievements/{id}", &["GET", "PUT", "DELETE"]),
    ("/groups/{id}/achievements/{id}/awards", &["GET", "POST"]),
    ("/user_achievements/{id}/revoke", &["POST"]),
    ("/user_achievements/{id}", &["DELETE"]),
    ("/users/{id}/achievements", &["GET"]),
    ("/user/achievements/priorities", &["PUT"]),
    ("/user/achievements/{id}", &["PUT"]),
    ("/groups/{id}/audit_events", &["GET"]),
    ("/groups/{id}/reaction_set", &["GET", "PUT"]),
    ("/groups/{id}/achievements/{id}/awards/bulk", &["POST"]),
];

/// Parameter names the REST API reads (and a few it does not).
const PARAMS: &[&str] = &[
    "name",
    "path",
    "visibility",
    "username",
    "email",
    "password",
    "scopes",
    "expires_at",
    "access_level",
    "user_id",
    "title",
    "description",
    "body",
    "confidential",
    "per_page",
    "page",
    "search",
    "state",
    "admin",
    "bio",
    "achievements_enabled",
    "private_profile",
    "namespace_id",
    "parent_id",
    "source_branch",
    "target_branch",
    "file_name",
    "content",
    "revoked",
    "order_by",
    "sort",
    "max_login_attempts",
    "message",
    "include_hidden",
    "show_on_profile",
    "ids",
    "created_after",
    "emoji",
    "csv",
    "dry_run",
    "format",
    "downvotes",
    "created_before",
    "achievement_id",
    "reactions_per_user_per_minute",
    "id",
    "__proto__",
];

/// Strings that have broken servers: empty, huge, control and format
/// characters, right-to-left overrides, astral-plane emoji, percent escapes,
/// SQL and HTML, overlong numbers, ids in GitLab's global format.
fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        any::<String>(),
        "\\PC{0,60}",
        "[\\p{Cc}\\p{Cf}\\p{Co}\\p{Zl}\\p{Zp}]{1,30}",
        (1usize..300_000).prop_map(|n| "x".repeat(n)),
        (1usize..5000).prop_map(|n| "👩‍👩‍👧‍👦\u{202e}é\u{301}".repeat(n)),
        Just("'; DROP TABLE users; --".to_string()),
        Just("<script>alert(1)</script>".to_string()),
        Just("%00%ff%c0%af%2e%2e".to_string()),
        Just("../../../../etc/passwd".to_string()),
        Just("99999999999999999999999999999".to_string()),
        Just("-9223372036854775808".to_string()),
        Just("1e309".to_string()),
        Just("gid://gitlab/User/1".to_string()),
        Just("gid://gitlab/Issue/99999999999999999999".to_string()),
        Just("gid://gitlab/Achievements::Achievement/-1".to_string()),
        Just("\u{feff}\u{fffe}\u{ffff}".to_string()),
        Just("thumbsup".to_string()),
        Just("2026-02-30".to_string()),
    ]
}

/// Any JSON, nested a few levels, leaves biased to the hostile.
fn hostile_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)),
        (0i64..12).prop_map(Value::from),
        hostile_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(hostile_string(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A path segment where an id goes: real small ids, absurd numbers, words, escapes.
fn path_id() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (1i64..12).prop_map(|n| n.to_string()),
        1 => any::<i64>().prop_map(|n| n.to_string()),
        1 => Just("99999999999999999999999".to_string()),
        1 => Just("heroes%2Fwebsite".to_string()),
        1 => Just("heroes".to_string()),
        1 => Just("%00".to_string()),
        1 => Just("%E2%80%AE".to_string()),
        1 => Just("1.5".to_string()),
        1 => Just("-1".to_string()),
        1 => Just("self".to_string()),
        1 => "[a-z%]{1,12}",
    ]
}

#[derive(Debug, Clone)]
enum Body {
    None,
    /// A JSON object of API parameter names (and junk keys) to hostile values.
    Params(Map<String, Value>),
    /// Any JSON document at all.
    Json(Value),
    /// Bytes with a content type that may not match them.
    Raw(&'static str, Vec<u8>),
}

fn body() -> impl Strategy<Value = Body> {
    let param = prop_oneof![3 => prop::sample::select(PARAMS).prop_map(str::to_string), 1 => hostile_string()];
    prop_oneof![
        1 => Just(Body::None),
        5 => prop::collection::btree_map(param, hostile_json(), 0..8)
            .prop_map(|m| Body::Params(m.into_iter().collect())),
        2 => hostile_json().prop_map(Body::Json),
        1 => prop::collection::vec(any::<u8>(), 0..400).prop_map(|b| Body::Raw("application/json", b)),
        1 => Just(Body::Raw("application/json", b"{\"name\": \"unterminated".to_vec())),
        1 => Just(Body::Raw("application/json", b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[".to_vec())),
        1 => hostile_string().prop_map(|s| Body::Raw("application/x-www-form-urlencoded", format!("name={s}&scopes[]=api&scopes[]={s}&=&&==").into_bytes())),
        1 => prop::collection::vec(any::<u8>(), 0..400).prop_map(|b| Body::Raw("multipart/form-data; boundary=x", b)),
        1 => hostile_string().prop_map(|s| Body::Raw("text/plain", s.into_bytes())),
    ]
}

#[derive(Debug, Clone)]
struct RestCase {
    method: &'static str,
    path: String,
    query: Vec<(String, String)>,
    body: Body,
    /// Which caller: 0 root (admin), 1 alice (owner), 2 carol (developer), 3 anonymous.
    caller: usize,
}

fn rest_case() -> impl Strategy<Value = RestCase> {
    let route = prop::sample::select(ROUTES).prop_flat_map(|(template, methods)| {
        let holes = template.matches("{id}").count();
        (Just(template), prop::sample::select(methods), prop::collection::vec(path_id(), holes))
    });
    let query = prop::collection::vec(
        (
            prop::sample::select(PARAMS).prop_map(str::to_string),
            hostile_string().prop_map(|s| s.chars().take(300).collect()),
        ),
        0..4,
    );
    (route, query, body(), 0usize..4).prop_map(|((template, method, ids), query, body, caller)| {
        let mut path = template.to_string();
        for id in ids {
            path = path.replacen("{id}", &id, 1);
        }
        RestCase { method, path, query, body, caller }
    })
}

/// Values for an input field of a GraphQL type: usually of the right kind
/// (a global id for `*ID`, a string for strings, a number for `Int`), often not.
fn graphql_value(type_name: String) -> BoxedStrategy<Value> {
    let right: BoxedStrategy<Value> = if type_name.ends_with("ID") {
        prop_oneof![
            (1i64..12).prop_map(|n| Value::from(format!("gid://gitlab/Issue/{n}"))),
            (1i64..12).prop_map(|n| Value::from(format!("gid://gitlab/Achievements::Achievement/{n}"))),
            (1i64..12).prop_map(|n| Value::from(format!("gid://gitlab/User/{n}"))),
            (1i64..12).prop_map(|n| Value::from(format!("gid://gitlab/Group/{n}"))),
            (1i64..12).prop_map(|n| Value::from(format!("gid://gitlab/Achievements::UserAchievement/{n}"))),
            (1i64..12).prop_map(|n| Value::from(format!("gid://gitlab/Note/{n}"))),
        ]
        .boxed()
    } else if type_name == "Int" {
        any::<i64>().prop_map(Value::from).boxed()
    } else if type_name == "Boolean" {
        any::<bool>().prop_map(Value::Bool).boxed()
    } else {
        hostile_string().prop_map(Value::String).boxed()
    };
    prop_oneof![3 => right, 1 => hostile_json()].boxed()
}

/// The named type under `NON_NULL` / `LIST` wrappers.
fn named(type_ref: &Value) -> String {
    let mut t = type_ref;
    while t["name"].is_null() && !t["ofType"].is_null() {
        t = &t["ofType"];
    }
    t["name"].as_str().unwrap_or_default().to_string()
}

const INTROSPECTION: &str = r#"{ __schema {
    mutationType { fields { name args { name type { name kind ofType { name kind ofType { name kind } } } } } }
    types { name kind inputFields { name type { name kind ofType { name kind ofType { name kind } } } } } } }"#;

/// Every mutation and, per mutation, its `input` fields with their types.
async fn mutations(base: &str) -> Vec<(String, String, Vec<(String, String)>)> {
    let (status, schema) = graphql(base, Some(ROOT_TOKEN), INTROSPECTION, json!({})).await;
    assert_eq!(status, 200, "{schema}");
    let inputs: BTreeMap<String, Vec<(String, String)>> = schema["data"]["__schema"]["types"]
        .as_array()
        .expect("types")
        .iter()
        .filter(|t| t["kind"] == "INPUT_OBJECT")
        .map(|t| {
            let fields = t["inputFields"]
                .as_array()
                .map(|fs| {
                    fs.iter().map(|f| (f["name"].as_str().unwrap_or_default().to_string(), named(&f["type"]))).collect()
                })
                .unwrap_or_default();
            (t["name"].as_str().unwrap_or_default().to_string(), fields)
        })
        .collect();
    schema["data"]["__schema"]["mutationType"]["fields"]
        .as_array()
        .expect("mutations")
        .iter()
        .filter_map(|m| {
            let input = m["args"].as_array()?.iter().find(|a| a["name"] == "input")?;
            let input_type = named(&input["type"]);
            let fields = inputs.get(&input_type)?.clone();
            Some((m["name"].as_str()?.to_string(), input_type, fields))
        })
        .collect()
}

/// The id of a token, as `GET /personal_access_tokens/self` tells its bearer.
async fn token_id(base: &str, path: &str, token: &str) -> String {
    let response =
        client().get(format!("{base}/api/v4{path}")).header("PRIVATE-TOKEN", token).send().await.expect("get");
    let body: Value = response.json().await.unwrap_or(Value::Null);
    body["id"].as_i64().expect("token id").to_string()
}

async fn generated_requests_never_get_a_server_error(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    // A quarter of the cases come without credentials, many more than the
    // unauthenticated API throttle lets through (tested in `abuse_limits`).
    set_limits(base, json!({ "throttle_unauthenticated_api_requests_per_period": 0 })).await;
    // The fuzzer's own tokens: it may revoke or rotate them, or demote root,
    // but not the token this test keeps for its last checks.
    let tokens = [
        Some(token_for(base, "root").await),
        Some(token_for(base, "alice").await),
        Some(token_for(base, "carol").await),
        None,
    ];
    // `self` too: the fuzzer's callers keep their tokens.
    let mut spared = vec!["self".to_string(), token_id(base, "/personal_access_tokens/self", ROOT_TOKEN).await];
    for token in tokens.iter().flatten() {
        spared.push(token_id(base, "/personal_access_tokens/self", token).await);
    }
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    // A fresh connection per request: a refusal that closes its connection
    // (such as `413`) must not be blamed on the next request.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("client");

    let cases = rest_case();
    let mut sent = 0;
    for n in 0..REST_CASES {
        let mut case = cases.new_tree(&mut runner).expect("case").current();
        let token_id = case.path.strip_prefix("/personal_access_tokens/").and_then(|rest| rest.split('/').next());
        if token_id.is_some_and(|id| spared.iter().any(|s| s == id)) {
            case.path = case.path.replacen("/personal_access_tokens/", "/personal_access_tokens/999", 1);
        }
        let url = format!("{base}/api/v4{}", case.path);
        let method = reqwest::Method::from_bytes(case.method.as_bytes()).expect("method");
        let mut request = http.request(method, &url).query(&case.query);
        if let Some(token) = &tokens[case.caller] {
            request = request.header("PRIVATE-TOKEN", token);
        }
        let (content_type, bytes) = match &case.body {
            Body::None => ("application/json", Vec::new()),
            Body::Params(map) => ("application/json", serde_json::to_vec(map).expect("json")),
            Body::Json(value) => ("application/json", serde_json::to_vec(value).expect("json")),
            Body::Raw(content_type, bytes) => (*content_type, bytes.clone()),
        };
        // Bodies over the server's 4 MiB limit get 413 (tested elsewhere) and the
        // connection closed mid-upload; keep to bodies it reads.
        if bytes.len() > MAX_BODY {
            continue;
        }
        if !bytes.is_empty() {
            request = request.header("Content-Type", content_type).body(bytes);
        }
        let response = match request.send().await {
            Ok(response) => response,
            // Refused before the body was read (a NUL byte or a broken path is
            // refused at once) and the connection closed while this side still
            // wrote the body: nothing to judge here but that the server is up.
            Err(err) if closed_while_writing(&err) => {
                let health = http.get(format!("{base}/-/health")).send().await;
                assert!(health.is_ok_and(|h| h.status() == 200), "case {n}: server down after a refused upload");
                continue;
            }
            Err(err) => {
                let case: String = format!("{case:?}").chars().take(600).collect();
                panic!("case {n}: no answer to {case}: {err}")
            }
        };
        sent += 1;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        assert!(status < 500, "case {n}: {status} for {} {} {:?}: {text}", case.method, case.path, case.body);
        *statuses.entry(status).or_default() += 1;
    }

    let mutations = mutations(base).await;
    assert!(mutations.len() >= 10, "the schema lists the mutations: {mutations:?}");
    let mutation = prop::sample::select(mutations.clone()).prop_flat_map(|(name, input_type, fields)| {
        let values: Vec<BoxedStrategy<Option<(String, Value)>>> = fields
            .into_iter()
            .map(|(field, type_name)| {
                prop::option::weighted(0.8, graphql_value(type_name).prop_map(move |v| (field.clone(), v))).boxed()
            })
            .collect();
        (Just(name), Just(input_type), values, 0usize..4)
    });
    for n in 0..GRAPHQL_CASES {
        let (name, input_type, fields, caller) = mutation.new_tree(&mut runner).expect("case").current();
        let input: Map<String, Value> = fields.into_iter().flatten().collect();
        let query = format!("mutation($input: {input_type}!) {{ {name}(input: $input) {{ __typename errors }} }}");
        let (status, body) = graphql(base, tokens[caller].as_deref(), &query, json!({ "input": input })).await;
        assert!(status < 500, "mutation case {n}: {status} for {name} {input:?}: {body}");
        assert!(
            !body.to_string().contains("Internal server error"),
            "mutation case {n}: {name} {input:?} failed inside: {body}"
        );
        *statuses.entry(status).or_default() += 1;
    }

    assert!(sent > REST_CASES * 9 / 10, "most generated REST requests fit the body limit: {sent}");
    // Still healthy: it answers, and it still does real work.
    let health = http.get(format!("{base}/-/health")).send().await.expect("health");
    assert_eq!(health.status(), 200);
    let (status, me) = graphql(base, Some(ROOT_TOKEN), "{ currentUser { username } }", json!({})).await;
    assert_eq!((status, &me["data"]["currentUser"]["username"]), (200, &json!("root")), "{me}");
    println!(
        "{backend:?}: {} REST requests over {} routes, {} GraphQL requests over {} mutations; statuses {statuses:?}",
        sent,
        ROUTES.len(),
        GRAPHQL_CASES,
        mutations.len()
    );
}

/// Whether sending failed because the server closed the connection while the
/// request body was still being written (broken pipe, reset).
fn closed_while_writing(err: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return matches!(io.kind(), std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset);
        }
        source = e.source();
    }
    false
}
