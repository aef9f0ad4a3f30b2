/*
 * curve_fit_internal.h — what the files of the curve fit share (not part of
 * the public interface, which is curve_fit.h):
 *   curve_fit.c         the entry point, input preparation, one family's fit
 *                       and its results in natural units;
 *   curve_fit_varpro.c  the families' shape functions in scaled units and log
 *                       space, and the variable-projection least-squares
 *                       problem (b profiled out) that nls.c solves;
 *   curve_fit_starts.c  the search box, the grid of starts and the runaway
 *                       test of a shape parameter.
 * Functions are hidden from the loaded module's symbol table.
 */
#ifndef NOA_CURVE_FIT_INTERNAL_H
#define NOA_CURVE_FIT_INTERNAL_H

#include "curve_fit.h"
#include "nls.h"

/* Shape parameters per family: p - 1 (b is profiled). */
#define FIT_MAX_SHAPE (NOA_MAX_PARAMS - 1)

/* Scaled positive-spend points. */
typedef struct fit_points
{
	int			m;
	double	   *u;				/* x/X */
	double	   *lu;				/* log u */
	double	   *v;				/* y/Y */
	double		vv;				/* Σ v² */
} fit_points;

/* Data shared by every family fitted in one noa_curve_fit call. */
typedef struct fit_input
{
	int			n;				/* all points */
	const double *x;
	const double *y;
	fit_points	all;			/* every point with positive spend */
	fit_points	screen;			/* the subset that screens starts */
	double	   *buf;			/* the one allocation behind every array here */
	double		xscale;			/* X: largest spend */
	double		yscale;			/* Y: largest |response| */
	double		vz;				/* Σ (y/Y)² over zero-spend points */
	double		umin;			/* smallest positive u */
	double		q25,
				q50,
				q75;			/* quartiles of positive u */
	int			distinct;		/* distinct spend values, zero included */
	double		yy;				/* Σ y² */
	double		sst;			/* Σ (y - ȳ)² */
	double	   *g;				/* scratch: shape values, all.m */
	double	   *dg;				/* scratch: shape derivatives, FIT_MAX_SHAPE × all.m */
	double	   *jac;			/* scratch: natural Jacobian, n × NOA_MAX_PARAMS */
	noa_nls_workspace *ws[FIT_MAX_SHAPE + 1];	/* by shape-parameter count */
	const noa_fit_options *opt;
} fit_input;

/* Variable-projection problem of one family: the nls callbacks' argument. */
typedef struct varpro
{
	fit_input  *in;
	noa_model	model;
	int			q;				/* shape parameters */
	double		lo[FIT_MAX_SHAPE];	/* clamp box in θ */
	double		hi[FIT_MAX_SHAPE];
	double		key[FIT_MAX_SHAPE];	/* θ of the cached g, dg, b */
	int			cached;
	double		b;				/* profiled b at key */
	double		gg;				/* Σ g² at key */
} varpro;

/* A start candidate and its screened (profiled) SSR. */
typedef struct fit_start
{
	double		theta[FIT_MAX_SHAPE];
	double		ssr;
} fit_start;

#if defined(__GNUC__)
#pragma GCC visibility push(hidden)
#endif

/* curve_fit_varpro.c */
void		shape_eval(const varpro *vp, const fit_points *pts, const double *theta,
					   double *g, double *dg);
double		profile_b(const fit_points *pts, const double *g, double *gg_out);
void		varpro_update(varpro *vp, const double *theta);
int			varpro_residual(const double *theta, double *f, void *arg);
int			varpro_jacobian(const double *theta, double *jac, void *arg);
double		varpro_ssr(varpro *vp, const fit_points *pts, const double *theta);

/* curve_fit_starts.c */
void		family_box(varpro *vp);
int			family_runaway(varpro *vp, const double *theta, double ssr);
int			family_starts(const varpro *vp, fit_start *st);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#endif
