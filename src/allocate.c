/*
 * allocate.c — noa.allocate, noa.allocation_summary and noa.simulate over a
 * noa.portfolio: argument checks, item bounds, the call into the allocation
 * core (alloc_solver.h) and flat, BI-ready rows with plain-words explanations.
 *
 * Bad input: NaN, negative or infinite amounts, unknown objectives or groups,
 * contradictory bounds and infeasible constraints raise SQLSTATE 22023 with a
 * hint.  Items without a usable curve, without a current spend or (except for
 * a CPA target) without a value per unit are excluded: they appear with
 * status 'excluded' and the reason, and take no part in the budget.
 */
#include "postgres.h"

#include <ctype.h>
#include <math.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "alloc_solver.h"
#include "curve_accessors.h"
#include "noa.h"
#include "portfolio.h"

/* ---------------------------------------------------------- formatting */

/* A number rounded to `decimals` places with thousands separators: 12,345.67. */
static char *
fmt_number(double v, int decimals)
{
	char		digits[64];
	StringInfoData buf;
	char	   *dot;
	int			len,
				i;

	if (fabs(v) >= 1e15)
		return psprintf("%.6g", v);
	snprintf(digits, sizeof(digits), "%.*f", decimals, fabs(v));
	dot = strchr(digits, '.');
	len = dot ? dot - digits : strlen(digits);
	initStringInfo(&buf);
	if (v < 0.0 && strspn(digits, "0.") != strlen(digits))
		appendStringInfoChar(&buf, '-');
	for (i = 0; i < len; i++)
	{
		if (i > 0 && (len - i) % 3 == 0)
			appendStringInfoChar(&buf, ',');
		appendStringInfoChar(&buf, digits[i]);
	}
	if (dot)
		appendStringInfoString(&buf, dot);
	return buf.data;
}

/* An amount of money: 12,345.67. */
static char *
fmt_money(double v)
{
	return isfinite(v) ? fmt_number(v, 2) : pstrdup("an unbounded amount");
}

/* A signed change of money: +1,200.00 or -350.00. */
static char *
fmt_delta(double v)
{
	return v >= 0.0 ? psprintf("+%s", fmt_money(v)) : fmt_money(v);
}

/* A return per unit of spend (marginal ROAS, ROAS): two decimals. */
static char *
fmt_ratio(double v)
{
	if (isinf(v))
		return pstrdup("an unbounded amount");
	if (isnan(v))
		return pstrdup("an unknown amount");
	return psprintf("%.2f", v);
}

/* A response count: one decimal, three significant digits below 10. */
static char *
fmt_quantity(double v)
{
	if (!isfinite(v))
		return pstrdup("unknown");
	return fabs(v) >= 10.0 ? fmt_number(v, 1) : psprintf("%.3g", v);
}

/* ------------------------------------------------------------ row building */

typedef struct RowBuilder
{
	Datum	   *values;
	bool	   *nulls;
	int			col;
	int			natts;
} RowBuilder;

/* Start a row for a result descriptor of natts columns. */
static void
row_start(RowBuilder *row, int natts)
{
	row->values = palloc0(sizeof(Datum) * natts);
	row->nulls = palloc0(sizeof(bool) * natts);
	row->col = 0;
	row->natts = natts;
}

/* Next column: text, NULL for a NULL string. */
static void
put_text(RowBuilder *row, const char *s)
{
	Assert(row->col < row->natts);
	row->nulls[row->col] = s == NULL;
	row->values[row->col++] = s == NULL ? (Datum) 0 : CStringGetTextDatum(s);
}

/* Next column: money as numeric rounded to cents, NULL when not finite. */
static void
put_money(RowBuilder *row, double v)
{
	Assert(row->col < row->natts);
	row->nulls[row->col] = !isfinite(v);
	row->values[row->col++] = !isfinite(v) ? (Datum) 0
		: DirectFunctionCall2(numeric_round, DirectFunctionCall1(float8_numeric, Float8GetDatum(v)),
							  Int32GetDatum(2));
}

/* Next column: float8, NULL when not finite. */
static void
put_float(RowBuilder *row, double v)
{
	Assert(row->col < row->natts);
	row->nulls[row->col] = !isfinite(v);
	row->values[row->col++] = Float8GetDatum(isfinite(v) ? v : 0.0);
}

/* Next column: integer. */
static void
put_int(RowBuilder *row, int v)
{
	Assert(row->col < row->natts);
	row->nulls[row->col] = false;
	row->values[row->col++] = Int32GetDatum(v);
}

/* Next column: boolean. */
static void
put_bool(RowBuilder *row, bool v)
{
	Assert(row->col < row->natts);
	row->nulls[row->col] = false;
	row->values[row->col++] = BoolGetDatum(v);
}

/* ------------------------------------------------------- shared estimates */

/* Sum of independent estimates: values add, half-widths add in quadrature. */
typedef struct Total
{
	double		value;
	double		var;			/* Σ half-width² (NaN once any is unknown) */
} Total;

/* Add an interval estimate to a total. */
static void
total_add(Total *t, interval_estimate e)
{
	double		hw = e.hi - e.value;

	t->value += e.value;
	t->var += isfinite(hw) ? hw * hw : NAN;
}

/* The total as an interval (lower end floored at 0 like the items'). */
static interval_estimate
total_interval(const Total *t)
{
	interval_estimate e;
	double		hw = sqrt(t->var);

	e.value = t->value;
	e.lo = isfinite(hw) ? fmax(0.0, t->value - hw) : NAN;
	e.hi = isfinite(hw) ? t->value + hw : NAN;
	return e;
}

/*
 * Change of the response between two spends on one curve, with the
 * delta-method interval of the difference (the two responses share the
 * curve's parameters, so their errors are correlated).
 */
static interval_estimate
delta_interval(const noa_curve *fit, double x0, double x1, double level)
{
	interval_estimate e;
	double		g0[NOA_MAX_PARAMS],
				g1[NOA_MAX_PARAMS],
				var = 0.0,
				t = noa_curve_t_quantile(fit, level),
				hw;
	int			np = noa_model_nparams(fit->model),
				i,
				j;

	e.value = noa_curve_value(fit->model, fit->param, x1) - noa_curve_value(fit->model, fit->param, x0);
	noa_curve_value_grad(fit->model, fit->param, x0, g0);
	noa_curve_value_grad(fit->model, fit->param, x1, g1);
	for (i = 0; i < np; i++)
		for (j = 0; j < np; j++)
			var += (g1[i] - g0[i]) * fit->cov[i * NOA_MAX_PARAMS + j] * (g1[j] - g0[j]);
	hw = isfinite(t) && var >= 0.0 ? t * sqrt(var) : NAN;
	e.lo = e.value - hw;
	e.hi = e.value + hw;
	return e;
}

/* Whether a spend lies outside the range the curve was fitted on. */
static bool
extrapolated(const noa_curve *fit, double x)
{
	return x > fit->x_max * (1.0 + 1e-9) || (x > 0.0 && x < fit->x_min * (1.0 - 1e-9));
}

/* A clause on extrapolation for an explanation, or "". */
static char *
extrapolation_clause(const noa_curve *fit, double x)
{
	if (x > fit->x_max * (1.0 + 1e-9))
		return psprintf("; %s is above the highest spend observed (%s), so this part of the curve is an extrapolation",
						fmt_money(x), fmt_money(fit->x_max));
	if (x > 0.0 && x < fit->x_min * (1.0 - 1e-9))
		return psprintf("; %s is below the lowest spend observed (%s), so this part of the curve is an extrapolation",
						fmt_money(x), fmt_money(fit->x_min));
	return "";
}

/* ---------------------------------------------------------- the portfolio */

typedef enum Objective
{
	OBJ_MAX_RESPONSE,
	OBJ_MAX_PROFIT,
	OBJ_MIN_SPEND,
	OBJ_TARGET_ROAS,
	OBJ_TARGET_CPA
} Objective;

static const char *const objective_names[] = {
	"max_response", "max_profit", "min_spend", "target_roas", "target_cpa"
};

/* One portfolio item as the functions see it. */
typedef struct ItemPlan
{
	const PortfolioItem *src;
	const char *key;
	const char *group;
	const char *excluded;		/* reason, or NULL when included */
	double		current;
	double		vpu;			/* value per unit, NaN when unknown */
	double		lo,
				hi;				/* effective bounds (allocate) */
	const char *lo_source;		/* "zero", "min_spend", "max_decrease", "locked" */
	const char *hi_source;		/* NULL (none), "max_spend", "max_increase", "locked" */
	int			core;			/* index in the allocation problem, or -1 */
} ItemPlan;

