/*
 * kpi_model.h — a marketing-mix model of a business KPI (orders, revenue) per
 * period, fitted deterministically:
 *
 *   KPI_t = intercept + trend_t + day-of-week_t + yearly Fourier_t
 *           + Σ_j γ_j · control_jt
 *           + Σ_k β_k · sat_k(adstock_k(spend_k)_t) + ε_t,     β_k ≥ 0
 *
 * adstock: normalised geometric carryover over a finite window of L periods,
 *   A_t = Σ_{l<L} α^l x_{t-l} / Σ_{l<L} α^l   (x before the first period = 0);
 *   the PyMC-Marketing convention GeometricAdstock(l_max=L, normalize=True),
 *   Meridian's geometric decay with max_lag = L-1.  A constant daily spend x
 *   has A = x in steady state, so the long-run response to x per period is
 *   β·hill(x; κ, s): the noa.curve family hill with b = β, k = κ, s = s.
 * Saturation: tanh(A/κ) by default (noa.curve family tanh; it is PyMC-
 * Marketing's logistic saturation (1-e^{-λA})/(1+e^{-λA}) with λ = 2/κ), or
 * on request hill(A; κ, s) = A^s / (A^s + κ^s) (family hill), or either per
 * channel by least squares (auto).  A free Hill shape lets the fit trade media
 * level against the intercept (S-shapes shrink, s ≤ 1 inflate contributions)
 * with little change in fit, so the one-parameter concave default is the
 * better-identified choice when spend never goes near zero.
 *
 * The linear part (base terms, controls, β) is profiled out: base terms by
 * projection, β by non-negative least squares with a light ridge.  The
 * nonlinear (α, κ, s) per channel are found by a deterministic grid-then-
 * pattern coordinate search with fixed-seed multi-starts.  Intervals come from
 * a moving-block residual bootstrap with a fixed seed (media residuals are
 * autocorrelated in time, so independent resampling would be too narrow).
 *
 * Plain C (never includes postgres.h).  Memory is malloc'd; every object has a
 * free function.  Nothing aborts; errors come back as codes.
 */
#ifndef NOA_KPI_MODEL_H
#define NOA_KPI_MODEL_H

#include <stddef.h>
#include <stdint.h>

#define KPI_OK              0
#define KPI_ERR_INTERRUPTED 1
#define KPI_ERR_NOMEM       2
#define KPI_ERR_INVALID     3	/* inconsistent arguments (a bug in the caller) */
#define KPI_ERR_TOO_FEW     4	/* fewer observed periods than parameters */
#define KPI_ERR_NO_MEDIA    5	/* no channel with varying spend */

#define KPI_MAX_CHANNELS 500
#define KPI_MAX_CONTROLS 100
#define KPI_CURRENT_DAYS 90
#define KPI_SEASON_AUTO (-1)	/* kpi_options.multiplicative: let the data choose */		/* "current spend" = mean over the last 90 days */

/* Warning codes stored in a fitted model (channel indices a, b; value v). */
typedef enum kpi_warning_code
{
	KPI_W_ZERO_SPEND = 1,		/* a: channel with no spend at all */
	KPI_W_CONSTANT_SPEND,		/* a: spend never varies */
	KPI_W_COLLINEAR,			/* a, b: spend series move together, v = correlation */
	KPI_W_CONFOUNDED,			/* a: spend explained by trend/seasonality/controls, v = share left */
	KPI_W_FEW_ROWS,				/* v = observed periods per parameter */
	KPI_W_MISSING_PERIODS,		/* v = periods without a KPI value */
	KPI_W_NEGATIVE_KPI,			/* v = periods with KPI < 0 */
	KPI_W_NULL_ROWS,			/* v = input rows skipped for NULLs */
	KPI_W_MEDIA_EXCEEDS_KPI,	/* v = periods where fitted media > KPI */
	KPI_W_NEGATIVE_BASELINE,	/* v = periods where the organic part < 0 */
	KPI_W_AT_BOUND,				/* a: a carryover/saturation parameter at its search limit */
	KPI_W_NO_EFFECT,			/* a: β = 0, no measurable effect */
	KPI_W_AUTOCORRELATION,		/* v = lag-1 residual autocorrelation */
	KPI_W_HOLDOUT,				/* v = holdout NRMSE / in-sample NRMSE */
	KPI_W_SHORT_SERIES,			/* v = days covered: no yearly seasonality fitted */
	KPI_W_CONTROL_DROPPED,		/* a: control index collinear with other base terms */
	KPI_W_TEST_DISAGREES,		/* a: channel of a lift test the data disagree with, v = distance in SE */
	KPI_W_TESTS_CONFLICT		/* a: channel with two lift tests that contradict, v = distance in SE */
} kpi_warning_code;
#define KPI_W_LAST KPI_W_TESTS_CONFLICT

typedef struct kpi_warning
{
	int32_t		code;
	int32_t		a;
	int32_t		b;
	double		value;
} kpi_warning;

