/*
 * curve_model.c — the response-curve families of curve_model.h: values, slopes,
 * parameter gradients, slope inverses and saturation points.
 */
#include "curve_model.h"

#include <math.h>
#include <string.h>

static const char *const model_names[] = {
	"auto", "hill", "exponential", "michaelis_menten", "logistic", "tanh", "power", "linear"
};

static const int model_nparams[] = {0, 3, 2, 2, 3, 2, 2, 1};

static const char *const model_param_names[][NOA_MAX_PARAMS] = {
	{NULL, NULL, NULL},
	{"b", "k", "s"},
	{"b", "k", NULL},
	{"b", "k", NULL},
	{"b", "m", "r"},
	{"b", "k", NULL},
	{"b", "a", NULL},
	{"b", NULL, NULL},
};

/* Name of a family ("hill", ...). */
const char *
noa_model_name(noa_model model)
{
	if (model < NOA_MODEL_AUTO || model > NOA_MODEL_LAST)
		return "unknown";
	return model_names[model];
}

/* Family id for a name, or -1. */
int
noa_model_from_name(const char *name)
{
	int			i;

	for (i = NOA_MODEL_AUTO; i <= NOA_MODEL_LAST; i++)
		if (strcmp(name, model_names[i]) == 0)
			return i;
	return -1;
}

/* Number of parameters of a family. */
int
noa_model_nparams(noa_model model)
{
	if (model < NOA_MODEL_AUTO || model > NOA_MODEL_LAST)
		return 0;
	return model_nparams[model];
}

/* Name of parameter i of a family, or NULL. */
const char *
noa_model_param_name(noa_model model, int i)
{
	if (i < 0 || i >= noa_model_nparams(model))
		return NULL;
	return model_param_names[model][i];
}

/* Whether the family approaches a finite asymptote b. */
bool
noa_model_saturates(noa_model model)
{
	return model != NOA_MODEL_POWER && model != NOA_MODEL_LINEAR &&
		model >= NOA_MODEL_FIRST && model <= NOA_MODEL_LAST;
}

/* Logistic function, written to avoid overflow for large |z|. */
static double
sigmoid(double z)
{
	if (z >= 0)
		return 1.0 / (1.0 + exp(-z));
	else
	{
		double		e = exp(z);

		return e / (1.0 + e);
	}
}

/* Hill ratio r = (x/k)^s. */
static double
hill_ratio(const double *p, double x)
{
	return pow(x / p[1], p[2]);
}

/* f(x) for one family. */
double
noa_curve_value(noa_model model, const double *p, double x)
{
	switch (model)
	{
		case NOA_MODEL_HILL:
			{
				double		r;

				if (x <= 0.0)
					return 0.0;
				r = hill_ratio(p, x);
				return isinf(r) ? p[0] : p[0] * r / (1.0 + r);
			}
		case NOA_MODEL_EXPONENTIAL:
			return -p[0] * expm1(-x / p[1]);
		case NOA_MODEL_MICHAELIS_MENTEN:
			return p[0] * x / (p[1] + x);
		case NOA_MODEL_LOGISTIC:
			{
				double		v = p[2] * p[1];

				return p[0] * (sigmoid(p[2] * (x - p[1])) - sigmoid(-v)) / sigmoid(v);
			}
		case NOA_MODEL_TANH:
			return p[0] * tanh(x / p[1]);
		case NOA_MODEL_POWER:
			return x <= 0.0 ? 0.0 : p[0] * pow(x, p[1]);
		case NOA_MODEL_LINEAR:
			return p[0] * x;
		default:
			return NAN;
	}
}

