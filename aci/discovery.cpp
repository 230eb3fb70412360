#include "aci/discovery.hpp"

#include <algorithm>
#include <cctype>

namespace pod::aci {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The few character references discovery pages use in attribute values.
std::string decode_entities(std::string_view s) {
  static const std::pair<std::string_view, char> entities[] = {
      {"&amp;", '&'}, {"&quot;", '"'}, {"&#34;", '"'}, {"&#39;", '\''},
      {"&apos;", '\''}, {"&lt;", '<'}, {"&gt;", '>'}};
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    bool replaced = false;
    if (s[i] == '&') {
      for (const auto& [text, ch] : entities) {
        if (s.substr(i, text.size()) == text) {
          out += ch;
          i += text.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += s[i++];
  }
  return out;
}

// Parses the attributes of a tag starting after its name; `pos` ends after the '>'.
// nullopt when the page ends before the tag does.
std::optional<std::map<std::string, std::string>> parse_attributes(std::string_view html,
                                                                   size_t& pos) {
  std::map<std::string, std::string> attrs;
  while (true) {
    while (pos < html.size() && (is_space(html[pos]) || html[pos] == '/')) ++pos;
    if (pos >= html.size()) return std::nullopt;
    if (html[pos] == '>') {
      ++pos;
      return attrs;
    }
    size_t start = pos;
    while (pos < html.size() && !is_space(html[pos]) && html[pos] != '=' && html[pos] != '>' &&
           html[pos] != '/')
      ++pos;
    std::string name = lower(html.substr(start, pos - start));
    while (pos < html.size() && is_space(html[pos])) ++pos;
    std::string value;
    if (pos < html.size() && html[pos] == '=') {
      ++pos;
      while (pos < html.size() && is_space(html[pos])) ++pos;
      if (pos < html.size() && (html[pos] == '"' || html[pos] == '\'')) {
        char quote = html[pos++];
        size_t end = html.find(quote, pos);
        if (end == std::string_view::npos) return std::nullopt;
        value = decode_entities(html.substr(pos, end - pos));
        pos = std::min(end + 1, html.size());
      } else {
        size_t vstart = pos;
        while (pos < html.size() && !is_space(html[pos]) && html[pos] != '>') ++pos;
        value = decode_entities(html.substr(vstart, pos - vstart));
      }
    }
    if (!name.empty()) attrs.emplace(std::move(name), std::move(value));
  }
}

// "PREFIX URL" with any whitespace between; anything else is not a discovery tag.
std::optional<DiscoveryTag> parse_content(std::string_view content) {
  std::vector<std::string> fields;
  size_t i = 0;
  while (i < content.size()) {
    while (i < content.size() && is_space(content[i])) ++i;
    size_t start = i;
    while (i < content.size() && !is_space(content[i])) ++i;
    if (i > start) fields.emplace_back(content.substr(start, i - start));
  }
  if (fields.size() != 2) return std::nullopt;
  return DiscoveryTag{fields[0], fields[1]};
}

bool is_fetchable_url(std::string_view url) {
  return url.starts_with("https://") || url.starts_with("http://");
}

}  // namespace

DiscoveryPage parse_discovery_page(std::string_view html) {
  DiscoveryPage page;
  size_t pos = 0;
  while ((pos = html.find('<', pos)) != std::string_view::npos) {
    if (html.substr(pos, 4) == "<!--") {
      size_t end = html.find("-->", pos + 4);
      if (end == std::string_view::npos) break;
      pos = end + 3;
      continue;
    }
    ++pos;
    size_t name_start = pos;
    while (pos < html.size() && std::isalnum(static_cast<unsigned char>(html[pos]))) ++pos;
    if (lower(html.substr(name_start, pos - name_start)) != "meta") continue;
    auto attrs = parse_attributes(html, pos);
    if (!attrs) break;
    auto name = attrs->find("name");
    auto content = attrs->find("content");
    if (name == attrs->end() || content == attrs->end()) continue;
    auto tag = parse_content(content->second);
    if (!tag) continue;
    std::string kind = lower(name->second);
    if (kind == "ac-discovery")
      page.templates.push_back(std::move(*tag));
    else if (kind == "ac-discovery-pubkeys")
      page.pubkeys.push_back(std::move(*tag));
  }
  return page;
}

bool prefix_matches(std::string_view prefix, std::string_view name) {
  if (prefix.empty() || !name.starts_with(prefix)) return false;
  return name.size() == prefix.size() || prefix.back() == '/' || name[prefix.size()] == '/';
}

std::vector<std::string> discovery_candidates(std::string_view name) {
  std::vector<std::string> out;
  std::string_view rest = name;
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  while (!rest.empty()) {
    out.emplace_back(rest);
    size_t slash = rest.rfind('/');
    if (slash == std::string_view::npos) break;
    rest = rest.substr(0, slash);
  }
  return out;
}

std::string discovery_url(std::string_view candidate, bool insecure_http) {
  return std::string(insecure_http ? "http://" : "https://") + std::string(candidate) +
         "?ac-discovery=1";
}

std::optional<RenderedTemplate> render_template(std::string_view tmpl, std::string_view name,
                                                const TemplateValues& labels,
                                                std::string_view ext) {
  RenderedTemplate out;
  size_t pos = 0;
  while (pos < tmpl.size()) {
    size_t open = tmpl.find('{', pos);
    if (open == std::string_view::npos) {
      out.url.append(tmpl.substr(pos));
      break;
    }
    size_t close = tmpl.find('}', open);
    if (close == std::string_view::npos) return std::nullopt;  // an unterminated variable
    out.url.append(tmpl.substr(pos, open - pos));
    std::string_view var = tmpl.substr(open + 1, close - open - 1);
    if (var == "name") {
      out.url.append(name);
    } else if (var == "ext") {
      out.url.append(ext);
    } else {
      auto it = labels.find(var);
      if (it == labels.end()) return std::nullopt;
      out.url.append(it->second);
      ++out.labels_used;
    }
    pos = close + 1;
  }
  return out;
}

std::vector<ImageEndpoint> best_endpoints(const DiscoveryPage& page, std::string_view name,
                                          const TemplateValues& labels) {
  struct Candidate {
    ImageEndpoint endpoint;
    int labels_used;
  };
  std::vector<Candidate> rendered;
  for (const auto& tag : page.templates) {
    if (!prefix_matches(tag.prefix, name)) continue;
    // The spec requires {ext}: without it image and signature would be the same URL.
    if (tag.url.find("{ext}") == std::string::npos) continue;
    auto aci = render_template(tag.url, name, labels, "aci");
    auto asc = render_template(tag.url, name, labels, "aci.asc");
    if (!aci || !asc || !is_fetchable_url(aci->url)) continue;
    rendered.push_back({{aci->url, asc->url}, aci->labels_used});
  }
  int best = -1;
  for (const auto& c : rendered) best = std::max(best, c.labels_used);
  std::vector<ImageEndpoint> out;
  for (auto& c : rendered)
    if (c.labels_used == best) out.push_back(std::move(c.endpoint));
  return out;
}

std::vector<std::string> matching_pubkeys(const DiscoveryPage& page, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& tag : page.pubkeys)
    if (prefix_matches(tag.prefix, name) && is_fetchable_url(tag.url)) out.push_back(tag.url);
  return out;
}

}  // namespace pod::aci
