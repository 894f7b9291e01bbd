#include "support/png.h"

#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace evalrun::testing {
namespace {

uint32_t BigEndian32(const std::string& s, size_t at) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(s[at])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(s[at + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(s[at + 2])) << 8) |
         static_cast<uint32_t>(static_cast<uint8_t>(s[at + 3]));
}

int Paeth(int a, int b, int c) {
  const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

/// Undoes the per-row filters of PNG (spec section 9) in place.
bool Unfilter(std::vector<uint8_t>& raw, int width, int height, int bpp) {
  const size_t stride = static_cast<size_t>(width) * bpp;
  std::vector<uint8_t> prev(stride, 0);
  for (int y = 0; y < height; ++y) {
    uint8_t* row = raw.data() + static_cast<size_t>(y) * (stride + 1);
    const int filter = row[0];
    uint8_t* px = row + 1;
    for (size_t i = 0; i < stride; ++i) {
      const int a = i >= static_cast<size_t>(bpp) ? px[i - bpp] : 0;
      const int b = prev[i];
      const int c = i >= static_cast<size_t>(bpp) ? prev[i - bpp] : 0;
      int add = 0;
      switch (filter) {
        case 0:
          break;
        case 1:
          add = a;
          break;
        case 2:
          add = b;
          break;
        case 3:
          add = (a + b) / 2;
          break;
        case 4:
          add = Paeth(a, b, c);
          break;
        default:
          return false;
      }
      px[i] = static_cast<uint8_t>(px[i] + add);
    }
    std::memcpy(prev.data(), px, stride);
  }
  return true;
}

}  // namespace

int Image::ContentEnd(int r, int g, int b) const {
  for (int y = height; y > 0; --y) {
    for (int x = 0; x < width; ++x) {
      const size_t i = (static_cast<size_t>(y - 1) * width + x) * 3;
      if (rgb[i] != r || rgb[i + 1] != g || rgb[i + 2] != b) return y;
    }
  }
  return 0;
}

long long Image::CountColourIn(int first_row, int end_row, int r, int g, int b,
                               int tolerance) const {
  long long n = 0;
  const size_t begin = static_cast<size_t>(std::max(0, first_row)) * width * 3;
  const size_t end = std::min(rgb.size(), static_cast<size_t>(std::max(0, end_row)) * width * 3);
  for (size_t i = begin; i + 2 < end; i += 3) {
    if (std::abs(rgb[i] - r) <= tolerance && std::abs(rgb[i + 1] - g) <= tolerance &&
        std::abs(rgb[i + 2] - b) <= tolerance)
      ++n;
  }
  return n;
}

bool DecodePng(const std::string& png, Image* out) {
  if (png.size() < 33 || png.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) return false;
  std::string idat;
  int bpp = 0;
  for (size_t at = 8; at + 12 <= png.size();) {
    const uint32_t len = BigEndian32(png, at);
    const std::string type = png.substr(at + 4, 4);
    if (at + 12 + len > png.size()) return false;
    if (type == "IHDR") {
      out->width = static_cast<int>(BigEndian32(png, at + 8));
      out->height = static_cast<int>(BigEndian32(png, at + 12));
      const int depth = static_cast<uint8_t>(png[at + 16]);
      const int colour = static_cast<uint8_t>(png[at + 17]);
      const int interlace = static_cast<uint8_t>(png[at + 20]);
      if (depth != 8 || interlace != 0 || (colour != 2 && colour != 6)) return false;
      bpp = colour == 2 ? 3 : 4;
    } else if (type == "IDAT") {
      idat.append(png, at + 8, len);
    }
    at += 12 + len;
  }
  if (bpp == 0 || out->width <= 0 || out->height <= 0) return false;
  std::vector<uint8_t> raw(static_cast<size_t>(out->height) *
                           (static_cast<size_t>(out->width) * bpp + 1));
  uLongf size = raw.size();
  if (uncompress(raw.data(), &size, reinterpret_cast<const Bytef*>(idat.data()), idat.size()) !=
          Z_OK ||
      size != raw.size() || !Unfilter(raw, out->width, out->height, bpp))
    return false;
  out->rgb.clear();
  out->rgb.reserve(static_cast<size_t>(out->width) * out->height * 3);
  for (int y = 0; y < out->height; ++y) {
    const uint8_t* px = raw.data() + static_cast<size_t>(y) * (out->width * bpp + 1) + 1;
    for (int x = 0; x < out->width; ++x)
      out->rgb.insert(out->rgb.end(), px + x * bpp, px + x * bpp + 3);
  }
  return true;
}

}  // namespace evalrun::testing
