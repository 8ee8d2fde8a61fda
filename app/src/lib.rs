//! Laurel's application: pages and components (rendered on the server, hydrated in
//! the browser), server functions, and, behind the `ssr` feature, the domain,
//! policy and store that every surface shares.
#![recursion_limit = "256"]

pub mod components;
pub mod events;
pub mod i18n;
pub mod model;
pub mod pages;
pub mod server_fns;

#[cfg(feature = "ssr")]
pub mod domain;
#[cfg(feature = "ssr")]
pub mod policy;
#[cfg(feature = "ssr")]
pub mod store;

use components::top_bar::TopBar;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};
use model::SessionInfo;

/// The HTML document around the app (server side only). `<html lang>` is set by
/// the top bar, in the page's language.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    content_security_policy();
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/-/favicon.ico"/>
                <script src="/-/enhance.js" defer></script>
                <AutoReload options=options.clone()/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The page's Content-Security-Policy: scripts only from this origin or inline
/// with this response's nonce (Leptos puts it on the hydration script), WASM
/// compilation, no plugins, no framing, forms and connections to this origin.
#[cfg(feature = "ssr")]
fn content_security_policy() {
    let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>())
    else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The session as loaded for this page.
type SessionResource = Resource<Result<SessionInfo, model::UiError>>;

/// The signed-in user and language of this page load (inside [`WithSession`]).
/// Signing in or out and switching language are full page loads, so it is fixed
/// for a page's life.
pub fn use_session() -> Signal<SessionInfo> {
    Signal::stored(use_context::<SessionInfo>().unwrap_or(SessionInfo { user: None, lang: i18n::Lang::En }))
}

/// Islands hydrate without the server's context: each takes the page's session
/// as a prop and provides it again, so [`use_session`] answers the same on both
/// sides.
pub fn provide_session(session: SessionInfo) {
    provide_context(session);
}

/// Marks the page once the WASM has hydrated its islands: end-to-end tests wait
/// for it, which also catches a build whose hydration silently fails.
#[cfg(feature = "hydrate")]
pub fn mark_hydrated() {
    if let Some(body) = document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}

/// Renders its children once the session is loaded, with the session in context.
/// Awaiting it inside Suspense makes the server's HTML and the hydrating browser
/// agree on who is signed in and in which language.
///
/// A page request usually comes with its session already read (the server's
/// `page_session` layer): then the children are made once, at once. Under
/// Suspense the server makes them again on each of its passes (two or three),
/// and each time the page's resources load again.
#[component]
pub fn WithSession(children: ChildrenFn) -> AnyView {
    #[cfg(feature = "ssr")]
    if let Some(known) = session_read_before() {
        provide_context(known);
        return children().into_any();
    }
    let session = expect_context::<SessionResource>();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    let info = session.await.unwrap_or(SessionInfo { user: None, lang: i18n::Lang::En });
                    provide_context(info);
                    children()
                })
            }}
        </Suspense>
    }
    .into_any()
}

/// The session the server read for this page request before rendering it.
#[cfg(feature = "ssr")]
fn session_read_before() -> Option<SessionInfo> {
    use_context::<http::request::Parts>()?.extensions.get::<SessionInfo>().cloned()
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let session: SessionResource = Resource::new(|| (), |_| server_fns::session::get_session());
    provide_context(session);

    // Routes render in `SsrMode::Async`: the whole page arrives as plain HTML, so it
    // works without JavaScript (out-of-order streamed chunks would need a script).
    view! {
        <Stylesheet id="leptos" href="/pkg/laurel.css"/>
        <Title text="Laurel"/>
        <Router>
            <WithSession>
                <TopBar/>
                <components::toast::Toast/>
            </WithSession>
            <main class="page">
                <Routes fallback=|| view! { <WithSession><pages::not_found::NotFound/></WithSession> }>
                    <Route path=path!("") view=|| view! { <WithSession><pages::home::Home/></WithSession> } ssr=SsrMode::Async/>
                    <Route
                        path=path!("/users/sign_in")
                        view=|| view! { <WithSession><pages::sign_in::SignIn/></WithSession> }
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/groups/:ns/-/achievements") view=group_achievements_page ssr=SsrMode::Async/>
                    <Route
                        path=path!("/groups/:ns/:sub/-/achievements")
                        view=group_achievements_page
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/groups/:ns/-/achievements/audit") view=group_audit_page ssr=SsrMode::Async/>
                    <Route
                        path=path!("/groups/:ns/:sub/-/achievements/audit")
                        view=group_audit_page
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/groups/:ns/-/achievements/:id/bulk") view=bulk_award_page ssr=SsrMode::Async/>
                    <Route
                        path=path!("/groups/:ns/:sub/-/achievements/:id/bulk")
                        view=bulk_award_page
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/groups/:ns/-/achievements/:id/rule") view=award_rule_page ssr=SsrMode::Async/>
                    <Route
                        path=path!("/groups/:ns/:sub/-/achievements/:id/rule")
                        view=award_rule_page
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/groups/:ns/-/hooks") view=group_hooks_page ssr=SsrMode::Async/>
                    <Route path=path!("/groups/:ns/:sub/-/hooks") view=group_hooks_page ssr=SsrMode::Async/>
                    <Route
                        path=path!("/admin")
                        view=|| view! { <WithSession><pages::admin::AdminPage/></WithSession> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/-/verify")
                        view=|| view! { <WithSession><pages::verify::VerifyPage/></WithSession> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/-/profile")
                        view=|| view! { <WithSession><pages::profile_editor::ProfileEditor/></WithSession> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/:username")
                        view=|| view! { <WithSession><pages::profile::Profile/></WithSession> }
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/:ns/:project") view=project_page ssr=SsrMode::Async/>
                    <Route path=path!("/:ns/:sub/:project") view=project_page ssr=SsrMode::Async/>
                    <Route path=path!("/:ns/:project/-/issues/:iid") view=issue_page ssr=SsrMode::Async/>
                    <Route path=path!("/:ns/:sub/:project/-/issues/:iid") view=issue_page ssr=SsrMode::Async/>
                    <Route path=path!("/:ns/:project/-/merge_requests/:iid") view=merge_request_page ssr=SsrMode::Async/>
                    <Route
                        path=path!("/:ns/:sub/:project/-/merge_requests/:iid")
                        view=merge_request_page
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
        </Router>
    }
}

fn project_page() -> impl IntoView {
    view! { <WithSession><pages::project::ProjectPage/></WithSession> }
}

fn issue_page() -> impl IntoView {
    view! { <WithSession><pages::item::ItemPage kind=events::WorkItemKind::Issue/></WithSession> }
}

fn merge_request_page() -> impl IntoView {
    view! { <WithSession><pages::item::ItemPage kind=events::WorkItemKind::MergeRequest/></WithSession> }
}

fn group_achievements_page() -> impl IntoView {
    view! { <WithSession><pages::group_achievements::GroupAchievementsPage/></WithSession> }
}

fn group_audit_page() -> impl IntoView {
    view! { <WithSession><pages::group_audit::GroupAuditPage/></WithSession> }
}

fn award_rule_page() -> impl IntoView {
    view! { <WithSession><pages::award_rule::AwardRulePage/></WithSession> }
}

fn bulk_award_page() -> impl IntoView {
    view! { <WithSession><pages::bulk_award::BulkAwardPage/></WithSession> }
}

fn group_hooks_page() -> impl IntoView {
    view! { <WithSession><pages::group_hooks::GroupHooksPage/></WithSession> }
}
