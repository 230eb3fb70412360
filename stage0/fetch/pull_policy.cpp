#include "stage0/fetch/pull_policy.hpp"

#include <string>

#include "common/error.hpp"

namespace pod::fetch {

PullPolicy parse_pull_policy(std::string_view text) {
  if (text == "never") return PullPolicy::never;
  if (text == "new") return PullPolicy::new_;
  if (text == "update") return PullPolicy::update;
  throw UsageError("unknown --pull-policy \"" + std::string(text) + "\"", 0,
                   "use never (store only), new (fetch when missing) or update (always check)");
}

const char* pull_policy_name(PullPolicy p) {
  switch (p) {
    case PullPolicy::never: return "never";
    case PullPolicy::new_: return "new";
    case PullPolicy::update: return "update";
  }
  return "?";
}

PullAction decide_for_name(PullPolicy p, bool stored) {
  switch (p) {
    case PullPolicy::never: return stored ? PullAction::use_store : PullAction::fail_missing;
    case PullPolicy::new_: return stored ? PullAction::use_store : PullAction::fetch;
    case PullPolicy::update: return PullAction::fetch;
  }
  return PullAction::fetch;
}

PullAction decide_for_url(PullPolicy p, const std::optional<CachedRemote>& cached, int64_t now) {
  bool usable = cached && cached->image_stored;
  if (p == PullPolicy::never) return usable ? PullAction::use_store : PullAction::fail_missing;
  if (!usable) return PullAction::fetch;
  if (p == PullPolicy::new_) return PullAction::use_store;
  // update: within max-age the cached answer is still fresh, as HTTP caches reason.
  if (cached->max_age > 0 && now < cached->download_time + cached->max_age)
    return PullAction::use_cache;
  if (!cached->etag.empty()) return PullAction::fetch_conditional;
  return PullAction::fetch;
}

}  // namespace pod::fetch
