/*
 * serial_reader.c — read a serialized aggregate state (the bytea an
 * aggregate's serial function wrote) with the pq_getmsg* functions, as every
 * deserial function of noa's aggregates and the portfolio's receive do.
 */
#include "postgres.h"

#include "lib/stringinfo.h"

#include "noa.h"

/* Point buf, read-only, at the bytes of a (detoasted) bytea, cursor at 0. */
void
noa_serial_reader(bytea *bytes, StringInfo buf)
{
	buf->data = VARDATA_ANY(bytes);
	buf->len = VARSIZE_ANY_EXHDR(bytes);
	buf->maxlen = buf->len;
	buf->cursor = 0;
}