/* Include or exclude each item; value_needed: whether a missing value per unit excludes. */
static ItemPlan *
plan_items(const NoaPortfolio *pf, bool value_needed)
{
	ItemPlan   *plan = palloc0(sizeof(ItemPlan) * Max(pf->n_items, 1));
	int			i;

	for (i = 0; i < pf->n_items; i++)
	{
		const PortfolioItem *it = &pf->items[i];
		ItemPlan   *p = &plan[i];

		p->src = it;
		p->key = PortfolioKey(pf, it);
		p->group = PortfolioGroup(pf, it);
		p->current = (it->flags & PF_HAS_CURRENT) ? it->current_spend : NAN;
		p->vpu = (it->flags & PF_HAS_VALUE) ? it->value_per_unit : NAN;
		p->core = -1;
		if (!(it->flags & PF_HAS_CURVE))
			p->excluded = "no curve";
		else if (!curve_usable(&it->fit))
			p->excluded = psprintf("the curve has no usable fit (status %s)", noa_fit_status_name(it->fit.status));
		else if (!(it->flags & PF_HAS_CURRENT))
			p->excluded = "the current spend is NULL";
		else if (value_needed && !(it->flags & PF_HAS_VALUE))
			p->excluded = "value_per_unit is NULL";
	}
	return plan;
}

/* ------------------------------------------------------- argument checks */

/* A float8 argument, or NaN when NULL. */
static double
arg_or_nan(FunctionCallInfo fcinfo, int argno)
{
	return PG_ARGISNULL(argno) ? NAN : PG_GETARG_FLOAT8(argno);
}

/* Reject NaN, ±Infinity and negative values of an optional argument. */
static void
check_optional_amount(FunctionCallInfo fcinfo, int argno, const char *name, const char *hint)
{
	double		v;

	if (PG_ARGISNULL(argno))
		return;
	v = PG_GETARG_FLOAT8(argno);
	if (isnan(v) || isinf(v) || v < 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite, non-negative number, not %g", name, v),
				 errhint("%s", hint)));
}

/* The objective named by a text argument (NULL: max_response). */
static Objective
parse_objective(FunctionCallInfo fcinfo, int argno)
{
	char	   *name;
	int			i;

	if (PG_ARGISNULL(argno))
		return OBJ_MAX_RESPONSE;
	name = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	for (i = 0; i < (int) lengthof(objective_names); i++)
		if (pg_strcasecmp(name, objective_names[i]) == 0)
			return (Objective) i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown allocation objective \"%s\"", name),
			 errhint("Use one of: max_response (spend the budget for the most value), max_profit "
					 "(spend until marginal ROAS falls to target), min_spend (least spend reaching target value), "
					 "target_roas or target_cpa (most value while the portfolio meets target).")));
	return OBJ_MAX_RESPONSE;	/* keep the compiler quiet */
}

/* One "name=value" entry of a group limit list. */
typedef struct GroupSpec
{
	char	   *name;
	double		value;
} GroupSpec;

/*
 * Parse a group limit list "awareness=0.2, search=0.1" (names may be
 * double-quoted; entries separated by commas or semicolons).  Shares must
 * lie in [0, 1], amounts be finite and non-negative; a name may appear once.
 */
static GroupSpec *
parse_group_specs(const char *spec, const char *argname, bool share, int *count)
{
	GroupSpec  *out = palloc0(sizeof(GroupSpec) * (strlen(spec) / 2 + 1));
	const char *p = spec;
	int			n = 0,
				i;

	*count = 0;
	for (;;)
	{
		StringInfoData name;
		char	   *end;
		double		v;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == ',' || *p == ';')
			p++;
		if (*p == '\0')
			break;
		initStringInfo(&name);
		if (*p == '"')
		{
			for (p++; *p && !(*p == '"' && p[1] != '"'); p++)
			{
				if (*p == '"')
					p++;
				appendStringInfoChar(&name, *p);
			}
			if (*p != '"')
				goto syntax;
			p++;
		}
		else
		{
			while (*p && *p != '=' && *p != ',' && *p != ';')
				appendStringInfoChar(&name, *p++);
			while (name.len > 0 && isspace((unsigned char) name.data[name.len - 1]))
				name.data[--name.len] = '\0';
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '=' || name.len == 0)
			goto syntax;
		p++;
		errno = 0;
		v = strtod(p, &end);
		if (end == p)
			goto syntax;
		p = end;
		if (*p == '%' && share)
		{
			v /= 100.0;
			p++;
		}
		if (isnan(v) || isinf(v) || v < 0.0 || (share && v > 1.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: the value for group \"%s\" must be %s, not %g", argname, name.data,
							share ? "a share between 0 and 1" : "a finite, non-negative amount", v),
					 errhint(share ? "Write shares as fractions or percentages: 'awareness=0.2' or 'awareness=20%%'."
							 : "Write amounts in the portfolio's currency: 'awareness=20000'.")));
		for (i = 0; i < n; i++)
			if (strcmp(out[i].name, name.data) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s names group \"%s\" twice", argname, name.data)));
		out[n].name = name.data;
		out[n].value = v;
		n++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '\0' && *p != ',' && *p != ';' && *p != '\n')
			goto syntax;
	}
	*count = n;
	return out;

syntax:
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid %s \"%s\"", argname, spec),
			 errdetail("Expected a list of group=value entries separated by commas."),
			 errhint("For example '%s'; double-quote group names containing commas or '='.",
					 share ? "awareness=0.2, conversion=0.1" : "awareness=20000, search=50000")));
	return NULL;				/* keep the compiler quiet */
}

/* --------------------------------------------------------- the allocation */

/* Everything one allocate / allocation_summary call computes. */
typedef struct Allocation
{
	NoaPortfolio *pf;
	ItemPlan   *plan;
	Objective	objective;
	double		budget;			/* NaN when none */
	double		target;			/* as given (CPA for target_cpa); NaN when none */
	double		level;
	double		max_increase,
				max_decrease;	/* NaN when none */
	int			n_core;
	int			n_groups;
	char	  **group_names;
	noa_alloc_group *groups;
	noa_alloc_item *items;
	noa_alloc_result res;
	double	   *money;			/* recommended spends in cents that add up to the rounded total */
	int			n_locked,
				n_excluded;
} Allocation;

/* The core group index of a name, or -1. */
static int
group_index(const Allocation *a, const char *name)
{
	int			g;

	for (g = 0; g < a->n_groups; g++)
		if (strcmp(a->group_names[g], name) == 0)
			return g;
	return -1;
}

/* The groups of included items in key order of first appearance; all limits open. */
static void
collect_groups(Allocation *a)
{
	int			i;

	a->group_names = palloc(sizeof(char *) * Max(a->pf->n_items, 1));
	a->groups = palloc(sizeof(noa_alloc_group) * Max(a->pf->n_items, 1));
	a->n_groups = 0;
	for (i = 0; i < a->pf->n_items; i++)
	{
		const ItemPlan *p = &a->plan[i];
		noa_alloc_group *gr;

		if (p->excluded || p->group == NULL || group_index(a, p->group) >= 0)
			continue;
		a->group_names[a->n_groups] = (char *) p->group;
		gr = &a->groups[a->n_groups++];
		gr->min_spend = 0.0;
		gr->max_spend = INFINITY;
		gr->min_share = 0.0;
		gr->max_share = 1.0;
	}
}

/* Apply one group limit list (argument argno) to the groups. */
static void
apply_group_specs(FunctionCallInfo fcinfo, Allocation *a, int argno, const char *argname,
				  bool share, bool minimum)
{
	GroupSpec  *specs;
	int			n,
				k,
				g;

	if (PG_ARGISNULL(argno))
		return;
	specs = parse_group_specs(text_to_cstring(PG_GETARG_TEXT_PP(argno)), argname, share, &n);
	for (k = 0; k < n; k++)
	{
		noa_alloc_group *gr;

		g = group_index(a, specs[k].name);
		if (g < 0)
		{
			StringInfoData names;

			initStringInfo(&names);
			for (g = 0; g < a->n_groups; g++)
				appendStringInfo(&names, "%s\"%s\"", g > 0 ? ", " : "", a->group_names[g]);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s names group \"%s\", which has no included item in the portfolio",
							argname, specs[k].name),
					 errhint(a->n_groups > 0 ? "Groups of the included items: %s." :
							 "No included item has a group: pass group_name to noa.portfolio().%s",
							 names.data)));
		}
		gr = &a->groups[g];
		if (share && minimum)
			gr->min_share = specs[k].value;
		else if (share)
			gr->max_share = specs[k].value;
		else if (minimum)
			gr->min_spend = specs[k].value;
		else
			gr->max_spend = specs[k].value;
		if (gr->min_share > gr->max_share || gr->min_spend > gr->max_spend)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("group \"%s\": its minimum %s is above its maximum", specs[k].name,
							share ? "share" : "spend"),
					 errhint("Check group_min_%s and group_max_%s.", share ? "share" : "spend",
							 share ? "share" : "spend")));
	}
}

