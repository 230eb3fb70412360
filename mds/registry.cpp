#include "mds/registry.hpp"

#include "mds/crypto.hpp"

namespace pod::mds {

std::string RegisteredPod::dir() const { return data_dir + "/pods/run/" + uuid; }

const RegisteredPod& Registry::add(const RegisterRequest& r) {
  remove(r.uuid);
  RegisteredPod p{r.uuid, r.data_dir, new_token(), random_bytes(kKeyBytes)};
  by_token_[p.token] = p.uuid;
  return pods_[r.uuid] = std::move(p);
}

const RegisteredPod* Registry::by_token(const std::string& token) const {
  auto t = by_token_.find(token);
  return t == by_token_.end() ? nullptr : by_uuid(t->second);
}

const RegisteredPod* Registry::by_uuid(const std::string& uuid) const {
  auto p = pods_.find(uuid);
  return p == pods_.end() ? nullptr : &p->second;
}

void Registry::remove(const std::string& uuid) {
  auto p = pods_.find(uuid);
  if (p == pods_.end()) return;
  by_token_.erase(p->second.token);
  pods_.erase(p);
}

}  // namespace pod::mds
