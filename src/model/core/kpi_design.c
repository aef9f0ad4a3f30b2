/*
 * kpi_design.c — the KPI model's linear machinery: base design (intercept,
 * trend with hinges, day of week, yearly Fourier, controls), its orthonormal
 * projection, media features, and the non-negative ridge solve of β.
 */
#include "kpi_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TWO_PI 6.283185307179586

/* Pick the base terms a training span supports. */
void
kpi_design_choose(const kpi_model *model, int n_train, kpi_design *design)
{
	int			span_days = n_train * model->period_days;

	design->n_train = n_train;
	design->n_knots = span_days >= 365 ? 2 : 0;
	design->weekly = model->period_days == 1 && n_train >= 28;
	design->harmonics = span_days >= 365 ? (model->period_days == 1 ? 3 : 2)
		: (span_days >= 180 ? 1 : 0);
	design->interact = model->multiplicative && (design->weekly || design->harmonics > 0);
	design->q = 2 + design->n_knots + (design->weekly ? 6 : 0) + 2 * design->harmonics
		+ kpi_interaction_terms(model->multiplicative, design->weekly, design->harmonics) + model->c;
}

/*
 * A multiplicative baseline level·(1 + w_dow)·(1 + s_year)·(1 + g·τ) expands
 * into the additive terms plus their products; the first-order products kept
 * are day of week × first yearly harmonic (12), day of week × trend (6) and
 * first yearly harmonic × trend (2): the higher harmonics' products with the
 * trend extrapolate badly past the data (the holdout NRMSE of the demo doubled
 * with them) and are left out.  Linear in the coefficients, so
 * the profiled fit is unchanged; the weekly swing may grow with the season and
 * the trend, as it does when demand scales.
 */
int
kpi_interaction_terms(int multiplicative, int weekly, int harmonics)
{
	if (!multiplicative)
		return 0;
	return (weekly ? 6 + (harmonics > 0 ? 12 : 0) : 0) + (harmonics > 0 ? 2 : 0);
}

/* Base terms of period t. */
void
kpi_design_row(const kpi_model *model, const kpi_design *design, int t, double *row)
{
	double		tau = design->n_train > 1 ? (double) t / (design->n_train - 1) : 0.0;
	int			day = model->first_day + t * model->period_days;
	int			j = 0,
				h;

	/*
	 * Trend and day-of-week terms are centred (over a uniform calendar), so the
	 * intercept is the average organic level, which the fit keeps ≥ 0.
	 */
	row[j++] = 1.0;
	row[j++] = tau - 0.5;
	for (h = 1; h <= design->n_knots; h++)
	{
		double		knot = (double) h / (design->n_knots + 1);

		row[j++] = (tau > knot ? tau - knot : 0.0) - 0.5 * (1.0 - knot) * (1.0 - knot);
	}
	if (design->weekly)
	{
		int			dow = ((day % 7) + 7) % 7;

		for (h = 1; h < 7; h++)
			row[j++] = (dow == h ? 1.0 : 0.0) - 1.0 / 7.0;
	}
	for (h = 1; h <= design->harmonics; h++)
	{
		double		angle = TWO_PI * h * fmod((double) day, 365.25) / 365.25;

		row[j++] = sin(angle);
		row[j++] = cos(angle);
	}
	if (design->interact)
	{
		int			dow = ((day % 7) + 7) % 7;
		double		angle = TWO_PI * fmod((double) day, 365.25) / 365.25;

		for (h = 1; design->weekly && h < 7; h++)
		{
			double		d = (dow == h ? 1.0 : 0.0) - 1.0 / 7.0;

			row[j++] = d * (tau - 0.5);
			if (design->harmonics > 0)
			{
				row[j++] = d * sin(angle);
				row[j++] = d * cos(angle);
			}
		}
		if (design->harmonics > 0)
		{
			row[j++] = sin(angle) * (tau - 0.5);
			row[j++] = cos(angle) * (tau - 0.5);
		}
	}
	for (h = 0; h < model->c; h++)
		row[j++] = model->control[(size_t) h * model->n + t];
}

/*
 * Orthonormalise the base columns except the intercept (modified Gram–Schmidt,
 * twice), dropping dependent ones.  The intercept is solved with the media
 * effects under μ ≥ 0 instead (see kpi_solve_beta).
 */
