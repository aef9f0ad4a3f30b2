/*
 * rank_corr_sql.c — SQL glue of the spend-response statistics
 * (core/rank_corr.h) behind noa.data_quality's no_spend_response check.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"

#include "rank_corr.h"
#include "series_args.h"

PG_FUNCTION_INFO_V1(noa_spend_response_sql);

/*
 * noa._spend_response(spend float8[], conversions float8[], OUT n bigint,
 * OUT rho float8, OUT spread float8): Spearman correlation of one campaign's
 * daily spend and conversions and its p90 / p10 spend (NULL when p10 is 0).
 * Pairs with a NULL or non-finite member, or without positive spend, are
 * left out.
 */
Datum
noa_spend_response_sql(PG_FUNCTION_ARGS)
{
	ArrayType  *xa = PG_GETARG_ARRAYTYPE_P(0);
	int			n = ArrayGetNItems(ARR_NDIM(xa), ARR_DIMS(xa));
	bool	   *has = palloc(sizeof(bool) * Max(n, 1));
	double	   *x,
			   *y,
			   rho,
			   spread;
	bool		has_spread;
	TupleDesc	desc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	int			i,
				m = 0;

	for (i = 0; i < n; i++)
		has[i] = true;
	x = noa_series_floats(xa, n, NULL, has);
	y = noa_series_floats(PG_GETARG_ARRAYTYPE_P(1), n, NULL, has);
	for (i = 0; i < n; i++)
		if (has[i] && x[i] > 0.0)
		{
			x[m] = x[i];
			y[m++] = y[i];
		}
	if (noa_spend_response(x, y, m, &rho, &spread, &has_spread) != NOA_RC_OK)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("noa: out of memory in the spend-response check")));
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "noa._spend_response must return a record");
	desc = BlessTupleDesc(desc);
	values[0] = Int64GetDatum(m);
	values[1] = Float8GetDatum(rho);
	values[2] = Float8GetDatum(spread);
	nulls[2] = !has_spread;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}
