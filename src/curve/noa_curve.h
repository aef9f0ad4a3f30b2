/*
 * noa_curve.h — the on-disk layout of the SQL type noa.curve and its accessors.
 *
 * A noa.curve is a fixed-size varlena: a version byte, reserved bytes that
 * must be zero, then the numeric core's noa_curve struct.  Readers reject
 * unknown versions so the format can evolve.
 *
 * Version 1: header + noa_curve (a same-day curve).
 * Version 2: header + noa_curve + noa_carryover (a curve fitted with
 * carryover; the noa_curve parameters are its long-run curve).  Curves
 * without carryover are still written as version 1, and version 1 values are
 * read into the full struct with an empty carryover block.
 */
#ifndef NOA_CURVE_TYPE_H
#define NOA_CURVE_TYPE_H

#include "postgres.h"
#include "fmgr.h"

#include "carryover_fit.h"
#include "curve_fit.h"

#define NOA_CURVE_VERSION 1			/* without carryover */
#define NOA_CURVE_VERSION_CARRYOVER 2

typedef struct NoaCurve
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	uint8		version;		/* NOA_CURVE_VERSION or NOA_CURVE_VERSION_CARRYOVER */
	uint8		unused[3];		/* reserved, always zero */
	noa_curve	fit;
	noa_carryover carry;		/* version 2 only; all zero (kind 0) otherwise */
} NoaCurve;

/* Size of a version-1 value (no carryover block). */
#define NOA_CURVE_V1_SIZE offsetof(NoaCurve, carry)

/* Detoast a noa.curve and widen a version-1 value to the full struct. */
NoaCurve   *noa_curve_from_datum(Datum d);

/* True when the curve was fitted with carryover (its answers are long run). */
#define NOA_CURVE_HAS_CARRYOVER(c) ((c)->carry.kind != 0)

#define DatumGetNoaCurveP(d)	noa_curve_from_datum(d)
#define PG_GETARG_NOACURVE_P(n) DatumGetNoaCurveP(PG_GETARG_DATUM(n))
#define PG_RETURN_NOACURVE_P(p) PG_RETURN_POINTER(p)

/* Wrap a fitted core curve in a new palloc'd noa.curve value. */
NoaCurve   *noa_curve_make(const noa_curve *fit);

/* What is inconsistent in a fit record (a phrase), or NULL when it is sound. */
const char *noa_curve_problem(const noa_curve *fit);
/* The same with carryover (NULL or kind 0: a version-1 value). */
NoaCurve   *noa_curve_make_carryover(const noa_curve *fit, const noa_carryover *carry);

/* Check a value read from disk or the wire; ereport on anything inconsistent. */
void		noa_curve_validate(const NoaCurve *curve);

#endif
