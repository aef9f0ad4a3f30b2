/*
 * kpi_bootstrap.c — intervals for the KPI model by a moving-block residual
 * bootstrap with a fixed seed.  Media-mix residuals are autocorrelated in time
 * (slow unmodelled demand, carryover misfit), so resampling single residuals or
 * plain least-squares standard errors would give intervals that are too narrow;
 * blocks of consecutive residuals keep that dependence.  Each replicate
 * refits every β and refines (α, κ, s) from the point estimate by pattern
 * search, so the intervals carry the nonlinear parameters' uncertainty too.
 */
#include "kpi_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/* Quantile (linear interpolation, type 7) of a sorted array. */
static double
quantile_sorted(const double *v, int n, double p)
{
	double		h = (n - 1) * p;
	int			lo = (int) floor(h);

	if (lo >= n - 1)
		return v[n - 1];
	return v[lo] + (h - lo) * (v[lo + 1] - v[lo]);
}

/* Block length: about n^(1/3), whole weeks for daily data. */
static int
block_length(const kpi_model *model, int n_obs)
{
	int			len = (int) ceil(cbrt((double) n_obs));

	if (model->period_days == 1)
		len = ((len + 6) / 7) * 7;
	else if (len < 4)
		len = 4;
	return len < n_obs ? len : n_obs;
}

/* 5% and 95% percentiles of draws (sorted in place). */
void
kpi_interval90(double *draws, int count, double *lo, double *hi)
{
	qsort(draws, count, sizeof(double), cmp_double);
	*lo = quantile_sorted(draws, count, 0.05);
	*hi = quantile_sorted(draws, count, 0.95);
}

