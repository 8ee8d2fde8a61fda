//! The unit tests of `server/src/throttle.rs`.

use http::{HeaderMap, HeaderValue};
use server::throttle::*;
use std::net::IpAddr;

#[test]
fn forwarded_for_counts_only_behind_a_trusted_proxy() {
    let proxy: IpAddr = "10.0.0.2".parse().expect("ip");
    let mut headers = HeaderMap::new();
    headers.insert("x-forwarded-for", HeaderValue::from_static("1.2.3.4, 203.0.113.7, 10.0.0.2"));
    assert_eq!(client_ip(proxy, &headers, &[]), proxy, "untrusted peer: its own address");
    assert_eq!(
        client_ip(proxy, &headers, &[proxy]),
        "203.0.113.7".parse::<IpAddr>().expect("ip"),
        "nearest untrusted hop, not the spoofable first"
    );
    assert_eq!(client_ip(proxy, &HeaderMap::new(), &[proxy]), proxy);
}
