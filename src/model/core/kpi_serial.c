/*
 * kpi_serial.c — the KPI model as a portable byte string (big-endian integers
 * and IEEE doubles), the on-disk and wire form of the SQL type noa.kpi_model.
 * Reading validates every count, index and value, so a damaged or hand-made
 * value is refused with a reason instead of being trusted.
 *
 * Layout: "NKM1", 18 int32 header fields, 7 double statistics, the names
 * (int32 length + bytes), kpi[n], spend[m·n], control[c·n], reported[m],
 * gamma[q], per channel 3 int32 (flags, collinear_with, family) + 26 doubles, per warning 3 int32 + 1 double;
 * then, only for a model calibrated with lift tests, "CAL1", int32 n_tests, the
 * double test_sigma2, per test 4 int32 + 9 doubles, per channel 2 doubles (the
 * data-only contribution and marginal ROAS).  A value without that section is
 * a model fitted on the data alone.
 */
#include "kpi_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define KPI_NAME_MAX 1000
#define CHANNEL_DOUBLES 26
#define HEADER_INTS 18
#define TEST_DOUBLES 9
#define KPI_MAX_TESTS 1000

typedef struct wbuf
{
	unsigned char *data;
	size_t		len;
	size_t		cap;
	int			failed;
} wbuf;

static void
put_bytes(wbuf *b, const void *src, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n > b->cap)
	{
		size_t		cap = b->cap ? b->cap * 2 : 4096;
		unsigned char *grown;

		while (cap < b->len + n)
			cap *= 2;
		grown = realloc(b->data, cap);
		if (grown == NULL)
		{
			b->failed = 1;
			return;
		}
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, src, n);
	b->len += n;
}

static void
put_u64(wbuf *b, uint64_t v)
{
	unsigned char x[8];
	int			i;

	for (i = 0; i < 8; i++)
		x[i] = (unsigned char) (v >> (56 - 8 * i));
	put_bytes(b, x, 8);
}

static void
put_i32(wbuf *b, int32_t v)
{
	uint32_t	u = (uint32_t) v;
	unsigned char x[4] = {(unsigned char) (u >> 24), (unsigned char) (u >> 16),
	(unsigned char) (u >> 8), (unsigned char) u};

	put_bytes(b, x, 4);
}

static void
put_f64(wbuf *b, double v)
{
	uint64_t	u;

	memcpy(&u, &v, 8);
	put_u64(b, u);
}

static void
put_f64s(wbuf *b, const double *v, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
		put_f64(b, v[i]);
}

static void
put_name(wbuf *b, const char *s)
{
	size_t		len = s ? strlen(s) : 0;

	put_i32(b, (int32_t) len);
	put_bytes(b, s ? s : "", len);
}

/* Header integers in layout order. */
static void
header_fields(kpi_model *m, int32_t **f)
{
	f[0] = &m->n;
	f[1] = &m->period_days;
	f[2] = &m->first_day;
	f[3] = &m->m;
	f[4] = &m->c;
	f[5] = &m->lag;
	f[6] = &m->null_rows;
	f[7] = &m->n_train;
	f[8] = &m->n_knots;
	f[9] = &m->weekly;
	f[10] = &m->harmonics;
	f[11] = &m->q;
	f[12] = &m->n_obs;
	f[13] = &m->starts;
	f[14] = &m->replicates;
	f[15] = &m->holdout;
	f[16] = &m->n_warnings;
	f[17] = &m->multiplicative;
}

static void
stat_fields(kpi_model *m, double **f)
{
	f[0] = &m->r2;
	f[1] = &m->nrmse;
	f[2] = &m->nrmse_holdout;
	f[3] = &m->rssd;
	f[4] = &m->acf1;
	f[5] = &m->acf_season;
	f[6] = &m->sigma;
}

static void
channel_fields(kpi_channel *ch, double **f)
{
	int			i;

	f[0] = &ch->alpha;
	f[1] = &ch->kappa;
	f[2] = &ch->shape;
	f[3] = &ch->beta;
	f[4] = &ch->spend;
	f[5] = &ch->spend_current;
	f[6] = &ch->spend_min;
	f[7] = &ch->spend_max;
	f[8] = &ch->reported;
	f[9] = &ch->contribution;
	f[10] = &ch->mroas;
	f[11] = &ch->contribution_lo;
	f[12] = &ch->contribution_hi;
	f[13] = &ch->mroas_lo;
	f[14] = &ch->mroas_hi;
	f[15] = &ch->alpha_lo;
	f[16] = &ch->alpha_hi;
	for (i = 0; i < 9; i++)
		f[17 + i] = &ch->cov[i];
}

