// SVG to PNG through librsvg and cairo, loaded on first use (dlopen): they bring pango,
// fontconfig, freetype and glib with them, some 40 libraries that only `render --out FILE.png`
// needs. The functions are called through pointers found with dlsym; nothing here draws by hand.
#ifndef TERRITORY_RASTER_H
#define TERRITORY_RASTER_H
#include <stddef.h>
#include <stdint.h>

// Renders the SVG document `svg` (`length` bytes) with librsvg onto a white cairo image of
// `width` x `height` pixels and encodes it as PNG with cairo. On success returns 0 and sets
// `*png` (free it with `territory_raster_free`) and `*png_length`; on failure returns non-zero
// and writes a message into `error` (`error_size` bytes).
int territory_svg_to_png(const char *svg, size_t length, int width, int height,
                         unsigned char **png, size_t *png_length, char *error, size_t error_size);

// Reads a PNG with cairo and returns the colour at pixel (x, y) as 0xRRGGBB in `*rgb` (alpha
// ignored). Returns 0 on success, non-zero with a message in `error` otherwise. Sets the image's
// size in `*width` and `*height`.
int territory_png_pixels(const unsigned char *png, size_t length, int *width, int *height,
                         uint32_t *rgb, size_t rgb_capacity, char *error, size_t error_size);

void territory_raster_free(void *pointer);

#endif
