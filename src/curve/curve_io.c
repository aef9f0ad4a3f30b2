/*
 * curve_io.c — the noa.curve type: construction, validation, text and binary
 * I/O, and the jsonb cast.
 *
 * Text form (one line, fields in this order, floats in shortest exact form so
 * the value round-trips bit for bit):
 *   v1:hill;status=converged;n=365;iterations=9;starts=4;converged_starts=4;flags=0;
 *   params=b,k,s;cov=c11,...,c33;ssr=..;sigma=..;r2=..;aicc=..;
 *   x_min=..;x_max=..;x_mean=..;y_mean=..
 * A curve fitted with carryover prints as version 2, with the carryover after
 * the family:
 *   v2:hill;carryover=geometric;period_days=1;theta=..;theta_se=..;
 *   carryover_flags=0;evaluations=31;status=converged;... (the rest as in version 1)
 */
#include "postgres.h"

#include <math.h>

#include "common/shortest_dec.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

#include "carryover.h"
#include "curve_accessors.h"

#define CURVE_NDOUBLES (NOA_MAX_PARAMS + NOA_MAX_PARAMS * NOA_MAX_PARAMS + 8)

/* Names of the scalar double fields after params and cov, in text order. */
static const char *const scalar_names[] = {
	"ssr", "sigma", "r2", "aicc", "x_min", "x_max", "x_mean", "y_mean"
};

/* Pointers to the scalar double fields, in the order of scalar_names. */
static void
curve_scalars(noa_curve *fit, double **out)
{
	out[0] = &fit->ssr;
	out[1] = &fit->sigma;
	out[2] = &fit->r2;
	out[3] = &fit->aicc;
	out[4] = &fit->x_min;
	out[5] = &fit->x_max;
	out[6] = &fit->x_mean;
	out[7] = &fit->y_mean;
}

/*
 * Wrap a core fit result and its carryover in a new noa.curve value: version 2
 * with carryover, else version 1.  The allocation is always the full struct,
 * so the carryover block of a version-1 value reads as empty.
 */
NoaCurve *
noa_curve_make_carryover(const noa_curve *fit, const noa_carryover *carry)
{
	NoaCurve   *curve = palloc0(sizeof(NoaCurve));

	curve->fit = *fit;
	if (carry != NULL && carry->kind != 0)
	{
		SET_VARSIZE(curve, sizeof(NoaCurve));
		curve->version = NOA_CURVE_VERSION_CARRYOVER;
		curve->carry = *carry;
	}
	else
	{
		SET_VARSIZE(curve, NOA_CURVE_V1_SIZE);
		curve->version = NOA_CURVE_VERSION;
	}
	return curve;
}

/* Wrap a core fit result (no carryover) in a new noa.curve value. */
NoaCurve *
noa_curve_make(const noa_curve *fit)
{
	return noa_curve_make_carryover(fit, NULL);
}

/* Detoast a noa.curve; a version-1 value is widened with an empty carryover block. */
NoaCurve *
noa_curve_from_datum(Datum d)
{
	NoaCurve   *curve = (NoaCurve *) PG_DETOAST_DATUM(d);

	if (VARSIZE(curve) == NOA_CURVE_V1_SIZE)
	{
		NoaCurve   *wide = palloc0(sizeof(NoaCurve));

		memcpy(wide, curve, NOA_CURVE_V1_SIZE);
		return wide;
	}
	return curve;
}

/*
 * Explain what is inconsistent in the carryover block of a version-2 value,
 * or return NULL.  (A version-1 value may carry NOA_CURVE_FLAG_LONG_RUN
 * without the block: a long-run curve whose carryover details were not kept,
 * e.g. inside a noa.portfolio.)
 */
static const char *
carryover_problem(const noa_curve *fit, const noa_carryover *carry)
{
	if (!(fit->flags & NOA_CURVE_FLAG_LONG_RUN))
		return "a curve with carryover must be flagged long run";
	if (carry->kind != NOA_ADSTOCK_GEOMETRIC)
		return "unknown carryover kind";
	if ((carry->flags & ~NOA_CARRYOVER_FLAG_AT_BOUND) != 0 || carry->period_days < 1 || carry->evaluations < 0)
		return "inconsistent carryover flags or counts";
	if (!(carry->theta >= 0.0 && carry->theta < 1.0) ||
		!(carry->theta_se >= 0.0) || !isfinite(carry->theta_se))
		return "carryover theta must be in [0, 1) with a finite standard error";
	return NULL;
}

