/*
 * kpi_model_agg.c — the aggregate noa.fit_kpi_model(day, channel, value, kpi
 * [, reported [, role, options]]).
 *
 * Rows come straight from a join of spend by channel and day with the KPI by
 * day: the KPI repeats on every row of a day (it must agree), the spend of a
 * channel's rows on one day is summed (so campaign rows can be grouped into a
 * platform channel by the channel expression), reported values are summed per
 * channel.  role 'control' marks a control/event series instead of media.
 * The state keeps every row; the final function sorts them, so the model does
 * not depend on row order, plan or parallel split.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/memutils.h"

#include "noa.h"
#include "kpi_model_type.h"
#include "kpi_transform.h"

#define ROW_HAS_VALUE    0x01
#define ROW_HAS_KPI      0x02
#define ROW_HAS_REPORTED 0x04

typedef struct KpiRow
{
	int32		day;
	int32		name;			/* index into names, -1 for a KPI-only row */
	double		value;
	double		kpi;
	double		reported;
	int32		flags;
} KpiRow;

typedef struct KpiState
{
	int32		count;
	int32		capacity;
	KpiRow	   *rows;
	int32		n_names;
	int32		names_cap;
	char	  **names;
	bool	   *is_control;
	int32		last_name;		/* cache of the last looked-up name */
	int32		null_rows;
	char	   *options;		/* NULL when none */
} KpiState;

/* Index of a channel/control name, added when new; role must stay the same. */
static int32
state_name(KpiState *state, const char *name, bool is_control, MemoryContext cxt)
{
	int32		i;

	if (state->last_name >= 0 && strcmp(state->names[state->last_name], name) == 0)
		i = state->last_name;
	else
	{
		for (i = 0; i < state->n_names; i++)
			if (strcmp(state->names[i], name) == 0)
				break;
		if (i == state->n_names)
		{
			if (state->n_names >= KPI_MAX_CHANNELS + KPI_MAX_CONTROLS)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("noa.fit_kpi_model: more than %d channels and controls",
								KPI_MAX_CHANNELS + KPI_MAX_CONTROLS),
						 errhint("Group campaigns into fewer channels (platform, role or geo).")));
			if (state->n_names == state->names_cap)
			{
				int32		cap = Max(16, state->names_cap * 2);

				state->names = state->names ? repalloc(state->names, sizeof(char *) * cap)
					: MemoryContextAlloc(cxt, sizeof(char *) * cap);
				state->is_control = state->is_control ? repalloc(state->is_control, sizeof(bool) * cap)
					: MemoryContextAlloc(cxt, sizeof(bool) * cap);
				state->names_cap = cap;
			}
			state->names[i] = MemoryContextStrdup(cxt, name);
			state->is_control[i] = is_control;
			state->n_names++;
		}
	}
	if (state->is_control[i] != is_control)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("noa.fit_kpi_model: \"%s\" is used both as a media channel and as a control", name),
				 errhint("Give controls names of their own, and the same role on every row.")));
	state->last_name = i;
	return i;
}

static KpiState *
state_new(MemoryContext cxt)
{
	KpiState   *state = MemoryContextAllocZero(cxt, sizeof(KpiState));

	state->last_name = -1;
	return state;
}

static void
state_reserve(KpiState *state, int64 extra, MemoryContext cxt)
{
	int64		needed = (int64) state->count + extra;
	int64		cap;

	if (needed > noa_max_points)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many rows for one KPI model: more than %d", noa_max_points),
				 errhint("Aggregate to daily rows per channel first, or raise noa.max_points.")));
	if (needed <= state->capacity)
		return;
	cap = Min(Max(Max((int64) 256, (int64) state->capacity * 2), needed), (int64) noa_max_points);
	state->rows = state->rows ? repalloc_huge(state->rows, cap * sizeof(KpiRow))
		: MemoryContextAllocHuge(cxt, cap * sizeof(KpiRow));
	state->capacity = (int32) cap;
}

