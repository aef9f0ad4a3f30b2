/*
 * noa_curve.h — the on-disk layout of the SQL type noa.curve and its accessors.
 *
 * A noa.curve is a fixed-size varlena: a version byte, reserved bytes that
 * must be zero, then the numeric core's noa_curve struct.  Readers reject
 * unknown versions so the format can evolve.
 */
#ifndef NOA_CURVE_TYPE_H
#define NOA_CURVE_TYPE_H

#include "postgres.h"
#include "fmgr.h"

#include "curve_fit.h"

#define NOA_CURVE_VERSION 1

typedef struct NoaCurve
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	uint8		version;		/* NOA_CURVE_VERSION */
	uint8		unused[3];		/* reserved, always zero */
	noa_curve	fit;
} NoaCurve;

#define DatumGetNoaCurveP(d)	((NoaCurve *) PG_DETOAST_DATUM(d))
#define PG_GETARG_NOACURVE_P(n) DatumGetNoaCurveP(PG_GETARG_DATUM(n))
#define PG_RETURN_NOACURVE_P(p) PG_RETURN_POINTER(p)

/* Wrap a fitted core curve in a new palloc'd noa.curve value. */
NoaCurve   *noa_curve_make(const noa_curve *fit);

/* What is inconsistent in a fit record (a phrase), or NULL when it is sound. */
const char *noa_curve_problem(const noa_curve *fit);

/* Check a value read from disk or the wire; ereport on anything inconsistent. */
void		noa_curve_validate(const NoaCurve *curve);

#endif
