#include "money/pricing.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "job/job_parser.h"
#include "job/yaml_json.h"

namespace evalrun {

PricingTable LoadPricingFile(const std::string& path, Diagnostics* problems) {
  PricingTable table;
  auto fail = [&](const YAML::Node& n, const std::string& msg) {
    const YAML::Mark m = n.Mark();
    problems->push_back({path, m.is_null() ? 0 : m.line + 1, m.is_null() ? 0 : m.column + 1, msg});
  };
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::ParserException& e) {
    problems->push_back({path, e.mark.line + 1, e.mark.column + 1, e.msg});
    return table;
  } catch (const YAML::Exception& e) {
    problems->push_back({path, 0, 0, e.msg});
    return table;
  }
  FindDuplicateKeys(root, path, problems);
  if (!root.IsMap() || !root["models"] || !root["models"].IsMap()) {
    fail(root,
         "a pricing file is a map with a \"models\" map of id: {input_per_mtok, output_per_mtok}");
    return table;
  }
  if (root["date"] && root["date"].IsScalar()) table.date = root["date"].Scalar();
  if (root["source"] && root["source"].IsScalar()) table.source = root["source"].Scalar();
  for (const auto& kv : root["models"]) {
    const YAML::Node& p = kv.second;
    const std::string id = kv.first.Scalar();
    Pricing price;
    if (!p.IsMap() || !p["input_per_mtok"] || !p["output_per_mtok"] ||
        !ReadPlainNumber(p["input_per_mtok"], &price.input_per_mtok) ||
        !ReadPlainNumber(p["output_per_mtok"], &price.output_per_mtok)) {
      fail(p, "model '" + id + "' needs numeric input_per_mtok and output_per_mtok");
      continue;
    }
    const std::vector<std::string>& keys = PricingKeys();
    for (const auto& key : p) {
      const std::string k = key.first.Scalar();
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
        std::string known;
        for (const auto& name : keys) known += (known.empty() ? "" : ", ") + name;
        fail(key.first, "model '" + id + "': unknown key '" + k + "' (" + known + ")");
      }
    }
    if (p["cached_input_per_mtok"]) {
      double cached = 0;
      if (!ReadPlainNumber(p["cached_input_per_mtok"], &cached) || cached < 0) {
        fail(p["cached_input_per_mtok"],
             "model '" + id + "': cached_input_per_mtok must be a number >= 0");
        continue;
      }
      price.cached_input_per_mtok = cached;
    }
    // An entry's own date and source, else the file's.
    price.as_of = p["as_of"] && p["as_of"].IsScalar() ? p["as_of"].Scalar() : table.date;
    price.source = p["source"] && p["source"].IsScalar() ? p["source"].Scalar() : table.source;
    table.models[id] = price;
  }
  return table;
}

std::optional<Pricing> PriceFor(const ModelSpec& model, const PricingTable& table) {
  if (model.pricing) return model.pricing;
  auto it = table.models.find(model.id);
  if (it == table.models.end()) return std::nullopt;
  return it->second;
}

}  // namespace evalrun