/* Effective bounds of an included item from its limits and the relative changes. */
static void
item_bounds(Allocation *a, ItemPlan *p)
{
	const PortfolioItem *it = p->src;

	if (it->flags & PF_LOCKED)
	{
		p->lo = p->hi = p->current;
		p->lo_source = p->hi_source = "locked";
		return;
	}
	p->lo = 0.0;
	p->lo_source = "zero";
	if ((it->flags & PF_HAS_MIN) && it->min_spend >= p->lo)
	{
		p->lo = it->min_spend;
		p->lo_source = "min_spend";
	}
	if (!isnan(a->max_decrease) && p->current * (1.0 - a->max_decrease) > p->lo)
	{
		p->lo = p->current * (1.0 - a->max_decrease);
		p->lo_source = "max_decrease";
	}
	p->hi = INFINITY;
	p->hi_source = NULL;
	if (it->flags & PF_HAS_MAX)
	{
		p->hi = it->max_spend;
		p->hi_source = "max_spend";
	}
	if (!isnan(a->max_increase) && p->current * (1.0 + a->max_increase) < p->hi)
	{
		p->hi = p->current * (1.0 + a->max_increase);
		p->hi_source = "max_increase";
	}
	if (p->lo > p->hi)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("item \"%s\": its lowest allowed spend %s (%s) is above its highest %s (%s)",
						p->key, fmt_money(p->lo), p->lo_source, fmt_money(p->hi), p->hi_source),
				 errdetail("Current spend %s; min_spend and max_spend come from the portfolio, "
						   "max_decrease and max_increase from the call.", fmt_money(p->current)),
				 errhint("Widen the item's bounds or the relative limits.")));
}

/* Sum of the lowest allowed spends of locked items and of the others. */
static void
minimum_parts(const Allocation *a, double *locked, double *others)
{
	int			i;

	*locked = *others = 0.0;
	for (i = 0; i < a->pf->n_items; i++)
	{
		const ItemPlan *p = &a->plan[i];

		if (p->core < 0)
			continue;
		if (p->src->flags & PF_LOCKED)
			*locked += p->lo;
		else
			*others += p->lo;
	}
}

/* The key of the item with index k in the allocation problem. */
static const char *
core_key(const Allocation *a, int k)
{
	int			i;

	for (i = 0; i < a->pf->n_items; i++)
		if (a->plan[i].core == k)
			return a->plan[i].key;
	return "?";
}

/* Turn a failure of the core into an error naming what conflicts. */
static void pg_attribute_noreturn()
report_failure(const Allocation *a, int rc)
{
	const noa_alloc_result *r = &a->res;
	const char *gname = r->fail_group >= 0 ? a->group_names[r->fail_group] : NULL;
	double		locked,
				others;

	if (rc == NOA_ERR_INTERRUPTED)
		noa_raise_cancel();
	if (rc == NOA_ERR_NOMEM)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory while allocating a budget over %d items", a->n_core)));
	if (rc != NOA_ALLOC_ERR_INFEASIBLE && rc != NOA_ALLOC_ERR_UNBOUNDED)
		elog(ERROR, "noa_alloc_solve rejected its input (code %d)", rc);
	switch (r->failure)
	{
		case NOA_ALLOC_FAIL_BUDGET:
			minimum_parts(a, &locked, &others);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the budget %s is below the %s that the minimums need", fmt_money(r->fail_have),
							fmt_money(r->fail_need)),
					 errdetail("Locked items hold %s; minimum spends (min_spend, max_decrease) add up to %s; "
							   "group floors account for the rest.", fmt_money(locked), fmt_money(others)),
					 errhint("Raise the budget, or lower min_spend, max_decrease or the group floors, or unlock items.")));
			break;
		case NOA_ALLOC_FAIL_GROUP_FLOOR:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("group \"%s\" must get at least %s, but its items can take at most %s",
							gname, fmt_money(r->fail_need), fmt_money(r->fail_have)),
					 errhint("Lower the group's floor, or raise its items' max_spend or max_increase.")));
			break;
		case NOA_ALLOC_FAIL_GROUP_CAP:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("group \"%s\" is capped at %s, but its items' minimums add up to %s",
							gname, fmt_money(r->fail_have), fmt_money(r->fail_need)),
					 errhint("Raise the group's cap, or lower its items' min_spend or max_decrease, or unlock them.")));
			break;
		case NOA_ALLOC_FAIL_SHARES:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the minimum group shares add up to %.4g%%, more than 100%%", 100.0 * r->fail_need),
					 errhint("Lower group_min_share.")));
			break;
		case NOA_ALLOC_FAIL_UNBOUNDED:
			if (r->fail_item < 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("the objective has no finite answer: even at a total spend of %s the next unit "
								"still beats the target", fmt_money(r->fail_need)),
						 errhint("Use a more demanding target, pass a budget, or give the items a max_spend.")));
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the objective has no finite answer: item \"%s\" (%s curve) keeps returning %s per unit "
							"at any spend, at or above the target %s",
							core_key(a, r->fail_item), noa_model_name(a->items[r->fail_item].model),
							fmt_ratio(r->fail_need), fmt_ratio(r->fail_have)),
					 errhint("Give the item a max_spend, pass a budget, or use a curve family that saturates.")));
			break;
		case NOA_ALLOC_FAIL_TARGET:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("target value %s is more than these curves can ever return (%s at unlimited spend)",
							fmt_quantity(r->fail_need), fmt_quantity(r->fail_have)),
					 errhint("Lower the target, or add items with room to grow.")));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("no allocation satisfies the bounds and group limits together"),
					 errdetail("They need a total of at least %s but allow at most %s%s%s%s.",
							   fmt_money(r->fail_need), fmt_money(r->fail_have),
							   gname ? " (the limit comes from group \"" : "", gname ? gname : "",
							   gname ? "\"'s minimum share)" : ""),
					 errhint("Loosen the group shares or the items' bounds, or change the budget.")));
	}
	pg_unreachable();
}

/* An amount rounded to cents. */
static double
round_cents(double v)
{
	return round(v * 100.0) / 100.0;
}

/* Remainders to round up first: larger remainder, then earlier item. */
static const double *cmp_remainders;

static int
remainder_cmp(const void *a, const void *b)
{
	int			i = *(const int *) a,
				j = *(const int *) b;

	if (cmp_remainders[i] != cmp_remainders[j])
		return cmp_remainders[i] > cmp_remainders[j] ? -1 : 1;
	return i < j ? -1 : (i > j);
}

/*
 * Round the recommended spends to cents so that they add up to the rounded
 * total: floor every amount, then give the missing cents to the largest
 * remainders (the first in key order on ties).
 */
static void
round_allocation(Allocation *a)
{
	double	   *rem = palloc(sizeof(double) * Max(a->n_core, 1));
	int		   *order = palloc(sizeof(int) * Max(a->n_core, 1));
	double		total = 0.0,
				floors = 0.0;
	int64		missing;
	int			k;

	a->money = palloc(sizeof(double) * Max(a->n_core, 1));
	for (k = 0; k < a->n_core; k++)
		total += a->res.x[k];
	if (!(total * 100.0 < 1e15))
	{
		/* beyond exact cents in a double: plain rounding */
		for (k = 0; k < a->n_core; k++)
			a->money[k] = round_cents(a->res.x[k]);
		return;
	}
	for (k = 0; k < a->n_core; k++)
	{
		double		cents = a->res.x[k] * 100.0;

		a->money[k] = floor(cents);
		rem[k] = cents - a->money[k];
		floors += a->money[k];
		order[k] = k;
	}
	cmp_remainders = rem;
	qsort(order, a->n_core, sizeof(int), remainder_cmp);
	missing = (int64) (round(total * 100.0) - floors);
	for (k = 0; k < a->n_core && k < missing; k++)
		a->money[order[k]] += 1.0;
	for (k = 0; k < a->n_core; k++)
		a->money[k] /= 100.0;
	pfree(rem);
	pfree(order);
}

/*
 * Read the arguments of allocate / allocation_summary, build the problem and
 * solve it.  Returns NULL for a NULL portfolio.
 */
