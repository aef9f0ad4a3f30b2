/*
 * day_windows.c — rolling-window medians, means and variances of a
 * campaign's daily series for the tracking-break and spend-spike checks
 * (see day_windows.h).  Each window holds at most 56 days, so sorting a copy
 * per day is cheap and keeps the code obviously equal to the SQL it replaces.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "day_windows.h"

#define BREAK_WINDOW_DAYS   56	/* reference window of the tracking-break check */
#define BREAK_ALL_DAYS      28	/* the fallback reference: all of the 4 weeks before */
#define SPIKE_SIDE_DAYS     14	/* each side of the spike check's windows */
#define SPIKE_NEAR_DAYS      3	/* each side of "the days next to it" */

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/* percentile_cont(0.5) of v[0..n-1] as PostgreSQL computes it (sorts v). */
static double
median_inplace(double *v, size_t n)
{
	size_t		lo;

	qsort(v, n, sizeof(double), cmp_double);
	lo = (n - 1) / 2;
	if (n % 2 == 1)
		return v[lo];
	return v[lo] + (v[lo + 1] - v[lo]) * 0.5;	/* PostgreSQL's float8 interpolation */
}

/* Mean and sample variance as PostgreSQL's avg / var_samp over float8
 * (Youngs-Cramer accumulation in input order); *has_var false when n < 2. */
static void
mean_var(const double *v, size_t n, double *mean, double *var, bool *has_var)
{
	double		N = 0.0,
				Sx = 0.0,
				Sxx = 0.0;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		double		prevN = N;

		N += 1.0;
		Sx += v[i];
		if (prevN > 0.0)
		{
			double		tmp = v[i] * N - Sx;

			Sxx += tmp * tmp / (N * prevN);
		}
		else
			Sxx = 0.0;
	}
	*mean = Sx / N;
	*has_var = n > 1;
	*var = n > 1 ? Sxx / (N - 1.0) : 0.0;
}

int
noa_break_candidates(const int *day, const double *sp, const double *cv, const bool *has,
					 size_t n, NoaBreakCandidate *out, size_t *n_out, int (*interrupted) (void *))
{
	double		sim_s[BREAK_WINDOW_DAYS], sim_c[BREAK_WINDOW_DAYS],
				all_s[BREAK_WINDOW_DAYS], all_c[BREAK_WINDOW_DAYS];
	size_t		i,
				first = 0;		/* first day inside the window of day i */

	*n_out = 0;
	for (i = 0; i < n; i++)
	{
		size_t		j,
					n_sim = 0,
					n_all = 0;
		double		mx = -INFINITY,
					sim_lo,
					sim_hi,
					mean,
					var,
					ref_sp,
					ref_cv,
					disp;
		bool		has_var;
		int			kind;
		NoaBreakCandidate *c;

		if (interrupted && (i & 63) == 0 && interrupted(NULL))
			return NOA_DW_CANCELLED;
		while (first < i && day[first] < day[i] - BREAK_WINDOW_DAYS)
			first++;
		if (!has[i] || !(sp[i] > 0.0))
			continue;
		/* cheap pre-filter: a reference median never exceeds the window's maximum */
		for (j = first; j < i; j++)
			if (has[j] && cv[j] > mx)
				mx = cv[j];
		if (!(cv[i] <= 0.25 * mx))
			continue;
		sim_lo = sp[i] / 1.5;
		sim_hi = sp[i] * 1.5;

		for (j = first; j < i; j++)
		{
			if (!has[j])
				continue;
			if (sp[j] >= sim_lo && sp[j] <= sim_hi)
			{
				sim_s[n_sim] = sp[j];
				sim_c[n_sim++] = cv[j];
			}
			if (day[j] >= day[i] - BREAK_ALL_DAYS)
			{
				all_s[n_all] = sp[j];
				all_c[n_all++] = cv[j];
			}
		}
		if (n_sim >= 7)
		{
			kind = NOA_REF_SIMILAR;
			mean_var(sim_c, n_sim, &mean, &var, &has_var);
			ref_sp = median_inplace(sim_s, n_sim);
			ref_cv = median_inplace(sim_c, n_sim);
		}
		else if (n_all >= 14)
		{
			kind = NOA_REF_ALL;
			mean_var(all_c, n_all, &mean, &var, &has_var);
			ref_sp = median_inplace(all_s, n_all);
			ref_cv = median_inplace(all_c, n_all);
		}
		else
			continue;
		if (!(ref_sp > 0.0 && ref_cv > 0.0))
			continue;
		if (!(cv[i] <= 0.25 * ref_cv * pow(fmin(1.0, sp[i] / ref_sp), 3)))
			continue;
		/* over-dispersion: variance / mean, at least 1 (1 when undefined) */
		disp = (has_var && mean != 0.0) ? var / mean : 1.0;
		c = &out[(*n_out)++];
		c->index = i;
		c->ref_kind = kind;
		c->ref_sp = ref_sp;
		c->ref_cv = ref_cv;
		c->ref_disp = fmax(1.0, disp);
	}
	return NOA_DW_OK;
}

