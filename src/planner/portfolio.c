/*
 * portfolio.c — the noa.portfolio type and the noa.portfolio(...) aggregate.
 *
 * Text form: a JSON object, items sorted by key, numbers in shortest exact
 * form so the value round-trips bit for bit:
 *   {"version": 1, "items": [{"key": "c1", "group": "awareness",
 *     "current_spend": 1000, "min_spend": null, "max_spend": 2000,
 *     "value_per_unit": 25, "locked": false, "curve": "v1:hill;..."}]}
 *
 * The aggregate keeps every row in a builder (internal state with combine,
 * serial and deserial, so it runs under parallel query); the final function
 * sorts the items by key (byte order) so the value never depends on the plan
 * or row order, and rejects duplicate keys.
 */
#include "postgres.h"

#include <math.h>

#include "noa.h"
#include "common/shortest_dec.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "noa_curve.h"
#include "portfolio.h"

extern Datum noa_curve_in(PG_FUNCTION_ARGS);
extern Datum noa_curve_out(PG_FUNCTION_ARGS);

/* Largest item count whose value stays under the palloc limit. */
#define PORTFOLIO_MAX_ITEMS ((int32) ((MaxAllocSize / 2) / sizeof(PortfolioItem)))

/* Fewest bytes an item takes on the wire: flags, an empty key's length, four amounts. */
#define PORTFOLIO_WIRE_MIN_ITEM (4 + 4 + 4 * 8)

/* Number of float8 fields of a curve on the wire: params, covariance, statistics. */
#define CURVE_WIRE_DOUBLES (NOA_MAX_PARAMS + NOA_MAX_PARAMS * NOA_MAX_PARAMS + 8)

/* ------------------------------------------------------------------ builder */

void
noa_portfolio_builder_init(PortfolioBuilder *b, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);

	b->cxt = cxt;
	b->count = 0;
	b->capacity = 0;
	b->items = NULL;
	initStringInfo(&b->strings);
	MemoryContextSwitchTo(old);
}

/* Reject a bad number in an item, naming the item and the field. */
static void
check_amount(const char *key, const char *field, double v, bool positive)
{
	if (isnan(v) || isinf(v) || v < 0.0 || (positive && v == 0.0) || v >= NOA_MAX_AMOUNT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("noa.portfolio: item \"%s\": %s must be a finite %s number below 1e13, not %g",
						key, field, positive ? "positive" : "non-negative", v),
				 errhint("Pass NULL for an unknown or absent %s; repair or filter rows with NaN, "
						 "Infinity or negative values.", field)));
}

/* Copy the curve fields of a stored value into a noa.curve and validate it. */
static void
check_curve(const char *key, const noa_curve *fit)
{
	NoaCurve   *curve = noa_curve_make(fit);

	PG_TRY();
	{
		noa_curve_validate(curve);
	}
	PG_CATCH();
	{
		errcontext("item \"%s\" of a noa.portfolio", key);
		PG_RE_THROW();
	}
	PG_END_TRY();
	pfree(curve);
}