static Allocation *
run_allocation(FunctionCallInfo fcinfo)
{
	Allocation *a;
	noa_alloc_problem pb;
	int			i,
				k,
				rc;

	if (PG_ARGISNULL(0))
		return NULL;
	a = palloc0(sizeof(Allocation));
	a->pf = PG_GETARG_NOAPORTFOLIO_P(0);
	a->objective = parse_objective(fcinfo, 2);
	check_optional_amount(fcinfo, 1, "budget", "Pass the budget in the portfolio's currency per period, or NULL for none.");
	a->budget = arg_or_nan(fcinfo, 1);
	a->target = arg_or_nan(fcinfo, 3);
	if (!PG_ARGISNULL(3) && (isnan(a->target) || isinf(a->target) || a->target < 0.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("target must be a finite, non-negative number, not %g", a->target)));
	check_optional_amount(fcinfo, 4, "max_increase", "Write the largest relative increase as a fraction: 0.3 for +30%.");
	check_optional_amount(fcinfo, 5, "max_decrease", "Write the largest relative decrease as a fraction: 0.3 for -30%.");
	a->max_increase = arg_or_nan(fcinfo, 4);
	a->max_decrease = arg_or_nan(fcinfo, 5);
	if (a->max_decrease > 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_decrease must be between 0 and 1, not %g", a->max_decrease),
				 errhint("1 allows cutting an item to zero; 0.3 allows -30%%.")));
	a->level = PG_ARGISNULL(10) ? 0.9 : PG_GETARG_FLOAT8(10);
	check_level_arg(a->level);

	switch (a->objective)
	{
		case OBJ_MAX_RESPONSE:
			if (isnan(a->budget))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("objective max_response needs a budget"),
						 errhint("Pass budget => 100000, or use max_profit to let the curves decide the total.")));
			if (!isnan(a->target))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("objective max_response takes no target"),
						 errhint("To stop where marginal ROAS falls to a target, use objective max_profit with the budget as a cap.")));
			break;
		case OBJ_MAX_PROFIT:
			if (isnan(a->target))
				a->target = 1.0;
			if (a->target == 0.0 && isnan(a->budget))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("max_profit with a target marginal ROAS of 0 needs a budget"),
						 errhint("Without a budget a target of 0 spends without limit; use max_response to spend a budget.")));
			break;
		default:
			if (isnan(a->target) || (a->objective != OBJ_MIN_SPEND && a->target == 0.0))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("objective %s needs a %s target", objective_names[a->objective],
								a->objective == OBJ_MIN_SPEND ? "non-negative" : "positive"),
						 errhint(a->objective == OBJ_MIN_SPEND ? "Pass target => the response value to reach." :
								 a->objective == OBJ_TARGET_ROAS ? "Pass target => the lowest acceptable ROAS, e.g. 3." :
								 "Pass target => the highest acceptable cost per response.")));
			break;
	}

	a->plan = plan_items(a->pf, a->objective != OBJ_TARGET_CPA);
	collect_groups(a);
	apply_group_specs(fcinfo, a, 6, "group_min_share", true, true);
	apply_group_specs(fcinfo, a, 7, "group_max_share", true, false);
	apply_group_specs(fcinfo, a, 8, "group_min_spend", false, true);
	apply_group_specs(fcinfo, a, 9, "group_max_spend", false, false);

	a->items = palloc0(sizeof(noa_alloc_item) * Max(a->pf->n_items, 1));
	for (i = 0; i < a->pf->n_items; i++)
	{
		ItemPlan   *p = &a->plan[i];
		noa_alloc_item *it;

		if (p->excluded)
		{
			a->n_excluded++;
			continue;
		}
		item_bounds(a, p);
		p->core = a->n_core++;
		it = &a->items[p->core];
		it->model = p->src->fit.model;
		memcpy(it->param, p->src->fit.param, sizeof(it->param));
		it->weight = a->objective == OBJ_TARGET_CPA ? 1.0 : p->vpu;
		it->lo = p->lo;
		it->hi = p->hi;
		it->group = p->group ? group_index(a, p->group) : -1;
		if (p->src->flags & PF_LOCKED)
			a->n_locked++;
	}

	memset(&pb, 0, sizeof(pb));
	pb.objective = a->objective == OBJ_MAX_RESPONSE ? NOA_ALLOC_MAX_RESPONSE :
		a->objective == OBJ_MAX_PROFIT ? NOA_ALLOC_MAX_PROFIT :
		a->objective == OBJ_MIN_SPEND ? NOA_ALLOC_MIN_SPEND : NOA_ALLOC_TARGET_ROAS;
	pb.n_items = a->n_core;
	pb.items = a->items;
	pb.n_groups = a->n_groups;
	pb.groups = a->groups;
	pb.budget = isnan(a->budget) ? INFINITY : a->budget;
	pb.target = a->objective == OBJ_TARGET_CPA ? 1.0 / a->target : (isnan(a->target) ? 0.0 : a->target);
	pb.interrupted = noa_cancel_requested;
	a->res.x = palloc0(sizeof(double) * Max(a->n_core, 1));
	a->res.price = palloc0(sizeof(double) * Max(a->n_core, 1));
	a->res.position = palloc0(sizeof(int) * Max(a->n_core, 1));
	a->res.group_state = palloc0(sizeof(int) * Max(a->n_groups, 1));
	rc = noa_alloc_solve(&pb, &a->res);
	if (rc != NOA_OK)
		report_failure(a, rc);
	for (k = 0; k < a->n_core; k++)
		a->res.x[k] = fmax(a->items[k].lo, fmin(a->items[k].hi, a->res.x[k]));
	round_allocation(a);
	return a;
}

/* ------------------------------------------------------------ explanations */

/* "Raise from A to B (+D)", "Cut from A to B (-D)" or "Keep at A". */
static char *
change_phrase(double from, double to)
{
	if (fabs(to - from) < 0.005)
		return psprintf("Keep at %s", fmt_money(from));
	return psprintf("%s from %s to %s (%s)", to > from ? "Raise" : "Cut", fmt_money(from), fmt_money(to),
					fmt_delta(to - from));
}

/* The constraint that decides an included item's spend. */
static const char *
binding_of(const Allocation *a, const ItemPlan *p)
{
	int			k = p->core;
	int			g = a->items[k].group;

	switch (a->res.position[k])
	{
		case NOA_ALLOC_FIXED:
			return p->lo_source;
		case NOA_ALLOC_BELOW_THRESHOLD:
			return p->lo > 0.0 ? p->lo_source : "s_curve_threshold";
		case NOA_ALLOC_AT_LOWER:
			return p->lo_source;
		case NOA_ALLOC_AT_UPPER:
			return p->hi_source ? p->hi_source : "max_spend";
		default:
			break;
	}
	if (g >= 0 && a->res.group_state[g] == NOA_ALLOC_GROUP_FLOOR)
		return "group_floor";
	if (g >= 0 && a->res.group_state[g] == NOA_ALLOC_GROUP_CAP)
		return "group_cap";
	switch (a->objective)
	{
		case OBJ_MAX_RESPONSE:
			return "budget";
		case OBJ_MAX_PROFIT:
			return a->res.limit == NOA_ALLOC_LIMIT_BUDGET ? "budget" : "target_mroas";
		case OBJ_MIN_SPEND:
			return "target_response";
		case OBJ_TARGET_ROAS:
			return a->res.limit == NOA_ALLOC_LIMIT_TARGET ? "target_roas" : "budget";
		default:
			return a->res.limit == NOA_ALLOC_LIMIT_TARGET ? "target_cpa" : "budget";
	}
}

/* Floor or cap amount of group g at the allocation's total, with how it was set. */
static char *
group_limit_phrase(const Allocation *a, int g, bool floor_limit)
{
	const noa_alloc_group *gr = &a->groups[g];
	double		total = a->res.total_spend;

	if (floor_limit)
		return gr->min_share * total >= gr->min_spend
			? psprintf("at least %s (%.4g%% of the spend)", fmt_money(gr->min_share * total), 100.0 * gr->min_share)
			: psprintf("at least %s", fmt_money(gr->min_spend));
	return gr->max_share * total <= gr->max_spend
		? psprintf("at most %s (%.4g%% of the spend)", fmt_money(gr->max_share * total), 100.0 * gr->max_share)
		: psprintf("at most %s", fmt_money(gr->max_spend));
}

