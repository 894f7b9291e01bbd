#include "report/gates.h"

#include <catch2/catch.hpp>

using namespace evalrun;

TEST_CASE("each gate is judged per model, unknown values fail", "[gates]") {
  ModelSummary a, b;
  a.model = "a";
  a.calls = 10;
  a.ok = 9;
  a.p95_latency_ms = 120.0;
  a.score = 0.8;
  a.cost_usd = 0.5;
  b.model = "b";
  b.calls = 10;
  b.ok = 10;
  b.p95_latency_ms = 90.0;
  GateSpec g;
  g.max_error_rate = 0.05;
  g.min_score = 0.7;
  g.max_p95_latency_ms = 100;
  g.max_cost_usd = 1.0;
  auto r = EvaluateGates(g, {a, b});
  REQUIRE(r.size() == 8);
  auto find = [&](const std::string& name, const std::string& model) {
    for (const auto& x : r) {
      if (x.name == name && x.model == model) return x;
    }
    FAIL("no gate " << name << " for " << model);
    return GateResult{};
  };
  CHECK_FALSE(find("max_error_rate", "a").passed);
  CHECK(*find("max_error_rate", "a").value == Approx(0.1));
  CHECK(find("max_error_rate", "b").passed);
  CHECK(find("min_score", "a").passed);
  CHECK_FALSE(find("min_score", "b").passed);  // no score: cannot pass
  CHECK_FALSE(find("min_score", "b").value);
  CHECK_FALSE(find("max_p95_latency_ms", "a").passed);
  CHECK(find("max_p95_latency_ms", "b").passed);
  CHECK(find("max_cost_usd", "a").passed);
  CHECK_FALSE(find("max_cost_usd", "b").passed);  // unknown price: cannot pass
  CHECK_FALSE(AllPassed(r));
  CHECK(EvaluateGates(GateSpec{}, {a, b}).empty());
  CHECK(AllPassed({}));
}
