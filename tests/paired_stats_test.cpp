// The comparison statistics against published table values, values worked by hand, and second
// implementations written here (Simpson integration of the t density, direct binomial sums,
// brute force over subsets), including n = 0, n = 1, all-equal rows and a single cluster.
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "report/distributions.h"
#include "report/paired_comparison.h"
#include "report/summary.h"

using namespace evalrun;

namespace {

/// P(T <= t) by Simpson's rule over the t density: a second implementation of StudentTCdf.
double TCdfBySimpson(double t, double df) {
  const double c = std::exp(std::lgamma((df + 1) / 2) - std::lgamma(df / 2)) / std::sqrt(df * M_PI);
  auto pdf = [&](double x) { return c * std::pow(1 + x * x / df, -(df + 1) / 2); };
  const int steps = 200000;
  const double h = std::fabs(t) / steps;
  double sum = pdf(0) + pdf(std::fabs(t));
  for (int i = 1; i < steps; ++i) sum += (i % 2 ? 4 : 2) * pdf(i * h);
  const double half = sum * h / 3;
  return t >= 0 ? 0.5 + half : 0.5 - half;
}

/// Two-sided exact binomial p by summing C(n, i) / 2^n directly (small n only).
double BinomialBySum(int a, int b) {
  const int n = a + b, k = std::min(a, b);
  double tail = 0, choose = 1;
  for (int i = 0; i <= k; ++i) {
    if (i > 0) choose = choose * (n - i + 1) / i;
    tail += choose;
  }
  return std::min(1.0, 2 * tail / std::pow(2.0, n));
}

std::vector<PairedRow> Rows(const std::vector<double>& a, const std::vector<double>& b,
                            const std::vector<uint64_t>& clusters = {}) {
  std::vector<PairedRow> rows;
  for (size_t i = 0; i < a.size(); ++i)
    rows.push_back({a[i], b[i], clusters.empty() ? 0 : clusters[i]});
  return rows;
}

}  // namespace

TEST_CASE("t quantiles match the published table", "[stats]") {
  CHECK(StudentTQuantile(0.975, 1) == Approx(12.706204736).epsilon(1e-8));
  CHECK(StudentTQuantile(0.975, 2) == Approx(4.302652730).epsilon(1e-8));
  CHECK(StudentTQuantile(0.975, 4) == Approx(2.776445105).epsilon(1e-8));
  CHECK(StudentTQuantile(0.975, 10) == Approx(2.228138852).epsilon(1e-8));
  CHECK(StudentTQuantile(0.975, 30) == Approx(2.042272456).epsilon(1e-8));
  CHECK(StudentTQuantile(0.80, 10) == Approx(0.879057828).epsilon(1e-8));
  CHECK(StudentTQuantile(0.80, 4) == Approx(0.9409646).epsilon(1e-7));
  CHECK(StudentTQuantile(0.975, 1e7) == Approx(1.959963985).epsilon(1e-6));
  CHECK(StudentTQuantile(0.025, 10) == Approx(-2.228138852).epsilon(1e-8));
  CHECK(StudentTQuantile(0.5, 3) == 0);
}

TEST_CASE("the t CDF agrees with Simpson integration of the density", "[stats]") {
  for (double df : {1.0, 2.0, 4.0, 9.0, 30.0, 199.0}) {
    for (double t : {-3.0, -0.5, 0.0, 0.7, 2.44949, 6.0}) {
      INFO("df " << df << " t " << t);
      CHECK(StudentTCdf(t, df) == Approx(TCdfBySimpson(t, df)).margin(1e-9));
    }
  }
}

TEST_CASE("McNemar's exact p is the two-sided binomial test on the discordant rows", "[stats]") {
  CHECK(ExactBinomialTwoSidedP(10, 2) == Approx(2.0 * 79 / 4096));  // by hand: 1 + 12 + 66
  CHECK(ExactBinomialTwoSidedP(0, 6) == Approx(2.0 / 64));
  CHECK(ExactBinomialTwoSidedP(5, 5) == 1);
  CHECK(ExactBinomialTwoSidedP(0, 0) == 1);  // no discordant row: no evidence either way
  for (int a = 0; a <= 30; a += 3)
    for (int b = 0; b <= 30; b += 7) {
      INFO(a << " vs " << b);
      CHECK(ExactBinomialTwoSidedP(a, b) == Approx(BinomialBySum(a, b)).epsilon(1e-10));
    }
  // Large samples stay finite and tiny.
  CHECK(ExactBinomialTwoSidedP(60000, 40000) < 1e-100);
}

