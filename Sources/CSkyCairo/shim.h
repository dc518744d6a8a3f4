// cairo (Debian libcairo2-dev): image, SVG and PDF surfaces. Only SkyPlot/CairoLibrary.swift calls it.
#ifndef CSKYCAIRO_SHIM_H
#define CSKYCAIRO_SHIM_H
#include <cairo.h>
#include <cairo-svg.h>
#include <cairo-pdf.h>
#endif
