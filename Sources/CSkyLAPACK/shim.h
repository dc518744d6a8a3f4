// LAPACK through LAPACKE (Debian liblapacke-dev). Only SkyPhot/LeastSquares.swift calls it.
#ifndef CSKYLAPACK_SHIM_H
#define CSKYLAPACK_SHIM_H
#include <lapacke.h>
#endif
