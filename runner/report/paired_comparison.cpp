#include "report/paired_comparison.h"

#include <cmath>
#include <map>

#include "report/distributions.h"

namespace evalrun {
namespace {

/// The standard error of the mean difference and its degrees of freedom; nullopt when the
/// sample cannot define it (fewer than two rows, or one cluster).
std::optional<std::pair<double, double>> StandardError(const std::vector<PairedRow>& rows,
                                                       double diff, bool clustered,
                                                       std::optional<long long>* clusters) {
  const double n = static_cast<double>(rows.size());
  if (rows.size() < 2) return std::nullopt;
  if (!clustered) {
    double ss = 0;
    for (const PairedRow& r : rows) ss += (r.a - r.b - diff) * (r.a - r.b - diff);
    return std::make_pair(std::sqrt(ss / (n - 1)) / std::sqrt(n), n - 1);
  }
  std::map<uint64_t, double> sums;  // per cluster: the sum of its rows' centred differences
  for (const PairedRow& r : rows) sums[r.cluster] += r.a - r.b - diff;
  const double g = static_cast<double>(sums.size());
  *clusters = static_cast<long long>(sums.size());
  if (sums.size() < 2) return std::nullopt;
  double ss = 0;
  for (const auto& [cluster, sum] : sums) ss += sum * sum;
  return std::make_pair(std::sqrt(g / (g - 1) * ss) / n, g - 1);
}

std::optional<double> Pearson(const std::vector<PairedRow>& rows, double mean_a, double mean_b) {
  if (rows.size() < 2) return std::nullopt;
  double sab = 0, saa = 0, sbb = 0;
  for (const PairedRow& r : rows) {
    sab += (r.a - mean_a) * (r.b - mean_b);
    saa += (r.a - mean_a) * (r.a - mean_a);
    sbb += (r.b - mean_b) * (r.b - mean_b);
  }
  if (saa <= 0 || sbb <= 0) return std::nullopt;
  return sab / std::sqrt(saa * sbb);
}

/// log C(n, k)
double LogChoose(long long n, long long k) {
  return std::lgamma(static_cast<double>(n) + 1) - std::lgamma(static_cast<double>(k) + 1) -
         std::lgamma(static_cast<double>(n - k) + 1);
}

}  // namespace

PairedComparison ComparePaired(const std::vector<PairedRow>& rows, bool clustered,
                               bool binary_single) {
  PairedComparison out;
  out.n = static_cast<long long>(rows.size());
  out.test = binary_single && !clustered ? "mcnemar-exact" : "paired-t";
  if (rows.empty()) return out;
  for (const PairedRow& r : rows) {
    out.mean_a += r.a;
    out.mean_b += r.b;
    out.a_only += r.a > r.b ? 1 : 0;
    out.b_only += r.a < r.b ? 1 : 0;
  }
  const double n = static_cast<double>(rows.size());
  out.mean_a /= n;
  out.mean_b /= n;
  out.diff = out.mean_a - out.mean_b;
  out.correlation = Pearson(rows, out.mean_a, out.mean_b);
  if (out.test == "mcnemar-exact") out.p_value = ExactBinomialTwoSidedP(out.a_only, out.b_only);
  const auto se = StandardError(rows, out.diff, clustered, &out.clusters);
  if (!se) return out;
  const auto [value, df] = *se;
  out.se = value;
  const double t975 = StudentTQuantile(0.975, df);
  out.ci95 = std::make_pair(out.diff - t975 * value, out.diff + t975 * value);
  out.mde80 = (t975 + StudentTQuantile(0.80, df)) * value;
  if (out.test == "paired-t" && value > 0) {
    out.p_value = 2 * (1 - StudentTCdf(std::fabs(out.diff) / value, df));
  }
  return out;
}

MeanEstimate EstimateMean(const std::vector<PairedRow>& rows, bool clustered) {
  MeanEstimate out;
  out.rows = static_cast<long long>(rows.size());
  if (rows.empty()) return out;
  for (const PairedRow& r : rows) out.mean += r.a;
  out.mean /= static_cast<double>(rows.size());
  const auto se = StandardError(rows, out.mean, clustered, &out.clusters);
  if (!se) return out;
  out.se = se->first;
  const double half = StudentTQuantile(0.975, se->second) * se->first;
  out.ci95 = std::make_pair(out.mean - half, out.mean + half);
  return out;
}

double PassAtK(long long n, long long c, long long k) {
  if (k <= 0 || n <= 0 || k > n) return 0;
  if (n - c < k) return 1;  // fewer wrong tries than k: any k include a right one
  return 1 - std::exp(LogChoose(n - c, k) - LogChoose(n, k));
}

double PassAllK(long long n, long long c, long long k) {
  if (k <= 0 || n <= 0 || k > n || c < k) return 0;
  return std::exp(LogChoose(c, k) - LogChoose(n, k));
}

}  // namespace evalrun