/* The name of the only carryover kind a curve can carry. */
static const char *const carryover_kind_name = "geometric";

/* Explain what is inconsistent in a fit record, or return NULL when it is sound. */
const char *
noa_curve_problem(const noa_curve *fit)
{
	int			np,
				i;
	double	   *scalars[lengthof(scalar_names)];

	if (fit->model < NOA_MODEL_FIRST || fit->model > NOA_MODEL_LAST)
		return "unknown model family";
	if (fit->status < NOA_FIT_CONVERGED || fit->status > NOA_FIT_INSUFFICIENT_DATA)
		return "unknown fit status";
	if ((fit->flags & ~(NOA_CURVE_FLAG_AUTO | NOA_CURVE_FLAG_AT_BOUND | NOA_CURVE_FLAG_LONG_RUN)) != 0)
		return "unknown flag bits";
	if (fit->n < 0 || fit->iterations < 0 || fit->n_starts < 0 ||
		fit->n_starts_converged < 0 || fit->n_starts_converged > fit->n_starts)
		return "negative or inconsistent counts";
	if (fit->reserved != 0)
		return "reserved field is not zero";
	np = noa_model_nparams(fit->model);
	for (i = 0; i < NOA_MAX_PARAMS; i++)
	{
		if (!isfinite(fit->param[i]) || (i >= np && fit->param[i] != 0.0))
			return "parameters must be finite, and unused slots zero";
	}
	for (i = 0; i < NOA_MAX_PARAMS * NOA_MAX_PARAMS; i++)
	{
		if (!isfinite(fit->cov[i]) ||
			((i / NOA_MAX_PARAMS >= np || i % NOA_MAX_PARAMS >= np) && fit->cov[i] != 0.0))
			return "covariance must be finite, and unused entries zero";
	}
	curve_scalars((noa_curve *) fit, scalars);
	for (i = 0; i < (int) lengthof(scalar_names); i++)
		if (!isfinite(*scalars[i]))
			return "statistics must be finite";
	if (fit->ssr < 0.0 || fit->sigma < 0.0 || fit->x_min < 0.0 || fit->x_max < fit->x_min)
		return "negative residuals or an inverted spend range";
	if ((fit->status == NOA_FIT_CONVERGED || fit->status == NOA_FIT_MAX_ITERATIONS) &&
		!noa_curve_params_valid(fit->model, fit->param))
		return "a fitted curve needs positive parameters";
	return NULL;
}

/* Reject a stored or received value whose header or contents are inconsistent. */
void
noa_curve_validate(const NoaCurve *curve)
{
	const char *problem;

	static const noa_carryover none;
	Size		expected = curve->version == NOA_CURVE_VERSION ? NOA_CURVE_V1_SIZE : sizeof(NoaCurve);

	if (curve->version != NOA_CURVE_VERSION && curve->version != NOA_CURVE_VERSION_CARRYOVER)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("noa.curve format version %d is not supported", curve->version),
				 errhint("This build of noa reads versions %d and %d.", NOA_CURVE_VERSION,
						 NOA_CURVE_VERSION_CARRYOVER)));
	if (VARSIZE(curve) != expected)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid noa.curve value: size %u, expected %u",
						(unsigned) VARSIZE(curve), (unsigned) expected)));
	if (curve->unused[0] || curve->unused[1] || curve->unused[2])
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid noa.curve value: reserved bytes are not zero")));
	problem = noa_curve_problem(&curve->fit);
	if (problem == NULL)
		problem = curve->version == NOA_CURVE_VERSION
			? (memcmp(&curve->carry, &none, sizeof(none)) != 0 ? "a version-1 value carries carryover" : NULL)
			: carryover_problem(&curve->fit, &curve->carry);
	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid noa.curve value: %s", problem)));
}

/* Append a double in shortest exact decimal form. */
static void
append_double(StringInfo buf, double value)
{
	char		digits[DOUBLE_SHORTEST_DECIMAL_LEN];

	double_to_shortest_decimal_buf(value, digits);
	appendStringInfoString(buf, digits);
}

