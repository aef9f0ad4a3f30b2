/*
 * test_day_series.c — unit tests of a campaign's day records
 * (src/quality/core/day_series.c): their order and repeated days.
 */
#include <math.h>
#include <stdlib.h>

#include "day_series.h"
#include "unit.h"

static int
cmp_any(const void *a, const void *b)
{
	return noa_day_record_cmp(a, b);
}

static void
test_order_and_repeats(void)
{
	NoaDayRecord r[] = {
		{5, 10.0, 1.0}, {3, NAN, 2.0}, {5, 10.0, NAN}, {4, 7.0, 0.0}, {3, 1.0, 2.0}, {5, 2.0, 1.0},
	};
	size_t		n = sizeof(r) / sizeof(r[0]);

	qsort(r, n, sizeof(NoaDayRecord), cmp_any);
	CHECK(r[0].day == 3 && r[0].spend == 1.0 && r[1].day == 3 && isnan(r[1].spend),
		  "order: by day, then spend with NaN last");
	CHECK(r[3].day == 5 && r[3].spend == 2.0 && r[4].conversions == 1.0 && isnan(r[5].conversions),
		  "order: then conversions with NaN last");
	CHECK(noa_day_records_repeats(r, n) == 3, "repeats: one on day 3, two on day 5 (%lld)",
		  (long long) noa_day_records_repeats(r, n));
	CHECK(noa_day_records_repeats(r, 1) == 0 && noa_day_records_repeats(r, 0) == 0,
		  "repeats: none in one or no record");
	CHECK(noa_day_records_repeats(r + 2, 2) == 0, "repeats: none on distinct days");
}

int
main(void)
{
	test_order_and_repeats();
	return unit_done();
}