/* Reject NaN or infinite inputs with the column's name. */
static void
check_finite(double v, const char *column)
{
	if (isnan(v) || isinf(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("noa.fit_kpi_model: %s is %s", column, isnan(v) ? "NaN" : "infinite"),
				 errhint("Exclude or repair the row.")));
}

/* Shared transition: (state, day, channel, value, kpi [, reported [, role, options]]). */
static Datum
kpi_accum(FunctionCallInfo fcinfo, bool has_reported, bool has_role)
{
	MemoryContext cxt = noa_agg_context(fcinfo, "noa.fit_kpi_model transition");
	KpiState   *state = PG_ARGISNULL(0) ? state_new(cxt) : (KpiState *) PG_GETARG_POINTER(0);
	KpiRow		row = {0};
	bool		is_control = false;
	DateADT		day;

	if (has_role && !PG_ARGISNULL(7))
	{
		char	   *opts = text_to_cstring(PG_GETARG_TEXT_PP(7));

		if (state->options == NULL)
			state->options = MemoryContextStrdup(cxt, opts);
		else if (strcmp(state->options, opts) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("noa.fit_kpi_model: the options must be the same for every row of a group")));
	}
	if (has_role && !PG_ARGISNULL(6))
	{
		char	   *role = text_to_cstring(PG_GETARG_TEXT_PP(6));

		if (strcmp(role, "control") == 0 || strcmp(role, "event") == 0)
			is_control = true;
		else if (strcmp(role, "media") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("noa.fit_kpi_model: unknown role \"%s\"", role),
					 errhint("Use 'media' (spend of a channel), 'control' or 'event' (a series the KPI depends on).")));
	}
	if (PG_ARGISNULL(1))
	{
		state->null_rows++;
		PG_RETURN_POINTER(state);
	}
	day = PG_GETARG_DATEADT(1);
	if (DATE_NOT_FINITE(day))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("noa.fit_kpi_model: day must be a finite date")));
	row.day = day;
	row.name = -1;
	if (!PG_ARGISNULL(4))
	{
		row.kpi = PG_GETARG_FLOAT8(4);
		check_finite(row.kpi, "kpi");
		row.flags |= ROW_HAS_KPI;
	}
	if (!PG_ARGISNULL(2))
	{
		row.name = state_name(state, text_to_cstring(PG_GETARG_TEXT_PP(2)), is_control, cxt);
		if (!PG_ARGISNULL(3))
		{
			row.value = PG_GETARG_FLOAT8(3);
			check_finite(row.value, is_control ? "control value" : "spend");
			if (!is_control && row.value < 0.0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("noa.fit_kpi_model: spend is negative (%g) for channel \"%s\"",
								row.value, state->names[row.name]),
						 errhint("Refunds and corrections belong in a data-quality step; see noa.data_quality().")));
			row.flags |= ROW_HAS_VALUE;
		}
		else
			state->null_rows++;
		if (has_reported && !PG_ARGISNULL(5))
		{
			row.reported = PG_GETARG_FLOAT8(5);
			check_finite(row.reported, "reported");
			row.flags |= ROW_HAS_REPORTED;
		}
	}
	else if (!(row.flags & ROW_HAS_KPI))
	{
		state->null_rows++;
		PG_RETURN_POINTER(state);
	}
	state_reserve(state, 1, cxt);
	state->rows[state->count++] = row;
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(noa_kpi_accum4);
/* Transition of fit_kpi_model(day, channel, spend, kpi). */
Datum
noa_kpi_accum4(PG_FUNCTION_ARGS)
{
	return kpi_accum(fcinfo, false, false);
}

PG_FUNCTION_INFO_V1(noa_kpi_accum5);
/* Transition of fit_kpi_model(day, channel, spend, kpi, reported). */
Datum
noa_kpi_accum5(PG_FUNCTION_ARGS)
{
	return kpi_accum(fcinfo, true, false);
}

PG_FUNCTION_INFO_V1(noa_kpi_accum7);
/* Transition of fit_kpi_model(day, channel, value, kpi, reported, role, options). */
Datum
noa_kpi_accum7(PG_FUNCTION_ARGS)
{
	return kpi_accum(fcinfo, true, true);
}

