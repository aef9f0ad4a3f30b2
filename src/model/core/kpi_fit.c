/*
 * kpi_fit.c — fitting the KPI model: input screening (zero, constant and
 * collinear spend), the multi-start search, the final estimates, the time
 * holdout, the bootstrap and the warnings an analyst should read first.
 */
#include "kpi_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Allocate an empty model. */
kpi_model *
kpi_model_new(int n, int m, int c)
{
	kpi_model  *model;
	int			i;

	if (n < 1 || m < 0 || c < 0 || m > KPI_MAX_CHANNELS || c > KPI_MAX_CONTROLS)
		return NULL;
	model = calloc(1, sizeof(kpi_model));
	if (model == NULL)
		return NULL;
	model->n = n;
	model->m = m;
	model->c = c;
	model->period_days = 1;
	model->channel_names = calloc(m + 1, sizeof(char *));
	model->control_names = calloc(c + 1, sizeof(char *));
	model->kpi = malloc(sizeof(double) * n);
	model->spend = calloc((size_t) m * n + 1, sizeof(double));
	model->control = calloc((size_t) c * n + 1, sizeof(double));
	model->reported = malloc(sizeof(double) * (m + 1));
	model->ch = calloc(m + 1, sizeof(kpi_channel));
	if (!model->channel_names || !model->control_names || !model->kpi || !model->spend ||
		!model->control || !model->reported || !model->ch)
	{
		kpi_model_free(model);
		return NULL;
	}
	for (i = 0; i < n; i++)
		model->kpi[i] = NAN;
	for (i = 0; i < m; i++)
	{
		model->reported[i] = NAN;
		model->ch[i].collinear_with = -1;
		model->ch[i].contribution_before = NAN;
		model->ch[i].mroas_before = NAN;
	}
	return model;
}

/* Free a model and everything it owns (NULL allowed). */
void
kpi_model_free(kpi_model *model)
{
	int			i;

	if (model == NULL)
		return;
	if (model->channel_names)
		for (i = 0; i < model->m; i++)
			free(model->channel_names[i]);
	if (model->control_names)
		for (i = 0; i < model->c; i++)
			free(model->control_names[i]);
	free(model->channel_names);
	free(model->control_names);
	free(model->kpi);
	free(model->spend);
	free(model->control);
	free(model->reported);
	free(model->gamma);
	free(model->ch);
	free(model->warnings);
	free(model->tests);
	free(model);
}

/* Copy a name into names[i]. */
int
kpi_model_set_name(char **names, int i, const char *name)
{
	size_t		len = strlen(name);
	char	   *copy = malloc(len + 1);

	if (copy == NULL)
		return KPI_ERR_NOMEM;
	memcpy(copy, name, len + 1);
	free(names[i]);
	names[i] = copy;
	return KPI_OK;
}

/* Append a warning. */
int
kpi_add_warning(kpi_model *model, int code, int a, int b, double value)
{
	kpi_warning *grown = realloc(model->warnings, sizeof(kpi_warning) * (model->n_warnings + 1));

	if (grown == NULL)
		return KPI_ERR_NOMEM;
	model->warnings = grown;
	grown[model->n_warnings].code = code;
	grown[model->n_warnings].a = a;
	grown[model->n_warnings].b = b;
	grown[model->n_warnings].value = value;
	model->n_warnings++;
	return KPI_OK;
}

/* Pearson correlation of two spend rows over periods t < n with a KPI. */
static double
spend_correlation(const kpi_model *model, int i, int j, int n)
{
	const double *x = model->spend + (size_t) i * model->n;
	const double *y = model->spend + (size_t) j * model->n;
	double		mx = 0.0,
				my = 0.0,
				sxx = 0.0,
				syy = 0.0,
				sxy = 0.0;
	int			t,
				cnt = 0;

	for (t = 0; t < n; t++)
		if (!isnan(model->kpi[t]))
		{
			mx += x[t];
			my += y[t];
			cnt++;
		}
	if (cnt < 2)
		return 0.0;
	mx /= cnt;
	my /= cnt;
	for (t = 0; t < n; t++)
		if (!isnan(model->kpi[t]))
		{
			sxx += (x[t] - mx) * (x[t] - mx);
			syy += (y[t] - my) * (y[t] - my);
			sxy += (x[t] - mx) * (y[t] - my);
		}
	return sxx > 0.0 && syy > 0.0 ? sxy / sqrt(sxx * syy) : 0.0;
}

