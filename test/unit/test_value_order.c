/*
 * test_value_order.c — unit tests of the order statistics of the campaign
 * state (src/state/core/value_order.c): repeated values of a sorted list, and
 * percentile_cont as PostgreSQL computes it.
 */
#include "unit.h"
#include "value_order.h"

int
main(void)
{
	const double none[] = {0};
	const double once[] = {1, 2, 3, 5, 8};
	const double twice[] = {1, 1, 2, 3, 3, 3, 4};
	const double one[] = {42.5};
	const double ten[] = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};

	CHECK(noa_adjacent_repeats(none, 0) == 0, "an empty list repeats nothing");
	CHECK(noa_adjacent_repeats(once, 5) == 0, "distinct values repeat nothing");
	CHECK(noa_adjacent_repeats(twice, 7) == 3, "1,1,2,3,3,3,4: three values repeat the one before");

	CHECK(noa_percentile_cont(one, 1, 0.1) == 42.5, "one value is every percentile");
	CHECK(noa_percentile_cont(ten, 10, 0.0) == 10 && noa_percentile_cont(ten, 10, 1.0) == 100,
		  "percentiles 0 and 1 are the extremes");
	/* 0.1 * 9 = 0.9: rows 0 and 1, 10 + 0.9 * 10 (the same double expression as PostgreSQL's) */
	CHECK(noa_percentile_cont(ten, 10, 0.1) == 10 + ((0.1 * 9 - 0) * (20 - 10)),
		  "p10 of 10..100 interpolates rows 0 and 1: %.17g", noa_percentile_cont(ten, 10, 0.1));
	CHECK(noa_percentile_cont(ten, 10, 0.9) == 90 + ((0.9 * 9 - 8) * (100 - 90)),
		  "p90 of 10..100 interpolates rows 8 and 9: %.17g", noa_percentile_cont(ten, 10, 0.9));
	CHECK(unit_close(noa_percentile_cont(ten, 10, 0.9), 91, 1e-12), "p90 of 10..100 is 91");
	CHECK(noa_percentile_cont(once, 5, 0.5) == 3, "the median of an odd list is its middle value");
	return unit_done();
}
