/*
 * curve_accessors.h — questions asked of a fitted curve, shared by the scalar
 * accessors, the summary and points functions, and the planners.
 */
#ifndef NOA_CURVE_ACCESSORS_H
#define NOA_CURVE_ACCESSORS_H

#include "noa_curve.h"

/* An estimate with delta-method bounds (NaN where not estimable). */
typedef struct interval_estimate
{
	double		value;
	double		lo;
	double		hi;
} interval_estimate;

/* A spend level derived from the parameters, e.g. break-even or saturation. */
typedef double (*derived_quantity) (noa_model model, const double *param, const void *arg);

extern bool curve_usable(const noa_curve *fit);

extern void check_spend_arg(double spend, const char *argname);
extern void check_positive_arg(double value, const char *argname);
extern void check_level_arg(double level);
extern void check_share_arg(double share);

extern interval_estimate curve_response_interval(const noa_curve *fit, double spend, double level);
extern interval_estimate curve_marginal_interval(const noa_curve *fit, double spend,
												 double value_per_unit, double level);
extern interval_estimate curve_breakeven_interval(const noa_curve *fit, double target_mroas,
												  double value_per_unit, double level);
extern interval_estimate curve_saturation_interval(const noa_curve *fit, double share, double level);
extern const char *curve_breakeven_note(const noa_curve *fit, double target_mroas,
										double value_per_unit);

#endif
