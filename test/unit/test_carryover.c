/*
 * test_carryover.c — carryover kernels and running states (carryover.h) and
 * the curve fit with profiled geometric carryover (carryover_fit.h): weights
 * against their closed forms, running states against direct convolution
 * (gaps, order and bad-input codes), the long-run rewrite of every family,
 * recovery of a known θ and curve, and bit-identical repeats.
 */
#include <stdint.h>
#include <string.h>

#include "unit.h"
#include "carryover.h"
#include "carryover_fit.h"

#define N_DAYS 730

/* A fixed 64-bit LCG: the only randomness here. */
static uint64_t lcg_state;

static double
uniform01(void)
{
	lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((double) (lcg_state >> 11) + 0.5) / 9007199254740992.0;
}

static double
normal01(void)
{
	double		a = uniform01(),
				b = uniform01();

	return sqrt(-2.0 * log(a)) * cos(2.0 * M_PI * b);
}

/* Kernel weights against their definitions. */
static void
test_weights(void)
{
	double		w[32];
	double		sum = 0.0;
	int			l,
				peak = 0;

	CHECK(noa_adstock_weights(NOA_ADSTOCK_GEOMETRIC, 0.5, 0, 7, false, w) &&
		  w[0] == 1.0 && w[3] == 0.125 && w[7] == 0.0078125, "geometric weights are theta^l");
	CHECK(noa_adstock_weights(NOA_ADSTOCK_GEOMETRIC, 0.5, 0, 7, true, w), "normalised geometric");
	for (l = 0; l <= 7; l++)
		sum += w[l];
	CHECK(fabs(sum - 1.0) < 1e-15 && unit_close(w[1] / w[0], 0.5, 1e-15), "normalised weights sum to 1, ratio theta");

	CHECK(noa_adstock_weights(NOA_ADSTOCK_DELAYED, 0.5, 3.0, 10, false, w), "delayed weights");
	for (l = 1; l <= 10; l++)
		if (w[l] > w[peak])
			peak = l;
	CHECK(peak == 3 && w[3] == 1.0 && unit_close(w[5], pow(0.5, 4.0), 1e-15), "delayed peaks at theta: alpha^((l-theta)^2)");

	/* Robyn CDF: scale 0.5 of a 10-lag window -> lambda' = round(1 + 0.5*10) = 6. */
	CHECK(noa_adstock_weights(NOA_ADSTOCK_WEIBULL_CDF, 2.0, 0.5, 10, false, w), "weibull cdf weights");
	CHECK(w[0] == 1.0 && unit_close(w[1], exp(-pow(1.0 / 6.0, 2.0)), 1e-14) &&
		  unit_close(w[2], exp(-pow(1.0 / 6.0, 2.0) - pow(2.0 / 6.0, 2.0)), 1e-14),
		  "weibull cdf: w_l = prod_{j<=l} survival(j; shape, lambda')");
	/* Half to even: 1 + 0.25*2 = 1.5 -> 2;  1 + 0.75*2 = 2.5 -> 2. */
	CHECK(noa_adstock_weights(NOA_ADSTOCK_WEIBULL_CDF, 1.0, 0.25, 2, false, w) &&
		  unit_close(w[1], exp(-0.5), 1e-14), "weibull scale rounds 1.5 to 2");
	CHECK(noa_adstock_weights(NOA_ADSTOCK_WEIBULL_CDF, 1.0, 0.75, 2, false, w) &&
		  unit_close(w[1], exp(-0.5), 1e-14), "weibull scale rounds 2.5 to 2 (half to even, as R)");

	CHECK(noa_adstock_weights(NOA_ADSTOCK_WEIBULL_PDF, 3.0, 0.5, 12, false, w), "weibull pdf weights");
	{
		double		lo = 1.0,
					hi = 0.0;

		peak = 0;
		for (l = 0; l <= 12; l++)
		{
			lo = fmin(lo, w[l]);
			hi = fmax(hi, w[l]);
			if (w[l] > w[peak])
				peak = l;
		}
		CHECK(lo == 0.0 && hi == 1.0 && peak > 0, "weibull pdf is min-max normalised with a lagged peak (shape > 1)");
	}
	CHECK(noa_adstock_weights(NOA_ADSTOCK_WEIBULL_PDF, 0.0, 0.5, 5, false, w) && w[0] == 1.0 && w[1] == 0.0 &&
		  w[5] == 0.0, "weibull shape 0 means no carryover (Robyn)");

	CHECK(noa_adstock_check(NOA_ADSTOCK_GEOMETRIC, 1.0, 0, 5) != NULL, "theta 1 rejected");
	CHECK(noa_adstock_check(NOA_ADSTOCK_GEOMETRIC, -0.1, 0, 5) != NULL, "negative theta rejected");
	CHECK(noa_adstock_check(NOA_ADSTOCK_GEOMETRIC, NAN, 0, 5) != NULL, "NaN theta rejected");
	CHECK(noa_adstock_check(NOA_ADSTOCK_GEOMETRIC, 0.3, 0, -1) != NULL, "negative max_lag rejected");
	CHECK(noa_adstock_check(NOA_ADSTOCK_DELAYED, 0.5, 6.0, 5) != NULL, "delayed peak beyond the window rejected");
	CHECK(noa_adstock_check(NOA_ADSTOCK_WEIBULL_CDF, 1.0, 1.5, 5) != NULL, "weibull scale above 1 rejected");
	CHECK(!noa_adstock_weights(NOA_ADSTOCK_GEOMETRIC, 1.0, 0, 5, true, w), "weights refuse bad parameters");
}