static void
test_fields(kpi_test *t, int32_t **ints, double **dbl)
{
	ints[0] = &t->channel;
	ints[1] = &t->first;
	ints[2] = &t->last;
	ints[3] = &t->has_diff;
	dbl[0] = &t->lift;
	dbl[1] = &t->se;
	dbl[2] = &t->spend_diff;
	dbl[3] = &t->predicted_before;
	dbl[4] = &t->sd_before;
	dbl[5] = &t->predicted;
	dbl[6] = &t->predicted_lo;
	dbl[7] = &t->predicted_hi;
	dbl[8] = &t->se_fit;
}

/* Serialise a fitted model. */
int
kpi_model_serialise(const kpi_model *model, unsigned char **out, size_t *len)
{
	kpi_model  *m = (kpi_model *) model;
	wbuf		b = {0};
	int32_t    *hf[HEADER_INTS];
	double	   *sf[7],
			   *cf[CHANNEL_DOUBLES];
	int			i,
				j;

	header_fields(m, hf);
	stat_fields(m, sf);
	put_bytes(&b, "NKM1", 4);
	for (i = 0; i < HEADER_INTS; i++)
		put_i32(&b, *hf[i]);
	for (i = 0; i < 7; i++)
		put_f64(&b, *sf[i]);
	for (i = 0; i < m->m; i++)
		put_name(&b, m->channel_names[i]);
	for (i = 0; i < m->c; i++)
		put_name(&b, m->control_names[i]);
	put_f64s(&b, m->kpi, m->n);
	put_f64s(&b, m->spend, (size_t) m->m * m->n);
	put_f64s(&b, m->control, (size_t) m->c * m->n);
	put_f64s(&b, m->reported, m->m);
	put_f64s(&b, m->gamma, m->q);
	for (i = 0; i < m->m; i++)
	{
		put_i32(&b, m->ch[i].flags);
		put_i32(&b, m->ch[i].collinear_with);
		put_i32(&b, m->ch[i].family);
		channel_fields(&m->ch[i], cf);
		for (j = 0; j < CHANNEL_DOUBLES; j++)
			put_f64(&b, *cf[j]);
	}
	for (i = 0; i < m->n_warnings; i++)
	{
		put_i32(&b, m->warnings[i].code);
		put_i32(&b, m->warnings[i].a);
		put_i32(&b, m->warnings[i].b);
		put_f64(&b, m->warnings[i].value);
	}
	if (m->n_tests > 0)
	{
		int32_t    *ti[4];
		double	   *td[TEST_DOUBLES];

		put_bytes(&b, "CAL1", 4);
		put_i32(&b, m->n_tests);
		put_f64(&b, m->test_sigma2);
		for (i = 0; i < m->n_tests; i++)
		{
			test_fields(&m->tests[i], ti, td);
			for (j = 0; j < 4; j++)
				put_i32(&b, *ti[j]);
			for (j = 0; j < TEST_DOUBLES; j++)
				put_f64(&b, *td[j]);
		}
		for (i = 0; i < m->m; i++)
		{
			put_f64(&b, m->ch[i].contribution_before);
			put_f64(&b, m->ch[i].mroas_before);
		}
	}
	if (b.failed)
	{
		free(b.data);
		return KPI_ERR_NOMEM;
	}
	*out = b.data;
	*len = b.len;
	return KPI_OK;
}

typedef struct rbuf
{
	const unsigned char *p;
	size_t		left;
	int			failed;
} rbuf;

static uint64_t
get_u64(rbuf *r)
{
	uint64_t	v = 0;
	int			i;

	if (r->failed || r->left < 8)
	{
		r->failed = 1;
		return 0;
	}
	for (i = 0; i < 8; i++)
		v = (v << 8) | r->p[i];
	r->p += 8;
	r->left -= 8;
	return v;
}

static int32_t
get_i32(rbuf *r)
{
	uint32_t	v;

	if (r->failed || r->left < 4)
	{
		r->failed = 1;
		return 0;
	}
	v = ((uint32_t) r->p[0] << 24) | ((uint32_t) r->p[1] << 16) | ((uint32_t) r->p[2] << 8) | r->p[3];
	r->p += 4;
	r->left -= 4;
	return (int32_t) v;
}

static double
get_f64(rbuf *r)
{
	uint64_t	u = get_u64(r);
	double		v;

	memcpy(&v, &u, 8);
	return v;
}