TEST_CASE("a paired comparison worked by hand", "[stats]") {
  // d = a - b = 1, 0, 1, 1, 0: mean 0.6, sd sqrt(0.3), se sqrt(0.3 / 5), 4 degrees of freedom.
  const auto rows = Rows({1, 1, 1, 1, 0}, {0, 1, 0, 0, 0});
  const PairedComparison t = ComparePaired(rows, /*clustered=*/false, /*binary_single=*/false);
  CHECK(t.n == 5);
  CHECK(t.test == "paired-t");
  CHECK(t.mean_a == Approx(0.8));
  CHECK(t.mean_b == Approx(0.2));
  CHECK(t.diff == Approx(0.6));
  REQUIRE(t.se);
  CHECK(*t.se == Approx(std::sqrt(0.3 / 5)));
  REQUIRE(t.ci95);
  CHECK(t.ci95->first == Approx(0.6 - 2.776445105 * std::sqrt(0.06)));
  CHECK(t.ci95->second == Approx(0.6 + 2.776445105 * std::sqrt(0.06)));
  REQUIRE(t.p_value);
  CHECK(*t.p_value == Approx(2 * (1 - TCdfBySimpson(0.6 / std::sqrt(0.06), 4))).margin(1e-9));
  CHECK(*t.p_value == Approx(0.0705).margin(5e-4));  // the table's value for t = 2.449, df 4
  REQUIRE(t.correlation);
  CHECK(*t.correlation == Approx(0.25));  // sab 0.2 over sqrt(0.8 x 0.8)
  CHECK(t.a_only == 3);
  CHECK(t.b_only == 0);
  CHECK_FALSE(t.clusters);
  REQUIRE(t.mde80);
  CHECK(*t.mde80 == Approx((2.776445105 + 0.9409646) * std::sqrt(0.06)));
  // The same rows as 0/1 scores of one repeat: McNemar on 3 discordant rows against 0.
  const PairedComparison m = ComparePaired(rows, false, /*binary_single=*/true);
  CHECK(m.test == "mcnemar-exact");
  CHECK(*m.p_value == Approx(0.25));
  CHECK(*m.se == Approx(*t.se));
}

TEST_CASE("a clustered comparison uses the Liang-Zeger standard error with G - 1 df", "[stats]") {
  // Clusters of d: {1, 1}, {0, 0}, {1, 0}; mean 0.5; centred cluster sums 1, -1, 0.
  const auto rows = Rows({1, 1, 0, 0, 1, 0}, {0, 0, 0, 0, 0, 0}, {7, 7, 8, 8, 9, 9});
  const PairedComparison c = ComparePaired(rows, /*clustered=*/true, /*binary_single=*/true);
  CHECK(c.test == "paired-t");  // clusters rule McNemar out
  CHECK(c.clusters == 3);
  REQUIRE(c.se);
  CHECK(*c.se == Approx(std::sqrt(3.0 / 2 * 2) / 6));
  CHECK(c.ci95->first == Approx(0.5 - 4.302652730 * std::sqrt(3.0) / 6));
  CHECK(*c.p_value == Approx(2 * (1 - TCdfBySimpson(0.5 / (std::sqrt(3.0) / 6), 2))).margin(1e-9));
  // One cluster cannot give a standard error.
  const PairedComparison one = ComparePaired(Rows({1, 0, 1}, {0, 0, 0}, {4, 4, 4}), true, false);
  CHECK(one.clusters == 1);
  CHECK_FALSE(one.se);
  CHECK_FALSE(one.ci95);
  CHECK_FALSE(one.p_value);
  CHECK_FALSE(one.mde80);
}

TEST_CASE("figures the sample cannot define are absent, never NaN", "[stats]") {
  const PairedComparison none = ComparePaired({}, false, true);
  CHECK(none.n == 0);
  CHECK_FALSE(none.se);
  CHECK_FALSE(none.p_value);
  CHECK_FALSE(none.correlation);
  const PairedComparison single = ComparePaired(Rows({1}, {0}), false, false);
  CHECK(single.n == 1);
  CHECK(single.diff == 1);
  CHECK_FALSE(single.se);
  CHECK_FALSE(single.p_value);
  CHECK_FALSE(single.correlation);
  // All rows equal: no difference, se 0, so no t statistic; McNemar says p = 1.
  const auto same = Rows({1, 0, 1, 1}, {1, 0, 1, 1});
  const PairedComparison t = ComparePaired(same, false, false);
  CHECK(t.diff == 0);
  CHECK(*t.se == 0);
  CHECK_FALSE(t.p_value);
  CHECK(t.ci95->first == 0);
  CHECK(*t.mde80 == 0);
  CHECK(*ComparePaired(same, false, true).p_value == 1);
  // A model that scored every row the same has no correlation with the other.
  CHECK_FALSE(ComparePaired(Rows({1, 1, 1}, {0, 1, 0}), false, false).correlation);
}

