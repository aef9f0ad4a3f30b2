/*
 * day_set.c — a set of days as a bitmap over a growing window (see
 * day_set.h).
 */
#include <string.h>

#include "day_set.h"

/* The word holding day: floor(day / 64), for negative days too. */
static int64_t
word_of(int64_t day)
{
	return day >= 0 ? day / 64 : -((-day + 63) / 64);
}

bool
noa_day_window_grow(NoaDayWindow w, int64_t lo, int64_t hi, int64_t max_words, NoaDayWindow *out)
{
	int64_t		first = word_of(lo);
	int64_t		last = word_of(hi);
	int64_t		w_first = w.base / 64;
	int64_t		w_last = w_first + w.nwords - 1;
	int64_t		wanted;

	if (w.nwords > 0)
	{
		if (first >= w_first && last <= w_last)
		{
			*out = w;
			return true;
		}
		if (w_first < first)
			first = w_first;
		if (w_last > last)
			last = w_last;
	}
	if (last - first + 1 > max_words)
		return false;
	/* widen to twice the old words, on the side that grew (downwards first) */
	wanted = 2 * w.nwords < max_words ? 2 * w.nwords : max_words;
	if (w.nwords > 0 && last - first + 1 < wanted)
	{
		if (first < w_first)
			first = last - wanted + 1;
		else
			last = first + wanted - 1;
	}
	out->base = first * 64;
	out->nwords = last - first + 1;
	return true;
}

bool
noa_day_window_contains(NoaDayWindow outer, NoaDayWindow inner)
{
	return inner.nwords == 0
		|| (inner.base >= outer.base
			&& inner.base + 64 * inner.nwords <= outer.base + 64 * outer.nwords);
}

void
noa_day_bits_move(const uint64_t *src, NoaDayWindow from, uint64_t *dst, NoaDayWindow to)
{
	if (from.nwords > 0)
		memcpy(dst + (from.base - to.base) / 64, src, (size_t) from.nwords * sizeof(uint64_t));
}

bool
noa_day_bits_add(uint64_t *words, NoaDayWindow w, int64_t day)
{
	int64_t		offset = day - w.base;
	uint64_t	bit = UINT64_C(1) << (offset % 64);
	uint64_t   *word = &words[offset / 64];
	bool		was_set = (*word & bit) != 0;

	*word |= bit;
	return was_set;
}

int64_t
noa_day_bits_union(uint64_t *dst, NoaDayWindow dw, const uint64_t *src, NoaDayWindow sw)
{
	uint64_t   *into = dst + (sw.base - dw.base) / 64;
	int64_t		both = 0;

	for (int64_t i = 0; i < sw.nwords; i++)
	{
		both += __builtin_popcountll(into[i] & src[i]);
		into[i] |= src[i];
	}
	return both;
}

int64_t
noa_day_bits_count(const uint64_t *words, int64_t nwords)
{
	int64_t		n = 0;

	for (int64_t i = 0; i < nwords; i++)
		n += __builtin_popcountll(words[i]);
	return n;
}

int64_t
noa_day_bits_days(const uint64_t *words, NoaDayWindow w, int64_t *out)
{
	int64_t		n = 0;

	for (int64_t i = 0; i < w.nwords; i++)
		for (uint64_t rest = words[i]; rest != 0; rest &= rest - 1)
			out[n++] = w.base + 64 * i + __builtin_ctzll(rest);
	return n;
}
