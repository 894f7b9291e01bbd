// Normalizers of tokenizer.json, applied to text before it is cut: NFC (Qwen; with utf8proc),
// Replace of a string (Gemma's " " -> "▁"), Prepend (Llama 2's leading "▁"), and Sequence.
#pragma once

#include <rapidjson/document.h>

#include <functional>
#include <string>

#include "common/status.h"

namespace evalrun {

using Normalizer = std::function<std::string(std::string)>;

/// Reads a tokenizer.json "normalizer" (null gives the identity).
Result<Normalizer> NormalizerFromJson(const rapidjson::Value& spec);

}  // namespace evalrun
