#include "stage1/common/init/journal.hpp"

#include <sys/socket.h>
#include <sys/un.h>

#include <cstdint>
#include <cstring>

namespace pod::stage1::init {
namespace {

void field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  if (value.find('\n') == std::string_view::npos) {
    out += '=';
    out.append(value);
  } else {
    out += '\n';
    uint64_t n = value.size();
    for (int i = 0; i < 8; ++i) out += static_cast<char>((n >> (8 * i)) & 0xff);
    out.append(value);
  }
  out += '\n';
}

}  // namespace

std::string journal_entry(std::string_view app, bool is_stderr, std::string_view uuid, std::string_view message) {
  std::string out;
  field(out, "MESSAGE", message);
  field(out, "SYSLOG_IDENTIFIER", app);
  field(out, "PRIORITY", is_stderr ? "3" : "6");
  field(out, "POD_UUID", uuid);
  field(out, "POD_APP", app);
  return out;
}

std::optional<JournalSink> JournalSink::open(const std::string& path, std::string uuid) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return std::nullopt;
  std::memcpy(addr.sun_path, path.c_str(), path.size());
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) return std::nullopt;
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return std::nullopt;
  return JournalSink(std::move(fd), std::move(uuid));
}

void JournalSink::send(std::string_view app, bool is_stderr, std::string_view message) const {
  const std::string entry = journal_entry(app, is_stderr, uuid_, message);
  (void)::send(fd_.get(), entry.data(), entry.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

}  // namespace pod::stage1::init
