//! Laurel's server: one axum app serving the pages (SSR + hydration), the server
//! functions, the GitLab REST API and the live channel, over one domain layer.
//! `serve::run` starts it (the `server` binary is its command line);
//! `serve::router` is the whole app as one axum `Router`, for in-process use.

pub mod auth;
pub mod avatars;
pub mod body_budget;
pub mod body_deadline;
pub mod config;
pub mod connections;
pub mod csrf;
pub mod durable_answers;
pub mod embeds;
pub mod fds;
pub mod graphql;
pub mod input_guard;
pub mod live;
pub mod mail;
pub mod page_session;
pub mod request_id;
pub mod rest;
pub mod secrets_key;
pub mod security_headers;
pub mod serve;
pub mod state;
pub mod throttle;
pub mod user_card;
pub mod webhook_sender;
