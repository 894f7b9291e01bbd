#include "engine/run_loop.h"

#include <fmt/format.h>

#include <chrono>
#include <unordered_map>

#include "common/clock.h"
#include "results/record_builder.h"

namespace evalrun {
namespace {

struct InFlight {
  size_t model_index = 0;
  std::string dataset;
  std::string row_id;
  int repeat = 0;
  std::string started_at;
  std::vector<std::optional<std::string>> references;
};

}  // namespace

RunOutcome RunPlan(const Job& job, CallPlanner& planner, Transport& transport, RecordSink& sink,
                   const RunLoopOptions& options) {
  RunOutcome outcome;
  std::unordered_map<uint64_t, InFlight> in_flight;
  std::vector<HttpResult> finished;
  bool plan_done = false;
  auto stop_level = [&] { return options.stop_request ? options.stop_request->load() : 0; };

  for (;;) {
    while (outcome.stop_reason.empty() && !plan_done && stop_level() == 0 &&
           transport.InFlight() < static_cast<size_t>(options.concurrency)) {
      PlannedCall call;
      if (!planner.Next(&call)) {
        plan_done = true;
        if (!planner.status().ok()) {
          outcome.status = planner.status();
          outcome.stop_reason = "a dataset could not be read";
        }
        break;
      }
      in_flight[call.seq] = InFlight{call.model_index, std::move(call.dataset), std::move(call.row_id),
                                     call.repeat, Rfc3339Ms(std::chrono::system_clock::now()),
                                     std::move(call.references)};
      transport.Start(HttpRequest{call.seq, options.chat_url, std::move(call.body)});
      ++outcome.started;
    }
    if (stop_level() > 0 && outcome.stop_reason.empty()) {
      outcome.stop_reason = "interrupted by a signal";
    }
    if (stop_level() > 1 || transport.InFlight() == 0) break;

    finished.clear();
    transport.Wait(&finished);
    for (const HttpResult& http : finished) {
      auto it = in_flight.find(http.tag);
      if (it == in_flight.end()) continue;
      const InFlight& f = it->second;
      const ModelSpec& model = job.models[f.model_index];
      CallContext ctx;
      ctx.run_id = options.run_id;
      ctx.model = model.label;
      ctx.model_id = model.id;
      ctx.dataset = f.dataset;
      ctx.row_id = f.row_id;
      ctx.repeat = f.repeat;
      ctx.started_at = f.started_at;
      ctx.price = f.model_index < options.prices.size() ? options.prices[f.model_index] : std::nullopt;
      ctx.save_responses = options.save_responses;
      ctx.api_key = options.api_key;
      ctx.scorers = &job.scoring;
      ctx.references = &f.references;
      CallRecord record = BuildRecord(ctx, http);
      in_flight.erase(it);
      ++outcome.finished;
      if (StopsRun(record.error_kind) && outcome.stop_reason.empty()) {
        outcome.stop_reason = fmt::format("the API answered {} ({}): no further call can succeed",
                                          record.http_status, record.error);
      }
      if (Status s = sink.OnRecord(record); !s.ok()) {
        outcome.status = s;
        outcome.stop_reason = "results could not be written";
        return outcome;
      }
    }
  }
  outcome.abandoned = static_cast<long long>(in_flight.size());
  return outcome;
}

}  // namespace evalrun
