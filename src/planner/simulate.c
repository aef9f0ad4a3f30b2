/*
 * simulate.c — noa.simulate: what-if scenarios on a noa.portfolio.  The
 * changes text ("move 20% from social to video; cut display by 500") is read
 * statement by statement into proposed spends; each item's response, value,
 * CPA, ROAS and marginal ROAS are reported before and after, with intervals
 * of the change, then a total row.
 *
 * A malformed statement, an unknown key or group, or a change that takes
 * more than the items have raises SQLSTATE 22023 with the grammar in the
 * hint.  Excluded items (no usable curve or no current spend) keep their row
 * and cannot be changed.
 */
#include "postgres.h"

#include <ctype.h>
#include <math.h>

#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "arg_parse.h"
#include "planner_items.h"
#include "planner_output.h"

/* -------------------------------------------------- the changes grammar */

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

		CHECK_FOR_INTERRUPTS();
		while (isspace((unsigned char) *p))
			p++;
		if (*p == '\0')
			break;
		initStringInfo(&t);
		if (*p == '"')
		{
			if (!read_quoted_name(&p, &t))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invalid change \"%s\": unterminated quote", stmt),
						 errhint("%s", SIMULATE_GRAMMAR)));
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

/* ------------------------------------------------ applying the changes */

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

/* Read the keyword kw at token *i (and move past it), or report what was expected. */
static void
expect_word(const Simulation *s, const Token *t, int n, int *i, const char *kw)
{
	if (!is_word(t, n, (*i)++, kw))
		change_error(s, psprintf("expected '%s'", kw));
}

/*
 * Read an amount at token *i (and move past it) into *v, with *percent
 * telling whether it ends in %; a percentage counts only where allowed.
 * Reports `problem` when there is no such amount.
 */
static void
expect_amount(const Simulation *s, const Token *t, int n, int *i, bool allow_percent,
			  bool *percent, double *v, const char *problem)
{
	if (*i >= n || !parse_amount(&t[(*i)++], percent, v) || (!allow_percent && *percent))
		change_error(s, problem);
	if (*v >= NOA_MAX_AMOUNT)
		change_error(s, "amounts and factors must be below 1e13");
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
		expect_amount(s, t, n, &i, true, &percent, &v, "expected an amount after 'move' (e.g. 20% or 5000)");
		expect_word(s, t, n, &i, "from");
		parse_target(s, t, n, &i);
		amount = percent ? v / 100.0 * selected_spend(s) : v;
		spread(s, -amount);
		expect_word(s, t, n, &i, "to");
		parse_target(s, t, n, &i);
		spread(s, amount);
	}
	else if (is_word(t, n, 0, "cut") || is_word(t, n, 0, "raise"))
	{
		bool		cut = is_word(t, n, 0, "cut");

		parse_target(s, t, n, &i);
		expect_word(s, t, n, &i, "by");
		expect_amount(s, t, n, &i, true, &percent, &v, "expected an amount after 'by' (e.g. 10% or 5000)");
		amount = percent ? v / 100.0 * selected_spend(s) : v;
		spread(s, cut ? -amount : amount);
	}
	else if (is_word(t, n, 0, "set"))
	{
		parse_target(s, t, n, &i);
		expect_word(s, t, n, &i, "to");
		expect_amount(s, t, n, &i, false, &percent, &v, "expected an amount after 'to' (e.g. 3000)");
		spread(s, v - selected_spend(s));
	}
	else if (is_word(t, n, 0, "scale"))
	{
		parse_target(s, t, n, &i);
		expect_word(s, t, n, &i, "by");
		expect_amount(s, t, n, &i, false, &percent, &v, "expected a factor after 'by' (e.g. 1.1)");
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
	int			i;

	initStringInfo(&stmt);
	for (p = changes;; p++)
	{
		if (*p == '"')
			quoted = !quoted;
		if (*p == '\0' || (!quoted && (*p == ';' || *p == '\n')))
		{
			CHECK_FOR_INTERRUPTS();
			apply_statement(s, pstrdup(stmt.data));
			resetStringInfo(&stmt);
			if (*p == '\0')
				break;
			continue;
		}
		appendStringInfoChar(&stmt, *p);
	}
	for (i = 0; i < s->pf->n_items; i++)
		if (s->proposed[i] >= NOA_MAX_AMOUNT)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the changes raise item \"%s\" to %g, beyond the 1e13 that noa plans with",
							s->plan[i].key, s->proposed[i]),
					 errhint("Check the amounts and factors of the changes.")));
}

/* ------------------------------------------------------------- the rows */

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

#define SIMULATE_COLS 30		/* with the two label columns (UNIT_LABEL_COLS) */

PG_FUNCTION_INFO_V1(noa_simulate);

