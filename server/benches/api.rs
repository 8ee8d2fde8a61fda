//! `make bench`: the GitLab-compatible endpoints against the practical limit.
//!
//! Starts the release server on a fresh database with generated data (a user
//! holding 100 awards: 20 achievements of two groups, 5 awards each; an issue
//! and 40 users who react), and, in this process, a minimal axum app on the same
//! database whose handlers run the same SQL statements as the real endpoint, in
//! the same transactions, through the same store, and nothing else (no GraphQL
//! engine, no policy, no domain, no rendering beyond a small JSON): the
//! practical limit. Each endpoint is driven closed-loop (16 connections, 3 s)
//! for req/s and latency, then open-loop at 1,000 req/s (latency measured from
//! the scheduled send time, so a slow server cannot hide its queue).
//! Printed, not asserted. Keep the `min_*` handlers in step with the domain
//! functions they mirror (named on each).

#[path = "../tests/it/common/mod.rs"]
mod common;
#[path = "support/sign_in.rs"]
mod sign_in;
#[path = "support/web_budgets.rs"]
mod web_budgets;

use app::events::{AwardableKind, AwardableRef, EmojiCount, Event};
use app::store::{AwardEmojiRow, NewAudit, ProfileAwards, Store, Tx, UserRow};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use common::{client, Backend, ROOT_TOKEN};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CONNECTIONS: usize = 16;
const RUN: Duration = Duration::from_secs(3);
const RATE: u64 = 1_000;
const REACTORS: usize = 40;

const PROFILE_QUERY: &str = "query($u: String!) { user(username: $u) { userAchievements { nodes { id awardMessage achievement { name description avatarUrl namespace { fullPath name } } } } } }";

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let mut backends = vec![Backend::Sqlite];
    if std::env::var("TEST_POSTGRES_URL").is_ok() {
        backends.push(Backend::Postgres);
    }
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "Laurel API benchmark: {cpus} CPU(s) shared by server and load generator; closed loop: {CONNECTIONS} connections for {} s; open loop: {RATE} req/s for {} s",
        RUN.as_secs(),
        RUN.as_secs()
    );
    for backend in backends {
        bench(backend).await;
    }
}

struct Seed {
    holder: String,
    project_id: i64,
    /// The issue the real endpoint is driven on, and the one the minimal handler uses.
    real_issue_iid: i64,
    limit_issue_iid: i64,
    tokens: Vec<String>,
}

/// Award ids made by a POST run, with the reactor who made each.
type Created = Arc<Mutex<Vec<(usize, i64)>>>;

