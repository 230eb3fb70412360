// Image references of the OCI transports, parsed as Docker and skopeo parse them:
//   docker://[HOST[:PORT]/]NAME[:TAG|@sha256:DIGEST]  a Docker Registry HTTP API v2 image
//   oci:DIR[:REF]                                      an OCI image layout on disk
//   docker-archive:FILE[:NAME[:TAG]]                   a `docker save` tarball
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pod::oci {

inline constexpr std::string_view kDockerHub = "docker.io";
// Where Docker Hub's registry API answers (Docker's own special case of docker.io).
inline constexpr std::string_view kDockerHubApi = "registry-1.docker.io";

// A Docker image name with Docker's defaults applied.
struct DockerName {
  std::string domain;      // "docker.io", "localhost:5000", "quay.io"
  std::string repository;  // "library/busybox", "team/app"
  std::string tag;         // "latest" unless given (empty when only a digest is given)
  std::string digest;      // "sha256:..." or empty

  // "localhost:5000/team/app" (no tag or digest): what trust prefixes and sigstore.d match.
  [[nodiscard]] std::string name() const { return domain + "/" + repository; }
  // "localhost:5000/team/app:1.0" or "...@sha256:...": the docker-reference signatures name.
  [[nodiscard]] std::string reference() const;
  // The host the API is reached at (Docker Hub's API lives elsewhere than its name).
  [[nodiscard]] std::string api_host() const;
};

// Parses "[HOST[:PORT]/]NAME[:TAG|@DIGEST]" with Docker's rules: the first component is a
// host when it has a '.' or ':' or is "localhost"; otherwise docker.io, where a one-part
// name gets "library/". Throws UsageError naming the text and the rule it breaks.
[[nodiscard]] DockerName parse_docker_name(std::string_view text);

enum class Transport { docker, oci_layout, docker_archive };

struct Reference {
  Transport transport = Transport::docker;
  DockerName docker;    // docker: the image; docker-archive: the NAME:TAG asked for, if any
  bool has_name = false;  // docker-archive: a NAME[:TAG] was given
  std::string path;     // oci: the layout directory; docker-archive: the file
  std::string ref;      // oci: the org.opencontainers.image.ref.name asked for (may be empty)
  std::string text;     // as given

  [[nodiscard]] std::string transport_name() const;
};

// True for text that names one of the transports above (by its prefix alone).
[[nodiscard]] bool is_oci_reference(std::string_view text);
// Throws UsageError naming the text.
[[nodiscard]] Reference parse_reference(std::string_view text);

// An AC identifier for the appc-equivalent manifest: "localhost:5000/team/app" becomes
// "localhost-5000/team/app" (appc names allow no ':'); anything else outside the appc
// alphabet becomes '-'.
[[nodiscard]] std::string appc_name_for(std::string_view docker_name);

}  // namespace pod::oci
