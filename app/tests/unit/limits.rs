//! The unit tests of `app/src/domain/limits.rs`.

use app::domain::limits::*;
use std::net::IpAddr;
use std::time::Duration;

#[test]
fn a_window_allows_its_limit_then_refuses_until_it_ends() {
    let limiter = RateLimiter::default();
    let period = Duration::from_millis(200);
    for n in 1..=3 {
        let v = limiter.hit("t", "a".into(), 3, period);
        assert!(v.allowed && v.observed == n && v.remaining == 3 - n, "{v:?}");
    }
    let refused = limiter.hit("t", "a".into(), 3, period);
    assert!(!refused.allowed && refused.remaining == 0 && refused.reset_in <= period);
    assert!(limiter.hit("t", "b".into(), 3, period).allowed, "keys are separate");
    assert!(limiter.hit("u", "a".into(), 3, period).allowed, "limits are separate");
    std::thread::sleep(period);
    assert!(limiter.hit("t", "a".into(), 3, period).allowed, "a new window");
    assert!(limiter.hit("t", "a".into(), 0, period).allowed, "0 is no limit");
}

#[test]
fn ipv6_clients_count_per_64() {
    let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
    let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().expect("ip");
    assert_eq!(address_key(a), address_key(b));
    assert_eq!(address_key("::ffff:10.0.0.1".parse().expect("ip")), "10.0.0.1");
}
