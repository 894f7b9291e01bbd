// A minimal PNG reader for tests: 8-bit RGB or RGBA, not interlaced (what Chromium's screenshots
// are), so a test can check which colours a browser actually painted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace evalrun::testing {

struct Image {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;  // 3 bytes a pixel, rows top to bottom

  /// Pixels within `tolerance` of (r, g, b) on every channel.
  long long CountColour(int r, int g, int b, int tolerance = 6) const {
    return CountColourIn(0, height, r, g, b, tolerance);
  }
  /// The same, over rows [first_row, end_row) only.
  long long CountColourIn(int first_row, int end_row, int r, int g, int b, int tolerance = 6) const;
  /// One past the last row holding a pixel other than (r, g, b): where a page's content ends.
  int ContentEnd(int r, int g, int b) const;
};

/// Decodes `png` (the file's bytes); false for anything but the formats above.
bool DecodePng(const std::string& png, Image* out);

}  // namespace evalrun::testing
