/*
 * alloc_groups.c — the groups of an allocation: collected from the included
 * items in key order of first appearance, looked up by name in O(log groups),
 * and limited by the group_min/max_share/spend arguments.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/builtins.h"

#include "allocation.h"
#include "arg_parse.h"

/* A group name and its core index, for look-up by name. */
typedef struct GroupEntry
{
	const char *name;
	int			index;				/* core group index; while collecting: first item */
} GroupEntry;

/* Order group entries by name, then by index. */
static int
group_entry_cmp(const void *a, const void *b)
{
	const GroupEntry *p = a,
			   *q = b;
	int			c = strcmp(p->name, q->name);

	return c != 0 ? c : (p->index > q->index) - (p->index < q->index);
}

/* Order group entries by index. */
static int
group_entry_index_cmp(const void *a, const void *b)
{
	const GroupEntry *p = a,
			   *q = b;

	return (p->index > q->index) - (p->index < q->index);
}

/* The core group index of a name, or -1 (binary search: O(log groups)). */
int
group_index(const Allocation *a, const char *name)
{
	int			lo = 0,
				hi = a->n_groups - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			c = strcmp(name, a->group_lookup[mid].name);

		if (c == 0)
			return a->group_lookup[mid].index;
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return -1;
}

/*
 * The groups of included items in key order of first appearance; all limits
 * open.  Sorting keeps it O(n log n) however many groups there are.
 */
void
collect_groups(Allocation *a)
{
	GroupEntry *e = palloc(sizeof(GroupEntry) * Max(a->pf->n_items, 1));
	int			n = 0,
				g,
				i;

	for (i = 0; i < a->pf->n_items; i++)
		if (!a->plan[i].excluded && a->plan[i].group != NULL)
		{
			e[n].name = a->plan[i].group;
			e[n++].index = i;
		}
	/* keep each name's first item, then number the groups in that order */
	qsort(e, n, sizeof(GroupEntry), group_entry_cmp);
	for (i = 0, g = 0; i < n; i++)
		if (g == 0 || strcmp(e[g - 1].name, e[i].name) != 0)
			e[g++] = e[i];
	qsort(e, g, sizeof(GroupEntry), group_entry_index_cmp);
	a->n_groups = g;
	a->group_names = palloc(sizeof(char *) * Max(g, 1));
	a->groups = palloc(sizeof(noa_alloc_group) * Max(g, 1));
	for (i = 0; i < g; i++)
	{
		noa_alloc_group *gr = &a->groups[i];

		CHECK_FOR_INTERRUPTS();
		a->group_names[i] = (char *) e[i].name;
		e[i].index = i;
		gr->min_spend = 0.0;
		gr->max_spend = INFINITY;
		gr->min_share = 0.0;
		gr->max_share = 1.0;
	}
	qsort(e, g, sizeof(GroupEntry), group_entry_cmp);
	a->group_lookup = e;
}

/* Apply one group limit list (argument argno) to the groups. */
void
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

		CHECK_FOR_INTERRUPTS();
		g = group_index(a, specs[k].name);
		if (g < 0)
		{
			StringInfoData names;

			initStringInfo(&names);
			for (g = 0; g < a->n_groups && g < 20; g++)
				appendStringInfo(&names, "%s\"%s\"", g > 0 ? ", " : "", a->group_names[g]);
			if (a->n_groups > 20)
				appendStringInfo(&names, " and %d more", a->n_groups - 20);
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
