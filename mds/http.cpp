#include "mds/http.hpp"

#include <algorithm>
#include <charconv>
#include <cctype>

#include "common/strings.hpp"

namespace pod::mds {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

RequestParser::State RequestParser::fail(int status, std::string why) {
  error_status_ = status;
  error_ = std::move(why);
  return State::bad;
}

RequestParser::State RequestParser::feed(std::string_view bytes) {
  buf_.append(bytes);
  if (!have_head_) {
    size_t end = buf_.find("\r\n\r\n");
    if (end == std::string::npos) {
      if (buf_.size() > kMaxHeader) return fail(431, "request header too large");
      return State::more;
    }
    std::string head = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    auto lines = split(head, '\n');
    auto request_line = split(trim(lines.at(0)), ' ');
    if (request_line.size() != 3 || !starts_with(request_line[2], "HTTP/1."))
      return fail(400, "malformed request line");
    req_.method = request_line[0];
    req_.target = request_line[1];
    for (size_t i = 1; i < lines.size(); ++i) {
      std::string_view line = trim(lines[i]);
      size_t colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0) return fail(400, "malformed header line");
      req_.headers[lower(line.substr(0, colon))] = std::string(trim(line.substr(colon + 1)));
    }
    if (req_.headers.count("transfer-encoding"))
      return fail(501, "chunked request bodies are not supported: send Content-Length");
    auto cl = req_.headers.find("content-length");
    if (cl != req_.headers.end()) {
      const std::string& v = cl->second;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), body_len_);
      if (ec != std::errc() || p != v.data() + v.size()) return fail(400, "malformed Content-Length");
      if (body_len_ > kMaxRequest) return fail(413, "request body too large");
    }
    have_head_ = true;
  }
  if (buf_.size() < body_len_) return State::more;
  req_.body = buf_.substr(0, body_len_);
  return State::done;
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

std::string serialize(const HttpResponse& r) {
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + reason_phrase(r.status) + "\r\n";
  out += "Content-Type: " + r.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  out += "Connection: close\r\n\r\n";
  out += r.body;
  return out;
}

std::optional<std::string> url_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = hex_value(s[i + 1]);
      int lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<std::map<std::string, std::string>> parse_form(std::string_view body) {
  std::map<std::string, std::string> out;
  for (const auto& pair : split(body, '&')) {
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto name = url_decode(std::string_view(pair).substr(0, eq), true);
    auto value = url_decode(eq == std::string::npos ? std::string_view() : std::string_view(pair).substr(eq + 1), true);
    if (!name || !value) return std::nullopt;
    out.emplace(std::move(*name), std::move(*value));
  }
  return out;
}

}  // namespace pod::mds