void
noa_portfolio_builder_add(PortfolioBuilder *b, const char *key, const char *group,
						  const PortfolioItem *fields)
{
	PortfolioItem *it;
	MemoryContext old;
	uint32		flags = fields->flags & ~PF_HAS_GROUP;

	if ((fields->flags & ~PF_ALL_FLAGS) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid noa.portfolio item \"%s\": unknown flag bits", key)));
	if (flags & PF_HAS_CURRENT)
		check_amount(key, "current_spend", fields->current_spend, false);
	if (flags & PF_HAS_MIN)
		check_amount(key, "min_spend", fields->min_spend, false);
	if (flags & PF_HAS_MAX)
		check_amount(key, "max_spend", fields->max_spend, false);
	if ((flags & PF_HAS_MIN) && (flags & PF_HAS_MAX) && fields->min_spend > fields->max_spend)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("noa.portfolio: item \"%s\": min_spend %g is above max_spend %g",
						key, fields->min_spend, fields->max_spend),
				 errhint("Swap or correct the bounds of this item; pass NULL for no bound.")));
	if (flags & PF_HAS_VALUE)
		check_amount(key, "value_per_unit", fields->value_per_unit, true);
	if (flags & PF_HAS_CURVE)
		check_curve(key, &fields->fit);

	if (b->count >= PORTFOLIO_MAX_ITEMS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("noa.portfolio: more than %d items", PORTFOLIO_MAX_ITEMS),
				 errhint("Allocate over a coarser grain (e.g. campaigns rather than ad groups).")));
	old = MemoryContextSwitchTo(b->cxt);
	if (b->count == b->capacity)
	{
		b->capacity = Max(16, Min(2 * b->capacity, PORTFOLIO_MAX_ITEMS));
		b->items = b->items == NULL ? palloc(sizeof(PortfolioItem) * b->capacity)
			: repalloc(b->items, sizeof(PortfolioItem) * b->capacity);
	}
	it = &b->items[b->count];
	memset(it, 0, sizeof(*it));
	if (flags & PF_HAS_CURVE)
		it->fit = fields->fit;
	it->current_spend = (flags & PF_HAS_CURRENT) ? fields->current_spend : 0.0;
	it->min_spend = (flags & PF_HAS_MIN) ? fields->min_spend : 0.0;
	it->max_spend = (flags & PF_HAS_MAX) ? fields->max_spend : 0.0;
	it->value_per_unit = (flags & PF_HAS_VALUE) ? fields->value_per_unit : 0.0;
	it->key_off = b->strings.len;
	it->key_len = strlen(key);
	appendBinaryStringInfo(&b->strings, key, it->key_len + 1);
	if (group != NULL)
	{
		flags |= PF_HAS_GROUP;
		it->group_off = b->strings.len;
		it->group_len = strlen(group);
		appendBinaryStringInfo(&b->strings, group, it->group_len + 1);
	}
	it->flags = flags;
	b->count++;
	MemoryContextSwitchTo(old);
}

/* Sort context: the builder whose keys are compared. */
static const PortfolioBuilder *sort_builder;

/* Order item indexes by key, byte by byte. */
static int
key_cmp(const void *a, const void *b)
{
	const PortfolioItem *p = &sort_builder->items[*(const int32 *) a];
	const PortfolioItem *q = &sort_builder->items[*(const int32 *) b];

	return strcmp(sort_builder->strings.data + p->key_off, sort_builder->strings.data + q->key_off);
}

NoaPortfolio *
noa_portfolio_build(const PortfolioBuilder *b)
{
	int32	   *order = palloc(sizeof(int32) * Max(b->count, 1));
	NoaPortfolio *pf;
	StringInfoData strings;
	Size		size;
	int32		i;

	for (i = 0; i < b->count; i++)
		order[i] = i;
	sort_builder = b;
	qsort(order, b->count, sizeof(int32), key_cmp);
	for (i = 1; i < b->count; i++)
	{
		const char *k = b->strings.data + b->items[order[i]].key_off;

		if (strcmp(k, b->strings.data + b->items[order[i - 1]].key_off) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("noa.portfolio: duplicate key \"%s\"", k),
					 errdetail("Each item of a portfolio needs its own key."),
					 errhint("Aggregate one row per campaign (e.g. GROUP BY the key first), or make the key unique.")));
	}

	initStringInfo(&strings);
	for (i = 0; i < b->count; i++)
	{
		const PortfolioItem *src = &b->items[order[i]];

		appendBinaryStringInfo(&strings, b->strings.data + src->key_off, src->key_len + 1);
		if (src->flags & PF_HAS_GROUP)
			appendBinaryStringInfo(&strings, b->strings.data + src->group_off, src->group_len + 1);
	}
	size = offsetof(NoaPortfolio, items) + sizeof(PortfolioItem) * (Size) b->count + strings.len;
	if (!AllocSizeIsValid(size))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("noa.portfolio value would exceed 1 GB")));
	pf = palloc0(size);
	SET_VARSIZE(pf, size);
	pf->version = NOA_PORTFOLIO_VERSION;
	pf->n_items = b->count;
	pf->strings_len = strings.len;
	{
		uint32		off = 0;

		for (i = 0; i < b->count; i++)
		{
			PortfolioItem *dst = &pf->items[i];

			*dst = b->items[order[i]];
			dst->key_off = off;
			off += dst->key_len + 1;
			if (dst->flags & PF_HAS_GROUP)
			{
				dst->group_off = off;
				off += dst->group_len + 1;
			}
		}
	}
	memcpy((char *) &pf->items[b->count], strings.data, strings.len);
	pfree(strings.data);
	pfree(order);
	return pf;
}

