/*
 * noa.h — module-wide declarations of the PostgreSQL glue.
 */
#ifndef NOA_H
#define NOA_H

#include "fmgr.h"

/* NOA_VERSION comes from the Makefile (EXTVERSION). */
#ifndef NOA_VERSION
#error "NOA_VERSION must be defined by the build"
#endif

/*
 * Upper bound of the noa.max_points setting: the aggregate's point array
 * (16 bytes a point) stays under PostgreSQL's 1 GB allocation limit.  A fit
 * peaks at about 200 bytes a point (state, sorted copy and the solver's
 * workspaces): 1.9 GB for 10 million points.
 */
#define NOA_MAX_POINTS_LIMIT 50000000

extern int	noa_max_points;

extern int	noa_cancel_requested(void *arg);

/* Support of the aggregates' C functions (agg_support.c): the aggregate's
 * memory context (an error naming fname outside an aggregate), and buf
 * pointed read-only at the bytes of a serialized state. */
struct StringInfoData;
extern MemoryContext noa_agg_context(FunctionCallInfo fcinfo, const char *fname);
extern void noa_serial_reader(bytea *bytes, struct StringInfoData *buf);
extern void noa_raise_cancel(void) pg_attribute_noreturn();

#endif
