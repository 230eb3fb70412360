#include <doctest/doctest.h>

#include "common/error.hpp"
#include "stage0/fetch/pull_policy.hpp"
#include "stage0/fetch/retry_policy.hpp"

using namespace pod::fetch;
using namespace std::chrono_literals;

TEST_CASE("pull policy: names") {
  CHECK(parse_pull_policy("never") == PullPolicy::never);
  CHECK(parse_pull_policy("new") == PullPolicy::new_);
  CHECK(parse_pull_policy("update") == PullPolicy::update);
  CHECK_THROWS_AS((void)parse_pull_policy("sometimes"), pod::UsageError);
  CHECK(decide_for_name(PullPolicy::never, true) == PullAction::use_store);
  CHECK(decide_for_name(PullPolicy::never, false) == PullAction::fail_missing);
  CHECK(decide_for_name(PullPolicy::new_, true) == PullAction::use_store);
  CHECK(decide_for_name(PullPolicy::new_, false) == PullAction::fetch);
  CHECK(decide_for_name(PullPolicy::update, true) == PullAction::fetch);
}

TEST_CASE("pull policy: URLs and their cache records") {
  const int64_t now = 1'000'000;
  std::optional<CachedRemote> none;
  CHECK(decide_for_url(PullPolicy::never, none, now) == PullAction::fail_missing);
  CHECK(decide_for_url(PullPolicy::new_, none, now) == PullAction::fetch);
  CHECK(decide_for_url(PullPolicy::update, none, now) == PullAction::fetch);

  CachedRemote fresh{"\"abc\"", 600, now - 10, true};
  CHECK(decide_for_url(PullPolicy::never, fresh, now) == PullAction::use_store);
  CHECK(decide_for_url(PullPolicy::new_, fresh, now) == PullAction::use_store);
  CHECK(decide_for_url(PullPolicy::update, fresh, now) == PullAction::use_cache);

  CachedRemote stale{"\"abc\"", 600, now - 601, true};
  CHECK(decide_for_url(PullPolicy::update, stale, now) == PullAction::fetch_conditional);
  CachedRemote no_etag{"", 0, now - 1, true};
  CHECK(decide_for_url(PullPolicy::update, no_etag, now) == PullAction::fetch);

  // The image was removed from the store since: the record is of no use.
  CachedRemote gone{"\"abc\"", 600, now - 10, false};
  CHECK(decide_for_url(PullPolicy::new_, gone, now) == PullAction::fetch);
  CHECK(decide_for_url(PullPolicy::update, gone, now) == PullAction::fetch);
  CHECK(decide_for_url(PullPolicy::never, gone, now) == PullAction::fail_missing);
}

TEST_CASE("back-off: exponential, capped per wait and in total") {
  RetryPolicy p;
  p.max_attempts = 6;
  p.first_delay = 100ms;
  p.factor = 2.0;
  p.max_delay = 500ms;
  p.total_budget = 10s;
  CHECK(p.schedule() == std::vector<std::chrono::milliseconds>{100ms, 200ms, 400ms, 500ms, 500ms});
  p.total_budget = 750ms;
  CHECK(p.schedule() == std::vector<std::chrono::milliseconds>{100ms, 200ms, 400ms});
  p.max_attempts = 1;
  CHECK(p.schedule().empty());
  RetryPolicy defaults;
  std::chrono::milliseconds sum{0};
  for (auto d : defaults.schedule()) sum += d;
  CHECK(sum <= defaults.total_budget);
  CHECK(defaults.schedule().size() == static_cast<size_t>(defaults.max_attempts - 1));
}

TEST_CASE("back-off: which statuses are transient") {
  CHECK(is_transient_status(500));
  CHECK(is_transient_status(503));
  CHECK(is_transient_status(429));
  CHECK_FALSE(is_transient_status(404));
  CHECK_FALSE(is_transient_status(401));
  CHECK_FALSE(is_transient_status(200));
}