/* Append `count` doubles separated by commas. */
static void
append_doubles(StringInfo buf, const double *values, int count)
{
	int			i;

	for (i = 0; i < count; i++)
	{
		if (i > 0)
			appendStringInfoChar(buf, ',');
		append_double(buf, values[i]);
	}
}

PG_FUNCTION_INFO_V1(noa_curve_out);

/* Text output of noa.curve. */
Datum
noa_curve_out(PG_FUNCTION_ARGS)
{
	NoaCurve   *curve = PG_GETARG_NOACURVE_P(0);
	noa_curve  *fit = &curve->fit;
	StringInfoData buf;
	double	   *scalars[lengthof(scalar_names)];
	int			i;

	initStringInfo(&buf);
	if (NOA_CURVE_HAS_CARRYOVER(curve))
	{
		appendStringInfo(&buf, "v%d:%s;carryover=%s;period_days=%d;theta=", NOA_CURVE_VERSION_CARRYOVER,
						 noa_model_name(fit->model), carryover_kind_name, curve->carry.period_days);
		append_double(&buf, curve->carry.theta);
		appendStringInfoString(&buf, ";theta_se=");
		append_double(&buf, curve->carry.theta_se);
		appendStringInfo(&buf, ";carryover_flags=%d;evaluations=%d", curve->carry.flags, curve->carry.evaluations);
	}
	else
		appendStringInfo(&buf, "v%d:%s", NOA_CURVE_VERSION, noa_model_name(fit->model));
	appendStringInfo(&buf, ";status=%s;n=%d;iterations=%d;starts=%d;converged_starts=%d;flags=%d;params=",
					 noa_fit_status_name(fit->status),
					 fit->n, fit->iterations, fit->n_starts, fit->n_starts_converged, fit->flags);
	append_doubles(&buf, fit->param, NOA_MAX_PARAMS);
	appendStringInfoString(&buf, ";cov=");
	append_doubles(&buf, fit->cov, NOA_MAX_PARAMS * NOA_MAX_PARAMS);
	curve_scalars(fit, scalars);
	for (i = 0; i < (int) lengthof(scalar_names); i++)
	{
		appendStringInfo(&buf, ";%s=", scalar_names[i]);
		append_double(&buf, *scalars[i]);
	}
	PG_FREE_IF_COPY(curve, 0);
	PG_RETURN_CSTRING(buf.data);
}

/* Parser state for curve_in: the remaining input and the original literal. */
typedef struct CurveParser
{
	char	   *pos;
	const char *literal;
} CurveParser;

/* Report a malformed literal. */
static void pg_attribute_noreturn()
curve_syntax_error(CurveParser *p, const char *problem)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type noa.curve: \"%s\"", p->literal),
			 errdetail("%s", problem),
			 errhint("Use the text form that noa.curve values print, e.g. the output of noa.fit_curve().")));
}

/* Consume the literal `expected` (e.g. ";n=") or fail. */
static void
expect_token(CurveParser *p, const char *expected)
{
	size_t		len = strlen(expected);

	if (strncmp(p->pos, expected, len) != 0)
		curve_syntax_error(p, psprintf("expected \"%s\" at \"%.20s\"", expected, p->pos));
	p->pos += len;
}

/* Read a word of letters and underscores. */
static char *
read_word(CurveParser *p)
{
	char	   *start = p->pos;

	while ((*p->pos >= 'a' && *p->pos <= 'z') || *p->pos == '_')
		p->pos++;
	return pnstrdup(start, p->pos - start);
}

/* Read a non-negative decimal integer. */
static int32
read_int(CurveParser *p)
{
	char	   *end;
	long		value;

	if (*p->pos < '0' || *p->pos > '9')
		curve_syntax_error(p, psprintf("expected a non-negative integer at \"%.20s\"", p->pos));
	errno = 0;
	value = strtol(p->pos, &end, 10);
	if (errno != 0 || value > PG_INT32_MAX)
		curve_syntax_error(p, "integer out of range");
	p->pos = end;
	return (int32) value;
}

