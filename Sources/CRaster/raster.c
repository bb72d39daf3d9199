// librsvg and cairo loaded on first use: see raster.h. The prototypes below are theirs
// (librsvg >= 2.46 for rsvg_handle_render_document; cairo 1.x), written out so that only the
// run-time libraries are needed, not their development headers.
#include "raster.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { uint32_t domain; int code; char *message; } GErrorLike;
typedef struct { double x, y, width, height; } RsvgRectangleLike;
typedef struct { const unsigned char *data; size_t length, offset; } ReadState;
typedef struct { unsigned char *data; size_t length, capacity; int failed; } WriteState;

enum { CAIRO_STATUS_SUCCESS = 0, CAIRO_STATUS_WRITE_ERROR = 11, CAIRO_STATUS_READ_ERROR = 10, CAIRO_FORMAT_ARGB32 = 0 };
typedef int (*cairo_write_func)(void *closure, const unsigned char *data, unsigned int length);
typedef int (*cairo_read_func)(void *closure, unsigned char *data, unsigned int length);

static void *(*p_rsvg_handle_new_from_data)(const uint8_t *data, size_t length, GErrorLike **error);
static int (*p_rsvg_handle_render_document)(void *handle, void *cr, const RsvgRectangleLike *viewport, GErrorLike **error);
static void (*p_g_object_unref)(void *object);
static void (*p_g_error_free)(GErrorLike *error);
static void *(*p_cairo_image_surface_create)(int format, int width, int height);
static void *(*p_cairo_create)(void *surface);
static void (*p_cairo_set_source_rgb)(void *cr, double r, double g, double b);
static void (*p_cairo_paint)(void *cr);
static void (*p_cairo_destroy)(void *cr);
static void (*p_cairo_surface_destroy)(void *surface);
static void (*p_cairo_surface_flush)(void *surface);
static int (*p_cairo_surface_status)(void *surface);
static int (*p_cairo_status)(void *cr);
static const char *(*p_cairo_status_to_string)(int status);
static int (*p_cairo_surface_write_to_png_stream)(void *surface, cairo_write_func write, void *closure);
static void *(*p_cairo_image_surface_create_from_png_stream)(cairo_read_func read, void *closure);
static unsigned char *(*p_cairo_image_surface_get_data)(void *surface);
static int (*p_cairo_image_surface_get_width)(void *surface);
static int (*p_cairo_image_surface_get_height)(void *surface);
static int (*p_cairo_image_surface_get_stride)(void *surface);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[512];

static void *open_first(const char *const *names, size_t count) {
    for (size_t i = 0; i < count; i++) {
        void *library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (library) return library;
        if (!failure[0] || strstr(failure, "No such file")) snprintf(failure, sizeof failure, "%s", dlerror());
    }
    return NULL;
}

