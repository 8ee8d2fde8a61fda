//! The unit tests of `server/src/config.rs`.

use server::config::*;
use std::collections::HashMap;

fn parse(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Config::from_lookup(|k| map.get(k).cloned())
}

#[test]
fn defaults() {
    let config = parse(&[]).expect("defaults parse");
    assert_eq!(config.database_url, "sqlite://data/laurel.db");
    assert_eq!(config.site_addr.to_string(), "127.0.0.1:3000");
    assert!(!config.demo_data);
    assert_eq!(config.live_caps, server::live::hub::Caps { per_user: 50, per_address: 500 });
    let raised = parse(&[("LIVE_STREAMS_PER_USER", "3"), ("LIVE_STREAMS_PER_ADDRESS", "20000")]).expect("caps parse");
    assert_eq!(raised.live_caps, server::live::hub::Caps { per_user: 3, per_address: 20000 });
    assert_eq!(config.live_send_buffer, 65_536);
    assert_eq!(parse(&[("LIVE_SEND_BUFFER_BYTES", "4096")]).expect("buffer parses").live_send_buffer, 4096);
    assert_eq!(config.client_timeout, std::time::Duration::from_secs(30));
    let quick = parse(&[("CLIENT_TIMEOUT_SECONDS", "1")]).expect("a timeout parses");
    assert_eq!(quick.client_timeout, std::time::Duration::from_secs(1));
}

#[test]
fn each_bad_value_names_its_variable() {
    for (var, value) in [
        ("DATABASE_URL", "mysql://x"),
        ("LEPTOS_SITE_ADDR", "localhost"),
        ("EXTERNAL_URL", "laurel.example.com"),
        ("INITIAL_ROOT_PASSWORD", "short"),
        ("INITIAL_ROOT_TOKEN", "tooshort"),
        ("SMTP_URL", "ftp://mail"),
        ("SMTP_TIMEOUT_SECONDS", "0"),
        ("TRUSTED_PROXIES", "10.0.0.1, nginx"),
        ("DEMO_DATA", "maybe"),
        ("LIVE_STREAMS_PER_USER", "0"),
        ("LIVE_STREAMS_PER_ADDRESS", "lots"),
        ("LIVE_SEND_BUFFER_BYTES", "1024"),
        ("LIVE_SEND_BUFFER_BYTES", "big"),
        ("CLIENT_TIMEOUT_SECONDS", "0"),
        ("CLIENT_TIMEOUT_SECONDS", "3601"),
        ("CLIENT_TIMEOUT_SECONDS", "soon"),
    ] {
        let err = parse(&[(var, value)]).expect_err(var);
        assert_eq!(err.var, var);
    }
}
