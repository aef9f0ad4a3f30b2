/*
 * portfolio.h — the SQL type noa.portfolio: the items a budget is allocated
 * over (key, curve, current spend, bounds, group, value per unit, lock),
 * sorted by key, and the builder that the aggregate, text input and binary
 * input share.
 *
 * Layout: a varlena with a version byte, reserved bytes that must be zero,
 * the item count and the size of the string area, then the items, then the
 * string area holding every key and group name NUL-terminated.
 */
#ifndef NOA_PORTFOLIO_H
#define NOA_PORTFOLIO_H

#include "postgres.h"
#include "fmgr.h"
#include "lib/stringinfo.h"

#include "curve_fit.h"

#define NOA_PORTFOLIO_VERSION 1

/*
 * Largest money amount the planners accept (spends, bounds, values per unit,
 * budgets, CPA targets): below it float8 keeps every cent exact (2^53 cents is
 * about 9e13) and the solver's tolerances hold; above it a certificate of
 * optimality could not be trusted.
 */
#define NOA_MAX_AMOUNT 1e13

/* Item flags: which optional fields are present. */
#define PF_HAS_CURVE   0x01
#define PF_HAS_CURRENT 0x02
#define PF_HAS_MIN     0x04
#define PF_HAS_MAX     0x08
#define PF_HAS_GROUP   0x10
#define PF_HAS_VALUE   0x20
#define PF_LOCKED      0x40
#define PF_ALL_FLAGS   0x7F

typedef struct PortfolioItem
{
	noa_curve	fit;			/* all zero without a curve */
	double		current_spend;	/* 0 unless PF_HAS_CURRENT */
	double		min_spend;		/* 0 unless PF_HAS_MIN */
	double		max_spend;		/* 0 unless PF_HAS_MAX */
	double		value_per_unit; /* 0 unless PF_HAS_VALUE */
	uint32		flags;
	uint32		key_off;		/* offsets into the string area */
	uint32		key_len;
	uint32		group_off;		/* 0 and 0 without a group */
	uint32		group_len;
	uint32		reserved;		/* always zero */
} PortfolioItem;

typedef struct NoaPortfolio
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	uint8		version;		/* NOA_PORTFOLIO_VERSION */
	uint8		unused[3];		/* reserved, always zero */
	int32		n_items;
	uint32		strings_len;
	PortfolioItem items[FLEXIBLE_ARRAY_MEMBER];
	/* then strings_len bytes of NUL-terminated keys and group names */
} NoaPortfolio;

#define PortfolioStrings(pf)	((const char *) &(pf)->items[(pf)->n_items])
#define PortfolioKey(pf, it)	(PortfolioStrings(pf) + (it)->key_off)
#define PortfolioGroup(pf, it)	(((it)->flags & PF_HAS_GROUP) ? PortfolioStrings(pf) + (it)->group_off : NULL)

#define DatumGetNoaPortfolioP(d)	((NoaPortfolio *) PG_DETOAST_DATUM(d))
#define PG_GETARG_NOAPORTFOLIO_P(n) DatumGetNoaPortfolioP(PG_GETARG_DATUM(n))

/* Items gathered in any order; noa_portfolio_build sorts them by key. */
typedef struct PortfolioBuilder
{
	MemoryContext cxt;			/* where items and strings live */
	int32		count;
	int32		capacity;
	PortfolioItem *items;
	StringInfoData strings;
} PortfolioBuilder;

extern void noa_portfolio_builder_init(PortfolioBuilder *b, MemoryContext cxt);

/*
 * Add one item after checking it (errors name the key).  group may be NULL;
 * the numeric fields count only where flags say so.
 */
extern void noa_portfolio_builder_add(PortfolioBuilder *b, const char *key, const char *group,
									  const PortfolioItem *fields);

/* The sorted, validated portfolio value; duplicate keys are an error. */
extern NoaPortfolio *noa_portfolio_build(const PortfolioBuilder *b);

/*
 * Binary encoding shared by send/recv (keys in the client encoding) and the
 * aggregate's serial/deserial (raw bytes); decoding re-validates every item.
 */
extern void noa_portfolio_encode(StringInfo buf, const PortfolioItem *items, int32 count,
								 const char *strings, bool client_encoding);
extern void noa_portfolio_decode(StringInfo buf, PortfolioBuilder *b, bool client_encoding);

#endif