#define FIND(library, name) do { \
        *(void **)(&p_##name) = dlsym(library, #name); \
        if (!p_##name) { snprintf(failure, sizeof failure, "%s lacks %s", #library, #name); return; } \
    } while (0)

static void load(void) {
    static const char *const rsvg_names[] = {"librsvg-2.so.2", "librsvg-2.so"};
    static const char *const cairo_names[] = {"libcairo.so.2", "libcairo.so"};
    static const char *const gobject_names[] = {"libgobject-2.0.so.0", "libgobject-2.0.so"};
    static const char *const glib_names[] = {"libglib-2.0.so.0", "libglib-2.0.so"};
    void *cairo = open_first(cairo_names, 2);
    if (!cairo) { snprintf(failure + strlen(failure), sizeof failure - strlen(failure), " (install cairo: Debian libcairo2)"); return; }
    failure[0] = 0;
    void *rsvg = open_first(rsvg_names, 2);
    if (!rsvg) { snprintf(failure + strlen(failure), sizeof failure - strlen(failure), " (install librsvg: Debian librsvg2-2)"); return; }
    failure[0] = 0;
    void *gobject = open_first(gobject_names, 2);
    void *glib = open_first(glib_names, 2);
    if (!gobject || !glib) return;
    failure[0] = 0;
    FIND(rsvg, rsvg_handle_new_from_data);
    FIND(rsvg, rsvg_handle_render_document);
    FIND(gobject, g_object_unref);
    FIND(glib, g_error_free);
    FIND(cairo, cairo_image_surface_create);
    FIND(cairo, cairo_create);
    FIND(cairo, cairo_set_source_rgb);
    FIND(cairo, cairo_paint);
    FIND(cairo, cairo_destroy);
    FIND(cairo, cairo_surface_destroy);
    FIND(cairo, cairo_surface_flush);
    FIND(cairo, cairo_surface_status);
    FIND(cairo, cairo_status);
    FIND(cairo, cairo_status_to_string);
    FIND(cairo, cairo_surface_write_to_png_stream);
    FIND(cairo, cairo_image_surface_create_from_png_stream);
    FIND(cairo, cairo_image_surface_get_data);
    FIND(cairo, cairo_image_surface_get_width);
    FIND(cairo, cairo_image_surface_get_height);
    FIND(cairo, cairo_image_surface_get_stride);
}

static int ready(char *error, size_t error_size) {
    pthread_once(&once, load);
    if (failure[0]) {
        snprintf(error, error_size, "librsvg and cairo could not be loaded: %s", failure);
        return 0;
    }
    return 1;
}

static int write_chunk(void *closure, const unsigned char *data, unsigned int length) {
    WriteState *state = closure;
    if (state->length + length > state->capacity) {
        size_t capacity = state->capacity ? state->capacity : 1 << 16;
        while (capacity < state->length + length) capacity *= 2;
        unsigned char *grown = realloc(state->data, capacity);
        if (!grown) { state->failed = 1; return CAIRO_STATUS_WRITE_ERROR; }
        state->data = grown;
        state->capacity = capacity;
    }
    memcpy(state->data + state->length, data, length);
    state->length += length;
    return CAIRO_STATUS_SUCCESS;
}

static int read_chunk(void *closure, unsigned char *data, unsigned int length) {
    ReadState *state = closure;
    if (state->length - state->offset < length) return CAIRO_STATUS_READ_ERROR;
    memcpy(data, state->data + state->offset, length);
    state->offset += length;
    return CAIRO_STATUS_SUCCESS;
}

int territory_svg_to_png(const char *svg, size_t length, int width, int height,
                         unsigned char **png, size_t *png_length, char *error, size_t error_size) {
    *png = NULL;
    *png_length = 0;
    if (!ready(error, error_size)) return 1;
    GErrorLike *gerror = NULL;
    void *handle = p_rsvg_handle_new_from_data((const uint8_t *)svg, length, &gerror);
    if (!handle) {
        snprintf(error, error_size, "librsvg cannot read the SVG: %s", gerror && gerror->message ? gerror->message : "unknown error");
        if (gerror) p_g_error_free(gerror);
        return 2;
    }
    void *surface = p_cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
    int status = p_cairo_surface_status(surface);
    if (status != CAIRO_STATUS_SUCCESS) {
        snprintf(error, error_size, "cairo cannot make a %dx%d image: %s", width, height, p_cairo_status_to_string(status));
        p_cairo_surface_destroy(surface);
        p_g_object_unref(handle);
        return 3;
    }
    void *cr = p_cairo_create(surface);
    p_cairo_set_source_rgb(cr, 1, 1, 1);
    p_cairo_paint(cr);
    RsvgRectangleLike viewport = {0, 0, width, height};
    int drawn = p_rsvg_handle_render_document(handle, cr, &viewport, &gerror);
    status = p_cairo_status(cr);
    p_cairo_destroy(cr);
    p_g_object_unref(handle);
    if (!drawn || status != CAIRO_STATUS_SUCCESS) {
        snprintf(error, error_size, "librsvg cannot draw the SVG: %s",
                 gerror && gerror->message ? gerror->message : p_cairo_status_to_string(status));
        if (gerror) p_g_error_free(gerror);
        p_cairo_surface_destroy(surface);
        return 4;
    }
    p_cairo_surface_flush(surface);
    WriteState state = {NULL, 0, 0, 0};
    status = p_cairo_surface_write_to_png_stream(surface, write_chunk, &state);
    p_cairo_surface_destroy(surface);
    if (status != CAIRO_STATUS_SUCCESS || state.failed) {
        snprintf(error, error_size, "cairo cannot encode the PNG: %s", state.failed ? "out of memory" : p_cairo_status_to_string(status));
        free(state.data);
        return 5;
    }
    *png = state.data;
    *png_length = state.length;
    return 0;
}

int territory_png_pixels(const unsigned char *png, size_t length, int *width, int *height,
                         uint32_t *rgb, size_t rgb_capacity, char *error, size_t error_size) {
    *width = 0;
    *height = 0;
    if (!ready(error, error_size)) return 1;
    ReadState state = {png, length, 0};
    void *surface = p_cairo_image_surface_create_from_png_stream(read_chunk, &state);
    int status = p_cairo_surface_status(surface);
    if (status != CAIRO_STATUS_SUCCESS) {
        snprintf(error, error_size, "cairo cannot read the PNG: %s", p_cairo_status_to_string(status));
        p_cairo_surface_destroy(surface);
        return 2;
    }
    p_cairo_surface_flush(surface);
    int w = p_cairo_image_surface_get_width(surface), h = p_cairo_image_surface_get_height(surface);
    int stride = p_cairo_image_surface_get_stride(surface);
    const unsigned char *data = p_cairo_image_surface_get_data(surface);
    *width = w;
    *height = h;
    if ((size_t)w * (size_t)h > rgb_capacity) {
        p_cairo_surface_destroy(surface);
        return 0;
    }
    // cairo's image formats hold each pixel as a native-endian 32-bit word, 0xAARRGGBB.
    for (int y = 0; y < h; y++) {
        const uint32_t *row = (const uint32_t *)(data + (size_t)y * (size_t)stride);
        for (int x = 0; x < w; x++) rgb[(size_t)y * (size_t)w + (size_t)x] = row[x] & 0xFFFFFF;
    }
    p_cairo_surface_destroy(surface);
    return 0;
}

void territory_raster_free(void *pointer) { free(pointer); }
