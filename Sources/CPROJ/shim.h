// PROJ's coordinate operations and its geodesic (Karney) API.
#include <proj.h>
#include <geodesic.h>
