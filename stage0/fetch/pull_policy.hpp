// rkt's --pull-policy: when `pod fetch` (and run/prepare through it) may use the
// store and when it must ask the remote. Pure decisions, so they are unit tested.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace pod::fetch {

enum class PullPolicy {
  never,   // the store only; a missing image is an error
  new_,    // the store first; fetch only when missing (the default for names)
  update,  // always ask the remote; an unchanged image is not downloaded again
};

// "never", "new", "update"; throws UsageError naming the value otherwise.
[[nodiscard]] PullPolicy parse_pull_policy(std::string_view text);
[[nodiscard]] const char* pull_policy_name(PullPolicy p);

// What to do for a name (or a URL) given what the store has.
enum class PullAction {
  use_store,         // the stored image, no network
  fail_missing,      // policy never and nothing stored
  use_cache,         // a URL fetched before whose max-age has not run out: no network
  fetch_conditional, // ask with If-None-Match: the cached ETag; 304 means the stored image
  fetch,             // download
};

struct CachedRemote {
  std::string_view etag;
  int64_t max_age = 0;        // seconds
  int64_t download_time = 0;  // unix seconds
  bool image_stored = false;  // the image it imported as is still in the store
};

// For an image name found by discovery: `stored` says whether the store holds one.
[[nodiscard]] PullAction decide_for_name(PullPolicy p, bool stored);
// For a URL (given, or rendered by discovery), with its cache record if any.
[[nodiscard]] PullAction decide_for_url(PullPolicy p, const std::optional<CachedRemote>& cached,
                                        int64_t now);

}  // namespace pod::fetch