/* One sentence on why an included item gets its spend. */
static char *
item_explanation(const Allocation *a, const ItemPlan *p, double x, double m_now, double m_after,
				 interval_estimate r_now, interval_estimate r_after)
{
	const char *binding = binding_of(a, p);
	const char *level = fmt_ratio(a->res.level);
	double		price = a->res.price[p->core];
	char	   *what = change_phrase(p->current, x);
	char	   *why;
	char	   *resp;

	if (strcmp(binding, "locked") == 0)
		why = psprintf("Locked at %s as requested; the next unit returns %s", fmt_money(x), fmt_ratio(m_after));
	else if (strcmp(binding, "s_curve_threshold") == 0)
		why = psprintf("%s: this S-shaped curve only pays back after a larger spend, and the budget returns %s per unit elsewhere",
					   what, level);
	else if (strcmp(binding, "zero") == 0)
		why = psprintf("%s: even the first unit returns %s, less than the %s per unit the budget earns elsewhere",
					   what, fmt_ratio(m_after), level);
	else if (strcmp(binding, "min_spend") == 0 || strcmp(binding, "max_decrease") == 0)
		why = psprintf("%s, the lowest %s allows: the next unit returns %s, less than the %s per unit elsewhere",
					   what, binding, fmt_ratio(m_after), level);
	else if (strcmp(binding, "max_spend") == 0 || strcmp(binding, "max_increase") == 0)
		why = psprintf("%s, the highest %s allows: the last unit still returns %s, more than the %s per unit elsewhere",
					   what, binding, fmt_ratio(m_after), level);
	else if (strcmp(binding, "group_floor") == 0 || strcmp(binding, "group_cap") == 0)
	{
		bool		is_floor = binding[6] == 'f';
		int			g = a->items[p->core].group;

		why = psprintf("%s: group \"%s\" must get %s, so within it spend goes where it returns most, ending at %s per unit "
					   "(%s the %s elsewhere)", what, p->group, group_limit_phrase(a, g, is_floor), fmt_ratio(price),
					   is_floor ? "below" : "above", level);
	}
	else if (strcmp(binding, "target_mroas") == 0)
		why = psprintf("%s: spend until the next unit returns the target %s (it returns %s at the current spend)",
					   what, fmt_ratio(a->target), fmt_ratio(m_now));
	else if (strcmp(binding, "target_response") == 0)
		why = psprintf("%s: the cheapest way to reach the target spends here until the next unit returns %s", what, level);
	else if (strcmp(binding, "target_roas") == 0)
		why = psprintf("%s: spend until the next unit returns %s, where the portfolio's ROAS meets the target %s",
					   what, level, fmt_ratio(a->target));
	else if (strcmp(binding, "target_cpa") == 0)
		why = psprintf("%s: spend until the next unit returns %s responses per unit, where the portfolio's cost per response meets the target %s",
					   what, level, fmt_money(a->target));
	else
		why = psprintf("%s: the next unit returns %s here (%s at the current spend), the same as every freely set item, "
					   "which is where the budget earns most", what, fmt_ratio(m_after), fmt_ratio(m_now));
	resp = psprintf("; expected response %s to %s (%g%% interval %s to %s)", fmt_quantity(r_now.value),
					fmt_quantity(r_after.value), 100.0 * a->level, fmt_quantity(r_after.lo), fmt_quantity(r_after.hi));
	return psprintf("%s%s%s.", why, resp, extrapolation_clause(&p->src->fit, x));
}

/* What limits the total, in words, for the summary and the total row. */
static char *
limit_phrase(const Allocation *a)
{
	const noa_alloc_result *r = &a->res;
	double		unspent = isnan(a->budget) ? 0.0 : a->budget - r->total_spend;

	switch (r->limit)
	{
		case NOA_ALLOC_LIMIT_BUDGET:
			return psprintf("the budget of %s is spent", fmt_money(r->total_spend));
		case NOA_ALLOC_LIMIT_BOUNDS:
			return psprintf("%s is spent, all that the items' maximum spends and the group caps allow%s",
							fmt_money(r->total_spend),
							unspent > 0.005 ? psprintf(" (%s of the budget stays unspent)", fmt_money(unspent)) : "");
		case NOA_ALLOC_LIMIT_MINIMUM:
			return psprintf("%s is spent, the least that the minimum spends, locks and group floors allow",
							fmt_money(r->total_spend));
		default:
			break;
	}
	switch (a->objective)
	{
		case OBJ_MAX_PROFIT:
			return psprintf("%s is spent: beyond it the next unit returns less than the target %s%s",
							fmt_money(r->total_spend), fmt_ratio(a->target),
							unspent > 0.005 ? psprintf(", so %s of the budget stays unspent", fmt_money(unspent)) : "");
		case OBJ_MIN_SPEND:
			return psprintf("%s is the least spend that reaches the target", fmt_money(r->total_spend));
		case OBJ_TARGET_ROAS:
			return psprintf("%s is spent: beyond it the portfolio's ROAS would fall below %s",
							fmt_money(r->total_spend), fmt_ratio(a->target));
		default:
			return psprintf("%s is spent: beyond it the cost per response would rise above %s",
							fmt_money(r->total_spend), fmt_money(a->target));
	}
}

/* The solution status as a word. */
static const char *
status_name(const Allocation *a)
{
	const noa_alloc_result *r = &a->res;

	if (a->n_core == 0)
		return "no_items";
	switch (r->status)
	{
		case NOA_ALLOC_OPTIMAL:
			return "optimal";
		case NOA_ALLOC_GAP:
			return "within_gap";
		default:
			return "target_not_reachable";
	}
}

/* The limit as a word (the total row's binding_constraint). */
static const char *
limit_name(const Allocation *a)
{
	switch (a->res.limit)
	{
		case NOA_ALLOC_LIMIT_BUDGET:
			return "budget";
		case NOA_ALLOC_LIMIT_BOUNDS:
			return "bounds";
		case NOA_ALLOC_LIMIT_MINIMUM:
			return "minimums";
		default:
			return a->objective == OBJ_MAX_PROFIT ? "target_mroas" :
				a->objective == OBJ_MIN_SPEND ? "target_response" :
				a->objective == OBJ_TARGET_ROAS ? "target_roas" : "target_cpa";
	}
}

/* The method as a word. */
static const char *
method_name(const noa_alloc_result *r)
{
	switch (r->method)
	{
		case NOA_ALLOC_METHOD_KKT:
			return "equal_marginal_returns";
		case NOA_ALLOC_METHOD_ENUMERATED:
			return "s_curve_enumeration";
		default:
			return "s_curve_rounding";
	}
}

/* One sentence on the whole allocation. */
static char *
summary_explanation(const Allocation *a, double value_now, double value_after)
{
	const noa_alloc_result *r = &a->res;
	char	   *limit = limit_phrase(a);
	char	   *status;

	limit[0] = pg_toupper((unsigned char) limit[0]);
	if (a->n_core == 0)
		return psprintf("No item can be allocated: the portfolio has %d item%s and none has a usable curve, "
						"a current spend and a value per unit.", a->pf->n_items, a->pf->n_items == 1 ? "" : "s");
	if (r->status == NOA_ALLOC_UNREACHABLE)
	{
		limit = a->objective == OBJ_MIN_SPEND
			? psprintf("The target cannot be reached within the limits: spending %s, the most they allow, reaches %s",
					   fmt_money(r->total_spend), fmt_quantity(r->total_value))
			: psprintf("The target cannot be met at any spend the limits allow: the closest allocation spends %s for a %s of %s",
					   fmt_money(r->total_spend), a->objective == OBJ_TARGET_CPA ? "cost per response" : "ROAS",
					   a->objective == OBJ_TARGET_CPA ? fmt_money(r->total_spend / r->total_value)
					   : fmt_ratio(r->total_value / r->total_spend));
		status = pstrdup("nothing is certified for an unreachable target");
	}
	else if (r->status == NOA_ALLOC_GAP)
		status = psprintf("S-shaped curves make this a hard problem: the answer is within %.2g%% of the best possible",
						  100.0 * r->gap_rel);
	else
		status = pstrdup("optimal: no other split within the limits does better (certified by the dual bound)");
	return psprintf("%s; %s; value %s to %s (%s)%s.", limit, status,
					fmt_money(value_now), fmt_money(value_after), fmt_delta(value_after - value_now),
					a->n_excluded > 0 ? psprintf("; %d item%s excluded (see their rows)", a->n_excluded,
												 a->n_excluded == 1 ? "" : "s") : "");
}

/* ------------------------------------------------------------- allocate */

/* Per-item figures of an allocation row. */
typedef struct ItemFigures
{
	interval_estimate r_now,
				r_after,
				m_after;
	double		m_now;
	double		x;
	bool		extrapolated;
} ItemFigures;

/* Response, marginal return and extrapolation of an included item. */
static ItemFigures
item_figures(const Allocation *a, const ItemPlan *p)
{
	ItemFigures f;
	const noa_curve *fit = &p->src->fit;
	double		vpu = isnan(p->vpu) ? 1.0 : p->vpu;

	f.x = a->res.x[p->core];
	f.r_now = curve_response_interval(fit, p->current, a->level);
	f.r_after = curve_response_interval(fit, f.x, a->level);
	f.m_now = noa_curve_slope(fit->model, fit->param, p->current) * vpu;
	f.m_after = curve_marginal_interval(fit, f.x, vpu, a->level);
	f.extrapolated = extrapolated(fit, f.x);
	return f;
}