/* Read n doubles; each must be finite (or NaN when nan_ok). */
static int
get_f64s(rbuf *r, double *dst, size_t n, int nan_ok)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		dst[i] = get_f64(r);
		if (isinf(dst[i]) || (isnan(dst[i]) && !nan_ok))
			return 0;
	}
	return !r->failed;
}

static int
get_name(rbuf *r, char **names, int i)
{
	int32_t		len = get_i32(r);

	if (r->failed || len < 0 || len > KPI_NAME_MAX || (size_t) len > r->left)
		return 0;
	names[i] = malloc((size_t) len + 1);
	if (names[i] == NULL)
		return 0;
	memcpy(names[i], r->p, len);
	names[i][len] = '\0';
	r->p += len;
	r->left -= len;
	return memchr(names[i], '\0', len) == NULL;
}

/* Check the header; NULL when consistent. */
static const char *
header_problem(const kpi_model *h, size_t left)
{
	if (h->n < 1 || h->m < 1 || h->m > KPI_MAX_CHANNELS || h->c < 0 || h->c > KPI_MAX_CONTROLS)
		return "period, channel or control count out of range";
	if ((uint64_t) h->n * (h->m + h->c + 1) * 8 > left)
		return "value is shorter than its counts require";
	if (h->period_days != 1 && h->period_days != 7)
		return "period length must be 1 or 7 days";
	if (h->lag < 1 || h->lag > 512 || h->null_rows < 0 || h->n_obs < 1 || h->n_obs > h->n ||
		h->starts < 0 || h->replicates < 0 || h->holdout < 0 || h->holdout >= h->n ||
		h->n_warnings < 0 || h->n_warnings > 4 * (h->m * h->m + h->m + h->c + 20))
		return "inconsistent counts";
	if (h->n_train < 1 || h->n_train > h->n || (h->n_knots != 0 && h->n_knots != 2) ||
		(h->weekly != 0 && h->weekly != 1) || h->harmonics < 0 || h->harmonics > 3 ||
		(h->multiplicative != 0 && h->multiplicative != 1) ||
		h->q != 2 + h->n_knots + 6 * h->weekly + 2 * h->harmonics
		+ kpi_interaction_terms(h->multiplicative, h->weekly, h->harmonics) + h->c)
		return "inconsistent base design";
	return NULL;
}

/* Check channels and warnings; NULL when consistent. */
static const char *
body_problem(const kpi_model *model)
{
	int			i;
	size_t		t;

	for (t = 0; t < (size_t) model->m * model->n; t++)
		if (model->spend[t] < 0.0)
			return "negative spend";
	for (i = 0; i < model->m; i++)
	{
		const kpi_channel *ch = &model->ch[i];

		if ((ch->flags & ~(KPI_CH_EXCLUDED | KPI_CH_COLLINEAR | KPI_CH_AT_BOUND | KPI_CH_REPORTED)) != 0 ||
			ch->collinear_with < -1 || ch->collinear_with >= model->m ||
			(ch->family != KPI_SAT_HILL && ch->family != KPI_SAT_TANH))
			return "invalid channel flags";
		if (ch->alpha < 0.0 || ch->alpha >= 1.0 || ch->beta < 0.0 || ch->kappa < 0.0 || ch->shape < 0.0 ||
			(!(ch->flags & KPI_CH_EXCLUDED) && (ch->kappa <= 0.0 || ch->shape <= 0.0)))
			return "invalid channel parameters";
	}
	for (i = 0; i < model->n_warnings; i++)
	{
		const kpi_warning *w = &model->warnings[i];

		if (w->code < 1 || w->code > KPI_W_LAST || w->a < -1 || w->a >= model->m + model->c ||
			w->b < -1 || w->b >= model->m || !isfinite(w->value))
			return "invalid warning record";
	}
	return NULL;
}

/* Read the calibration section (after the "CAL1" marker); 0 when malformed. */
static int
get_calibration(rbuf *r, kpi_model *model)
{
	int32_t    *ti[4];
	double	   *td[TEST_DOUBLES];
	int			i,
				j;

	if (r->left < 8 || memcmp(r->p, "CAL1", 4) != 0)
		return 0;
	r->p += 4;
	r->left -= 4;
	model->n_tests = get_i32(r);
	model->test_sigma2 = get_f64(r);
	if (r->failed || model->n_tests < 1 || model->n_tests > KPI_MAX_TESTS ||
		!isfinite(model->test_sigma2) || model->test_sigma2 < 0.0)
		return 0;
	model->tests = calloc(model->n_tests, sizeof(kpi_test));
	if (model->tests == NULL)
		return 0;
	for (i = 0; i < model->n_tests; i++)
	{
		test_fields(&model->tests[i], ti, td);
		for (j = 0; j < 4; j++)
			*ti[j] = get_i32(r);
		for (j = 0; j < TEST_DOUBLES; j++)
		{
			*td[j] = get_f64(r);
			if (isinf(*td[j]) || (isnan(*td[j]) && (j < 5 || j == 8)) || (j == 8 && !(*td[j] > 0.0)))
				return 0;
		}
		if (kpi_test_problem(model, &model->tests[i]) != NULL)
			return 0;
	}
	for (i = 0; i < model->m; i++)
	{
		model->ch[i].contribution_before = get_f64(r);
		model->ch[i].mroas_before = get_f64(r);
		if (isinf(model->ch[i].contribution_before) || isinf(model->ch[i].mroas_before))
			return 0;
	}
	return !r->failed;
}

