// PROJ's coordinate operations and its geodesic (Karney) API, as proj.h and geodesic.h declare
// them. The functions the project calls are defined in proj_loader.c, which loads libproj on
// first use (dlopen) rather than at start-up: PROJ brings some 35 libraries with it (curl,
// GnuTLS, Kerberos, LDAP, libtiff...), about 7 ms of dynamic linking that most commands, and
// every single status answer, do not need.
#include <proj.h>
#include <geodesic.h>
