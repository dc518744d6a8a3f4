// Shim for cfitsio: the few macros Swift cannot see, wrapped as inline functions.
// Everything else is called by cfitsio's short names from SkyCore/IO/FITSLibrary.swift only.
#ifndef CSKYFITSIO_SHIM_H
#define CSKYFITSIO_SHIM_H
#include <fitsio.h>

/// fits_open_file is a macro over ffopentest(CFITSIO_SONAME, ...).
static inline int skyfits_open(fitsfile **fptr, const char *name, int mode, int *status) {
    return ffopentest(CFITSIO_SONAME, fptr, name, mode, status);
}
static inline int skyfits_is_reentrant(void) { return fits_is_reentrant(); }
#endif
