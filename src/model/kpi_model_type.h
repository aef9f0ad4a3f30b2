/*
 * kpi_model_type.h — the SQL type noa.kpi_model: a varlena holding the numeric
 * core's portable serialisation (src/model/core/kpi_serial.c) byte for byte.
 */
#ifndef NOA_KPI_MODEL_TYPE_H
#define NOA_KPI_MODEL_TYPE_H

#include "postgres.h"
#include "fmgr.h"

#include "kpi_model.h"

/* Wrap a fitted core model in a new palloc'd noa.kpi_model datum. */
bytea	   *kpi_model_to_datum(const kpi_model *model);

/*
 * Read argument `argno` into a core model (malloc'd; the caller frees it with
 * kpi_model_free before any further ereport).  Errors on a damaged value.
 */
kpi_model  *kpi_model_from_arg(FunctionCallInfo fcinfo, int argno);

#endif
