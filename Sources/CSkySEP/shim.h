// SEP, Source Extraction and Photometry (Debian libsep-dev; no pkg-config file). Only
// SkyPhot/Image/SEPLibrary.swift calls it.
#ifndef CSKYSEP_SHIM_H
#define CSKYSEP_SHIM_H
#include <stddef.h>
#include <sep.h>
#endif
