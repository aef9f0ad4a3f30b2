/*
 * test_day_windows.c — unit tests of the rolling-window statistics behind the
 * tracking-break and spend-spike checks (src/quality/core/day_windows.c).
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "day_windows.h"
#include "unit.h"

static int	calls = 0;

/* Interrupt callback: no on its first call (calls == 0), yes afterwards. */
static int
cancel_after_first(void *arg)
{
	(void) arg;
	return calls++ > 0;
}

/* 120 days of steady spend and conversions, tracking lost from day 80 to 90. */
static void
test_break(void)
{
	enum {N = 120};
	int			day[N];
	double		sp[N], cv[N];
	bool		has[N];
	NoaBreakCandidate out[N];
	size_t		n_out, i, first = N, last = 0;

	for (i = 0; i < N; i++)
	{
		day[i] = (int) i;
		sp[i] = 100.0 + (double) (i % 5);
		cv[i] = (i >= 80 && i <= 90) ? 0.0 : 20.0 + (double) (i % 3);
		has[i] = true;
	}
	CHECK(noa_break_candidates(day, sp, cv, has, N, out, &n_out, NULL) == NOA_DW_OK, "break: runs");
	for (i = 0; i < n_out; i++)
	{
		if (out[i].index < first) first = out[i].index;
		if (out[i].index > last) last = out[i].index;
	}
	CHECK(n_out == 11 && first == 80 && last == 90, "break: the 11 lost days and no other (%zu, %zu..%zu)", n_out, first, last);
	/* day 80: similar days are days 24..79 (56 days), conversions 20,21,22 in turn: median 21 */
	CHECK(n_out > 0 && out[0].ref_kind == NOA_REF_SIMILAR && out[0].ref_cv == 21.0 && out[0].ref_sp == 102.0,
		  "break: reference of the first day = medians of the 56 similar days before (%g, %g)",
		  n_out ? out[0].ref_cv : -1, n_out ? out[0].ref_sp : -1);
	/* variance/mean of 20,21,22 repeated is below 1: dispersion 1 */
	CHECK(n_out > 0 && out[0].ref_disp == 1.0, "break: under-dispersed reference counts as Poisson");

	/* a day without conversions is neither a reference nor a candidate */
	has[85] = false;
	CHECK(noa_break_candidates(day, sp, cv, has, N, out, &n_out, NULL) == NOA_DW_OK && n_out == 10,
		  "break: days without both measures are skipped (%zu)", n_out);

	calls = 0;
	CHECK(noa_break_candidates(day, sp, cv, has, N, out, &n_out, cancel_after_first) == NOA_DW_CANCELLED,
		  "break: stops when interrupted");
}

/* 60 days of spend around 100, one day at 1,000 */
static void
test_spike(void)
{
	enum {N = 60};
	int			day[N];
	double		sp[N];
	NoaSpikeDay out[N];
	size_t		n_out, i;

	for (i = 0; i < N; i++)
	{
		day[i] = (int) (2 * i);		/* every other day: windows count days, not rows */
		sp[i] = 100.0 * (1.0 + 0.01 * (double) (i % 4));
	}
	sp[30] = 1000.0;
	CHECK(noa_spike_days(day, sp, N, out, &n_out, NULL) == NOA_DW_OK, "spike: runs");
	CHECK(n_out == 1 && out[0].index == 30, "spike: the one ten-fold day (%zu)", n_out);
	/* rows every other day: the days next to it are one row on each side */
	CHECK(n_out == 1 && fabs(out[0].lsp - log(1000.0)) < 1e-15 && out[0].z > 3.0,
		  "spike: ln spend and a robust z above 3 (z = %g)", n_out ? out[0].z : 0);

	/* a persisting new level is not a spike */
	for (i = 30; i < N; i++)
		sp[i] = 1000.0;
	CHECK(noa_spike_days(day, sp, N, out, &n_out, NULL) == NOA_DW_OK && n_out == 0,
		  "spike: a new level that persists is not a spike (%zu)", n_out);
	CHECK(noa_spike_days(day, sp, 0, out, &n_out, NULL) == NOA_DW_OK && n_out == 0, "spike: empty series");
	calls = 1;
	CHECK(noa_spike_days(day, sp, N, out, &n_out, cancel_after_first) == NOA_DW_CANCELLED,
		  "spike: stops when interrupted");
}

/* "Similar" spend includes a day at exactly a factor 1.5 and nothing beyond. */
static void
test_break_similar_bounds(void)
{
	enum {N = 61};
	int			day[N];
	double		sp[N], cv[N];
	bool		has[N];
	NoaBreakCandidate out[N];
	size_t		n_out, i;

	for (i = 0; i < N; i++)
	{
		day[i] = (int) i;
		sp[i] = 100.0;
		cv[i] = 20.0;
		has[i] = true;
	}
	sp[N - 1] = 150.0;			/* 150 / 1.5 = 100 exactly: the days before are similar */
	cv[N - 1] = 0.0;
	CHECK(noa_break_candidates(day, sp, cv, has, N, out, &n_out, NULL) == NOA_DW_OK && n_out == 1
		  && out[0].index == N - 1 && out[0].ref_kind == NOA_REF_SIMILAR && out[0].ref_sp == 100.0,
		  "break: spend at exactly 1.5 times is similar (%zu, kind %d)", n_out, n_out ? out[0].ref_kind : 0);
	sp[N - 1] = 150.02;			/* just above: no similar day, all 28 days before */
	CHECK(noa_break_candidates(day, sp, cv, has, N, out, &n_out, NULL) == NOA_DW_OK && n_out == 1
		  && out[0].ref_kind == NOA_REF_ALL,
		  "break: spend above 1.5 times is not similar (kind %d)", n_out ? out[0].ref_kind : 0);
	sp[N - 1] = 66.67;			/* 66.67 * 1.5 = 100.005: the days before are similar */
	CHECK(noa_break_candidates(day, sp, cv, has, N, out, &n_out, NULL) == NOA_DW_OK && n_out == 1
		  && out[0].ref_kind == NOA_REF_SIMILAR,
		  "break: spend just above a factor 1.5 below is similar (kind %d)", n_out ? out[0].ref_kind : 0);
}

/* Missing days between days with rows, none at the ends. */
static void
test_gaps(void)
{
	int			day[] = {10, 11, 14, 15, 16, 20, 21};
	NoaDayGap	out[6];
	size_t		n_out;

	noa_day_gaps(day, 7, out, &n_out);
	CHECK(n_out == 2 && out[0].first == 12 && out[0].last == 13 && out[1].first == 17 && out[1].last == 19,
		  "gaps: two runs of missing days (%zu)", n_out);
	noa_day_gaps(day, 2, out, &n_out);
	CHECK(n_out == 0, "gaps: consecutive days have none");
	noa_day_gaps(day, 0, out, &n_out);
	CHECK(n_out == 0, "gaps: empty series");
}

int
main(void)
{
	test_break();
	test_break_similar_bounds();
	test_gaps();
	test_spike();
	return unit_done();
}