/* --------------------------------------------------------- binary encoding */

/* Write a string: raw bytes, or converted to the client encoding. */
static void
send_string(StringInfo buf, const char *s, bool client)
{
	if (client)
		pq_sendcountedtext(buf, s, strlen(s), false);
	else
	{
		pq_sendint32(buf, strlen(s));
		pq_sendbytes(buf, s, strlen(s));
	}
}

/* Read a string written by send_string, refusing NUL bytes. */
static char *
recv_string(StringInfo buf, bool client)
{
	int32		len = pq_getmsgint(buf, 4);
	const char *raw;

	if (len < 0 || len > buf->len - buf->cursor)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid noa.portfolio binary value: bad string length %d", len)));
	raw = pq_getmsgbytes(buf, len);
	if (memchr(raw, '\0', len) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid noa.portfolio binary value: NUL byte in a key or group")));
	/* pg_client_to_server returns its input when no conversion is needed */
	return client ? pg_client_to_server(pnstrdup(raw, len), len) : pnstrdup(raw, len);
}

/* Pointers to a curve's float8 fields in wire order. */
static void
curve_doubles(noa_curve *fit, double **out)
{
	int			i,
				k = 0;

	for (i = 0; i < NOA_MAX_PARAMS; i++)
		out[k++] = &fit->param[i];
	for (i = 0; i < NOA_MAX_PARAMS * NOA_MAX_PARAMS; i++)
		out[k++] = &fit->cov[i];
	out[k++] = &fit->ssr;
	out[k++] = &fit->sigma;
	out[k++] = &fit->r2;
	out[k++] = &fit->aicc;
	out[k++] = &fit->x_min;
	out[k++] = &fit->x_max;
	out[k++] = &fit->x_mean;
	out[k++] = &fit->y_mean;
}

void
noa_portfolio_encode(StringInfo buf, const PortfolioItem *items, int32 count, const char *strings,
					 bool client_encoding)
{
	int32		i,
				k;

	pq_sendint32(buf, count);
	for (i = 0; i < count; i++)
	{
		const PortfolioItem *it = &items[i];
		noa_curve	fit = it->fit;
		double	   *d[CURVE_WIRE_DOUBLES];

		CHECK_FOR_INTERRUPTS();
		pq_sendint32(buf, it->flags);
		send_string(buf, strings + it->key_off, client_encoding);
		if (it->flags & PF_HAS_GROUP)
			send_string(buf, strings + it->group_off, client_encoding);
		pq_sendfloat8(buf, it->current_spend);
		pq_sendfloat8(buf, it->min_spend);
		pq_sendfloat8(buf, it->max_spend);
		pq_sendfloat8(buf, it->value_per_unit);
		if (!(it->flags & PF_HAS_CURVE))
			continue;
		pq_sendint32(buf, fit.model);
		pq_sendint32(buf, fit.status);
		pq_sendint32(buf, fit.flags);
		pq_sendint32(buf, fit.n);
		pq_sendint32(buf, fit.iterations);
		pq_sendint32(buf, fit.n_starts);
		pq_sendint32(buf, fit.n_starts_converged);
		curve_doubles(&fit, d);
		for (k = 0; k < CURVE_WIRE_DOUBLES; k++)
			pq_sendfloat8(buf, *d[k]);
	}
}

/*
 * Reject an item read from the wire whose flags, amounts or curve are
 * malformed, with the binary-input SQLSTATE (22P03) that noa.curve's own
 * binary input uses; the builder re-checks the rest.
 */
static void
wire_item_check(const PortfolioItem *it, const char *key)
{
	const char *problem = NULL;
	const double amounts[] = {it->current_spend, it->min_spend, it->max_spend, it->value_per_unit};
	int			k;

	if ((it->flags & ~PF_ALL_FLAGS) != 0)
		problem = "unknown flag bits";
	for (k = 0; problem == NULL && k < (int) lengthof(amounts); k++)
		if (!isfinite(amounts[k]) || amounts[k] < 0.0)
			problem = "amounts must be finite and non-negative";
	if (problem == NULL && (it->flags & PF_HAS_MIN) && (it->flags & PF_HAS_MAX) && it->min_spend > it->max_spend)
		problem = "min_spend is above max_spend";
	if (problem == NULL && (it->flags & PF_HAS_VALUE) && it->value_per_unit == 0.0)
		problem = "value_per_unit must be positive";
	if (problem == NULL && (it->flags & PF_HAS_CURVE))
		problem = noa_curve_problem(&it->fit);
	if (problem != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid noa.portfolio binary value: item \"%s\": %s", key, problem)));
}

