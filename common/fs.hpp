// File system helpers: whole-file reads, atomic writes, directory trees.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

namespace pod {

[[nodiscard]] std::string read_file(const std::string& path);
[[nodiscard]] bool path_exists(const std::string& path);
[[nodiscard]] bool is_directory(const std::string& path);

// Writes to a temp file beside `path`, fsyncs it and renames it over `path`,
// so readers see the old content or the new, never half of it. `durable` = false skips the
// fsync for files that describe a live process (pid files, exit statuses): a host crash
// ends the process too, so the file would mean nothing after it, and the fsync cost ~0.5 ms
// on every pod start.
void write_file_atomic(const std::string& path, std::string_view data, mode_t mode = 0644,
                       bool durable = true);

// mkdir -p; existing directories are fine.
void make_dirs(const std::string& path, mode_t mode = 0755);

// rm -rf that never follows symlinks and never crosses into another mount
// (a mount point inside is an error, so a forgotten bind mount is not emptied).
// A missing path is not an error.
void remove_tree(const std::string& path);
// The same relative to a directory fd.
void remove_tree_at(int dirfd, const std::string& name);

// Names in a directory, without "." and "..", sorted.
[[nodiscard]] std::vector<std::string> list_dir(const std::string& path);
// The same for an open directory fd, read from its start through a duplicate (the fd
// stays open; its offset is shared with the duplicate). `shown` names it in errors.
[[nodiscard]] std::vector<std::string> list_dir_at(int dirfd, const std::string& shown);

// The directory holding `path`: "a/b" -> "a", "/b" -> "/", "b" -> ".".
[[nodiscard]] std::string parent_dir(const std::string& path);

// Joins two path pieces with exactly one '/'.
[[nodiscard]] std::string path_join(std::string_view a, std::string_view b);

// fsync of a directory, so a rename inside it survives a crash.
void sync_dir(const std::string& path);

}  // namespace pod
