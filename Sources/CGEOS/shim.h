// Only GEOS's reentrant (_r) API compiles: every call names its context.
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