static int
orthonormalise(kpi_work *w, const double *X)
{
	int			q = w->design.q,
				n = w->n_obs,
				j,
				i,
				pass,
				t;
	double	   *Rfull = calloc((size_t) q * q + 1, sizeof(double));

	if (Rfull == NULL)
		return KPI_ERR_NOMEM;
	w->r = 0;
	w->kept[0] = -1;
	for (j = 1; j < q; j++)
	{
		double	   *v = w->Q + (size_t) w->r * n;
		double		norm0 = 0.0,
					norm = 0.0;

		memcpy(v, X + (size_t) j * n, sizeof(double) * n);
		for (t = 0; t < n; t++)
			norm0 += v[t] * v[t];
		for (pass = 0; pass < 2; pass++)
			for (i = 0; i < w->r; i++)
			{
				const double *qi = w->Q + (size_t) i * n;
				double		dot = 0.0;

				for (t = 0; t < n; t++)
					dot += qi[t] * v[t];
				for (t = 0; t < n; t++)
					v[t] -= dot * qi[t];
				Rfull[(size_t) i * q + w->r] += dot;
			}
		for (t = 0; t < n; t++)
			norm += v[t] * v[t];
		if (norm0 <= 0.0 || norm <= 1e-18 * norm0 || norm <= 0.0)
		{
			w->kept[j] = -1;
			for (i = 0; i < w->r; i++)
				Rfull[(size_t) i * q + w->r] = 0.0;
			continue;
		}
		norm = sqrt(norm);
		for (t = 0; t < n; t++)
			v[t] /= norm;
		Rfull[(size_t) w->r * q + w->r] = norm;
		w->kept[j] = w->r;
		w->r++;
	}
	for (i = 0; i < w->r; i++)
		for (j = 0; j < w->r; j++)
			w->R[(size_t) i * w->r + j] = Rfull[(size_t) i * q + j];
	free(Rfull);
	return KPI_OK;
}

/* Workspace over periods t < n. */
kpi_work *
kpi_work_new(const kpi_model *model, int n, int lag, const kpi_design *design)
{
	kpi_work   *w = calloc(1, sizeof(kpi_work));
	int			m = model->m,
				t,
				j,
				k,
				no = 0;
	double	   *X = NULL,
			   *row = NULL;

	if (w == NULL)
		return NULL;
	w->model = model;
	w->design = *design;
	w->n = n;
	w->lag = lag;
	w->m = m;
	for (t = 0; t < n; t++)
		if (!isnan(model->kpi[t]))
			no++;
	w->n_obs = no;
	w->obs = malloc(sizeof(int) * (no + 1));
	w->y = malloc(sizeof(double) * (no + 1));
	w->ytil = malloc(sizeof(double) * (no + 1));
	w->Q = malloc(sizeof(double) * ((size_t) no * design->q + 1));
	w->R = malloc(sizeof(double) * ((size_t) design->q * design->q + 1));
	w->kept = malloc(sizeof(int) * (design->q + 1));
	w->active = malloc(sizeof(int) * (m + 1));
	w->scale = calloc(m + 1, sizeof(double));
	w->alpha = calloc(m + 1, sizeof(double));
	w->logc = calloc(m + 1, sizeof(double));
	w->shape = calloc(m + 1, sizeof(double));
	w->beta = calloc(m + 1, sizeof(double));
	w->family = calloc(m + 1, sizeof(int));
	w->ftil = calloc((size_t) (m + 1) * no + 1, sizeof(double));
	w->dnorm = calloc(m + 1, sizeof(double));
	w->ridge = calloc(m + 1, sizeof(double));
	w->e = malloc(sizeof(double) * (no + 1));
	w->adst = malloc(sizeof(double) * (n + 1));
	w->loga = malloc(sizeof(double) * (n + 1));
	w->feat = malloc(sizeof(double) * (n + 1));
	w->fobs = malloc(sizeof(double) * (no + 1));
	w->proj = malloc(sizeof(double) * (design->q + 1));
	w->gram = malloc(sizeof(double) * (2 * (size_t) m * m + 1));
	w->rhs = malloc(sizeof(double) * (2 * m + 2));
	w->proj_g = malloc(sizeof(double) * (m + 1));
	X = malloc(sizeof(double) * ((size_t) no * design->q + 1));
	row = malloc(sizeof(double) * (design->q + 1));
	if (!w->obs || !w->y || !w->ytil || !w->Q || !w->R || !w->kept || !w->active || !w->scale ||
		!w->alpha || !w->logc || !w->shape || !w->beta || !w->family || !w->ftil || !w->dnorm || !w->ridge || !w->e ||
		!w->adst || !w->loga || !w->feat || !w->fobs || !w->proj || !w->gram || !w->rhs || !w->proj_g || !X || !row)
	{
		free(X);
		free(row);
		kpi_work_free(w);
		return NULL;
	}
	no = 0;
	for (t = 0; t < n; t++)
		if (!isnan(model->kpi[t]))
		{
			w->obs[no] = t;
			w->y[no] = model->kpi[t];
			kpi_design_row(model, design, t, row);
			for (j = 0; j < design->q; j++)
				X[(size_t) j * w->n_obs + no] = row[j];
			no++;
		}
	if (orthonormalise(w, X) != KPI_OK ||
		(w->Qrow = malloc(sizeof(double) * ((size_t) w->n_obs * w->r + 1))) == NULL)
	{
		free(X);
		free(row);
		kpi_work_free(w);
		return NULL;
	}
	free(X);
	free(row);
	for (t = 0; t < w->n_obs; t++)
		for (j = 0; j < w->r; j++)
			w->Qrow[(size_t) t * w->r + j] = w->Q[(size_t) j * w->n_obs + t];
	for (k = 0; k < m; k++)
	{
		double		sum = 0.0;
		int			cnt = 0;

		for (t = 0; t < n; t++)
			if (model->spend[(size_t) k * model->n + t] > 0.0)
			{
				sum += model->spend[(size_t) k * model->n + t];
				cnt++;
			}
		w->scale[k] = cnt > 0 ? sum / cnt : 1.0;
	}
	/* the intercept's column, residualised: row m of ftil */
	{
		double	   *c = w->ftil + (size_t) m * w->n_obs;
		double		d = 0.0;

		for (t = 0; t < w->n_obs; t++)
			c[t] = 1.0;
		kpi_project_out(w, c);
		for (t = 0; t < w->n_obs; t++)
			d += c[t] * c[t];
		w->dnorm[m] = d > 1e-9 * w->n_obs ? d : 0.0;
	}
	kpi_work_set_y(w, w->y);
	if (kpi_tests_init(w) != KPI_OK)
	{
		kpi_work_free(w);
		return NULL;
	}
	return w;
}