/* Read a finite double. */
static double
read_double(CurveParser *p)
{
	char	   *end;
	double		value;

	errno = 0;
	value = strtod(p->pos, &end);
	if (end == p->pos)
		curve_syntax_error(p, psprintf("expected a number at \"%.20s\"", p->pos));
	if (!isfinite(value) || (errno == ERANGE && fabs(value) > 1.0))
		curve_syntax_error(p, "numbers must be finite (no NaN or Infinity)");
	p->pos = end;
	return value;
}

/* Read `count` comma-separated doubles. */
static void
read_doubles(CurveParser *p, double *out, int count)
{
	int			i;

	for (i = 0; i < count; i++)
	{
		if (i > 0)
			expect_token(p, ",");
		out[i] = read_double(p);
	}
}

PG_FUNCTION_INFO_V1(noa_curve_in);

/* Text input of noa.curve: the exact form noa_curve_out prints. */
Datum
noa_curve_in(PG_FUNCTION_ARGS)
{
	char	   *literal = PG_GETARG_CSTRING(0);
	CurveParser p = {literal, literal};
	noa_curve	fit;
	noa_carryover carry;
	double	   *scalars[lengthof(scalar_names)];
	char	   *word;
	int			value,
				version,
				i;
	const char *problem;

	memset(&fit, 0, sizeof(fit));
	memset(&carry, 0, sizeof(carry));
	expect_token(&p, "v");
	version = read_int(&p);
	if (version != NOA_CURVE_VERSION && version != NOA_CURVE_VERSION_CARRYOVER)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("noa.curve text format version is not supported: \"%s\"", literal),
				 errhint("This build of noa reads versions %d and %d.", NOA_CURVE_VERSION,
						 NOA_CURVE_VERSION_CARRYOVER)));
	expect_token(&p, ":");
	word = read_word(&p);
	value = noa_model_from_name(word);
	if (value < NOA_MODEL_FIRST)
		curve_syntax_error(&p, psprintf("unknown model family \"%s\"", word));
	fit.model = value;
	if (version == NOA_CURVE_VERSION_CARRYOVER)
	{
		expect_token(&p, ";carryover=");
		word = read_word(&p);
		if (strcmp(word, carryover_kind_name) != 0)
			curve_syntax_error(&p, psprintf("unknown carryover kind \"%s\"", word));
		carry.kind = NOA_ADSTOCK_GEOMETRIC;
		expect_token(&p, ";period_days=");
		carry.period_days = read_int(&p);
		expect_token(&p, ";theta=");
		carry.theta = read_double(&p);
		expect_token(&p, ";theta_se=");
		carry.theta_se = read_double(&p);
		expect_token(&p, ";carryover_flags=");
		carry.flags = read_int(&p);
		expect_token(&p, ";evaluations=");
		carry.evaluations = read_int(&p);
	}
	expect_token(&p, ";status=");
	word = read_word(&p);
	value = noa_fit_status_from_name(word);
	if (value < 0)
		curve_syntax_error(&p, psprintf("unknown fit status \"%s\"", word));
	fit.status = value;
	expect_token(&p, ";n=");
	fit.n = read_int(&p);
	expect_token(&p, ";iterations=");
	fit.iterations = read_int(&p);
	expect_token(&p, ";starts=");
	fit.n_starts = read_int(&p);
	expect_token(&p, ";converged_starts=");
	fit.n_starts_converged = read_int(&p);
	expect_token(&p, ";flags=");
	fit.flags = read_int(&p);
	expect_token(&p, ";params=");
	read_doubles(&p, fit.param, NOA_MAX_PARAMS);
	expect_token(&p, ";cov=");
	read_doubles(&p, fit.cov, NOA_MAX_PARAMS * NOA_MAX_PARAMS);
	curve_scalars(&fit, scalars);
	for (i = 0; i < (int) lengthof(scalar_names); i++)
	{
		expect_token(&p, ";");
		expect_token(&p, scalar_names[i]);
		expect_token(&p, "=");
		*scalars[i] = read_double(&p);
	}
	if (*p.pos != '\0')
		curve_syntax_error(&p, psprintf("unexpected trailing text \"%.20s\"", p.pos));
	problem = noa_curve_problem(&fit);
	if (problem == NULL && version == NOA_CURVE_VERSION_CARRYOVER)
		problem = carryover_problem(&fit, &carry);
	if (problem)
		curve_syntax_error(&p, problem);
	PG_RETURN_NOACURVE_P(noa_curve_make_carryover(&fit, &carry));
}

