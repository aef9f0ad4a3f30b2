/*
 * arg_parse.h — reading the planners' text arguments: double-quoted names
 * (group limit lists and noa.simulate's change statements share them) and
 * the group limit lists of noa.allocate.
 */
#ifndef NOA_ARG_PARSE_H
#define NOA_ARG_PARSE_H

#include "postgres.h"

#include "lib/stringinfo.h"

extern bool read_quoted_name(const char **p, StringInfo name);

/* One "name=value" entry of a group limit list. */
typedef struct GroupSpec
{
	char	   *name;
	double		value;
} GroupSpec;

extern GroupSpec *parse_group_specs(const char *spec, const char *argname, bool share, int *count);

#endif
