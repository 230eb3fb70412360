// The PublicAPI service: rkt's v1alpha methods answered from the data directory, read
// only. Handlers run on gRPC's threads; nothing is shared between calls but the Watcher.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "api-service/image_index.hpp"
#include "api-service/pod_reader.hpp"
#include "api-service/watcher.hpp"
#include "api.grpc.pb.h"

namespace pod::api {

struct ServiceConfig {
  std::string data_dir;
  std::string local_config;
  std::string system_config;
  std::string user_config;
  std::string insecure_options;  // as given, comma-separated
  bool trust_keys_from_https = false;
};

class Service final : public v1alpha::PublicAPI::Service {
 public:
  explicit Service(ServiceConfig cfg);

  // Streams end at their next look (within a fraction of a second).
  void stop() { stopping_ = true; }

  grpc::Status GetInfo(grpc::ServerContext* ctx, const v1alpha::GetInfoRequest* req,
                       v1alpha::GetInfoResponse* resp) override;
  grpc::Status ListPods(grpc::ServerContext* ctx, const v1alpha::ListPodsRequest* req,
                        v1alpha::ListPodsResponse* resp) override;
  grpc::Status InspectPod(grpc::ServerContext* ctx, const v1alpha::InspectPodRequest* req,
                          v1alpha::InspectPodResponse* resp) override;
  grpc::Status ListImages(grpc::ServerContext* ctx, const v1alpha::ListImagesRequest* req,
                          v1alpha::ListImagesResponse* resp) override;
  grpc::Status InspectImage(grpc::ServerContext* ctx, const v1alpha::InspectImageRequest* req,
                            v1alpha::InspectImageResponse* resp) override;
  grpc::Status ListenEvents(grpc::ServerContext* ctx, const v1alpha::ListenEventsRequest* req,
                            grpc::ServerWriter<v1alpha::ListenEventsResponse>* writer) override;
  grpc::Status GetLogs(grpc::ServerContext* ctx, const v1alpha::GetLogsRequest* req,
                       grpc::ServerWriter<v1alpha::GetLogsResponse>* writer) override;

 private:
  [[nodiscard]] bool done(grpc::ServerContext* ctx) const;
  ServiceConfig cfg_;
  PodReader pods_;
  ImageIndex images_;
  std::unique_ptr<Watcher> watcher_;  // started by the first ListenEvents
  std::once_flag watcher_once_;
  std::atomic<bool> stopping_{false};
};

}  // namespace pod::api