void
noa_portfolio_decode(StringInfo buf, PortfolioBuilder *b, bool client_encoding)
{
	int32		count = pq_getmsgint(buf, 4);
	int32		i,
				k;

	/* refuse counts the message cannot hold */
	if (count < 0 || count > (buf->len - buf->cursor) / PORTFOLIO_WIRE_MIN_ITEM)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid noa.portfolio binary value: item count %d", count)));
	for (i = 0; i < count; i++)
	{
		PortfolioItem it;
		char	   *key,
				   *group = NULL;

		memset(&it, 0, sizeof(it));
		it.flags = pq_getmsgint(buf, 4);
		key = recv_string(buf, client_encoding);
		if (it.flags & PF_HAS_GROUP)
			group = recv_string(buf, client_encoding);
		it.current_spend = pq_getmsgfloat8(buf);
		it.min_spend = pq_getmsgfloat8(buf);
		it.max_spend = pq_getmsgfloat8(buf);
		it.value_per_unit = pq_getmsgfloat8(buf);
		if (it.flags & PF_HAS_CURVE)
		{
			double	   *d[CURVE_WIRE_DOUBLES];

			it.fit.model = pq_getmsgint(buf, 4);
			it.fit.status = pq_getmsgint(buf, 4);
			it.fit.flags = pq_getmsgint(buf, 4);
			it.fit.n = pq_getmsgint(buf, 4);
			it.fit.iterations = pq_getmsgint(buf, 4);
			it.fit.n_starts = pq_getmsgint(buf, 4);
			it.fit.n_starts_converged = pq_getmsgint(buf, 4);
			curve_doubles(&it.fit, d);
			for (k = 0; k < CURVE_WIRE_DOUBLES; k++)
				*d[k] = pq_getmsgfloat8(buf);
		}
		CHECK_FOR_INTERRUPTS();
		wire_item_check(&it, key);
		noa_portfolio_builder_add(b, key, group, &it);
	}
}

/* ------------------------------------------------------------- text form */

/* Append a double in shortest exact form, or null. */
static void
append_number(StringInfo buf, bool present, double v)
{
	char		digits[DOUBLE_SHORTEST_DECIMAL_LEN];

	if (!present)
	{
		appendStringInfoString(buf, "null");
		return;
	}
	double_to_shortest_decimal_buf(v, digits);
	appendStringInfoString(buf, digits);
}

