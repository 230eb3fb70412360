#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "common/table.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/cli/image_cli_util.hpp"

namespace pod::cli {

namespace {

const std::vector<std::string> kFields = {"id", "name", "importtime", "lastused", "size", "latest"};
const std::map<std::string, std::string> kHeaders = {
    {"id", "ID"},     {"name", "NAME"},    {"importtime", "IMPORT TIME"}, {"lastused", "LAST USED"},
    {"size", "SIZE"}, {"latest", "LATEST"}};

std::vector<std::string> parse_fields(const std::string& flag, const std::string& value) {
  std::vector<std::string> out;
  for (const auto& raw : split(value, ',')) {
    std::string f(trim(raw));
    if (std::find(kFields.begin(), kFields.end(), f) == kFields.end())
      throw UsageError("unknown field \"" + f + "\" in --" + flag, 0,
                       "fields are " + join(kFields, ", "));
    out.push_back(f);
  }
  if (out.empty()) throw UsageError("--" + flag + " needs at least one field");
  return out;
}

struct Row {
  store::ImageRecord rec;
  bool latest = false;  // the newest import of its name
};

// Negative, zero or positive, as a three-way comparison of one field.
int compare_field(const Row& a, const Row& b, const std::string& f) {
  auto cmp = [](const auto& x, const auto& y) { return x < y ? -1 : (y < x ? 1 : 0); };
  if (f == "id") return cmp(a.rec.id, b.rec.id);
  if (f == "name") return cmp(display_name(a.rec), display_name(b.rec));
  if (f == "importtime") return cmp(a.rec.import_time, b.rec.import_time);
  if (f == "lastused") return cmp(a.rec.last_used, b.rec.last_used);
  if (f == "size") return cmp(a.rec.size, b.rec.size);
  return cmp(a.latest, b.latest);
}

std::string cell(const Row& r, const std::string& f, bool full, int64_t now) {
  // rkt's short form and column width: sha512- and 12 hex digits.
  if (f == "id") return full ? r.rec.id : r.rec.id.substr(0, std::string_view("sha512-").size() + 12);
  if (f == "name") return display_name(r.rec);
  if (f == "importtime")
    return full ? absolute_time(r.rec.import_time) : relative_time(r.rec.import_time, now);
  if (f == "lastused")
    return full ? absolute_time(r.rec.last_used) : relative_time(r.rec.last_used, now);
  if (f == "size") return full ? std::to_string(r.rec.size) : human_size(r.rec.size);
  return r.latest ? "true" : "false";
}

nlohmann::json to_json(const Row& r) {
  nlohmann::json labels = nlohmann::json::object();
  for (const auto& l : r.rec.labels) labels[l.name] = l.value;
  constexpr int64_t kNanos = 1'000'000'000;
  return {{"id", r.rec.id},
          {"name", display_name(r.rec)},  // name:version, as rkt's JSON
          {"labels", labels},
          {"import_time", r.rec.import_time * kNanos},
          {"last_used_time", r.rec.last_used * kNanos},
          {"size", r.rec.size},
          {"latest", r.latest}};
}

}  // namespace

Command image_list_command() {
  Command c;
  c.name = "image list";
  c.summary = "List the images in the local store";
  c.usage =
      "pod image list [--fields=...] [--sort=...] [--order=asc|desc] [--full] [--no-legend] "
      "[--format=json]";
  c.description =
      "IDs are shortened to sha512- and 12 hex digits (as rkt), times are relative and sizes human "
      "unless --full. SIZE is the image as stored (the ACI file as it was imported). LATEST is "
      "true for the newest import of each name. --format=json prints every field of every "
      "image (times in nanoseconds since the epoch, as rkt did).";
  c.run = [c](Invocation& inv) {
    ArgParser p(c);
    p.add()("fields",
            "comma-separated fields to show: id, name, importtime, lastused, size, latest",
            cxxopts::value<std::string>()->default_value("id,name,size,importtime,lastused"))(
        "sort", "comma-separated fields to sort by (same names as --fields)",
        cxxopts::value<std::string>()->default_value("importtime"))(
        "order", "sort order: asc or desc", cxxopts::value<std::string>()->default_value("asc"))(
        "full", "whole IDs, absolute times and sizes in bytes",
        cxxopts::value<bool>()->default_value("false"))(
        "no-legend", "do not print the header line",
        cxxopts::value<bool>()->default_value("false"))(
        "format", "output format: text, json or json-pretty",
        cxxopts::value<std::string>()->default_value("text"));
    auto res = p.parse(inv.args, inv.global);
    if (!res.unmatched().empty())
      throw UsageError("pod image list takes no arguments (got \"" + res.unmatched().front() +
                       "\")");
    auto fields = parse_fields("fields", res["fields"].as<std::string>());
    auto sort = parse_fields("sort", res["sort"].as<std::string>());
    std::string order = res["order"].as<std::string>();
    if (order != "asc" && order != "desc")
      throw UsageError("invalid --order \"" + order + "\"", 0, "use asc or desc");
    std::string format = res["format"].as<std::string>();
    if (format != "text" && format != "json" && format != "json-pretty")
      throw UsageError("unknown --format \"" + format + "\"", 0, "use text, json or json-pretty");

    store::Store st = open_image_store(inv.global);
    std::vector<Row> rows;
    std::map<std::string, const store::ImageRecord*> newest;
    auto images = st.list();
    for (const auto& r : images) {
      auto& n = newest[r.name];
      if (!n || r.import_time >= n->import_time) n = &r;  // list() is in import order
    }
    for (const auto& r : images) rows.push_back(Row{r, newest[r.name] == &r});
    std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
      for (const auto& f : sort) {
        int c = compare_field(a, b, f);
        if (c != 0) return order == "asc" ? c < 0 : c > 0;
      }
      return false;
    });

    if (format != "text") {
      auto arr = nlohmann::json::array();
      for (const auto& r : rows) arr.push_back(to_json(r));
      std::printf("%s\n", arr.dump(format == "json-pretty" ? 2 : -1).c_str());
      return 0;
    }
    std::vector<std::string> headers;
    for (const auto& f : fields) headers.push_back(kHeaders.at(f));
    Table table(headers);
    bool full = res["full"].as<bool>();
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    for (const auto& r : rows) {
      std::vector<std::string> line;
      for (const auto& f : fields) line.push_back(cell(r, f, full, now));
      table.add_row(std::move(line));
    }
    table.print(!res["no-legend"].as<bool>());
    return 0;
  };
  return c;
}

}  // namespace pod::cli
