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
//! Printed, not asserted.
//!
//! This file prints; `support/` holds the load generator (`load`), the limit
//! app (`limit`), the generated data (`seed`), and the sign-in and web-budget
//! rows.

#[path = "support/bulk.rs"]
mod bulk;
#[path = "../tests/it/common/mod.rs"]
mod common;
#[path = "support/limit.rs"]
mod limit;
#[path = "support/live.rs"]
mod live;
#[path = "support/load.rs"]
mod load;
#[path = "support/nchan.rs"]
mod nchan;
#[path = "support/seed.rs"]
mod seed;
#[path = "support/sign_in.rs"]
mod sign_in;
#[path = "support/web_budgets.rs"]
mod web_budgets;

use app::store::Store;
use common::{client, Backend, ROOT_TOKEN};
use load::{drive, shared_client, Figures, Mode, Request, Step, CONNECTIONS, RATE, REACTORS, RUN};
use seed::Seed;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

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

/// Award ids made by a POST run, with the reactor who made each.
type Created = Arc<Mutex<Vec<(usize, i64)>>>;

async fn bench(backend: Backend) {
    let db = common::database(backend).await;
    let (url, dir) = (db.url.clone(), db.dir().to_path_buf());
    // Every live viewer below comes from one address: lift its cap.
    let server = common::spawn(&url, &dir, &[("LIVE_STREAMS_PER_ADDRESS", "1000000")]);
    // The load comes from one address, much of it without credentials (the
    // GraphQL profile query): lift the unauthenticated API throttle.
    common::set_limits(&server.base, json!({ "throttle_unauthenticated_api_requests_per_period": 0 })).await;
    let seed = seed::seed(&server.base).await;
    let store = Store::connect(&url).await.expect("connect the store");
    let limit = limit::start(store).await;
    let names: Arc<Vec<String>> = Arc::new(
        emojis::iter()
            .filter_map(|e| e.shortcode())
            .map(|name| form_urlencoded::byte_serialize(name.as_bytes()).collect())
            .collect(),
    );

    println!("\n{backend:?}");
    // `LAUREL_BENCH_ONLY=web` runs only the web budgets and live rows, `live` only the
    // live rows, `cross` only the cross-process live row, `sign_in` only the sign-in rows.
    let only = std::env::var("LAUREL_BENCH_ONLY").unwrap_or_default();
    let real_path = format!("/api/v4/projects/{}/issues/{}/award_emoji", seed.project_id, seed.real_issue_iid);
    if only == "cross" {
        if backend == Backend::Postgres {
            cross_process_rows(&url, &server, &seed, &real_path).await;
        }
        return;
    }
    if only.is_empty() {
        api_rows(&server, &seed, &limit, &names).await;
    }
    // `LAUREL_BENCH_ONLY=bulk`: only the bulk award row.
    if only.is_empty() || only == "bulk" {
        bulk::rows(&url, &server.base).await;
    }
    if only == "bulk" {
        return;
    }
    if only.is_empty() || only == "sign_in" {
        sign_in::rows(&server.base, &real_path, ROOT_TOKEN).await;
    }
    if only == "sign_in" {
        return;
    }
    // The web app's budgets, on the same server and data.
    if only != "live" {
        web_budgets::profile_page(&server.base, &seed.holder).await;
    }
    live_rows(&url, &server, &seed, &real_path).await;
    if backend == Backend::Postgres {
        cross_process_rows(&url, &server, &seed, &real_path).await;
    }
}