PG_FUNCTION_INFO_V1(noa_portfolio_out);

/* Text output of noa.portfolio: the JSON object described at the top. */
Datum
noa_portfolio_out(PG_FUNCTION_ARGS)
{
	NoaPortfolio *pf = PG_GETARG_NOAPORTFOLIO_P(0);
	StringInfoData buf;
	int32		i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"version\": %d, \"items\": [", pf->version);
	for (i = 0; i < pf->n_items; i++)
	{
		const PortfolioItem *it = &pf->items[i];
		const char *group = PortfolioGroup(pf, it);

		CHECK_FOR_INTERRUPTS();
		if (i > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, "{\"key\": ");
		escape_json(&buf, PortfolioKey(pf, it));
		appendStringInfoString(&buf, ", \"group\": ");
		if (group)
			escape_json(&buf, group);
		else
			appendStringInfoString(&buf, "null");
		appendStringInfoString(&buf, ", \"current_spend\": ");
		append_number(&buf, it->flags & PF_HAS_CURRENT, it->current_spend);
		appendStringInfoString(&buf, ", \"min_spend\": ");
		append_number(&buf, it->flags & PF_HAS_MIN, it->min_spend);
		appendStringInfoString(&buf, ", \"max_spend\": ");
		append_number(&buf, it->flags & PF_HAS_MAX, it->max_spend);
		appendStringInfoString(&buf, ", \"value_per_unit\": ");
		append_number(&buf, it->flags & PF_HAS_VALUE, it->value_per_unit);
		appendStringInfo(&buf, ", \"locked\": %s, \"curve\": ", (it->flags & PF_LOCKED) ? "true" : "false");
		if (it->flags & PF_HAS_CURVE)
			escape_json(&buf, DatumGetCString(DirectFunctionCall1(noa_curve_out,
																  PointerGetDatum(noa_curve_make(&it->fit)))));
		else
			appendStringInfoString(&buf, "null");
		appendStringInfoChar(&buf, '}');
	}
	appendStringInfoString(&buf, "]}");
	PG_FREE_IF_COPY(pf, 0);
	PG_RETURN_CSTRING(buf.data);
}

/* Report malformed text input. */
static void pg_attribute_noreturn()
portfolio_syntax_error(const char *problem)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type noa.portfolio"),
			 errdetail("%s", problem),
			 errhint("Use the text form noa.portfolio values print, or build the value with the noa.portfolio() aggregate.")));
}

/* A field of a JSON object, required to be present. */
static JsonbValue *
json_field(JsonbContainer *obj, const char *name)
{
	JsonbValue *v = getKeyJsonValueFromContainer(obj, name, strlen(name), NULL);

	if (v == NULL)
		portfolio_syntax_error(psprintf("missing field \"%s\"", name));
	return v;
}

/* A JSON number (or null when allowed) as a double; *present tells which. */
static double
json_number(JsonbContainer *obj, const char *name, bool *present)
{
	JsonbValue *v = json_field(obj, name);

	*present = v->type != jbvNull;
	if (v->type == jbvNull)
		return 0.0;
	if (v->type != jbvNumeric)
		portfolio_syntax_error(psprintf("field \"%s\" must be a number or null", name));
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(v->val.numeric)));
}

