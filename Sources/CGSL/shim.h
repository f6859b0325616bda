#ifndef WALRUS_SIM_CGSL_SHIM_H
#define WALRUS_SIM_CGSL_SHIM_H
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_multimin.h>

/// GSL exposes its generator types as mutable globals, which Swift 6 refuses to touch
/// ("not concurrency-safe"); these accessors hand them over as plain values.
static inline const gsl_rng_type *cgsl_rng_mt19937(void) { return gsl_rng_mt19937; }
/// The Nelder-Mead simplex minimizer type (`nmsimplex2`), for the same reason.
static inline const gsl_multimin_fminimizer_type *cgsl_nmsimplex2(void) { return gsl_multimin_fminimizer_nmsimplex2; }
#endif