/* Append b's rows and names into a (remapping name indices). */
static void
state_merge(KpiState *a, const KpiState *b, MemoryContext cxt)
{
	int32	   *map = palloc(sizeof(int32) * (b->n_names + 1));
	int32		i;

	for (i = 0; i < b->n_names; i++)
		map[i] = state_name(a, b->names[i], b->is_control[i], cxt);
	if (b->options)
	{
		if (a->options == NULL)
			a->options = MemoryContextStrdup(cxt, b->options);
		else if (strcmp(a->options, b->options) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("noa.fit_kpi_model: the options must be the same for every row of a group")));
	}
	state_reserve(a, b->count, cxt);
	for (i = 0; i < b->count; i++)
	{
		KpiRow		r = b->rows[i];

		r.name = r.name >= 0 ? map[r.name] : -1;
		a->rows[a->count++] = r;
	}
	a->null_rows += b->null_rows;
	pfree(map);
}

PG_FUNCTION_INFO_V1(noa_kpi_combine);
/* Combine two partial states. */
Datum
noa_kpi_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = noa_agg_context(fcinfo, "noa.fit_kpi_model combine");
	KpiState   *a = PG_ARGISNULL(0) ? NULL : (KpiState *) PG_GETARG_POINTER(0);
	KpiState   *b = PG_ARGISNULL(1) ? NULL : (KpiState *) PG_GETARG_POINTER(1);

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
		a = state_new(cxt);
	state_merge(a, b, cxt);
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(noa_kpi_serial);
/* Serialise a state: names with roles, options, null count, rows. */
Datum
noa_kpi_serial(PG_FUNCTION_ARGS)
{
	KpiState   *state = (KpiState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	int32		i;

	noa_agg_context(fcinfo, "noa.fit_kpi_model serial");
	pq_begintypsend(&buf);
	pq_sendint32(&buf, state->n_names);
	for (i = 0; i < state->n_names; i++)
	{
		pq_sendbyte(&buf, state->is_control[i] ? 1 : 0);
		pq_sendstring(&buf, state->names[i]);
	}
	pq_sendbyte(&buf, state->options ? 1 : 0);
	if (state->options)
		pq_sendstring(&buf, state->options);
	pq_sendint32(&buf, state->null_rows);
	pq_sendint32(&buf, state->count);
	for (i = 0; i < state->count; i++)
	{
		KpiRow	   *r = &state->rows[i];

		pq_sendint32(&buf, r->day);
		pq_sendint32(&buf, r->name);
		pq_sendint32(&buf, r->flags);
		pq_sendfloat8(&buf, r->value);
		pq_sendfloat8(&buf, r->kpi);
		pq_sendfloat8(&buf, r->reported);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(noa_kpi_deserial);
/* Rebuild a state, checking counts and indices. */
Datum
noa_kpi_deserial(PG_FUNCTION_ARGS)
{
	bytea	   *data = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	KpiState   *state;
	int32		n_names,
				count,
				i;

	noa_agg_context(fcinfo, "noa.fit_kpi_model deserial");
	noa_serial_reader(data, &buf);
	state = state_new(CurrentMemoryContext);
	n_names = pq_getmsgint(&buf, 4);
	if (n_names < 0 || n_names > KPI_MAX_CHANNELS + KPI_MAX_CONTROLS)
		ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED), errmsg("invalid serialized noa.fit_kpi_model state")));
	for (i = 0; i < n_names; i++)
	{
		bool		is_control = pq_getmsgbyte(&buf) != 0;
		const char *name = pq_getmsgstring(&buf);

		if (state_name(state, name, is_control, CurrentMemoryContext) != i)
			ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED), errmsg("invalid serialized noa.fit_kpi_model state")));
	}
	if (pq_getmsgbyte(&buf))
		state->options = pstrdup(pq_getmsgstring(&buf));
	state->null_rows = pq_getmsgint(&buf, 4);
	count = pq_getmsgint(&buf, 4);
	if (count < 0 || (int64) count * 36 != (int64) (buf.len - buf.cursor))
		ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED), errmsg("invalid serialized noa.fit_kpi_model state")));
	state_reserve(state, count, CurrentMemoryContext);
	for (i = 0; i < count; i++)
	{
		KpiRow	   *r = &state->rows[i];

		r->day = pq_getmsgint(&buf, 4);
		r->name = pq_getmsgint(&buf, 4);
		r->flags = pq_getmsgint(&buf, 4);
		r->value = pq_getmsgfloat8(&buf);
		r->kpi = pq_getmsgfloat8(&buf);
		r->reported = pq_getmsgfloat8(&buf);
		if (r->name < -1 || r->name >= n_names)
			ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED), errmsg("invalid serialized noa.fit_kpi_model state")));
	}
	state->count = count;
	PG_RETURN_POINTER(state);
}