/* Free a workspace (NULL allowed). */
void
kpi_work_free(kpi_work *w)
{
	if (w == NULL)
		return;
	free(w->obs);
	free(w->y);
	free(w->ytil);
	free(w->Q);
	free(w->Qrow);
	free(w->R);
	free(w->kept);
	free(w->active);
	free(w->scale);
	free(w->alpha);
	free(w->logc);
	free(w->shape);
	free(w->beta);
	free(w->family);
	free(w->ftil);
	free(w->dnorm);
	free(w->ridge);
	free(w->e);
	free(w->adst);
	free(w->loga);
	free(w->feat);
	free(w->fobs);
	free(w->proj);
	free(w->gram);
	free(w->rhs);
	free(w->proj_g);
	free(w->test_w2);
	free(w->test_lift);
	free(w->test_S);
	free(w->test_scratch);
	free(w);
}

/* v ← v − Q Q' v. */
void
kpi_project_out(const kpi_work *w, double *v)
{
	int			i,
				t,
				n = w->n_obs;

	for (i = 0; i < w->r; i++)
	{
		const double *qi = w->Q + (size_t) i * n;
		double		dot = 0.0;

		for (t = 0; t < n; t++)
			dot += qi[t] * v[t];
		for (t = 0; t < n; t++)
			v[t] -= dot * qi[t];
	}
}

/* Replace the observed KPI and project it. */
void
kpi_work_set_y(kpi_work *w, const double *y)
{
	if (y != w->y)
		memcpy(w->y, y, sizeof(double) * w->n_obs);
	memcpy(w->ytil, w->y, sizeof(double) * w->n_obs);
	kpi_project_out(w, w->ytil);
}

/* Media feature of channel k with the given parameters, periods 0..n-1. */
void
kpi_channel_curve(const kpi_work *w, int k, int family, double alpha, double logc, double shape,
				  double *out)
{
	const kpi_model *model = w->model;

	kpi_adstock(model->spend + (size_t) k * model->n, w->n, alpha, w->lag, w->adst);
	kpi_saturate(w->adst, w->n, family, w->scale[k] * exp(logc), shape, out);
}

