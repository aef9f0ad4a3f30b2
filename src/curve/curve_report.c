/*
 * curve_report.c — flat, BI-ready views of a fitted curve: one summary row
 * (noa.curve_summary) and chart points on a round spend grid (noa.curve_points).
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "carryover.h"
#include "curve_accessors.h"
#include "unit_labels.h"

/* Parameter names that get their own summary columns, in column order. */
static const char *const summary_params[] = {"b", "k", "s", "m", "r", "a"};

/* A float8 Datum, or NULL when not finite. */
static Datum
float8_or_null(double v, bool *isnull)
{
	*isnull = !isfinite(v);
	return Float8GetDatum(*isnull ? 0.0 : v);
}

/* A money amount as numeric rounded to cents, or NULL when not finite. */
static Datum
money_or_null(double v, bool *isnull)
{
	*isnull = !isfinite(v);
	if (*isnull)
		return (Datum) 0;
	return DirectFunctionCall2(numeric_round,
							   DirectFunctionCall1(float8_numeric, Float8GetDatum(v)),
							   Int32GetDatum(2));
}

/* A text Datum, or NULL for a NULL string. */
static Datum
text_or_null(const char *s, bool *isnull)
{
	*isnull = (s == NULL);
	return *isnull ? (Datum) 0 : CStringGetTextDatum(s);
}

/* A plain-words sentence on what the fit says and how far to trust it. */
static char *
fit_note(const noa_curve *fit)
{
	switch (fit->status)
	{
		case NOA_FIT_INSUFFICIENT_DATA:
			return psprintf("only %d points with too few distinct spend levels for a %s curve; collect more days with varied spend",
							fit->n, noa_model_name(fit->model));
		case NOA_FIT_NOT_IDENTIFIABLE:
			return psprintf("the %d points do not pin down a %s curve (spend barely varies or the curve never bends); "
							"vary spend or test a budget change before trusting any number",
							fit->n, noa_model_name(fit->model));
		case NOA_FIT_MAX_ITERATIONS:
			return psprintf("the solver stopped at its iteration limit; the %s curve is the best found, not a proven optimum",
							noa_model_name(fit->model));
		default:
			break;
	}
	if (fit->flags & NOA_CURVE_FLAG_AT_BOUND)
		return pstrdup("converged, but a parameter sits at its search limit: the data do not show where the curve saturates");
	if (fit->x_max > 0.0)
		return psprintf("converged; answers are reliable within the observed spend range %.2f to %.2f",
						fit->x_min, fit->x_max);
	return pstrdup("converged");
}

/* "day", "week" or "period of N days": the grain a carryover curve was fitted on. */
static const char *
period_name(int32 period_days)
{
	if (period_days == 1)
		return "day";
	if (period_days == 7)
		return "week";
	return psprintf("period of %d days", period_days);
}

/* The fit's note, prefixed for a carryover curve by what its answers mean. */
static char *
summary_note(const NoaCurve *curve)
{
	char	   *note = fit_note(&curve->fit);

	if (!(curve->fit.flags & NOA_CURVE_FLAG_LONG_RUN))
		return note;
	if (!NOA_CURVE_HAS_CARRYOVER(curve))
		return psprintf("long run: fitted with carryover, so response, marginal ROAS, break-even and saturation are "
						"for a lasting daily spend; %s", note);
	return psprintf("long run: fitted with geometric carryover (theta %.2f per %s, half-life %.1f days), so response, "
					"marginal ROAS, break-even and saturation are for a lasting spend per %s; the same-%s share "
					"of a marginal return is %.0f%% (noa.curve_carryover); %s",
					curve->carry.theta, period_name(curve->carry.period_days),
					curve->carry.period_days * noa_adstock_half_life(curve->carry.theta),
					period_name(curve->carry.period_days), period_name(curve->carry.period_days),
					100.0 * (1.0 - curve->carry.theta), note);
}

PG_FUNCTION_INFO_V1(noa_curve_summary);

/* Whether any of the first n arguments is NULL (the reports answer NULL then, as if STRICT). */
static bool
any_arg_null(FunctionCallInfo fcinfo, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		if (PG_ARGISNULL(i))
			return true;
	return false;
}

/*
 * SQL: curve_summary(curve, target_mroas, value_per_unit, level, currency,
 * response_unit) — one flat row; see the OUT parameters in
 * src/sql/10_curve.sql for the columns.  Not STRICT only so that currency and
 * response_unit may be NULL: a NULL in any other argument gives NULL.
 */
