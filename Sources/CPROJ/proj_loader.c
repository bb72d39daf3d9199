// PROJ loaded on first use: each function the project calls is defined here with PROJ's own
// prototype and forwards to the library's, found with dlsym once libproj is opened (dlopen, on
// the first call of any of them, once for the process, pthread_once). A library that cannot be
// opened or lacks a function ends the process with a message naming it: that is a broken
// installation, not bad input.
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
// Our forwarders stay inside the binary (not exported), so that libproj's own calls to these
// functions go to its own definitions, never through ours.
#define PROJ_DLL __attribute__((visibility("hidden")))
#define GEOD_DLL __attribute__((visibility("hidden")))
#include "shim.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;

#define PROJ_FUNCTIONS(X, V) \
    X(PJ_CONTEXT *, proj_context_create, (void), ()) \
    X(PJ_CONTEXT *, proj_context_destroy, (PJ_CONTEXT *ctx), (ctx)) \
    X(PJ_LOG_LEVEL, proj_log_level, (PJ_CONTEXT *ctx, PJ_LOG_LEVEL level), (ctx, level)) \
    X(PJ *, proj_create, (PJ_CONTEXT *ctx, const char *definition), (ctx, definition)) \
    X(PJ *, proj_destroy, (PJ *P), (P)) \
    X(int, proj_errno, (const PJ *P), (P)) \
    X(int, proj_errno_reset, (const PJ *P), (P)) \
    X(int, proj_context_errno, (PJ_CONTEXT *ctx), (ctx)) \
    X(const char *, proj_context_errno_string, (PJ_CONTEXT *ctx, int err), (ctx, err)) \
    X(size_t, proj_trans_generic, (PJ *P, PJ_DIRECTION direction, double *x, size_t sx, size_t nx, double *y, size_t sy, size_t ny, \
                                   double *z, size_t sz, size_t nz, double *t, size_t st, size_t nt), \
                                  (P, direction, x, sx, nx, y, sy, ny, z, sz, nz, t, st, nt)) \
    V(void, geod_init, (struct geod_geodesic *g, double a, double f), (g, a, f)) \
    V(void, geod_inverse, (const struct geod_geodesic *g, double lat1, double lon1, double lat2, double lon2, double *ps12, double *pazi1, double *pazi2), \
                          (g, lat1, lon1, lat2, lon2, ps12, pazi1, pazi2)) \
    V(void, geod_direct, (const struct geod_geodesic *g, double lat1, double lon1, double azi1, double s12, double *plat2, double *plon2, double *pazi2), \
                         (g, lat1, lon1, azi1, s12, plat2, plon2, pazi2)) \
    V(void, geod_polygonarea, (const struct geod_geodesic *g, double lats[], double lons[], int n, double *pA, double *pP), \
                              (g, lats, lons, n, pA, pP))

#define POINTER(ret, name, params, args) static ret (*p_##name) params;
PROJ_FUNCTIONS(POINTER, POINTER)

static void load(void) {
    // The sonames of the PROJ releases this code is known to work with, then the development
    // link (present where the tool was built).
    static const char *names[] = {"libproj.so.25", "libproj.so.26", "libproj.so.22", "libproj.so.19", "libproj.so"};
    void *library = NULL;
    char reason[512] = "";
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !library; i++) {
        library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        // Keep the first reason that is not a plain absence (a library PROJ needs, missing).
        const char *why = library ? NULL : dlerror();
        if (why && (reason[0] == 0 || strstr(reason, "No such file"))) snprintf(reason, sizeof reason, "%s", why);
    }
    if (!library) {
        fprintf(stderr, "territory: PROJ could not be loaded (%s): install PROJ (Debian: libproj25, or libproj-dev)\n", reason);
        fflush(stderr);
        _exit(70);
    }
#define RESOLVE(ret, name, params, args) \
    *(void **)(&p_##name) = dlsym(library, #name); \
    if (!p_##name) { fprintf(stderr, "territory: the PROJ library lacks %s: install PROJ 9\n", #name); fflush(stderr); _exit(70); }
    PROJ_FUNCTIONS(RESOLVE, RESOLVE)
}

#define FORWARD(ret, name, params, args) \
    ret name params { pthread_once(&once, load); return p_##name args; }
#define FORWARD_VOID(ret, name, params, args) \
    void name params { pthread_once(&once, load); p_##name args; }
PROJ_FUNCTIONS(FORWARD, FORWARD_VOID)