/* A JSON string (or null) as a palloc'd C string, or NULL. */
static char *
json_string(JsonbContainer *obj, const char *name)
{
	JsonbValue *v = json_field(obj, name);

	if (v->type == jbvNull)
		return NULL;
	if (v->type != jbvString)
		portfolio_syntax_error(psprintf("field \"%s\" must be a string or null", name));
	if (memchr(v->val.string.val, '\0', v->val.string.len) != NULL)
		portfolio_syntax_error(psprintf("field \"%s\" contains a NUL character", name));
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/* Convert one JSON item object into builder fields. */
static void
parse_item(JsonbContainer *obj, PortfolioBuilder *b)
{
	PortfolioItem it;
	JsonbValue *locked;
	char	   *key,
			   *group,
			   *curve;
	bool		present;

	if (!JsonContainerIsObject(obj) || JsonContainerSize(obj) != 8)
		portfolio_syntax_error("each item must be an object with exactly the fields key, group, current_spend, "
							   "min_spend, max_spend, value_per_unit, locked and curve");
	memset(&it, 0, sizeof(it));
	key = json_string(obj, "key");
	if (key == NULL)
		portfolio_syntax_error("an item has a null key");
	group = json_string(obj, "group");
	it.current_spend = json_number(obj, "current_spend", &present);
	it.flags |= present ? PF_HAS_CURRENT : 0;
	it.min_spend = json_number(obj, "min_spend", &present);
	it.flags |= present ? PF_HAS_MIN : 0;
	it.max_spend = json_number(obj, "max_spend", &present);
	it.flags |= present ? PF_HAS_MAX : 0;
	it.value_per_unit = json_number(obj, "value_per_unit", &present);
	it.flags |= present ? PF_HAS_VALUE : 0;
	locked = json_field(obj, "locked");
	if (locked->type != jbvBool)
		portfolio_syntax_error("field \"locked\" must be true or false");
	it.flags |= locked->val.boolean ? PF_LOCKED : 0;
	curve = json_string(obj, "curve");
	if (curve != NULL)
	{
		NoaCurve   *c = (NoaCurve *) DatumGetPointer(DirectFunctionCall1(noa_curve_in, CStringGetDatum(curve)));

		it.fit = c->fit;
		it.flags |= PF_HAS_CURVE;
	}
	noa_portfolio_builder_add(b, key, group, &it);
}

PG_FUNCTION_INFO_V1(noa_portfolio_in);

/* Text input of noa.portfolio: the JSON form, items in any order. */
Datum
noa_portfolio_in(PG_FUNCTION_ARGS)
{
	char	   *literal = PG_GETARG_CSTRING(0);
	Jsonb	   *jb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(literal)));
	JsonbValue *version,
			   *items;
	PortfolioBuilder b;
	int32		n,
				i;

	if (!JB_ROOT_IS_OBJECT(jb) || JB_ROOT_IS_SCALAR(jb) || JsonContainerSize(&jb->root) != 2)
		portfolio_syntax_error("expected an object with exactly the fields \"version\" and \"items\"");
	version = json_field(&jb->root, "version");
	if (version->type != jbvNumeric ||
		DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(version->val.numeric))) != NOA_PORTFOLIO_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("noa.portfolio text format version is not supported"),
				 errhint("This build of noa reads version %d.", NOA_PORTFOLIO_VERSION)));
	items = json_field(&jb->root, "items");
	if (items->type != jbvBinary || !JsonContainerIsArray(items->val.binary.data))
		portfolio_syntax_error("field \"items\" must be an array");
	noa_portfolio_builder_init(&b, CurrentMemoryContext);
	n = JsonContainerSize(items->val.binary.data);
	for (i = 0; i < n; i++)
	{
		JsonbValue *elem = getIthJsonbValueFromContainer(items->val.binary.data, i);

		CHECK_FOR_INTERRUPTS();
		if (elem == NULL || elem->type != jbvBinary)
			portfolio_syntax_error("each item must be an object");
		parse_item(elem->val.binary.data, &b);
	}
	PG_RETURN_POINTER(noa_portfolio_build(&b));
}

PG_FUNCTION_INFO_V1(noa_portfolio_send);

/* Binary output: version byte, then the items (keys in the client encoding). */
Datum
noa_portfolio_send(PG_FUNCTION_ARGS)
{
	NoaPortfolio *pf = PG_GETARG_NOAPORTFOLIO_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, pf->version);
	noa_portfolio_encode(&buf, pf->items, pf->n_items, PortfolioStrings(pf), true);
	PG_FREE_IF_COPY(pf, 0);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(noa_portfolio_recv);

