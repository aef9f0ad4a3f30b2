/*
 * carryover_report.c — what a curve fitted with carryover says about time:
 * noa.curve_carryover (one flat row) and noa.marginal_roas_same_day.
 *
 * A carryover curve stores its long-run curve L(x) (see carryover_fit.h), so
 * noa.marginal_roas answers L'(x): what one more unit of lasting daily spend
 * returns per day once the carryover has built up — equivalently, the total
 * return of one extra unit spent once, summed over the days it keeps working.
 * The part of it that arrives on the day of spend is (1-θ)·L'(x).
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "carryover.h"
#include "curve_accessors.h"

PG_FUNCTION_INFO_V1(noa_curve_carryover);

/*
 * SQL: curve_carryover(curve) — (carryover text, period_days, theta,
 * theta_se, half_life_days, long_run_multiplier, same_day_share, at_bound,
 * answers, note).  θ is per period (period_days: 1 for daily rows).  A curve without carryover gives carryover 'none', theta 0 and
 * answers 'same_day'.
 */
Datum
noa_curve_carryover(PG_FUNCTION_ARGS)
{
	NoaCurve   *curve = PG_GETARG_NOACURVE_P(0);
	bool		has = NOA_CURVE_HAS_CARRYOVER(curve);
	double		theta = has ? curve->carry.theta : 0.0;
	int32		period = has ? curve->carry.period_days : 1;
	bool		at_bound = has && (curve->carry.flags & NOA_CARRYOVER_FLAG_AT_BOUND) != 0;
	TupleDesc	tupdesc;
	Datum		values[10];
	bool		nulls[10] = {0};
	const char *note;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "noa.curve_carryover must be declared to return a row");
	if (tupdesc->natts != lengthof(values))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("noa.curve_carryover: the installed SQL definition has %d columns, this library returns %d",
						tupdesc->natts, (int) lengthof(values)),
				 errhint("Reinstall the extension (DROP EXTENSION noa; CREATE EXTENSION noa) to match the library.")));
	tupdesc = BlessTupleDesc(tupdesc);

	if (!has)
		note = "fitted without carryover (fit_curve without a day column): every answer is for the same day";
	else if (at_bound)
		note = psprintf("theta ran to the search limit %.2f: the effect lasts at least this long, the long-run "
						"answers are lower bounds on how long it works; check the data for a trend", NOA_CARRYOVER_THETA_MAX);
	else
		note = psprintf("each period of %d day(s) keeps %.0f%% of the previous period's effect (half-life %.1f days); "
						"a lasting spend x per period works like %.2f x in a single period, and the curve's answers are "
						"for that long run", period, 100.0 * theta, period * noa_adstock_half_life(theta),
						1.0 / (1.0 - theta));

	values[0] = CStringGetTextDatum(has ? "geometric" : "none");
	values[1] = Int32GetDatum(period);
	values[2] = Float8GetDatum(theta);
	values[3] = Float8GetDatum(has ? curve->carry.theta_se : 0.0);
	nulls[3] = has && !(curve->carry.theta_se > 0.0);
	values[4] = Float8GetDatum(period * noa_adstock_half_life(theta));
	values[5] = Float8GetDatum(1.0 / (1.0 - theta));
	values[6] = Float8GetDatum(1.0 - theta);
	values[7] = BoolGetDatum(at_bound);
	values[8] = CStringGetTextDatum(has ? "long_run" : "same_day");
	values[9] = CStringGetTextDatum(note);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

PG_FUNCTION_INFO_V1(noa_marginal_roas_same_day);

/*
 * SQL: marginal_roas_same_day(curve, spend, value_per_unit) — the part of the
 * marginal return at a lasting daily spend that arrives on the day of spend:
 * (1-θ)·L'(spend); for a curve without carryover, the marginal ROAS itself.
 */
Datum
noa_marginal_roas_same_day(PG_FUNCTION_ARGS)
{
	NoaCurve   *curve = PG_GETARG_NOACURVE_P(0);
	double		spend = PG_GETARG_FLOAT8(1);
	double		value_per_unit = PG_GETARG_FLOAT8(2);
	double		share = NOA_CURVE_HAS_CARRYOVER(curve) ? 1.0 - curve->carry.theta : 1.0;
	double		result;

	check_spend_arg(spend, "spend");
	check_positive_arg(value_per_unit, "value_per_unit");
	if (!curve_usable(&curve->fit))
		PG_RETURN_NULL();
	result = share * noa_curve_slope(curve->fit.model, curve->fit.param, spend) * value_per_unit;
	if (!isfinite(result))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(result);
}