/* Channel flags. */
#define KPI_CH_EXCLUDED   0x01	/* zero or constant spend: not in the model */
#define KPI_CH_COLLINEAR  0x02	/* shares its signal with another channel */
#define KPI_CH_AT_BOUND   0x04
#define KPI_CH_REPORTED   0x08	/* a platform-reported total was given */

/* Per-channel estimates.  Money in spend units, effects in KPI units. */
typedef struct kpi_channel
{
	int32_t		flags;
	int32_t		collinear_with;	/* channel index, -1 when none */
	int32_t		family;			/* KPI_SAT_HILL or KPI_SAT_TANH (kpi_transform.h) */
	int32_t		reserved;		/* always 0 */
	double		alpha;			/* adstock decay per period */
	double		kappa;			/* half-saturation (adstocked spend per period) */
	double		shape;			/* Hill shape s */
	double		beta;			/* asymptotic effect per period, KPI units */
	double		spend;			/* total spend over observed periods */
	double		spend_current;	/* mean spend per period over the last 90 days */
	double		spend_min, spend_max;	/* per period, observed */
	double		reported;		/* platform-reported total, observed periods */
	double		contribution;	/* Σ β·hill(A_t) over observed periods */
	double		mroas;			/* long-run marginal return at spend_current */
	/* 90% bootstrap percentile intervals */
	double		contribution_lo, contribution_hi;
	double		mroas_lo, mroas_hi;
	double		alpha_lo, alpha_hi;
	double		cov[9];			/* bootstrap covariance of (β, κ, s), row-major */
	/* the data-only answers of a calibrated model (NaN when not calibrated) */
	double		contribution_before, mroas_before;
} kpi_channel;

/*
 * A lift test (experiment) on one channel over periods first..last: the
 * measured incremental KPI over those periods and its standard error.  Without
 * a spend difference the channel was off in the test cells (a holdout); with
 * one, the test cells spent spend_diff less over the window, spread evenly.
 * The model's prediction is Σ_{t=first..last} β·(sat(A_t) − sat(A_t^cf)), A^cf
 * the adstock of the counterfactual spend (carryover from before the window is
 * in both arms; the tail after the window is not counted).
 */
typedef struct kpi_test
{
	int32_t		channel;
	int32_t		first, last;	/* period indices, inclusive */
	int32_t		has_diff;		/* 1 when spend_diff is given */
	double		lift, se, spend_diff;
	double		se_fit;			/* se as weighed in the fit (kpi_calibrate.c: Birge ratio) */
	double		predicted_before;	/* the data-only model's prediction */
	double		sd_before;		/* its bootstrap-based standard deviation */
	double		predicted, predicted_lo, predicted_hi;	/* the calibrated model's, 90% interval */
} kpi_test;

/* The model: inputs (kept so answers can be recomputed) and the fit. */
typedef struct kpi_model
{
	/* calendar and inputs */
	int32_t		n;				/* periods, consecutive */
	int32_t		period_days;	/* 1 (daily) or 7 (weekly) */
	int32_t		first_day;		/* day number of period 0 (PostgreSQL date) */
	int32_t		m;				/* media channels */
	int32_t		c;				/* controls */
	int32_t		lag;			/* adstock window L, periods */
	char	  **channel_names;	/* m strings */
	char	  **control_names;	/* c strings */
	double	   *kpi;			/* n, NaN where not observed */
	double	   *spend;			/* m × n, row = channel */
	double	   *control;		/* c × n */
	double	   *reported;		/* m, NaN when not given */
	int32_t		null_rows;		/* input rows skipped by the caller */

	/* base design */
	int32_t		n_train;		/* periods the trend scale refers to */
	int32_t		n_knots;		/* trend hinges (0 or 2) */
	int32_t		weekly;			/* day-of-week terms (daily data) */
	int32_t		harmonics;		/* yearly Fourier pairs */
	int32_t		multiplicative;	/* organic seasonality multiplicative (interaction terms) */
	int32_t		q;				/* base columns */
	double	   *gamma;			/* q base coefficients */

	/* fit */
	kpi_channel *ch;			/* m */
	int32_t		n_obs;
	int32_t		starts;
	int32_t		replicates;
	int32_t		holdout;		/* periods held out for nrmse_holdout */
	double		r2, nrmse, nrmse_holdout, rssd, acf1, acf_season, sigma;
	int32_t		n_warnings;
	kpi_warning *warnings;

	/* calibration with lift tests (n_tests = 0: fitted on the data alone) */
	int32_t		n_tests;
	kpi_test   *tests;
	double		test_sigma2;	/* the data's residual variance, autocorrelation-inflated */
} kpi_model;

typedef struct kpi_options
{
	int			replicates;		/* bootstrap replicates; 0 = default by size */
	int			starts;			/* multi-starts; 0 = default by size */
	int			holdout;		/* holdout periods; 0 = 10% of the periods, < 0 = none */
	int			lag;			/* adstock window; 0 = 8 weekly, 28 daily */
	int			saturation;		/* KPI_SAT_TANH (default), KPI_SAT_HILL, or KPI_SAT_AUTO */
	int			multiplicative;	/* 1: organic demand = level × weekly × yearly × trend (see kpi_design.c);
								 * KPI_SEASON_AUTO: chosen by BIC of the baseline alone */
	int			(*interrupted) (void *arg);
	void	   *interrupt_arg;
} kpi_options;

