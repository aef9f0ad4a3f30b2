/*
 * kpi_internal.h — the fitting workspace shared by the KPI model's design,
 * search, bootstrap and diagnostics files.  Not part of the public API.
 */
#ifndef NOA_KPI_INTERNAL_H
#define NOA_KPI_INTERNAL_H

#include "kpi_model.h"
#include "kpi_transform.h"

#define KPI_MIN_VARYING 0.01	/* least share of a feature's norm that varies apart from the intercept */
#define KPI_RIDGE 1e-3			/* relative ridge on each β: ρ·w_k·β² (see ridge_weight) */

/* Which base terms the design has (the trend is scaled to n_train periods). */
typedef struct kpi_design
{
	int			n_train;
	int			n_knots;
	int			weekly;
	int			harmonics;
	int			interact;		/* multiplicative seasonality: interaction terms present */
	int			q;
} kpi_design;

/* Number of interaction columns of a multiplicative baseline (0 when additive). */
int			kpi_interaction_terms(int multiplicative, int weekly, int harmonics);

/* Everything one fit needs: the observed rows, projection and current estimates. */
typedef struct kpi_work
{
	const kpi_model *model;
	kpi_design	design;
	int			n;				/* calendar periods used (t < n) */
	int			lag;
	int			n_obs;
	int		   *obs;			/* observed period indices, ascending */
	double	   *y;				/* observed KPI */
	double	   *ytil;			/* y with the base terms projected out */
	int			r;				/* orthonormal base columns kept */
	double	   *Q;				/* n_obs × r, column j at Q + j·n_obs */
	double	   *Qrow;			/* the same, row-major (row i at Qrow + i·r) */
	double	   *R;				/* r × r upper triangular, row-major */
	int		   *kept;			/* q: column index in Q, or -1 when dropped */
	int			m;
	int			n_active;
	int		   *active;			/* channel indices in the model */
	double	   *scale;			/* m: mean positive spend per period */
	double	   *alpha, *logc, *shape;	/* m each; κ = scale·exp(logc) */
	double	   *beta;			/* m+1: effects, then the intercept μ ≥ 0 */
	int		   *family;			/* m: KPI_SAT_* */
	int			saturation;		/* requested family or KPI_SAT_AUTO */
	double	   *ftil;			/* (m+1) × n_obs residualised features; row m = intercept */
	double	   *ridge;			/* m: ridge weight, ‖f̃‖² without the intercept's share */
	double	   *dnorm;			/* m+1: ‖f̃‖² (0 for the intercept when it is not estimable) */
	double	   *e;				/* n_obs residual ỹ - Σ β f̃ */
	/* scratch */
	double	   *adst, *loga, *feat, *fobs, *proj, *gram, *rhs;
	double	   *proj_g;
	double		rc;				/* r'c̃ of the channel being searched */
	/* lift tests (model->tests): weight σ²/se² (0 when outside t < n), lift, response per unit β */
	double	   *test_w2, *test_lift, *test_S, *test_scratch;
	int			(*interrupted) (void *arg);
	void	   *interrupt_arg;
} kpi_work;

/* Design choice for a training length, and one row of it. */
void		kpi_design_choose(const kpi_model *model, int n_train, kpi_design *design);
void		kpi_design_row(const kpi_model *model, const kpi_design *design, int t, double *row);

/* Workspace over periods t < n (observed ones only).  NULL when out of memory. */
kpi_work   *kpi_work_new(const kpi_model *model, int n, int lag, const kpi_design *design);
void		kpi_work_free(kpi_work *w);

/* Replace the observed KPI (length n_obs) and project it. */
void		kpi_work_set_y(kpi_work *w, const double *y);

/* Project the base terms out of v (length n_obs) in place. */
void		kpi_project_out(const kpi_work *w, double *v);

/* Media feature hill(adstock) of channel k with given parameters, all n periods. */
void		kpi_channel_curve(const kpi_work *w, int k, int family, double alpha, double logc,
							  double shape, double *out);

/* Set channel k's parameters and refresh its residualised feature. */
void		kpi_set_channel(kpi_work *w, int k, int family, double alpha, double logc, double shape);

/* Joint non-negative solve of every active β and the intercept; refreshes e; returns the objective. */
double		kpi_solve_beta(kpi_work *w);

/* Base coefficients γ (q, dropped columns 0) for KPI minus the current media. */
void		kpi_base_coefficients(const kpi_work *w, double *gamma);

/*
 * Nonlinear search from the current parameters: `grid` coordinate sweeps over
 * the full grid then pattern refinement with `rounds` step halvings starting at
 * `step_scale` times the default steps, at most `sweeps` sweeps per round.  Returns KPI_OK or KPI_ERR_INTERRUPTED;
 * *objective receives the final penalised SSR.
 */
int			kpi_search(kpi_work *w, int grid, int rounds, int sweeps, double step_scale,
					   kpi_rng *order_rng, double *objective);

/* Search bounds and defaults (shared with the flagging of boundary fits). */
#define KPI_ALPHA_MAX 0.95
#define KPI_LOGC_MIN (-2.3)		/* κ ≥ 0.1 × mean spend */
#define KPI_LOGC_MAX 3.0		/* κ ≤ 20 × mean spend */
#define KPI_SHAPE_MIN 0.4
#define KPI_SHAPE_MAX 4.0

/* seasonality=auto: 1 when the multiplicative terms lower the BIC of the fit in w (kpi_season.c). */
int			kpi_interactions_improve(const kpi_work *w);

/* Lift-test terms (kpi_calibrate.c). */
int			kpi_tests_init(kpi_work *w);	/* allocate and weigh; KPI_OK or KPI_ERR_NOMEM */
void		kpi_tests_refresh(kpi_work *w, int k);	/* test_S of channel k's tests at its parameters */
/* Σ w²S² and Σ w²S·L of channel k's tests for candidate parameters (0 without tests). */
void		kpi_tests_candidate(kpi_work *w, int k, int family, double alpha, double logc, double shape,
								double *ss, double *sl);
void		kpi_tests_current(const kpi_work *w, int k, double *ss, double *sl);	/* same at its current parameters */
double		kpi_tests_objective(const kpi_work *w);	/* Σ w² (L − β S)² */
/* Response of a test per unit β at the given parameters. */
double		kpi_test_response(const kpi_model *model, const kpi_test *test, int lag, int family,
							  double alpha, double kappa, double shape, double *scratch);

/* Moving-block bootstrap of the fitted model (fills the interval fields). */
int			kpi_bootstrap(kpi_model *model, kpi_work *w, int replicates);

/* 5% and 95% percentiles (type 7) of count draws, sorted in place. */
void		kpi_interval90(double *draws, int count, double *lo, double *hi);

/* Add a warning to the model. KPI_OK or KPI_ERR_NOMEM. */
int			kpi_add_warning(kpi_model *model, int code, int a, int b, double value);

#endif
