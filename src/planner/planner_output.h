/*
 * planner_output.h — what the planners (noa.allocate, noa.allocation_summary
 * and noa.simulate) share to present their figures: amounts and ratios in
 * plain words for the explanations, and result rows built column by column.
 */
#ifndef NOA_PLANNER_OUTPUT_H
#define NOA_PLANNER_OUTPUT_H

#include "postgres.h"

#include "fmgr.h"

#include "curve_accessors.h"
#include "unit_labels.h"

/* Numbers in words; every result is palloc'd. */
extern char *fmt_money(double v);
extern char *fmt_delta(double v);
extern char *fmt_ratio(double v);
extern char *fmt_quantity(double v);

extern double ratio_or_nan(double num, double den);

/* A result row filled left to right; put_* append the next column. */
typedef struct RowBuilder
{
	Datum	   *values;
	bool	   *nulls;
	int			col;
	int			natts;
} RowBuilder;

extern void row_start(RowBuilder *row, int natts);
extern void row_start_labelled(RowBuilder *row, int natts, const char *row_type, const char *key,
							   const char *group);
extern void put_text(RowBuilder *row, const char *s);
extern void put_money(RowBuilder *row, double v);
extern void put_float(RowBuilder *row, double v);
extern void put_int(RowBuilder *row, int v);
extern void put_bool(RowBuilder *row, bool v);
extern void put_interval(RowBuilder *row, interval_estimate e);
extern void put_change(RowBuilder *row, double now, double after);
extern void put_nulls(RowBuilder *row, int upto);
extern void row_emit(FunctionCallInfo fcinfo, const RowBuilder *row);

extern void put_units(RowBuilder *row, const UnitLabels *u);

#endif
