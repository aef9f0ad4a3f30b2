/*
 * noa.c — module entry: GSL made safe for a backend, settings, version, and the
 * interrupt bridge the numeric core polls.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_version.h>

#include "noa.h"

PG_MODULE_MAGIC;

int			noa_max_points = 1000000;

void		_PG_init(void);

/*
 * GSL's default error handler calls abort(), which would take down every
 * session of the cluster.  Switch it off once per process (parallel workers
 * load the library too); every GSL status is checked by the numeric core.
 */
void
_PG_init(void)
{
	gsl_set_error_handler_off();

	DefineCustomIntVariable("noa.max_points",
							"Largest number of points one curve fit accepts.",
							"A fit keeps every (spend, response) point of its group in memory "
							"(about 200 bytes each at the peak of the fit); larger groups raise a program-limit error.",
							&noa_max_points,
							1000000, 2, NOA_MAX_POINTS_LIMIT,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	MarkGUCPrefixReserved("noa");
}

/* Callback for the numeric core: has a cancel or termination been requested? */
int
noa_cancel_requested(void *arg)
{
	(void) arg;
	return QueryCancelPending || ProcDiePending;
}

/*
 * After the core abandoned work at our request, raise the pending cancel; if
 * PostgreSQL chose not to act on it here, still stop with the cancel SQLSTATE
 * rather than return a half-finished answer.
 */
void
noa_raise_cancel(void)
{
	CHECK_FOR_INTERRUPTS();
	ereport(ERROR,
			(errcode(ERRCODE_QUERY_CANCELED),
			 errmsg("canceling noa computation due to a pending interrupt")));
}

PG_FUNCTION_INFO_V1(noa_version);

/* noa.version(): extension and library versions in one line. */
Datum
noa_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(psprintf("noa %s (GSL %s, PostgreSQL %s)",
											  NOA_VERSION, GSL_VERSION, PG_VERSION)));
}