Datum
noa_curve_summary(PG_FUNCTION_ARGS)
{
	NoaCurve   *curve;
	double		target,
				value_per_unit,
				level;
	const noa_curve *fit;
	bool		usable;
	int			np;
	UnitLabels	units;
	TupleDesc	tupdesc;
	Datum		values[35];
	bool		nulls[35];
	int			col = 0;
	int			i,
				j;
	interval_estimate be,
				sat,
				half;

	if (any_arg_null(fcinfo, 4))
		PG_RETURN_NULL();
	curve = PG_GETARG_NOACURVE_P(0);
	target = PG_GETARG_FLOAT8(1);
	value_per_unit = PG_GETARG_FLOAT8(2);
	level = PG_GETARG_FLOAT8(3);
	fit = &curve->fit;
	usable = curve_usable(fit);
	np = noa_model_nparams(fit->model);
	check_positive_arg(target, "target_mroas");
	check_positive_arg(value_per_unit, "value_per_unit");
	check_level_arg(level);
	units = read_unit_labels(fcinfo, 4, 5);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "noa.curve_summary must be declared to return a row");
	tupdesc = BlessTupleDesc(tupdesc);
	Assert(tupdesc->natts == lengthof(values) - 2 + UNIT_LABEL_COLS(units));

	values[col] = CStringGetTextDatum(noa_model_name(fit->model));
	nulls[col++] = false;
	values[col] = CStringGetTextDatum(noa_fit_status_name(fit->status));
	nulls[col++] = false;
	values[col] = BoolGetDatum((fit->flags & NOA_CURVE_FLAG_AUTO) != 0);
	nulls[col++] = false;
	values[col] = BoolGetDatum((fit->flags & NOA_CURVE_FLAG_AT_BOUND) != 0);
	nulls[col++] = false;
	values[col] = Int32GetDatum(fit->n);
	nulls[col++] = false;

	/* Named parameters and standard errors: NULL where the family lacks one. */
	for (j = 0; j < (int) lengthof(summary_params); j++)
	{
		double		est = NAN,
					se = NAN;

		for (i = 0; usable && i < np; i++)
			if (strcmp(noa_model_param_name(fit->model, i), summary_params[j]) == 0)
			{
				est = fit->param[i];
				se = fit->cov[i * NOA_MAX_PARAMS + i] > 0.0 ? sqrt(fit->cov[i * NOA_MAX_PARAMS + i]) : NAN;
			}
		values[col] = float8_or_null(est, &nulls[col]);
		col++;
		values[col] = float8_or_null(se, &nulls[col]);
		col++;
	}

	values[col] = float8_or_null(usable ? fit->r2 : NAN, &nulls[col]);
	col++;
	values[col] = float8_or_null(usable && fit->n > 0 ? sqrt(fit->ssr / fit->n) : NAN, &nulls[col]);
	col++;
	values[col] = float8_or_null(usable ? fit->aicc : NAN, &nulls[col]);
	col++;
	values[col] = money_or_null(fit->n > 0 ? fit->x_min : NAN, &nulls[col]);
	col++;
	values[col] = money_or_null(fit->n > 0 ? fit->x_max : NAN, &nulls[col]);
	col++;
	values[col] = money_or_null(fit->n > 0 ? fit->x_mean : NAN, &nulls[col]);
	col++;

	if (usable)
	{
		half = curve_saturation_interval(fit, 0.5, level);
		be = curve_breakeven_interval(fit, target, value_per_unit, level);
		sat = curve_saturation_interval(fit, 0.9, level);
	}
	else
		half.value = half.lo = half.hi = be.value = be.lo = be.hi = sat.value = sat.lo = sat.hi = NAN;

	values[col] = money_or_null(half.value, &nulls[col]);
	col++;
	values[col] = money_or_null(be.value, &nulls[col]);
	col++;
	values[col] = money_or_null(be.lo, &nulls[col]);
	col++;
	values[col] = money_or_null(be.hi, &nulls[col]);
	col++;
	values[col] = text_or_null(curve_breakeven_note(fit, target, value_per_unit), &nulls[col]);
	col++;
	values[col] = money_or_null(sat.value, &nulls[col]);
	col++;
	values[col] = Int32GetDatum(fit->iterations);
	nulls[col++] = false;
	values[col] = Int32GetDatum(fit->n_starts);
	nulls[col++] = false;
	values[col] = Int32GetDatum(fit->n_starts_converged);
	nulls[col++] = false;
	if (units.columns)
	{
		values[col] = label_datum(units.currency, &nulls[col]);
		col++;
		values[col] = label_datum(units.response_unit, &nulls[col]);
		col++;
	}
	values[col] = text_or_null(summary_note(curve), &nulls[col]);
	col++;
	Assert(col == tupdesc->natts);

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * A round grid for a chart axis: steps of 1, 2 or 5 times a power of ten.
 * Values are one integer times an exact power of ten, so they print as
 * 0.3, not 0.30000000000000004.
 */
typedef struct round_grid
{
	int			mantissa;		/* 1, 2 or 5 */
	int			exponent;		/* power of ten of the step */
	int			count;			/* number of grid values, 0 included */
} round_grid;