/* Run the bootstrap; fills the channels' interval and covariance fields. */
int
kpi_bootstrap(kpi_model *model, kpi_work *w, int replicates)
{
	int			n_obs = w->n_obs,
				na = w->n_active,
				m = w->m,
				len = block_length(model, n_obs),
				b,
				a,
				i,
				rc = KPI_OK,
				done = 0;
	size_t		nm = (size_t) m;
	double	   *fitted = malloc(sizeof(double) * (n_obs + 1));
	double	   *resid = malloc(sizeof(double) * (n_obs + 1));
	double	   *ystar = malloc(sizeof(double) * (n_obs + 1));
	double	   *saved = malloc(sizeof(double) * (4 * nm + 2));
	double	   *ftil0 = malloc(sizeof(double) * ((size_t) (m + 1) * n_obs + 1));
	double	   *dnorm0 = malloc(sizeof(double) * (2 * nm + 2));
	double	   *draws = malloc(sizeof(double) * ((size_t) replicates * na * 6 + 1));
	double	   *curve = malloc(sizeof(double) * (w->n + 1));
	int			nt = model->n_tests;
	double	   *test_draws = malloc(sizeof(double) * ((size_t) replicates * nt + 1));
	double		mean = 0.0;
	kpi_rng		rng;

	if (!fitted || !resid || !ystar || !saved || !ftil0 || !dnorm0 || !draws || !curve || !test_draws)
	{
		rc = KPI_ERR_NOMEM;
		goto done;
	}
	/* fitted = y − e (e is the residual after projecting the base terms out) */
	for (i = 0; i < n_obs; i++)
	{
		resid[i] = w->e[i];
		fitted[i] = w->y[i] - w->e[i];
		mean += resid[i];
	}
	mean /= n_obs;
	for (i = 0; i < n_obs; i++)
		resid[i] -= mean;
	memcpy(saved, w->alpha, sizeof(double) * nm);
	memcpy(saved + nm, w->logc, sizeof(double) * nm);
	memcpy(saved + 2 * nm, w->shape, sizeof(double) * nm);
	memcpy(saved + 3 * nm, w->beta, sizeof(double) * (nm + 1));
	memcpy(ftil0, w->ftil, sizeof(double) * (size_t) (m + 1) * n_obs);
	memcpy(dnorm0, w->dnorm, sizeof(double) * (nm + 1));
	memcpy(dnorm0 + nm + 1, w->ridge, sizeof(double) * nm);
	kpi_rng_seed(&rng, UINT64_C(0x626f6f74));
	for (b = 0; b < replicates; b++)
	{
		double		obj;

		for (i = 0; i < n_obs;)
		{
			int			start = kpi_rng_below(&rng, n_obs - len + 1),
						j;

			for (j = 0; j < len && i < n_obs; j++, i++)
				ystar[i] = fitted[i] + resid[start + j];
		}
		memcpy(w->alpha, saved, sizeof(double) * nm);
		memcpy(w->logc, saved + nm, sizeof(double) * nm);
		memcpy(w->shape, saved + 2 * nm, sizeof(double) * nm);
		memcpy(w->beta, saved + 3 * nm, sizeof(double) * (nm + 1));
		memcpy(w->ftil, ftil0, sizeof(double) * (size_t) (m + 1) * n_obs);
		memcpy(w->dnorm, dnorm0, sizeof(double) * (nm + 1));
		memcpy(w->ridge, dnorm0 + nm + 1, sizeof(double) * nm);
		kpi_work_set_y(w, ystar);
		/* each replicate draws the tests' measurements from their own error too */
		for (i = 0; i < nt; i++)
			w->test_lift[i] = model->tests[i].lift + model->tests[i].se * kpi_rng_normal(&rng);
		for (a = 0; a < na; a++)
			kpi_tests_refresh(w, w->active[a]);
		rc = kpi_search(w, 0, 2, 4, 2.0, &rng, &obj);
		if (rc != KPI_OK)
			break;
		for (a = 0; a < na; a++)
		{
			int			k = w->active[a];
			const kpi_channel *ch = &model->ch[k];
			double	   *d = draws + ((size_t) a * replicates + b) * 6;
			double		kappa = w->scale[k] * exp(w->logc[k]),
						contribution = 0.0,
						mroas;

			kpi_channel_curve(w, k, w->family[k], w->alpha[k], w->logc[k], w->shape[k], curve);
			for (i = 0; i < n_obs; i++)
				contribution += w->beta[k] * curve[w->obs[i]];
			mroas = w->beta[k] > 0.0 ? w->beta[k] * kpi_saturation_slope(w->family[k], ch->spend_current, kappa, w->shape[k]) : 0.0;
			d[0] = contribution;
			d[1] = isfinite(mroas) ? mroas : 0.0;
			d[2] = w->alpha[k];
			d[3] = w->beta[k];
			d[4] = kappa;
			d[5] = w->shape[k];
		}
		for (i = 0; i < nt; i++)
			test_draws[(size_t) i * replicates + b] = w->beta[model->tests[i].channel] * w->test_S[i];
		done++;
	}
	if (rc == KPI_OK)
	{
		double	   *col = malloc(sizeof(double) * (replicates + 1));

		if (col == NULL)
			rc = KPI_ERR_NOMEM;
		for (a = 0; rc == KPI_OK && a < na; a++)
		{
			kpi_channel *ch = &model->ch[w->active[a]];
			const double *d = draws + (size_t) a * replicates * 6;
			double		mu[3] = {0, 0, 0};
			int			p,
						r;

			for (p = 0; p < 3; p++)
			{
				for (b = 0; b < done; b++)
					col[b] = d[(size_t) b * 6 + p];
				kpi_interval90(col, done, p == 0 ? &ch->contribution_lo : p == 1 ? &ch->mroas_lo : &ch->alpha_lo,
						 p == 0 ? &ch->contribution_hi : p == 1 ? &ch->mroas_hi : &ch->alpha_hi);
			}
			for (b = 0; b < done; b++)
				for (p = 0; p < 3; p++)
					mu[p] += d[(size_t) b * 6 + 3 + p] / done;
			for (p = 0; p < 3; p++)
				for (r = 0; r < 3; r++)
				{
					double		s = 0.0;

					for (b = 0; b < done; b++)
						s += (d[(size_t) b * 6 + 3 + p] - mu[p]) * (d[(size_t) b * 6 + 3 + r] - mu[r]);
					ch->cov[p * 3 + r] = done > 1 ? s / (done - 1) : 0.0;
				}
		}
		for (i = 0; i < nt; i++)
			if (done > 0)
				kpi_interval90(test_draws + (size_t) i * replicates, done, &model->tests[i].predicted_lo,
						 &model->tests[i].predicted_hi);
		free(col);
		model->replicates = done;
	}
	/* leave the workspace at the point estimate */
	if (saved && ftil0 && dnorm0)
	{
		memcpy(w->alpha, saved, sizeof(double) * nm);
		memcpy(w->logc, saved + nm, sizeof(double) * nm);
		memcpy(w->shape, saved + 2 * nm, sizeof(double) * nm);
		memcpy(w->beta, saved + 3 * nm, sizeof(double) * (nm + 1));
		memcpy(w->ftil, ftil0, sizeof(double) * (size_t) (m + 1) * n_obs);
		memcpy(w->dnorm, dnorm0, sizeof(double) * (nm + 1));
		memcpy(w->ridge, dnorm0 + nm + 1, sizeof(double) * nm);
		for (i = 0; i < nt; i++)
			w->test_lift[i] = model->tests[i].lift;
		for (a = 0; a < na; a++)
			kpi_tests_refresh(w, w->active[a]);
	}
done:
	free(fitted);
	free(resid);
	free(ystar);
	free(saved);
	free(ftil0);
	free(dnorm0);
	free(draws);
	free(curve);
	free(test_draws);
	return rc;
}
