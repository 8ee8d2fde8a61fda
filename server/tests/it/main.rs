//! Every server test in one binary (compiled and linked once): each module
//! starts the real server binary on port 0 and speaks HTTP to it.

// `on_both!`: each test body once on SQLite and once on PostgreSQL.
#[macro_use]
extern crate testkit;

#[macro_use]
mod common;

mod abuse_limits;
mod achievements_api;
mod attacks;
mod author_icons;
mod avatars;
mod award_emoji_api;
mod award_rules;
mod bulk_award;
mod credentials;
mod durability;
mod embeds;
mod fuzz;
mod graphql;
mod group_audit;
mod home_feed;
mod http;
mod item_page;
mod live;
mod live_awards;
mod mail;
mod openapi;
mod permissions;
mod platform_limits;
mod python_gitlab;
mod races;
mod reaction_sets;
mod rest_substrate;
mod schema;
mod secrets;
mod unit;
mod upgrades;
mod webhooks;
