/*
 * curve_accessors.c — scalar questions asked of a fitted noa.curve: response,
 * marginal ROAS, break-even and saturation spend, each with delta-method
 * interval bounds at a stated level.
 *
 * A curve without usable parameters (status insufficient_data or
 * not_identifiable) answers NULL; noa.curve_status() tells why.  Nothing here
 * returns NaN or Infinity: such results become NULL.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/builtins.h"

#include "curve_accessors.h"

/* Whether the fit produced parameters that later questions may use. */
bool
curve_usable(const noa_curve *fit)
{
	return (fit->status == NOA_FIT_CONVERGED || fit->status == NOA_FIT_MAX_ITERATIONS) &&
		noa_curve_params_valid(fit->model, fit->param);
}

/* Validate a spend argument: finite and non-negative. */
void
check_spend_arg(double spend, const char *argname)
{
	if (isnan(spend) || isinf(spend) || spend < 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite, non-negative amount, not %g", argname, spend),
				 errhint("Pass the spend per period in the currency the curve was fitted on.")));
}

/* Validate a positive finite scalar argument such as value_per_unit. */
void
check_positive_arg(double value, const char *argname)
{
	if (isnan(value) || isinf(value) || !(value > 0.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite positive number, not %g", argname, value)));
}

/* Validate an interval level strictly between 0 and 1. */
void
check_level_arg(double level)
{
	if (isnan(level) || !(level > 0.0 && level < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("interval level must be between 0 and 1 (exclusive), not %g", level),
				 errhint("Use e.g. 0.9 for a 90%% interval.")));
}

/* Validate a saturation share strictly between 0 and 1. */
void
check_share_arg(double share)
{
	if (isnan(share) || !(share > 0.0 && share < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("share of the asymptote must be between 0 and 1 (exclusive), not %g", share),
				 errhint("Use e.g. 0.9 for the spend that reaches 90%% of the attainable response.")));
}

/* gᵀ Σ g for a parameter gradient g. */
static double
quadratic_form(const noa_curve *fit, const double *g)
{
	int			np = noa_model_nparams(fit->model);
	double		var = 0.0;
	int			i,
				j;

	for (i = 0; i < np; i++)
		for (j = 0; j < np; j++)
			var += g[i] * fit->cov[i * NOA_MAX_PARAMS + j] * g[j];
	return var;
}

/*
 * Delta-method half-width t·sqrt(gᵀΣg); NaN when the interval is not
 * estimable (no residual degrees of freedom, singular covariance).
 */
static double
half_width(const noa_curve *fit, const double *g, double level)
{
	double		t = noa_curve_t_quantile(fit, level);
	double		var = quadratic_form(fit, g);

	if (!isfinite(t) || !isfinite(var) || var < 0.0)
		return NAN;
	return t * sqrt(var);
}

/* Numerical gradient of a derived quantity q(params) by central differences. */
static void
derived_grad(const noa_curve *fit, derived_quantity q, const void *arg, double *g)
{
	int			np = noa_model_nparams(fit->model);
	double		p[NOA_MAX_PARAMS];
	int			i;

	memset(g, 0, sizeof(double) * NOA_MAX_PARAMS);
	for (i = 0; i < np; i++)
	{
		double		h = 1e-6 * fabs(fit->param[i]);
		double		up,
					down;

		memcpy(p, fit->param, sizeof(p));
		p[i] = fit->param[i] + h;
		up = q(fit->model, p, arg);
		p[i] = fit->param[i] - h;
		down = q(fit->model, p, arg);
		g[i] = (up - down) / (2.0 * h);
	}
}

/* Estimate and bounds of the response f(spend). */
interval_estimate
curve_response_interval(const noa_curve *fit, double spend, double level)
{
	interval_estimate est;
	double		g[NOA_MAX_PARAMS];
	double		hw;

	est.value = noa_curve_value(fit->model, fit->param, spend);
	noa_curve_value_grad(fit->model, fit->param, spend, g);
	hw = half_width(fit, g, level);
	est.lo = fmax(0.0, est.value - hw);
	est.hi = est.value + hw;
	return est;
}

/* Estimate and bounds of the marginal return f'(spend)·value_per_unit. */
interval_estimate
curve_marginal_interval(const noa_curve *fit, double spend, double value_per_unit, double level)
{
	interval_estimate est;
	double		g[NOA_MAX_PARAMS];
	double		hw;

	est.value = noa_curve_slope(fit->model, fit->param, spend) * value_per_unit;
	noa_curve_slope_grad(fit->model, fit->param, spend, g);
	hw = half_width(fit, g, level) * value_per_unit;
	est.lo = fmax(0.0, est.value - hw);
	est.hi = est.value + hw;
	return est;
}

/* Break-even spend as a derived quantity: arg points at the slope target. */
static double
breakeven_of(noa_model model, const double *p, const void *arg)
{
	return noa_curve_slope_inverse(model, p, *(const double *) arg);
}

/* Saturation spend as a derived quantity: arg points at the share. */
static double
saturation_of(noa_model model, const double *p, const void *arg)
{
	return noa_curve_saturation(model, p, *(const double *) arg);
}

/* Estimate and bounds of a derived spend level q(params). */
static interval_estimate
derived_interval(const noa_curve *fit, derived_quantity q, const void *arg, double level)
{
	interval_estimate est;
	double		g[NOA_MAX_PARAMS];
	double		hw;

	est.value = q(fit->model, fit->param, arg);
	if (!isfinite(est.value) || est.value <= 0.0)
	{
		est.lo = est.hi = NAN;
		return est;
	}
	derived_grad(fit, q, arg, g);
	hw = half_width(fit, g, level);
	est.lo = fmax(0.0, est.value - hw);
	est.hi = est.value + hw;
	return est;
}

/* Break-even spend: where marginal ROAS falls to target_mroas. */
interval_estimate
curve_breakeven_interval(const noa_curve *fit, double target_mroas, double value_per_unit, double level)
{
	double		slope_target = target_mroas / value_per_unit;

	return derived_interval(fit, breakeven_of, &slope_target, level);
}

/* Spend reaching `share` of the asymptote. */
interval_estimate
curve_saturation_interval(const noa_curve *fit, double share, double level)
{
	return derived_interval(fit, saturation_of, &share, level);
}

/* Plain-words reason a break-even spend is missing or zero, or NULL when it exists. */
const char *
curve_breakeven_note(const noa_curve *fit, double target_mroas, double value_per_unit)
{
	double		x;

	if (!curve_usable(fit))
		return psprintf("no usable fit (status %s)", noa_fit_status_name(fit->status));
	x = noa_curve_slope_inverse(fit->model, fit->param, target_mroas / value_per_unit);
	if (isinf(x))
		return psprintf("marginal ROAS stays above %g at any spend: the %s curve never falls to the target",
						target_mroas, noa_model_name(fit->model));
	if (x <= 0.0)
		return psprintf("marginal ROAS never reaches %g: even the first unit of spend returns less",
						target_mroas);
	return NULL;
}

/* The question a scalar accessor answers. */
typedef enum
{
	ASK_RESPONSE,				/* (curve, spend [, level]) */
	ASK_MARGINAL,				/* (curve, spend, value_per_unit [, level]) */
	ASK_BREAKEVEN,				/* (curve, target_mroas, value_per_unit [, level]) */
	ASK_SATURATION				/* (curve, share [, level]) */
} question;

/* Which part of the interval estimate an accessor returns. */
typedef enum
{
	PART_VALUE,
	PART_LO,
	PART_HI
} estimate_part;

/*
 * Shared body of the scalar accessors: read and check the arguments of
 * `q`, answer NULL for an unusable curve, and return the requested part of
 * the estimate (NULL when it is not finite).  The _lo/_hi variants take the
 * interval level as their last argument.
 */
static Datum
answer(FunctionCallInfo fcinfo, question q, estimate_part part)
{
	NoaCurve   *curve = PG_GETARG_NOACURVE_P(0);
	double		x = PG_GETARG_FLOAT8(1);
	int			nfixed = (q == ASK_MARGINAL || q == ASK_BREAKEVEN) ? 3 : 2;
	double		value_per_unit = nfixed == 3 ? PG_GETARG_FLOAT8(2) : 1.0;
	double		level = part == PART_VALUE ? 0.9 : PG_GETARG_FLOAT8(nfixed);
	interval_estimate est;
	double		result;

	switch (q)
	{
		case ASK_RESPONSE:
		case ASK_MARGINAL:
			check_spend_arg(x, "spend");
			break;
		case ASK_BREAKEVEN:
			check_positive_arg(x, "target_mroas");
			break;
		case ASK_SATURATION:
			check_share_arg(x);
			break;
	}
	if (nfixed == 3)
		check_positive_arg(value_per_unit, "value_per_unit");
	check_level_arg(level);
	if (!curve_usable(&curve->fit))
		PG_RETURN_NULL();

	switch (q)
	{
		case ASK_RESPONSE:
			est = curve_response_interval(&curve->fit, x, level);
			break;
		case ASK_MARGINAL:
			est = curve_marginal_interval(&curve->fit, x, value_per_unit, level);
			break;
		case ASK_BREAKEVEN:
			est = curve_breakeven_interval(&curve->fit, x, value_per_unit, level);
			break;
		default:
			est = curve_saturation_interval(&curve->fit, x, level);
			break;
	}
	result = part == PART_VALUE ? est.value : (part == PART_LO ? est.lo : est.hi);
	if (!isfinite(result))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(result);
}

/* Define the SQL-callable accessor `fname` answering question `q`, part `part`. */
#define CURVE_ACCESSOR(fname, q, part) \
	PG_FUNCTION_INFO_V1(fname); \
	Datum fname(PG_FUNCTION_ARGS) { return answer(fcinfo, q, part); }

CURVE_ACCESSOR(noa_response, ASK_RESPONSE, PART_VALUE)
CURVE_ACCESSOR(noa_response_lo, ASK_RESPONSE, PART_LO)
CURVE_ACCESSOR(noa_response_hi, ASK_RESPONSE, PART_HI)
CURVE_ACCESSOR(noa_marginal_roas, ASK_MARGINAL, PART_VALUE)
CURVE_ACCESSOR(noa_marginal_roas_lo, ASK_MARGINAL, PART_LO)
CURVE_ACCESSOR(noa_marginal_roas_hi, ASK_MARGINAL, PART_HI)
CURVE_ACCESSOR(noa_breakeven_spend, ASK_BREAKEVEN, PART_VALUE)
CURVE_ACCESSOR(noa_breakeven_spend_lo, ASK_BREAKEVEN, PART_LO)
CURVE_ACCESSOR(noa_breakeven_spend_hi, ASK_BREAKEVEN, PART_HI)
CURVE_ACCESSOR(noa_saturation_spend, ASK_SATURATION, PART_VALUE)
CURVE_ACCESSOR(noa_saturation_spend_lo, ASK_SATURATION, PART_LO)
CURVE_ACCESSOR(noa_saturation_spend_hi, ASK_SATURATION, PART_HI)

PG_FUNCTION_INFO_V1(noa_breakeven_note);

/* SQL: breakeven_note(curve, target_mroas, value_per_unit): why break-even is NULL or 0. */
Datum
noa_breakeven_note(PG_FUNCTION_ARGS)
{
	NoaCurve   *curve = PG_GETARG_NOACURVE_P(0);
	double		target = PG_GETARG_FLOAT8(1);
	double		value_per_unit = PG_GETARG_FLOAT8(2);
	const char *note;

	check_positive_arg(target, "target_mroas");
	check_positive_arg(value_per_unit, "value_per_unit");
	note = curve_breakeven_note(&curve->fit, target, value_per_unit);
	if (note == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(note));
}

PG_FUNCTION_INFO_V1(noa_curve_status);

/* SQL: curve_status(curve): converged, max_iterations, not_identifiable, insufficient_data. */
Datum
noa_curve_status(PG_FUNCTION_ARGS)
{
	NoaCurve   *curve = PG_GETARG_NOACURVE_P(0);

	PG_RETURN_TEXT_P(cstring_to_text(noa_fit_status_name(curve->fit.status)));
}

PG_FUNCTION_INFO_V1(noa_curve_model);

/* SQL: curve_model(curve): the fitted family's name. */
Datum
noa_curve_model(PG_FUNCTION_ARGS)
{
	NoaCurve   *curve = PG_GETARG_NOACURVE_P(0);

	PG_RETURN_TEXT_P(cstring_to_text(noa_model_name(curve->fit.model)));
}

PG_FUNCTION_INFO_V1(noa_curve_param);

/* SQL: curve_param(curve, name): one named parameter, NULL when the family has none by that name. */
Datum
noa_curve_param(PG_FUNCTION_ARGS)
{
	NoaCurve   *curve = PG_GETARG_NOACURVE_P(0);
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	int			np = noa_model_nparams(curve->fit.model);
	int			i;

	if (!curve_usable(&curve->fit))
		PG_RETURN_NULL();
	for (i = 0; i < np; i++)
		if (strcmp(name, noa_model_param_name(curve->fit.model, i)) == 0)
			PG_RETURN_FLOAT8(curve->fit.param[i]);
	PG_RETURN_NULL();
}