/* Zero and constant spend: exclude; returns the number of channels left. */
static int
screen_channels(kpi_model *model, int *err)
{
	int			k,
				t,
				left = 0;

	for (k = 0; k < model->m; k++)
	{
		const double *x = model->spend + (size_t) k * model->n;
		double		lo = INFINITY,
					hi = -INFINITY,
					total = 0.0;

		for (t = 0; t < model->n; t++)
			if (!isnan(model->kpi[t]))
			{
				lo = x[t] < lo ? x[t] : lo;
				hi = x[t] > hi ? x[t] : hi;
				total += x[t];
			}
		if (!(total > 0.0))
		{
			model->ch[k].flags |= KPI_CH_EXCLUDED;
			*err |= kpi_add_warning(model, KPI_W_ZERO_SPEND, k, -1, 0.0);
		}
		else if (hi - lo <= 1e-9 * hi)
		{
			model->ch[k].flags |= KPI_CH_EXCLUDED;
			*err |= kpi_add_warning(model, KPI_W_CONSTANT_SPEND, k, -1, hi);
		}
		else
			left++;
	}
	return left;
}

/* Collinear pairs (|r| ≥ 0.98) and channels whose spend the base terms explain. */
static int
check_identifiability(kpi_model *model, kpi_work *w)
{
	int			a,
				b,
				i,
				err = 0;
	double	   *f = malloc(sizeof(double) * (w->n_obs + 1));

	if (f == NULL)
		return KPI_ERR_NOMEM;
	for (a = 0; a < w->n_active; a++)
		for (b = a + 1; b < w->n_active; b++)
		{
			int			ka = w->active[a],
						kb = w->active[b];
			double		r = spend_correlation(model, ka, kb, w->n);

			if (fabs(r) >= 0.98)
			{
				model->ch[ka].flags |= KPI_CH_COLLINEAR;
				model->ch[kb].flags |= KPI_CH_COLLINEAR;
				if (model->ch[ka].collinear_with < 0)
					model->ch[ka].collinear_with = kb;
				if (model->ch[kb].collinear_with < 0)
					model->ch[kb].collinear_with = ka;
				err |= kpi_add_warning(model, KPI_W_COLLINEAR, ka, kb, r);
			}
		}
	for (a = 0; a < w->n_active; a++)
	{
		int			k = w->active[a];
		const double *x = model->spend + (size_t) k * model->n;
		double		mean = 0.0,
					total = 0.0,
					left = 0.0;

		for (i = 0; i < w->n_obs; i++)
			mean += x[w->obs[i]];
		mean /= w->n_obs;
		for (i = 0; i < w->n_obs; i++)
		{
			f[i] = x[w->obs[i]] - mean;
			total += f[i] * f[i];
		}
		kpi_project_out(w, f);
		for (i = 0; i < w->n_obs; i++)
			left += f[i] * f[i];
		if (total > 0.0 && left < 0.05 * total)
			err |= kpi_add_warning(model, KPI_W_CONFOUNDED, k, -1, left / total);
	}
	free(f);
	return err;
}

/* Initial parameters of a start: the grid centre, or random grid points. */
static void
init_start(kpi_work *w, int start, kpi_rng *rng)
{
	int			a;

	for (a = 0; a < w->n_active; a++)
	{
		int			k = w->active[a];

		int			family = w->saturation != KPI_SAT_AUTO ? w->saturation
			: (start == 0 ? KPI_SAT_TANH : kpi_rng_below(rng, 2));

		if (start == 0)
			kpi_set_channel(w, k, family, 0.3, 0.0, 1.0);
		else
			kpi_set_channel(w, k, family, 0.1 * kpi_rng_below(rng, 9),
							-1.0 + 2.0 * kpi_rng_uniform(rng),
							0.6 + 1.6 * kpi_rng_uniform(rng));
	}
}

