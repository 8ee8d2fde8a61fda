/* Preloaded into the server by `durability::a_reaction_is_shown_live_before_its_sync_and_answered_after`:
 * while the file named by LAUREL_SLOW_SYNC exists, every `fdatasync` of a
 * SQLite write-ahead log (a file whose name ends in "-wal") takes two seconds
 * more, and appends its start and end (CLOCK_REALTIME, nanoseconds) to that
 * file as a line. That is the server's own sync of the log after a commit
 * (Rust's `sync_data`); SQLite's syncs inside a commit or a checkpoint call
 * `fsync` in this build and go at their usual speed. While the file named by
 * LAUREL_FAIL_SYNC exists, those syncs fail with EIO instead (used by
 * `durability::a_failed_sync_of_the_log_fails_every_answer_after`). Linux only. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int is_log(int fd) {
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n < 4) return 0;
    path[n] = '\0';
    return strcmp(path + n - 4, "-wal") == 0;
}

static int exists(const char *variable) {
    const char *path = getenv(variable);
    return path != NULL && access(path, F_OK) == 0;
}

int fdatasync(int fd) {
    if (exists("LAUREL_FAIL_SYNC") && is_log(fd)) {
        errno = EIO;
        return -1;
    }
    const char *flag = getenv("LAUREL_SLOW_SYNC");
    if (flag == NULL || access(flag, F_OK) != 0 || !is_log(fd)) return (int)syscall(SYS_fdatasync, fd);
    long long start = now_ns();
    struct timespec wait = {2, 0};
    nanosleep(&wait, NULL);
    int result = (int)syscall(SYS_fdatasync, fd);
    char line[64];
    int len = snprintf(line, sizeof line, "%lld %lld\n", start, now_ns());
    int note = open(flag, O_WRONLY | O_APPEND);
    if (note >= 0) {
        ssize_t written = write(note, line, (size_t)len);
        (void)written;
        close(note);
    }
    return result;
}
