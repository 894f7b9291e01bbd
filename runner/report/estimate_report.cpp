#include "report/estimate_report.h"

#include <fmt/format.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <algorithm>
#include <cmath>

#include "common/json_write.h"
#include "report/format.h"

namespace evalrun {
namespace {

long long Whole(double tokens) {
  return std::llround(tokens);
}

std::string Row(const EstimateLine& l, const std::string& model, const std::string& dataset,
                size_t width) {
  return fmt::format("{:<{}} {:<14} {:>8} {:>12} {:>12} {:>12} {:>12} {:>12}\n", model, width,
                     dataset, l.calls, Whole(l.prompt_tokens), Whole(l.completion_tokens),
                     l.worst_completion_tokens
                         ? fmt::format("{}", Whole(*l.worst_completion_tokens))
                         : "unbounded",
                     FormatUsd(l.expected_usd), FormatUsd(l.worst_usd));
}

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void Line(Writer& w, const EstimateLine& l, bool group) {
  w.StartObject();
  if (group) {
    w.Key("model");
    w.String(l.model);
    w.Key("model_id");
    w.String(l.model_id);
    w.Key("dataset");
    w.String(l.dataset);
  }
  w.Key("calls");
  w.Int64(l.calls);
  w.Key("prompt_tokens");
  w.Int64(Whole(l.prompt_tokens));
  w.Key("completion_tokens");
  w.Int64(Whole(l.completion_tokens));
  w.Key("worst_prompt_tokens");
  w.Int64(Whole(l.worst_prompt_tokens));
  w.Key("worst_completion_tokens");
  if (l.worst_completion_tokens)
    w.Int64(Whole(*l.worst_completion_tokens));
  else
    w.Null();
  WriteExactNumber(w, "expected_usd", l.expected_usd);
  WriteExactNumber(w, "worst_usd", l.worst_usd);
  if (group) {
    w.Key("completion_basis");
    w.String(l.completion_basis);
    if (l.judge) {
      w.Key("judge");
      w.Bool(true);
    }
  }
  w.EndObject();
}

}  // namespace

std::string EstimateToText(const Job& job, const Estimate& e) {
  std::string out = fmt::format("estimate for job {}: {} calls to {} (nothing is sent)\n\n",
                                job.name, e.total.calls, job.endpoint.base_url);
  size_t width = 5;
  for (const auto& g : e.groups) width = std::max(width, g.model.size());
  out += fmt::format("{:<{}} {:<14} {:>8} {:>12} {:>12} {:>12} {:>12} {:>12}\n", "model", width,
                     "dataset", "calls", "prompt tok", "output tok", "output max", "expected",
                     "worst case");
  for (const auto& g : e.groups) out += Row(g, g.model, g.dataset, width);
  out += Row(e.total, "total", "", width);
  out += "\ncounted by:";
  for (const auto& c : e.counting) out += fmt::format(" {}: {};", c.model, c.basis);
  out.back() = '\n';
  for (const auto& c : e.counting)
    if (!c.warning.empty()) out += fmt::format("warning: {}: {}\n", c.model, c.warning);
  out +=
      "prompt tokens: the model's tokenizer and chat template where found (models[].tokenizer, "
      "or the Hugging Face cache), else the rule by script, framed as the model's family";
  if (e.calibration.empty()) {
    out += "; --history RUN_DIR calibrates it with real usage\n";
  } else {
    out += ", calibrated by the history:";
    for (const auto& c : e.calibration) {
      if (!c.in_history) {
        out += fmt::format(" {} (not in the history: the others' ratio);", c.model);
        continue;
      }
      if (const auto& f = c.prompt_fit)
        out += fmt::format(
            " {} {:.3f} x alphabetic + {:.3f} x CJK + framing {:+.1f} a message {:+.1f} a call "
            "(fitted on {} records)",
            c.model, f->slope[kAlphabeticPart], f->slope[kCjkPart], f->per_message, f->per_call,
            c.fitted_records);
      else if (c.prompt_ratio)
        out += fmt::format(" {} x{:.3f} ({} rows)", c.model, *c.prompt_ratio, c.matched_rows);
      else
        out += fmt::format(" {} (no record of it could be counted again)", c.model);
      if (c.completion_ratio)
        out += fmt::format(", completions {:.2f} x the reference ({} records)", *c.completion_ratio,
                           c.reference_records);
      out += ";";
    }
    out.pop_back();
    out += "\n";
  }
  out +=
      "output tokens: the history's mean per model and dataset where given, else (with history "
      "of other datasets) the references scaled by the model's length against references there, "
      "else its mean there; without history the row's reference answer counted with its "
      "end-of-turn token, else half of max_tokens (256 without it); never above max_tokens; a "
      "model that `thinks`: half of max_tokens\n";
  out += "prices (USD per 1M tokens, input / output):";
  for (const auto& p : e.prices) {
    if (!p.price) {
      out += fmt::format(" {}: unknown;", p.model);
      continue;
    }
    out += fmt::format(" {}: {} / {}", p.model, p.price->input_per_mtok, p.price->output_per_mtok);
    if (p.price->cached_input_per_mtok)
      out += fmt::format(", cached input {}", *p.price->cached_input_per_mtok);
    if (!p.price->as_of.empty()) out += fmt::format(", as of {}", p.price->as_of);
    if (!p.price->source.empty()) out += fmt::format(" ({})", p.price->source);
    out += ";";
  }
  out.back() = '\n';
  out +=
      "cache: no prompt-cache hits assumed (every prompt token at the input price); a run "
      "charges usage's cached_tokens at the cached price where one is set\n";
  out += "worst case: every request's bytes as prompt tokens plus max_tokens of output\n";
  if (std::any_of(e.groups.begin(), e.groups.end(), [](const EstimateLine& l) { return l.judge; }))
    out +=
        "judges: one call per graded call (the run sends one per ok call), its prompt the judge "
        "prompt with the answer at its expected length, its output half of the judge's "
        "max_tokens\n";
  return out;
}

std::string EstimateToJson(const Estimate& e) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.SetMaxDecimalPlaces(6);
  w.StartObject();
  w.Key("calls");
  w.Int64(e.total.calls);
  w.Key("groups");
  w.StartArray();
  for (const auto& g : e.groups) Line(w, g, true);
  w.EndArray();
  w.Key("total");
  Line(w, e.total, false);
  w.Key("counting");
  w.StartArray();
  for (const auto& c : e.counting) {
    w.StartObject();
    w.Key("model");
    w.String(c.model);
    w.Key("basis");
    w.String(c.basis);
    if (!c.warning.empty()) {
      w.Key("warning");
      w.String(c.warning);
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("prices");
  w.StartArray();
  for (const auto& p : e.prices) {
    w.StartObject();
    w.Key("model");
    w.String(p.model);
    if (p.price) {
      w.Key("input_per_mtok");
      w.Double(p.price->input_per_mtok);
      w.Key("output_per_mtok");
      w.Double(p.price->output_per_mtok);
      WriteOptionalNumber(w, "cached_input_per_mtok", p.price->cached_input_per_mtok);
      w.Key("as_of");
      w.String(p.price->as_of);
      w.Key("source");
      w.String(p.price->source);
    } else {
      w.Key("input_per_mtok");
      w.Null();
      w.Key("output_per_mtok");
      w.Null();
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("assumes_cache_hits");
  w.Bool(false);
  w.Key("calibration");
  if (e.calibration.empty()) {
    w.Null();
  } else {
    w.StartArray();
    for (const auto& c : e.calibration) {
      w.StartObject();
      w.Key("model");
      w.String(c.model);
      w.Key("matched_rows");
      w.Int64(c.matched_rows);
      WriteOptionalNumber(w, "prompt_ratio", c.prompt_ratio);
      w.Key("fitted_records");
      w.Int64(c.fitted_records);
      w.Key("in_history");
      w.Bool(c.in_history);
      w.Key("prompt_fit");
      if (const auto& f = c.prompt_fit) {
        w.StartObject();
        for (int k = 0; k < kRulePartCount; ++k) {
          w.Key(RulePartName(static_cast<RulePart>(k)));
          w.Double(f->slope[k]);
        }
        w.Key("per_message");
        w.Double(f->per_message);
        w.Key("per_call");
        w.Double(f->per_call);
        w.EndObject();
      } else {
        w.Null();
      }
      w.Key("reference_records");
      w.Int64(c.reference_records);
      WriteOptionalNumber(w, "completion_ratio", c.completion_ratio);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  std::string out(buf.GetString(), buf.GetSize());
  out.push_back('\n');
  return out;
}

}  // namespace evalrun
