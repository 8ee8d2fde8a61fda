//! The library's unit tests, kept out of the library so that `make test`
//! compiles `app` once: each module tests one source file through the crate's
//! public API.

mod achievement_fields;
mod award_emoji;
mod credentials;
mod emblem;
mod form;
mod i18n;
mod limits;
mod listing;
mod mail;
mod model;
mod outbox;
mod passwords;
mod policy;
mod session;
mod text;
mod uploads;
mod users;
mod webhooks;
