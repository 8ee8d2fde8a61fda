//! The unit tests of `app/src/domain/passwords.rs`.

use app::domain::passwords::hash_password;

/// Argon2 runs on threads named `password-N`, at nice 10 (Linux), so a
/// sign-in flood takes only the CPU other requests leave over.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn passwords_are_hashed_on_low_priority_threads_of_their_own() {
    let hash = hash_password("correct horse battery").await.expect("hashed");
    assert!(hash.starts_with("$argon2"), "{hash}");
    let tasks = std::fs::read_dir("/proc/self/task").expect("/proc/self/task");
    let niceness: Vec<i64> = tasks
        .filter_map(|task| task.ok())
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm")).is_ok_and(|name| name.trim().starts_with("password-"))
        })
        .filter_map(|task| {
            // Field 19 of stat is the nice value; the name (field 2) ends with ')'.
            let stat = std::fs::read_to_string(task.path().join("stat")).ok()?;
            let after_name = stat.rsplit_once(')')?.1;
            after_name.split_whitespace().nth(16)?.parse().ok()
        })
        .collect();
    assert!(!niceness.is_empty(), "no password thread found");
    assert!(niceness.iter().all(|&nice| nice == 10), "{niceness:?}");
}
