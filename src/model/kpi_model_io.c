/*
 * kpi_model_io.c — the noa.kpi_model type: construction from a fitted core
 * model, reading it back, and text (base64) and binary I/O.  Every path that
 * brings a value in validates it completely through the core's reader.
 *
 * Text form: "kpi_model:v1:" followed by the base64 of the portable bytes.
 */
#include "postgres.h"

#include "common/base64.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "kpi_model_type.h"

#define TEXT_PREFIX "kpi_model:v1:"

/* Wrap a fitted core model in a new datum. */
bytea *
kpi_model_to_datum(const kpi_model *model)
{
	unsigned char *bytes = NULL;
	size_t		len = 0;
	bytea	   *result;

	if (kpi_model_serialise(model, &bytes, &len) != KPI_OK)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory while storing a noa.kpi_model")));
	if (len > MaxAllocSize - VARHDRSZ)
	{
		free(bytes);
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("noa.kpi_model value too large (%zu bytes)", len),
				 errhint("Fit fewer channels or a shorter period.")));
	}
	result = palloc(VARHDRSZ + len);
	SET_VARSIZE(result, VARHDRSZ + len);
	memcpy(VARDATA(result), bytes, len);
	free(bytes);
	return result;
}

/* Parse bytes into a core model, or ereport why they are not a valid value. */
static kpi_model *
parse_bytes(const unsigned char *data, size_t len)
{
	kpi_model  *model = NULL;
	const char *problem = NULL;
	int			rc = kpi_model_deserialise(data, len, &model, &problem);

	if (rc == KPI_ERR_NOMEM)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory while reading a noa.kpi_model")));
	if (rc != KPI_OK)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid noa.kpi_model value: %s", problem ? problem : "unreadable")));
	return model;
}

/* Read argument argno into a core model (malloc'd). */
kpi_model *
kpi_model_from_arg(FunctionCallInfo fcinfo, int argno)
{
	bytea	   *value = PG_GETARG_BYTEA_PP(argno);

	return parse_bytes((const unsigned char *) VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value));
}

PG_FUNCTION_INFO_V1(noa_kpi_model_in);

/* Text input: prefix plus base64; validated like every other input path. */
Datum
noa_kpi_model_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	size_t		plen = strlen(TEXT_PREFIX);
	int			srclen,
				dstlen,
				len;
	bytea	   *result;

	if (strncmp(str, TEXT_PREFIX, plen) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type noa.kpi_model"),
				 errdetail("A noa.kpi_model text value starts with \"%s\".", TEXT_PREFIX),
				 errhint("Create models with the aggregate noa.fit_kpi_model().")));
	srclen = (int) strlen(str + plen);
	dstlen = pg_b64_dec_len(srclen);
	result = palloc(VARHDRSZ + dstlen + 1);
	len = pg_b64_decode(str + plen, srclen, VARDATA(result), dstlen + 1);
	if (len < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type noa.kpi_model: bad base64")));
	SET_VARSIZE(result, VARHDRSZ + len);
	kpi_model_free(parse_bytes((const unsigned char *) VARDATA(result), len));
	PG_RETURN_BYTEA_P(result);
}

PG_FUNCTION_INFO_V1(noa_kpi_model_out);

/* Text output: prefix plus base64 of the stored bytes. */
Datum
noa_kpi_model_out(PG_FUNCTION_ARGS)
{
	bytea	   *value = PG_GETARG_BYTEA_PP(0);
	int			len = VARSIZE_ANY_EXHDR(value);
	int			enclen = pg_b64_enc_len(len);
	size_t		plen = strlen(TEXT_PREFIX);
	char	   *out = palloc(plen + enclen + 1);
	int			written;

	memcpy(out, TEXT_PREFIX, plen);
	written = pg_b64_encode(VARDATA_ANY(value), len, out + plen, enclen);
	if (written < 0)
		elog(ERROR, "base64 encoding of a noa.kpi_model failed");
	out[plen + written] = '\0';
	PG_RETURN_CSTRING(out);
}

PG_FUNCTION_INFO_V1(noa_kpi_model_recv);

/* Binary input: the portable bytes, validated. */
Datum
noa_kpi_model_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			len = buf->len - buf->cursor;
	bytea	   *result = palloc(VARHDRSZ + len);

	memcpy(VARDATA(result), buf->data + buf->cursor, len);
	buf->cursor = buf->len;
	SET_VARSIZE(result, VARHDRSZ + len);
	kpi_model_free(parse_bytes((const unsigned char *) VARDATA(result), len));
	PG_RETURN_BYTEA_P(result);
}

PG_FUNCTION_INFO_V1(noa_kpi_model_send);

/* Binary output: the portable bytes. */
Datum
noa_kpi_model_send(PG_FUNCTION_ARGS)
{
	bytea	   *value = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbytes(&buf, VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}
