//! Configuration from the environment. Bad values stop start-up with one line
//! naming the variable.

use std::net::SocketAddr;
use std::path::PathBuf;

pub const HELP: &str = "\
Laurel: achievements and emoji reactions, compatible with GitLab's APIs.

Usage: server [--help | --print-schema | --forget-secrets [--yes]]

  --print-schema         print the GraphQL schema (SDL) and exit; server/schema.graphql is its output
  --forget-secrets       the key is lost: say what of the secrets the database keeps SECRETS_KEY (or
                         the key file, which must be there) does not open, and exit; with --yes, give
                         it up (webhooks lose their tokens, signing keys are retired) and make the
                         database this key's. Stop every other server process first

Configuration (environment variables):
  DATABASE_URL           sqlite://PATH or postgres://USER@HOST/DB
                         (default: sqlite://data/laurel.db)
  LEPTOS_SITE_ADDR       address to listen on (default: 127.0.0.1:3000; port 0 picks a free port)
  LEPTOS_SITE_ROOT       where the built site (pkg/, assets) is (default: target/site)
  EXTERNAL_URL           base of absolute URLs handed out, e.g. https://laurel.example.com
                         (default: http://<listen address>)
  DATA_DIR               mail files when there is no SMTP_URL; avatar files of older versions,
                         moved into the database at start-up; the key file below (default: data)
  SECRETS_KEY            64 hex digits (`openssl rand -hex 32`): the key the secrets the database
                         keeps (credential signing keys, webhook tokens) are sealed with. Every
                         process on one database needs the same one (default: DATA_DIR/secrets.key,
                         made on first start)
  SECRETS_KEY_PREVIOUS   the key SECRETS_KEY replaces: at start-up everything sealed with it is sealed
                         again with SECRETS_KEY (keep it set until every process has been restarted)
  INITIAL_ROOT_PASSWORD  password of the admin `root` created on first start
                         (default: a random one, printed once)
  INITIAL_ROOT_TOKEN     also give `root` a personal access token with exactly this value (>= 20 chars)
  SMTP_URL               smtp://user:pass@host:port or smtps://... to send mail
                         (default: write each mail as an .eml file under DATA_DIR/mail/)
  SMTP_TIMEOUT_SECONDS   give up one SMTP attempt after this long (default: 20; the outbox
                         retries with backoff for about a day)
  WEBHOOK_RETRY_SECONDS  wait after a webhook delivery's first failed attempt; each next wait is
                         three times longer, 4 attempts in all (default: 10; from 0.05 to 3600)
  AWARD_RULE_PASS_SECONDS  how often every automatic award rule is evaluated again (memberships,
                         awards held back by the hourly limit, auto-revoke; default: 60; 0.1 to 86400)
  TRUSTED_PROXIES        comma-separated addresses of reverse proxies whose X-Forwarded-For
                         names the client (for per-address sign-in limits; default: none)
  CLIENT_TIMEOUT_SECONDS  close a connection that sends no request for this long (none yet, or none
                         since its last response), or stalls that long sending a request head or
                         taking a response; a request body may pause this long, and must arrive at
                         500 bytes/s past its first CLIENT_TIMEOUT_SECONDS (default: 30; 1 to 3600)
  LIVE_STREAMS_PER_USER  live update streams one signed-in user may hold open per process (default: 50)
  LIVE_STREAMS_PER_ADDRESS  live update streams one client address may hold open per process (default: 500)
  LIVE_SEND_BUFFER_BYTES  kernel send buffer of each live stream's connection: what a viewer that
                         stopped reading can hold before it is caught up with tallies instead
                         (default: 65536; 4096 to 16777216)
  DEMO_DATA              1/true: seed demo users, groups, projects and achievements into an empty database
  RUST_LOG               log filter (default: info)
";

#[derive(Debug, thiserror::Error)]
#[error("{var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

fn bad(var: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError { var, message: message.into() }
}

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub site_addr: SocketAddr,
    pub external_url: Option<String>,
    pub data_dir: PathBuf,
    pub initial_root_password: Option<String>,
    pub initial_root_token: Option<String>,
    /// `SECRETS_KEY`; none: the key file under `data_dir`.
    pub secrets_key: Option<crate::secrets_key::SecretsKey>,
    /// `SECRETS_KEY_PREVIOUS`: the key `secrets_key` replaces.
    pub secrets_key_previous: Option<crate::secrets_key::SecretsKey>,
    pub smtp_url: Option<String>,
    pub smtp_timeout: std::time::Duration,
    pub webhook_retry: std::time::Duration,
    pub award_rule_pass: std::time::Duration,
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// See `CLIENT_TIMEOUT_SECONDS` and `connections`.
    pub client_timeout: std::time::Duration,
    pub demo_data: bool,
    pub live_caps: crate::live::hub::Caps,
    /// Each live connection's `SO_SNDBUF`.
    pub live_send_buffer: u32,
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|key| std::env::var(key).ok().filter(|v| !v.is_empty()))
    }

    /// Parses configuration from any key lookup (the environment, or a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let database_url = get("DATABASE_URL").unwrap_or_else(|| "sqlite://data/laurel.db".into());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(bad("DATABASE_URL", format!("'{database_url}' is neither sqlite://... nor postgres://...")));
        }
        let site_addr = get("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let site_addr = site_addr
            .parse()
            .map_err(|_| bad("LEPTOS_SITE_ADDR", format!("'{site_addr}' is not an address like 127.0.0.1:3000")))?;
        let external_url = match get("EXTERNAL_URL") {
            Some(url) => {
                let trimmed = url.trim_end_matches('/').to_string();
                let rest = trimmed.strip_prefix("http://").or_else(|| trimmed.strip_prefix("https://"));
                if rest.is_none_or(|r| r.is_empty() || r.contains(char::is_whitespace)) {
                    return Err(bad("EXTERNAL_URL", format!("'{url}' is not an http:// or https:// URL")));
                }
                Some(trimmed)
            }
            None => None,
        };
        let initial_root_password = get("INITIAL_ROOT_PASSWORD");
        if initial_root_password.as_deref().is_some_and(|p| p.chars().count() < 8) {
            return Err(bad("INITIAL_ROOT_PASSWORD", "must be at least 8 characters"));
        }
        let initial_root_token = get("INITIAL_ROOT_TOKEN");
        if initial_root_token.as_deref().is_some_and(|t| t.len() < 20 || t.contains(char::is_whitespace)) {
            return Err(bad("INITIAL_ROOT_TOKEN", "must be at least 20 characters, without spaces"));
        }
        let secrets_key = match get("SECRETS_KEY") {
            None => None,
            Some(v) => Some(crate::secrets_key::parse(&v).ok_or_else(|| {
                bad("SECRETS_KEY", "must be 64 hex digits (32 bytes), e.g. the output of `openssl rand -hex 32`")
            })?),
        };
        let secrets_key_previous = match get("SECRETS_KEY_PREVIOUS") {
            None => None,
            Some(v) => Some(
                crate::secrets_key::parse(&v)
                    .ok_or_else(|| bad("SECRETS_KEY_PREVIOUS", "must be 64 hex digits (32 bytes)"))?,
            ),
        };
        let smtp_url = get("SMTP_URL");
        if let Some(url) = &smtp_url {
            crate::mail::check_smtp_url(url).map_err(|e| bad("SMTP_URL", e))?;
        }
        // A duration in seconds, from `low` to `high`.
        let seconds = |var: &'static str, default: f64, (low, high): (f64, f64)| {
            let value = match get(var) {
                None => default,
                Some(v) => v
                    .parse::<f64>()
                    .ok()
                    .filter(|s| (low..=high).contains(s))
                    .ok_or_else(|| bad(var, format!("'{v}' is not a number of seconds from {low} to {high}")))?,
            };
            Ok::<_, ConfigError>(std::time::Duration::from_secs_f64(value))
        };
        let smtp_timeout = seconds("SMTP_TIMEOUT_SECONDS", 20.0, (1.0, 300.0))?;
        let webhook_retry = seconds("WEBHOOK_RETRY_SECONDS", 10.0, (0.05, 3600.0))?;
        let award_rule_pass = seconds("AWARD_RULE_PASS_SECONDS", 60.0, (0.1, 86_400.0))?;
        let trusted_proxies = get("TRUSTED_PROXIES")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().map_err(|_| bad("TRUSTED_PROXIES", format!("'{s}' is not an IP address"))))
            .collect::<Result<Vec<std::net::IpAddr>, _>>()?;
        let client_timeout = seconds("CLIENT_TIMEOUT_SECONDS", 30.0, (1.0, 3600.0))?;
        let demo_data = match get("DEMO_DATA").as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("0" | "false" | "no" | "off") => false,
            Some("1" | "true" | "yes" | "on") => true,
            Some(other) => return Err(bad("DEMO_DATA", format!("'{other}' is not one of 1, true, 0, false"))),
        };
        let caps = crate::live::hub::Caps::default();
        let count = |var: &'static str, default: u32| match get(var) {
            None => Ok(default),
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=1_000_000).contains(n))
                .ok_or_else(|| bad(var, format!("'{v}' is not a number from 1 to 1000000"))),
        };
        let live_caps = crate::live::hub::Caps {
            per_user: count("LIVE_STREAMS_PER_USER", caps.per_user)?,
            per_address: count("LIVE_STREAMS_PER_ADDRESS", caps.per_address)?,
        };
        let live_send_buffer =
            match get("LIVE_SEND_BUFFER_BYTES") {
                None => 65_536,
                Some(v) => v.parse::<u32>().ok().filter(|n| (4096..=16_777_216).contains(n)).ok_or_else(|| {
                    bad("LIVE_SEND_BUFFER_BYTES", format!("'{v}' is not a number from 4096 to 16777216"))
                })?,
            };
        Ok(Config {
            database_url,
            site_addr,
            external_url,
            data_dir: get("DATA_DIR").unwrap_or_else(|| "data".into()).into(),
            initial_root_password,
            initial_root_token,
            secrets_key,
            secrets_key_previous,
            smtp_url,
            smtp_timeout,
            webhook_retry,
            award_rule_pass,
            trusted_proxies,
            client_timeout,
            demo_data,
            live_caps,
            live_send_buffer,
        })
    }
}
