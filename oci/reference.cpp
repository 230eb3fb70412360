#include "oci/reference.hpp"

#include <cctype>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "oci/digest.hpp"

namespace pod::oci {

namespace {

bool alnum_lower(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// One path component of a repository: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*
bool valid_component(std::string_view s) {
  if (s.empty() || !alnum_lower(s.front()) || !alnum_lower(s.back())) return false;
  for (size_t i = 0; i < s.size();) {
    if (alnum_lower(s[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && !alnum_lower(s[j])) ++j;
    std::string_view sep = s.substr(i, j - i);
    bool dashes = sep.find_first_not_of('-') == std::string_view::npos;
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
    i = j;
  }
  return true;
}

bool valid_domain(std::string_view s) {
  if (s.empty() || s.size() > 255) return false;
  std::string_view host = s;
  auto colon = s.rfind(':');
  if (colon != std::string_view::npos && s.front() != '[') {
    std::string_view port = s.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string_view::npos)
      return false;
    host = s.substr(0, colon);
  }
  if (host.empty()) return false;
  for (char c : host)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '[' ||
          c == ']' || c == ':'))
      return false;
  return true;
}

bool valid_tag(std::string_view t) {
  if (t.empty() || t.size() > 128) return false;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (!word(t.front())) return false;
  for (char c : t)
    if (!(word(c) || c == '.' || c == '-')) return false;
  return true;
}

[[noreturn]] void bad(std::string_view text, const std::string& why) {
  throw UsageError("\"" + std::string(text) + "\" is not a valid image reference: " + why, 0,
                   "write docker://[HOST[:PORT]/]NAME[:TAG|@sha256:DIGEST], oci:DIR[:REF] or "
                   "docker-archive:FILE[:NAME:TAG]");
}

}  // namespace

std::string DockerName::reference() const {
  if (!digest.empty()) return name() + "@" + digest;
  return name() + ":" + tag;
}

std::string DockerName::api_host() const {
  return domain == kDockerHub ? std::string(kDockerHubApi) : domain;
}

DockerName parse_docker_name(std::string_view text) {
  if (text.empty()) bad(text, "the name is empty");
  DockerName n;
  std::string_view rest = text;
  auto at = rest.find('@');
  if (at != std::string_view::npos) {
    n.digest = std::string(rest.substr(at + 1));
    if (!is_digest(n.digest)) bad(text, "\"" + n.digest + "\" is not a sha256:<64 hex> digest");
    rest = rest.substr(0, at);
  }
  auto slash = rest.find('/');
  std::string_view first = rest.substr(0, slash);
  bool has_domain = slash != std::string_view::npos &&
                    (first.find('.') != std::string_view::npos ||
                     first.find(':') != std::string_view::npos || first == "localhost" ||
                     first.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string_view::npos);
  if (has_domain) {
    if (!valid_domain(first)) bad(text, "\"" + std::string(first) + "\" is not a host[:port]");
    n.domain = std::string(first);
    rest = rest.substr(slash + 1);
  } else {
    n.domain = std::string(kDockerHub);
  }
  auto last_slash = rest.rfind('/');
  auto colon = rest.find(':', last_slash == std::string_view::npos ? 0 : last_slash);
  if (colon != std::string_view::npos) {
    n.tag = std::string(rest.substr(colon + 1));
    if (!valid_tag(n.tag)) bad(text, "\"" + n.tag + "\" is not a valid tag");
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) bad(text, "the repository name is empty");
  for (const auto& c : split(rest, '/'))
    if (!valid_component(c))
      bad(text, "\"" + c + "\" is not a valid repository name component (lower-case letters, "
                "digits and separators . _ __ -)");
  n.repository = std::string(rest);
  if (n.domain == kDockerHub && n.repository.find('/') == std::string::npos)
    n.repository = "library/" + n.repository;
  if (n.repository.size() > 255) bad(text, "the name is longer than 255 characters");
  if (n.tag.empty() && n.digest.empty()) n.tag = "latest";
  return n;
}

std::string Reference::transport_name() const {
  switch (transport) {
    case Transport::docker: return "docker";
    case Transport::oci_layout: return "oci";
    case Transport::docker_archive: return "docker-archive";
  }
  return "?";
}

bool is_oci_reference(std::string_view text) {
  return starts_with(text, "docker://") || starts_with(text, "oci:") ||
         starts_with(text, "docker-archive:");
}

Reference parse_reference(std::string_view text) {
  Reference r;
  r.text = std::string(text);
  if (starts_with(text, "docker://")) {
    r.transport = Transport::docker;
    r.docker = parse_docker_name(text.substr(9));
    r.has_name = true;
    return r;
  }
  // skopeo splits oci: and docker-archive: at the first ':' after the transport: the path
  // cannot hold one, the image reference after it can.
  auto split_path = [&](std::string_view body) {
    auto colon = body.find(':');
    if (colon == std::string_view::npos) return std::pair{std::string(body), std::string()};
    return std::pair{std::string(body.substr(0, colon)), std::string(body.substr(colon + 1))};
  };
  if (starts_with(text, "oci:")) {
    r.transport = Transport::oci_layout;
    auto [dir, ref] = split_path(text.substr(4));
    if (dir.empty()) bad(text, "the layout directory is empty");
    r.path = dir;
    r.ref = ref;
    return r;
  }
  if (starts_with(text, "docker-archive:")) {
    r.transport = Transport::docker_archive;
    auto [file, name] = split_path(text.substr(15));
    if (file.empty()) bad(text, "the archive file is empty");
    r.path = file;
    if (!name.empty()) {
      r.docker = parse_docker_name(name);
      if (!r.docker.digest.empty()) bad(text, "a docker-archive image is named NAME:TAG, not by digest");
      r.has_name = true;
    }
    return r;
  }
  bad(text, "it names no OCI transport (docker://, oci:, docker-archive:)");
}

std::string appc_name_for(std::string_view docker_name) {
  std::string out;
  for (char c : docker_name) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool ok = alnum_lower(l) || l == '-' || l == '.' || l == '_' || l == '~' || l == '/';
    char put = ok ? l : '-';
    // Separators come one at a time and never at either end (AC identifier rule).
    if (!alnum_lower(put) && (out.empty() || !alnum_lower(out.back()))) continue;
    out += put;
  }
  while (!out.empty() && !alnum_lower(out.back())) out.pop_back();
  return out.empty() ? "image" : out;
}

}  // namespace pod::oci