/*
 * Allocate an empty model with room for n periods, m channels and c controls
 * (names NULL, kpi NaN, spend/control 0, reported NaN).  NULL when out of memory.
 */
kpi_model  *kpi_model_new(int n, int m, int c);
void		kpi_model_free(kpi_model *model);

/* Copy a string into names[i] (malloc).  KPI_OK or KPI_ERR_NOMEM. */
int			kpi_model_set_name(char **names, int i, const char *name);

/* Fit the model whose inputs are set.  Returns KPI_OK or an error code. */
int			kpi_model_fit(kpi_model *model, const kpi_options *opt);

/*
 * Calibrate a fitted model with lift tests (copied): each test enters the fit as a
 * Gaussian likelihood term (lift − prediction)² / se², on the scale of the data's
 * residual variance, so a precise test outweighs a weakly identified channel.
 * Refits, records the data-only answers, the tests' predictions before and
 * after, and warnings for tests the data disagree with or that contradict each
 * other.  KPI_OK, KPI_ERR_INVALID for a bad test (see kpi_test_problem).
 * Calibrating a calibrated model replaces its tests; "before" is then the
 * model as it was passed in.
 */
int			kpi_model_calibrate(kpi_model *model, const kpi_test *tests, int n_tests,
								const kpi_options *opt);

/* What is wrong with a test for this model, or NULL. */
const char *kpi_test_problem(const kpi_model *model, const kpi_test *test);

/* The options a model was fitted with (to refit it the same way). */
void		kpi_model_options(const kpi_model *model, kpi_options *opt);

/*
 * Backtest: refit on the first n_train periods (with the lift tests that end
 * before them), then predict the next `horizon` periods from the spend that
 * was actually made.  Intervals: the point forecast plus the 5% and 95%
 * quantiles of the training residuals (empirical, so autocorrelated and
 * skewed misfit is carried as it was in sample), scaled by (n/(n−p))^½ for
 * the p fitted parameters.  Arrays are malloc'd.
 */
typedef struct kpi_backtest
{
	int			horizon;
	int			m;
	double	   *predicted, *lo, *hi, *actual;	/* horizon each; actual NaN when missing */
	double	   *channel;		/* m × horizon: each channel's predicted contribution */
	double	   *channel_lo, *channel_hi;	/* m: the channel's 90% interval relative to its estimate */
	/* with a held channel: the forecast had its spend stayed at the last 28 periods' mean */
	double	   *held;			/* horizon, NULL without a held channel */
	double		spend_before, spend_after;	/* the held channel's mean spend per period */
	double		noise_sd_sum;	/* sd of the sum of `horizon` residuals (AR(1)-inflated) */
} kpi_backtest;

/*
 * hold_channel ≥ 0 also forecasts the horizon with that channel's spend held
 * at its mean of the last 28 training periods: actual − held is the effect the
 * spend change had, held-vs-actual forecast the effect the model predicted.
 */
int			kpi_model_backtest(const kpi_model *model, int n_train, int horizon, int hold_channel,
							   const kpi_options *opt, kpi_backtest *out);
void		kpi_backtest_free(kpi_backtest *bt);

/* Text for a warning (static storage; fills a caller's buffer). */
const char *kpi_warning_name(int code);
void		kpi_warning_message(const kpi_model *model, const kpi_warning *w, char *buf, size_t len);

/* Base terms of period t (intercept, trend, seasonality, controls), q values. */
void		kpi_model_base_row(const kpi_model *model, int t, double *row);

/* Fitted media feature hill(adstock) of channel k for all n periods. */
void		kpi_model_channel_feature(const kpi_model *model, int k, double *out);

/* Per-period parts: baseline (intercept + trend), seasonality, controls (c), media (m). */
typedef struct kpi_parts
{
	double		baseline;
	double		seasonality;
	double		controls;
	double		media;
	double		fitted;
} kpi_parts;

/*
 * Decompose every period: parts[t] summary and, when per_channel is not NULL,
 * per_channel[k*n + t] = β_k·hill(A_kt), per_control[j*n+t] = γ_j z_jt.
 */
int			kpi_model_decompose(const kpi_model *model, kpi_parts *parts,
								double *per_channel, double *per_control);

/* Half-life of the carryover in days; 0 without carryover. */
double		kpi_half_life_days(const kpi_model *model, int k);

/* Serialise to a portable byte string (malloc'd) and back.  See kpi_serial.c. */
int			kpi_model_serialise(const kpi_model *model, unsigned char **out, size_t *len);
int			kpi_model_deserialise(const unsigned char *buf, size_t len, kpi_model **out,
								  const char **problem);

#endif