/* Multi-start search over periods t < n; leaves the best parameters and β in w. */
static int
fit_work(kpi_work *w, int starts, int *used)
{
	size_t		m = (size_t) w->m;
	double	   *best = malloc(sizeof(double) * 4 * (m + 1));
	int		   *best_family = malloc(sizeof(int) * (m + 1));
	double		best_obj = INFINITY;
	int			s,
				a,
				rc = KPI_OK;
	kpi_rng		rng;

	if (best == NULL || best_family == NULL)
	{
		free(best);
		free(best_family);
		return KPI_ERR_NOMEM;
	}
	for (s = 0; s < starts; s++)
	{
		double		obj;

		kpi_rng_seed(&rng, UINT64_C(0x6e6f61) + (uint64_t) s);
		init_start(w, s, &rng);
		rc = kpi_search(w, 3, 3, 4, 1.0, &rng, &obj);
		if (rc != KPI_OK)
			break;
		if (obj < best_obj)
		{
			best_obj = obj;
			memcpy(best, w->alpha, sizeof(double) * m);
			memcpy(best + m, w->logc, sizeof(double) * m);
			memcpy(best + 2 * m, w->shape, sizeof(double) * m);
			memcpy(best_family, w->family, sizeof(int) * m);
		}
	}
	if (rc == KPI_OK)
	{
		for (a = 0; a < w->n_active; a++)
		{
			int			k = w->active[a];

			kpi_set_channel(w, k, best_family[k], best[k], best[m + k], best[2 * m + k]);
		}
		kpi_solve_beta(w);
	}
	*used = s;
	free(best);
	free(best_family);
	return rc;
}

/* Copy the workspace's estimates into the model's channel records. */
static void
store_channels(kpi_model *model, const kpi_work *w)
{
	int			a;

	for (a = 0; a < w->n_active; a++)
	{
		int			k = w->active[a];
		kpi_channel *ch = &model->ch[k];

		ch->alpha = w->alpha[k];
		ch->kappa = w->scale[k] * exp(w->logc[k]);
		ch->family = w->family[k];
		ch->shape = w->family[k] == KPI_SAT_TANH ? 1.0 : w->shape[k];
		ch->beta = w->beta[k];
		if (w->alpha[k] >= KPI_ALPHA_MAX - 1e-9 || w->logc[k] <= KPI_LOGC_MIN + 1e-9 ||
			w->logc[k] >= KPI_LOGC_MAX - 1e-9 || (w->family[k] == KPI_SAT_HILL &&
												  (w->shape[k] <= KPI_SHAPE_MIN + 1e-9 ||
												   w->shape[k] >= KPI_SHAPE_MAX - 1e-9)))
			ch->flags |= KPI_CH_AT_BOUND;
	}
}

/* Spend totals, current spend and the platform-reported totals per channel. */
static void
channel_totals(kpi_model *model)
{
	int			k,
				t,
				last_day = model->first_day + (model->n - 1) * model->period_days;

	for (k = 0; k < model->m; k++)
	{
		const double *x = model->spend + (size_t) k * model->n;
		kpi_channel *ch = &model->ch[k];
		double		cur = 0.0;
		int			ncur = 0;

		ch->spend = 0.0;
		ch->spend_min = INFINITY;
		ch->spend_max = 0.0;
		for (t = 0; t < model->n; t++)
		{
			if (model->first_day + t * model->period_days > last_day - KPI_CURRENT_DAYS)
			{
				cur += x[t];
				ncur++;
			}
			if (isnan(model->kpi[t]))
				continue;
			ch->spend += x[t];
			ch->spend_min = x[t] < ch->spend_min ? x[t] : ch->spend_min;
			ch->spend_max = x[t] > ch->spend_max ? x[t] : ch->spend_max;
		}
		if (!isfinite(ch->spend_min))
			ch->spend_min = 0.0;
		ch->spend_current = ncur > 0 ? cur / ncur : 0.0;
		if (!isnan(model->reported[k]))
			ch->flags |= KPI_CH_REPORTED;
		ch->reported = model->reported[k];
	}
}

/* Lag-L autocorrelation of residuals over consecutive observed periods; NaN when too short. */
static double
residual_acf(const kpi_model *model, const double *resid, int lag)
{
	double		mean = 0.0,
				den = 0.0,
				num = 0.0;
	int			t,
				cnt = 0;

	for (t = 0; t < model->n; t++)
		if (!isnan(resid[t]))
		{
			mean += resid[t];
			cnt++;
		}
	if (cnt <= lag + 2)
		return NAN;
	mean /= cnt;
	for (t = 0; t < model->n; t++)
		if (!isnan(resid[t]))
		{
			den += (resid[t] - mean) * (resid[t] - mean);
			if (t >= lag && !isnan(resid[t - lag]))
				num += (resid[t] - mean) * (resid[t - lag] - mean);
		}
	return den > 0.0 ? num / den : NAN;
}