/* A ratio a/b, NaN unless b > 0. */
static double
ratio(double num, double den)
{
	return den > 0.0 ? num / den : NAN;
}

#define ALLOCATE_COLS 29

PG_FUNCTION_INFO_V1(noa_allocate);

/*
 * SQL: allocate(portfolio, budget, objective, target, max_increase,
 * max_decrease, group_min_share, group_max_share, group_min_spend,
 * group_max_spend, level) — one row per item in key order, then a total
 * row; see src/sql/30_allocate.sql for the columns.
 */
Datum
noa_allocate(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Allocation *a;
	RowBuilder	row;
	Total		r_now = {0, 0},
				r_after = {0, 0};
	double		spend_now = 0.0,
				spend_after = 0.0,
				lo_sum = 0.0,
				hi_sum = 0.0,
				value_now = 0.0,
				value_after = 0.0;
	bool		any_extrapolated = false,
				value_known = true;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	a = run_allocation(fcinfo);
	if (a == NULL)
		return (Datum) 0;
	for (i = 0; i < a->pf->n_items; i++)
	{
		const ItemPlan *p = &a->plan[i];

		CHECK_FOR_INTERRUPTS();
		row_start(&row, ALLOCATE_COLS);
		put_text(&row, "item");
		put_text(&row, p->key);
		put_text(&row, p->group);
		if (p->excluded)
		{
			put_text(&row, "excluded");
			put_money(&row, p->current);
			while (row.col < ALLOCATE_COLS - 3)
				put_float(&row, NAN);	/* NULL in every figure column */
			put_text(&row, "excluded");
			put_bool(&row, false);
			put_text(&row, isnan(p->current)
					 ? psprintf("Excluded: %s.", p->excluded)
					 : psprintf("Excluded: %s; its current spend of %s is not part of the allocation.",
								p->excluded, fmt_money(p->current)));
		}
		else
		{
			ItemFigures f = item_figures(a, p);
			double		vpu = p->vpu;

			put_text(&row, (p->src->flags & PF_LOCKED) ? "locked" : "allocated");
			put_money(&row, p->current);
			put_money(&row, a->money[p->core]);
			put_money(&row, a->money[p->core] - round_cents(p->current));
			put_float(&row, ratio(f.x - p->current, p->current));
			put_money(&row, p->lo);
			put_money(&row, p->hi);
			put_float(&row, f.r_now.value);
			put_float(&row, f.r_now.lo);
			put_float(&row, f.r_now.hi);
			put_float(&row, f.r_after.value);
			put_float(&row, f.r_after.lo);
			put_float(&row, f.r_after.hi);
			put_money(&row, vpu * f.r_now.value);
			put_money(&row, vpu * f.r_after.value);
			put_float(&row, ratio(vpu * f.r_now.value, p->current));
			put_float(&row, ratio(vpu * f.r_after.value, f.x));
			put_money(&row, ratio(p->current, f.r_now.value));
			put_money(&row, ratio(f.x, f.r_after.value));
			put_float(&row, f.m_now);
			put_float(&row, f.m_after.value);
			put_float(&row, f.m_after.lo);
			put_float(&row, f.m_after.hi);
			put_text(&row, binding_of(a, p));
			put_bool(&row, f.extrapolated);
			put_text(&row, item_explanation(a, p, f.x, f.m_now, f.m_after.value, f.r_now, f.r_after));
			total_add(&r_now, f.r_now);
			total_add(&r_after, f.r_after);
			spend_now += round_cents(p->current);
			spend_after += a->money[p->core];
			lo_sum += p->lo;
			hi_sum += p->hi;
			value_now += vpu * f.r_now.value;
			value_after += vpu * f.r_after.value;
			value_known = value_known && !isnan(vpu);
			any_extrapolated = any_extrapolated || f.extrapolated;
		}
		Assert(row.col == ALLOCATE_COLS);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, row.values, row.nulls);
	}

	/* the total row */
	{
		interval_estimate tn = total_interval(&r_now),
					ta = total_interval(&r_after);

		if (!value_known)
			value_now = value_after = NAN;
		row_start(&row, ALLOCATE_COLS);
		put_text(&row, "total");
		put_text(&row, NULL);
		put_text(&row, NULL);
		put_text(&row, status_name(a));
		put_money(&row, spend_now);
		put_money(&row, spend_after);
		put_money(&row, spend_after - spend_now);
		put_float(&row, ratio(spend_after - spend_now, spend_now));
		put_money(&row, lo_sum);
		put_money(&row, hi_sum);
		put_float(&row, tn.value);
		put_float(&row, tn.lo);
		put_float(&row, tn.hi);
		put_float(&row, ta.value);
		put_float(&row, ta.lo);
		put_float(&row, ta.hi);
		put_money(&row, value_now);
		put_money(&row, value_after);
		put_float(&row, ratio(value_now, spend_now));
		put_float(&row, ratio(value_after, spend_after));
		put_money(&row, ratio(spend_now, tn.value));
		put_money(&row, ratio(spend_after, ta.value));
		put_float(&row, NAN);
		put_float(&row, a->res.level);
		put_float(&row, NAN);
		put_float(&row, NAN);
		put_text(&row, limit_name(a));
		put_bool(&row, any_extrapolated);
		put_text(&row, summary_explanation(a, value_now, value_after));
		Assert(row.col == ALLOCATE_COLS);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, row.values, row.nulls);
	}
	return (Datum) 0;
}

#define SUMMARY_COLS 32

PG_FUNCTION_INFO_V1(noa_allocation_summary);

/*
 * SQL: allocation_summary(same arguments as allocate) — one row with the
 * totals, what limits the total, and the optimality certificate.
 */
Datum
noa_allocation_summary(PG_FUNCTION_ARGS)
{
	Allocation *a = run_allocation(fcinfo);
	TupleDesc	tupdesc;
	RowBuilder	row;
	Total		r_now = {0, 0},
				r_after = {0, 0};
	double		spend_now = 0.0,
				spend_after = 0.0,
				value_now = 0.0,
				value_after = 0.0,
				unspent;
	int			i;

	if (a == NULL)
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "noa.allocation_summary must be declared to return a row");
	tupdesc = BlessTupleDesc(tupdesc);
	for (i = 0; i < a->pf->n_items; i++)
	{
		const ItemPlan *p = &a->plan[i];
		ItemFigures f;

		if (p->excluded)
			continue;
		f = item_figures(a, p);
		total_add(&r_now, f.r_now);
		total_add(&r_after, f.r_after);
		spend_now += round_cents(p->current);
		spend_after += a->money[p->core];
		value_now += p->vpu * f.r_now.value;
		value_after += p->vpu * f.r_after.value;
	}
	unspent = isnan(a->budget) ? NAN : a->budget - spend_after;

	row_start(&row, SUMMARY_COLS);
	put_text(&row, objective_names[a->objective]);
	put_text(&row, status_name(a));
	put_text(&row, method_name(&a->res));
	put_money(&row, a->budget);
	put_float(&row, a->target);
	put_int(&row, a->pf->n_items);
	put_int(&row, a->n_core);
	put_int(&row, a->n_locked);
	put_int(&row, a->n_excluded);
	put_int(&row, a->res.n_shaped);
	put_money(&row, spend_now);
	put_money(&row, spend_after);
	put_money(&row, unspent);
	put_text(&row, isfinite(unspent) && unspent > 0.005 ? limit_phrase(a) : NULL);
	{
		interval_estimate tn = total_interval(&r_now),
					ta = total_interval(&r_after);

		put_float(&row, tn.value);
		put_float(&row, ta.value);
		put_float(&row, ta.lo);
		put_float(&row, ta.hi);
		put_money(&row, value_now);
		put_money(&row, value_after);
		put_money(&row, value_after - value_now);
		put_float(&row, ratio(value_now, spend_now));
		put_float(&row, ratio(value_after, spend_after));
		put_money(&row, ratio(spend_now, tn.value));
		put_money(&row, ratio(spend_after, ta.value));
	}
	put_float(&row, a->res.level);
	put_float(&row, a->res.objective);
	put_float(&row, a->res.bound);
	put_float(&row, a->res.gap);
	put_float(&row, a->res.gap_rel);
	put_int(&row, a->res.passes);
	put_text(&row, summary_explanation(a, value_now, value_after));
	Assert(row.col == SUMMARY_COLS);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, row.values, row.nulls)));
}

