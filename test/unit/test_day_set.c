/*
 * test_day_set.c — unit tests of the day bitmap of noa._repeated_days
 * (src/state/core/day_set.c): window growth in both directions and around
 * day 0, its limit, set/test of days, union with the count of days in both,
 * and listing the days back.
 */
#include "unit.h"
#include "day_set.h"

#include <stdint.h>
#include <string.h>

#define ROOM 64

/* Add day to the bitmap words[ROOM] of window *w, growing it (moving the bits); -1 when too wide. */
static int
add_day(uint64_t *words, NoaDayWindow *w, int64_t day, int64_t max_words)
{
	NoaDayWindow grown;
	uint64_t	moved[ROOM];

	if (!noa_day_window_grow(*w, day, day, max_words, &grown) || grown.nwords > ROOM)
		return -1;
	memset(moved, 0, sizeof(moved));
	noa_day_bits_move(words, *w, moved, grown);
	memcpy(words, moved, sizeof(moved));
	*w = grown;
	return noa_day_bits_add(words, *w, day) ? 1 : 0;
}

int
main(void)
{
	NoaDayWindow empty = {0, 0};
	NoaDayWindow w = empty, g;
	uint64_t	a[ROOM], b[ROOM];
	int64_t		days[ROOM * 64];
	int64_t		repeats = 0, n;
	int			bad = 0;

	/* growth */
	CHECK(noa_day_window_grow(empty, 5, 5, 4, &g) && g.base == 0 && g.nwords == 1,
		  "the first day takes the one word holding it (base %lld, %lld words)", (long long) g.base, (long long) g.nwords);
	CHECK(noa_day_window_grow(empty, -1, -1, 4, &g) && g.base == -64 && g.nwords == 1,
		  "day -1 lies in the word starting at -64 (base %lld)", (long long) g.base);
	CHECK(noa_day_window_grow(empty, -64, -64, 4, &g) && g.base == -64 && g.nwords == 1
		  && noa_day_window_grow(empty, -65, -65, 4, &g) && g.base == -128,
		  "days -64 and -65 fall on either side of a word boundary");
	w.base = 640; w.nwords = 2;
	CHECK(noa_day_window_grow(w, 700, 767, 16, &g) && g.base == 640 && g.nwords == 2,
		  "a day inside the window keeps it");
	CHECK(noa_day_window_grow(w, 768, 768, 16, &g) && g.base == 640 && g.nwords == 4,
		  "growing upwards doubles the words (%lld)", (long long) g.nwords);
	CHECK(noa_day_window_grow(w, 639, 639, 16, &g) && g.base == 640 - 128 && g.nwords == 4,
		  "growing downwards doubles the words below (base %lld)", (long long) g.base);
	CHECK(noa_day_window_grow(w, 640 + 64 * 9, 640 + 64 * 9, 16, &g) && g.base == 640 && g.nwords == 10,
		  "a far day gets the smallest window holding it when that is more than double");
	CHECK(noa_day_window_grow(w, 640 + 64 * 3, 640 + 64 * 3, 3, &g) == false,
		  "a window wider than the limit is refused");
	CHECK(noa_day_window_grow(w, 640 + 64 * 2, 640 + 64 * 2, 3, &g) && g.nwords == 3,
		  "doubling stops at the limit");
	CHECK(noa_day_window_grow(empty, INT32_MIN, INT32_MAX, 1024, &g) == false,
		  "-infinity to infinity does not fit a bitmap");
	CHECK(noa_day_window_contains(g = (NoaDayWindow) {0, 4}, (NoaDayWindow) {64, 2})
		  && !noa_day_window_contains(g, (NoaDayWindow) {-64, 2})
		  && !noa_day_window_contains(g, (NoaDayWindow) {192, 2})
		  && noa_day_window_contains(g, empty), "window containment");

	/* adding days out of order, negative and positive, counts the repeats */
	memset(a, 0, sizeof(a));
	w = empty;
	{
		const int64_t seq[] = {100, 3, -5, 100, 1000, -5, -300, 3, 999, 1000, 1000, 0, -1};

		for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
		{
			int			r = add_day(a, &w, seq[i], ROOM);

			if (r < 0)
				bad++;
			else
				repeats += r;
		}
	}
	CHECK(bad == 0 && repeats == 5, "13 rows on 8 distinct days: 5 repeats (%lld)", (long long) repeats);
	CHECK(noa_day_bits_count(a, w.nwords) == 8, "8 days set");
	n = noa_day_bits_days(a, w, days);
	CHECK(n == 8 && days[0] == -300 && days[1] == -5 && days[2] == -1 && days[3] == 0 && days[4] == 3
		  && days[5] == 100 && days[6] == 999 && days[7] == 1000,
		  "the days come back ascending: %lld %lld %lld %lld %lld %lld %lld %lld",
		  (long long) days[0], (long long) days[1], (long long) days[2], (long long) days[3],
		  (long long) days[4], (long long) days[5], (long long) days[6], (long long) days[7]);

	/* union: the days of b in a window inside a's, overlap counted */
	{
		NoaDayWindow wb = empty;
		NoaDayWindow wa = w;
		int64_t		both;

		memset(b, 0, sizeof(b));
		add_day(b, &wb, 3, ROOM);
		add_day(b, &wb, 4, ROOM);
		add_day(b, &wb, 1000, ROOM);
		add_day(b, &wb, 63, ROOM);
		CHECK(noa_day_window_contains(wa, wb), "b's window lies inside a's");
		both = noa_day_bits_union(a, wa, b, wb);
		CHECK(both == 2, "days 3 and 1000 are in both (%lld)", (long long) both);
		CHECK(noa_day_bits_count(a, wa.nwords) == 10, "the union has 10 days");
		CHECK(noa_day_bits_add(a, wa, 4) && noa_day_bits_add(a, wa, 63) && !noa_day_bits_add(a, wa, 62),
			  "b's days are set in a after the union, others not");
	}

	/* two years day by day, then again: 730 repeats, 12 words */
	memset(a, 0, sizeof(a));
	w = empty;
	repeats = 0;
	for (int pass = 0; pass < 2; pass++)
		for (int64_t d = 9000; d < 9730; d++)
			repeats += add_day(a, &w, d, ROOM);
	CHECK(repeats == 730 && noa_day_bits_count(a, w.nwords) == 730,
		  "two years twice: 730 repeats, 730 days (%lld)", (long long) repeats);
	CHECK(w.nwords <= 16, "two years fit in %lld words", (long long) w.nwords);
	return unit_done();
}
