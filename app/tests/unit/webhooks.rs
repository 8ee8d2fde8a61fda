use app::domain::hook_delivery::{backoff, disabled_for};
use app::domain::webhooks::{address_allowed, check_url, parse_url, signature, signing_key, uuid_v4};
use std::time::Duration;

#[test]
fn signatures_match_the_standard_webhooks_test_vector() {
    // From the Standard Webhooks specification's reference implementations.
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let sig = signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, r#"{"test": 2432232314}"#);
    assert_eq!(sig.as_deref(), Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
    assert!(signature("whsec_short", "id", 1, "{}").is_none());
    assert!(signing_key("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_none(), "the whsec_ prefix is required");
    assert!(signing_key("whsec_not*base64*at*all*nope").is_none());
}

#[test]
fn local_addresses_wait_for_the_admin_and_link_local_ones_never_pass() {
    let ip = |s: &str| s.parse().expect("ip");
    for public in ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"] {
        assert!(address_allowed(ip(public), false).is_ok(), "{public}");
    }
    for local in [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",
        "0.0.0.0",
        "::1",
        "fd00::1",
        "::ffff:127.0.0.1",
        "0.1.2.3",
    ] {
        assert!(address_allowed(ip(local), false).is_err(), "{local}");
        assert!(address_allowed(ip(local), true).is_ok(), "{local} when allowed");
    }
    // An IPv6 address carrying an IPv4 one is judged by that one.
    for carried in [
        "::7f00:1",
        "64:ff9b::a00:1",
        "64:ff9b:1::c0a8:101",
        "2002:7f00:1::",
        "::ffff:0:7f00:1",
        "2001:0:4136:e378:8000:63bf:80ff:fffe",
        "fec0::1",
        "192.0.0.8",
        "198.18.0.1",
        "240.0.0.1",
    ] {
        assert!(address_allowed(ip(carried), false).is_err(), "{carried}");
    }
    assert!(address_allowed(ip("64:ff9b::808:808"), false).is_ok(), "NAT64 to a public address");
    for metadata in [
        "169.254.169.254",
        "fe80::1",
        "::ffff:169.254.169.254",
        "fd00:ec2::254",
        "100.100.100.200",
        "64:ff9b::a9fe:a9fe",
    ] {
        assert!(address_allowed(ip(metadata), true).is_err(), "{metadata} even when local is allowed");
    }
}

#[test]
fn hook_urls_are_absolute_http_with_a_host() {
    assert!(parse_url("https://example.com/hook?x=1").is_some());
    for bad in ["", "not a url", "ftp://example.com/", "mailto:a@b.c", "http://", "/relative"] {
        assert!(parse_url(bad).is_none(), "{bad}");
    }
    assert!(parse_url(&format!("https://example.com/{}", "a".repeat(3000))).is_none(), "too long");
    assert!(check_url("http://localhost:8080/h", false).is_err());
    assert!(check_url("http://LOCALHOST./h", false).is_err());
    assert!(check_url("http://api.localhost/h", false).is_err());
    assert!(check_url("http://[::1]/h", false).is_err());
    assert!(check_url("http://2130706433/h", false).is_err(), "127.0.0.1 written as a number");
    assert!(check_url("http://localhost:8080/h", true).is_ok());
    assert!(check_url("https://hooks.example.com/h", false).is_ok());
}

#[test]
fn retries_wait_longer_each_time_and_failures_disable_after_four() {
    let base = Duration::from_secs(10);
    assert_eq!(backoff(base, 1), Duration::from_secs(10));
    assert_eq!(backoff(base, 2), Duration::from_secs(30));
    assert_eq!(backoff(base, 3), Duration::from_secs(90));
    for failures in [0, 1, 2, 3, -1] {
        assert_eq!(disabled_for(failures), None, "{failures}");
    }
    assert_eq!(disabled_for(4), Some(chrono::Duration::minutes(1)));
    assert_eq!(disabled_for(5), Some(chrono::Duration::minutes(2)));
    assert_eq!(disabled_for(14), Some(chrono::Duration::minutes(1024)));
    assert_eq!(disabled_for(15), Some(chrono::Duration::hours(24)));
    assert_eq!(disabled_for(39), Some(chrono::Duration::hours(24)));
}

#[test]
fn ids_are_version_4_uuids() {
    let (a, b) = (uuid_v4(), uuid_v4());
    assert_ne!(a, b);
    assert_eq!(a.len(), 36);
    assert_eq!(&a[14..15], "4");
    assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
}
