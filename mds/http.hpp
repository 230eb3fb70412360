// The little of HTTP/1.1 the metadata service needs: one request per connection (the
// reply says Connection: close), bodies by Content-Length, form decoding for the HMAC
// endpoints. Bounded: a client cannot make the service buffer more than kMaxRequest.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace pod::mds {

constexpr size_t kMaxHeader = 16 * 1024;
constexpr size_t kMaxRequest = 1024 * 1024;

struct HttpRequest {
  std::string method;
  std::string target;                         // as sent: path (and query)
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=us-ascii";
  std::string body;
};

// Accumulates bytes until a whole request is there.
class RequestParser {
 public:
  enum class State { more, done, bad };
  State feed(std::string_view bytes);
  [[nodiscard]] const HttpRequest& request() const { return req_; }
  // When bad: the status to answer with and why.
  [[nodiscard]] int error_status() const { return error_status_; }
  [[nodiscard]] const std::string& error() const { return error_; }

 private:
  State fail(int status, std::string why);
  std::string buf_;
  HttpRequest req_;
  bool have_head_ = false;
  size_t body_len_ = 0;
  int error_status_ = 0;
  std::string error_;
};

[[nodiscard]] std::string serialize(const HttpResponse& r);
[[nodiscard]] const char* reason_phrase(int status);

// application/x-www-form-urlencoded; nullopt when malformed (a bad %-escape).
[[nodiscard]] std::optional<std::map<std::string, std::string>> parse_form(std::string_view body);
[[nodiscard]] std::optional<std::string> url_decode(std::string_view s, bool plus_is_space);

}  // namespace pod::mds