/* Row order for plan-independent sums: name rank, day, then values. */
static int
row_cmp(const KpiRow *a, const KpiRow *b)
{
	if (a->name != b->name)
		return a->name < b->name ? -1 : 1;
	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	if (a->flags != b->flags)
		return a->flags < b->flags ? -1 : 1;
	if (a->value != b->value)
		return a->value < b->value ? -1 : 1;
	if (a->kpi != b->kpi)
		return a->kpi < b->kpi ? -1 : 1;
	if (a->reported != b->reported)
		return a->reported < b->reported ? -1 : 1;
	return 0;
}

#define ST_SORT sort_kpi_rows
#define ST_ELEMENT_TYPE KpiRow
#define ST_COMPARE(a, b) row_cmp(a, b)
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Parse "key=value" options (comma or space separated) into the core's options. */
static void
parse_options(const char *text, kpi_options *opt)
{
	char	   *copy = pstrdup(text);
	char	   *save = NULL;
	char	   *tok;

	for (tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
	{
		char	   *eq = strchr(tok, '=');
		char	   *key = tok,
				   *val;
		long		num;
		char	   *end;

		if (eq == NULL)
			goto bad;
		*eq = '\0';
		val = eq + 1;
		if (strcmp(key, "saturation") == 0)
		{
			if (strcmp(val, "tanh") == 0 || strcmp(val, "logistic") == 0)
				opt->saturation = KPI_SAT_TANH;
			else if (strcmp(val, "hill") == 0)
				opt->saturation = KPI_SAT_HILL;
			else if (strcmp(val, "auto") == 0)
				opt->saturation = KPI_SAT_AUTO;
			else
				goto bad;
			continue;
		}
		if (strcmp(key, "seasonality") == 0)
		{
			if (strcmp(val, "multiplicative") == 0)
				opt->multiplicative = 1;
			else if (strcmp(val, "additive") == 0)
				opt->multiplicative = 0;
			else if (strcmp(val, "auto") == 0)
				opt->multiplicative = KPI_SEASON_AUTO;
			else
				goto bad;
			continue;
		}
		num = strtol(val, &end, 10);
		if (*val == '\0' || *end != '\0')
			goto bad;
		if (strcmp(key, "max_lag") == 0 && num >= 1 && num <= 365)
			opt->lag = (int) num;
		else if (strcmp(key, "holdout") == 0 && num >= 0 && num <= 100000)
			opt->holdout = num == 0 ? -1 : (int) num;
		else if (strcmp(key, "replicates") == 0 && num >= 10 && num <= 2000)
			opt->replicates = (int) num;
		else if (strcmp(key, "starts") == 0 && num >= 1 && num <= 20)
			opt->starts = (int) num;
		else
			goto bad;
	}
	pfree(copy);
	return;
bad:
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("noa.fit_kpi_model: invalid option in \"%s\"", text),
			 errhint("Options are key=value pairs: max_lag (1-365 periods), holdout (periods, 0 = none), "
					 "replicates (10-2000), starts (1-20), saturation (tanh, hill or auto), "
					 "seasonality (additive, multiplicative or auto).")));
}

