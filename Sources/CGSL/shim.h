#ifndef WALRUS_SIM_CGSL_SHIM_H
#define WALRUS_SIM_CGSL_SHIM_H
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

/// GSL exposes its generator types as mutable globals, which Swift 6 refuses to touch
/// ("not concurrency-safe"); these accessors hand them over as plain values.
static inline const gsl_rng_type *cgsl_rng_mt19937(void) { return gsl_rng_mt19937; }
#endif