/*
 * Ridge weight of a residualised feature: its squared norm once the intercept
 * is also removed, so the penalty scales with the variation the effect is
 * estimated from, not with the channel's average level.
 */
static double
ridge_weight(const kpi_work *w, const double *f, double d)
{
	const double *c = w->ftil + (size_t) w->m * w->n_obs;
	double		cc = w->dnorm[w->m],
				h = 0.0;
	int			i;

	if (cc <= 0.0)
		return d;
	for (i = 0; i < w->n_obs; i++)
		h += f[i] * c[i];
	return d - h * h / cc > 0.0 ? d - h * h / cc : 0.0;
}

/* Set channel k's parameters and its residualised feature and norm. */
void
kpi_set_channel(kpi_work *w, int k, int family, double alpha, double logc, double shape)
{
	double	   *f = w->ftil + (size_t) k * w->n_obs;
	double		d = 0.0;
	int			i;

	w->family[k] = family;
	w->alpha[k] = alpha;
	w->logc[k] = logc;
	w->shape[k] = shape;
	kpi_channel_curve(w, k, family, alpha, logc, shape, w->feat);
	for (i = 0; i < w->n_obs; i++)
		f[i] = w->feat[w->obs[i]];
	kpi_project_out(w, f);
	for (i = 0; i < w->n_obs; i++)
		d += f[i] * f[i];
	w->dnorm[k] = d;
	w->ridge[k] = ridge_weight(w, f, d);
	kpi_tests_refresh(w, k);
}

/* Residual e = ỹ − Σ β f̃ and the penalised objective. */
static double
refresh_residual(kpi_work *w)
{
	int			a,
				i;
	double		obj = 0.0;

	memcpy(w->e, w->ytil, sizeof(double) * w->n_obs);
	if (w->beta[w->m] != 0.0)
	{
		const double *c = w->ftil + (size_t) w->m * w->n_obs;

		for (i = 0; i < w->n_obs; i++)
			w->e[i] -= w->beta[w->m] * c[i];
	}
	for (a = 0; a < w->n_active; a++)
	{
		int			k = w->active[a];
		const double *f = w->ftil + (size_t) k * w->n_obs;

		if (w->beta[k] == 0.0)
			continue;
		for (i = 0; i < w->n_obs; i++)
			w->e[i] -= w->beta[k] * f[i];
		obj += KPI_RIDGE * w->ridge[k] * w->beta[k] * w->beta[k];
	}
	for (i = 0; i < w->n_obs; i++)
		obj += w->e[i] * w->e[i];
	return obj + kpi_tests_objective(w);
}

/* Projected coordinate descent for β ≥ 0 minimising β'Gβ − 2g'β (G positive definite). */
static void
coordinate_descent(const double *G, const double *g, int na, const int *cols, double *beta)
{
	int			sweep,
				a,
				b;

	for (sweep = 0; sweep < 20000; sweep++)
	{
		double		change = 0.0,
					size = 0.0;

		for (a = 0; a < na; a++)
		{
			int			k = cols[a];
			double		s = g[a],
						nb;

			if (G[a * na + a] <= 0.0)
			{
				beta[k] = 0.0;
				continue;
			}
			for (b = 0; b < na; b++)
				if (b != a)
					s -= G[a * na + b] * beta[cols[b]];
			nb = s > 0.0 ? s / G[a * na + a] : 0.0;
			change += fabs(nb - beta[k]) * sqrt(G[a * na + a]);
			size += fabs(nb) * sqrt(G[a * na + a]);
			beta[k] = nb;
		}
		if (change <= 1e-13 * (size + 1e-300))
			break;
	}
}

/*
 * β ≥ 0 and intercept μ ≥ 0 minimising ‖ỹ − F̃β − μc̃‖² + ρ Σ ‖f̃_k‖² β_k².
 * First with μ free (projected out of the Gram matrix exactly, so the
 * coordinate descent only sees channel-to-channel correlation); if that μ is
 * negative, the constraint binds and μ = 0.  Strictly convex in β, so the
 * answer is unique and start-free.
 */