/* In-sample statistics, contributions and sanity warnings of the final fit. */
static int
diagnose(kpi_model *model)
{
	int			n = model->n,
				m = model->m,
				t,
				k,
				err = 0,
				media_over = 0,
				organic_neg = 0;
	kpi_parts  *parts = malloc(sizeof(kpi_parts) * n);
	double	   *per_channel = malloc(sizeof(double) * ((size_t) m * n + 1));
	double	   *resid = malloc(sizeof(double) * n);
	double		ymean = 0.0,
				sst = 0.0,
				ssr = 0.0,
				ymin = INFINITY,
				ymax = -INFINITY,
				spend_all = 0.0,
				effect_all = 0.0,
				rssd = 0.0;

	if (!parts || !per_channel || !resid)
	{
		free(parts);
		free(per_channel);
		free(resid);
		return KPI_ERR_NOMEM;
	}
	kpi_model_decompose(model, parts, per_channel, NULL);
	for (t = 0; t < n; t++)
		if (!isnan(model->kpi[t]))
			ymean += model->kpi[t];
	ymean /= model->n_obs;
	for (t = 0; t < n; t++)
	{
		double		y = model->kpi[t];

		resid[t] = NAN;
		if (isnan(y))
			continue;
		resid[t] = y - parts[t].fitted;
		ssr += resid[t] * resid[t];
		sst += (y - ymean) * (y - ymean);
		ymin = y < ymin ? y : ymin;
		ymax = y > ymax ? y : ymax;
		if (parts[t].media > (y > 0.0 ? y : 0.0) + 1e-9 * fabs(y))
			media_over++;
		if (parts[t].baseline + parts[t].seasonality < 0.0)
			organic_neg++;
	}
	model->r2 = sst > 0.0 ? 1.0 - ssr / sst : 0.0;
	model->nrmse = ymax > ymin ? sqrt(ssr / model->n_obs) / (ymax - ymin) : 0.0;
	model->acf1 = residual_acf(model, resid, 1);
	model->acf_season = model->period_days == 1 ? residual_acf(model, resid, 7) : NAN;
	for (k = 0; k < m; k++)
	{
		kpi_channel *ch = &model->ch[k];
		double		contribution = 0.0;

		for (t = 0; t < n; t++)
			if (!isnan(model->kpi[t]))
				contribution += per_channel[(size_t) k * n + t];
		ch->contribution = contribution;
		ch->mroas = (ch->flags & KPI_CH_EXCLUDED) || ch->beta <= 0.0 ? 0.0
			: ch->beta * kpi_saturation_slope(ch->family, ch->spend_current, ch->kappa, ch->shape);
		if (!isfinite(ch->mroas))
			ch->mroas = 0.0;
		if (!(ch->flags & KPI_CH_EXCLUDED))
		{
			spend_all += ch->spend;
			effect_all += contribution;
			if (ch->beta <= 0.0)
				err |= kpi_add_warning(model, KPI_W_NO_EFFECT, k, -1, 0.0);
			if (ch->flags & KPI_CH_AT_BOUND)
				err |= kpi_add_warning(model, KPI_W_AT_BOUND, k, -1, ch->alpha);
		}
	}
	for (k = 0; k < m; k++)
		if (!(model->ch[k].flags & KPI_CH_EXCLUDED) && spend_all > 0.0 && effect_all > 0.0)
		{
			double		d = model->ch[k].contribution / effect_all - model->ch[k].spend / spend_all;

			rssd += d * d;
		}
	model->rssd = sqrt(rssd);
	if (media_over > 0)
		err |= kpi_add_warning(model, KPI_W_MEDIA_EXCEEDS_KPI, -1, -1, media_over);
	if (organic_neg > 0)
		err |= kpi_add_warning(model, KPI_W_NEGATIVE_BASELINE, -1, -1, organic_neg);
	if (model->acf1 > 0.5)
		err |= kpi_add_warning(model, KPI_W_AUTOCORRELATION, -1, -1, model->acf1);
	model->sigma = sqrt(ssr / (model->n_obs > 1 ? model->n_obs - 1 : 1));
	free(parts);
	free(per_channel);
	free(resid);
	return err;
}