TEST_CASE("pass@k and pass^k agree with counting every subset of tries", "[stats]") {
  // n = 5 tries with c right: the share of the C(5, k) subsets that hold a right / only right.
  for (int c = 0; c <= 5; ++c) {
    for (int k = 1; k <= 5; ++k) {
      int subsets = 0, any = 0, all = 0;
      for (int mask = 0; mask < 32; ++mask) {
        if (__builtin_popcount(mask) != k) continue;
        ++subsets;
        const int right = __builtin_popcount(mask & ((1 << c) - 1));
        any += right > 0;
        all += right == k;
      }
      INFO("c " << c << " k " << k);
      CHECK(PassAtK(5, c, k) == Approx(static_cast<double>(any) / subsets));
      CHECK(PassAllK(5, c, k) == Approx(static_cast<double>(all) / subsets).margin(1e-12));
    }
  }
  CHECK(PassAtK(5, 2, 1) == Approx(0.4));
  CHECK(PassAtK(5, 2, 2) == Approx(0.7));
  CHECK(PassAllK(5, 2, 2) == Approx(0.1));
}

TEST_CASE("repeats give pass@k, pass^k and the within-row variance share, worked by hand",
          "[stats]") {
  // Three rows tried three times: 1 0 1, 0 0 0, 1 1 1.
  SummaryBuilder b;
  const std::vector<std::vector<double>> tries = {{1, 0, 1}, {0, 0, 0}, {1, 1, 1}};
  for (size_t row = 0; row < tries.size(); ++row) {
    for (size_t rep = 0; rep < tries[row].size(); ++rep) {
      CallRecord r;
      r.model = "m";
      r.dataset = "d";
      r.row_id = std::to_string(row);
      r.repeat = static_cast<int>(rep);
      r.scores["exact"] = tries[row][rep];
      b.Add(r);
    }
  }
  const Summary s = b.Build(RunInfo{});
  REQUIRE(s.models.size() == 1);
  REQUIRE(s.models[0].repeats.count("exact") == 1);
  const RepeatSummary& r = s.models[0].repeats.at("exact");
  REQUIRE(r.pass_at_k.size() == 3);
  CHECK(r.pass_at_k[0] == Approx((2.0 / 3 + 0 + 1) / 3));  // pass@1: the mean of c/n
  CHECK(r.pass_at_k[1] == Approx(2.0 / 3));                // 1, 0, 1
  CHECK(r.pass_at_k[2] == Approx(2.0 / 3));
  CHECK(r.pass_all_k[0] == Approx(r.pass_at_k[0]));
  CHECK(r.pass_all_k[1] == Approx((1.0 / 3 + 0 + 1) / 3));  // C(2,2)/C(3,2) = 1/3, 0, 1
  CHECK(r.pass_all_k[2] == Approx(1.0 / 3));
  // Within rows: (1/3)^2 x 2 + (2/3)^2 = 2/3; in all: 5 ones and 4 zeros around 5/9 = 20/9.
  REQUIRE(r.within_row_variance_share);
  CHECK(*r.within_row_variance_share == Approx((2.0 / 3) / (20.0 / 9)));
  // One try per row is no repeat; scores that are not 0/1 have no pass@k.
  SummaryBuilder once;
  CallRecord single;
  single.model = "m";
  single.dataset = "d";
  single.row_id = "1";
  single.scores["exact"] = 1;
  once.Add(single);
  single.row_id = "2";
  single.scores["exact"] = 0.5;
  once.Add(single);
  CHECK(once.Build(RunInfo{}).models[0].repeats.empty());
}

TEST_CASE("with compare.baseline every model is compared with the baseline only", "[stats]") {
  SummaryBuilder b;
  // Three models on four rows: strong right on all, weak on one, base on two.
  const std::map<std::string, std::vector<double>> scores = {
      {"strong", {1, 1, 1, 1}}, {"weak", {1, 0, 0, 0}}, {"base", {1, 1, 0, 0}}};
  for (const auto& [model, values] : scores) {
    for (size_t row = 0; row < values.size(); ++row) {
      CallRecord r;
      r.model = model;
      r.dataset = "d";
      r.row_id = std::to_string(row);
      r.scores["exact"] = values[row];
      b.Add(r);
    }
  }
  SummaryBuilder every = b;
  const Summary pairs = every.Build(RunInfo{});
  CHECK(pairs.comparisons.size() == 3);  // every pair
  const Summary against = b.Build(RunInfo{}, "base");
  REQUIRE(against.comparisons.size() == 2);
  for (const ComparisonSummary& c : against.comparisons) CHECK(c.b == "base");
  CHECK(against.comparisons[0].a == "strong");  // in rank order
  CHECK(against.comparisons[0].stats.diff == Approx(0.5));
  CHECK(against.comparisons[1].a == "weak");
  CHECK(against.comparisons[1].stats.diff == Approx(-0.25));
}

