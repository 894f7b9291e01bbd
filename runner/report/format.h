// Numbers as every report prints them, in the spirit of wrk's units.c: one place decides how a
// price, a latency or an interval reads, so report.md, report.html and the estimate agree.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "report/paired_comparison.h"

namespace evalrun {

/// "$0.0123", "$0.000370" below a cent, "unknown" without a price (never $0).
std::string FormatUsd(const std::optional<double>& usd);

/// A cost that may be partly unknown: FormatUsd of it when whole, else "unknown ($0.0123 known;
/// 20 calls without usage)", so a reader sees both what is known and why the rest is not.
std::string FormatCost(const std::optional<double>& usd, double known_usd,
                       long long calls_without_usage);

/// A latency as people read it: "850 ms", "1.5 s", "2.0 min".
std::string FormatMs(double ms);

/// A p-value as people read it: "0.041", "0.0012", "< 1e-12".
std::string FormatP(double p);

/// A 95% interval of a score: "0.739 – 0.850".
std::string FormatInterval(const std::pair<double, double>& interval);

/// A paired comparison's verdict: "significant (p 0.003)", "not significant (p 0.41)", or why
/// there is no p.
std::string FormatVerdict(const PairedComparison& p);

/// The first `max_chars` characters (UTF-8 code points) of `text`, and whether it was cut.
std::string_view CutChars(std::string_view text, size_t max_chars, bool* cut);

}  // namespace evalrun