double
kpi_solve_beta(kpi_work *w)
{
	int			na = w->n_active,
				a,
				b,
				i;
	double	   *G = w->gram,
			   *g = w->rhs,
			   *h = w->rhs + na,
			   *Gc = w->gram + (size_t) na * na;
	const double *c = w->ftil + (size_t) w->m * w->n_obs;
	double		cc = w->dnorm[w->m],
				yc = 0.0,
				ss,
				sl,
				mu;

	for (i = 0; i < w->n_obs; i++)
		yc += w->ytil[i] * c[i];
	for (a = 0; a < na; a++)
	{
		const double *fa = w->ftil + (size_t) w->active[a] * w->n_obs;
		double		dot = 0.0,
					dc = 0.0;

		for (i = 0; i < w->n_obs; i++)
		{
			dot += fa[i] * w->ytil[i];
			dc += fa[i] * c[i];
		}
		g[a] = dot;
		h[a] = dc;
		/* lift tests add Σ w²S² to the channel's curvature and Σ w²S·L to its pull */
		kpi_tests_current(w, w->active[a], &ss, &sl);
		g[a] += sl;
		for (b = 0; b <= a; b++)
		{
			const double *fb = w->ftil + (size_t) w->active[b] * w->n_obs;

			dot = 0.0;
			for (i = 0; i < w->n_obs; i++)
				dot += fa[i] * fb[i];
			G[a * na + b] = G[b * na + a] = dot;
		}
		G[a * na + a] += ss;
	}

	mu = 0.0;
	if (cc > 0.0)
	{
		double	   *gc = w->proj_g;

		for (a = 0; a < na; a++)
		{
			gc[a] = g[a] - h[a] * yc / cc;
			for (b = 0; b < na; b++)
				Gc[a * na + b] = G[a * na + b] - h[a] * h[b] / cc
					+ (a == b ? KPI_RIDGE * w->ridge[w->active[a]] : 0.0);
		}
		coordinate_descent(Gc, gc, na, w->active, w->beta);
		mu = yc;
		for (a = 0; a < na; a++)
			mu -= h[a] * w->beta[w->active[a]];
		mu /= cc;
	}
	if (!(mu > 0.0))
	{
		mu = 0.0;
		for (a = 0; a < na; a++)
			G[a * na + a] += KPI_RIDGE * w->ridge[w->active[a]];
		coordinate_descent(G, g, na, w->active, w->beta);
	}
	w->beta[w->m] = mu;
	return refresh_residual(w);
}

/* γ: the intercept μ, and R γ_kept = Q' (y − μ − Σ β f) for the other base terms. */
void
kpi_base_coefficients(const kpi_work *w, double *gamma)
{
	int			n = w->n_obs,
				r = w->r,
				i,
				j,
				t,
				a;
	double	   *v = malloc(sizeof(double) * (n + 1));
	double	   *qv = malloc(sizeof(double) * (r + 1));

	for (j = 0; j < w->design.q; j++)
		gamma[j] = 0.0;
	if (v == NULL || qv == NULL)
	{
		free(v);
		free(qv);
		return;
	}
	memcpy(v, w->y, sizeof(double) * n);
	for (t = 0; t < n; t++)
		v[t] -= w->beta[w->m];
	for (a = 0; a < w->n_active; a++)
	{
		int			k = w->active[a];

		if (w->beta[k] == 0.0)
			continue;
		kpi_channel_curve(w, k, w->family[k], w->alpha[k], w->logc[k], w->shape[k], w->feat);
		for (t = 0; t < n; t++)
			v[t] -= w->beta[k] * w->feat[w->obs[t]];
	}
	for (i = 0; i < r; i++)
	{
		const double *qi = w->Q + (size_t) i * n;
		double		dot = 0.0;

		for (t = 0; t < n; t++)
			dot += qi[t] * v[t];
		qv[i] = dot;
	}
	/* back substitution; qv becomes the coefficients of the kept columns */
	for (i = r - 1; i >= 0; i--)
	{
		double		s = qv[i];

		for (j = i + 1; j < r; j++)
			s -= w->R[(size_t) i * r + j] * qv[j];
		qv[i] = s / w->R[(size_t) i * r + i];
	}
	for (j = 0; j < w->design.q; j++)
		if (w->kept[j] >= 0)
			gamma[j] = qv[w->kept[j]];
	gamma[0] = w->beta[w->m];
	free(v);
	free(qv);
}