/* Running states against direct sums over a series with gaps. */
static void
test_states(void)
{
	int32_t		day[40];
	double		x[40],
				series[40],
				w[8],
				ring[8];
	noa_adstock_recursive rec;
	noa_adstock_window win;
	int			i,
				n = 0,
				ok_rec = 1,
				ok_win = 1;
	int32_t		d = -5;

	lcg_state = 7;
	for (i = 0; i < 40; i++)
	{
		d += (i % 9 == 4) ? 3 : 1;	/* a two-day gap now and then */
		day[n] = d;
		x[n] = 100.0 * uniform01();
		n++;
	}
	noa_adstock_geometric_series(day, x, n, 0.6, series);
	noa_adstock_recursive_init(&rec, 0.6);
	noa_adstock_weights(NOA_ADSTOCK_DELAYED, 0.7, 2.0, 7, true, w);
	noa_adstock_window_init(&win, 7, w, ring);
	for (i = 0; i < n; i++)
	{
		double		direct_rec = 0.0,
					direct_win = 0.0;
		int			j;

		CHECK(noa_adstock_recursive_add(&rec, day[i], x[i]) == NOA_ADSTOCK_OK &&
			  noa_adstock_window_add(&win, day[i], x[i]) == NOA_ADSTOCK_OK, "add day %d", day[i]);
		for (j = 0; j <= i; j++)
		{
			int			lag = day[i] - day[j];

			direct_rec += x[j] * pow(0.6, lag);
			if (lag <= 7)
				direct_win += x[j] * w[lag];
		}
		if (!unit_close(rec.value, direct_rec, 1e-12) || !unit_close(series[i], direct_rec, 1e-12))
			ok_rec = 0;
		if (!unit_close(noa_adstock_window_value(&win), direct_win, 1e-12))
			ok_win = 0;
	}
	CHECK(ok_rec, "recursive geometric = sum of theta^(lag) x over gaps (state and series)");
	CHECK(ok_win, "window state = direct weighted sum over gaps");
	CHECK(noa_adstock_window_value(&win) == noa_adstock_window_value(&win), "value reads the state only");
	CHECK(noa_adstock_recursive_add(&rec, day[n - 1], 1.0) == NOA_ADSTOCK_DUPLICATE, "same day twice: duplicate");
	CHECK(noa_adstock_window_add(&win, day[n - 1] - 3, 1.0) == NOA_ADSTOCK_BACKWARDS, "earlier day: backwards");
	CHECK(noa_adstock_recursive_add(&rec, day[n - 1] + 1, -1.0) == NOA_ADSTOCK_BAD_SPEND, "negative spend");
	CHECK(noa_adstock_window_add(&win, day[n - 1] + 1, NAN) == NOA_ADSTOCK_BAD_SPEND, "NaN spend");
	CHECK(noa_adstock_window_add(&win, day[n - 1] + 100, 5.0) == NOA_ADSTOCK_OK &&
		  unit_close(noa_adstock_window_value(&win), 5.0 * w[0], 1e-15), "a long gap empties the window");
	CHECK(unit_close(noa_adstock_half_life(0.5), 1.0, 1e-15) && noa_adstock_half_life(0.0) == 0.0, "half-life");
}

