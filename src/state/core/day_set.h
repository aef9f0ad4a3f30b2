/*
 * day_set.h — a set of days as a bitmap over a window of whole 64-day words,
 * for noa._repeated_days (how many rows of a campaign fall on a day another
 * row already has).  A window starts on a multiple of 64 days and grows in
 * either direction as days arrive; a day is one bit, so two years of a
 * campaign take 12 words instead of 730 stored values.  Days are counted from
 * any fixed origin (PostgreSQL's DateADT); int64 arithmetic, so no day value
 * of an int32 overflows.  Plain C, no PostgreSQL headers.
 */
#ifndef NOA_DAY_SET_H
#define NOA_DAY_SET_H

#include <stdbool.h>
#include <stdint.h>

/* The days [base, base + 64 * nwords); base is a multiple of 64 (nwords 0: empty). */
typedef struct NoaDayWindow
{
	int64_t		base;
	int64_t		nwords;
} NoaDayWindow;

/*
 * The window to hold w and the days lo..hi (lo <= hi): the smallest one that
 * covers them, widened (when it had to grow) in the direction it grew to
 * twice w's words, so days arriving in order reallocate only a few times.
 * False when even the smallest one is wider than max_words.
 */
bool noa_day_window_grow(NoaDayWindow w, int64_t lo, int64_t hi, int64_t max_words, NoaDayWindow *out);

/* Whether window inner lies inside window outer. */
bool noa_day_window_contains(NoaDayWindow outer, NoaDayWindow inner);

/* Copy the bits of src (window from) into dst (window to, zeroed, containing from). */
void noa_day_bits_move(const uint64_t *src, NoaDayWindow from, uint64_t *dst, NoaDayWindow to);

/* Set the bit of day (inside w); true when it was already set. */
bool noa_day_bits_add(uint64_t *words, NoaDayWindow w, int64_t day);

/* OR src (window sw, inside dw) into dst (window dw); the number of days set in both. */
int64_t noa_day_bits_union(uint64_t *dst, NoaDayWindow dw, const uint64_t *src, NoaDayWindow sw);

/* The number of days set. */
int64_t noa_day_bits_count(const uint64_t *words, int64_t nwords);

/* The days set, ascending, into out (room for noa_day_bits_count of them); their number. */
int64_t noa_day_bits_days(const uint64_t *words, NoaDayWindow w, int64_t *out);

#endif
