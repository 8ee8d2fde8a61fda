//! The server library's unit tests, kept out of the library so that `make
//! test` compiles `server` once: each module tests one source file through the
//! library's public API.

mod body_deadline;
mod config;
mod embeds;
mod fds;
mod graphql_budget;
mod graphql_ids;
mod graphql_shape;
mod input_guard;
mod live_batch;
mod live_topic;
mod rest;
mod rest_error;
mod store_writer;
mod throttle;
