/*
 * fit_micro.c — timing of noa_curve_fit on the data of bench/fit_bench.sh
 * (1,000 campaigns x 365 days, Hill curves, deterministic noise), without
 * PostgreSQL.  Not part of the build:
 *
 *   cc -O2 -g -fno-strict-aliasing -fwrapv -fexcess-precision=standard \
 *      -Isrc/curve/core $(gsl-config --cflags) -o /tmp/fit_micro bench/fit_micro.c \
 *      src/curve/core/*.c $(gsl-config --libs)
 *   /tmp/fit_micro [model|all] [repeats] [dump-file]
 *
 * Prints µs per fit (best of `repeats` passes over the 1,000 campaigns), the
 * status counts, mean iterations and starts, and an order-independent
 * checksum of every result's bits; the dump file gets one line per campaign
 * (%.17g of status, params, ssr) to compare two builds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "curve_fit.h"

#define NC 1000
#define ND 365

typedef struct pt
{
	double		x,
				y;
} pt;

static int
pt_cmp(const void *a, const void *b)
{
	const pt   *p = a,
			   *q = b;

	if (p->x != q->x)
		return p->x < q->x ? -1 : 1;
	if (p->y != q->y)
		return p->y < q->y ? -1 : 1;
	return 0;
}

static double xs[NC][ND],
			ys[NC][ND];

/* The bench_days table of fit_bench.sh, each campaign sorted like the glue does. */
static void
make_data(void)
{
	int			c,
				d;

	for (c = 1; c <= NC; c++)
	{
		pt			p[ND];
		double		b = 20 + 40 * (c % 17),
					k = 300 + 25 * (c % 23),
					s = (6 + (c % 15)) / 10.0;

		for (d = 1; d <= ND; d++)
		{
			double		spend = (100 + 10 * (c % 50)) * (0.3 + 2.2 * (0.5 + 0.5 * sin(d * 0.173 + c)));
			double		conv = b * pow(spend, s) / (pow(spend, s) + pow(k, s)) +
				0.05 * b * sin(d * 12.9898 + c * 78.233);

			p[d - 1].x = spend;
			p[d - 1].y = conv > 0 ? conv : 0;
		}
		qsort(p, ND, sizeof(pt), pt_cmp);
		for (d = 0; d < ND; d++)
		{
			xs[c - 1][d] = p[d].x;
			ys[c - 1][d] = p[d].y;
		}
	}
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static uint64_t
hash_bytes(uint64_t h, const void *p, size_t len)
{
	const unsigned char *s = p;
	size_t		i;

	for (i = 0; i < len; i++)
		h = (h ^ s[i]) * 1099511628211ULL;
	return h;
}

static void
run(noa_model model, int repeats, FILE *dump)
{
	static noa_curve res[NC];
	double		best = HUGE_VAL;
	int			r,
				c,
				st[4] = {0, 0, 0, 0};
	long		iters = 0,
				starts = 0;
	uint64_t	h = 1469598103934665603ULL;

	for (r = 0; r < repeats; r++)
	{
		double		t0 = now_us(),
					t;

		for (c = 0; c < NC; c++)
		{
			noa_curve	cur;

			if (noa_curve_fit(model, xs[c], ys[c], ND, NULL, &cur) != NOA_OK)
			{
				fprintf(stderr, "fit failed\n");
				exit(1);
			}
			if (r > 0 && memcmp(&cur, &res[c], sizeof(cur)) != 0)
			{
				fprintf(stderr, "NOT DETERMINISTIC: campaign %d\n", c + 1);
				exit(1);
			}
			res[c] = cur;
		}
		t = now_us() - t0;
		if (t < best)
			best = t;
	}
	for (c = 0; c < NC; c++)
	{
		st[res[c].status]++;
		iters += res[c].iterations;
		starts += res[c].n_starts;
		h = hash_bytes(h, &res[c], sizeof(res[c]));
		if (dump)
			fprintf(dump, "%s %d %d %.17g %.17g %.17g %.17g %.17g %.17g %.17g %d %d\n",
					noa_model_name(model), c + 1, res[c].status, res[c].param[0],
					res[c].param[1], res[c].param[2], res[c].ssr,
					sqrt(res[c].cov[0]), sqrt(res[c].cov[4]), sqrt(res[c].cov[8]),
					res[c].iterations, res[c].n_starts);
	}
	printf("%-17s %8.1f us/fit  conv %4d maxit %3d noid %3d insuf %3d  iter %.2f starts %.2f  hash %016llx\n",
		   noa_model_name(model), best / NC, st[0], st[1], st[2], st[3],
		   (double) iters / NC, (double) starts / NC, (unsigned long long) h);
}

int
main(int argc, char **argv)
{
	const char *which = argc > 1 ? argv[1] : "hill";
	int			repeats = argc > 2 ? atoi(argv[2]) : 5;
	FILE	   *dump = NULL;
	int			m;

	gsl_set_error_handler_off();
	make_data();
	if (argc > 3 && (dump = fopen(argv[3], "w")) == NULL)
		return 1;
	if (strcmp(which, "all") == 0)
	{
		for (m = NOA_MODEL_AUTO; m <= NOA_MODEL_LAST; m++)
			run((noa_model) m, repeats, dump);
	}
	else
	{
		m = noa_model_from_name(which);
		if (m < 0)
			return 1;
		run((noa_model) m, repeats, dump);
	}
	if (dump)
		fclose(dump);
	return 0;
}
