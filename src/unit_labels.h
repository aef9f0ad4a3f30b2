/*
 * unit_labels.h — the currency and response-unit labels that the planners'
 * and the curve reports' rows carry (arguments currency and response_unit).
 */
#ifndef NOA_UNIT_LABELS_H
#define NOA_UNIT_LABELS_H

#include "postgres.h"

#include "fmgr.h"

/*
 * The labels as given: NULL when the caller left them out.  columns is false
 * when the function runs under a 0.1.0 declaration (installed by noa 0.1.0's
 * script, before ALTER EXTENSION noa UPDATE): it has neither the arguments
 * nor the two columns, so the rows leave them out.
 */
typedef struct UnitLabels
{
	bool		columns;
	char	   *currency;
	char	   *response_unit;
} UnitLabels;

/* Number of result columns the labels add. */
#define UNIT_LABEL_COLS(u) ((u).columns ? 2 : 0)

extern UnitLabels read_unit_labels(FunctionCallInfo fcinfo, int currency_arg, int unit_arg);
extern Datum label_datum(const char *label, bool *isnull);

#endif
