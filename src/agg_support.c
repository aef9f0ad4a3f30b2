/*
 * agg_support.c — what every C function of noa's aggregates needs: the
 * aggregate's memory context (an error when called as a plain function) and
 * a reader of the serialized state the serial function wrote (read with the
 * pq_getmsg* functions by the deserial functions and the portfolio's receive).
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"

#include "noa.h"

/* The aggregate memory context, or an error naming fname when not in an aggregate. */
MemoryContext
noa_agg_context(FunctionCallInfo fcinfo, const char *fname)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "%s called in non-aggregate context", fname);
	return aggcontext;
}

/* Point buf, read-only, at the bytes of a (detoasted) bytea, cursor at 0. */
void
noa_serial_reader(bytea *bytes, StringInfo buf)
{
	buf->data = VARDATA_ANY(bytes);
	buf->len = VARSIZE_ANY_EXHDR(bytes);
	buf->maxlen = buf->len;
	buf->cursor = 0;
}