/* ------------------------------------------------------------- simulate */

/* The changes grammar, for hints. */
#define SIMULATE_GRAMMAR \
	"Statements, separated by ';' or new lines: 'move 20% from A to B', 'move 5000 from A to B', " \
	"'cut C by 5000', 'cut C by 10%', 'raise D by 2k', 'set D to 3000', 'scale E by 1.1'. " \
	"A target is a key (double-quote keys with spaces), 'all', or 'group NAME'."

/* A parsed word or number of a change statement. */
typedef struct Token
{
	char	   *text;			/* unquoted */
	bool		quoted;
} Token;

/* Split one statement into tokens (whitespace-separated, double quotes group). */
static Token *
tokenize(const char *stmt, int *count)
{
	Token	   *out = palloc0(sizeof(Token) * (strlen(stmt) + 1));
	const char *p = stmt;
	int			n = 0;

	for (;;)
	{
		StringInfoData t;

		while (isspace((unsigned char) *p))
			p++;
		if (*p == '\0')
			break;
		initStringInfo(&t);
		if (*p == '"')
		{
			for (p++; *p && !(*p == '"' && p[1] != '"'); p++)
			{
				if (*p == '"')
					p++;
				appendStringInfoChar(&t, *p);
			}
			if (*p != '"')
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invalid change \"%s\": unterminated quote", stmt),
						 errhint("%s", SIMULATE_GRAMMAR)));
			p++;
			out[n].quoted = true;
		}
		else
			while (*p && !isspace((unsigned char) *p))
				appendStringInfoChar(&t, *p++);
		out[n++].text = t.data;
	}
	*count = n;
	return out;
}

/* Whether token i is the (unquoted, case-insensitive) keyword kw. */
static bool
is_word(const Token *t, int n, int i, const char *kw)
{
	return i < n && !t[i].quoted && pg_strcasecmp(t[i].text, kw) == 0;
}

/* An amount: [€$£]number[k|m][%]; *percent tells whether it ends in %. */
static bool
parse_amount(const Token *t, bool *percent, double *v)
{
	const char *s = t->text;
	char	   *end;

	if (t->quoted)
		return false;
	if (strncmp(s, "€", strlen("€")) == 0)
		s += strlen("€");
	else if (strncmp(s, "£", strlen("£")) == 0)
		s += strlen("£");
	else if (*s == '$')
		s++;
	if (!(isdigit((unsigned char) *s) || *s == '.'))
		return false;
	*v = strtod(s, &end);
	if (end == s)
		return false;
	*percent = false;
	if (*end == 'k' || *end == 'K')
	{
		*v *= 1e3;
		end++;
	}
	else if (*end == 'm' || *end == 'M')
	{
		*v *= 1e6;
		end++;
	}
	if (*end == '%')
	{
		*percent = true;
		end++;
	}
	return *end == '\0' && isfinite(*v);
}

/* The simulation state: items, their proposed spends, and the statement being read. */
typedef struct Simulation
{
	NoaPortfolio *pf;
	ItemPlan   *plan;
	double	   *proposed;
	bool	   *selected;
	const char *stmt;
} Simulation;

/* Report a malformed statement. */
static void pg_attribute_noreturn()
change_error(const Simulation *s, const char *problem)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid change \"%s\": %s", s->stmt, problem),
			 errhint("%s", SIMULATE_GRAMMAR)));
}

/* Binary search of a key among the sorted items, or -1. */
static int
find_key(const Simulation *s, const char *key)
{
	int			lo = 0,
				hi = s->pf->n_items - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		int			c = strcmp(s->plan[mid].key, key);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/*
 * Read a target at token *i into s->selected: a key, 'all' or 'group NAME'.
 * Excluded items cannot take part; an empty selection is an error.
 */
static void
parse_target(Simulation *s, const Token *t, int n, int *i)
{
	int			k,
				found = 0;

	memset(s->selected, 0, sizeof(bool) * Max(s->pf->n_items, 1));
	if (*i >= n)
		change_error(s, "a key, 'all' or 'group NAME' is missing");
	if (is_word(t, n, *i, "all"))
	{
		for (k = 0; k < s->pf->n_items; k++)
			found += s->selected[k] = s->plan[k].excluded == NULL;
		(*i)++;
	}
	else if (is_word(t, n, *i, "group") && *i + 1 < n && !is_word(t, n, *i + 1, "to") &&
			 !is_word(t, n, *i + 1, "by"))
	{
		const char *g = t[*i + 1].text;

		for (k = 0; k < s->pf->n_items; k++)
			if (s->plan[k].group && strcmp(s->plan[k].group, g) == 0 && s->plan[k].excluded == NULL)
				found += s->selected[k] = true;
		if (found == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid change \"%s\": group \"%s\" has no included item", s->stmt, g),
					 errhint("Group names are case-sensitive; items without a usable curve or spend are excluded.")));
		*i += 2;
	}
	else
	{
		k = find_key(s, t[*i].text);
		if (k < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid change \"%s\": no item with key \"%s\" in the portfolio", s->stmt, t[*i].text),
					 errhint("Keys are case-sensitive; double-quote keys that contain spaces.")));
		if (s->plan[k].excluded)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid change \"%s\": item \"%s\" is excluded (%s)", s->stmt, t[*i].text,
							s->plan[k].excluded),
					 errhint("Only items with a usable curve and a current spend can be changed.")));
		s->selected[k] = true;
		found = 1;
		(*i)++;
	}
	if (found == 0)
		change_error(s, "the target has no included item");
}

/* Proposed spend of the selected items. */
static double
selected_spend(const Simulation *s)
{
	double		sum = 0.0;
	int			k;

	for (k = 0; k < s->pf->n_items; k++)
		if (s->selected[k])
			sum += s->proposed[k];
	return sum;
}

/* Change the selected items' spend by delta, in proportion to their spend (evenly when all are 0). */
static void
spread(Simulation *s, double delta)
{
	double		sum = selected_spend(s);
	int			count = 0,
				k;

	for (k = 0; k < s->pf->n_items; k++)
		count += s->selected[k];
	if (sum + delta < -1e-9 * fmax(sum, 1.0))
		change_error(s, psprintf("it takes %s from items that have only %s", fmt_money(-delta), fmt_money(sum)));
	for (k = 0; k < s->pf->n_items; k++)
		if (s->selected[k])
			s->proposed[k] = fmax(0.0, s->proposed[k] + (sum > 0.0 ? delta * s->proposed[k] / sum : delta / count));
}

/* Apply one statement to the proposed spends. */
static void
apply_statement(Simulation *s, const char *stmt)
{
	int			n,
				i = 1;
	Token	   *t = tokenize(stmt, &n);
	bool		percent;
	double		v,
				amount;

	s->stmt = stmt;
	if (n == 0)
		return;
	if (is_word(t, n, 0, "move"))
	{
		if (i >= n || !parse_amount(&t[i++], &percent, &v))
			change_error(s, "expected an amount after 'move' (e.g. 20% or 5000)");
		if (!is_word(t, n, i++, "from"))
			change_error(s, "expected 'from'");
		parse_target(s, t, n, &i);
		amount = percent ? v / 100.0 * selected_spend(s) : v;
		spread(s, -amount);
		if (!is_word(t, n, i++, "to"))
			change_error(s, "expected 'to'");
		parse_target(s, t, n, &i);
		spread(s, amount);
	}
	else if (is_word(t, n, 0, "cut") || is_word(t, n, 0, "raise"))
	{
		bool		cut = is_word(t, n, 0, "cut");

		parse_target(s, t, n, &i);
		if (!is_word(t, n, i++, "by"))
			change_error(s, "expected 'by'");
		if (i >= n || !parse_amount(&t[i++], &percent, &v))
			change_error(s, "expected an amount after 'by' (e.g. 10% or 5000)");
		amount = percent ? v / 100.0 * selected_spend(s) : v;
		spread(s, cut ? -amount : amount);
	}
	else if (is_word(t, n, 0, "set"))
	{
		parse_target(s, t, n, &i);
		if (!is_word(t, n, i++, "to"))
			change_error(s, "expected 'to'");
		if (i >= n || !parse_amount(&t[i++], &percent, &v) || percent)
			change_error(s, "expected an amount after 'to' (e.g. 3000)");
		spread(s, v - selected_spend(s));
	}
	else if (is_word(t, n, 0, "scale"))
	{
		parse_target(s, t, n, &i);
		if (!is_word(t, n, i++, "by"))
			change_error(s, "expected 'by'");
		if (i >= n || !parse_amount(&t[i++], &percent, &v) || percent)
			change_error(s, "expected a factor after 'by' (e.g. 1.1)");
		spread(s, (v - 1.0) * selected_spend(s));
	}
	else
		change_error(s, psprintf("unknown action \"%s\"", t[0].text));
	if (i != n)
		change_error(s, psprintf("unexpected \"%s\"", t[Min(i, n - 1)].text));
}

