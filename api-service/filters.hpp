// The filters of ListPods, ListImages and ListenEvents: checking a request's filters
// (a malformed one is the client's mistake, answered with INVALID_ARGUMENT naming the
// field) and matching messages against them. As rkt's protocol says: the conditions of
// one filter must all hold, and an object matching any one filter is returned.
#pragma once

#include <google/protobuf/repeated_field.h>

#include "api.pb.h"
#include "common/error.hpp"

namespace pod::api {

// A request field the client got wrong; the message names it ("filters[0].ids[1]: ...").
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

void validate(const v1alpha::PodFilter& f, const std::string& where);
void validate(const v1alpha::ImageFilter& f, const std::string& where);
void validate(const v1alpha::EventFilter& f, const std::string& where);

[[nodiscard]] bool matches(const v1alpha::Pod& pod, const v1alpha::PodFilter& f);
[[nodiscard]] bool matches(const v1alpha::Image& image, const v1alpha::ImageFilter& f);
[[nodiscard]] bool matches(const v1alpha::Event& event, const v1alpha::EventFilter& f);

// No filters at all lets everything through.
template <class Message, class Filter>
[[nodiscard]] bool matches_any(const Message& m,
                               const google::protobuf::RepeatedPtrField<Filter>& filters) {
  if (filters.empty()) return true;
  for (const auto& f : filters)
    if (matches(m, f)) return true;
  return false;
}

// "8-4-4-4-12" lower-case hex, as pod writes pod UUIDs.
[[nodiscard]] bool is_pod_uuid(std::string_view s);
// "sha512-" and at least one lower-case hex digit (a full ID or a prefix of one).
[[nodiscard]] bool is_image_id_or_prefix(std::string_view s);

}  // namespace pod::api