/* Binary input: every item re-validated, sorted, duplicates rejected. */
Datum
noa_portfolio_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	PortfolioBuilder b;
	int			version = pq_getmsgbyte(buf);

	if (version != NOA_PORTFOLIO_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("noa.portfolio binary format version %d is not supported", version)));
	noa_portfolio_builder_init(&b, CurrentMemoryContext);
	noa_portfolio_decode(buf, &b, true);
	if (buf->cursor != buf->len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid noa.portfolio binary value: %d trailing bytes", buf->len - buf->cursor)));
	PG_RETURN_POINTER(noa_portfolio_build(&b));
}

PG_FUNCTION_INFO_V1(noa_portfolio_to_jsonb);

/* Cast to jsonb: the text form, parsed. */
Datum
noa_portfolio_to_jsonb(PG_FUNCTION_ARGS)
{
	Datum		text = DirectFunctionCall1(noa_portfolio_out, PG_GETARG_DATUM(0));

	return DirectFunctionCall1(jsonb_in, text);
}

/* -------------------------------------------------------------- aggregate */

/* A float8 argument into an item field and its flag, when not NULL. */
static void
take_amount(FunctionCallInfo fcinfo, int argno, double *field, uint32 *flags, uint32 flag)
{
	if (!PG_ARGISNULL(argno))
	{
		*field = PG_GETARG_FLOAT8(argno);
		*flags |= flag;
	}
}

/*
 * Shared transition step.  Arguments after the state: key, curve,
 * current_spend, then per signature min_spend, max_spend, group,
 * value_per_unit, locked (group_at / value_at / min_at: argument positions
 * or -1).
 */
static Datum
portfolio_accum(FunctionCallInfo fcinfo, int min_at, int group_at, int value_at, int locked_at)
{
	MemoryContext aggcontext = noa_agg_context(fcinfo, "noa.portfolio transition");
	PortfolioBuilder *b = PG_ARGISNULL(0) ? NULL : (PortfolioBuilder *) PG_GETARG_POINTER(0);
	PortfolioItem it;
	char	   *key,
			   *group = NULL;

	if (b == NULL)
	{
		b = MemoryContextAlloc(aggcontext, sizeof(PortfolioBuilder));
		noa_portfolio_builder_init(b, aggcontext);
	}
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("noa.portfolio: the key must not be NULL"),
				 errdetail("A row without a key could not be reported, and its spend would be silently lost."),
				 errhint("Filter the rows (WHERE key IS NOT NULL) or use COALESCE to give them a key.")));
	key = text_to_cstring(PG_GETARG_TEXT_PP(1));
	memset(&it, 0, sizeof(it));
	if (!PG_ARGISNULL(2))
	{
		NoaCurve   *curve = PG_GETARG_NOACURVE_P(2);

		it.fit = curve->fit;
		it.flags |= PF_HAS_CURVE;
	}
	take_amount(fcinfo, 3, &it.current_spend, &it.flags, PF_HAS_CURRENT);
	if (min_at > 0)
	{
		take_amount(fcinfo, min_at, &it.min_spend, &it.flags, PF_HAS_MIN);
		take_amount(fcinfo, min_at + 1, &it.max_spend, &it.flags, PF_HAS_MAX);
	}
	if (group_at > 0 && !PG_ARGISNULL(group_at))
		group = text_to_cstring(PG_GETARG_TEXT_PP(group_at));
	if (value_at > 0)
		take_amount(fcinfo, value_at, &it.value_per_unit, &it.flags, PF_HAS_VALUE);
	else
	{
		it.value_per_unit = 1.0;
		it.flags |= PF_HAS_VALUE;
	}
	if (locked_at > 0 && !PG_ARGISNULL(locked_at) && PG_GETARG_BOOL(locked_at))
		it.flags |= PF_LOCKED;
	noa_portfolio_builder_add(b, key, group, &it);
	PG_RETURN_POINTER(b);
}

