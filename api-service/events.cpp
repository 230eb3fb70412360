#include "api-service/events.hpp"

namespace pod::api {

namespace {

using pods::PodState;

bool before_running(std::optional<PodState> s) {
  return !s || *s == PodState::embryo || *s == PodState::preparing || *s == PodState::prepared;
}

bool after_running(std::optional<PodState> s) {
  return !s || *s == PodState::exited || *s == PodState::exited_garbage ||
         *s == PodState::garbage || *s == PodState::deleting;
}

bool collected(std::optional<PodState> s) {
  return s && (*s == PodState::exited_garbage || *s == PodState::garbage ||
               *s == PodState::deleting);
}

v1alpha::Event make(v1alpha::EventType type, const std::string& id, const std::string& from,
                    int64_t now) {
  v1alpha::Event e;
  e.set_type(type);
  e.set_id(id);
  e.set_from(from);
  e.set_time(now);
  return e;
}

void add_data(v1alpha::Event& e, const std::string& key, const std::string& value) {
  auto* kv = e.add_data();
  kv->set_key(key);
  kv->set_value(value);
}

void app_events(v1alpha::EventType type, const std::string& uuid, const PodRecord* rec,
                int64_t now, std::vector<v1alpha::Event>& out) {
  if (!rec) return;
  for (const auto& a : rec->info.apps) {
    auto e = make(type, uuid, a.name, now);
    if (type == v1alpha::EVENT_TYPE_APP_EXITED && a.exit_code)
      add_data(e, "exit_code", std::to_string(*a.exit_code));
    out.push_back(std::move(e));
  }
}

}  // namespace

PodStates pod_states(const std::vector<PodEntry>& entries) {
  PodStates s;
  for (const auto& e : entries) s[e.uuid] = e.state;
  return s;
}

std::vector<PodTransition> pod_transitions(const PodStates& before, const PodStates& after) {
  std::vector<PodTransition> out;
  for (const auto& [uuid, state] : after) {
    auto it = before.find(uuid);
    if (it == before.end())
      out.push_back({uuid, std::nullopt, state});
    else if (it->second != state)
      out.push_back({uuid, it->second, state});
  }
  for (const auto& [uuid, state] : before)
    if (!after.count(uuid)) out.push_back({uuid, state, std::nullopt});
  return out;
}

std::vector<v1alpha::Event> pod_events(const PodTransition& t, const PodRecord* rec, int64_t now) {
  std::vector<v1alpha::Event> out;
  const std::string& id = t.uuid;
  if (t.to == PodState::prepared && t.from != PodState::prepared)
    out.push_back(make(v1alpha::EVENT_TYPE_POD_PREPARED, id, id, now));
  if (t.to == PodState::aborted_prepare)
    out.push_back(make(v1alpha::EVENT_TYPE_POD_PREPARE_ABORTED, id, id, now));
  // A pod that ran between two looks (a short one, or a busy service) still started and
  // exited: both are reported, in order. A prepared pod removed by gc never ran.
  bool started = before_running(t.from) &&
                 (t.to == PodState::running || (t.to == PodState::exited) ||
                  (t.to && after_running(t.to) && rec && rec->info.started_at));
  if (started) {
    out.push_back(make(v1alpha::EVENT_TYPE_POD_STARTED, id, id, now));
    app_events(v1alpha::EVENT_TYPE_APP_STARTED, id, rec, now, out);
  }
  bool was_running = t.from == PodState::running || started;
  if (was_running && after_running(t.to)) {
    out.push_back(make(v1alpha::EVENT_TYPE_POD_EXITED, id, id, now));
    app_events(v1alpha::EVENT_TYPE_APP_EXITED, id, rec, now, out);
  }
  if (collected(t.to) && !collected(t.from)) {
    auto e = make(v1alpha::EVENT_TYPE_POD_GARBAGE_COLLECTED, id, id, now);
    add_data(e, "phase", "marked");
    out.push_back(std::move(e));
  }
  if (!t.to && t.from) {
    auto e = make(v1alpha::EVENT_TYPE_POD_GARBAGE_COLLECTED, id, id, now);
    add_data(e, "phase", "removed");
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<v1alpha::Event> image_events(const ImageNames& before, const ImageNames& after,
                                         int64_t now) {
  std::vector<v1alpha::Event> out;
  for (const auto& [id, name] : after)
    if (!before.count(id)) out.push_back(make(v1alpha::EVENT_TYPE_IMAGE_IMPORTED, id, name, now));
  for (const auto& [id, name] : before)
    if (!after.count(id)) out.push_back(make(v1alpha::EVENT_TYPE_IMAGE_REMOVED, id, name, now));
  return out;
}

}  // namespace pod::api