/* f'(x) for one family. */
double
noa_curve_slope(noa_model model, const double *p, double x)
{
	switch (model)
	{
		case NOA_MODEL_HILL:
			{
				double		r,
							d;

				if (x <= 0.0)
				{
					if (p[2] > 1.0)
						return 0.0;
					return p[2] == 1.0 ? p[0] / p[1] : INFINITY;
				}
				r = hill_ratio(p, x);
				if (isinf(r))
					return 0.0;
				d = 1.0 + r;
				return p[0] * p[2] * r / (x * d * d);
			}
		case NOA_MODEL_EXPONENTIAL:
			return p[0] / p[1] * exp(-x / p[1]);
		case NOA_MODEL_MICHAELIS_MENTEN:
			return p[0] * p[1] / ((p[1] + x) * (p[1] + x));
		case NOA_MODEL_LOGISTIC:
			{
				double		su = sigmoid(p[2] * (x - p[1]));

				return p[0] * p[2] * su * (1.0 - su) / sigmoid(p[2] * p[1]);
			}
		case NOA_MODEL_TANH:
			{
				double		t = tanh(x / p[1]);

				return p[0] / p[1] * (1.0 - t * t);
			}
		case NOA_MODEL_POWER:
			if (x <= 0.0)
				return p[1] < 1.0 ? INFINITY : (p[1] == 1.0 ? p[0] : 0.0);
			return p[0] * p[1] * pow(x, p[1] - 1.0);
		case NOA_MODEL_LINEAR:
			return p[0];
		default:
			return NAN;
	}
}

/* ∂f(x)/∂p[i], analytic. */
void
noa_curve_value_grad(noa_model model, const double *p, double x, double *g)
{
	memset(g, 0, sizeof(double) * NOA_MAX_PARAMS);
	switch (model)
	{
		case NOA_MODEL_HILL:
			{
				double		r,
							d;

				if (x <= 0.0)
					return;
				r = hill_ratio(p, x);
				if (isinf(r))
				{
					g[0] = 1.0;
					return;
				}
				d = 1.0 + r;
				g[0] = r / d;
				g[1] = -p[0] * p[2] * r / (p[1] * d * d);
				g[2] = p[0] * r * log(x / p[1]) / (d * d);
				return;
			}
		case NOA_MODEL_EXPONENTIAL:
			{
				double		e = exp(-x / p[1]);

				g[0] = -expm1(-x / p[1]);
				g[1] = -p[0] * e * x / (p[1] * p[1]);
				return;
			}
		case NOA_MODEL_MICHAELIS_MENTEN:
			g[0] = x / (p[1] + x);
			g[1] = -p[0] * x / ((p[1] + x) * (p[1] + x));
			return;
		case NOA_MODEL_LOGISTIC:
			{
				double		u = p[2] * (x - p[1]);
				double		v = p[2] * p[1];
				double		su = sigmoid(u),
							sv = sigmoid(v),
							smv = sigmoid(-v);
				double		du = su * (1.0 - su),
							dv = sv * (1.0 - sv);
				double		num = su - smv;
				double		dnum_dm = -p[2] * du + p[2] * dv;
				double		dnum_dr = (x - p[1]) * du + p[1] * dv;
				double		dden_dm = p[2] * dv;
				double		dden_dr = p[1] * dv;

				g[0] = num / sv;
				g[1] = p[0] * (dnum_dm * sv - num * dden_dm) / (sv * sv);
				g[2] = p[0] * (dnum_dr * sv - num * dden_dr) / (sv * sv);
				return;
			}
		case NOA_MODEL_TANH:
			{
				double		t = tanh(x / p[1]);

				g[0] = t;
				g[1] = -p[0] * (1.0 - t * t) * x / (p[1] * p[1]);
				return;
			}
		case NOA_MODEL_POWER:
			if (x <= 0.0)
				return;
			g[0] = pow(x, p[1]);
			g[1] = p[0] * g[0] * log(x);
			return;
		case NOA_MODEL_LINEAR:
			g[0] = x;
			return;
		default:
			return;
	}
}

