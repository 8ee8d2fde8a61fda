//! Start-up, routing and shutdown: from a `Config` to a listening server.

use crate::config::Config;
use crate::state::{ServerState, Shared};
use crate::{
    avatars, body_budget, body_deadline, csrf, durable_answers, embeds, graphql, input_guard, live, mail, page_session,
    request_id, rest, security_headers, throttle, user_card,
};
use app::domain::bootstrap::{bootstrap, RootSetup};
use app::domain::secrets::{self, Sealer};
use app::domain::{award_rules, demo, hook_delivery, outbox, uploads, AppState, Instance};
use app::store::Store;
use app::{shell, App};
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::services::ServeDir;

/// How long in-flight requests get to finish after SIGTERM.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(8);

/// Requests larger than this are refused before a handler reads them.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("DATA_DIR: cannot create {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error("DATABASE_URL: cannot open the database: {0}")]
    Database(app::store::StoreError),
    #[error("LEPTOS_SITE_ADDR: cannot listen on {addr}: {source}")]
    Listen { addr: std::net::SocketAddr, source: std::io::Error },
    #[error("Leptos configuration: {0}")]
    Leptos(String),
    #[error("SMTP_URL: {0}")]
    Mail(String),
    #[error("{0}")]
    Webhooks(#[from] crate::webhook_sender::SenderError),
    #[error("start-up failed: {0}")]
    Domain(#[from] app::domain::DomainError),
    #[error("SECRETS_KEY: the key file {0}")]
    SecretsKey(crate::secrets_key::KeyFileError),
    #[error("{0}")]
    Sealing(#[from] app::domain::secrets::SealError),
    #[error(
        "--forget-secrets needs the key the database is to be sealed with from now on: set SECRETS_KEY \
         (no key file {0} is there, and none is made for this)"
    )]
    NoKeyToForgetWith(String),
}

/// Seals with `SECRETS_KEY`, else the key file under `DATA_DIR` (made now if
/// there is none).
fn sealer(config: &Config) -> Result<Sealer, StartError> {
    let key = match &config.secrets_key {
        Some(key) => key.clone(),
        None => crate::secrets_key::in_data_dir(&config.data_dir).map_err(StartError::SecretsKey)?,
    };
    Ok(Sealer::new(&key.0)?)
}

/// `server --forget-secrets [--yes]`, for a lost key ([`secrets::forget`]):
/// the key must be given (`SECRETS_KEY`, or a key file already there: one is
/// never made for this). Without `--yes` it only says what it would give up.
pub async fn forget_secrets(config: Config, apply: bool) -> Result<(), StartError> {
    let data_dir = config.data_dir.clone();
    let key_file = data_dir.join(crate::secrets_key::FILE);
    if config.secrets_key.is_none() && !key_file.exists() {
        return Err(StartError::NoKeyToForgetWith(key_file.display().to_string()));
    }
    let store = Store::connect(&config.database_url).await.map_err(StartError::Database)?;
    let external_url = config.external_url.clone().unwrap_or_default();
    let instance = Instance { external_url, data_dir, sealer: sealer(&config)? };
    let app = AppState::new(store.clone(), instance).await?;
    let forgotten = secrets::forget(&app, apply).await?;
    let (hooks, keys) = (forgotten.hook_secrets, forgotten.signing_keys);
    if apply {
        println!(
            "Gave up {hooks} webhook secret(s) and retired {keys} signing key(s) that this SECRETS_KEY does not \
             open; the database's secrets are this key's from now on."
        );
    } else {
        println!(
            "Would give up {hooks} webhook secret(s) and retire {keys} signing key(s) that this SECRETS_KEY does not \
             open, and make the database's secrets this key's. Nothing was changed: run again with --yes to do it, \
             with every other server process stopped."
        );
    }
    store.close().await;
    Ok(())
}

