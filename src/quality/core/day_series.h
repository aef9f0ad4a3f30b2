/*
 * day_series.h — one campaign's rows reduced to a daily series for
 * noa.data_quality (noa._collect_days): the records, their order and the
 * repeated days.  Plain C, no PostgreSQL.
 */
#ifndef NOA_DAY_SERIES_H
#define NOA_DAY_SERIES_H

#include <stddef.h>
#include <stdint.h>

/* One row of a campaign: its day and measures (NaN: no value). */
typedef struct NoaDayRecord
{
	int32_t		day;
	double		spend;
	double		conversions;
} NoaDayRecord;

/* Order of records: by day, then spend, then conversions (NaN last), so
 * sorting gives one order whatever order the rows came in. */
int			noa_day_record_cmp(const NoaDayRecord *a, const NoaDayRecord *b);

/* Records of a sorted array whose day the record before already has. */
int64_t		noa_day_records_repeats(const NoaDayRecord *sorted, size_t n);

#endif
