// The pods registered with the service, each with the token that names it in its
// AC_METADATA_URL and its HMAC key. In memory only: a restarted service forgets every
// pod, and pods registered before keep working only after they register again.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "mds/client/protocol.hpp"

namespace pod::mds {

struct RegisteredPod {
  std::string uuid;
  std::string data_dir;
  std::string token;
  std::string key;  // HMAC-SHA512 key, never leaves the service

  // <data_dir>/pods/run/<uuid>: where a running pod's directory is.
  [[nodiscard]] std::string dir() const;
};

class Registry {
 public:
  // A pod registered again (same UUID) gets a new token and key: the old ones stop working.
  const RegisteredPod& add(const RegisterRequest& r);
  [[nodiscard]] const RegisteredPod* by_token(const std::string& token) const;
  [[nodiscard]] const RegisteredPod* by_uuid(const std::string& uuid) const;
  void remove(const std::string& uuid);
  // Drops every pod for which `alive` is false; returns their UUIDs.
  template <class Alive>
  std::vector<std::string> sweep(Alive alive) {
    std::vector<std::string> gone;
    for (const auto& [uuid, p] : pods_)
      if (!alive(p)) gone.push_back(uuid);
    for (const auto& u : gone) remove(u);
    return gone;
  }
  [[nodiscard]] size_t size() const { return pods_.size(); }

 private:
  std::map<std::string, RegisteredPod> pods_;     // by UUID
  std::map<std::string, std::string> by_token_;   // token -> UUID
};

}  // namespace pod::mds
