/*
 * unit.h — a minimal TAP-style harness for the numeric core's C unit tests.
 * Each test binary prints "ok N - name" / "not ok N - name" lines and exits
 * non-zero when any check failed; scripts/run-unit.sh adds up the counts.
 */
#ifndef NOA_UNIT_H
#define NOA_UNIT_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int unit_run = 0;
static int unit_failed = 0;

/* Record one check; print a TAP line and, on failure, where it failed. */
#define CHECK(cond, ...) \
	do { \
		unit_run++; \
		if (cond) { printf("ok %d - ", unit_run); } \
		else { unit_failed++; printf("not ok %d - ", unit_run); } \
		printf(__VA_ARGS__); \
		if (!(cond)) printf("  (%s:%d: %s)", __FILE__, __LINE__, #cond); \
		printf("\n"); \
	} while (0)

/* Relative closeness with an absolute floor for values near zero. */
static inline int
unit_close(double a, double b, double rel)
{
	double scale = fabs(b) > 1e-300 ? fabs(b) : 1.0;

	return isfinite(a) && isfinite(b) && fabs(a - b) <= rel * scale;
}

/* Log relative error as NIST StRD defines it, capped at 15 digits. */
static inline double
unit_lre(double est, double cert)
{
	double err;

	if (!isfinite(est))
		return 0.0;
	if (est == cert)
		return 15.0;
	err = cert != 0.0 ? fabs(est - cert) / fabs(cert) : fabs(est);
	err = -log10(err);
	return err > 15.0 ? 15.0 : (err < 0.0 ? 0.0 : err);
}

/* Print the plan line and return the process exit status. */
static inline int
unit_done(void)
{
	printf("1..%d\n", unit_run);
	printf("# %d passed, %d failed\n", unit_run - unit_failed, unit_failed);
	return unit_failed == 0 ? 0 : 1;
}

#endif
