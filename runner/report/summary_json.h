// summary.json: the Summary as the stable, documented JSON of CONTRACT.md.
#pragma once

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <string>

#include "report/summary.h"

namespace evalrun {

std::string SummaryToJson(const Summary& summary);

/// The statistics of one paired comparison as summary.json (and compare.json) write them, from
/// "n" to "mde80", inside an object the caller opens.
void WriteComparisonFields(rapidjson::PrettyWriter<rapidjson::StringBuffer>& w,
                           const PairedComparison& p, long long unpaired);

}  // namespace evalrun
