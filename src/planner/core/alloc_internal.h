/*
 * alloc_internal.h — what the layers of the allocation solver share (not part
 * of the public interface, which is alloc_solver.h).
 *
 * The solver is split by layer, bottom up; a layer calls only the layers
 * below it:
 *   alloc_item.c         item math: value, slope and the falling-branch slope
 *                        inverse per family;
 *   alloc_root.c         the bracketed root search the layers above share;
 *   alloc_modes.c        item modes: the domain an item is solved on — its
 *                        concave envelope over [lo, hi] (the relaxation),
 *                        switched off (at lo), switched on (restricted to the
 *                        concave branch) or pinned — and its demand at a price;
 *   alloc_price.c        price search: for a set of items and a target total,
 *                        the price λ at which the items' demands add up to the
 *                        target (a bracketed Illinois search in log λ), then an
 *                        exact fill between the two sides of the final bracket;
 *   alloc_total.c        fixed total: group floors and caps get their own
 *                        prices (found once per total), the base price is
 *                        searched with those clamps; and the range of totals
 *                        the bounds and group limits admit;
 *   alloc_outer.c        outer search: the total spend for the objectives
 *                        without a fixed budget;
 *   alloc_rounding.c     rounding: on/off choices of the S-shaped items;
 *   alloc_certificate.c  certificate: the Lagrangian dual bound from the true
 *                        curves, written as a sum of non-negative
 *                        complementary terms so it is stable;
 *   alloc_branch.c       branch and bound over the S-shaped items' spend
 *                        ranges: the exact answer and certificate at a fixed
 *                        total when there are few S-shaped items;
 *   alloc_work.c         the workspace: input checks, allocation, failures;
 *   alloc_solver.c       the driver, noa_alloc_solve.
 *
 * Memory: every array is malloc'd in noa_alloc_solve and freed on every path.
 * The functions below are hidden from the loaded module's symbol table so
 * their short names cannot collide with anything else in the server.
 */
#ifndef NOA_ALLOC_INTERNAL_H
#define NOA_ALLOC_INTERNAL_H

#include "alloc_solver.h"

#include <stddef.h>

#define FEAS_TOL 1e-12			/* relative slack in feasibility tests */


typedef enum item_shape
{
	SHAPE_CONCAVE,				/* slope only falls on [lo, hi] */
	SHAPE_LINEAR,				/* constant slope */
	SHAPE_S,					/* slope rises to a peak inside [lo, hi], then falls */
	SHAPE_CONVEX,				/* slope rises forever (power, exponent > 1) */
	SHAPE_FIXED					/* lo == hi */
} item_shape;

typedef enum item_mode
{
	MODE_RELAX,					/* concave envelope over [lo, hi] */
	MODE_OFF,					/* fixed at lo */
	MODE_ON,					/* concave branch [max(lo, peak), hi] */
	MODE_PIN,					/* fixed at a point of its convex region */
	MODE_RANGE					/* restricted to a range [dlo, dhi] and relaxed there (branch and bound) */
} item_mode;

typedef struct item_work
{
	int			model;
	double		p[NOA_MAX_PARAMS];
	double		w;
	int			group;
	item_shape	shape;
	double		lo,
				hi;				/* hi tightened to a finite value where possible */
	double		peak;			/* where the concave branch starts */
	/* concave envelope over [lo, hi]: a line of slope env_sigma on [lo, env_tau] */
	bool		env_flat;
	double		env_tau,
				env_sigma;
	/* the current mode */
	item_mode	mode;
	double		dlo,
				dhi;
	bool		flat;
	double		tau,
				sigma;
	double		s_lo,
				s_hi;			/* slope at dlo (sigma when flat) and at dhi */
	/* Hill constants and the warm start of its inverse (log spend) */
	double		ln_k,
				ln_wbs,
				u_warm;
} item_work;

/* Group prices of a fixed-total solve, kept for the certificate. */
typedef struct multipliers
{
	double		total;
	double		lam_a,
				lam_b;			/* the two sides of the final base-price bracket */
	double	   *p_floor;
	double	   *p_cap;
	char	   *has_floor;
	char	   *has_cap;
} multipliers;

