//! The unit tests of `app/src/domain/outbox.rs`.

use app::domain::outbox::*;

#[test]
fn backoff_doubles_to_an_hour_and_gives_up_after_about_a_day() {
    assert_eq!(backoff(1), chrono::Duration::seconds(30));
    assert_eq!(backoff(2), chrono::Duration::seconds(60));
    assert_eq!(backoff(7), chrono::Duration::seconds(1920));
    assert_eq!(backoff(8), chrono::Duration::seconds(3600));
    assert_eq!(backoff(29), chrono::Duration::seconds(3600));
    let total: i64 = (1..MAX_ATTEMPTS).map(|a| backoff(a).num_seconds()).sum();
    assert!((20 * 3600..=28 * 3600).contains(&total), "{total} s of retries");
}