/* The long-run rewrite: L(x) = f(x/(1-θ)) for every family. */
static void
test_long_run(void)
{
	static const double params[][NOA_MAX_PARAMS] = {
		{0, 0, 0}, {500, 2000, 1.7}, {400, 3000, 0}, {600, 1500, 0}, {450, 2500, 1.0 / 700}, {300, 1800, 0},
		{2.0, 0.6, 0}, {0.2, 0, 0}
	};
	int			m;

	for (m = NOA_MODEL_FIRST; m <= NOA_MODEL_LAST; m++)
	{
		noa_curve	c;
		double		theta = 0.4;
		int			ok = 1,
					i;

		memset(&c, 0, sizeof(c));
		c.model = m;
		memcpy(c.param, params[m], sizeof(c.param));
		for (i = 0; i < noa_model_nparams(m); i++)
			c.cov[i * NOA_MAX_PARAMS + i] = 1.0;
		noa_carryover_long_run(&c, theta);
		for (i = 1; i <= 5; i++)
		{
			double		x = 400.0 * i;

			if (!unit_close(noa_curve_value(m, c.param, x), noa_curve_value(m, params[m], x / (1 - theta)), 1e-12))
				ok = 0;
		}
		CHECK(ok, "%s: long-run curve is f(x/(1-theta))", noa_model_name(m));
		CHECK(c.cov[0] > 0.0 && isfinite(c.cov[0]), "%s: covariance carried over", noa_model_name(m));
	}
}

/* Simulate a daily series with geometric carryover and a Hill response. */
static void
simulate(double theta, int regime, int32_t *day, double *x, double *y)
{
	double		a = 0.0,
				level = 1000.0;
	int			t;

	lcg_state = 12345;
	for (t = 0; t < N_DAYS; t++)
	{
		if (t % regime == 0)
			level = 1000.0 * exp(0.75 * (2.0 * uniform01() - 1.0));
		day[t] = 8766 + t;
		x[t] = level * exp(0.15 * normal01());
		a = x[t] + theta * a;
		y[t] = 60.0 * pow(a, 1.2) / (pow(a, 1.2) + pow(1800.0, 1.2)) + 1.5 * normal01();
	}
}