typedef struct work
{
	const noa_alloc_problem *pb;
	noa_alloc_result *res;
	int			n,
				ng;
	item_work  *it;
	int		   *all;			/* 0 .. n-1 */
	int		   *gstart;			/* members of group g: gmem[gstart[g] .. gstart[g+1]) */
	int		   *gmem;			/* bucket ng holds the ungrouped items */
	/* current fixed-total solve */
	double		total;
	double		capbase;		/* T − Σ dlo: no item can take more than dlo + capbase */
	double		sum_dlo;
	double		lambda;
	double		lambda_warm;	/* warm start of the base price search */
	double	   *warm_floor;		/* warm starts of each group's floor and cap searches */
	double	   *warm_cap;
	multipliers cur;
	int		   *gstate;
	double	   *gprice;
	/* vectors indexed by item */
	double	   *xa,
			   *xb,
			   *xt,
			   *xf,
			   *xc;
	/* rounding */
	item_mode  *pattern;
	item_mode  *best_pattern;
	item_mode  *base_pattern;	/* the best on/off pattern before convex-region searches */
	double	   *pin;			/* spend of an item in MODE_PIN (of the pattern being tried) */
	double	   *best_pin;		/* the same for the best pattern */
	int		   *order;
	double	   *key;
	/* the relaxation at the chosen total */
	multipliers relax;
	double	   *x_relax;
	double	   *x_best;
	double	   *x_eval;			/* allocation of the latest outer or pattern solve */
	double	   *x_branch;		/* best allocation found by branch and bound */
	double	   *x_reach;		/* least-spend allocation reaching the target (branch and bound) */
	double	   *scratch;		/* 2(ng + 1) doubles of per-group scratch */
	int			upper_group;	/* group whose minimum share limits the total, or -1 */
	int			passes;
} work;

/*
 * Root-finding interface: a nonincreasing function with a bracket.  Points
 * where f = 0 belong to side 0 when zero_left is false (the search converges
 * to the least root), to side 1 otherwise (the greatest root).
 */
typedef struct root_fn
{
	int			(*eval) (void *ctx, double t, double *f);
	void		(*keep) (void *ctx, int side);	/* side 0 above zero, side 1 below; may be NULL */
	void	   *ctx;
	bool		zero_left;
} root_fn;

#if defined(__GNUC__)
#pragma GCC visibility push(hidden)
#endif

/* item math (alloc_item.c) */
double		item_value(const item_work *it, double x);
double		item_slope(const item_work *it, double x);
double		falling_inverse(item_work *it, double p);

/* root search (alloc_root.c) */
int			root_side(const root_fn *fn, double f);
int			find_root(const root_fn *fn, double *a, double *fa, double *b, double *fb,
					  double xtol, double scale, double ftol);

/* item modes (alloc_modes.c) */
void		item_init(item_work *it, const noa_alloc_item *src, double hi);
bool		item_shaped(const item_work *it);
void		item_set_mode(item_work *it, item_mode mode, double pin);
void		item_set_range(item_work *it, double a, double b);
double		demand(const work *ws, item_work *it, double p);
double		envelope_value(const item_work *it, double x);
double		envelope_slope(const item_work *it, double x);
double		item_phi(const work *ws, item_work *it, double p);

/* price search (alloc_price.c) */
double		eval_pass(work *ws, const int *idx, int m, double p, bool clamp, double *x);
void		items_range(const work *ws, const int *idx, int m, double *lo_sum, double *hi_sum);
int			price_search(work *ws, const int *idx, int m, double target, bool clamp,
						 double *xout, double *price, double *warm);

/* fixed total and the range of totals (alloc_total.c) */
void		bucket_range(const work *ws, int g, double *lo_sum, double *hi_sum);
int			prepare_groups(work *ws, double T, bool check_total, bool *feasible);
int			solve_total(work *ws, double T, double *xout, bool *feasible);
double		total_value(const work *ws, const double *x, bool envelope);
double		total_marginal(const work *ws);
int			total_range(work *ws, double *tlo, double *thi, bool feasible_only);

/* outer search and the objectives (alloc_outer.c) */
int			choose_total(work *ws, double tlo, double tmax, double *tstar, bool *reachable);
bool		meets_target(const work *ws, double value, double T);
double		objective_of(const work *ws, double value, double T);
bool		better(const work *ws, double a, double b);

/* rounding (alloc_rounding.c) */
void		apply_pattern(work *ws, const item_mode *pattern, const double *pins);
int			round_solution(work *ws, double t_relax, double tlo, double tmax,
						   double *t_final, bool *use_pattern, bool *reachable);
bool		relaxation_split(const work *ws);
int			pattern_with_total(work *ws, const item_mode *pattern, double tlo, double tmax,
							   double *T, double *obj, bool *ok);

/* certificate (alloc_certificate.c) */
double		dual_gap(work *ws, const multipliers *mu, double lambda, const double *x, double T,
					 double *kappa);
double		certify(work *ws, const double *x, double value, double T, double tlo, double tmax,
					bool exact_total);

/* branch and bound (alloc_branch.c) */
int			branch_and_bound(work *ws, double T, double tlo, const double *start, bool *done,
							 double *bound);
int			branch_min_spend(work *ws, double t_relax, double tlo, double tmax, double *t_final,
							 double *t_lower);
void		pattern_from_allocation(work *ws, const double *x);

/* workspace (alloc_work.c) */
int			fail(work *ws, noa_alloc_failure kind, int item, int group, double need, double have);
bool		problem_valid(const noa_alloc_problem *pb);
int			work_alloc(work *ws);
void		work_free(work *ws);
void		keep_multipliers(work *ws, multipliers *dst);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#endif