PG_FUNCTION_INFO_V1(noa_curve_send);

/* Binary output: fields in network byte order. */
Datum
noa_curve_send(PG_FUNCTION_ARGS)
{
	NoaCurve   *curve = PG_GETARG_NOACURVE_P(0);
	noa_curve  *fit = &curve->fit;
	StringInfoData buf;
	double	   *scalars[lengthof(scalar_names)];
	int			i;

	pq_begintypsend(&buf);
	if (NOA_CURVE_HAS_CARRYOVER(curve))
	{
		pq_sendbyte(&buf, NOA_CURVE_VERSION_CARRYOVER);
		pq_sendint32(&buf, curve->carry.kind);
		pq_sendint32(&buf, curve->carry.flags);
		pq_sendint32(&buf, curve->carry.evaluations);
		pq_sendint32(&buf, curve->carry.period_days);
		pq_sendfloat8(&buf, curve->carry.theta);
		pq_sendfloat8(&buf, curve->carry.theta_se);
	}
	else
		pq_sendbyte(&buf, NOA_CURVE_VERSION);
	pq_sendint32(&buf, fit->model);
	pq_sendint32(&buf, fit->status);
	pq_sendint32(&buf, fit->flags);
	pq_sendint32(&buf, fit->n);
	pq_sendint32(&buf, fit->iterations);
	pq_sendint32(&buf, fit->n_starts);
	pq_sendint32(&buf, fit->n_starts_converged);
	for (i = 0; i < NOA_MAX_PARAMS; i++)
		pq_sendfloat8(&buf, fit->param[i]);
	for (i = 0; i < NOA_MAX_PARAMS * NOA_MAX_PARAMS; i++)
		pq_sendfloat8(&buf, fit->cov[i]);
	curve_scalars(fit, scalars);
	for (i = 0; i < (int) lengthof(scalar_names); i++)
		pq_sendfloat8(&buf, *scalars[i]);
	PG_FREE_IF_COPY(curve, 0);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(noa_curve_recv);

/* Binary input: read every field, then re-validate the whole value. */
Datum
noa_curve_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	noa_curve	fit;
	noa_carryover carry;
	double	   *scalars[lengthof(scalar_names)];
	int			version,
				i;
	NoaCurve   *curve;

	memset(&fit, 0, sizeof(fit));
	memset(&carry, 0, sizeof(carry));
	version = pq_getmsgbyte(buf);
	if (version != NOA_CURVE_VERSION && version != NOA_CURVE_VERSION_CARRYOVER)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("noa.curve binary format version %d is not supported", version)));
	if (version == NOA_CURVE_VERSION_CARRYOVER)
	{
		carry.kind = pq_getmsgint(buf, 4);
		carry.flags = pq_getmsgint(buf, 4);
		carry.evaluations = pq_getmsgint(buf, 4);
		carry.period_days = pq_getmsgint(buf, 4);
		carry.theta = pq_getmsgfloat8(buf);
		carry.theta_se = pq_getmsgfloat8(buf);
	}
	fit.model = pq_getmsgint(buf, 4);
	fit.status = pq_getmsgint(buf, 4);
	fit.flags = pq_getmsgint(buf, 4);
	fit.n = pq_getmsgint(buf, 4);
	fit.iterations = pq_getmsgint(buf, 4);
	fit.n_starts = pq_getmsgint(buf, 4);
	fit.n_starts_converged = pq_getmsgint(buf, 4);
	for (i = 0; i < NOA_MAX_PARAMS; i++)
		fit.param[i] = pq_getmsgfloat8(buf);
	for (i = 0; i < NOA_MAX_PARAMS * NOA_MAX_PARAMS; i++)
		fit.cov[i] = pq_getmsgfloat8(buf);
	curve_scalars(&fit, scalars);
	for (i = 0; i < (int) lengthof(scalar_names); i++)
		*scalars[i] = pq_getmsgfloat8(buf);
	if (buf->cursor != buf->len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid noa.curve binary value: %d trailing bytes", buf->len - buf->cursor)));
	{
		const char *problem = noa_curve_problem(&fit);

		if (problem == NULL && version == NOA_CURVE_VERSION_CARRYOVER)
			problem = carryover_problem(&fit, &carry);
		if (problem)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid noa.curve binary value: %s", problem)));
	}
	curve = noa_curve_make_carryover(&fit, &carry);
	PG_RETURN_NOACURVE_P(curve);
}

