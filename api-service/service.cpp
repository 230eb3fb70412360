#include "api-service/service.hpp"

#include <algorithm>
#include <chrono>
#include <thread>
#include <unordered_map>

#include "api-service/convert.hpp"
#include "api-service/events.hpp"
#include "api-service/filters.hpp"
#include "api-service/logs.hpp"
#include "common/strings.hpp"
#include "stage0/version.hpp"

namespace pod::api {

namespace {

// rkt's api-service reported this API version.
constexpr const char* kApiVersion = "1.0.0-alpha";
// How often a stream looks whether it should end (client gone, service stopping).
constexpr auto kStreamTick = std::chrono::milliseconds(200);
constexpr auto kLogPoll = std::chrono::milliseconds(100);
constexpr size_t kLinesPerResponse = 1000;

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

grpc::Status invalid(const std::string& msg) {
  return {grpc::StatusCode::INVALID_ARGUMENT, msg};
}
grpc::Status not_found(const std::string& msg) { return {grpc::StatusCode::NOT_FOUND, msg}; }

// Runs a handler body, turning what it throws into a status the client can act on.
template <class F>
grpc::Status answer(F&& body) {
  try {
    return body();
  } catch (const InvalidArgument& e) {
    return invalid(e.what());
  } catch (const Error& e) {
    std::string msg = e.what();
    if (!e.hint().empty()) msg += " (" + e.hint() + ")";
    return {grpc::StatusCode::INTERNAL, msg};
  } catch (const std::exception& e) {
    return {grpc::StatusCode::INTERNAL, e.what()};
  }
}

ImageLookup lookup_in(const std::vector<store::ImageRecord>& images) {
  auto by_id = std::make_shared<std::unordered_map<std::string, const store::ImageRecord*>>();
  for (const auto& r : images) (*by_id)[r.id] = &r;
  return [by_id](const std::string& id) -> std::optional<store::ImageRecord> {
    auto it = by_id->find(id);
    if (it == by_id->end()) return std::nullopt;
    return *it->second;
  };
}

ImageNames image_names(const std::vector<store::ImageRecord>& images) {
  ImageNames names;
  for (const auto& r : images) names[r.id] = r.name;
  return names;
}

bool pod_over(pods::PodState s) {
  return s == pods::PodState::exited || s == pods::PodState::exited_garbage ||
         s == pods::PodState::garbage || s == pods::PodState::deleting ||
         s == pods::PodState::aborted_prepare;
}

}  // namespace

Service::Service(ServiceConfig cfg)
    : cfg_(std::move(cfg)), pods_(cfg_.data_dir), images_(cfg_.data_dir) {}

bool Service::done(grpc::ServerContext* ctx) const { return stopping_ || ctx->IsCancelled(); }

grpc::Status Service::GetInfo(grpc::ServerContext*, const v1alpha::GetInfoRequest*,
                              v1alpha::GetInfoResponse* resp) {
  auto* info = resp->mutable_info();
  info->set_rkt_version(kPodVersion);
  info->set_appc_version(kAppcVersion);
  info->set_api_version(kApiVersion);
  auto* flags = info->mutable_global_flags();
  flags->set_dir(cfg_.data_dir);
  flags->set_system_config_dir(cfg_.system_config);
  flags->set_local_config_dir(cfg_.local_config);
  flags->set_user_config_dir(cfg_.user_config);
  flags->set_insecure_flags(cfg_.insecure_options);
  flags->set_trust_keys_from_https(cfg_.trust_keys_from_https);
  return grpc::Status::OK;
}

grpc::Status Service::ListPods(grpc::ServerContext* ctx, const v1alpha::ListPodsRequest* req,
                               v1alpha::ListPodsResponse* resp) {
  return answer([&] {
    for (int i = 0; i < req->filters_size(); ++i)
      validate(req->filters(i), "filters[" + std::to_string(i) + "]");
    std::vector<store::ImageRecord> images;
    if (req->detail()) images = images_.list();
    ImageLookup lookup = lookup_in(images);
    auto entries = pods_.scan();
    std::sort(entries.begin(), entries.end(),
              [](const PodEntry& a, const PodEntry& b) { return a.uuid < b.uuid; });
    if (ctx->IsCancelled()) return grpc::Status::CANCELLED;
    for (const auto& rec : pods_.read_all(entries)) {
      auto p = to_proto(rec, req->detail(), lookup);
      if (matches_any(p, req->filters())) *resp->add_pods() = std::move(p);
    }
    return grpc::Status::OK;
  });
}

grpc::Status Service::InspectPod(grpc::ServerContext*, const v1alpha::InspectPodRequest* req,
                                 v1alpha::InspectPodResponse* resp) {
  return answer([&] {
    if (req->id().empty()) return invalid("id is empty: give the UUID of a pod");
    if (!is_pod_uuid(req->id()))
      return invalid("id \"" + req->id() + "\" is not a pod UUID (8-4-4-4-12 lower-case hex digits)");
    auto entry = pods_.find(req->id());
    std::optional<PodRecord> rec;
    if (entry) rec = pods_.read(*entry);
    if (!rec) return not_found("no pod " + req->id() + " in " + cfg_.data_dir);
    *resp->mutable_pod() = to_proto(*rec, true, lookup_in(images_.list()));
    return grpc::Status::OK;
  });
}

grpc::Status Service::ListImages(grpc::ServerContext*, const v1alpha::ListImagesRequest* req,
                                 v1alpha::ListImagesResponse* resp) {
  return answer([&] {
    for (int i = 0; i < req->filters_size(); ++i)
      validate(req->filters(i), "filters[" + std::to_string(i) + "]");
    auto oci = images_.oci_media_types();
    for (const auto& rec : images_.list()) {
      auto img = to_proto(rec, req->detail());
      mark_oci(img, oci);
      if (matches_any(img, req->filters())) *resp->add_images() = std::move(img);
    }
    return grpc::Status::OK;
  });
}

grpc::Status Service::InspectImage(grpc::ServerContext*, const v1alpha::InspectImageRequest* req,
                                   v1alpha::InspectImageResponse* resp) {
  return answer([&] {
    if (req->id().empty()) return invalid("id is empty: give an image ID (sha512-...)");
    if (!is_image_id_or_prefix(req->id()))
      return invalid("id \"" + req->id() + "\" is not an image ID (sha512-<hex>)");
    std::vector<store::ImageRecord> found;
    for (auto& rec : images_.list())
      if (starts_with(rec.id, req->id())) found.push_back(std::move(rec));
    if (found.empty()) return not_found("no image " + req->id() + " in the store of " + cfg_.data_dir);
    if (found.size() > 1)
      return invalid("image ID prefix " + req->id() + " matches " + std::to_string(found.size()) +
                     " images; give more of the ID");
    *resp->mutable_image() = to_proto(found.front(), true);
    mark_oci(*resp->mutable_image(), images_.oci_media_types());
    return grpc::Status::OK;
  });
}

grpc::Status Service::ListenEvents(grpc::ServerContext* ctx,
                                   const v1alpha::ListenEventsRequest* req,
                                   grpc::ServerWriter<v1alpha::ListenEventsResponse>* writer) {
  return answer([&] {
    const v1alpha::EventFilter& filter = req->filter();
    validate(filter, "filter");
    std::call_once(watcher_once_, [&] { watcher_ = std::make_unique<Watcher>(cfg_.data_dir); });
    // Counts first: a change after them shows in the next wait, none is lost.
    ChangeCounts seen = watcher_->counts();
    PodStates pod_now = pod_states(pods_.scan());
    ImageNames images_now = image_names(images_.list());
    // An empty first response says the stream is watching: events from now on arrive.
    if (!writer->Write(v1alpha::ListenEventsResponse())) return grpc::Status::OK;
    while (!done(ctx)) {
      if (filter.until_time() != 0 && unix_now() > filter.until_time()) break;
      ChangeCounts counts = watcher_->wait(seen, kStreamTick);
      if (counts == seen) continue;
      v1alpha::ListenEventsResponse resp;
      int64_t now = unix_now();
      std::vector<v1alpha::Event> events;
      if (counts.pods != seen.pods) {
        auto entries = pods_.scan();
        PodStates after = pod_states(entries);
        for (const auto& t : pod_transitions(pod_now, after)) {
          std::optional<PodRecord> rec;
          if (t.to)
            for (const auto& e : entries)
              if (e.uuid == t.uuid) rec = pods_.read(e);
          for (auto& ev : pod_events(t, rec ? &*rec : nullptr, now)) events.push_back(std::move(ev));
        }
        pod_now = std::move(after);
      }
      if (counts.images != seen.images) {
        ImageNames after = image_names(images_.list());
        for (auto& ev : image_events(images_now, after, now)) events.push_back(std::move(ev));
        images_now = std::move(after);
      }
      seen = counts;
      for (auto& ev : events)
        if (matches(ev, filter)) *resp.add_events() = std::move(ev);
      if (resp.events_size() > 0 && !writer->Write(resp)) break;
    }
    return grpc::Status::OK;
  });
}

grpc::Status Service::GetLogs(grpc::ServerContext* ctx, const v1alpha::GetLogsRequest* req,
                              grpc::ServerWriter<v1alpha::GetLogsResponse>* writer) {
  return answer([&] {
    if (req->pod_id().empty()) return invalid("pod_id is empty: give the UUID of a pod");
    if (!is_pod_uuid(req->pod_id()))
      return invalid("pod_id \"" + req->pod_id() +
                     "\" is not a pod UUID (8-4-4-4-12 lower-case hex digits)");
    if (req->lines() < 0)
      return invalid("lines is " + std::to_string(req->lines()) + ": give 0 (all) or more");
    if (req->since_time() < 0 || req->until_time() < 0)
      return invalid("since_time and until_time are unix seconds and cannot be negative");
    if (req->since_time() != 0 && req->until_time() != 0 && req->since_time() > req->until_time())
      return invalid("since_time is after until_time: no line can match");
    auto entry = pods_.find(req->pod_id());
    std::optional<PodRecord> rec;
    if (entry) rec = pods_.read(*entry);
    if (!rec) return not_found("no pod " + req->pod_id() + " in " + cfg_.data_dir);
    std::vector<std::string> apps;
    for (const auto& a : rec->info.apps) apps.push_back(a.name);
    if (!req->app_name().empty()) {
      if (std::find(apps.begin(), apps.end(), req->app_name()) == apps.end())
        return not_found("pod " + req->pod_id() + " has no app \"" + req->app_name() +
                         "\" (its apps: " + join(apps, ", ") + ")");
      apps = {req->app_name()};
    }
    if (apps.empty())
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "pod " + req->pod_id() + " is " +
                              std::string(pods::state_name(entry->state)) + " and has no apps yet");
    std::string pod_path = pods::pod_dir(cfg_.data_dir, entry->dir, entry->uuid);
    bool prefix = req->app_name().empty() && apps.size() > 1;
    auto send = [&](const std::vector<LogRecord>& records) {
      v1alpha::GetLogsResponse resp;
      for (const auto& r : records) {
        resp.add_lines(prefix ? r.app + " " + r.line : r.line);
        if (static_cast<size_t>(resp.lines_size()) >= kLinesPerResponse) {
          if (!writer->Write(resp)) return false;
          resp.clear_lines();
        }
      }
      return resp.lines_size() == 0 || writer->Write(resp);
    };
    LogQuery q{req->lines(), req->since_time() * 1'000'000'000, req->until_time() * 1'000'000'000};
    std::vector<LogTail> tails;
    std::vector<off_t> limits;
    if (req->follow())
      for (const auto& app : apps) {
        tails.emplace_back(app_log_path(pod_path, app), app);
        limits.push_back(tails.back().start());
      }
    if (!send(read_logs(pod_path, apps, q, limits)) || !req->follow()) return grpc::Status::OK;
    LogQuery live{0, q.since_ns, q.until_ns};
    for (bool last = false; !last && !done(ctx);) {
      std::this_thread::sleep_for(kLogPoll);
      auto now_entry = pods_.find(req->pod_id());
      last = !now_entry || pod_over(now_entry->state) ||
             (req->until_time() != 0 && unix_now() > req->until_time());
      std::vector<LogRecord> fresh;
      for (auto& t : tails)
        for (auto& r : t.poll())
          if ((live.since_ns == 0 || r.time_ns >= live.since_ns) &&
              (live.until_ns == 0 || r.time_ns <= live.until_ns))
            fresh.push_back(std::move(r));
      std::stable_sort(fresh.begin(), fresh.end(),
                       [](const LogRecord& a, const LogRecord& b) { return a.time_ns < b.time_ns; });
      if (!send(fresh)) break;
    }
    return grpc::Status::OK;
  });
}

}  // namespace pod::api
