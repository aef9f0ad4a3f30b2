/*
 * kpi_season.c — seasonality=auto: does the organic demand scale (weekday,
 * season and trend multiplying each other) or add up?  Decided on the
 * additive fit's residual, media included: the interaction columns of the
 * multiplicative design are residualised on the additive base terms and the
 * intercept, and their least-squares reduction of the residual sum of squares
 * is weighed by BIC (n·ln(SSR₁/SSR₀) + p·ln n < 0 → multiplicative).
 */
#include "kpi_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* 1 when the multiplicative terms lower the BIC of the fit in w, 0 when not, −1 when out of memory. */
int
kpi_interactions_improve(const kpi_work *w)
{
	const kpi_model *model = w->model;
	kpi_design	mult = w->design;
	int			n = w->n_obs,
				extra = kpi_interaction_terms(1, w->design.weekly, w->design.harmonics),
				from = 2 + w->design.n_knots + 6 * w->design.weekly + 2 * w->design.harmonics,
				kept = 0,
				i,
				j,
				l;
	double	   *v,
			   *row;
	const double *c = w->ftil + (size_t) w->m * n;
	double		ssr = 0.0,
				gain = 0.0;

	if (extra == 0 || w->design.interact)
		return 0;
	mult.interact = 1;
	mult.q = w->design.q + extra;
	v = malloc(sizeof(double) * ((size_t) extra * n + 1));
	row = malloc(sizeof(double) * (mult.q + 1));
	if (v == NULL || row == NULL)
	{
		free(v);
		free(row);
		return -1;
	}
	for (i = 0; i < n; i++)
	{
		kpi_design_row(model, &mult, w->obs[i], row);
		for (j = 0; j < extra; j++)
			v[(size_t) j * n + i] = row[from + j];
	}
	for (i = 0; i < n; i++)
		ssr += w->e[i] * w->e[i];
	for (j = 0; j < extra; j++)
	{
		double	   *x = v + (size_t) kept * n,
					norm0 = 0.0,
					norm = 0.0,
					dot;

		if (kept != j)
			memcpy(x, v + (size_t) j * n, sizeof(double) * n);
		for (i = 0; i < n; i++)
			norm0 += x[i] * x[i];
		kpi_project_out(w, x);
		if (w->dnorm[w->m] > 0.0)
		{
			dot = 0.0;
			for (i = 0; i < n; i++)
				dot += x[i] * c[i];
			for (i = 0; i < n; i++)
				x[i] -= dot / w->dnorm[w->m] * c[i];
		}
		for (l = 0; l < kept; l++)
		{
			const double *q = v + (size_t) l * n;

			dot = 0.0;
			for (i = 0; i < n; i++)
				dot += q[i] * x[i];
			for (i = 0; i < n; i++)
				x[i] -= dot * q[i];
		}
		for (i = 0; i < n; i++)
			norm += x[i] * x[i];
		if (!(norm > 1e-12 * norm0))
			continue;
		norm = sqrt(norm);
		dot = 0.0;
		for (i = 0; i < n; i++)
		{
			x[i] /= norm;
			dot += x[i] * w->e[i];
		}
		gain += dot * dot;
		kept++;
	}
	free(v);
	free(row);
	if (kept == 0 || !(ssr > 0.0) || gain >= ssr)
		return kept > 0 && ssr > 0.0;
	return n * log((ssr - gain) / ssr) + kept * log((double) n) < 0.0;
}
