/*
 * noa.h — module-wide declarations of the PostgreSQL glue.
 */
#ifndef NOA_H
#define NOA_H

/* NOA_VERSION comes from the Makefile (EXTVERSION). */
#ifndef NOA_VERSION
#error "NOA_VERSION must be defined by the build"
#endif

/* Upper bound of the noa.max_points setting (16 bytes a point stays under 1 GB). */
#define NOA_MAX_POINTS_LIMIT 50000000

extern int	noa_max_points;

extern int	noa_cancel_requested(void *arg);
extern void noa_raise_cancel(void) pg_attribute_noreturn();

#endif