/* Recovery of θ and the long-run curve; repeats are bit-identical. */
static void
test_fit(void)
{
	static int32_t day[N_DAYS];
	static double x[N_DAYS],
				y[N_DAYS];
	static const int regimes[] = {1, 7, 35};
	int			r;

	for (r = 0; r < 3; r++)
	{
		noa_curve	c,
					c2;
		noa_carryover co,
					co2;
		double		theta = 0.55,
					spend = 1000.0,
					true_slope,
					fit_slope;
		int			rc;

		simulate(theta, regimes[r], day, x, y);
		rc = noa_carryover_fit(NOA_MODEL_HILL, day, x, y, N_DAYS, NULL, &c, &co);
		CHECK(rc == NOA_OK && c.status == NOA_FIT_CONVERGED, "regime %d days: fit converges", regimes[r]);
		CHECK(fabs(co.theta - theta) <= 0.05, "regime %d days: theta %.3f within 0.05 of %.2f (se %.3f)",
			  regimes[r], co.theta, theta, co.theta_se);
		CHECK(co.theta_se > 0.0 && co.theta_se < 0.05, "regime %d days: theta has a standard error (%.4f)",
			  regimes[r], co.theta_se);
		/* long-run slope at the typical spend against the truth */
		{
			double		p[3] = {60.0, 1800.0, 1.2};
			double		a = spend / (1 - theta);

			true_slope = noa_curve_slope(NOA_MODEL_HILL, p, a) / (1 - theta);
			fit_slope = noa_curve_slope(NOA_MODEL_HILL, c.param, spend);
		}
		CHECK(fabs(fit_slope / true_slope - 1.0) < 0.10, "regime %d days: long-run mROAS within 10%% (%.4f vs %.4f)",
			  regimes[r], fit_slope, true_slope);
		CHECK(c.x_max > 0.0 && c.x_max < 5000.0, "spend range in daily spend, not adstock");
		noa_carryover_fit(NOA_MODEL_HILL, day, x, y, N_DAYS, NULL, &c2, &co2);
		CHECK(memcmp(&c, &c2, sizeof(c)) == 0 && memcmp(&co, &co2, sizeof(co)) == 0, "bit-identical repeat");
	}

	/* Weekly rows (days 7 apart, one week missing): θ is per week, the period 7 days. */
	{
		noa_curve	c,
					cd;
		noa_carryover co,
					cod;
		int			t,
					m = 0;

		simulate(0.55, 3, day, x, y);
		for (t = 0; t < 200; t++)
		{
			if (t == 50)
				continue;		/* a missing week: no spend, no response */
			day[m] = 8766 + 7 * t;
			x[m] = x[t];
			y[m] = y[t];
			m++;
		}
		/* the simulated response assumed consecutive periods: rebuild it for the gap */
		{
			double		a = 0.0;

			for (t = 0; t < m; t++)
			{
				if (t > 0)
					a *= pow(0.55, (day[t] - day[t - 1]) / 7);
				a += x[t];
				y[t] = 60.0 * pow(a, 1.2) / (pow(a, 1.2) + pow(1800.0, 1.2)) + 0.3 * sin(t * 1.7);
			}
		}
		noa_carryover_fit(NOA_MODEL_HILL, day, x, y, m, NULL, &c, &co);
		CHECK(co.period_days == 7 && fabs(co.theta - 0.55) <= 0.05,
			  "weekly rows: period 7 days, theta %.3f per week", co.theta);
		for (t = 0; t < m; t++)
			day[t] = 8766 + (day[t] - 8766) / 7;	/* the same rows as consecutive days */
		noa_carryover_fit(NOA_MODEL_HILL, day, x, y, m, NULL, &cd, &cod);
		CHECK(cod.period_days == 1 && cod.theta == co.theta && memcmp(c.param, cd.param, sizeof(c.param)) == 0,
			  "weekly rows give the same fit as the same rows one day apart");
	}

	/* No carryover in the data: θ near 0. */
	{
		noa_curve	c;
		noa_carryover co;

		simulate(0.0, 7, day, x, y);
		noa_carryover_fit(NOA_MODEL_HILL, day, x, y, N_DAYS, NULL, &c, &co);
		CHECK(co.theta <= 0.05, "no carryover: theta %.3f near 0", co.theta);
	}

	/* Bad input. */
	{
		noa_curve	c;
		noa_carryover co;
		int32_t		d2[3] = {1, 2, 2};
		double		x2[3] = {1, 2, 3};

		CHECK(noa_carryover_fit(NOA_MODEL_HILL, d2, x2, x2, 3, NULL, &c, &co) == NOA_ERR_INVALID,
			  "repeated day is invalid input");
		CHECK(noa_carryover_fit(NOA_MODEL_HILL, d2, x2, x2, 0, NULL, &c, &co) == NOA_OK &&
			  c.status == NOA_FIT_INSUFFICIENT_DATA, "no rows: insufficient data");
	}
}

int
main(void)
{
	test_weights();
	test_states();
	test_long_run();
	test_fit();
	return unit_done();
}