/*
 * SQL: simulate(portfolio, changes, level, currency, response_unit) — for the proposed spends (the
 * current ones changed by the statements), each item's response, value, CPA,
 * ROAS and marginal ROAS before and after with intervals, then a total row.
 */
Datum
noa_simulate(PG_FUNCTION_ARGS)
{
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
	UnitLabels	units;

	InitMaterializedSRF(fcinfo, 0);
	check_level_arg(level);
	units = read_unit_labels(fcinfo, 3, 4);
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
		row_start_labelled(&row, SIMULATE_COLS - 2 + UNIT_LABEL_COLS(units), "item", p->key, p->group);
		if (p->excluded)
		{
			put_text(&row, "excluded");
			put_money(&row, p->current);
			put_nulls(&row, SIMULATE_COLS - 4); /* every figure column */
			put_bool(&row, false);
			put_units(&row, &units);
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
			double		m0 = marginal_value(p, x0),
						m1 = marginal_value(p, x1);
			bool		changed = fabs(x1 - x0) >= 0.005,
						extra = extrapolated(fit, x1);
			char	   *text;

			put_text(&row, changed ? "changed" : "unchanged");
			put_change(&row, x0, x1);
			put_interval(&row, rn);
			put_interval(&row, ra);
			put_interval(&row, rd);
			put_money(&row, vpu * rn.value);
			put_money(&row, vpu * ra.value);
			put_money(&row, vpu * rd.value);
			put_money(&row, ratio_or_nan(x0, rn.value));
			put_money(&row, ratio_or_nan(x1, ra.value));
			put_float(&row, ratio_or_nan(vpu * rn.value, x0));
			put_float(&row, ratio_or_nan(vpu * ra.value, x1));
			put_float(&row, m0);
			put_float(&row, m1);
			put_bool(&row, extra);
			put_units(&row, &units);
			if (changed)
				text = psprintf("Spend %s from %s to %s (%s): expected response %s to %s (%s%s, %g%% interval %s to %s); "
								"the next unit returns %s instead of %s%s.",
								x1 > x0 ? "rises" : "falls", fmt_money(x0), fmt_money(x1), fmt_delta(x1 - x0),
								fmt_quantity(rn.value), fmt_quantity(ra.value), rd.value >= 0 ? "+" : "",
								fmt_quantity(rd.value), 100.0 * level, fmt_quantity(rd.lo), fmt_quantity(rd.hi),
								fmt_ratio(m1), fmt_ratio(m0), curve_caveats(fit, x1));
			else
				text = psprintf("Unchanged at %s: expected response %s (%g%% interval %s to %s); the next unit returns %s%s.",
								fmt_money(x0), fmt_quantity(rn.value), 100.0 * level, fmt_quantity(rn.lo),
								fmt_quantity(rn.hi), fmt_ratio(m0), curve_caveats(fit, x1));
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
		row_emit(fcinfo, &row);
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
		row_start_labelled(&row, SIMULATE_COLS - 2 + UNIT_LABEL_COLS(units), "total", NULL, NULL);
		put_text(&row, n_changed > 0 ? "changed" : "unchanged");
		put_change(&row, spend_now, spend_after);
		put_interval(&row, tn);
		put_interval(&row, ta);
		put_interval(&row, td);
		put_money(&row, value_now);
		put_money(&row, value_after);
		put_money(&row, value_after - value_now);
		put_money(&row, ratio_or_nan(spend_now, tn.value));
		put_money(&row, ratio_or_nan(spend_after, ta.value));
		put_float(&row, ratio_or_nan(value_now, spend_now));
		put_float(&row, ratio_or_nan(value_after, spend_after));
		put_float(&row, NAN);	/* no marginal return for a total */
		put_float(&row, NAN);
		put_bool(&row, n_extrapolated > 0);
		put_units(&row, &units);
		put_text(&row, psprintf("%d item%s changed; spend %s to %s (%s); expected response %s to %s (%s%s, %g%% interval %s to %s)"
								"; value %s to %s; ROAS %s to %s%s.",
								n_changed, n_changed == 1 ? "" : "s", fmt_money(spend_now), fmt_money(spend_after),
								fmt_delta(spend_after - spend_now), fmt_quantity(tn.value), fmt_quantity(ta.value),
								td.value >= 0 ? "+" : "", fmt_quantity(td.value), 100.0 * level,
								fmt_quantity(td.lo), fmt_quantity(td.hi), fmt_money(value_now), fmt_money(value_after),
								fmt_ratio(ratio_or_nan(value_now, spend_now)),
								fmt_ratio(ratio_or_nan(value_after, spend_after)),
								n_extrapolated > 0 ? psprintf("; %d item%s extrapolate beyond their observed spend",
															  n_extrapolated, n_extrapolated == 1 ? "" : "s") : ""));
		row_emit(fcinfo, &row);
	}
	return (Datum) 0;
}