/* Apply every statement of the changes text (split at ';' and new lines outside quotes). */
static void
apply_changes(Simulation *s, const char *changes)
{
	StringInfoData stmt;
	bool		quoted = false;
	const char *p;

	initStringInfo(&stmt);
	for (p = changes;; p++)
	{
		if (*p == '"')
			quoted = !quoted;
		if (*p == '\0' || (!quoted && (*p == ';' || *p == '\n')))
		{
			apply_statement(s, pstrdup(stmt.data));
			resetStringInfo(&stmt);
			if (*p == '\0')
				break;
			continue;
		}
		appendStringInfoChar(&stmt, *p);
	}
}

#define SIMULATE_COLS 28

PG_FUNCTION_INFO_V1(noa_simulate);

/*
 * SQL: simulate(portfolio, changes, level) — for the proposed spends (the
 * current ones changed by the statements), each item's response, value, CPA,
 * ROAS and marginal ROAS before and after with intervals, then a total row.
 */
Datum
noa_simulate(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Simulation	s;
	RowBuilder	row;
	double		level = PG_ARGISNULL(2) ? 0.9 : PG_GETARG_FLOAT8(2);
	Total		r_now = {0, 0},
				r_after = {0, 0},
				r_delta = {0, 0};
	double		spend_now = 0.0,
				spend_after = 0.0,
				value_now = 0.0,
				value_after = 0.0;
	int			n_changed = 0,
				n_extrapolated = 0,
				i;

	InitMaterializedSRF(fcinfo, 0);
	check_level_arg(level);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	s.pf = PG_GETARG_NOAPORTFOLIO_P(0);
	s.plan = plan_items(s.pf, false);
	s.proposed = palloc0(sizeof(double) * Max(s.pf->n_items, 1));
	s.selected = palloc0(sizeof(bool) * Max(s.pf->n_items, 1));
	for (i = 0; i < s.pf->n_items; i++)
		s.proposed[i] = s.plan[i].current;
	if (!PG_ARGISNULL(1))
		apply_changes(&s, text_to_cstring(PG_GETARG_TEXT_PP(1)));

	for (i = 0; i < s.pf->n_items; i++)
	{
		const ItemPlan *p = &s.plan[i];

		CHECK_FOR_INTERRUPTS();
		row_start(&row, SIMULATE_COLS);
		put_text(&row, "item");
		put_text(&row, p->key);
		put_text(&row, p->group);
		if (p->excluded)
		{
			put_text(&row, "excluded");
			put_money(&row, p->current);
			while (row.col < SIMULATE_COLS - 2)
				put_float(&row, NAN);	/* NULL in every figure column */
			put_bool(&row, false);
			put_text(&row, psprintf("Excluded: %s.", p->excluded));
		}
		else
		{
			const noa_curve *fit = &p->src->fit;
			double		x0 = p->current,
						x1 = s.proposed[i],
						vpu = p->vpu;
			interval_estimate rn = curve_response_interval(fit, x0, level),
						ra = curve_response_interval(fit, x1, level),
						rd = delta_interval(fit, x0, x1, level);
			double		m0 = noa_curve_slope(fit->model, fit->param, x0) * (isnan(vpu) ? 1.0 : vpu),
						m1 = noa_curve_slope(fit->model, fit->param, x1) * (isnan(vpu) ? 1.0 : vpu);
			bool		changed = fabs(x1 - x0) >= 0.005,
						extra = extrapolated(fit, x1);
			char	   *text;

			put_text(&row, changed ? "changed" : "unchanged");
			put_money(&row, x0);
			put_money(&row, x1);
			put_money(&row, x1 - x0);
			put_float(&row, ratio(x1 - x0, x0));
			put_float(&row, rn.value);
			put_float(&row, rn.lo);
			put_float(&row, rn.hi);
			put_float(&row, ra.value);
			put_float(&row, ra.lo);
			put_float(&row, ra.hi);
			put_float(&row, rd.value);
			put_float(&row, rd.lo);
			put_float(&row, rd.hi);
			put_money(&row, vpu * rn.value);
			put_money(&row, vpu * ra.value);
			put_money(&row, vpu * rd.value);
			put_money(&row, ratio(x0, rn.value));
			put_money(&row, ratio(x1, ra.value));
			put_float(&row, ratio(vpu * rn.value, x0));
			put_float(&row, ratio(vpu * ra.value, x1));
			put_float(&row, m0);
			put_float(&row, m1);
			put_bool(&row, extra);
			if (changed)
				text = psprintf("Spend %s from %s to %s (%s): expected response %s to %s (%s%s, %g%% interval %s to %s); "
								"the next unit returns %s instead of %s%s.",
								x1 > x0 ? "rises" : "falls", fmt_money(x0), fmt_money(x1), fmt_delta(x1 - x0),
								fmt_quantity(rn.value), fmt_quantity(ra.value), rd.value >= 0 ? "+" : "",
								fmt_quantity(rd.value), 100.0 * level, fmt_quantity(rd.lo), fmt_quantity(rd.hi),
								fmt_ratio(m1), fmt_ratio(m0), extrapolation_clause(fit, x1));
			else
				text = psprintf("Unchanged at %s: expected response %s (%g%% interval %s to %s); the next unit returns %s%s.",
								fmt_money(x0), fmt_quantity(rn.value), 100.0 * level, fmt_quantity(rn.lo),
								fmt_quantity(rn.hi), fmt_ratio(m0), extrapolation_clause(fit, x1));
			put_text(&row, text);
			total_add(&r_now, rn);
			total_add(&r_after, ra);
			total_add(&r_delta, rd);
			spend_now += x0;
			spend_after += x1;
			value_now += vpu * rn.value;
			value_after += vpu * ra.value;
			n_changed += changed;
			n_extrapolated += extra;
		}
		Assert(row.col == SIMULATE_COLS);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, row.values, row.nulls);
	}

	/* the total row */
	{
		interval_estimate tn = total_interval(&r_now),
					ta = total_interval(&r_after),
					td;
		double		hw = sqrt(r_delta.var);

		td.value = r_delta.value;
		td.lo = td.value - hw;
		td.hi = td.value + hw;
		row_start(&row, SIMULATE_COLS);
		put_text(&row, "total");
		put_text(&row, NULL);
		put_text(&row, NULL);
		put_text(&row, n_changed > 0 ? "changed" : "unchanged");
		put_money(&row, spend_now);
		put_money(&row, spend_after);
		put_money(&row, spend_after - spend_now);
		put_float(&row, ratio(spend_after - spend_now, spend_now));
		put_float(&row, tn.value);
		put_float(&row, tn.lo);
		put_float(&row, tn.hi);
		put_float(&row, ta.value);
		put_float(&row, ta.lo);
		put_float(&row, ta.hi);
		put_float(&row, td.value);
		put_float(&row, td.lo);
		put_float(&row, td.hi);
		put_money(&row, value_now);
		put_money(&row, value_after);
		put_money(&row, value_after - value_now);
		put_money(&row, ratio(spend_now, tn.value));
		put_money(&row, ratio(spend_after, ta.value));
		put_float(&row, ratio(value_now, spend_now));
		put_float(&row, ratio(value_after, spend_after));
		put_float(&row, NAN);
		put_float(&row, NAN);
		put_bool(&row, n_extrapolated > 0);
		put_text(&row, psprintf("%d item%s changed; spend %s to %s (%s); expected response %s to %s (%s%s, %g%% interval %s to %s)"
								"; value %s to %s; ROAS %s to %s%s.",
								n_changed, n_changed == 1 ? "" : "s", fmt_money(spend_now), fmt_money(spend_after),
								fmt_delta(spend_after - spend_now), fmt_quantity(tn.value), fmt_quantity(ta.value),
								td.value >= 0 ? "+" : "", fmt_quantity(td.value), 100.0 * level,
								fmt_quantity(td.lo), fmt_quantity(td.hi), fmt_money(value_now), fmt_money(value_after),
								fmt_ratio(ratio(value_now, spend_now)), fmt_ratio(ratio(value_after, spend_after)),
								n_extrapolated > 0 ? psprintf("; %d item%s extrapolate beyond their observed spend",
															  n_extrapolated, n_extrapolated == 1 ? "" : "s") : ""));
		Assert(row.col == SIMULATE_COLS);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, row.values, row.nulls);
	}
	return (Datum) 0;
}
