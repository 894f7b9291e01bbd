// Small helpers for the RapidJSON writers of records, summaries and manifests.
#pragma once

#include <optional>

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

}  // namespace evalrun
