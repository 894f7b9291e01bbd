// Small helpers for the RapidJSON writers of records, summaries and manifests.
#pragma once

#include <fmt/format.h>
#include <rapidjson/rapidjson.h>

#include <cmath>
#include <optional>
#include <string>

namespace evalrun {

/// `"key": value`, or `"key": null` when there is no value (an unknown is never written as 0).
template <class Writer>
void WriteOptionalNumber(Writer& w, const char* key, const std::optional<double>& v) {
  w.Key(key);
  if (v)
    w.Double(*v);
  else
    w.Null();
}

/// A number written exactly: the shortest text that reads back as the same double (fmt's
/// Dragonbox), never cut to a number of decimal places as the writers' SetMaxDecimalPlaces does
/// (it truncates: 0.00776776 became 0.007767). For money, whose sums must add up.
template <class Writer>
void WriteExactNumber(Writer& w, double v) {
  if (!std::isfinite(v)) {
    w.Null();
    return;
  }
  const std::string text = fmt::format("{}", v);
  w.RawValue(text.data(), text.size(), rapidjson::kNumberType);
}

/// `"key": exact value`, or `"key": null`.
template <class Writer>
void WriteExactNumber(Writer& w, const char* key, const std::optional<double>& v) {
  w.Key(key);
  if (v)
    WriteExactNumber(w, *v);
  else
    w.Null();
}

}  // namespace evalrun
