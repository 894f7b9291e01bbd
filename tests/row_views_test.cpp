// The row views: which rows are chosen (every differing row counted, the first 100 shown; each
// model's failed rows, the first 20), in what order, and which record of a call is shown.
#include "report/row_views.h"

#include <catch2/catch.hpp>
#include <string>

#include "report/summary.h"
#include "results/call_record.h"
#include "support/process.h"

using namespace evalrun;
using namespace evalrun::testing;

namespace {

CallRecord Answered(const std::string& model, int row, double score, const std::string& text) {
  CallRecord r;
  r.model = model;
  r.dataset = "d";
  r.row_id = std::to_string(row);
  r.response = text;
  r.scores["exact"] = score;
  return r;
}

CallRecord Failed(const std::string& model, int row) {
  CallRecord r;
  r.model = model;
  r.dataset = "d";
  r.row_id = std::to_string(row);
  r.error_kind = ErrorKind::kServer;
  r.error = "HTTP 500";
  return r;
}

}  // namespace

TEST_CASE("row views count every differing row, show the first 100 and each model's failures",
          "[report]") {
  TempDir dir;
  std::string lines;
  SummaryBuilder b;
  auto add = [&](const CallRecord& r) {
    lines += RecordToJson(r) + "\n";
    b.Add(r);
  };
  // 150 rows: a right on all; b wrong on the even rows; row 8 failed for b, then was answered
  // (the summary sees each call's latest record only; the views show the ok one); row 9 failed
  // for b for good.
  for (int row = 0; row < 150; ++row) {
    add(Answered("a", row, 1, "right"));
    if (row == 8) lines += RecordToJson(Failed("b", row)) + "\n";
    if (row == 9) {
      add(Failed("b", row));
      continue;
    }
    add(Answered("b", row, row % 2 == 0 ? 0 : 1, row % 2 == 0 ? "wrong" : "right"));
  }
  dir.Write("results.jsonl", lines);
  b.Build(RunInfo{});
  auto views = CollectRowViews(b.Rows(), {"a", "b"}, {dir.path() + "/results.jsonl", nullptr, {}});
  REQUIRE(views.ok());
  CHECK(views->differing == 75);  // the even rows; row 9 is unpaired, not differing
  REQUIRE(views->differ.size() == 75);
  CHECK(views->differ[0].row_id == "0");  // in the order results.jsonl names them
  CHECK(views->differ[1].row_id == "2");
  CHECK_FALSE(views->differ[0].prompt);  // no job: no prompts, and a note says why
  CHECK_THAT(views->note, Catch::Contains("prompts are not shown"));
  REQUIRE(views->differ[0].answers.size() == 2);
  CHECK(views->differ[0].answers[0].model == "a");
  CHECK(views->differ[0].answers[1].response == "wrong");
  REQUIRE(views->failed.size() == 2);
  CHECK(views->failed[0].count == 0);
  CHECK(views->failed[1].count == 76);  // 75 zeros and row 9's error
  REQUIRE(views->failed[1].shown.size() == kFailedRowsShown);
  for (const RowView& v : views->failed[1].shown) {
    INFO("row " << v.row_id);
    REQUIRE(v.answers.size() == 2);
    if (v.row_id == "8") {
      CHECK(v.answers[1].error.empty());
      CHECK(v.answers[1].response == "wrong");
    }
    if (v.row_id == "9") {
      REQUIRE(v.answers.size() == 2);
      CHECK(v.answers[1].error == "HTTP 500");
      CHECK_FALSE(v.answers[1].response);
    }
  }

  // 250 differing rows: all counted, 100 shown.
  SummaryBuilder many;
  std::string more;
  for (int row = 0; row < 250; ++row) {
    for (const CallRecord& r : {Answered("a", row, 1, "x"), Answered("b", row, 0, "y")}) {
      more += RecordToJson(r) + "\n";
      many.Add(r);
    }
  }
  dir.Write("many.jsonl", more);
  many.Build(RunInfo{});
  auto capped = CollectRowViews(many.Rows(), {"a", "b"}, {dir.path() + "/many.jsonl", nullptr, {}});
  REQUIRE(capped.ok());
  CHECK(capped->differing == 250);
  CHECK(capped->differ.size() == kDifferingRowsShown);
  CHECK(capped->failed[1].count == 250);
  CHECK(capped->failed[1].shown.size() == kFailedRowsShown);

  // Rows whose ids need escaping in JSON are read by the parser, not the quick scan, alike.
  SummaryBuilder odd;
  std::string odd_lines;
  for (const std::string id : {"say \"hi\"", "back\\slash", "plain"}) {
    for (CallRecord r : {Answered("a", 0, 1, "x"), Answered("b", 0, 0, "y: " + id)}) {
      r.row_id = id;
      odd_lines += RecordToJson(r) + "\n";
      odd.Add(r);
    }
  }
  dir.Write("odd.jsonl", odd_lines);
  odd.Build(RunInfo{});
  auto read = CollectRowViews(odd.Rows(), {"a", "b"}, {dir.path() + "/odd.jsonl", nullptr, {}});
  REQUIRE(read.ok());
  REQUIRE(read->differ.size() == 3);
  for (const RowView& v : read->differ) {
    REQUIRE(v.answers.size() == 2);
    CHECK(v.answers[1].response == "y: " + v.row_id);
  }
}