/* The i-th value of a round grid: i * mantissa * 10^exponent. */
static double
round_grid_value(round_grid g, int i)
{
	double		units = (double) i * g.mantissa;
	double		inverse = pow(10.0, -g.exponent);

	if (g.exponent >= 0)
		return units * pow(10.0, g.exponent);
	/* Dividing by an exact power of ten rounds correctly; multiplying would not. */
	return isfinite(inverse) ? units / inverse : units * pow(10.0, g.exponent);
}

/*
 * The smallest round step that covers [0, max_spend] in at most points - 1
 * steps; the grid runs from 0 to the first multiple of the step at or above
 * max_spend.  A max_spend of 0 gives the single point 0.
 */
static round_grid
round_grid_for(double max_spend, int points)
{
	round_grid	g = {1, 0, 1};
	double		raw,
				scale,
				steps;

	if (!(max_spend > 0.0))
		return g;
	raw = max_spend / (points - 1);
	g.exponent = (int) floor(log10(raw));
	scale = pow(10.0, g.exponent);
	/* log10 may round across a power of ten: settle 10^exponent <= raw < 10^(exponent+1). */
	if (scale > raw)
		scale = pow(10.0, --g.exponent);
	else if (scale * 10.0 <= raw)
		scale = pow(10.0, ++g.exponent);
	if (raw <= scale)
		g.mantissa = 1;
	else if (raw <= 2.0 * scale)
		g.mantissa = 2;
	else if (raw <= 5.0 * scale)
		g.mantissa = 5;
	else
	{
		g.mantissa = 1;
		g.exponent++;
	}
	steps = ceil(max_spend / round_grid_value(g, 1));
	/* The division may land a hair above a whole number of steps. */
	if (steps > 1.0 && round_grid_value(g, (int) steps - 1) >= max_spend)
		steps -= 1.0;
	g.count = (int) Min(steps + 1.0, (double) points);
	/* Near the largest double the grid stops at its last finite value. */
	while (g.count > 1 && !isfinite(round_grid_value(g, g.count - 1)))
		g.count--;
	return g;
}

PG_FUNCTION_INFO_V1(noa_curve_points);

/*
 * SQL: curve_points(curve, max_spend, points, level, value_per_unit, currency,
 * response_unit) — rows (point_no, spend, response, response_lo, response_hi,
 * marginal_roas, in_observed_range, currency, response_unit) on a round grid
 * (steps of 1, 2 or 5 times a power of ten, at most `points` values) from 0
 * to the first grid value at or above max_spend, for line charts.  Curves
 * asked with the same max_spend and points share the grid, so many curves
 * chart from one query.  A curve without usable parameters yields no rows.
 * Not STRICT only for the labels: a NULL in any other argument gives no rows.
 */
Datum
noa_curve_points(PG_FUNCTION_ARGS)
{
	NoaCurve   *curve;
	double		max_spend,
				level,
				value_per_unit;
	int32		points;
	const noa_curve *fit;
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	round_grid	grid;
	UnitLabels	units;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	if (any_arg_null(fcinfo, 5))
		return (Datum) 0;
	curve = PG_GETARG_NOACURVE_P(0);
	max_spend = PG_GETARG_FLOAT8(1);
	points = PG_GETARG_INT32(2);
	level = PG_GETARG_FLOAT8(3);
	value_per_unit = PG_GETARG_FLOAT8(4);
	fit = &curve->fit;
	check_spend_arg(max_spend, "max_spend");
	check_level_arg(level);
	check_positive_arg(value_per_unit, "value_per_unit");
	if (points < 2 || points > 100000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("points must be between 2 and 100000, not %d", points)));
	units = read_unit_labels(fcinfo, 5, 6);

	if (!curve_usable(fit))
		return (Datum) 0;
	grid = round_grid_for(max_spend, points);
	for (i = 0; i < grid.count; i++)
	{
		double		spend = round_grid_value(grid, i);
		interval_estimate r = curve_response_interval(fit, spend, level);
		double		mroas = noa_curve_slope(fit->model, fit->param, spend) * value_per_unit;
		Datum		values[9];
		bool		nulls[9];

		CHECK_FOR_INTERRUPTS();
		values[0] = Int32GetDatum(i + 1);
		nulls[0] = false;
		values[1] = float8_or_null(spend, &nulls[1]);
		values[2] = float8_or_null(r.value, &nulls[2]);
		values[3] = float8_or_null(r.lo, &nulls[3]);
		values[4] = float8_or_null(r.hi, &nulls[4]);
		values[5] = float8_or_null(mroas, &nulls[5]);
		values[6] = BoolGetDatum(spend >= fit->x_min && spend <= fit->x_max);
		nulls[6] = false;
		values[7] = label_datum(units.currency, &nulls[7]);	/* not read under a 0.1.0 declaration */
		values[8] = label_datum(units.response_unit, &nulls[8]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