/* Greatest common divisor of two non-negative ints. */
static int32
gcd32(int32 a, int32 b)
{
	while (b != 0)
	{
		int32		t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* Build the core model's inputs from the sorted rows; ereports on inconsistent input. */
static kpi_model *
build_model(KpiState *state, int32 *rank, int32 m, int32 c)
{
	KpiRow	   *rows = state->rows;
	int32		i,
				first = PG_INT32_MAX,
				last = PG_INT32_MIN,
				step = 0,
				prev = PG_INT32_MIN,
				period,
				n;
	kpi_model  *model;

	for (i = 0; i < state->count; i++)
	{
		first = Min(first, rows[i].day);
		last = Max(last, rows[i].day);
	}
	/* days are sorted within each name; the gcd of all gaps gives the grain */
	for (i = 0; i < state->count; i++)
	{
		if (i > 0 && rows[i].name == rows[i - 1].name)
			prev = rows[i - 1].day;
		else
			prev = first;
		step = gcd32(step, rows[i].day - prev);
	}
	period = (step > 0 && step % 7 == 0) ? 7 : 1;
	n = (last - first) / period + 1;
	if (n > 100000)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("noa.fit_kpi_model: %d periods is more than 100000", n)));
	model = kpi_model_new(n, m, c);
	if (model == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory for a KPI model")));
	model->period_days = period;
	model->first_day = first;
	model->null_rows = state->null_rows;
	for (i = 0; i < state->count; i++)
	{
		KpiRow	   *r = &rows[i];
		int32		t = (r->day - first) / period;

		if (r->flags & ROW_HAS_KPI)
		{
			if (isnan(model->kpi[t]))
				model->kpi[t] = r->kpi;
			else if (fabs(model->kpi[t] - r->kpi) > 1e-9 * Max(fabs(r->kpi), 1.0))
			{
				double		a = model->kpi[t];
				int			y,
							mo,
							d;

				j2date(r->day + POSTGRES_EPOCH_JDATE, &y, &mo, &d);
				kpi_model_free(model);
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("noa.fit_kpi_model: the KPI differs between rows of %04d-%02d-%02d (%g and %g)",
								y, mo, d, a, r->kpi),
						 errdetail("The KPI is one value per day; every row of a day repeats it."),
						 errhint("Join the KPI by day only (not by channel), or sum it per day first.")));
			}
		}
		if (r->name >= 0 && (r->flags & ROW_HAS_VALUE))
		{
			int32		k = rank[r->name];

			if (!state->is_control[r->name])
				model->spend[(size_t) k * n + t] += r->value;
			else
				model->control[(size_t) k * n + t] += r->value;
		}
	}
	/* reported totals over periods with a KPI */
	for (i = 0; i < state->count; i++)
	{
		KpiRow	   *r = &rows[i];
		int32		t = (r->day - first) / period;

		if (r->name >= 0 && !state->is_control[r->name] && (r->flags & ROW_HAS_REPORTED) &&
			!isnan(model->kpi[t]))
		{
			int32		k = rank[r->name];

			model->reported[k] = isnan(model->reported[k]) ? r->reported : model->reported[k] + r->reported;
		}
	}
	return model;
}