/* Refit without the last h periods and score the forecast of them (NRMSE). */
static int
holdout_score(kpi_model *model, const kpi_options *opt, const int *active, int n_active, int h,
			  int *scored)
{
	kpi_design	design;
	kpi_work   *w;
	double	   *gamma,
			   *row,
			   *feat,
				ymin = INFINITY,
				ymax = -INFINITY,
				sse = 0.0;
	int			t,
				a,
				j,
				used,
				cnt = 0,
				rc;

	*scored = 0;
	kpi_design_choose(model, model->n - h, &design);
	w = kpi_work_new(model, model->n - h, model->lag, &design);
	if (w == NULL)
		return KPI_ERR_NOMEM;
	if (w->n_obs < design.q + 3 * n_active + 2)
	{
		kpi_work_free(w);
		return KPI_OK;
	}
	w->interrupted = opt->interrupted;
	w->interrupt_arg = opt->interrupt_arg;
	w->saturation = opt->saturation;
	memcpy(w->active, active, sizeof(int) * n_active);
	w->n_active = n_active;
	rc = fit_work(w, 1, &used);
	gamma = malloc(sizeof(double) * (design.q + 1));
	row = malloc(sizeof(double) * (design.q + 1));
	feat = malloc(sizeof(double) * ((size_t) n_active * model->n + 1));
	if (rc != KPI_OK || !gamma || !row || !feat)
	{
		free(gamma);
		free(row);
		free(feat);
		kpi_work_free(w);
		return rc != KPI_OK ? rc : KPI_ERR_NOMEM;
	}
	kpi_base_coefficients(w, gamma);
	/* features over the whole calendar, so carryover flows into the holdout */
	w->n = model->n;
	free(w->adst);
	w->adst = malloc(sizeof(double) * model->n);
	if (w->adst == NULL)
		rc = KPI_ERR_NOMEM;
	for (a = 0; rc == KPI_OK && a < n_active; a++)
	{
		int			k = active[a];

		kpi_channel_curve(w, k, w->family[k], w->alpha[k], w->logc[k], w->shape[k],
						  feat + (size_t) a * model->n);
	}
	for (t = 0; rc == KPI_OK && t < model->n; t++)
	{
		double		y = model->kpi[t],
					pred = 0.0;

		if (isnan(y))
			continue;
		ymin = y < ymin ? y : ymin;
		ymax = y > ymax ? y : ymax;
		if (t < model->n - h)
			continue;
		kpi_design_row(model, &design, t, row);
		for (j = 0; j < design.q; j++)
			pred += gamma[j] * row[j];
		for (a = 0; a < n_active; a++)
			pred += w->beta[active[a]] * feat[(size_t) a * model->n + t];
		sse += (y - pred) * (y - pred);
		cnt++;
	}
	if (rc == KPI_OK && cnt > 0 && ymax > ymin)
	{
		model->nrmse_holdout = sqrt(sse / cnt) / (ymax - ymin);
		*scored = 1;
	}
	free(gamma);
	free(row);
	free(feat);
	kpi_work_free(w);
	return rc;
}

/* A workspace for the model's full span with its active channels, ready to search. */
static kpi_work *
new_work(kpi_model *model, const kpi_options *opt, const kpi_design *design)
{
	kpi_work   *w = kpi_work_new(model, model->n, model->lag, design);
	int			k;

	if (w == NULL)
		return NULL;
	w->interrupted = opt->interrupted;
	w->interrupt_arg = opt->interrupt_arg;
	w->saturation = opt->saturation;
	for (k = 0; k < model->m; k++)
		if (!(model->ch[k].flags & KPI_CH_EXCLUDED))
			w->active[w->n_active++] = k;
	return w;
}

/* Switch the model to the multiplicative design and refit (seasonality=auto chose it). */
static int
refit_multiplicative(kpi_model *model, const kpi_options *opt, kpi_work **w, kpi_design *design,
					 int starts, int *used)
{
	model->multiplicative = 1;
	kpi_design_choose(model, model->n, design);
	model->q = design->q;
	free(model->gamma);
	model->gamma = calloc(design->q + 1, sizeof(double));
	kpi_work_free(*w);
	*w = new_work(model, opt, design);
	if (*w == NULL || model->gamma == NULL)
		return KPI_ERR_NOMEM;
	return fit_work(*w, starts, used);
}