/// Serves until SIGTERM or Ctrl-C, then drains (see below) and returns.
pub async fn run(config: Config) -> Result<(), StartError> {
    let data_dir_error = |path: &std::path::Path| {
        let path = path.display().to_string();
        move |source| StartError::DataDir { path, source }
    };
    std::fs::create_dir_all(&config.data_dir).map_err(data_dir_error(&config.data_dir))?;
    if let Some(file) = config.database_url.strip_prefix("sqlite://").and_then(|p| std::path::Path::new(p).parent()) {
        if !file.as_os_str().is_empty() {
            std::fs::create_dir_all(file).map_err(data_dir_error(file))?;
        }
    }
    let store = Store::connect(&config.database_url).await.map_err(StartError::Database)?;
    let listener = listen(config.site_addr).map_err(|source| StartError::Listen { addr: config.site_addr, source })?;
    let addr = listener.local_addr().map_err(|source| StartError::Listen { addr: config.site_addr, source })?;
    let external_url = config.external_url.clone().unwrap_or_else(|| format!("http://{addr}"));
    let instance =
        Instance { external_url: external_url.clone(), data_dir: config.data_dir.clone(), sealer: sealer(&config)? };
    let mailer =
        mail::LaurelMailer::new(config.smtp_url.as_deref(), config.smtp_timeout, &config.data_dir, &external_url)
            .map_err(StartError::Mail)?;
    let (app, outbox_signal) = AppState::new(store.clone(), instance).await?.with_outbox();
    // The key must be the database's before anything is sealed with it.
    let previous = config.secrets_key_previous.as_ref().map(|key| Sealer::new(&key.0)).transpose()?;
    let taken = secrets::take_in(&app, previous.as_ref()).await?;
    if taken.sealed > 0 {
        tracing::info!("sealed {} secret(s) an older version kept in the clear", taken.sealed);
    }
    if taken.resealed > 0 {
        tracing::info!("sealed {} secret(s) again with the new SECRETS_KEY", taken.resealed);
    }
    if taken.unopened > 0 {
        tracing::warn!("{} sealed secret(s) open with no key given: their use fails", taken.unopened);
    }
    let user_agent = format!("Laurel/{}", env!("CARGO_PKG_VERSION"));
    let hook_sender = crate::webhook_sender::WebhookSender::new(&user_agent)?;

    let booted = bootstrap(
        &app,
        RootSetup { password: config.initial_root_password.clone(), token: config.initial_root_token.clone() },
    )
    .await?;
    if let Some(password) = &booted.generated_password {
        println!("Created the admin user `root` with the password: {password}  (shown only this once)");
    }
    if booted.was_empty && config.demo_data {
        // Demo awards go to made-up addresses: seed without sending mail, and
        // without counting the seed's reactions against the demo users' limits.
        demo::seed(&AppState { outbox: None, limiter: Default::default(), ..app.clone() }).await?;
        println!(
            "Demo data added: users alice, bob, carol, dave, erin, frank, grace (password: {})",
            demo::DEMO_PASSWORD
        );
    }

    // Avatars an older version kept under DATA_DIR move into the database.
    let imported = uploads::import_avatars_from_disk(&app).await?;
    if imported > 0 {
        tracing::info!("moved {imported} achievement avatar(s) from DATA_DIR into the database");
    }

    let mut leptos =
        leptos::config::get_configuration(None).map_err(|e| StartError::Leptos(e.to_string()))?.leptos_options;
    leptos.site_addr = addr;
    let live = live::hub::Hub::start(&app, config.live_caps);
    let state = ServerState::new(Shared {
        app: app.clone(),
        leptos,
        graphql: graphql::schema(),
        live: live.clone(),
        trusted_proxies: config.trusted_proxies.clone(),
        body_budget: Default::default(),
    });
    let router = router(state.clone(), config.client_timeout);
    let live_router = live_router(state, router.clone());
    match &config.smtp_url {
        Some(url) => tracing::info!("mail goes out over SMTP ({})", url.split('@').next_back().unwrap_or("")),
        None => tracing::info!("mail is written to {}", config.data_dir.join("mail").display()),
    }
    println!("Laurel listening on http://{addr}");
    println!("Open {external_url} and sign in as root.");
    // On SIGTERM or Ctrl-C: live streams end, in-flight requests finish, the
    // mail outbox finishes the message in progress, and whatever still runs
    // after the grace period is cut off, so a supervisor's stop (10 s) never has
    // to kill us.
    let (stopping, mut stopped) = tokio::sync::watch::channel(false);
    // A claimed message waits this long before another worker may retry it: longer
    // than one SMTP attempt can take.
    let lease = config.smtp_timeout * 2 + std::time::Duration::from_secs(5);
    let mut mail_worker =
        tokio::spawn(outbox::run(app.clone(), outbox_signal, std::sync::Arc::new(mailer), lease, stopped.clone()));
    let hook_config = hook_delivery::DeliveryConfig {
        retry_base: config.webhook_retry,
        // Longer than one attempt can take (10 s), so no claim runs out mid-send.
        lease: std::time::Duration::from_secs(30),
        user_agent,
    };
    let mut hook_worker =
        tokio::spawn(hook_delivery::run(app.clone(), std::sync::Arc::new(hook_sender), hook_config, stopped.clone()));
    let rule_pass = tokio::spawn(award_rules::run(app.clone(), config.award_rule_pass, stopped.clone()));
    let closing = live.closing();
    let graceful = async move {
        shutdown_signal().await;
        tracing::info!("shutting down: closing live streams, draining requests");
        live.close();
        stopping.send_replace(true);
    };
    tokio::spawn(graceful);
    let limits = crate::connections::Limits {
        connections: crate::fds::connections_allowed(),
        client_timeout: config.client_timeout,
        live_send_buffer: config.live_send_buffer,
    };
    // A task of the runtime's, not the thread that started it: each accepted
    // connection's task then starts on the worker that accepted it, instead of
    // waking a worker from the main thread (two threads' switches per
    // connection where one core runs them both).
    let serving = tokio::spawn(crate::connections::serve(listener, (router, live_router), closing, limits));
    let deadline = async move {
        let _ = stopped.wait_for(|s| *s).await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    let drained = async {
        // A panic in the accept loop ends the process, as it did when the loop
        // ran on the main thread, rather than leave it up without a listener.
        if let Err(failed) = serving.await {
            if failed.is_panic() {
                std::panic::resume_unwind(failed.into_panic());
            }
        }
        let _ = (&mut mail_worker).await;
        let _ = (&mut hook_worker).await;
    };
    tokio::select! {
        () = drained => {}
        _ = deadline => tracing::warn!("shutdown: work still running after {SHUTDOWN_GRACE:?}, exiting"),
    }
    mail_worker.abort();
    hook_worker.abort();
    rule_pass.abort();
    store.close().await;
    Ok(())
}

/// The pages, each rendered with its session read first (`page_session`).
fn pages(
    state: &ServerState,
    routes: Vec<leptos_axum::AxumRouteListing>,
    provide_app: impl Fn() + Clone + Send + Sync + 'static,
) -> Router<ServerState> {
    let options = state.leptos.clone();
    Router::new()
        .leptos_routes_with_context(state, routes, provide_app, move || shell(options.clone()))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), page_session::attach))
}