/* ∂f'(x)/∂p[i] by central differences on a relative step of each parameter. */
void
noa_curve_slope_grad(noa_model model, const double *p, double x, double *g)
{
	int			np = noa_model_nparams(model);
	int			i;
	double		q[NOA_MAX_PARAMS];

	memset(g, 0, sizeof(double) * NOA_MAX_PARAMS);
	for (i = 0; i < np; i++)
	{
		double		h = 1e-6 * fabs(p[i]);
		double		up,
					down;

		if (h == 0.0)
			h = 1e-12;
		memcpy(q, p, sizeof(double) * np);
		q[i] = p[i] + h;
		up = noa_curve_slope(model, q, x);
		q[i] = p[i] - h;
		down = noa_curve_slope(model, q, x);
		g[i] = (up - down) / (2.0 * h);
	}
}

/* Spend where the slope is largest: 0 unless the curve is S-shaped. */
double
noa_curve_slope_peak(noa_model model, const double *p)
{
	switch (model)
	{
		case NOA_MODEL_HILL:
			if (p[2] <= 1.0)
				return 0.0;
			return p[1] * pow((p[2] - 1.0) / (p[2] + 1.0), 1.0 / p[2]);
		case NOA_MODEL_LOGISTIC:
			return p[1];
		default:
			return 0.0;
	}
}

/*
 * Spend on the falling branch where the slope equals `target`: bracket by
 * doubling from the slope peak, then bisect to full double precision.
 */
double
noa_curve_slope_inverse(noa_model model, const double *p, double target)
{
	double		lo = noa_curve_slope_peak(model, p);
	double		hi;
	double		peak_slope = noa_curve_slope(model, p, lo);
	int			i;

	if (model == NOA_MODEL_LINEAR)
		return p[0] > target ? INFINITY : 0.0;
	if (!(peak_slope > target))
		return 0.0;
	if (!(target > 0.0))
		return INFINITY;

	/* Closed forms where they are exact and cheap. */
	switch (model)
	{
		case NOA_MODEL_EXPONENTIAL:
			return p[1] * log(p[0] / (p[1] * target));
		case NOA_MODEL_MICHAELIS_MENTEN:
			return fmax(0.0, sqrt(p[0] * p[1] / target) - p[1]);
		case NOA_MODEL_POWER:
			return pow(target / (p[0] * p[1]), 1.0 / (p[1] - 1.0));
		default:
			break;
	}

	hi = lo > 0.0 ? 2.0 * lo : (p[1] > 0.0 ? p[1] : 1.0);
	for (i = 0; i < 2000 && noa_curve_slope(model, p, hi) > target; i++)
	{
		lo = hi;
		hi *= 2.0;
		if (!isfinite(hi))
			return INFINITY;
	}
	for (i = 0; i < 200; i++)
	{
		double		mid = 0.5 * (lo + hi);

		if (mid <= lo || mid >= hi)
			break;
		if (noa_curve_slope(model, p, mid) > target)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

/* Spend reaching `share` of the asymptote, in closed form per family. */
double
noa_curve_saturation(noa_model model, const double *p, double share)
{
	if (!(share > 0.0 && share < 1.0) || !noa_model_saturates(model))
		return NAN;
	switch (model)
	{
		case NOA_MODEL_HILL:
			return p[1] * pow(share / (1.0 - share), 1.0 / p[2]);
		case NOA_MODEL_EXPONENTIAL:
			return -p[1] * log1p(-share);
		case NOA_MODEL_MICHAELIS_MENTEN:
			return p[1] * share / (1.0 - share);
		case NOA_MODEL_TANH:
			return p[1] * atanh(share);
		case NOA_MODEL_LOGISTIC:
			{
				double		v = p[2] * p[1];
				double		target = sigmoid(-v) + share * sigmoid(v);

				return p[1] + log(target / (1.0 - target)) / p[2];
			}
		default:
			return NAN;
	}
}

/* Every parameter finite and positive. */
bool
noa_curve_params_valid(noa_model model, const double *p)
{
	int			np = noa_model_nparams(model);
	int			i;

	if (np == 0)
		return false;
	for (i = 0; i < np; i++)
		if (!isfinite(p[i]) || !(p[i] > 0.0))
			return false;
	return true;
}
