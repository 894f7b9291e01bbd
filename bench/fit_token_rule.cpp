// Fits the weights of the counting rule (tokenizer/script_rule.h) to real tokenizers: every
// text's features against the mean of the tokenizers' counts, by least squares weighted by
// 1/count and by dataset (so 40 short questions weigh as much as 400 paragraphs), then prints the
// weights and each tokenizer's error per dataset, for the weights' own and for the ones compiled
// in. Usage: fit_token_rule TOKENIZER_DIR... -- DATASET.jsonl...   (rows' "prompt" fields)
#include <fmt/format.h>
#include <rapidjson/document.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "tokenizer/model_tokenizer.h"
#include "tokenizer/script_rule.h"

using namespace evalrun;

int main(int argc, char** argv) {
  std::vector<std::string> dirs, files;
  bool after = false;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--")
      after = true;
    else
      (after ? files : dirs).push_back(argv[i]);
  }
  std::vector<std::shared_ptr<ModelTokenizer>> toks;
  for (const auto& d : dirs) {
    auto t = ModelTokenizer::Load(d);
    if (!t.ok()) {
      fmt::print(stderr, "{}\n", t.status().message());
      return 1;
    }
    toks.push_back(*t);
  }
  struct Text {
    size_t file;
    TextFeatures f;
    std::vector<double> counts;
    double mean = 0;
  };
  std::vector<Text> texts;
  for (size_t fi = 0; fi < files.size(); ++fi) {
    std::ifstream in(files[fi]);
    for (std::string line; std::getline(in, line);) {
      rapidjson::Document d;
      d.Parse(line.c_str());
      if (d.HasParseError() || !d.IsObject() || !d.HasMember("prompt")) continue;
      const std::string p = d["prompt"].GetString();
      Text t{fi, FeaturesOf(p), {}, 0};
      for (const auto& tok : toks) t.counts.push_back(static_cast<double>(tok->CountText(p)));
      for (double c : t.counts) t.mean += c / static_cast<double>(toks.size());
      texts.push_back(std::move(t));
    }
  }
  constexpr size_t K = kFeatureCount;
  // Normal equations A'WA w = A'Wy with a small ridge, so an absent feature keeps weight ~0.
  double ata[K][K] = {}, aty[K] = {};
  std::vector<double> per_file(files.size());
  for (const Text& t : texts) per_file[t.file] += 1;
  for (const Text& t : texts) {
    // Each dataset weighs the same, and within one each text by its relative error.
    const double w = 1.0 / std::max(1.0, t.mean) / per_file[t.file];
    for (size_t i = 0; i < K; ++i) {
      aty[i] += w * t.f[i] * t.mean;
      for (size_t j = 0; j < K; ++j) ata[i][j] += w * t.f[i] * t.f[j];
    }
  }
  for (size_t i = 0; i < K; ++i) ata[i][i] += 1e-3;
  double x[K];
  for (size_t c = 0; c < K; ++c) {  // Gauss-Jordan with partial pivoting
    size_t p = c;
    for (size_t r = c + 1; r < K; ++r)
      if (std::fabs(ata[r][c]) > std::fabs(ata[p][c])) p = r;
    std::swap(ata[c], ata[p]);
    std::swap(aty[c], aty[p]);
    for (size_t r = 0; r < K; ++r) {
      if (r == c || ata[c][c] == 0) continue;
      const double m = ata[r][c] / ata[c][c];
      for (size_t k = 0; k < K; ++k) ata[r][k] -= m * ata[c][k];
      aty[r] -= m * aty[c];
    }
  }
  for (size_t i = 0; i < K; ++i) x[i] = ata[i][i] != 0 ? aty[i] / ata[i][i] : 0;
  static const char* names[] = {"ascii_words", "ascii_letters", "digits",         "ascii_symbols",
                                "newlines",    "space_runs",    "latin_accented", "other_letters",
                                "kana",        "han",           "hangul",         "emoji",
                                "other_chars"};
  fmt::print("fitted weights over {} texts:\n", texts.size());
  for (size_t i = 0; i < K; ++i) fmt::print("  {:<15} {:.3f}\n", names[i], x[i]);
  auto report = [&](const char* title, const double* w) {
    fmt::print("{}: rule / real - 1, per dataset and tokenizer (sums over the rows)\n", title);
    for (size_t fi = 0; fi < files.size(); ++fi) {
      fmt::print("  {}:", files[fi]);
      for (size_t k = 0; k < toks.size(); ++k) {
        double rule = 0, real = 0;
        for (const Text& t : texts) {
          if (t.file != fi) continue;
          double n = 0;
          for (size_t i = 0; i < K; ++i) n += w[i] * t.f[i];
          rule += std::max(1.0, std::round(n));
          real += t.counts[k];
        }
        fmt::print(" {:+.1f}%", 100 * (rule / real - 1));
      }
      fmt::print("\n");
    }
  };
  report("fitted", x);
  report("compiled in", RuleWeights().data());
}