/* Append "name":value for a JSON number. */
static void
json_number(StringInfo buf, const char *name, double value, bool comma)
{
	appendStringInfo(buf, "%s\"%s\":", comma ? "," : "", name);
	append_double(buf, value);
}

PG_FUNCTION_INFO_V1(noa_curve_to_jsonb);

/* Cast noa.curve to jsonb: named parameters, standard errors and statistics. */
Datum
noa_curve_to_jsonb(PG_FUNCTION_ARGS)
{
	NoaCurve   *curve = PG_GETARG_NOACURVE_P(0);
	noa_curve  *fit = &curve->fit;
	int			np = noa_model_nparams(fit->model);
	bool		usable = curve_usable(fit);
	StringInfoData buf;
	double	   *scalars[lengthof(scalar_names)];
	int			i,
				j;

	noa_curve_validate(curve);
	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"version\":%d,\"model\":\"%s\",\"status\":\"%s\",\"auto_selected\":%s,"
					 "\"at_bound\":%s,\"n\":%d,\"iterations\":%d,\"starts\":%d,\"converged_starts\":%d,\"params\":",
					 curve->version, noa_model_name(fit->model), noa_fit_status_name(fit->status),
					 (fit->flags & NOA_CURVE_FLAG_AUTO) ? "true" : "false",
					 (fit->flags & NOA_CURVE_FLAG_AT_BOUND) ? "true" : "false",
					 fit->n, fit->iterations, fit->n_starts, fit->n_starts_converged);
	if (usable)
	{
		appendStringInfoChar(&buf, '{');
		for (i = 0; i < np; i++)
			json_number(&buf, noa_model_param_name(fit->model, i), fit->param[i], i > 0);
		appendStringInfoString(&buf, "},\"std_errors\":{");
		for (i = 0; i < np; i++)
			json_number(&buf, noa_model_param_name(fit->model, i),
						sqrt(fmax(0.0, fit->cov[i * NOA_MAX_PARAMS + i])), i > 0);
		appendStringInfoString(&buf, "},\"cov\":[");
		for (i = 0; i < np; i++)
		{
			appendStringInfoString(&buf, i > 0 ? ",[" : "[");
			append_doubles(&buf, &fit->cov[i * NOA_MAX_PARAMS], np);
			appendStringInfoChar(&buf, ']');
		}
		appendStringInfoChar(&buf, ']');
	}
	else
		appendStringInfoString(&buf, "null,\"std_errors\":null,\"cov\":null");
	curve_scalars(fit, scalars);
	for (j = 0; j < (int) lengthof(scalar_names); j++)
		json_number(&buf, scalar_names[j], *scalars[j], true);
	if (fit->flags & NOA_CURVE_FLAG_LONG_RUN)
		appendStringInfoString(&buf, ",\"long_run\":true");
	if (NOA_CURVE_HAS_CARRYOVER(curve))
	{
		appendStringInfo(&buf, ",\"carryover\":{\"kind\":\"%s\"", carryover_kind_name);
		json_number(&buf, "theta", curve->carry.theta, true);
		json_number(&buf, "theta_se", curve->carry.theta_se, true);
		appendStringInfo(&buf, ",\"period_days\":%d", curve->carry.period_days);
		json_number(&buf, "half_life_days", curve->carry.period_days * noa_adstock_half_life(curve->carry.theta), true);
		appendStringInfo(&buf, ",\"at_bound\":%s,\"evaluations\":%d,\"answers\":\"long_run\"}",
						 (curve->carry.flags & NOA_CARRYOVER_FLAG_AT_BOUND) ? "true" : "false",
						 curve->carry.evaluations);
	}
	appendStringInfoChar(&buf, '}');
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}
