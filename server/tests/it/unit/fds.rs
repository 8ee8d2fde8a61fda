//! The unit tests of `server/src/fds.rs` (the rest of it is tested on a
//! running server: `http::the_process_raises_its_open_files_limit_...`).

use server::fds::soft_limits_to_try;

#[test]
fn the_soft_limit_goes_to_the_hard_one_or_as_near_as_the_kernel_allows() {
    // Linux's usual: the hard limit is a number the kernel accepts.
    assert_eq!(soft_limits_to_try(1024, 524_288), [524_288, 65_536, 10_240]);
    // macOS's usual: an unlimited hard limit, which setrlimit refuses.
    let unlimited = u64::MAX;
    assert_eq!(soft_limits_to_try(256, unlimited), [unlimited, 1 << 20, 1 << 16, 10_240]);
    // Already at the hard limit, or above every step but the hard one.
    assert!(soft_limits_to_try(4096, 4096).is_empty());
    assert_eq!(soft_limits_to_try(70_000, 100_000), [100_000]);
    assert_eq!(soft_limits_to_try(256, 8192), [8192]);
}