PG_FUNCTION_INFO_V1(noa_portfolio_accum3);

/* Transition of portfolio(key, curve, current_spend): value 1 per unit. */
Datum
noa_portfolio_accum3(PG_FUNCTION_ARGS)
{
	return portfolio_accum(fcinfo, -1, -1, -1, -1);
}

PG_FUNCTION_INFO_V1(noa_portfolio_accum5);

/* Transition of portfolio(key, curve, current_spend, group_name, value_per_unit). */
Datum
noa_portfolio_accum5(PG_FUNCTION_ARGS)
{
	return portfolio_accum(fcinfo, -1, 4, 5, -1);
}

PG_FUNCTION_INFO_V1(noa_portfolio_accum8);

/* Transition of portfolio(key, curve, current_spend, min_spend, max_spend, group_name, value_per_unit, locked). */
Datum
noa_portfolio_accum8(PG_FUNCTION_ARGS)
{
	return portfolio_accum(fcinfo, 4, 6, 7, 8);
}

PG_FUNCTION_INFO_V1(noa_portfolio_combine);

/* Combine two partial states (either may be NULL) into the first, in aggcontext. */
Datum
noa_portfolio_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = noa_agg_context(fcinfo, "noa.portfolio combine");
	PortfolioBuilder *a = PG_ARGISNULL(0) ? NULL : (PortfolioBuilder *) PG_GETARG_POINTER(0);
	PortfolioBuilder *b = PG_ARGISNULL(1) ? NULL : (PortfolioBuilder *) PG_GETARG_POINTER(1);
	int32		i;

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
	{
		a = MemoryContextAlloc(aggcontext, sizeof(PortfolioBuilder));
		noa_portfolio_builder_init(a, aggcontext);
	}
	for (i = 0; i < b->count; i++)
	{
		const PortfolioItem *it = &b->items[i];

		CHECK_FOR_INTERRUPTS();
		noa_portfolio_builder_add(a, b->strings.data + it->key_off,
								  (it->flags & PF_HAS_GROUP) ? b->strings.data + it->group_off : NULL, it);
	}
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(noa_portfolio_serial);

/* Serialize a state to bytea (items in arrival order). */
Datum
noa_portfolio_serial(PG_FUNCTION_ARGS)
{
	PortfolioBuilder *b = (PortfolioBuilder *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	noa_agg_context(fcinfo, "noa.portfolio serial");
	pq_begintypsend(&buf);
	noa_portfolio_encode(&buf, b->items, b->count, b->strings.data, false);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(noa_portfolio_deserial);

/* Rebuild a state from bytea, checking every field before trusting it. */
Datum
noa_portfolio_deserial(PG_FUNCTION_ARGS)
{
	bytea	   *data = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	PortfolioBuilder *b;

	noa_agg_context(fcinfo, "noa.portfolio deserial");
	noa_serial_reader(data, &buf);
	b = palloc(sizeof(PortfolioBuilder));
	noa_portfolio_builder_init(b, CurrentMemoryContext);
	noa_portfolio_decode(&buf, b, false);
	if (buf.cursor != buf.len)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid serialized noa.portfolio state: %d trailing bytes", buf.len - buf.cursor)));
	PG_RETURN_POINTER(b);
}

PG_FUNCTION_INFO_V1(noa_portfolio_final);

/* Final function: the items sorted by key as a noa.portfolio (NULL for no rows). */
Datum
noa_portfolio_final(PG_FUNCTION_ARGS)
{
	noa_agg_context(fcinfo, "noa.portfolio final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_POINTER(noa_portfolio_build((PortfolioBuilder *) PG_GETARG_POINTER(0)));
}
