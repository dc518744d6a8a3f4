#define _GNU_SOURCE
#include "CSkySystem.h"
#include <errno.h>
#include <fcntl.h>
#if defined(__linux__)
#include <sys/vfs.h>
#endif

int skysys_start_writeback(int fd, long long offset, long long count) {
#if defined(__linux__)
    return sync_file_range(fd, (off64_t)offset, (off64_t)count, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd; (void)offset; (void)count;
    errno = ENOSYS;
    return -1;
#endif
}

int skysys_is_ext4(int fd) {
#if defined(__linux__)
    struct statfs s;
    if (fstatfs(fd, &s) != 0) return -1;
    return s.f_type == 0xEF53 ? 1 : 0;
#else
    (void)fd;
    return 0;
#endif
}

int skysys_drop_cached_pages(int fd) {
#if defined(__linux__)
    return posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
#else
    (void)fd;
    return ENOSYS;
#endif
}
