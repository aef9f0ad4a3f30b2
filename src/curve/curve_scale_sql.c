/*
 * curve_scale_sql.c — SQL noa.curve_scale(curve, factor, factor_lo,
 * factor_hi, level): a curve whose response is `factor` times the input's,
 * the factor's interval carried into the curve's covariance (the numeric
 * work is core/curve_scale.c).  Used to turn a campaign's platform-reported
 * curve into an incremental one with its channel's incrementality factor.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"

#include "curve_accessors.h"
#include "curve_scale.h"

PG_FUNCTION_INFO_V1(noa_curve_scale_sql);

/* SQL: curve_scale(curve, factor, factor_lo, factor_hi, level); NULL curve or factor give NULL. */
Datum
noa_curve_scale_sql(PG_FUNCTION_ARGS)
{
	NoaCurve   *curve;
	noa_curve	scaled;
	double		factor,
				sd = 0.0;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	curve = PG_GETARG_NOACURVE_P(0);
	factor = PG_GETARG_FLOAT8(1);
	if (!isfinite(factor) || !(factor > 0.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("factor must be a finite positive number, not %g", factor),
				 errhint("A channel without a measurable incremental effect has no curve to rescale: "
						 "leave it out of the portfolio, or judge it with noa.waste.")));
	if (PG_ARGISNULL(2) != PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("factor_lo and factor_hi must be given together"),
				 errhint("Pass both bounds of the factor's interval, or neither for a factor known exactly.")));
	if (!PG_ARGISNULL(2))
	{
		double		lo = PG_GETARG_FLOAT8(2),
					hi = PG_GETARG_FLOAT8(3),
					level;

		if (PG_ARGISNULL(4))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("level must not be NULL when the factor has an interval"),
					 errhint("level is the confidence of [factor_lo, factor_hi], e.g. 0.9.")));
		level = PG_GETARG_FLOAT8(4);
		check_level_arg(level);
		if (!isfinite(lo) || !isfinite(hi) || !(lo <= factor && factor <= hi))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the factor's interval [%g, %g] must be finite and contain the factor %g", lo, hi, factor),
					 errhint("Pass the interval the factor was estimated with, e.g. incrementality_lo and "
							 "incrementality_hi of noa.kpi_model_channels.")));
		sd = noa_interval_sd(lo, hi, level);
	}
	if (noa_curve_scale(&curve->fit, factor, sd, &scaled) != NOA_OK || noa_curve_problem(&scaled) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the curve cannot be rescaled by %g: the result is out of range", factor)));
	PG_RETURN_NOACURVE_P(noa_curve_make_carryover(&scaled, NOA_CURVE_HAS_CARRYOVER(curve) ? &curve->carry : NULL));
}
