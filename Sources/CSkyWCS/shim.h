// Shim for wcslib: headers included as <wcslib/...> (never by generic names), plus accessors for what
// Swift cannot reach directly (the unbounded wcs_errmsg / wcshdr_errmsg arrays).
#ifndef CSKYWCS_SHIM_H
#define CSKYWCS_SHIM_H
#include <wcslib/wcs.h>
#include <wcslib/wcshdr.h>
#include <wcslib/wcsfix.h>
#include <wcslib/wcserr.h>
#include <wcslib/wcsprintf.h>
#include <stdlib.h>

static inline const char *skywcs_errmsg(int status) {
    if (status < 0 || status > 14) return "unknown wcslib error";
    return wcs_errmsg[status];
}
static inline const char *skywcs_hdr_errmsg(int status) {
    if (status < 0 || status > 6) return "unknown wcslib header error";
    return wcshdr_errmsg[status];
}
/// Pointer to the i-th wcsprm of an array returned by wcspih.
static inline struct wcsprm *skywcs_at(struct wcsprm *wcs, int i) { return wcs + i; }
/// Allocate a zeroed wcsprm with flag = -1, ready for wcssub/wcssub as destination.
static inline struct wcsprm *skywcs_alloc(void) {
    struct wcsprm *w = (struct wcsprm *)calloc(1, sizeof(struct wcsprm));
    if (w) w->flag = -1;
    return w;
}
static inline void skywcs_free(struct wcsprm *w) {
    if (w) { wcsfree(w); free(w); }
}
static inline char skywcs_alt(const struct wcsprm *w) { return w->alt[0]; }
static inline const char *skywcs_ctype(const struct wcsprm *w, int i) { return w->ctype[i]; }
static inline const char *skywcs_cunit(const struct wcsprm *w, int i) { return w->cunit[i]; }
static inline double skywcs_crval(const struct wcsprm *w, int i) { return w->crval[i]; }
static inline double skywcs_crpix(const struct wcsprm *w, int i) { return w->crpix[i]; }
static inline const char *skywcs_err_msg(const struct wcsprm *w) {
    return (w && w->err) ? w->err->msg : "";
}
#endif