/// Issue 11's cross-process row: a second process on the same PostgreSQL
/// database (a data folder of its own), 10,000 viewers on one topic there, and
/// the reaction made through the first: delivery crosses `NOTIFY`.
async fn cross_process_rows(url: &str, server: &common::Server, seed: &Seed, real_path: &str) {
    let viewers = std::env::var("LAUREL_BENCH_VIEWERS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let (other, other_dir) = live_server(url);
    let target = [real_target(server, seed, real_path).await];
    let peer = live::Peer::Laurel { token: ROOT_TOKEN.to_string() };
    let scene = live::Scene {
        label: "all on one topic of process B, the reaction made through process A",
        names: &["rainbow"],
        targets: &target,
        viewers,
        stalled: 0,
        burst: 0,
        publish_via: Some(&server.base),
        data_bytes: &[],
    };
    live::run(&peer, &other.base, other.pid(), scene).await;
    drop(other);
    let _ = std::fs::remove_dir_all(other_dir);
}

/// A process of its own for the viewers, on the bench's database (a data
/// folder of its own), as a server given one core runs: one tokio worker
/// (`TOKIO_WORKER_THREADS`), pinned to CPU 0 by each scene; nginx + nchan
/// likewise runs one worker process. Every viewer comes from one address: the
/// cap is lifted.
fn live_server(url: &str) -> (common::Server, std::path::PathBuf) {
    let dir = common::temp_dir();
    let env = [("LIVE_STREAMS_PER_ADDRESS", "1000000"), ("TOKIO_WORKER_THREADS", "1")];
    (common::spawn(url, &dir, &env), dir)
}

/// The seeded issue the scenes react on.
async fn real_target(server: &common::Server, seed: &Seed, real_path: &str) -> live::Target {
    let issue = client()
        .get(format!("{}{}", server.base, real_path.trim_end_matches("/award_emoji")))
        .header("PRIVATE-TOKEN", ROOT_TOKEN)
        .send()
        .await
        .expect("issue");
    issue_target(seed, &issue.json::<Value>().await.expect("issue JSON"))
}

fn issue_target(seed: &Seed, issue: &Value) -> live::Target {
    live::Target::laurel(
        issue["id"].as_i64().expect("issue id"),
        format!("/api/v4/projects/{}/issues/{}/award_emoji", seed.project_id, issue["iid"]),
    )
}

/// Issue 11's scenes, each for Laurel and then, when installed, for nginx +
/// nchan doing the same fan-out: 10,000 viewers (`LAUREL_BENCH_VIEWERS`) on
/// one topic; spread over 1,000; and on one through four bursts of 250 changes,
/// all reading, then with 1% of them stalled.
async fn live_rows(url: &str, server: &common::Server, seed: &Seed, real_path: &str) {
    let viewers = std::env::var("LAUREL_BENCH_VIEWERS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    // The viewers' sockets are this process's: its descriptor table grows
    // now, not during the first peer's scene (each growth waits for an RCU
    // grace period, 10 to 50 ms; `server::fds`), which the peer after it
    // would be spared.
    server::fds::prepare();
    let real = real_target(server, seed, real_path).await;
    let (server, server_dir) = live_server(url);
    let base = &server.base;
    // The scenes react as root, 1,000 times in the burst ones: lift root's limit.
    common::set_limits(base, json!({ "reactions_per_user_per_minute": 100_000 })).await;
    let mut spread = vec![real.clone()];
    let issues = format!("/api/v4/projects/{}/issues", seed.project_id);
    for i in 1..1_000 {
        spread.push(issue_target(seed, &seed::call(base, &issues, json!({ "title": format!("Spread {i}") })).await));
    }
    let laurel = (live::Peer::Laurel { token: ROOT_TOKEN.to_string() }, base.clone(), server.pid(), [real], spread);
    let nchan = nchan::start();
    let reference = match &nchan {
        Ok(n) => Some((
            live::Peer::Nchan,
            n.base.clone(),
            n.pid(),
            [live::Target::nchan(0)],
            (0..1_000).map(live::Target::nchan).collect(),
        )),
        Err(why) => {
            println!("(nginx + nchan not measured: {why})");
            None
        }
    };
    let few = viewers / 10;
    // Each scene times one event, or (where the topic has few viewers) ten in
    // a row for enough arrivals to read percentiles from; every name is new
    // on its issue.
    const FRUIT: &[&str] =
        &["apple", "banana", "cherries", "grapes", "lemon", "melon", "peach", "pear", "strawberry", "tangerine"];
    const ANIMALS: &[&str] = &["dog", "cat", "mouse", "hamster", "rabbit", "fox_face", "bear", "koala", "tiger", "cow"];
    // Label, timed events, viewers, spread over 1,000 topics, stalled, burst.
    type SceneRow<'a> = (&'a str, &'a [&'a str], usize, bool, usize, usize);
    let scenes: [SceneRow; 6] = [
        ("a tenth as many, all on one topic", FRUIT, few, false, 0, 0),
        ("all on one topic", &["trophy"], viewers, false, 0, 0),
        ("spread over 1,000 topics", ANIMALS, viewers, true, 0, 0),
        // What the server's memory does over a burst with nobody watching:
        // the baseline the next two scenes' growth is read against.
        ("a burst, no viewer", &[], 0, false, 0, 250),
        ("a burst, none stalled", &["crown"], viewers, false, 0, 250),
        ("a burst, 1% stalled", &["star"], viewers, false, viewers / 100, 250),
    ];
    // `LAUREL_BENCH_SCENES=topic,burst`: only the scenes whose label holds one of these.
    let chosen = std::env::var("LAUREL_BENCH_SCENES").unwrap_or_default();
    let chosen: Vec<&str> = chosen.split(',').filter(|s| !s.is_empty()).collect();
    // Each scene's figures: Laurel's, then the reference's.
    let mut table: Vec<(&str, live::Figures, Option<live::Figures>)> = Vec::new();
    for (label, names, viewers, spread_out, stalled, burst) in scenes {
        if !chosen.is_empty() && !chosen.iter().any(|c| label.contains(c)) {
            continue;
        }
        // Laurel first: nchan's messages take the size of its frames.
        let mut data_bytes = Vec::new();
        for (peer, base, pid, one, spread) in std::iter::once(&laurel).chain(reference.as_ref()) {
            let targets: &[live::Target] = if spread_out { spread } else { one };
            let scene = live::Scene {
                label,
                names,
                targets,
                viewers,
                stalled,
                burst,
                publish_via: None,
                data_bytes: &data_bytes,
            };
            let ran = live::run(peer, base, *pid, scene).await;
            data_bytes = ran.data_len;
            match (peer, table.last_mut()) {
                (live::Peer::Laurel { .. }, _) => table.push((label, ran.figures, None)),
                (_, Some((_, _, reference))) => *reference = Some(ran.figures),
                (_, None) => {}
            }
        }
    }
    live::print_table(&table, viewers);
    drop(server);
    let _ = std::fs::remove_dir_all(server_dir);
}

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
