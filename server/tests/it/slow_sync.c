/* Preloaded into the server by `durability::a_reaction_is_shown_live_before_its_sync_and_answered_after`:
 * while the file named by LAUREL_SLOW_SYNC exists, every sync of a SQLite
 * write-ahead log (a file whose name ends in "-wal") waits two seconds first and
 * appends a line to that file. Other files sync as usual. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void slow_if_log(int fd) {
    const char *flag = getenv("LAUREL_SLOW_SYNC");
    if (flag == NULL || access(flag, F_OK) != 0) return;
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n < 4) return;
    path[n] = '\0';
    if (strcmp(path + n - 4, "-wal") != 0) return;
    struct timespec wait = {2, 0};
    nanosleep(&wait, NULL);
    int note = open(flag, O_WRONLY | O_APPEND);
    if (note >= 0) {
        ssize_t ignored = write(note, "synced\n", 7);
        (void)ignored;
        close(note);
    }
}

int fsync(int fd) {
    slow_if_log(fd);
    return (int)syscall(SYS_fsync, fd);
}

int fdatasync(int fd) {
    slow_if_log(fd);
    return (int)syscall(SYS_fdatasync, fd);
}