/* Fit the model: see kpi_model.h. */
int
kpi_model_fit(kpi_model *model, const kpi_options *opt)
{
	kpi_options defaults = {0};
	kpi_design	design;
	kpi_work   *w = NULL;
	int			err = 0,
				t,
				k,
				left,
				used,
				rc,
				h,
				scored,
				negative = 0,
				replicates,
				starts;

	defaults.saturation = KPI_SAT_TANH;
	if (opt == NULL)
		opt = &defaults;
	if (opt->saturation != KPI_SAT_TANH && opt->saturation != KPI_SAT_HILL &&
		opt->saturation != KPI_SAT_AUTO)
		return KPI_ERR_INVALID;
	if (model == NULL || model->n < 1 || model->m < 1 ||
		(model->period_days != 1 && model->period_days != 7))
		return KPI_ERR_INVALID;
	model->n_warnings = 0;
	model->multiplicative = opt->multiplicative == 1;
	/* a refit (calibration) starts from fresh channel flags */
	for (k = 0; k < model->m; k++)
	{
		model->ch[k].flags = 0;
		model->ch[k].collinear_with = -1;
	}
	model->lag = opt->lag > 0 ? opt->lag : (model->period_days == 1 ? 28 : 8);
	if (model->lag > 512)
		model->lag = 512;
	model->n_obs = 0;
	for (t = 0; t < model->n; t++)
		if (!isnan(model->kpi[t]))
		{
			model->n_obs++;
			negative += model->kpi[t] < 0.0;
		}
	if (model->null_rows > 0)
		err |= kpi_add_warning(model, KPI_W_NULL_ROWS, -1, -1, model->null_rows);
	if (model->n_obs < model->n)
		err |= kpi_add_warning(model, KPI_W_MISSING_PERIODS, -1, -1, model->n - model->n_obs);
	if (negative > 0)
		err |= kpi_add_warning(model, KPI_W_NEGATIVE_KPI, -1, -1, negative);
	channel_totals(model);
	left = screen_channels(model, &err);
	if (err)
		return KPI_ERR_NOMEM;
	if (left == 0)
		return KPI_ERR_NO_MEDIA;
	kpi_design_choose(model, model->n, &design);
	model->q = design.q;
	if (model->n_obs <= design.q + 3 * left)
		return KPI_ERR_TOO_FEW;
	if (model->n_obs < 2 * (design.q + 3 * left))
		err |= kpi_add_warning(model, KPI_W_FEW_ROWS, -1, -1,
							   (double) model->n_obs / (design.q + 3 * left));
	if (model->n * model->period_days < 365)
		err |= kpi_add_warning(model, KPI_W_SHORT_SERIES, -1, -1, model->n * model->period_days);
	model->n_train = design.n_train;
	model->n_knots = design.n_knots;
	model->weekly = design.weekly;
	model->harmonics = design.harmonics;
	model->q = design.q;
	free(model->gamma);
	model->gamma = calloc(design.q + 1, sizeof(double));
	w = new_work(model, opt, &design);
	if (w == NULL || model->gamma == NULL)
	{
		kpi_work_free(w);
		return KPI_ERR_NOMEM;
	}
	for (k = 0; k < model->c; k++)
		if (w->kept[design.q - model->c + k] < 0)
			err |= kpi_add_warning(model, KPI_W_CONTROL_DROPPED, k, -1, 0.0);
	err |= check_identifiability(model, w);
	starts = opt->starts > 0 ? opt->starts : (left <= 10 ? 3 : (left <= 25 ? 2 : 1));
	rc = fit_work(w, starts, &used);
	if (rc == KPI_OK && opt->multiplicative == KPI_SEASON_AUTO)
	{
		int			better = kpi_interactions_improve(w);

		if (better < 0)
			rc = KPI_ERR_NOMEM;
		else if (better)
			rc = refit_multiplicative(model, opt, &w, &design, starts, &used);
	}
	model->starts = used;
	if (rc == KPI_OK)
	{
		store_channels(model, w);
		kpi_base_coefficients(w, model->gamma);
		err |= diagnose(model);
		h = opt->holdout != 0 ? opt->holdout : (int) floor(0.1 * model->n + 0.5);
		model->holdout = 0;
		model->nrmse_holdout = NAN;
		if (h > 0 && h < model->n / 2)
		{
			rc = holdout_score(model, opt, w->active, w->n_active, h, &scored);
			if (scored)
			{
				model->holdout = h;
				if (model->nrmse_holdout > 2.0 * model->nrmse)
					err |= kpi_add_warning(model, KPI_W_HOLDOUT, -1, -1,
										   model->nrmse_holdout / model->nrmse);
			}
		}
	}
	if (rc == KPI_OK)
	{
		replicates = opt->replicates > 0 ? opt->replicates : 100;
		w->interrupted = opt->interrupted;
		rc = kpi_bootstrap(model, w, replicates);
	}
	kpi_work_free(w);
	if (rc == KPI_OK && err)
		rc = KPI_ERR_NOMEM;
	return rc;
}

/* Half-life of channel k's carryover in days. */
double
kpi_half_life_days(const kpi_model *model, int k)
{
	double		alpha = model->ch[k].alpha;

	if (alpha <= 0.0)
		return 0.0;
	return model->period_days * log(0.5) / log(alpha);
}
