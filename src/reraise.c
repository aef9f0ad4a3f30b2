/*
 * reraise.c — re-raise an error caught by a public PL/pgSQL function
 * (noa.data_quality, noa.waste, noa.recommendations) with its SQLSTATE,
 * message, detail and hint only.  The context of the original error names
 * the function's generated query (tens of kilobytes of SQL) which a BI tool
 * would show to the analyst; the re-raised error's context is one line.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(noa_reraise_sql);

/* Text argument i as a C string, or NULL when it is NULL or empty. */
static char *
opt_text(FunctionCallInfo fcinfo, int i)
{
	char	   *s;

	if (PG_ARGISNULL(i))
		return NULL;
	s = text_to_cstring(PG_GETARG_TEXT_PP(i));
	return s[0] == '\0' ? NULL : s;
}

/*
 * noa._reraise(sqlstate text, message text, detail text, hint text): raise
 * ERROR with these fields; an empty or NULL detail or hint is left out, an
 * invalid SQLSTATE becomes P0001 (raise_exception).
 */
Datum
noa_reraise_sql(PG_FUNCTION_ARGS)
{
	char	   *state = opt_text(fcinfo, 0);
	char	   *message = opt_text(fcinfo, 1);
	char	   *detail = opt_text(fcinfo, 2);
	char	   *hint = opt_text(fcinfo, 3);
	int			code = ERRCODE_RAISE_EXCEPTION;

	if (state != NULL && strlen(state) == 5 && strspn(state, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 5)
		code = MAKE_SQLSTATE(state[0], state[1], state[2], state[3], state[4]);
	ereport(ERROR,
			(errcode(code),
			 errmsg_internal("%s", message ? message : "noa: error"),
			 detail ? errdetail_internal("%s", detail) : 0,
			 hint ? errhint("%s", hint) : 0));
	PG_RETURN_VOID();
}
