//! The unit tests of `server/src/fds.rs` (the rest of it is tested on a
//! running server: `http::the_process_raises_its_open_files_limit_...`).

use server::fds::highest_soft_limit;

/// A kernel that takes any soft limit up to `most`, and what it was asked.
fn kernel(most: u64) -> (impl FnMut(u64) -> bool, std::rc::Rc<std::cell::RefCell<Vec<u64>>>) {
    let asked = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let log = asked.clone();
    (
        move |n| {
            log.borrow_mut().push(n);
            n <= most
        },
        asked,
    )
}

#[test]
fn the_soft_limit_goes_to_the_hard_one_or_as_near_as_the_kernel_allows() {
    // Linux's usual: the hard limit is one the kernel takes, at once.
    let (set, asked) = kernel(1 << 20);
    assert_eq!(highest_soft_limit(1024, 524_288, set), 524_288);
    assert_eq!(*asked.borrow(), [524_288]);
    // macOS's usual: an unlimited hard limit, refused; the highest it takes
    // (kern.maxfilesperproc) is found exactly, in a few dozen calls at most.
    for most in [245_760, 10_240, 257] {
        let (set, asked) = kernel(most);
        assert_eq!(highest_soft_limit(256, u64::MAX, set), most);
        assert!(asked.borrow().len() <= 26, "{} calls", asked.borrow().len());
    }
    // Already past 2^24 under an unlimited hard limit the kernel refuses.
    let (set, _) = kernel(1 << 26);
    assert_eq!(highest_soft_limit((1 << 25) + 7, u64::MAX, set), (1 << 25) + 7);
    // A kernel that takes nothing higher: the limit stays.
    let (set, _) = kernel(256);
    assert_eq!(highest_soft_limit(256, u64::MAX, set), 256);
    // Already at the hard limit: nothing asked.
    let (set, asked) = kernel(u64::MAX);
    assert_eq!(highest_soft_limit(4096, 4096, set), 4096);
    assert!(asked.borrow().is_empty());
}