fn pkg_dir(options: &leptos::config::LeptosOptions) -> std::path::PathBuf {
    std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref())
}

/// The whole app: pages, server functions, REST, GraphQL, live channel,
/// uploads, and the layers every request passes. A request body that does
/// not arrive in time (`body_deadline`, `client_timeout`) fails.
pub fn router(state: ServerState, client_timeout: std::time::Duration) -> Router {
    let routes = generate_route_list(App);
    let app = state.app.clone();
    let provide_app = move || provide_context(app.clone());
    let router = Router::new()
        .route("/api/graphql", axum::routing::post(graphql::handler))
        .nest("/api", rest::routes())
        .route("/-/health", get(|| async { "ok" }))
        .route("/.well-known/jwks.json", get(rest::credentials::jwks))
        .route("/.well-known/did.json", get(rest::credentials::did_document))
        .route("/-/credentials/status/{list}", get(rest::credentials::status_list))
        .route("/-/credentials/{award}", get(rest::credentials::credential_link))
        .route("/-/verify/upload", axum::routing::post(rest::credentials::verify_upload))
        .route("/{username}/achievements.svg", get(embeds::profile_svg))
        .route("/-/awards/{id}/badge.svg", get(embeds::award_svg))
        .route("/-/embed/{username}", get(embeds::embed_card))
        .route("/-/oembed", get(embeds::oembed))
        .route("/-/users/{username}/card", get(user_card::card))
        .merge(live_routes())
        .route(&format!("/{}/{{id}}/{{file}}", uploads::AVATAR_URL_DIR), get(avatars::show))
        // The WASM, JS and CSS: explicit, or `/:ns/:project` pages would capture them.
        .nest_service(&format!("/{}", state.leptos.site_pkg_dir), ServeDir::new(pkg_dir(&state.leptos)))
        .route_service(
            "/-/favicon.ico",
            tower_http::services::ServeFile::new(
                std::path::Path::new(state.leptos.site_root.as_ref()).join("-").join("favicon.ico"),
            ),
        )
        .route_service(
            "/-/enhance.js",
            tower_http::services::ServeFile::new(
                std::path::Path::new(state.leptos.site_root.as_ref()).join("-").join("enhance.js"),
            ),
        )
        .merge(pages(&state, routes, provide_app.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<ServerState, _>(provide_app, shell))
        .layer(axum::middleware::from_fn(input_guard::server_fn_arguments))
        // Each answer waits until the writes it may tell of are on disk.
        .layer(axum::middleware::from_fn_with_state(state.clone(), durable_answers::wait))
        .layer(axum::middleware::from_fn(csrf::guard))
        // NUL bytes and broken UTF-8 are refused before anything else reads the request body.
        .layer(axum::middleware::from_fn(input_guard::guard))
        // Every body (server functions included), not only axum's extractors;
        // the extractors take up to the same (their own default is 2 MB, which
        // would refuse a 2 MB bulk award file before its own limit could say so).
        .layer(tower_http::limit::RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        // hyper has no timer for a body that stops coming, or trickles: this is it.
        .layer(tower::util::MapRequestLayer::new(move |request| body_deadline::limit(request, client_timeout)))
        // No address holds more than its share of bodies being read.
        .layer(axum::middleware::from_fn_with_state(state.clone(), body_budget::guard))
        // An API caller who is not signed in counts against their address's
        // limit (GitLab's unauthenticated API throttle), refused before any
        // body is read.
        .layer(axum::middleware::from_fn_with_state(state.clone(), throttle::unauthenticated_api))
        // A throttled sign-in is refused first, from its method, path and address
        // alone: a flood of them costs no body reading or checking.
        .layer(axum::middleware::from_fn_with_state(state.clone(), throttle::protected_paths))
        .layer(axum::middleware::from_fn(security_headers::add));
    request_id::layer(router.with_state(state))
}

/// The live streams' routes: in [`router`] (a stream opened on a connection
/// hyper already serves) and in [`live_router`].
fn live_routes() -> Router<ServerState> {
    Router::new()
        .route("/-/live/{kind}/{id}", get(live::reactions))
        .route("/-/live/awards/profile/{user}", get(live::awards::profile))
        .route("/-/live/awards/mine", get(live::awards::mine))
        .route("/-/live/awards/group/{id}", get(live::awards::group))
}

/// What the lean live path (`live::http1`) serves: the live routes, with the
/// layers that apply to a `GET` without a body (the input guard, the security
/// headers, the request id), and any other path through `app`, the whole
/// router, as hyper would. The layers left out guard what such a request
/// cannot carry or be (a body, a cross-site write, a sign-in), and each costs
/// every one of ten thousand browsers opening a stream.
pub fn live_router(state: ServerState, app: Router) -> Router {
    let live = live_routes()
        .layer(axum::middleware::from_fn(input_guard::guard))
        .layer(axum::middleware::from_fn(security_headers::add));
    // Added after the layers, the fallback passes none of them twice.
    request_id::layer(live.with_state(state)).fallback_service(app)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

/// Connections the kernel holds for the server before it accepts them (capped
/// by `net.core.somaxconn`). The default of 128 dropped connections when
/// thousands of browsers opened their live streams at once (after a restart,
/// or in `make bench`), and each dropped one waited a second to try again.
pub const LISTEN_BACKLOG: u32 = 4096;

fn listen(addr: std::net::SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket = if addr.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
    // As `TcpListener::bind` does: a restarted server may bind at once.
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    // Small responses and stream frames go out at once (no Nagle delay): set
    // once here, every accepted connection inherits it (Linux, the BSDs and
    // macOS copy it from the listening socket), so a live stream's connection
    // needs no call of its own (hyper's connections are set again by the tap).
    socket.set_nodelay(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}