namespace {

CallRecord Scored(const std::string& model, const std::string& row, int repeat, double score,
                  const std::string& cluster = "") {
  CallRecord r;
  r.model = model;
  r.dataset = "d";
  r.row_id = row;
  r.repeat = repeat;
  r.cluster = cluster;
  r.scores["exact"] = score;
  return r;
}

}  // namespace

TEST_CASE("a model's mean, SE and interval are over rows, and over clusters when named",
          "[stats]") {
  // Four rows, two tried twice: row means 0.5, 1, 0, 0.5 (not the 3/6 of the six values).
  const std::vector<std::tuple<std::string, int, double, std::string>> records = {
      {"r0", 0, 1, "A"}, {"r0", 1, 0, "A"}, {"r1", 0, 1, "A"},
      {"r2", 0, 0, "B"}, {"r3", 0, 0, "B"}, {"r3", 1, 1, "B"}};
  SummaryBuilder rows, clustered;
  for (const auto& [row, repeat, score, cluster] : records) {
    rows.Add(Scored("m", row, repeat, score));
    clustered.Add(Scored("m", row, repeat, score, cluster));
  }
  const Summary by_row = rows.Build(RunInfo{});
  REQUIRE(by_row.models[0].score);
  CHECK(*by_row.models[0].score == Approx(0.5));
  // Deviations 0, 0.5, -0.5, 0: sd = sqrt(0.5 / 3), se = sd / 2; t(0.975, 3) = 3.182446305.
  const double se = std::sqrt(0.5 / 3) / 2;
  CHECK(*by_row.models[0].score_se == Approx(se));
  CHECK(by_row.models[0].score_ci95->second == Approx(std::min(1.0, 0.5 + 3.182446305 * se)));
  CHECK(by_row.models[0].score_ci95->first == Approx(std::max(0.0, 0.5 - 3.182446305 * se)));
  CHECK_FALSE(by_row.models[0].clusters);
  CHECK(by_row.groups[0].score_se.at("exact") == Approx(se));
  // Clusters {r0, r1} and {r2, r3}: centred sums 0.5 and -0.5, se = sqrt(2 / 1 x 0.5) / 4.
  const Summary by_cluster = clustered.Build(RunInfo{});
  CHECK(*by_cluster.models[0].score == Approx(0.5));
  CHECK(by_cluster.models[0].clusters == 2);
  CHECK(*by_cluster.models[0].score_se == Approx(0.25));
  CHECK(by_cluster.groups[0].clusters == 2);
  CHECK(by_cluster.groups[0].score_se.at("exact") == Approx(0.25));
}

TEST_CASE("clustered rows make every comparison cluster-robust", "[stats]") {
  // a beats b on rows 0-3, ties on 4-5; clusters {0,1}, {2,3}, {4,5}. Paired d: 1,1,1,1,0,0.
  SummaryBuilder b;
  const std::vector<double> a = {1, 1, 1, 1, 0, 1}, other = {0, 0, 0, 0, 0, 1};
  for (int i = 0; i < 6; ++i) {
    const std::string cluster = "c" + std::to_string(i / 2);
    b.Add(Scored("a", std::to_string(i), 0, a[i], cluster));
    b.Add(Scored("b", std::to_string(i), 0, other[i], cluster));
  }
  const Summary s = b.Build(RunInfo{});
  REQUIRE(s.comparisons.size() == 1);
  const PairedComparison& c = s.comparisons[0].stats;
  CHECK(c.test == "paired-t");  // 0/1 single scores, but clusters rule McNemar out
  CHECK(c.clusters == 3);
  // Mean d = 2/3; centred cluster sums 2/3, 2/3, -4/3: ss = 24/9; se = sqrt(3/2 x 24/9) / 6.
  CHECK(c.diff == Approx(2.0 / 3));
  CHECK(*c.se == Approx(std::sqrt(1.5 * 24.0 / 9) / 6));
  CHECK(c.ci95->first == Approx(2.0 / 3 - 4.302652730 * *c.se));  // t(0.975, 2)
  // A single cluster: no standard error, no p, no interval.
  SummaryBuilder one;
  for (int i = 0; i < 4; ++i) {
    one.Add(Scored("a", std::to_string(i), 0, 1, "same"));
    one.Add(Scored("b", std::to_string(i), 0, i % 2, "same"));
  }
  const Summary single = one.Build(RunInfo{});
  CHECK(single.comparisons[0].stats.clusters == 1);
  CHECK_FALSE(single.comparisons[0].stats.se);
  CHECK_FALSE(single.comparisons[0].stats.p_value);
  CHECK_FALSE(single.models[0].score_se);
  CHECK(single.models[0].score_ci95 == std::make_pair(0.0, 1.0));
}