/* Median of x[lo..hi) into *med; false when the range is empty.  buf has room. */
static bool
range_median(const double *x, size_t lo, size_t hi, double *buf, double *med)
{
	if (hi <= lo)
		return false;
	memcpy(buf, x + lo, (hi - lo) * sizeof(double));
	*med = median_inplace(buf, hi - lo);
	return true;
}

/* Median absolute deviation of x[lo..hi) from med. */
static double
range_mad(const double *x, size_t lo, size_t hi, double med, double *buf)
{
	size_t		k;

	for (k = lo; k < hi; k++)
		buf[k - lo] = fabs(x[k] - med);
	return median_inplace(buf, hi - lo);
}

int
noa_spike_days(const int *day, const double *sp, size_t n,
			   NoaSpikeDay *out, size_t *n_out, int (*interrupted) (void *))
{
	double	   *lsp;
	double		buf[2 * SPIKE_SIDE_DAYS + 2];
	size_t		i,
				b0 = 0,			/* first day of the 14 before */
				n0 = 0,			/* first day of the 3 before */
				a1 = 0,			/* one past the last day of the 14 after */
				m1 = 0;			/* one past the last day of the 3 after */
	const double ln5 = log(5.0),
				ln25 = log(2.5);

	*n_out = 0;
	if (n == 0)
		return NOA_DW_OK;
	lsp = malloc(n * sizeof(double));
	if (lsp == NULL)
		return NOA_DW_NOMEM;
	for (i = 0; i < n; i++)
		lsp[i] = log(sp[i]);

	for (i = 0; i < n; i++)
	{
		size_t		nb,
					na,
					k,
					nn = 0;
		double		med_b = 0,
					med_a = 0,
					med_near,
					z;
		bool		has_b,
					has_a;

		if (interrupted && (i & 63) == 0 && interrupted(NULL))
		{
			free(lsp);
			return NOA_DW_CANCELLED;
		}
		while (day[b0] < day[i] - SPIKE_SIDE_DAYS)
			b0++;
		while (day[n0] < day[i] - SPIKE_NEAR_DAYS)
			n0++;
		if (a1 < i + 1)
			a1 = i + 1;
		while (a1 < n && day[a1] <= day[i] + SPIKE_SIDE_DAYS)
			a1++;
		if (m1 < i + 1)
			m1 = i + 1;
		while (m1 < n && day[m1] <= day[i] + SPIKE_NEAR_DAYS)
			m1++;
		nb = i - b0;
		na = a1 - (i + 1);
		if (nb < 7 && na < 7)
			continue;

		/* the days next to it: 3 before and 3 after */
		for (k = n0; k < i; k++)
			buf[nn++] = lsp[k];
		for (k = i + 1; k < m1; k++)
			buf[nn++] = lsp[k];
		if (nn == 0)
			continue;
		med_near = median_inplace(buf, nn);
		if (!(lsp[i] - med_near >= ln5))
			continue;
		has_b = range_median(lsp, b0, i, buf, &med_b);
		has_a = range_median(lsp, i + 1, a1, buf, &med_a);
		if ((has_b && !(lsp[i] - med_b >= ln25)) || (has_a && !(lsp[i] - med_a >= ln25)))
			continue;

		/* robust z against every side that exists: the smaller one */
		z = INFINITY;
		if (has_b)
			z = fmin(z, (lsp[i] - med_b) / fmax(1.4826 * range_mad(lsp, b0, i, med_b, buf), 0.1));
		if (has_a)
			z = fmin(z, (lsp[i] - med_a) / fmax(1.4826 * range_mad(lsp, i + 1, a1, med_a, buf), 0.1));
		if (!(z > 3.0))
			continue;
		out[*n_out].index = i;
		out[*n_out].lsp = lsp[i];
		out[*n_out].med_near = med_near;
		out[*n_out].z = z;
		(*n_out)++;
	}
	free(lsp);
	return NOA_DW_OK;
}

/* The runs of missing days between the days of a sorted series. */
void
noa_day_gaps(const int *day, size_t n, NoaDayGap *out, size_t *n_out)
{
	size_t		i;

	*n_out = 0;
	for (i = 1; i < n; i++)
		if (day[i] > day[i - 1] + 1)
		{
			out[*n_out].first = day[i - 1] + 1;
			out[*n_out].last = day[i] - 1;
			(*n_out)++;
		}
}