PG_FUNCTION_INFO_V1(noa_kpi_final);
/* Final function: sort, build the inputs, fit, and store the model. */
Datum
noa_kpi_final(PG_FUNCTION_ARGS)
{
	KpiState   *state;
	char	  **media,
			  **controls;
	int32	   *rank;
	int32		m = 0,
				c = 0,
				i,
				j,
				rc;
	kpi_model  *model;
	kpi_options opt = {0};
	bytea	   *volatile result = NULL;

	noa_agg_context(fcinfo, "noa.fit_kpi_model final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (KpiState *) PG_GETARG_POINTER(0);
	if (state->count == 0)
		PG_RETURN_NULL();
	opt.saturation = KPI_SAT_TANH;
	if (state->options)
		parse_options(state->options, &opt);
	opt.interrupted = noa_cancel_requested;

	/* names in sorted order, media and controls separately */
	media = palloc(sizeof(char *) * (state->n_names + 1));
	controls = palloc(sizeof(char *) * (state->n_names + 1));
	for (i = 0; i < state->n_names; i++)
	{
		if (state->is_control[i])
			controls[c++] = state->names[i];
		else
			media[m++] = state->names[i];
	}
	if (m == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("noa.fit_kpi_model: no media channel in the input"),
				 errhint("Pass each channel's spend per day with a non-NULL channel name.")));
	if (m > KPI_MAX_CHANNELS || c > KPI_MAX_CONTROLS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("noa.fit_kpi_model: at most %d channels and %d controls", KPI_MAX_CHANNELS, KPI_MAX_CONTROLS)));
	qsort(media, m, sizeof(char *), name_cmp);
	qsort(controls, c, sizeof(char *), name_cmp);
	rank = palloc(sizeof(int32) * (state->n_names + 1));
	for (i = 0; i < state->n_names; i++)
	{
		char	  **list = state->is_control[i] ? controls : media;
		int32		len = state->is_control[i] ? c : m;

		for (j = 0; j < len; j++)
			if (list[j] == state->names[i])
				rank[i] = j;
	}
	/* sort rows by (rank-ordered name, day, values) on a private copy */
	{
		KpiRow	   *copy = palloc_extended(sizeof(KpiRow) * state->count, MCXT_ALLOC_HUGE);
		KpiState	sorted = *state;

		for (i = 0; i < state->count; i++)
		{
			copy[i] = state->rows[i];
			if (copy[i].name >= 0)
				copy[i].name = state->is_control[copy[i].name] ? m + rank[copy[i].name] : rank[copy[i].name];
		}
		sort_kpi_rows(copy, state->count);
		/* map back: sorted.names indexed by the new order */
		sorted.rows = copy;
		sorted.names = palloc(sizeof(char *) * (m + c + 1));
		sorted.is_control = palloc(sizeof(bool) * (m + c + 1));
		for (i = 0; i < m; i++)
		{
			sorted.names[i] = media[i];
			sorted.is_control[i] = false;
		}
		for (i = 0; i < c; i++)
		{
			sorted.names[m + i] = controls[i];
			sorted.is_control[m + i] = true;
		}
		for (i = 0; i < m + c; i++)
			rank[i] = i < m ? i : i - m;
		model = build_model(&sorted, rank, m, c);
	}
	for (i = 0; i < m; i++)
		if (kpi_model_set_name(model->channel_names, i, media[i]) != KPI_OK)
			break;
	for (j = 0; i == m && j < c; j++)
		if (kpi_model_set_name(model->control_names, j, controls[j]) != KPI_OK)
			break;
	rc = (i == m && j == c) ? kpi_model_fit(model, &opt) : KPI_ERR_NOMEM;
	if (rc != KPI_OK)
	{
		int32		n_obs = model->n_obs,
					q = model->q,
					n = model->n;

		kpi_model_free(model);
		switch (rc)
		{
			case KPI_ERR_INTERRUPTED:
				noa_raise_cancel();
				break;
			case KPI_ERR_TOO_FEW:
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("noa.fit_kpi_model: too few periods with a KPI (%d) for %d channels", n_obs, m),
						 errdetail("The model needs more observed periods than parameters: %d base terms "
								   "plus 3 per channel.", q),
						 errhint("Use a longer period, or fewer channels (group campaigns by platform or role).")));
				break;
			case KPI_ERR_NO_MEDIA:
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("noa.fit_kpi_model: no channel has varying spend over the %d periods", n),
						 errdetail("A channel whose spend is zero or constant cannot be told apart from the baseline."),
						 errhint("Check the spend column and the date range.")));
				break;
			case KPI_ERR_NOMEM:
				ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory while fitting a KPI model")));
				break;
			default:
				elog(ERROR, "noa.fit_kpi_model: internal error %d", rc);
		}
	}
	PG_TRY();
	{
		result = kpi_model_to_datum(model);
	}
	PG_FINALLY();
	{
		kpi_model_free(model);
	}
	PG_END_TRY();
	PG_RETURN_BYTEA_P(result);
}