/* Deserialise and validate; on failure *problem says why. */
int
kpi_model_deserialise(const unsigned char *buf, size_t len, kpi_model **out, const char **problem)
{
	rbuf		r = {buf, len, 0};
	kpi_model	h;
	kpi_model  *model = NULL;
	int32_t    *hf[HEADER_INTS];
	double	   *sf[7],
			   *cf[CHANNEL_DOUBLES];
	int			i,
				j,
				ok = 1;

	*out = NULL;
	*problem = NULL;
	if (len < 4 || memcmp(buf, "NKM1", 4) != 0)
	{
		*problem = "not a noa.kpi_model value (bad magic)";
		return KPI_ERR_INVALID;
	}
	r.p += 4;
	r.left -= 4;
	memset(&h, 0, sizeof(h));
	header_fields(&h, hf);
	for (i = 0; i < HEADER_INTS; i++)
		*hf[i] = get_i32(&r);
	if (r.failed || (*problem = header_problem(&h, r.left)) != NULL)
	{
		if (*problem == NULL)
			*problem = "value is truncated";
		return KPI_ERR_INVALID;
	}
	model = kpi_model_new(h.n, h.m, h.c);
	if (model == NULL)
		return KPI_ERR_NOMEM;
	header_fields(model, hf);
	{
		int32_t    *src[HEADER_INTS];

		header_fields(&h, src);
		for (i = 0; i < HEADER_INTS; i++)
			*hf[i] = *src[i];
	}
	model->gamma = calloc(model->q + 1, sizeof(double));
	model->warnings = calloc(model->n_warnings + 1, sizeof(kpi_warning));
	if (model->gamma == NULL || model->warnings == NULL)
	{
		kpi_model_free(model);
		return KPI_ERR_NOMEM;
	}
	stat_fields(model, sf);
	for (i = 0; i < 7; i++)
	{
		*sf[i] = get_f64(&r);
		ok &= !isinf(*sf[i]);
	}
	for (i = 0; ok && i < model->m; i++)
		ok &= get_name(&r, model->channel_names, i);
	for (i = 0; ok && i < model->c; i++)
		ok &= get_name(&r, model->control_names, i);
	ok = ok && get_f64s(&r, model->kpi, model->n, 1)
		&& get_f64s(&r, model->spend, (size_t) model->m * model->n, 0)
		&& get_f64s(&r, model->control, (size_t) model->c * model->n, 0)
		&& get_f64s(&r, model->reported, model->m, 1)
		&& get_f64s(&r, model->gamma, model->q, 0);
	for (i = 0; ok && i < model->m; i++)
	{
		model->ch[i].flags = get_i32(&r);
		model->ch[i].collinear_with = get_i32(&r);
		model->ch[i].family = get_i32(&r);
		channel_fields(&model->ch[i], cf);
		for (j = 0; j < CHANNEL_DOUBLES; j++)
		{
			*cf[j] = get_f64(&r);
			ok &= !isinf(*cf[j]) && (!isnan(*cf[j]) || j == 8);
		}
	}
	for (i = 0; ok && i < model->n_warnings; i++)
	{
		model->warnings[i].code = get_i32(&r);
		model->warnings[i].a = get_i32(&r);
		model->warnings[i].b = get_i32(&r);
		model->warnings[i].value = get_f64(&r);
	}
	if (ok && !r.failed && r.left > 0)
		ok = get_calibration(&r, model);
	if (!ok || r.failed)
		*problem = "truncated value, a bad name, or a non-finite number";
	else if (r.left != 0)
		*problem = "trailing bytes after the value";
	else
		*problem = body_problem(model);
	if (*problem)
	{
		kpi_model_free(model);
		return KPI_ERR_INVALID;
	}
	*out = model;
	return KPI_OK;
}
