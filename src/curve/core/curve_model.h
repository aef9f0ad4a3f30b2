/*
 * curve_model.h — response-curve families: evaluation, derivatives and inverses.
 *
 * Plain C (never includes postgres.h).  Every family passes through the origin
 * (no spend, no paid response).  Parameters are in natural units of the data:
 *
 *   linear            f = b*x                                   {b}
 *   power             f = b*x^a                                 {b, a}
 *   exponential       f = b*(1 - exp(-x/k))                     {b, k}
 *   michaelis_menten  f = b*x/(k + x)                           {b, k}
 *   tanh              f = b*tanh(x/k)                           {b, k}
 *   hill              f = b*x^s/(x^s + k^s)                     {b, k, s}
 *   logistic          f = b*(σ(r(x-m)) - σ(-rm)) / σ(rm)        {b, m, r}
 *
 * b is the asymptote (scale for power/linear); k the half-saturation or scale
 * spend; s the Hill shape (≤ 1 concave, > 1 S-shaped); m, r the logistic
 * midpoint and steepness.  All parameters are positive in a valid curve.
 */
#ifndef NOA_CURVE_MODEL_H
#define NOA_CURVE_MODEL_H

#include <stdbool.h>

#define NOA_MAX_PARAMS 3

typedef enum noa_model
{
	NOA_MODEL_AUTO = 0,			/* only as a fit request: choose by AICc */
	NOA_MODEL_HILL = 1,
	NOA_MODEL_EXPONENTIAL = 2,
	NOA_MODEL_MICHAELIS_MENTEN = 3,
	NOA_MODEL_LOGISTIC = 4,
	NOA_MODEL_TANH = 5,
	NOA_MODEL_POWER = 6,
	NOA_MODEL_LINEAR = 7
} noa_model;

#define NOA_MODEL_FIRST NOA_MODEL_HILL
#define NOA_MODEL_LAST  NOA_MODEL_LINEAR

/* Name <-> id.  noa_model_from_name returns -1 for an unknown name. */
const char *noa_model_name(noa_model model);
int			noa_model_from_name(const char *name);

/* Number of parameters of a family, and the name of parameter i. */
int			noa_model_nparams(noa_model model);
const char *noa_model_param_name(noa_model model, int i);

/* True when the family has a finite asymptote (saturation is defined). */
bool		noa_model_saturates(noa_model model);

/* f(x) and f'(x).  x ≥ 0.  f'(0) may be +Inf (power a<1, hill s<1). */
double		noa_curve_value(noa_model model, const double *param, double x);
double		noa_curve_slope(noa_model model, const double *param, double x);

/* ∂f(x)/∂param[i] for i < nparams, written to grad. */
void		noa_curve_value_grad(noa_model model, const double *param, double x, double *grad);

/* ∂f'(x)/∂param[i] (central differences in log-parameter space). */
void		noa_curve_slope_grad(noa_model model, const double *param, double x, double *grad);

/* Spend where f' peaks (0 for families whose slope only falls). */
double		noa_curve_slope_peak(noa_model model, const double *param);

/*
 * Spend beyond which the slope stays below `slope` (the falling branch).
 * Returns 0 when the slope never reaches `slope` (even the best euro earns
 * less), +Inf when it never falls to it (linear above target).
 */
double		noa_curve_slope_inverse(noa_model model, const double *param, double slope);

/* Spend reaching `share` (0 < share < 1) of the asymptote; NaN when none. */
double		noa_curve_saturation(noa_model model, const double *param, double share);

/* True when every parameter is finite and positive. */
bool		noa_curve_params_valid(noa_model model, const double *param);

#endif
