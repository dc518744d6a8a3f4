// System calls around output files, wrapped as plain functions (some need _GNU_SOURCE, which Swift's Glibc
// module does not define).
// Called only from SkyCore/IO/Writeback.swift.
#ifndef CSKYSYSTEM_H
#define CSKYSYSTEM_H

/// Starts the kernel's writeback of the dirty pages in bytes [offset, offset + count) of the open file `fd`
/// without waiting for it (sync_file_range with SYNC_FILE_RANGE_WRITE). Returns 0, or -1 with errno set
/// (also on systems without the call).
int skysys_start_writeback(int fd, long long offset, long long count);

/// Whether the file system holding the open file `fd` is ext2/3/4 (statfs magic 0xEF53): 1, 0, or -1
/// with errno set.
int skysys_is_ext4(int fd);

/// Asks the kernel to drop the cached pages of the open file `fd` (posix_fadvise POSIX_FADV_DONTNEED over
/// the whole file: clean pages are dropped, the file's contents are untouched). Returns 0, or an error number.
int skysys_drop_cached_pages(int fd);

#endif
