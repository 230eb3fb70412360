#include "aci/openpgp_keys.hpp"

// SHA-1 through the low-level function: a v4 fingerprint is SHA-1 by definition, and EVP
// would load OpenSSL 3's providers for one small digest per key.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

#include "common/error.hpp"

namespace pod::aci {
namespace {

constexpr std::string_view kBegin = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
constexpr std::string_view kEnd = "-----END PGP PUBLIC KEY BLOCK-----";

enum Tag : int {
  kSignature = 2,
  kSecretKey = 5,
  kPublicKey = 6,
  kSecretSubkey = 7,
  kTrust = 12,
  kUserId = 13,
  kPublicSubkey = 14,
  kUserAttribute = 17,
};

[[noreturn]] void fail(const std::string& source, const std::string& what) {
  throw Error(source + ": " + what, 0,
              "store an OpenPGP public key (gpg --armor --export KEYID), or remove the file");
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Strict base64 (padding only at the end); nullopt on anything else.
std::optional<std::string> base64_decode(std::string_view text) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  size_t pad = 0;
  for (char c : text) {
    if (c == '=') {
      ++pad;
      continue;
    }
    int v = base64_value(c);
    if (v < 0 || pad > 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  if (pad > 2 || (text.size() % 4) != 0) return std::nullopt;
  return out;
}

uint32_t crc24(std::string_view data) {
  uint32_t crc = 0xB704CE;
  for (unsigned char c : data) {
    crc ^= static_cast<uint32_t>(c) << 16;
    for (int i = 0; i < 8; ++i) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864CFB;
    }
  }
  return crc & 0xFFFFFF;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// One armoured block starting right after its BEGIN line; `pos` moves past its END line.
std::string dearmor_block(std::string_view data, size_t& pos, const std::string& source) {
  std::string body;
  std::optional<std::string> checksum;
  bool in_headers = true;
  while (pos < data.size()) {
    size_t eol = data.find('\n', pos);
    if (eol == std::string_view::npos) eol = data.size();
    std::string_view line = trim(data.substr(pos, eol - pos));
    pos = eol + (eol < data.size() ? 1 : 0);
    if (line == kEnd) {
      auto bytes = base64_decode(body);
      if (!bytes) fail(source, "the armoured key block is not valid base64");
      if (checksum) {
        auto crc = base64_decode(*checksum);
        if (!crc || crc->size() != 3) fail(source, "the armour checksum line is malformed");
        uint32_t want = (static_cast<uint32_t>(static_cast<unsigned char>((*crc)[0])) << 16) |
                        (static_cast<uint32_t>(static_cast<unsigned char>((*crc)[1])) << 8) |
                        static_cast<uint32_t>(static_cast<unsigned char>((*crc)[2]));
        if (crc24(*bytes) != want)
          fail(source, "the armour checksum does not match: the key block is damaged");
      }
      return *bytes;
    }
    if (in_headers) {
      if (line.empty()) {
        in_headers = false;
        continue;
      }
      if (line.find(": ") != std::string_view::npos) continue;
      in_headers = false;  // no header lines and no blank line: tolerated, as gpg does
    }
    if (line.empty()) continue;
    if (line.front() == '=') {
      checksum = std::string(line.substr(1));
      continue;
    }
    if (checksum) fail(source, "data follows the armour checksum line");
    body += line;
  }
  fail(source, "the armoured key block has no \"" + std::string(kEnd) + "\" line");
}

// A cursor over bytes that refuses to read past the end.
class Reader {
 public:
  Reader(std::string_view data, const std::string& source, const char* what)
      : data_(data), source_(source), what_(what) {}
  [[nodiscard]] bool empty() const { return pos_ >= data_.size(); }
  [[nodiscard]] size_t left() const { return data_.size() - pos_; }
  uint8_t byte() {
    need(1);
    return static_cast<uint8_t>(data_[pos_++]);
  }
  uint32_t be(int n) {
    uint32_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | byte();
    return v;
  }
  std::string_view take(size_t n) {
    need(n);
    std::string_view out = data_.substr(pos_, n);
    pos_ += n;
    return out;
  }

 private:
  void need(size_t n) const {
    if (n > left()) fail(source_, std::string(what_) + " is truncated");
  }
  std::string_view data_;
  size_t pos_ = 0;
  const std::string& source_;
  const char* what_;
};

struct Packet {
  int tag = 0;
  std::string_view body;
};

Packet next_packet(Reader& r, const std::string& source) {
  uint8_t head = r.byte();
  if (!(head & 0x80)) fail(source, "not an OpenPGP packet (bad packet header)");
  Packet p;
  size_t len = 0;
  if (head & 0x40) {  // new format
    p.tag = head & 0x3f;
    uint8_t o1 = r.byte();
    if (o1 < 192) {
      len = o1;
    } else if (o1 < 224) {
      len = ((static_cast<size_t>(o1) - 192) << 8) + r.byte() + 192;
    } else if (o1 == 255) {
      len = r.be(4);
    } else {
      fail(source, "a key packet uses partial body lengths, which keys may not");
    }
  } else {  // old format
    p.tag = (head >> 2) & 0x0f;
    switch (head & 0x03) {
      case 0: len = r.byte(); break;
      case 1: len = r.be(2); break;
      case 2: len = r.be(4); break;
      default: fail(source, "a key packet has an indeterminate length");
    }
  }
  p.body = r.take(len);
  return p;
}

std::string hex(const unsigned char* bytes, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0x0f];
  }
  return out;
}

struct PrimaryKey {
  std::array<unsigned char, SHA_DIGEST_LENGTH> fingerprint{};
};

PrimaryKey read_public_key(std::string_view body, const std::string& source) {
  Reader r(body, source, "a public key packet");
  uint8_t version = r.byte();
  if (version != 4)
    fail(source, "OpenPGP key version " + std::to_string(version) +
                     " is not supported (only version 4 keys are)");
  (void)r.take(5);  // creation time and algorithm; the key material follows
  if (body.size() > 0xffff) fail(source, "a public key packet is too long");
  PrimaryKey k;
  std::string framed;
  framed.reserve(body.size() + 3);
  framed += static_cast<char>(0x99);
  framed += static_cast<char>((body.size() >> 8) & 0xff);
  framed += static_cast<char>(body.size() & 0xff);
  framed += body;
  SHA1(reinterpret_cast<const unsigned char*>(framed.data()), framed.size(), k.fingerprint.data());
  return k;
}

// What a signature packet following a user ID says about it, when the primary key made
// it (its issuer is the key ID, the fingerprint's last 8 bytes, or the fingerprint).
// Not verified: see the header.
struct UidSignature {
  enum Kind { kOther, kCertification, kRevocation } kind = kOther;
  uint32_t created = 0;
  bool primary = false;  // the "primary user ID" flag (subpacket 25)
};

UidSignature read_uid_signature(std::string_view body, const PrimaryKey& key, const std::string& source) {
  Reader r(body, source, "a signature packet");
  const std::string_view key_id(reinterpret_cast<const char*>(key.fingerprint.data()) + 12, 8);
  const std::string_view fpr(reinterpret_cast<const char*>(key.fingerprint.data()), 20);
  UidSignature out;
  auto kind_of = [](uint8_t type) {
    if (type >= 0x10 && type <= 0x13) return UidSignature::kCertification;
    if (type == 0x30) return UidSignature::kRevocation;
    return UidSignature::kOther;
  };
  uint8_t version = r.byte();
  if (version == 3 || version == 2) {
    if (r.byte() != 5) return out;
    uint8_t type = r.byte();
    out.created = r.be(4);
    if (r.take(8) == key_id) out.kind = kind_of(type);
    return out;
  }
  if (version != 4) return out;  // unknown signature versions are skipped, as gpg does
  uint8_t type = r.byte();
  (void)r.take(2);  // public key and hash algorithms
  bool issued_by_key = false;
  for (int area = 0; area < 2; ++area) {
    Reader sub(r.take(r.be(2)), source, "a signature subpacket area");
    while (!sub.empty()) {
      uint32_t len = sub.byte();
      if (len >= 192 && len < 255) {
        len = ((len - 192) << 8) + sub.byte() + 192;
      } else if (len == 255) {
        len = sub.be(4);
      }
      if (len == 0) fail(source, "a signature subpacket has length 0");
      Reader one(sub.take(len), source, "a signature subpacket");
      uint8_t subtype = one.byte() & 0x7f;
      if (subtype == 16 && one.left() == 8 && one.take(8) == key_id) issued_by_key = true;
      if (subtype == 33 && one.left() == 21 && one.byte() == 4 && one.take(20) == fpr)
        issued_by_key = true;
      // Only the hashed area speaks for the signer.
      if (area == 0 && subtype == 2 && one.left() == 4) out.created = one.be(4);
      if (area == 0 && subtype == 25 && one.left() == 1) out.primary = one.byte() != 0;
    }
  }
  if (issued_by_key) out.kind = kind_of(type);
  return out;
}

// A user ID as read so far: its newest certification by the key, and its newest
// revocation by the key.
struct UidState {
  std::string text;
  bool certified = false;
  uint32_t certified_at = 0;
  bool primary_flag = false;
  bool revoked = false;
  uint32_t revoked_at = 0;
};

// Whether `a` is a better primary user ID candidate than `b`: the newer certification;
// between two of the same second, gpg's own arbitrary but stable rule (the longer user
// ID, then the greater bytes), so that pod names the key as gpg does.
bool newer_primary(const UidState& a, const UidState& b) {
  if (a.certified_at != b.certified_at) return a.certified_at > b.certified_at;
  if (a.text.size() != b.text.size()) return a.text.size() > b.text.size();
  return a.text > b.text;
}

}  // namespace

std::string dearmor_public_keys(std::string_view data, const std::string& source) {
  if (data.empty()) fail(source, "the file is empty, not an OpenPGP public key");
  size_t begin = data.find(kBegin);
  if (begin == std::string_view::npos) {
    if (static_cast<unsigned char>(data.front()) & 0x80) return std::string(data);
    fail(source, "not an OpenPGP public key (neither \"" + std::string(kBegin) +
                     "\" armour nor binary packets)");
  }
  std::string out;
  while (begin != std::string_view::npos) {
    size_t pos = data.find('\n', begin);
    if (pos == std::string_view::npos) fail(source, "the armoured key block is empty");
    ++pos;
    out += dearmor_block(data, pos, source);
    begin = data.find(kBegin, pos);
  }
  return out;
}

std::vector<OpenPgpKeySummary> summarize_public_keys(std::string_view data, const std::string& source) {
  const std::string packets = dearmor_public_keys(data, source);
  Reader r(packets, source, "a key packet");
  std::vector<OpenPgpKeySummary> out;
  std::optional<PrimaryKey> key;
  // The current key's certified user IDs. gpg lists them in the key's order, except that
  // the primary one comes first: the newest certification flagged primary, else the
  // newest certification; never a revoked user ID.
  std::vector<UidState> uids;
  std::optional<UidState> uid;
  auto finish_uid = [&] {
    if (uid && uid->certified) {
      uid->revoked = uid->revoked && uid->revoked_at >= uid->certified_at;
      auto same = std::find_if(uids.begin(), uids.end(),
                               [&](const UidState& u) { return u.text == uid->text; });
      if (same == uids.end()) uids.push_back(*uid);
    }
    uid.reset();
  };
  auto finish_key = [&] {
    finish_uid();
    if (out.empty()) return;
    const UidState* primary = nullptr;
    for (bool flagged : {true, false}) {
      for (const auto& u : uids) {
        if (u.revoked || (flagged && !u.primary_flag)) continue;
        if (!primary || newer_primary(u, *primary)) primary = &u;
      }
      if (primary) break;
    }
    auto& names = out.back().uids;
    if (primary) names.push_back(primary->text);
    for (const auto& u : uids)
      if (&u != primary) names.push_back(u.text);
    uids.clear();
    // As gpg, which refuses to import a key without one.
    if (names.empty())
      fail(source, "key " + out.back().fingerprint + " has no user ID certified by the key itself");
  };
  while (!r.empty()) {
    Packet p = next_packet(r, source);
    switch (p.tag) {
      case kPublicKey:
        finish_key();
        key = read_public_key(p.body, source);
        out.push_back({hex(key->fingerprint.data(), key->fingerprint.size()), {}});
        break;
      case kUserId:
        finish_uid();
        if (!key) fail(source, "a user ID comes before any public key");
        uid = UidState{std::string(p.body)};
        break;
      case kSignature:
        if (uid && key) {
          const UidSignature sig = read_uid_signature(p.body, *key, source);
          if (sig.kind == UidSignature::kCertification &&
              (!uid->certified || sig.created >= uid->certified_at)) {
            uid->certified = true;
            uid->certified_at = sig.created;
            uid->primary_flag = sig.primary;
          } else if (sig.kind == UidSignature::kRevocation && sig.created >= uid->revoked_at) {
            uid->revoked = true;
            uid->revoked_at = sig.created;
          }
        }
        break;
      case kPublicSubkey:
      case kUserAttribute:
        finish_uid();
        if (!key) fail(source, "a subkey or user attribute comes before any public key");
        break;
      case kTrust:
        break;
      case kSecretKey:
      case kSecretSubkey:
        fail(source, "holds a secret key: store only the public key (gpg --armor --export KEYID)");
      default:
        fail(source, "unexpected OpenPGP packet type " + std::to_string(p.tag) + " in a public key");
    }
  }
  finish_key();
  if (out.empty()) fail(source, "holds no OpenPGP public key");
  return out;
}

}  // namespace pod::aci
