
-- ---------------------------------------------------------------------------
-- Budget allocation and scenarios: the noa.portfolio type and aggregate,
-- noa.allocate, noa.allocation_summary and noa.simulate.
-- ---------------------------------------------------------------------------
--
-- Two steps: the noa.portfolio(...) aggregate gathers the items of any query
-- into one value (sorted by key, so answers never depend on the plan or the
-- row order); the set-returning functions read it with the question's
-- parameters.  Reference: docs/allocate.md.
--
-- Labels: IMMUTABLE (the answer depends on the arguments only: no table,
-- setting or locale is read), PARALLEL SAFE (no writes, no session state).
-- The readers are not STRICT because NULL arguments mean "not given"; a NULL
-- portfolio gives no rows.  The binary send and receive functions are STABLE:
-- they convert keys and groups to and from the session's client_encoding.

CREATE TYPE @extschema@.portfolio;

CREATE FUNCTION @extschema@.portfolio_in(cstring) RETURNS @extschema@.portfolio
	AS 'MODULE_PATHNAME', 'noa_portfolio_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.portfolio_out(@extschema@.portfolio) RETURNS cstring
	AS 'MODULE_PATHNAME', 'noa_portfolio_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.portfolio_recv(internal) RETURNS @extschema@.portfolio
	AS 'MODULE_PATHNAME', 'noa_portfolio_recv' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.portfolio_send(@extschema@.portfolio) RETURNS bytea
	AS 'MODULE_PATHNAME', 'noa_portfolio_send' LANGUAGE C STABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.portfolio (
	INPUT = @extschema@.portfolio_in,
	OUTPUT = @extschema@.portfolio_out,
	RECEIVE = @extschema@.portfolio_recv,
	SEND = @extschema@.portfolio_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = extended
);
COMMENT ON TYPE @extschema@.portfolio IS
	'items to allocate a budget over (key, curve, current spend, bounds, group, value per unit, lock), sorted by key; built by the noa.portfolio() aggregate';

CREATE FUNCTION @extschema@.portfolio_to_jsonb(@extschema@.portfolio) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'noa_portfolio_to_jsonb' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (@extschema@.portfolio AS jsonb) WITH FUNCTION @extschema@.portfolio_to_jsonb(@extschema@.portfolio);
COMMENT ON FUNCTION @extschema@.portfolio_to_jsonb(@extschema@.portfolio) IS
	'the portfolio as jsonb: one object per item, its curve in noa.curve text form';