async fn bench(backend: Backend) {
    let db = common::database(backend).await;
    let (url, dir) = (db.url.clone(), db.dir().to_path_buf());
    let server = common::spawn(&url, &dir, &[]);
    let seed = seed(&server.base).await;
    let store = Store::connect(&url).await.expect("connect the store");
    let limit = start_limit(store).await;
    let names: Arc<Vec<String>> = Arc::new(
        emojis::iter()
            .filter_map(|e| e.shortcode())
            .map(|name| form_urlencoded::byte_serialize(name.as_bytes()).collect())
            .collect(),
    );

    println!("\n{backend:?}");
    // `LAUREL_BENCH_ONLY=web` (or `sign_in`) runs only the web budgets (or the sign-in rows).
    let only = std::env::var("LAUREL_BENCH_ONLY").unwrap_or_default();
    let real_path = format!("/api/v4/projects/{}/issues/{}/award_emoji", seed.project_id, seed.real_issue_iid);
    if only.is_empty() {
        api_rows(&server, &seed, &limit, &names).await;
    }
    if only.is_empty() || only == "sign_in" {
        sign_in::rows(&server.base, &real_path, ROOT_TOKEN).await;
    }
    if only == "sign_in" {
        return;
    }
    // The web app's budgets, on the same server and data.
    web_budgets::profile_page(&server.base, &seed.holder).await;
    let issue = client()
        .get(format!("{}{}", server.base, real_path.trim_end_matches("/award_emoji")))
        .header("PRIVATE-TOKEN", ROOT_TOKEN)
        .send()
        .await
        .expect("issue");
    let issue: Value = issue.json().await.expect("issue JSON");
    let viewers = std::env::var("LAUREL_BENCH_VIEWERS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let issue_id = issue["id"].as_i64().expect("issue id");
    web_budgets::sse_fan_out(&server.base, server.pid(), issue_id, &real_path, ROOT_TOKEN, viewers).await;
}

/// The API rows: each endpoint next to the limit of its own SQL.
async fn api_rows(server: &common::Server, seed: &Seed, limit: &str, names: &Arc<Vec<String>>) {
    println!(
        "{:<32} {:>8} {:>8} {:>6} {:>13} {:>13} {:>17} {:>17}",
        "endpoint", "req/s", "limit", "ratio", "p50/p99 ms", "limit", "@1000/s p50/p99", "limit @1000/s"
    );

    // GraphQL user.userAchievements (100 awards) vs the same rows straight from the store.
    let (base, holder) = (server.base.clone(), seed.holder.clone());
    let real: Request = Arc::new(move |_, _| {
        let (base, holder) = (base.clone(), holder.clone());
        Box::pin(async move {
            let run = async {
                let body = json!({ "query": PROFILE_QUERY, "variables": { "u": holder } });
                let response = shared_client().post(format!("{base}/api/graphql")).json(&body).send().await.ok()?;
                let value: Value = response.json().await.ok()?;
                (value["data"]["user"]["userAchievements"]["nodes"].as_array()?.len() == 100).then_some(())
            };
            Step::from(run.await)
        })
    });
    let (base, holder) = (limit.to_string(), seed.holder.clone());
    let minimal: Request = Arc::new(move |_, _| {
        let (base, holder) = (base.clone(), holder.clone());
        Box::pin(async move {
            let run = async {
                let response =
                    shared_client().get(format!("{base}/min/user_achievements/{holder}")).send().await.ok()?;
                let value: Value = response.json().await.ok()?;
                (value.as_array()?.len() == 100).then_some(())
            };
            Step::from(run.await)
        })
    });
    let closed = Pair::measure(&real, &minimal, Mode::Closed).await;
    let open = Pair::measure(&real, &minimal, Mode::Open).await;
    print_row("GraphQL user.userAchievements", &closed, &open);

    // REST award emoji POST then DELETE: request n of worker w reacts as user w
    // with the n-th emoji, and records the award for the DELETE run.
    let (created_real, created_limit): (Created, Created) = Default::default();
    let real_path = format!("/api/v4/projects/{}/issues/{}/award_emoji", seed.project_id, seed.real_issue_iid);
    let limit_path = format!("/min/projects/{}/issues/{}/award_emoji", seed.project_id, seed.limit_issue_iid);
    let post_real = poster(&server.base, &real_path, seed, names, &created_real);
    let post_limit = poster(limit, &limit_path, seed, names, &created_limit);
    let delete_real = deleter(&server.base, &real_path, seed, &created_real);
    let delete_limit = deleter(limit, &limit_path, seed, &created_limit);
    let post = Pair::measure(&post_real, &post_limit, Mode::Closed).await;
    let del = Pair::measure(&delete_real, &delete_limit, Mode::Closed).await;
    drain(&delete_real).await;
    drain(&delete_limit).await;
    let post_open = Pair::measure(&post_real, &post_limit, Mode::Open).await;
    let del_open = Pair::measure(&delete_real, &delete_limit, Mode::Open).await;
    print_row("REST POST award_emoji", &post, &post_open);
    print_row("REST DELETE award_emoji/:id", &del, &del_open);
}

thread_local! {
    static CLIENT: reqwest::Client = client();
}

/// One keep-alive connection pool per load-generator thread.
fn shared_client() -> reqwest::Client {
    CLIENT.with(|c| c.clone())
}

/// One request's fate; `Exhausted` ends a worker (nothing left to delete).
#[derive(PartialEq)]
enum Step {
    Ok,
    Failed,
    Exhausted,
}

impl From<Option<()>> for Step {
    fn from(done: Option<()>) -> Step {
        if done.is_some() {
            Step::Ok
        } else {
            Step::Failed
        }
    }
}

type Request = Arc<dyn Fn(usize, usize) -> std::pin::Pin<Box<dyn Future<Output = Step> + Send>> + Send + Sync>;

fn poster(base: &str, path: &str, seed: &Seed, names: &Arc<Vec<String>>, created: &Created) -> Request {
    let (url, tokens, names, created) = (format!("{base}{path}"), seed.tokens.clone(), names.clone(), created.clone());
    Arc::new(move |worker, n| {
        let reactor = worker % REACTORS;
        let url = format!("{url}?name={}", names[n % names.len()]);
        let (token, created) = (tokens[reactor].clone(), created.clone());
        Box::pin(async move {
            let run = async {
                let response = shared_client().post(url).header("PRIVATE-TOKEN", token).send().await.ok()?;
                if response.status() != 201 {
                    return None;
                }
                let value: Value = response.json().await.ok()?;
                created.lock().ok()?.push((reactor, value["id"].as_i64()?));
                Some(())
            };
            Step::from(run.await)
        })
    })
}

/// Deletes awards recorded by a POST run, each as the user who made it.
fn deleter(base: &str, path: &str, seed: &Seed, created: &Created) -> Request {
    let (prefix, tokens, created) = (format!("{base}{path}"), seed.tokens.clone(), created.clone());
    Arc::new(move |_, _| {
        let (prefix, tokens, created) = (prefix.clone(), tokens.clone(), created.clone());
        Box::pin(async move {
            let Some((reactor, id)) = created.lock().ok().and_then(|mut c| c.pop()) else { return Step::Exhausted };
            let url = format!("{prefix}/{id}");
            let response = shared_client().delete(url).header("PRIVATE-TOKEN", &tokens[reactor]).send().await;
            Step::from(response.ok().filter(|r| r.status() == 204).map(|_| ()))
        })
    })
}

/// Deletes whatever a timed DELETE run left, so the next run starts clean.
async fn drain(delete: &Request) {
    while delete(0, 0).await != Step::Exhausted {}
}

#[derive(Clone, Copy)]
enum Mode {
    /// `CONNECTIONS` clients, each sending its next request when answered.
    Closed,
    /// One client, one request at a time: the latency of the work itself.
    Serial,
    /// `RATE` requests per second, whatever the answers.
    Open,
    /// As `Open`, at this many requests per second.
    OpenAt(u64),
}

struct Figures {
    rate: f64,
    p50: f64,
    p99: f64,
    failed: usize,
}

struct Pair {
    real: Figures,
    limit: Figures,
}

impl Pair {
    async fn measure(real: &Request, limit: &Request, mode: Mode) -> Pair {
        Pair { real: drive(real.clone(), mode).await, limit: drive(limit.clone(), mode).await }
    }
}

fn print_row(label: &str, closed: &Pair, open: &Pair) {
    let ms = |f: &Figures| format!("{:.2}/{:.2}", f.p50, f.p99);
    let failed = closed.real.failed + closed.limit.failed + open.real.failed + open.limit.failed;
    println!(
        "{:<32} {:>8.0} {:>8.0} {:>5.0}% {:>13} {:>13} {:>17} {:>17}{}",
        label,
        closed.real.rate,
        closed.limit.rate,
        100.0 * closed.real.rate / closed.limit.rate.max(1.0),
        ms(&closed.real),
        ms(&closed.limit),
        ms(&open.real),
        ms(&open.limit),
        if failed > 0 { format!("  ({failed} requests failed)") } else { String::new() }
    );
}

/// Closed loop: CONNECTIONS workers back to back for RUN. Open loop: one request
/// every 1/RATE s for RUN, whatever the answers do.
async fn drive(request: Request, mode: Mode) -> Figures {
    let latencies: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let failed = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    match mode {
        Mode::Closed | Mode::Serial => {
            let workers = if matches!(mode, Mode::Serial) { 1 } else { CONNECTIONS };
            for worker in 0..workers {
                let (request, latencies, failed) = (request.clone(), latencies.clone(), failed.clone());
                tasks.push(tokio::spawn(async move {
                    let mut n = 0;
                    while started.elapsed() < RUN {
                        let sent = Instant::now();
                        let step = request(worker, n).await;
                        if step == Step::Exhausted {
                            break;
                        }
                        record(&latencies, &failed, sent.elapsed(), step);
                        n += 1;
                    }
                }));
            }
        }
        Mode::Open | Mode::OpenAt(_) => {
            let rate = if let Mode::OpenAt(rate) = mode { rate.max(1) } else { RATE };
            let mut ticker = tokio::time::interval(Duration::from_micros(1_000_000 / rate));
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            for k in 0..(rate * RUN.as_secs()) as usize {
                let scheduled = ticker.tick().await;
                let (request, latencies, failed) = (request.clone(), latencies.clone(), failed.clone());
                // Request k is user k % REACTORS with that user's (k / REACTORS)-th emoji.
                tasks.push(tokio::spawn(async move {
                    let step = request(k % REACTORS, k / REACTORS).await;
                    record(&latencies, &failed, scheduled.elapsed(), step);
                }));
            }
        }
    }
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut all = latencies.lock().map(|l| l.clone()).unwrap_or_default();
    all.sort_unstable();
    let at = |q: f64| {
        let i = ((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1));
        all.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    Figures { rate: all.len() as f64 / elapsed, p50: at(0.50), p99: at(0.99), failed: failed.load(Ordering::Relaxed) }
}

fn record(latencies: &Mutex<Vec<Duration>>, failed: &AtomicUsize, took: Duration, step: Step) {
    match step {
        Step::Ok => {
            if let Ok(mut l) = latencies.lock() {
                l.push(took);
            }
        }
        Step::Failed => {
            failed.fetch_add(1, Ordering::Relaxed);
        }
        Step::Exhausted => {}
    }
}

// ---- the practical limit: a minimal axum app on the same store ---------------

async fn start_limit(store: Store) -> String {
    let app = Router::new()
        .route("/min/user_achievements/{username}", get(min_user_achievements))
        .route("/min/projects/{project}/issues/{iid}/award_emoji", post(min_add_award_emoji))
        .route("/min/projects/{project}/issues/{iid}/award_emoji/{id}", delete(min_remove_award_emoji))
        .with_state(store);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

type MinResult = Result<(StatusCode, Json<Value>), StatusCode>;

fn internal<E>(_: E) -> StatusCode {
    StatusCode::INTERNAL_SERVER_ERROR
}

/// `users::find_user` then `achievements::user_awards` for an anonymous viewer:
/// the user by name, by id, the awarding groups with each group's flag, the
/// count and the page of listed awards, and each distinct achievement once.
async fn min_user_achievements(State(store): State<Store>, Path(username): Path<String>) -> MinResult {
    let mut tx = store.read().await.map_err(internal)?;
    let found = tx.user_by_username(&username).await.map_err(internal)?.ok_or(StatusCode::NOT_FOUND)?;
    tx.commit().await.map_err(internal)?;
    let mut tx = store.read().await.map_err(internal)?;
    let user = tx.user_by_id(found.id).await.map_err(internal)?.ok_or(StatusCode::NOT_FOUND)?;
    let mut groups = HashMap::new();
    for group_id in tx.awarding_groups_of_user(user.id).await.map_err(internal)? {
        let group = tx.namespace_by_id(group_id).await.map_err(internal)?.ok_or(StatusCode::NOT_FOUND)?;
        tx.feature_flag("achievements", Some(group.id)).await.map_err(internal)?;
        groups.insert(group_id, group);
    }
    let listed: Vec<i64> = groups.keys().copied().collect();
    let q = ProfileAwards { user_id: user.id, groups: &listed, hidden_in: &[] };
    tx.count_profile_awards(&q).await.map_err(internal)?;
    let mut achievements = HashMap::new();
    let mut out = Vec::new();
    for award in tx.profile_awards(&q, 100, 0).await.map_err(internal)? {
        if let std::collections::hash_map::Entry::Vacant(slot) = achievements.entry(award.achievement_id) {
            let achievement = tx.achievement_by_id(award.achievement_id).await.map_err(internal)?;
            slot.insert(achievement.ok_or(StatusCode::NOT_FOUND)?);
        }
        let achievement = &achievements[&award.achievement_id];
        let group = groups.get(&achievement.namespace_id).ok_or(StatusCode::NOT_FOUND)?;
        out.push(json!({
            "id": award.id, "awardMessage": award.award_message,
            "achievement": {
                "name": achievement.name, "description": achievement.description, "avatarUrl": achievement.avatar,
                "namespace": { "fullPath": group.full_path, "name": group.name },
            },
        }));
    }
    tx.commit().await.map_err(internal)?;
    Ok((StatusCode::OK, Json(Value::Array(out))))
}

/// `auth::authenticate`: the token by digest, then its user.
async fn min_user(store: &Store, headers: &HeaderMap) -> Result<UserRow, StatusCode> {
    let token = headers.get("PRIVATE-TOKEN").and_then(|v| v.to_str().ok()).ok_or(StatusCode::UNAUTHORIZED)?;
    let mut tx = store.read().await.map_err(internal)?;
    let row = tx.token_by_digest(&app::domain::auth::digest(token)).await.map_err(internal)?;
    let user = tx.user_by_id(row.ok_or(StatusCode::UNAUTHORIZED)?.user_id).await.map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    user.ok_or(StatusCode::UNAUTHORIZED)
}

/// `projects::resolve` for an issue by iid: the project, the actor's access
/// (project membership, namespace, inherited group level), the issue by iid and
/// then by id.
async fn min_resolve_issue(tx: &mut Tx, user: &UserRow, project_id: i64, iid: i64) -> Result<i64, StatusCode> {
    let project = tx.project_by_id(project_id).await.map_err(internal)?.ok_or(StatusCode::NOT_FOUND)?;
    tx.project_member_level(project.id, user.id).await.map_err(internal)?;
    let ns = tx.namespace_by_id(project.namespace_id).await.map_err(internal)?.ok_or(StatusCode::NOT_FOUND)?;
    tx.group_access_level(ns.id, user.id).await.map_err(internal)?;
    let issue = tx.issue_by_iid(project.id, iid).await.map_err(internal)?.ok_or(StatusCode::NOT_FOUND)?;
    tx.issue_by_id(issue.id).await.map_err(internal)?;
    Ok(issue.id)
}

/// `award_emoji::finish`: the tallies, the audit row, the event, the commit.
async fn min_finish(
    mut tx: Tx,
    user: &UserRow,
    issue_id: i64,
    award: &AwardEmojiRow,
    added: bool,
) -> Result<(), StatusCode> {
    let counts = tx.award_emoji_counts("Issue", issue_id).await.map_err(internal)?;
    tx.insert_audit(NewAudit {
        actor_id: Some(user.id),
        actor_name: Some(&user.username),
        action: if added { "award_emoji_added" } else { "award_emoji_removed" },
        target_type: "Issue",
        target_id: issue_id,
        details: json!({ "name": award.name, "award_id": award.id }),
    })
    .await
    .map_err(internal)?;
    let event = Event::ReactionChanged {
        awardable: AwardableRef { kind: AwardableKind::Issue, id: issue_id },
        name: award.name.clone(),
        user_id: user.id,
        username: user.username.clone(),
        added,
        counts: counts
            .into_iter()
            .map(|(name, count)| EmojiCount {
                emoji: app::domain::award_emoji::emoji_char(&name).unwrap_or_default().to_string(),
                name,
                count,
            })
            .collect(),
    };
    tx.publish(event, "bench").await.map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    Ok(())
}

/// `award_emoji::add_award_emoji` as REST calls it.
async fn min_add_award_emoji(
    State(store): State<Store>,
    Path((project_id, iid)): Path<(i64, i64)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> MinResult {
    let name = query.get("name").ok_or(StatusCode::BAD_REQUEST)?;
    let user = min_user(&store, &headers).await?;
    let mut tx = store.write().await.map_err(internal)?;
    let issue_id = min_resolve_issue(&mut tx, &user, project_id, iid).await?;
    let award = tx.insert_award_emoji(user.id, "Issue", issue_id, name).await.map_err(internal)?;
    let award = award.ok_or(StatusCode::NOT_FOUND)?;
    min_finish(tx, &user, issue_id, &award, true).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": award.id, "name": award.name }))))
}

/// `award_emoji::remove_award_emoji` as REST calls it.
async fn min_remove_award_emoji(
    State(store): State<Store>,
    Path((project_id, iid, id)): Path<(i64, i64, i64)>,
    headers: HeaderMap,
) -> StatusCode {
    let run = async {
        let user = min_user(&store, &headers).await?;
        let mut tx = store.write().await.map_err(internal)?;
        let issue_id = min_resolve_issue(&mut tx, &user, project_id, iid).await?;
        let award = tx.award_emoji_by_id(id).await.map_err(internal)?.ok_or(StatusCode::NOT_FOUND)?;
        if award.user_id != user.id {
            return Err(StatusCode::UNAUTHORIZED);
        }
        tx.delete_award_emoji(id).await.map_err(internal)?;
        min_finish(tx, &user, issue_id, &award, false).await?;
        Ok(StatusCode::NO_CONTENT)
    };
    run.await.unwrap_or_else(|status| status)
}

// ---- generated data, made through the real API ------------------------------

async fn call(base: &str, path: &str, body: Value) -> Value {
    let response = client()
        .post(format!("{base}{path}"))
        .header("PRIVATE-TOKEN", ROOT_TOKEN)
        .json(&body)
        .send()
        .await
        .expect("seed request");
    assert!(response.status().is_success(), "seeding {path}: {}", response.status());
    response.json().await.expect("seed JSON")
}

async fn new_user(base: &str, name: &str) -> (i64, String) {
    let body =
        json!({ "username": name, "name": name, "email": format!("{name}@example.com"), "password": "password123" });
    let id = call(base, "/api/v4/users", body).await["id"].as_i64().expect("id");
    let path = format!("/api/v4/users/{id}/personal_access_tokens");
    let token = call(base, &path, json!({ "name": "bench", "scopes": ["api"] })).await;
    (id, token["token"].as_str().expect("token").to_string())
}

async fn graphql(base: &str, query: &str, variables: Value) -> Value {
    call(base, "/api/graphql", json!({ "query": query, "variables": variables })).await
}

async fn seed(base: &str) -> Seed {
    let (holder_id, _) = new_user(base, "holder").await;
    let mut achievements = Vec::new();
    for g in 0..2 {
        let body = json!({ "name": format!("Guild {g}"), "path": format!("guild-{g}"), "visibility": "public" });
        let group = call(base, "/api/v4/groups", body).await;
        for a in 0..10 {
            let created = graphql(
                base,
                "mutation($ns: NamespaceID!, $name: String!) { achievementsCreate(input: { namespaceId: $ns, name: $name, description: \"For great work.\" }) { achievement { id } errors } }",
                json!({ "ns": format!("gid://gitlab/Group/{}", group["id"]), "name": format!("Achievement {g}-{a}") }),
            )
            .await;
            achievements.push(created["data"]["achievementsCreate"]["achievement"]["id"].clone());
        }
    }
    for round in 0..5 {
        for achievement in &achievements {
            let awarded = graphql(
                base,
                "mutation($a: AchievementsAchievementID!, $u: UserID!, $m: String) { achievementsAward(input: { achievementId: $a, userId: $u, awardMessage: $m }) { errors } }",
                json!({ "a": achievement, "u": format!("gid://gitlab/User/{holder_id}"), "m": format!("Round {round}") }),
            )
            .await;
            assert_eq!(awarded["data"]["achievementsAward"]["errors"], json!([]), "{awarded}");
        }
    }
    let group =
        call(base, "/api/v4/groups", json!({ "name": "Reactors", "path": "reactors", "visibility": "public" })).await;
    let body = json!({ "name": "board", "path": "board", "namespace_id": group["id"], "visibility": "public" });
    let project_id = call(base, "/api/v4/projects", body).await["id"].as_i64().expect("project id");
    let issues = format!("/api/v4/projects/{project_id}/issues");
    let real = call(base, &issues, json!({ "title": "React here" })).await;
    let limit = call(base, &issues, json!({ "title": "And here" })).await;
    let mut tokens = Vec::new();
    for r in 0..REACTORS {
        tokens.push(new_user(base, &format!("reactor{r}")).await.1);
    }
    Seed {
        holder: "holder".into(),
        project_id,
        real_issue_iid: real["iid"].as_i64().expect("iid"),
        limit_issue_iid: limit["iid"].as_i64().expect("iid"),
        tokens,
    }
}