-- The aggregate's state is internal (every item of the group); combine,
-- serial and deserial make it a parallel / partial aggregate.  The
-- transition functions are not strict: NULL curves, spends, bounds, groups
-- and values are meaningful (see docs/allocate.md); a NULL key is an error.
CREATE FUNCTION @extschema@.portfolio_sfunc(internal, text, @extschema@.curve, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_portfolio_accum3' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.portfolio_sfunc(internal, text, @extschema@.curve, float8, text, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_portfolio_accum5' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.portfolio_sfunc(internal, text, @extschema@.curve, float8, float8, float8, text, float8,
	boolean) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_portfolio_accum8' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.portfolio_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_portfolio_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.portfolio_serial(internal) RETURNS bytea
	AS 'MODULE_PATHNAME', 'noa_portfolio_serial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.portfolio_deserial(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_portfolio_deserial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.portfolio_final(internal) RETURNS @extschema@.portfolio
	AS 'MODULE_PATHNAME', 'noa_portfolio_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.portfolio(key text, curve @extschema@.curve, current_spend float8) (
	SFUNC = @extschema@.portfolio_sfunc,
	STYPE = internal,
	FINALFUNC = @extschema@.portfolio_final,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = @extschema@.portfolio_combine,
	SERIALFUNC = @extschema@.portfolio_serial,
	DESERIALFUNC = @extschema@.portfolio_deserial,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.portfolio(text, @extschema@.curve, float8) IS
	'gather items (key, curve, current spend) into a portfolio for noa.allocate and noa.simulate; value 1 per unit of response';

CREATE AGGREGATE @extschema@.portfolio(key text, curve @extschema@.curve, current_spend float8, group_name text,
	value_per_unit float8) (
	SFUNC = @extschema@.portfolio_sfunc,
	STYPE = internal,
	FINALFUNC = @extschema@.portfolio_final,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = @extschema@.portfolio_combine,
	SERIALFUNC = @extschema@.portfolio_serial,
	DESERIALFUNC = @extschema@.portfolio_deserial,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.portfolio(text, @extschema@.curve, float8, text, float8) IS
	'gather items (key, curve, current spend, group, value per unit of response) into a portfolio';

CREATE AGGREGATE @extschema@.portfolio(key text, curve @extschema@.curve, current_spend float8, min_spend float8,
	max_spend float8, group_name text, value_per_unit float8, locked boolean) (
	SFUNC = @extschema@.portfolio_sfunc,
	STYPE = internal,
	FINALFUNC = @extschema@.portfolio_final,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = @extschema@.portfolio_combine,
	SERIALFUNC = @extschema@.portfolio_serial,
	DESERIALFUNC = @extschema@.portfolio_deserial,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.portfolio(text, @extschema@.curve, float8, float8, float8, text, float8, boolean) IS
	'gather items (key, curve, current spend, min and max spend, group, value per unit, lock) into a portfolio';

-- The allocation: one row per item in key order, then a total row.
CREATE FUNCTION @extschema@.allocate(
	portfolio        @extschema@.portfolio,
	budget           float8  DEFAULT NULL,
	objective        text    DEFAULT 'max_response',
	target           float8  DEFAULT NULL,
	max_increase     float8  DEFAULT NULL,
	max_decrease     float8  DEFAULT NULL,
	group_min_share  text    DEFAULT NULL,
	group_max_share  text    DEFAULT NULL,
	group_min_spend  text    DEFAULT NULL,
	group_max_spend  text    DEFAULT NULL,
	level            float8  DEFAULT 0.9,
	currency         text    DEFAULT NULL,
	response_unit    text    DEFAULT NULL,
	OUT row_type text, OUT key text, OUT group_name text, OUT status text,
	OUT current_spend numeric, OUT recommended_spend numeric, OUT delta_spend numeric, OUT delta_pct float8,
	OUT min_spend numeric, OUT max_spend numeric,
	OUT response_now float8, OUT response_now_lo float8, OUT response_now_hi float8,
	OUT response_after float8, OUT response_after_lo float8, OUT response_after_hi float8,
	OUT value_now numeric, OUT value_after numeric, OUT roas_now float8, OUT roas_after float8,
	OUT cpa_now numeric, OUT cpa_after numeric,
	OUT marginal_roas_now float8, OUT marginal_roas_after float8,
	OUT marginal_roas_after_lo float8, OUT marginal_roas_after_hi float8,
	OUT binding_constraint text, OUT extrapolated boolean, OUT currency text, OUT response_unit text,
	OUT explanation text)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'noa_allocate' LANGUAGE C IMMUTABLE PARALLEL SAFE COST 10000 ROWS 100;
COMMENT ON FUNCTION @extschema@.allocate(@extschema@.portfolio, float8, text, float8, float8, float8, text, text, text,
	text, float8, text, text) IS
	'split a budget over the portfolio''s items (max_response, max_profit, min_spend, target_roas, target_cpa) within bounds, relative limits and group floors and caps: one row per item with the recommended spend, responses with intervals, marginal ROAS, the binding constraint and an explanation, then a total row';

CREATE FUNCTION @extschema@.allocation_summary(
	portfolio        @extschema@.portfolio,
	budget           float8  DEFAULT NULL,
	objective        text    DEFAULT 'max_response',
	target           float8  DEFAULT NULL,
	max_increase     float8  DEFAULT NULL,
	max_decrease     float8  DEFAULT NULL,
	group_min_share  text    DEFAULT NULL,
	group_max_share  text    DEFAULT NULL,
	group_min_spend  text    DEFAULT NULL,
	group_max_spend  text    DEFAULT NULL,
	level            float8  DEFAULT 0.9,
	currency         text    DEFAULT NULL,
	response_unit    text    DEFAULT NULL,
	OUT objective_name text, OUT status text, OUT method text, OUT budget_amount numeric, OUT target_value float8,
	OUT items integer, OUT items_allocated integer, OUT items_locked integer, OUT items_excluded integer,
	OUT items_s_shaped integer,
	OUT current_spend numeric, OUT recommended_spend numeric, OUT unspent_budget numeric, OUT unspent_reason text,
	OUT response_now float8, OUT response_after float8, OUT response_after_lo float8, OUT response_after_hi float8,
	OUT value_now numeric, OUT value_after numeric, OUT value_gain numeric,
	OUT roas_now float8, OUT roas_after float8, OUT cpa_now numeric, OUT cpa_after numeric,
	OUT marginal_level float8, OUT objective_value float8, OUT dual_bound float8,
	OUT optimality_gap float8, OUT optimality_gap_rel float8, OUT solver_passes integer,
	OUT currency text, OUT response_unit text, OUT explanation text)
	AS 'MODULE_PATHNAME', 'noa_allocation_summary' LANGUAGE C IMMUTABLE PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION @extschema@.allocation_summary(@extschema@.portfolio, float8, text, float8, float8, float8, text,
	text, text, text, float8, text, text) IS
	'one row on the allocation that noa.allocate returns for the same arguments: totals before and after, unspent budget and why, status, method, and the optimality certificate (dual bound and gap)';

-- Scenarios: the current spends changed by a few statements.
CREATE FUNCTION @extschema@.simulate(
	portfolio  @extschema@.portfolio,
	changes    text    DEFAULT NULL,
	level      float8  DEFAULT 0.9,
	currency   text    DEFAULT NULL,
	response_unit text DEFAULT NULL,
	OUT row_type text, OUT key text, OUT group_name text, OUT status text,
	OUT current_spend numeric, OUT proposed_spend numeric, OUT delta_spend numeric, OUT delta_pct float8,
	OUT response_now float8, OUT response_now_lo float8, OUT response_now_hi float8,
	OUT response_after float8, OUT response_after_lo float8, OUT response_after_hi float8,
	OUT delta_response float8, OUT delta_response_lo float8, OUT delta_response_hi float8,
	OUT value_now numeric, OUT value_after numeric, OUT delta_value numeric,
	OUT cpa_now numeric, OUT cpa_after numeric, OUT roas_now float8, OUT roas_after float8,
	OUT marginal_roas_now float8, OUT marginal_roas_after float8,
	OUT extrapolated boolean, OUT currency text, OUT response_unit text, OUT explanation text)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'noa_simulate' LANGUAGE C IMMUTABLE PARALLEL SAFE COST 1000 ROWS 100;
COMMENT ON FUNCTION @extschema@.simulate(@extschema@.portfolio, text, float8, text, text) IS
	'project a scenario (''move 20% from A to B; cut C by 5000; set D to 3000; scale group G by 1.1''): per item and in total, response, value, CPA, ROAS and marginal ROAS before and after with intervals, extrapolation flagged';
