\echo Use "CREATE EXTENSION noa" to load this file. \quit

-- noa install script.  Edited as src/sql/*.sql (one concern per file) and
-- concatenated by the Makefile into noa--<version>.sql.
-- Rules: objects are created in @extschema@ (written outside quotes); no OR
-- REPLACE, IF NOT EXISTS or DO; SQL bodies are BEGIN ATOMIC or pin search_path.

CREATE FUNCTION @extschema@.version() RETURNS text
	AS 'MODULE_PATHNAME', 'noa_version'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.version() IS
	'noa extension version, with the GSL and PostgreSQL versions it was built against';

-- ---------------------------------------------------------------------------
-- Response curves: the noa.curve type, the fit_curve aggregate, accessors.
-- ---------------------------------------------------------------------------

CREATE TYPE @extschema@.curve;

CREATE FUNCTION @extschema@.curve_in(cstring) RETURNS @extschema@.curve
	AS 'MODULE_PATHNAME', 'noa_curve_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.curve_out(@extschema@.curve) RETURNS cstring
	AS 'MODULE_PATHNAME', 'noa_curve_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.curve_recv(internal) RETURNS @extschema@.curve
	AS 'MODULE_PATHNAME', 'noa_curve_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.curve_send(@extschema@.curve) RETURNS bytea
	AS 'MODULE_PATHNAME', 'noa_curve_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.curve (
	INPUT = @extschema@.curve_in,
	OUTPUT = @extschema@.curve_out,
	RECEIVE = @extschema@.curve_recv,
	SEND = @extschema@.curve_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = main
);
COMMENT ON TYPE @extschema@.curve IS
	'a fitted response curve: family, parameters, covariance, fit statistics, status and observed spend range';

CREATE FUNCTION @extschema@.curve_to_jsonb(@extschema@.curve) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'noa_curve_to_jsonb' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (@extschema@.curve AS jsonb) WITH FUNCTION @extschema@.curve_to_jsonb(@extschema@.curve);
COMMENT ON FUNCTION @extschema@.curve_to_jsonb(@extschema@.curve) IS
	'the curve as jsonb: named parameters, standard errors, covariance and statistics';

-- The aggregate's transition state is internal (every point of the group);
-- combine, serial and deserial make it a parallel / partial aggregate.
CREATE FUNCTION @extschema@.fit_curve_sfunc(internal, float8, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_fit_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.fit_curve_model_sfunc(internal, float8, float8, text) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_fit_accum_model' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.fit_curve_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_fit_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.fit_curve_serial(internal) RETURNS bytea
	AS 'MODULE_PATHNAME', 'noa_fit_serial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.fit_curve_deserial(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_fit_deserial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.fit_curve_final(internal) RETURNS @extschema@.curve
	AS 'MODULE_PATHNAME', 'noa_fit_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.fit_curve_model_final(internal, float8, float8, text) RETURNS @extschema@.curve
	AS 'MODULE_PATHNAME', 'noa_fit_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.fit_curve(spend float8, response float8) (
	SFUNC = @extschema@.fit_curve_sfunc,
	STYPE = internal,
	FINALFUNC = @extschema@.fit_curve_final,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = @extschema@.fit_curve_combine,
	SERIALFUNC = @extschema@.fit_curve_serial,
	DESERIALFUNC = @extschema@.fit_curve_deserial,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.fit_curve(float8, float8) IS
	'fit a Hill response curve (through the origin) to (spend, response) rows; NULL rows are skipped';

CREATE AGGREGATE @extschema@.fit_curve(spend float8, response float8, model text) (
	SFUNC = @extschema@.fit_curve_model_sfunc,
	STYPE = internal,
	FINALFUNC = @extschema@.fit_curve_model_final,
	FINALFUNC_EXTRA,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = @extschema@.fit_curve_combine,
	SERIALFUNC = @extschema@.fit_curve_serial,
	DESERIALFUNC = @extschema@.fit_curve_deserial,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.fit_curve(float8, float8, text) IS
	'fit a response curve of the named family (hill, exponential, michaelis_menten, logistic, tanh, power, linear, or auto by AICc)';

-- Scalar accessors.  NULL for a curve without usable parameters (see curve_status).
CREATE FUNCTION @extschema@.curve_status(curve @extschema@.curve) RETURNS text
	AS 'MODULE_PATHNAME', 'noa_curve_status' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.curve_status(@extschema@.curve) IS
	'fit status: converged, max_iterations, not_identifiable or insufficient_data';
CREATE FUNCTION @extschema@.curve_model(curve @extschema@.curve) RETURNS text
	AS 'MODULE_PATHNAME', 'noa_curve_model' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.curve_model(@extschema@.curve) IS
	'the fitted family (for model auto, the one chosen by AICc)';
CREATE FUNCTION @extschema@.curve_param(curve @extschema@.curve, name text) RETURNS float8
	AS 'MODULE_PATHNAME', 'noa_curve_param' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.curve_param(@extschema@.curve, text) IS
	'one fitted parameter by name (b, k, s, m, r, a); NULL when the family has no such parameter';

CREATE FUNCTION @extschema@.response(curve @extschema@.curve, spend float8) RETURNS float8
	AS 'MODULE_PATHNAME', 'noa_response' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response(@extschema@.curve, float8) IS
	'expected response (e.g. conversions) at a spend level';
CREATE FUNCTION @extschema@.response_lo(curve @extschema@.curve, spend float8, level float8 DEFAULT 0.9) RETURNS float8
	AS 'MODULE_PATHNAME', 'noa_response_lo' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_lo(@extschema@.curve, float8, float8) IS
	'lower bound of the expected response (delta method, two-sided interval at level)';
CREATE FUNCTION @extschema@.response_hi(curve @extschema@.curve, spend float8, level float8 DEFAULT 0.9) RETURNS float8
	AS 'MODULE_PATHNAME', 'noa_response_hi' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.response_hi(@extschema@.curve, float8, float8) IS
	'upper bound of the expected response (delta method, two-sided interval at level)';

CREATE FUNCTION @extschema@.marginal_roas(curve @extschema@.curve, spend float8, value_per_unit float8 DEFAULT 1)
	RETURNS float8
	AS 'MODULE_PATHNAME', 'noa_marginal_roas' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.marginal_roas(@extschema@.curve, float8, float8) IS
	'what the next unit of spend returns: analytic derivative of the curve times value_per_unit';
CREATE FUNCTION @extschema@.marginal_roas_lo(curve @extschema@.curve, spend float8, value_per_unit float8 DEFAULT 1,
	level float8 DEFAULT 0.9) RETURNS float8
	AS 'MODULE_PATHNAME', 'noa_marginal_roas_lo' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.marginal_roas_lo(@extschema@.curve, float8, float8, float8) IS
	'lower bound of marginal ROAS (delta method)';
CREATE FUNCTION @extschema@.marginal_roas_hi(curve @extschema@.curve, spend float8, value_per_unit float8 DEFAULT 1,
	level float8 DEFAULT 0.9) RETURNS float8
	AS 'MODULE_PATHNAME', 'noa_marginal_roas_hi' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.marginal_roas_hi(@extschema@.curve, float8, float8, float8) IS
	'upper bound of marginal ROAS (delta method)';

CREATE FUNCTION @extschema@.breakeven_spend(curve @extschema@.curve, target_mroas float8 DEFAULT 1,
	value_per_unit float8 DEFAULT 1) RETURNS float8
	AS 'MODULE_PATHNAME', 'noa_breakeven_spend' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.breakeven_spend(@extschema@.curve, float8, float8) IS
	'spend beyond which marginal ROAS stays below target_mroas; 0 if it never reaches it, NULL if it never falls to it (see breakeven_note)';
CREATE FUNCTION @extschema@.breakeven_spend_lo(curve @extschema@.curve, target_mroas float8 DEFAULT 1,
	value_per_unit float8 DEFAULT 1, level float8 DEFAULT 0.9) RETURNS float8
	AS 'MODULE_PATHNAME', 'noa_breakeven_spend_lo' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.breakeven_spend_lo(@extschema@.curve, float8, float8, float8) IS
	'lower bound of the break-even spend (delta method through the implicit derivative)';
CREATE FUNCTION @extschema@.breakeven_spend_hi(curve @extschema@.curve, target_mroas float8 DEFAULT 1,
	value_per_unit float8 DEFAULT 1, level float8 DEFAULT 0.9) RETURNS float8
	AS 'MODULE_PATHNAME', 'noa_breakeven_spend_hi' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.breakeven_spend_hi(@extschema@.curve, float8, float8, float8) IS
	'upper bound of the break-even spend (delta method through the implicit derivative)';
CREATE FUNCTION @extschema@.breakeven_note(curve @extschema@.curve, target_mroas float8 DEFAULT 1,
	value_per_unit float8 DEFAULT 1) RETURNS text
	AS 'MODULE_PATHNAME', 'noa_breakeven_note' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.breakeven_note(@extschema@.curve, float8, float8) IS
	'why the break-even spend is NULL or 0, in plain words; NULL when a break-even spend exists';

CREATE FUNCTION @extschema@.saturation_spend(curve @extschema@.curve, share float8 DEFAULT 0.9) RETURNS float8
	AS 'MODULE_PATHNAME', 'noa_saturation_spend' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.saturation_spend(@extschema@.curve, float8) IS
	'spend reaching share of the attainable (asymptotic) response; NULL for families without an asymptote';
CREATE FUNCTION @extschema@.saturation_spend_lo(curve @extschema@.curve, share float8 DEFAULT 0.9,
	level float8 DEFAULT 0.9) RETURNS float8
	AS 'MODULE_PATHNAME', 'noa_saturation_spend_lo' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.saturation_spend_lo(@extschema@.curve, float8, float8) IS
	'lower bound of the saturation spend (delta method)';
CREATE FUNCTION @extschema@.saturation_spend_hi(curve @extschema@.curve, share float8 DEFAULT 0.9,
	level float8 DEFAULT 0.9) RETURNS float8
	AS 'MODULE_PATHNAME', 'noa_saturation_spend_hi' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.saturation_spend_hi(@extschema@.curve, float8, float8) IS
	'upper bound of the saturation spend (delta method)';

CREATE FUNCTION @extschema@.curve_summary(curve @extschema@.curve, target_mroas float8 DEFAULT 1,
	value_per_unit float8 DEFAULT 1, level float8 DEFAULT 0.9,
	OUT model text, OUT status text, OUT auto_selected boolean, OUT at_bound boolean, OUT n integer,
	OUT b float8, OUT b_se float8, OUT k float8, OUT k_se float8, OUT s float8, OUT s_se float8,
	OUT m float8, OUT m_se float8, OUT r float8, OUT r_se float8, OUT a float8, OUT a_se float8,
	OUT r2 float8, OUT rmse float8, OUT aicc float8,
	OUT spend_min numeric, OUT spend_max numeric, OUT spend_mean numeric,
	OUT half_saturation_spend numeric, OUT breakeven_spend numeric, OUT breakeven_lo numeric,
	OUT breakeven_hi numeric, OUT breakeven_note text, OUT saturation_spend numeric,
	OUT iterations integer, OUT starts integer, OUT converged_starts integer, OUT note text)
	AS 'MODULE_PATHNAME', 'noa_curve_summary' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.curve_summary(@extschema@.curve, float8, float8, float8) IS
	'one flat row describing a fitted curve: parameters with standard errors, fit statistics, spend range, break-even and saturation spend';

CREATE FUNCTION @extschema@.curve_points(curve @extschema@.curve, max_spend float8, points integer DEFAULT 50,
	level float8 DEFAULT 0.9, value_per_unit float8 DEFAULT 1,
	OUT point_no integer, OUT spend float8, OUT response float8, OUT response_lo float8,
	OUT response_hi float8, OUT marginal_roas float8, OUT in_observed_range boolean)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'noa_curve_points' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 50;
COMMENT ON FUNCTION @extschema@.curve_points(@extschema@.curve, float8, integer, float8, float8) IS
	'evenly spaced points from 0 to max_spend with the response, its interval and marginal ROAS: rows a line chart plots as they are';

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
-- portfolio gives no rows.

CREATE TYPE @extschema@.portfolio;

CREATE FUNCTION @extschema@.portfolio_in(cstring) RETURNS @extschema@.portfolio
	AS 'MODULE_PATHNAME', 'noa_portfolio_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.portfolio_out(@extschema@.portfolio) RETURNS cstring
	AS 'MODULE_PATHNAME', 'noa_portfolio_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.portfolio_recv(internal) RETURNS @extschema@.portfolio
	AS 'MODULE_PATHNAME', 'noa_portfolio_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.portfolio_send(@extschema@.portfolio) RETURNS bytea
	AS 'MODULE_PATHNAME', 'noa_portfolio_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

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
	OUT row_type text, OUT key text, OUT group_name text, OUT status text,
	OUT current_spend numeric, OUT recommended_spend numeric, OUT delta_spend numeric, OUT delta_pct float8,
	OUT min_spend numeric, OUT max_spend numeric,
	OUT response_now float8, OUT response_now_lo float8, OUT response_now_hi float8,
	OUT response_after float8, OUT response_after_lo float8, OUT response_after_hi float8,
	OUT value_now numeric, OUT value_after numeric, OUT roas_now float8, OUT roas_after float8,
	OUT cpa_now numeric, OUT cpa_after numeric,
	OUT marginal_roas_now float8, OUT marginal_roas_after float8,
	OUT marginal_roas_after_lo float8, OUT marginal_roas_after_hi float8,
	OUT binding_constraint text, OUT extrapolated boolean, OUT explanation text)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'noa_allocate' LANGUAGE C IMMUTABLE PARALLEL SAFE COST 10000 ROWS 100;
COMMENT ON FUNCTION @extschema@.allocate(@extschema@.portfolio, float8, text, float8, float8, float8, text, text, text,
	text, float8) IS
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
	OUT objective_name text, OUT status text, OUT method text, OUT budget_amount numeric, OUT target_value float8,
	OUT items integer, OUT items_allocated integer, OUT items_locked integer, OUT items_excluded integer,
	OUT items_s_shaped integer,
	OUT current_spend numeric, OUT recommended_spend numeric, OUT unspent_budget numeric, OUT unspent_reason text,
	OUT response_now float8, OUT response_after float8, OUT response_after_lo float8, OUT response_after_hi float8,
	OUT value_now numeric, OUT value_after numeric, OUT value_gain numeric,
	OUT roas_now float8, OUT roas_after float8, OUT cpa_now numeric, OUT cpa_after numeric,
	OUT marginal_level float8, OUT objective_value float8, OUT dual_bound float8,
	OUT optimality_gap float8, OUT optimality_gap_rel float8, OUT solver_passes integer, OUT explanation text)
	AS 'MODULE_PATHNAME', 'noa_allocation_summary' LANGUAGE C IMMUTABLE PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION @extschema@.allocation_summary(@extschema@.portfolio, float8, text, float8, float8, float8, text,
	text, text, text, float8) IS
	'one row on the allocation that noa.allocate returns for the same arguments: totals before and after, unspent budget and why, status, method, and the optimality certificate (dual bound and gap)';

-- Scenarios: the current spends changed by a few statements.
CREATE FUNCTION @extschema@.simulate(
	portfolio  @extschema@.portfolio,
	changes    text    DEFAULT NULL,
	level      float8  DEFAULT 0.9,
	OUT row_type text, OUT key text, OUT group_name text, OUT status text,
	OUT current_spend numeric, OUT proposed_spend numeric, OUT delta_spend numeric, OUT delta_pct float8,
	OUT response_now float8, OUT response_now_lo float8, OUT response_now_hi float8,
	OUT response_after float8, OUT response_after_lo float8, OUT response_after_hi float8,
	OUT delta_response float8, OUT delta_response_lo float8, OUT delta_response_hi float8,
	OUT value_now numeric, OUT value_after numeric, OUT delta_value numeric,
	OUT cpa_now numeric, OUT cpa_after numeric, OUT roas_now float8, OUT roas_after float8,
	OUT marginal_roas_now float8, OUT marginal_roas_after float8,
	OUT extrapolated boolean, OUT explanation text)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'noa_simulate' LANGUAGE C IMMUTABLE PARALLEL SAFE COST 1000 ROWS 100;
COMMENT ON FUNCTION @extschema@.simulate(@extschema@.portfolio, text, float8) IS
	'project a scenario (''move 20% from A to B; cut C by 5000; set D to 3000; scale group G by 1.1''): per item and in total, response, value, CPA, ROAS and marginal ROAS before and after with intervals, extrapolation flagged';

-- ---------------------------------------------------------------------------
-- Data-quality alarms: noa.data_quality(source, business, ...)
-- ---------------------------------------------------------------------------
--
-- Reads an ad-platform table or view (Fivetran ad_reporting column names by
-- default) and, optionally, the shop's own orders table, and returns one flat
-- row per problem found, with a plain-language explanation.
--
-- Security: the relation comes in as a regclass; columns are looked up in
-- pg_attribute and every identifier enters the dynamic SQL only through
-- format('%I'); constants enter through EXECUTE ... USING.  search_path is
-- pinned to pg_catalog, pg_temp.  The function runs as the caller (no
-- SECURITY DEFINER), so the caller's privileges and row-level security apply.
--
-- Labels: STABLE (reads tables and current_date, writes nothing).  PARALLEL
-- RESTRICTED, not SAFE: it may be pointed at a temporary table, which a
-- parallel worker cannot read, and at a view whose own functions may be
-- parallel-unsafe; running it in the leader only is always correct.  There is
-- no EXCEPTION block and no write, so nothing stronger than RESTRICTED is
-- needed.

CREATE FUNCTION @extschema@.data_quality(
	source               regclass,
	business             regclass DEFAULT NULL,
	date_col             text     DEFAULT 'date_day',
	platform_col         text     DEFAULT 'platform',
	campaign_col         text     DEFAULT 'campaign_id',
	spend_col            text     DEFAULT 'spend',
	impressions_col      text     DEFAULT 'impressions',
	clicks_col           text     DEFAULT 'clicks',
	conversions_col      text     DEFAULT 'conversions',
	value_col            text     DEFAULT 'conversions_value',
	currency_col         text     DEFAULT 'currency',
	business_date_col    text     DEFAULT 'date_day',
	business_orders_col  text     DEFAULT 'orders',
	business_revenue_col text     DEFAULT 'revenue',
	as_of                date     DEFAULT NULL,
	max_staleness_days   integer  DEFAULT 3)
RETURNS TABLE (
	check_name     text,
	severity       text,
	platform       text,
	campaign_id    text,
	first_day      date,
	last_day       date,
	rows_affected  bigint,
	spend_affected numeric,   -- rounded to cents (typmods of result columns are not kept by PostgreSQL)
	currency       text,
	explanation    text)
LANGUAGE plpgsql
STABLE
PARALLEL RESTRICTED
CALLED ON NULL INPUT
COST 10000
ROWS 20
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, YMD'   -- dates inside explanations are always YYYY-MM-DD
AS $function$
DECLARE
	-- one entry per column argument: relation (1 = source, 2 = business),
	-- argument name, value, default, required, kind (date | number | text)
	arg_rel  int[]     := ARRAY[1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2];
	arg_name text[]    := ARRAY['date_col', 'platform_col', 'campaign_col', 'spend_col',
	                            'impressions_col', 'clicks_col', 'conversions_col', 'value_col',
	                            'currency_col', 'business_date_col', 'business_orders_col',
	                            'business_revenue_col'];
	arg_val  text[];
	arg_def  text[]    := ARRAY['date_day', 'platform', 'campaign_id', 'spend', 'impressions',
	                            'clicks', 'conversions', 'conversions_value', 'currency',
	                            'date_day', 'orders', 'revenue'];
	arg_req  boolean[] := ARRAY[true, false, true, true, false, false, false, false, false,
	                            true, false, false];
	arg_kind text[]    := ARRAY['date', 'text', 'text', 'number', 'number', 'number', 'number',
	                            'number', 'text', 'date', 'number', 'number'];
	arg_what text[]    := ARRAY['the date checks', 'per-platform grouping and the staleness check',
	                            'every per-campaign check', 'every spend check',
	                            'the clicks-vs-impressions and spend-without-impressions checks',
	                            'the clicks checks', 'the conversion and tracking-break checks',
	                            'the conversion-value checks', 'the currency checks',
	                            'the business comparison', 'the conversions-vs-orders comparison',
	                            'the value-vs-revenue comparison'];
	expr     text[]    := ARRAY[]::text[];   -- SQL expression per column argument
	notes    text[]    := ARRAY[]::text[];   -- info rows for skipped optional columns
	rel      regclass;
	rel_nsp  name;
	rel_name name;
	rel_kind "char";
	att_type oid;
	att_cat  "char";
	att_ci   text;
	att_name name;
	all_cols text;
	i        int;
	src_sql  text;
	biz_sql  text;
	ref_day  date := coalesce(as_of, current_date);
	q        text;
BEGIN
	IF source IS NULL THEN
		RAISE EXCEPTION 'noa.data_quality: source must not be NULL'
			USING ERRCODE = 'null_value_not_allowed',
			      HINT = 'Pass the ad table or view, e.g. noa.data_quality(''ad_reporting.campaign_report'').';
	END IF;
	IF max_staleness_days IS NULL OR max_staleness_days < 0 THEN
		RAISE EXCEPTION 'noa.data_quality: max_staleness_days must be 0 or more, got %',
			coalesce(max_staleness_days::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'max_staleness_days is the number of days the newest row may lag behind as_of (default 3).';
	END IF;

	arg_val := ARRAY[date_col, platform_col, campaign_col, spend_col, impressions_col,
	                 clicks_col, conversions_col, value_col, currency_col,
	                 business_date_col, business_orders_col, business_revenue_col];

	-- Resolve both relations.
	FOR i IN 1 .. 2 LOOP
		rel := CASE i WHEN 1 THEN source ELSE business END;
		CONTINUE WHEN rel IS NULL;
		SELECT n.nspname, c.relname, c.relkind INTO rel_nsp, rel_name, rel_kind
		FROM pg_catalog.pg_class AS c
		JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
		WHERE c.oid = rel;
		IF rel_kind IS NULL OR rel_kind NOT IN ('r', 'v', 'm', 'f', 'p') THEN
			RAISE EXCEPTION 'noa.data_quality: % is not a table or view', rel
				USING ERRCODE = 'wrong_object_type',
				      HINT = format('Pass a table, view, materialized view or foreign table as %s.',
				                    CASE i WHEN 1 THEN 'source' ELSE 'business' END);
		END IF;
		IF i = 1 THEN
			src_sql := format('%I.%I', rel_nsp, rel_name);
		ELSE
			biz_sql := format('%I.%I', rel_nsp, rel_name);
		END IF;
	END LOOP;

	-- Resolve every column argument.
	FOR i IN 1 .. pg_catalog.array_length(arg_name, 1) LOOP
		expr := expr || NULL::text;
		rel := CASE arg_rel[i] WHEN 1 THEN source ELSE business END;
		CONTINUE WHEN rel IS NULL;       -- no business table: its columns are not used
		IF arg_val[i] IS NULL THEN
			IF arg_req[i] THEN
				RAISE EXCEPTION 'noa.data_quality: % must not be NULL', arg_name[i]
					USING ERRCODE = 'null_value_not_allowed',
					      HINT = format('%s names a required column of %s (default %L).', arg_name[i], rel, arg_def[i]);
			END IF;
			CONTINUE;                    -- optional column switched off by the caller
		END IF;

		att_type := NULL;
		SELECT a.atttypid, a.attname INTO att_type, att_name
		FROM pg_catalog.pg_attribute AS a
		WHERE a.attrelid = rel
		  AND a.attname = arg_val[i]::name
		  AND a.attnum > 0 AND NOT a.attisdropped;

		IF att_type IS NULL THEN
			IF NOT arg_req[i] AND arg_val[i] = arg_def[i] THEN
				-- an optional column under its default name is simply absent
				notes := notes || format('Column %I (argument %s) is not in %s, so %s %s skipped. '
				                         'If the column exists under another name, pass %s => ''<name>''; '
				                         'pass %s => NULL to silence this note.',
				                         arg_val[i], arg_name[i], rel, arg_what[i],
				                         CASE WHEN arg_what[i] LIKE '%checks' OR arg_what[i] LIKE '%comparison' THEN 'were' ELSE 'was' END,
				                         arg_name[i], arg_name[i]);
				CONTINUE;
			END IF;
			SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum),
			       pg_catalog.min(a.attname) FILTER (WHERE pg_catalog.lower(a.attname) = pg_catalog.lower(arg_val[i]))
			  INTO all_cols, att_ci
			FROM pg_catalog.pg_attribute AS a
			WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped;
			RAISE EXCEPTION 'noa.data_quality: column % does not exist in %', pg_catalog.quote_ident(arg_val[i]), rel
				USING ERRCODE = 'undefined_column',
				      HINT = CASE WHEN att_ci IS NOT NULL
				                  THEN format('Column names are case-sensitive: did you mean %s => %L?', arg_name[i], att_ci)
				                  ELSE format('Pass the right column name with %s => ''<name>''. Columns of %s: %s.',
				                              arg_name[i], rel, coalesce(all_cols, '(none)')) END;
		END IF;

		SELECT CASE WHEN t.typtype = 'd' THEN bt.typcategory ELSE t.typcategory END
		  INTO att_cat
		FROM pg_catalog.pg_type AS t
		LEFT JOIN pg_catalog.pg_type AS bt ON bt.oid = t.typbasetype
		WHERE t.oid = att_type;

		IF arg_kind[i] = 'date' THEN
			IF att_cat IS DISTINCT FROM 'D' OR att_type = 'pg_catalog.time'::regtype
			   OR att_type = 'pg_catalog.timetz'::regtype THEN
				RAISE EXCEPTION 'noa.data_quality: column % of % has type %, expected date',
					pg_catalog.quote_ident(arg_val[i]), rel, pg_catalog.format_type(att_type, NULL)
					USING ERRCODE = 'datatype_mismatch',
					      HINT = format('Pass a date or timestamp column as %s, or a view that casts it to date.', arg_name[i]);
			END IF;
			expr[i] := format('(t.%I)::pg_catalog.date', att_name);
		ELSIF arg_kind[i] = 'number' THEN
			IF att_cat IS DISTINCT FROM 'N' THEN
				RAISE EXCEPTION 'noa.data_quality: column % of % has type %, expected a number',
					pg_catalog.quote_ident(arg_val[i]), rel, pg_catalog.format_type(att_type, NULL)
					USING ERRCODE = 'datatype_mismatch',
					      HINT = format('Pass a numeric column as %s, or a view that casts it (e.g. (metrics->>''spend'')::numeric).', arg_name[i]);
			END IF;
			expr[i] := format('(t.%I)::pg_catalog.numeric', att_name);
		ELSE
			expr[i] := format('(t.%I)::pg_catalog.text', att_name);
		END IF;
	END LOOP;

	-- The business rows, summed per day; an empty set when there is no business table.
	IF business IS NULL THEN
		biz_sql := 'SELECT NULL::pg_catalog.date AS d, NULL::pg_catalog.numeric AS orders, '
		           'NULL::pg_catalog.numeric AS revenue WHERE false';
	ELSE
		biz_sql := format('SELECT %s AS d, pg_catalog.sum(%s) AS orders, pg_catalog.sum(%s) AS revenue '
		                  'FROM %s AS t WHERE %s IS NOT NULL GROUP BY 1',
		                  expr[10], coalesce(expr[11], 'NULL::pg_catalog.numeric'),
		                  coalesce(expr[12], 'NULL::pg_catalog.numeric'), biz_sql, expr[10]);
	END IF;

	src_sql := format(
		'SELECT %s AS d, %s AS pf, %s AS cp, %s AS sp, %s AS im, %s AS cl, %s AS cv, %s AS va, %s AS cu FROM %s AS t',
		expr[1], coalesce(expr[2], 'NULL::pg_catalog.text'), expr[3], expr[4],
		coalesce(expr[5], 'NULL::pg_catalog.numeric'), coalesce(expr[6], 'NULL::pg_catalog.numeric'),
		coalesce(expr[7], 'NULL::pg_catalog.numeric'), coalesce(expr[8], 'NULL::pg_catalog.numeric'),
		coalesce(expr[9], 'NULL::pg_catalog.text'), src_sql);

	-- The checks.  $1 = reference day for staleness, $2 = max_staleness_days,
	-- $3 = info notes, $4 = currency column present, $5 = business table given,
	-- $6..$10 = the user's names of the spend, impressions, clicks,
	-- conversions and value columns (for messages only).
	q := format($sql$
WITH
raw0 AS MATERIALIZED (%s),
raw AS MATERIALIZED (
	SELECT r.*,
	       pg_catalog.dense_rank() OVER (ORDER BY r.pf, r.cp) AS cid,
	       CASE WHEN r.sp > '-Infinity' AND r.sp < 'Infinity' THEN r.sp END AS fsp,
	       CASE WHEN r.im > '-Infinity' AND r.im < 'Infinity' THEN r.im END AS fim,
	       CASE WHEN r.cl > '-Infinity' AND r.cl < 'Infinity' THEN r.cl END AS fcl,
	       CASE WHEN r.cv > '-Infinity' AND r.cv < 'Infinity' THEN r.cv END AS fcv,
	       CASE WHEN r.va > '-Infinity' AND r.va < 'Infinity' THEN r.va END AS fva
	FROM raw0 AS r
),
tcur AS (SELECT CASE WHEN count(DISTINCT cu) = 1 THEN min(cu) END AS cur FROM raw),
camp AS MATERIALIZED (
	SELECT cid, min(pf) AS pf, min(cp) AS cp,
	       CASE WHEN count(DISTINCT cu) = 1 THEN min(cu) END AS cur
	FROM raw WHERE cp IS NOT NULL GROUP BY cid
),
-- identical copies of a row (reported by duplicate_rows) count once below
dedup AS MATERIALIZED (
	SELECT DISTINCT cid, d, pf, cp, sp, im, cl, cv, va, cu, fsp, fcv, fva
	FROM raw WHERE cp IS NOT NULL AND d IS NOT NULL
),
-- one row per campaign and day, finite values only
daily AS MATERIALIZED (
	SELECT cid, d, sum(fsp) AS sp, sum(fcv) AS cv, count(*) AS n,
	       d - (row_number() OVER (PARTITION BY cid ORDER BY d))::int AS blk
	FROM dedup GROUP BY cid, d
),
money AS (SELECT 'FM999,999,999,999,990.00'::text AS fmt),
-- ---- duplicate rows for the same day and campaign -------------------------
dup_day AS (
	SELECT cid, d, count(*) AS n, count(DISTINCT (sp, im, cl, cv, va, cu)) AS variants,
	       sum(fsp) AS s, max(fsp) AS smax, sum(fcv) AS c, max(fcv) AS cmax
	FROM raw WHERE cp IS NOT NULL AND d IS NOT NULL
	GROUP BY cid, d HAVING count(*) > 1
),
chk_dup AS (
	SELECT CASE WHEN x.identical THEN 'duplicate_rows' ELSE 'duplicate_keys' END AS check_name,
	       CASE WHEN x.identical THEN 'error' ELSE 'warning' END AS severity,
	       x.cid, min(x.d) AS first_day, max(x.d) AS last_day,
	       sum(x.n - 1) AS rows_affected,
	       CASE WHEN x.identical THEN sum(x.s - x.smax) ELSE sum(x.s) END AS spend_affected,
	       CASE WHEN x.identical THEN
	         format('%%s the campaign has %%s extra identical row(s) (%%s day(s) affected), so totals count %%s of '
	                'spend and %%s conversion(s) twice. Deduplicate the loader output (e.g. SELECT DISTINCT in a '
	                'staging view) before analysing.',
	                CASE WHEN min(x.d) = max(x.d) THEN 'On ' || min(x.d)
	                     ELSE 'Between ' || min(x.d) || ' and ' || max(x.d) END,
	                sum(x.n - 1), count(*),
	                to_char(round(coalesce(sum(x.s - x.smax), 0), 2), (SELECT fmt FROM money)) || coalesce(' ' || min(c.cur), ''),
	                trim_scale(round(coalesce(sum(x.c - x.cmax), 0), 2)))
	       ELSE
	         format('%%s the campaign has %%s rows with different values on %%s day(s), %%s more than one per day '
	                '(spend on those days %%s). The table is finer than one row per day and campaign (e.g. per ad '
	                'group or country), or a restatement was appended: aggregate to day x campaign in a view, or '
	                'remove the stale version.',
	                CASE WHEN min(x.d) = max(x.d) THEN 'On ' || min(x.d)
	                     ELSE 'Between ' || min(x.d) || ' and ' || max(x.d) END,
	                sum(x.n), count(*), sum(x.n - 1),
	                to_char(round(coalesce(sum(x.s), 0), 2), (SELECT fmt FROM money)) || coalesce(' ' || min(c.cur), ''))
	       END AS explanation
	FROM (SELECT dd.*, dd.variants = 1 AS identical FROM dup_day dd) AS x
	JOIN camp c ON c.cid = x.cid
	GROUP BY x.cid, x.identical
),
-- ---- missing days inside a campaign's active range ------------------------
gap AS (
	SELECT cid, d + 1 AS g1, nd - 1 AS g2, nd - d - 1 AS days
	FROM (SELECT cid, d, lead(d) OVER (PARTITION BY cid ORDER BY d) AS nd FROM daily) AS z
	WHERE nd > d + 1
),
camp_med AS (
	SELECT cid, percentile_cont(0.5) WITHIN GROUP (ORDER BY sp) AS med_sp FROM daily WHERE sp IS NOT NULL GROUP BY cid
),
chk_gap AS (
	SELECT 'missing_days'::text AS check_name, 'warning'::text AS severity, g.cid,
	       g.g1 AS first_day, g.g2 AS last_day, g.days::bigint AS rows_affected, NULL::numeric AS spend_affected,
	       format('No rows %%s (%%s day(s)) although the campaign has rows before and after; at its median of %%s '
	              'a day about %%s of spend may be missing. Re-sync the connector for these dates; if the campaign '
	              'was really paused, load rows with spend 0.',
	              CASE WHEN g.g1 = g.g2 THEN 'on ' || g.g1 ELSE 'from ' || g.g1 || ' to ' || g.g2 END, g.days,
	              coalesce(to_char(round(m.med_sp::numeric, 2), (SELECT fmt FROM money)) || coalesce(' ' || c.cur, ''), 'unknown'),
	              coalesce(to_char(round((m.med_sp * g.days)::numeric, 2), (SELECT fmt FROM money)) || coalesce(' ' || c.cur, ''), 'an unknown amount')) AS explanation
	FROM gap g JOIN camp c ON c.cid = g.cid LEFT JOIN camp_med m ON m.cid = g.cid
),
-- ---- negative, NaN / infinite and impossible values ------------------------
vals AS (
	SELECT r.cid, r.d, r.fsp, v.col, v.role, v.x
	FROM raw r
	CROSS JOIN LATERAL (VALUES ($6, 'spend', r.sp), ($7, 'impressions', r.im), ($8, 'clicks', r.cl),
	                           ($9, 'conversions', r.cv), ($10, 'conversions_value', r.va)) AS v(col, role, x)
	WHERE r.cp IS NOT NULL AND v.x IS NOT NULL
),
bad_val AS (
	SELECT cid, col, role, kind, count(*) AS n, min(d) AS d1, max(d) AS d2, sum(abs(fsp)) AS s, min(x) AS xmin
	FROM (SELECT vals.*,
	             CASE WHEN NOT (x > '-Infinity' AND x < 'Infinity') THEN 'non_finite_value'
	                  WHEN x < 0 THEN 'negative_value'
	                  WHEN role IN ('impressions', 'clicks') AND x <> trunc(x) THEN 'fractional_count'
	             END AS kind
	      FROM vals) AS z
	WHERE kind IS NOT NULL
	GROUP BY cid, col, role, kind
),
chk_val AS (
	SELECT b.kind AS check_name,
	       CASE WHEN b.kind = 'fractional_count' THEN 'warning' ELSE 'error' END AS severity,
	       b.cid, b.d1 AS first_day, b.d2 AS last_day, b.n AS rows_affected, b.s AS spend_affected,
	       CASE b.kind
	       WHEN 'non_finite_value' THEN
	         format('%%s row(s) %%s have NaN or infinite %%s. Such values poison every sum and fit '
	                'and break BI clients; fix the source or replace them with NULL in a staging view.',
	                b.n, CASE WHEN b.d1 = b.d2 THEN 'on ' || b.d1 ELSE 'between ' || b.d1 || ' and ' || b.d2 END, quote_ident(b.col))
	       WHEN 'negative_value' THEN
	         format('%%s row(s) %%s have negative %%s (lowest %%s). Spend, counts and values cannot be '
	                'negative; refunds or credits belong in a separate adjustment, not in the daily report. Fix or '
	                'exclude these rows.',
	                b.n, CASE WHEN b.d1 = b.d2 THEN 'on ' || b.d1 ELSE 'between ' || b.d1 || ' and ' || b.d2 END, quote_ident(b.col), trim_scale(round(b.xmin, 2)))
	       ELSE
	         format('%%s row(s) %%s have a fractional number of %%s, which must be whole counts. '
	                'Check the unit of the column (a rate or an average instead of a count?).',
	                b.n, CASE WHEN b.d1 = b.d2 THEN 'on ' || b.d1 ELSE 'between ' || b.d1 || ' and ' || b.d2 END, quote_ident(b.col))
	       END AS explanation
	FROM bad_val b
),
chk_key AS (
	SELECT 'missing_key'::text AS check_name, 'error'::text AS severity, NULL::bigint AS cid,
	       min(d) AS first_day, max(d) AS last_day, count(*) AS rows_affected, sum(fsp) AS spend_affected,
	       format('%%s row(s) have no date or no campaign id (%%s of spend); they cannot be attributed to a campaign-day '
	              'and are left out of every per-campaign check. Fix the join or filter in the source view.',
	              count(*), to_char(round(coalesce(sum(fsp), 0), 2), (SELECT fmt FROM money)) || coalesce(' ' || (SELECT cur FROM tcur), '')) AS explanation
	FROM raw WHERE d IS NULL OR cp IS NULL
	HAVING count(*) > 0
),
chk_future AS (
	SELECT 'future_date'::text AS check_name, 'error'::text AS severity, cid,
	       min(d) AS first_day, max(d) AS last_day, count(*) AS rows_affected, sum(fsp) AS spend_affected,
	       format('%%s row(s) are dated after today (%%s, latest %%s). Dates cannot lie in the future: check the date '
	              'column and its time zone.', count(*), current_date, max(d)) AS explanation
	FROM raw WHERE cp IS NOT NULL AND d > current_date + 1
	GROUP BY cid
),
-- ---- inconsistent funnels ---------------------------------------------------
funnel AS (
	SELECT cid, 'clicks_exceed_impressions'::text AS check_name, 'error'::text AS severity, d, fsp,
	       fcl / NULLIF(fim, 0) AS ratio
	FROM raw WHERE cp IS NOT NULL AND fcl > fim
	UNION ALL
	SELECT cid, 'conversions_exceed_clicks', 'warning', d, fsp, fcv / NULLIF(fcl, 0)
	FROM raw WHERE cp IS NOT NULL AND fcv > fcl
	UNION ALL
	SELECT cid, 'value_without_conversions', 'warning', d, fsp, NULL
	FROM raw WHERE cp IS NOT NULL AND fva > 0 AND fcv = 0
	UNION ALL
	SELECT cid, 'spend_without_impressions', 'warning', d, fsp, NULL
	FROM raw WHERE cp IS NOT NULL AND fsp > 0 AND fim = 0
),
chk_funnel AS (
	SELECT f.check_name, min(f.severity) AS severity, f.cid, min(f.d) AS first_day, max(f.d) AS last_day,
	       count(*) AS rows_affected, sum(f.fsp) AS spend_affected,
	       CASE f.check_name
	       WHEN 'clicks_exceed_impressions' THEN
	         format('%%s row(s) %%s report more %%s than %%s (up to %%s times as many), which is impossible. '
	                'The columns are probably swapped or taken from different ad levels; fix the source.',
	                count(*), CASE WHEN min(f.d) = max(f.d) THEN 'on ' || min(f.d) ELSE 'between ' || min(f.d) || ' and ' || max(f.d) END, quote_ident($8), quote_ident($7), coalesce(round(max(f.ratio), 2)::text, 'infinitely'))
	       WHEN 'conversions_exceed_clicks' THEN
	         format('%%s row(s) %%s report more %%s than %%s (up to %%s times as many). '
	                'View-through or cross-device conversions can do this, but usually clicks are under-reported or '
	                'conversions double-counted; check the attribution settings before trusting conversion rates.',
	                count(*), CASE WHEN min(f.d) = max(f.d) THEN 'on ' || min(f.d) ELSE 'between ' || min(f.d) || ' and ' || max(f.d) END, quote_ident($9), quote_ident($8), coalesce(round(max(f.ratio), 2)::text, 'infinitely'))
	       WHEN 'value_without_conversions' THEN
	         format('%%s row(s) %%s have %%s above 0 but 0 %%s. Value without conversions points to a '
	                'broken conversion mapping (value and count taken from different actions); fix the mapping.',
	                count(*), CASE WHEN min(f.d) = max(f.d) THEN 'on ' || min(f.d) ELSE 'between ' || min(f.d) || ' and ' || max(f.d) END, quote_ident($10), quote_ident($9))
	       ELSE
	         format('%%s row(s) %%s have spend (%%s in total) but 0 %%s. Spend without delivery is '
	                'usually a fee, a late billing adjustment or a broken join; check these rows before using them in curves.',
	                count(*), CASE WHEN min(f.d) = max(f.d) THEN 'on ' || min(f.d) ELSE 'between ' || min(f.d) || ' and ' || max(f.d) END,
	                to_char(round(coalesce(sum(f.fsp), 0), 2), (SELECT fmt FROM money)) || coalesce(' ' || min(c.cur), ''),
	                quote_ident($7))
	       END AS explanation
	FROM funnel f JOIN camp c ON c.cid = f.cid
	GROUP BY f.check_name, f.cid
),
-- ---- tracking break: conversions collapse while spend continues ----------
-- Reference for a day: the median spend and median conversions of the days,
-- among the 56 before it, whose spend was within a factor 1.5 of its own
-- (at least 7 such days); failing that, of all of the 28 days before it
-- (at least 14 days with data).
tb_win AS (
	SELECT cid, d, blk, sp, cv,
	       array_agg(sp::float8) FILTER (WHERE sp IS NOT NULL AND cv IS NOT NULL) OVER w AS nsp,
	       array_agg(cv::float8) FILTER (WHERE sp IS NOT NULL AND cv IS NOT NULL) OVER w AS ncv,
	       array_agg(d) FILTER (WHERE sp IS NOT NULL AND cv IS NOT NULL) OVER w AS nd,
	       max(cv) FILTER (WHERE sp IS NOT NULL) OVER w AS mx_cv
	FROM daily
	WINDOW w AS (PARTITION BY cid ORDER BY d RANGE BETWEEN '56 days' PRECEDING AND '1 day' PRECEDING)
),
-- A day is low when it has spend and fewer than a quarter of the conversions
-- expected from its reference.  Expected conversions fall with spend at most
-- with elasticity 3 (ref_cv * min(1, sp / ref_sp)^3: a lower bound for any Hill
-- curve with shape s <= 3) and never rise above the reference, so lower spend
-- or saturation alone cannot make a day low.
tb_cand AS MATERIALIZED (
	SELECT t.cid, t.d, t.blk, m.ref_kind, m.ref_sp, m.ref_cv,
	       lag(t.d) OVER (PARTITION BY t.cid ORDER BY t.d) AS prev_d
	FROM tb_win t
	CROSS JOIN LATERAL (
		SELECT CASE WHEN q.sim_n >= 7 THEN 'similar' WHEN q.all_n >= 14 THEN 'all' END AS ref_kind,
		       CASE WHEN q.sim_n >= 7 THEN q.sim_sp WHEN q.all_n >= 14 THEN q.all_sp END AS ref_sp,
		       CASE WHEN q.sim_n >= 7 THEN q.sim_cv WHEN q.all_n >= 14 THEN q.all_cv END AS ref_cv
		FROM (SELECT count(*) FILTER (WHERE x.s BETWEEN t.sp / 1.5 AND t.sp * 1.5) AS sim_n,
		             percentile_cont(0.5) WITHIN GROUP (ORDER BY x.s) FILTER (WHERE x.s BETWEEN t.sp / 1.5 AND t.sp * 1.5) AS sim_sp,
		             percentile_cont(0.5) WITHIN GROUP (ORDER BY x.c) FILTER (WHERE x.s BETWEEN t.sp / 1.5 AND t.sp * 1.5) AS sim_cv,
		             count(*) FILTER (WHERE x.d >= t.d - 28) AS all_n,
		             percentile_cont(0.5) WITHIN GROUP (ORDER BY x.s) FILTER (WHERE x.d >= t.d - 28) AS all_sp,
		             percentile_cont(0.5) WITHIN GROUP (ORDER BY x.c) FILTER (WHERE x.d >= t.d - 28) AS all_cv
		      FROM unnest(t.nsp, t.ncv, t.nd) AS x(s, c, d)) AS q
	) AS m
	-- (a reference median never exceeds the window's maximum: a cheap pre-filter)
	WHERE t.sp > 0 AND t.cv <= 0.25 * t.mx_cv AND m.ref_sp > 0 AND m.ref_cv > 0
	  AND t.cv::float8 <= 0.25 * m.ref_cv * power(least(1.0, t.sp::float8 / m.ref_sp), 3)
),
-- A run starts on a low day that follows a day that was not low.  It keeps
-- the reference of its first day (from before the break) and lasts while the
-- days stay low against that reference, on consecutive dates.
tb_ext AS MATERIALIZED (
	SELECT z.*,
	       coalesce(min(z.d) FILTER (WHERE NOT z.low) OVER (PARTITION BY z.cid, z.start_d) - 1,
	                max(z.d) OVER (PARTITION BY z.cid, z.start_d)) AS end_d
	FROM (SELECT s.cid, s.d AS start_d, s.ref_kind, s.ref_sp, s.ref_cv, t.d, t.sp, t.cv,
	             s.ref_cv * power(least(1.0, t.sp::float8 / s.ref_sp), 3) AS expct,
	             coalesce(t.sp > 0 AND t.cv::float8 <= 0.25 * s.ref_cv * power(least(1.0, t.sp::float8 / s.ref_sp), 3),
	                      false) AS low
	      FROM tb_cand s
	      JOIN daily t ON t.cid = s.cid AND t.blk = s.blk AND t.d >= s.d
	      WHERE s.prev_d IS DISTINCT FROM s.d - 1) AS z
),
tb_run AS MATERIALIZED (
	SELECT cid, start_d, end_d, ref_kind, ref_cv, ref_sp, count(*) AS days, sum(expct) AS e_sum,
	       sum(cv) AS o_sum, sum(sp) AS s_sum
	FROM tb_ext WHERE d <= end_d
	GROUP BY cid, start_d, end_d, ref_kind, ref_cv, ref_sp
),
tb_p AS (
	SELECT r.*, pv.log_p
	FROM tb_run r
	-- Poisson lower tail P(X <= observed | mean = expected), in log space
	CROSS JOIN LATERAL (
		SELECT w.mx + ln(sum(exp(greatest(w.lt - w.mx, -700.0)))) AS log_p
		FROM (SELECT v.lt, max(v.lt) OVER () AS mx
		      FROM (SELECT -r.e_sum + g.k * ln(r.e_sum)
		                   - sum(ln(greatest(g.k, 1)::float8)) OVER (ORDER BY g.k) AS lt
		            FROM generate_series(0, floor(r.o_sum)::int) AS g(k)) AS v) AS w
		GROUP BY w.mx
	) AS pv
	WHERE r.days >= 3 AND r.e_sum > 0
	  -- a run that starts inside an earlier run is part of it
	  AND NOT EXISTS (SELECT 1 FROM tb_run o
	                  WHERE o.cid = r.cid AND o.start_d < r.start_d AND o.end_d >= r.start_d)
),
chk_tb AS (
	SELECT 'tracking_break'::text AS check_name, 'error'::text AS severity, p.cid,
	       p.start_d AS first_day, p.end_d AS last_day, p.days AS rows_affected, p.s_sum AS spend_affected,
	       format('Conversions collapsed from %%s to %%s (%%s days) while spend went on (%%s): %%s conversion(s) '
	              'recorded against about %%s expected from %%s (median %%s conversions a day at %%s a day); '
	              'Poisson %%s. Check the conversion tag, pixel or API connection of this campaign and leave '
	              'these days out of curve fitting.',
	              p.start_d, p.end_d, p.days,
	              to_char(round(p.s_sum, 2), (SELECT fmt FROM money)) || coalesce(' ' || c.cur, ''),
	              trim_scale(round(p.o_sum, 2)), round(p.e_sum::numeric, 1),
	              CASE p.ref_kind WHEN 'similar' THEN 'the days with similar spend in the 8 weeks before'
	                              ELSE 'the 4 weeks before' END,
	              round(p.ref_cv::numeric, 1),
	              to_char(round(p.ref_sp::numeric, 2), (SELECT fmt FROM money)) || coalesce(' ' || c.cur, ''),
	              CASE WHEN p.log_p / ln(10.0) < -300 THEN 'p < 1e-300'
	                   ELSE 'p = ' || round(power(10.0, (p.log_p / ln(10.0)) - floor(p.log_p / ln(10.0)))::numeric, 1)::text
	                        || 'e' || floor(p.log_p / ln(10.0))::int::text END) AS explanation
	FROM tb_p p JOIN camp c ON c.cid = p.cid
	WHERE p.log_p < ln(1e-6)
),
-- ---- sudden spend spikes: robust z of log spend before and after ------------
-- References: median and MAD of log daily spend over the 14 days before and,
-- separately, the 14 days after the day, each side as far as data exist (at
-- least 7 days on one side); z = (log spend - median) / max(1.4826 MAD, 0.1).
-- A spike must stand out against every side that exists, so a new budget
-- level that persists (even for a day or two at the end of the data) is not a
-- spike, and a planned multi-day test widens the MAD of the windows it falls
-- in; the newest day, which has no "after" yet, is judged against the days
-- before alone.
sp_win AS (
	SELECT cid, d, sp, ln(sp::float8) AS lsp,
	       array_agg(ln(sp::float8)) OVER (PARTITION BY cid ORDER BY d
	                                       RANGE BETWEEN '14 days' PRECEDING AND '1 day' PRECEDING) AS nb_b,
	       array_agg(ln(sp::float8)) OVER (PARTITION BY cid ORDER BY d
	                                       RANGE BETWEEN '1 day' FOLLOWING AND '14 days' FOLLOWING) AS nb_a
	FROM daily WHERE sp > 0
),
sp_med AS (
	SELECT w.*, mb.med AS med_b, ma.med AS med_a
	FROM sp_win w
	CROSS JOIN LATERAL (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) AS med, count(*) AS n
	                    FROM unnest(w.nb_b) AS x) AS mb
	CROSS JOIN LATERAL (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) AS med, count(*) AS n
	                    FROM unnest(w.nb_a) AS x) AS ma
	WHERE greatest(mb.n, ma.n) >= 7
	  -- z > 6 needs lsp - med > 6 * 0.1 (the scale floor) on every side that exists
	  AND coalesce(w.lsp - mb.med > 0.6, true) AND coalesce(w.lsp - ma.med > 0.6, true)
),
sp_z AS (
	SELECT s.cid, s.d, s.sp, s.lsp,
	       -- the usual level: the higher of the two medians, when both exist
	       greatest(s.med_b, s.med_a) AS med,
	       least((s.lsp - s.med_b) / greatest(1.4826 * mb.mad, 0.1),
	             (s.lsp - s.med_a) / greatest(1.4826 * ma.mad, 0.1)) AS z
	FROM sp_med s
	CROSS JOIN LATERAL (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(x - s.med_b)) AS mad
	                    FROM unnest(s.nb_b) AS x) AS mb
	CROSS JOIN LATERAL (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(x - s.med_a)) AS mad
	                    FROM unnest(s.nb_a) AS x) AS ma
),
sp_isl AS (
	SELECT z.*, z.d - (row_number() OVER (PARTITION BY z.cid ORDER BY z.d))::int AS grp
	FROM sp_z z WHERE z.z > 6
),
chk_spike AS (
	SELECT 'spend_spike'::text AS check_name, 'warning'::text AS severity, s.cid,
	       min(s.d) AS first_day, max(s.d) AS last_day, count(*) AS rows_affected, sum(s.sp) AS spend_affected,
	       format('Spend jumped to %%s times its usual level %%s (%%s in total; usual day %%s; robust z = %%s against '
	              'the two weeks around it). Check for a budget typo, a bidding bug or a billing restatement; '
	              'if the spend was real, treat these days as a one-off when fitting curves.',
	              round(max(exp(s.lsp - s.med))::numeric, 1),
	              CASE WHEN min(s.d) = max(s.d) THEN 'on ' || min(s.d)
	                   ELSE 'from ' || min(s.d) || ' to ' || max(s.d) || ' (' || count(*) || ' days)' END,
	              to_char(round(sum(s.sp), 2), (SELECT fmt FROM money)) || coalesce(' ' || min(c.cur), ''),
	              to_char(round(min(exp(s.med))::numeric, 2), (SELECT fmt FROM money)) || coalesce(' ' || min(c.cur), ''),
	              round(max(s.z)::numeric, 1)) AS explanation
	FROM sp_isl s JOIN camp c ON c.cid = s.cid
	GROUP BY s.cid, s.grp
),
-- ---- conversions that do not move with spend ------------------------------
-- Spearman rank correlation of daily spend and daily conversions (average
-- ranks for ties).  Flagged when even its one-sided 99 per cent upper bound
-- (Fisher z, standard error 1.06 / sqrt(n - 3)) stays below 0.3, over at
-- least 28 days with spend that varied (90th / 10th percentile >= 1.25).
resp AS (
	SELECT cid, count(*) AS n, coalesce(corr(rs, rc), 0) AS rho, sum(sp) AS s, min(d) AS d1, max(d) AS d2,
	       percentile_cont(0.9) WITHIN GROUP (ORDER BY sp)
	         / nullif(percentile_cont(0.1) WITHIN GROUP (ORDER BY sp), 0) AS spread
	FROM (SELECT cid, d, sp, cv,
	             (rank() OVER (PARTITION BY cid ORDER BY sp) + (count(*) OVER (PARTITION BY cid, sp) - 1) / 2.0)::float8 AS rs,
	             (rank() OVER (PARTITION BY cid ORDER BY cv) + (count(*) OVER (PARTITION BY cid, cv) - 1) / 2.0)::float8 AS rc
	      FROM daily WHERE sp > 0 AND cv IS NOT NULL) AS z
	GROUP BY cid
),
resp_ci AS (
	SELECT r.*, tanh(atanh(least(greatest(r.rho, -0.999999), 0.999999)) + 2.326 * 1.06 / sqrt(r.n - 3)) AS upper
	FROM resp r WHERE r.n >= 28 AND r.spread >= 1.25
),
chk_resp AS (
	SELECT 'no_spend_response'::text AS check_name, 'warning'::text AS severity, r.cid,
	       r.d1 AS first_day, r.d2 AS last_day, r.n AS rows_affected, r.s AS spend_affected,
	       format('Daily conversions do not follow daily spend: rank correlation %%s over %%s days (99%%%% upper bound %%s) '
	              'although spend varied %%s-fold between its 10th and 90th percentile. Either the campaign has no '
	              'effect on what the platform counts, or it runs far past saturation; either way the marginal return '
	              'of its spend is about zero at the current level. Test a lower budget or a hold-out before spending '
	              'more.',
	              round(r.rho::numeric, 2), r.n, round(r.upper::numeric, 2), round(r.spread::numeric, 1)) AS explanation
	FROM resp_ci r
	WHERE r.upper < 0.3
),
-- ---- platform numbers against the business table ---------------------------
biz AS MATERIALIZED (%s),
plat AS (
	SELECT d, sum(fsp) AS sp, sum(fcv) AS cv, sum(fva) AS va FROM dedup GROUP BY d
),
pj AS (
	SELECT p.d, p.sp, p.cv, p.va, b.orders, b.revenue FROM plat p JOIN biz b ON b.d = p.d
),
oa_tot AS (
	SELECT m.measure, min(pj.d) AS d1, max(pj.d) AS d2, count(*) AS days, sum(pj.sp) AS sp,
	       sum(CASE m.measure WHEN 'orders' THEN pj.cv ELSE pj.va END) AS claimed,
	       sum(CASE m.measure WHEN 'orders' THEN pj.orders ELSE pj.revenue END) AS truth
	FROM pj CROSS JOIN (VALUES ('orders'), ('revenue')) AS m(measure)
	WHERE CASE m.measure WHEN 'orders' THEN pj.cv IS NOT NULL AND pj.orders IS NOT NULL
	                     ELSE pj.va IS NOT NULL AND pj.revenue IS NOT NULL END
	GROUP BY m.measure
),
chk_oa AS (
	SELECT CASE t.measure WHEN 'orders' THEN 'over_attribution_orders' ELSE 'over_attribution_revenue' END AS check_name,
	       'warning'::text AS severity, NULL::bigint AS cid, t.d1 AS first_day, t.d2 AS last_day,
	       t.days AS rows_affected, t.sp AS spend_affected,
	       format('From %%s to %%s (%%s days) the ad platforms claim %%s but the business table records %%s (%%s). '
	              'Platforms over-count: view-through, cross-device and several platforms claiming the same order. '
	              'Do not add platform-reported results across platforms; measure channels against the business table '
	              '(e.g. with lift tests) instead.',
	              t.d1, t.d2, t.days,
	              CASE t.measure WHEN 'orders' THEN trim_scale(round(t.claimed, 2)) || ' conversions'
	                   ELSE to_char(round(t.claimed, 2), (SELECT fmt FROM money)) || coalesce(' ' || (SELECT cur FROM tcur), '')
	                        || ' of conversion value' END,
	              CASE t.measure WHEN 'orders' THEN trim_scale(round(t.truth, 2)) || ' orders'
	                   ELSE to_char(round(t.truth, 2), (SELECT fmt FROM money)) || ' of revenue' END,
	              CASE WHEN t.truth > 0 THEN round(t.claimed / t.truth, 2) || ' claimed per '
	                                         || CASE t.measure WHEN 'orders' THEN 'order' ELSE 'unit of revenue' END
	                   ELSE 'the business table records nothing at all' END) AS explanation
	FROM oa_tot t
	WHERE t.claimed > t.truth AND t.claimed > 0
),
-- weekly ratio of claimed to recorded; only complete Monday-to-Sunday weeks
oa_week AS (
	SELECT m.measure, pj.d - (extract(isodow FROM pj.d)::int - 1) AS wk, count(*) AS days, sum(pj.sp) AS sp,
	       sum(CASE m.measure WHEN 'orders' THEN pj.cv ELSE pj.va END)::float8
	         / nullif(sum(CASE m.measure WHEN 'orders' THEN pj.orders ELSE pj.revenue END), 0)::float8 AS ratio
	FROM pj CROSS JOIN (VALUES ('orders'), ('revenue')) AS m(measure)
	WHERE CASE m.measure WHEN 'orders' THEN pj.cv IS NOT NULL AND pj.orders IS NOT NULL
	                     ELSE pj.va IS NOT NULL AND pj.revenue IS NOT NULL END
	GROUP BY m.measure, 2
	HAVING count(*) = 7
),
oa_med AS (
	SELECT measure, percentile_cont(0.5) WITHIN GROUP (ORDER BY ratio) AS med, count(*) AS weeks
	FROM oa_week WHERE ratio IS NOT NULL GROUP BY measure
),
oa_z AS (
	SELECT w.*, m.med,
	       (w.ratio - m.med) / greatest(1.4826 * (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(w2.ratio - m.med))
	                                             FROM oa_week w2 WHERE w2.measure = w.measure AND w2.ratio IS NOT NULL),
	                                    0.05 * abs(m.med), 1e-9) AS z
	FROM oa_week w JOIN oa_med m ON m.measure = w.measure
	WHERE m.weeks >= 8 AND w.ratio IS NOT NULL
),
oa_isl AS (
	SELECT z.*, z.wk - 7 * (row_number() OVER (PARTITION BY z.measure, sign(z.z) ORDER BY z.wk))::int AS grp
	FROM oa_z z WHERE abs(z.z) > 6
),
chk_shift AS (
	SELECT CASE i.measure WHEN 'orders' THEN 'attribution_shift_orders' ELSE 'attribution_shift_revenue' END AS check_name,
	       'warning'::text AS severity, NULL::bigint AS cid, min(i.wk) AS first_day, max(i.wk) + 6 AS last_day,
	       sum(i.days) AS rows_affected, sum(i.sp) AS spend_affected,
	       format('The ratio of platform-reported %%s to the business table''s %%s was %%s in %%s week(s) from %%s '
	              'to %%s, against a typical %%s (robust z = %%s over all complete weeks). %%s',
	              CASE i.measure WHEN 'orders' THEN 'conversions' ELSE 'conversion value' END,
	              CASE i.measure WHEN 'orders' THEN 'orders' ELSE 'revenue' END,
	              CASE WHEN sign(min(i.z)) > 0 THEN round(max(i.ratio)::numeric, 2) ELSE round(min(i.ratio)::numeric, 2) END,
	              count(*), min(i.wk), max(i.wk) + 6, round(min(i.med)::numeric, 2),
	              CASE WHEN sign(min(i.z)) > 0 THEN '+' || round(max(i.z)::numeric, 1)::text ELSE round(min(i.z)::numeric, 1)::text END,
	              CASE WHEN sign(min(i.z)) > 0
	                   THEN 'A jump means the platforms started claiming more (changed attribution window, duplicated '
	                        'rows, a new conversion action) or business rows are missing.'
	                   ELSE 'A drop means conversions stopped being tracked on the platforms, or the business table '
	                        'double-counts.' END) AS explanation
	FROM oa_isl i
	GROUP BY i.measure, sign(i.z), i.grp
),
-- ---- currencies ------------------------------------------------------------
cur_tot AS (
	SELECT cu, count(*) AS n, sum(fsp) AS s, count(DISTINCT pf) AS npf, min(pf) AS pf1,
	       count(DISTINCT cp) AS ncp, min(cp) AS cp1, min(d) AS d1, max(d) AS d2,
	       row_number() OVER (ORDER BY sum(fsp) DESC NULLS LAST, count(*) DESC, cu) AS rk
	FROM raw WHERE cu IS NOT NULL GROUP BY cu
),
chk_cur AS (
	SELECT 'mixed_currency'::text AS check_name, 'error'::text AS severity, NULL::bigint AS cid,
	       t.d1 AS first_day, t.d2 AS last_day, t.n AS rows_affected, t.s AS spend_affected,
	       format('The table mixes currencies: %%s row(s) in %%s (spend %%s %%s, %%s campaign(s)) next to %%s, the main currency. '
	              'Sums, ROAS and curves across currencies are meaningless; convert to one currency in a staging view '
	              'or analyse each currency separately.',
	              t.n, t.cu, to_char(round(coalesce(t.s, 0), 2), (SELECT fmt FROM money)), t.cu, t.ncp,
	              (SELECT m.cu FROM cur_tot m WHERE m.rk = 1)) AS explanation,
	       CASE WHEN t.npf = 1 THEN t.pf1 END AS pf_override, CASE WHEN t.ncp = 1 THEN t.cp1 END AS cp_override,
	       t.cu AS cur_override
	FROM cur_tot t WHERE t.rk > 1
	UNION ALL
	SELECT 'missing_currency', 'warning', NULL::bigint, min(d), max(d), count(*), sum(fsp),
	       format('%%s row(s) have no currency, so their spend (%%s) cannot be compared with anything. '
	              'Fill the currency column (e.g. from the ad account''s settings).',
	              count(*), to_char(round(coalesce(sum(fsp), 0), 2), (SELECT fmt FROM money))),
	       pf, NULL, NULL
	FROM raw WHERE $4 AND cu IS NULL GROUP BY pf
),
-- ---- stale data --------------------------------------------------------------
chk_stale AS (
	SELECT 'stale_data'::text AS check_name, 'warning'::text AS severity, NULL::bigint AS cid,
	       max(d) + 1 AS first_day, $1 AS last_day, NULL::bigint AS rows_affected, NULL::numeric AS spend_affected,
	       format('The newest row%%s is from %%s, %%s day(s) before %%s (at most %%s allowed). Recent spend is missing '
	              'from every analysis; check the connector''s sync.',
	              coalesce(' of ' || pf, ''), max(d), $1 - max(d), $1, $2) AS explanation,
	       pf AS pf_override
	FROM raw WHERE d IS NOT NULL GROUP BY pf
	HAVING max(d) < $1 - $2
	UNION ALL
	SELECT 'stale_business_data', 'warning', NULL::bigint, max(d) + 1, $1, NULL::bigint, NULL::numeric,
	       format('The newest row of the business table is from %%s, %%s day(s) before %%s (at most %%s allowed). '
	              'Comparisons with the shop stop there.', max(d), $1 - max(d), $1, $2),
	       NULL
	FROM biz WHERE $5
	HAVING max(d) < $1 - $2
),
chk_empty AS (
	SELECT 'empty_source'::text AS check_name, 'error'::text AS severity,
	       'The ad table has no rows: there is nothing to analyse.'::text AS explanation
	WHERE NOT EXISTS (SELECT 1 FROM raw)
),
allrows AS (
	SELECT x.check_name, x.severity, c.pf AS platform, c.cp AS campaign_id, x.first_day, x.last_day,
	       x.rows_affected, x.spend_affected, c.cur AS currency, x.explanation
	FROM (SELECT * FROM chk_dup UNION ALL SELECT * FROM chk_gap UNION ALL SELECT * FROM chk_val
	      UNION ALL SELECT * FROM chk_future UNION ALL SELECT * FROM chk_funnel
	      UNION ALL SELECT * FROM chk_tb UNION ALL SELECT * FROM chk_spike
	      UNION ALL SELECT * FROM chk_resp) AS x
	JOIN camp c ON c.cid = x.cid
	UNION ALL
	SELECT check_name, severity, NULL, NULL, first_day, last_day, rows_affected, spend_affected,
	       (SELECT cur FROM tcur), explanation
	FROM (SELECT * FROM chk_key UNION ALL SELECT * FROM chk_oa UNION ALL SELECT * FROM chk_shift) AS y
	UNION ALL
	SELECT check_name, severity, pf_override, cp_override, first_day, last_day, rows_affected, spend_affected,
	       cur_override, explanation
	FROM chk_cur
	UNION ALL
	SELECT check_name, severity, pf_override, NULL, first_day, last_day, rows_affected, spend_affected,
	       NULL, explanation
	FROM chk_stale
	UNION ALL
	SELECT check_name, severity, NULL, NULL, NULL, NULL, NULL, NULL, NULL, explanation FROM chk_empty
	UNION ALL
	SELECT 'column_not_found', 'info', NULL, NULL, NULL, NULL, NULL, NULL, NULL, n
	FROM unnest($3) AS n
)
SELECT a.check_name::text, a.severity::text, a.platform::text, a.campaign_id::text, a.first_day::date,
       a.last_day::date, a.rows_affected::bigint, round(a.spend_affected::numeric, 2), a.currency::text,
       a.explanation::text
FROM allrows a
ORDER BY CASE a.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
         a.spend_affected DESC NULLS LAST, a.check_name, a.platform NULLS FIRST, a.campaign_id NULLS FIRST,
         a.first_day NULLS FIRST, a.explanation
$sql$, src_sql, biz_sql);

	RETURN QUERY EXECUTE q
		USING ref_day, max_staleness_days, notes, expr[9] IS NOT NULL, business IS NOT NULL,
		      coalesce(spend_col, 'spend'), coalesce(impressions_col, 'impressions'),
		      coalesce(clicks_col, 'clicks'), coalesce(conversions_col, 'conversions'),
		      coalesce(value_col, 'conversions_value');
END;
$function$;

COMMENT ON FUNCTION @extschema@.data_quality(regclass, regclass, text, text, text, text, text, text, text, text,
                                             text, text, text, text, date, integer) IS
	'data-quality alarms for an ad-spend table (Fivetran ad_reporting columns by default) and optionally the shop''s orders table: duplicates, missing days, invalid values, funnel inconsistencies, tracking breaks, spend spikes, over-attribution, mixed currencies, stale data; one row per problem with severity, affected period, rows, spend and an explanation';

-- ---------------------------------------------------------------------------
-- Wasted spend: noa.waste(source, ...)
-- ---------------------------------------------------------------------------
--
-- Reads an ad-platform table or view (Fivetran ad_reporting column names by
-- default), fits one response curve per campaign (and geo, when the table has
-- one; noa._campaign_state below) and returns one flat row per kind of waste
-- found:
--
--   past_breakeven        spend above the break-even spend, where the next
--                         euro returns less than target_mroas (value KPIs)
--   past_saturation       spend above the point where the KPI reaches
--                         saturation_share of its maximum (any KPI; the only
--                         test for awareness campaigns, judged on reach)
--   no_incremental_value  the KPI does not rise measurably with spend (a
--                         model-free slope test at the stated confidence) and
--                         the campaign does not pay even on average; the
--                         whole spend is at stake
--   over_invested_geo     a geo whose spend-weighted marginal ROAS is below
--                         target_mroas
--
-- The rules, thresholds and confidence buckets are documented in
-- docs/waste.md.
--
-- Security: the relation comes in as a regclass; columns are looked up in
-- pg_attribute and enter the dynamic SQL only through format('%I'); noa's own
-- functions are called through the schema the extension is installed in,
-- looked up in pg_extension and quoted with quote_ident (so the install-time
-- schema placeholder never appears inside a quoted body); constants enter
-- through EXECUTE ... USING.
-- search_path is pinned to pg_catalog, pg_temp and the function runs as the
-- caller, so the caller's privileges and row-level security apply.
--
-- Labels: STABLE (reads tables, writes nothing).  noa._campaign_state is
-- PARALLEL RESTRICTED, not SAFE: it may be pointed at a temporary table, which
-- a parallel worker cannot read, and at a view whose own functions may be
-- parallel-unsafe.  noa.waste is PARALLEL UNSAFE: it catches the argument
-- errors of the helper in an EXCEPTION block (to report them without the text
-- of its internal query), and a subtransaction is not allowed in parallel mode.

-- Internal: the per-campaign state both noa.waste and noa.recommendations
-- judge.  Reads the source (columns resolved and type-checked, identifiers
-- quoted with %I), counts exact duplicate rows once, leaves out rows without a
-- date or campaign and rows whose spend is negative, NaN or infinite (other
-- unusable measures become NULL), sums to one row per campaign (and geo) and
-- day up to as_of, and fits one response curve per campaign on its KPI:
-- impressions (else clicks) for awareness campaigns, conversions otherwise.
-- The curve is returned as its text form (cast it to noa.curve).
CREATE FUNCTION @extschema@._campaign_state(
	source          regclass,
	as_of           date,
	window_days     integer,
	model           text,
	date_col        text,
	platform_col    text,
	campaign_col    text,
	spend_col       text,
	impressions_col text,
	clicks_col      text,
	conversions_col text,
	value_col       text,
	role_col        text,
	geo_col         text,
	currency_col    text,
	caller          text DEFAULT 'noa._campaign_state')
RETURNS TABLE (
	platform        text,
	campaign_id     text,
	geo             text,
	campaign_role   text,
	awareness       boolean,
	kpi             text,
	currency        text,
	period_start    date,
	period_end      date,
	curve           text,
	n_days          bigint,
	current_spend   float8,
	window_days_seen bigint,
	window_value    float8,
	value_per_unit  float8,
	avg_roas        float8,
	spend_p10       float8,
	spend_p90       float8,
	slope           float8,
	slope_se        float8,
	resid_sd        float8,
	spend_mean      float8,
	kpi_mean        float8)
LANGUAGE plpgsql
STABLE
PARALLEL RESTRICTED
CALLED ON NULL INPUT
COST 100000
ROWS 50
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
	fn       text := coalesce(caller, 'noa._campaign_state');
	-- one entry per column argument: name, value, default, required, kind
	arg_name text[]    := ARRAY['date_col', 'platform_col', 'campaign_col', 'spend_col', 'impressions_col',
	                            'clicks_col', 'conversions_col', 'value_col', 'role_col', 'geo_col',
	                            'currency_col'];
	arg_val  text[];
	arg_def  text[]    := ARRAY['date_day', 'platform', 'campaign_id', 'spend', 'impressions', 'clicks',
	                            'conversions', 'conversions_value', 'campaign_role', 'geo', 'currency'];
	arg_req  boolean[] := ARRAY[true, false, true, true, false, false, true, false, false, false, false];
	arg_kind text[]    := ARRAY['date', 'text', 'text', 'number', 'number', 'number', 'number', 'number',
	                            'text', 'text', 'text'];
	expr     text[]    := ARRAY[]::text[];
	rel_nsp  name;
	rel_name name;
	rel_kind "char";
	att_type oid;
	att_cat  "char";
	att_ci   text;
	all_cols text;
	ext_nsp  name;
	i        int;
	src_sql  text;
	last_day date;
	ref_day  date;
	q        text;
BEGIN
	IF source IS NULL THEN
		RAISE EXCEPTION '%: source must not be NULL', fn
			USING ERRCODE = 'null_value_not_allowed',
			      HINT = 'Pass the ad table or view, e.g. ''noa_demo.ad_spend''.';
	END IF;
	IF window_days IS NULL OR window_days < 1 OR window_days > 366 THEN
		RAISE EXCEPTION '%: window_days must be between 1 and 366, got %', fn, coalesce(window_days::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'window_days is the length of the period judged, ending on as_of (default 28 days).';
	END IF;
	IF model IS NULL OR model NOT IN ('hill', 'exponential', 'michaelis_menten', 'logistic', 'tanh', 'power', 'linear', 'auto') THEN
		RAISE EXCEPTION '%: unknown model %', fn, coalesce(pg_catalog.quote_literal(model), 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'model is one of hill (default), exponential, michaelis_menten, logistic, tanh, power, linear or auto.';
	END IF;
	IF as_of IS NOT NULL AND pg_catalog.isfinite(as_of) IS NOT TRUE THEN
		RAISE EXCEPTION '%: as_of must be a finite date, got %', fn, as_of
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'as_of is the last day of the period judged; leave it NULL for the last day in the table.';
	END IF;

	SELECT n.nspname, c.relname, c.relkind INTO rel_nsp, rel_name, rel_kind
	FROM pg_catalog.pg_class AS c
	JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
	WHERE c.oid = source;
	IF rel_kind IS NULL OR rel_kind NOT IN ('r', 'v', 'm', 'f', 'p') THEN
		RAISE EXCEPTION '%: % is not a table or view', fn, source
			USING ERRCODE = 'wrong_object_type',
			      HINT = 'Pass a table, view, materialized view or foreign table as source.';
	END IF;

	-- ---- columns -------------------------------------------------------------
	arg_val := ARRAY[date_col, platform_col, campaign_col, spend_col, impressions_col, clicks_col,
	                 conversions_col, value_col, role_col, geo_col, currency_col];
	FOR i IN 1 .. pg_catalog.array_length(arg_name, 1) LOOP
		expr := expr || NULL::text;
		IF arg_val[i] IS NULL THEN
			IF arg_req[i] THEN
				RAISE EXCEPTION '%: % must not be NULL', fn, arg_name[i]
					USING ERRCODE = 'null_value_not_allowed',
					      HINT = format('%s names a required column of %s (default %L).', arg_name[i], source, arg_def[i]);
			END IF;
			CONTINUE;                    -- optional column switched off by the caller
		END IF;
		att_type := NULL;
		SELECT a.atttypid INTO att_type
		FROM pg_catalog.pg_attribute AS a
		WHERE a.attrelid = source AND a.attname = arg_val[i]::name AND a.attnum > 0 AND NOT a.attisdropped;
		IF att_type IS NULL THEN
			-- an optional column under its default name may simply be absent
			CONTINUE WHEN NOT arg_req[i] AND arg_val[i] = arg_def[i];
			SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum),
			       pg_catalog.min(a.attname) FILTER (WHERE pg_catalog.lower(a.attname) = pg_catalog.lower(arg_val[i]))
			  INTO all_cols, att_ci
			FROM pg_catalog.pg_attribute AS a
			WHERE a.attrelid = source AND a.attnum > 0 AND NOT a.attisdropped;
			RAISE EXCEPTION '%: column % does not exist in %', fn, pg_catalog.quote_ident(arg_val[i]), source
				USING ERRCODE = 'undefined_column',
				      HINT = CASE WHEN att_ci IS NOT NULL
				                  THEN format('Column names are case-sensitive: did you mean %s => %L?', arg_name[i], att_ci)
				                  ELSE format('Pass the right column name with %s => ''<name>''. Columns of %s: %s.',
				                              arg_name[i], source, coalesce(all_cols, '(none)')) END;
		END IF;
		SELECT CASE WHEN ty.typtype = 'd' THEN bt.typcategory ELSE ty.typcategory END INTO att_cat
		FROM pg_catalog.pg_type AS ty LEFT JOIN pg_catalog.pg_type AS bt ON bt.oid = ty.typbasetype
		WHERE ty.oid = att_type;
		IF arg_kind[i] = 'date' THEN
			IF att_cat IS DISTINCT FROM 'D' OR att_type = 'pg_catalog.time'::pg_catalog.regtype
			   OR att_type = 'pg_catalog.timetz'::pg_catalog.regtype THEN
				RAISE EXCEPTION '%: column % of % has type %, expected date', fn,
					pg_catalog.quote_ident(arg_val[i]), source, pg_catalog.format_type(att_type, NULL)
					USING ERRCODE = 'datatype_mismatch',
					      HINT = format('Pass a date or timestamp column as %s, or a view that casts it to date.', arg_name[i]);
			END IF;
			expr[i] := format('(t.%I)::pg_catalog.date', arg_val[i]);
		ELSIF arg_kind[i] = 'number' THEN
			IF att_cat IS DISTINCT FROM 'N' THEN
				RAISE EXCEPTION '%: column % of % has type %, expected a number', fn,
					pg_catalog.quote_ident(arg_val[i]), source, pg_catalog.format_type(att_type, NULL)
					USING ERRCODE = 'datatype_mismatch',
					      HINT = format('Pass a numeric column as %s, or a view that casts it (e.g. (metrics->>''spend'')::numeric).', arg_name[i]);
			END IF;
			expr[i] := format('(t.%I)::pg_catalog.numeric', arg_val[i]);
		ELSE
			expr[i] := format('(t.%I)::pg_catalog.text', arg_val[i]);
		END IF;
	END LOOP;

	src_sql := format(
		'SELECT %s AS d, %s AS pf, %s AS cp, %s AS sp, %s AS im, %s AS cl, %s AS cv, %s AS va, '
		'%s AS role, %s AS geo, %s AS cu FROM %I.%I AS t',
		expr[1], coalesce(expr[2], 'NULL::pg_catalog.text'), expr[3], expr[4],
		coalesce(expr[5], 'NULL::pg_catalog.numeric'), coalesce(expr[6], 'NULL::pg_catalog.numeric'),
		expr[7], coalesce(expr[8], 'NULL::pg_catalog.numeric'),
		coalesce(expr[9], 'NULL::pg_catalog.text'), coalesce(expr[10], 'NULL::pg_catalog.text'),
		coalesce(expr[11], 'NULL::pg_catalog.text'), rel_nsp, rel_name);

	-- ---- the period ------------------------------------------------------------
	EXECUTE format('SELECT pg_catalog.max(s.d) FROM (%s) AS s WHERE s.d <= $1', src_sql)
		INTO last_day USING coalesce(as_of, 'infinity'::date);
	IF last_day IS NULL THEN
		RETURN;                          -- no dated rows up to as_of: nothing to judge
	END IF;
	ref_day := coalesce(as_of, last_day);

	-- $1 as_of, $2 window_days, $3 model, $4 value column present,
	-- $5 impressions column present, $6 clicks column present.
	q := $sql$
WITH
src AS MATERIALIZED (@src@),
-- exact duplicate rows count once; rows without date or campaign are left out
dd AS (
	SELECT DISTINCT s.* FROM src AS s
	WHERE s.d IS NOT NULL AND s.cp IS NOT NULL AND s.d <= $1
),
-- rows with a usable spend; unusable (negative, NaN, infinite) measures become NULL
ok AS MATERIALIZED (
	SELECT dense_rank() OVER (ORDER BY r.pf, r.cp, r.geo) AS uid, r.d, r.pf, r.cp, r.geo, r.role, r.cu, r.sp,
	       CASE WHEN r.im >= 0 AND r.im < 'Infinity' THEN r.im END AS im,
	       CASE WHEN r.cl >= 0 AND r.cl < 'Infinity' THEN r.cl END AS cl,
	       CASE WHEN r.cv >= 0 AND r.cv < 'Infinity' THEN r.cv END AS cv,
	       CASE WHEN r.va >= 0 AND r.va < 'Infinity' THEN r.va END AS va
	FROM dd AS r
	WHERE r.sp >= 0 AND r.sp < 'Infinity'
),
unit AS MATERIALIZED (
	SELECT o.uid, min(o.pf) AS pf, min(o.cp) AS cp, min(o.geo) AS geo,
	       mode() WITHIN GROUP (ORDER BY o.role) AS role,
	       count(DISTINCT o.cu) AS ncur, min(o.cu) AS cur,
	       coalesce(lower(btrim(mode() WITHIN GROUP (ORDER BY o.role))) = 'awareness', false) AS aware
	FROM ok AS o GROUP BY o.uid
),
-- the KPI of the campaign's role; campaigns mixing currencies are left out
unit_kpi AS (
	SELECT u.*,
	       CASE WHEN NOT u.aware THEN 'conversions'
	            WHEN $5 THEN 'impressions' WHEN $6 THEN 'clicks' END AS kpi
	FROM unit AS u
	WHERE u.ncur <= 1
),
-- one row per unit and day
day AS MATERIALIZED (
	SELECT o.uid, o.d, sum(o.sp) AS sp,
	       sum(CASE k.kpi WHEN 'conversions' THEN o.cv WHEN 'impressions' THEN o.im ELSE o.cl END) AS y,
	       sum(o.cv) FILTER (WHERE o.va IS NOT NULL) AS cv_v, sum(o.va) FILTER (WHERE o.cv IS NOT NULL) AS va
	FROM ok AS o JOIN unit_kpi AS k ON k.uid = o.uid
	WHERE k.kpi IS NOT NULL
	GROUP BY o.uid, o.d
),
-- model-free slope of the daily KPI on daily spend (least squares with an
-- intercept): does the KPI move with spend inside the spend range observed?
slope AS (
	SELECT y.uid, regr_count(y.y::float8, y.sp::float8) AS n,
	       regr_slope(y.y::float8, y.sp::float8) AS beta,
	       regr_sxx(y.y::float8, y.sp::float8) AS sxx, regr_syy(y.y::float8, y.sp::float8) AS syy,
	       regr_sxy(y.y::float8, y.sp::float8) AS sxy,
	       regr_avgx(y.y::float8, y.sp::float8) AS xbar, regr_avgy(y.y::float8, y.sp::float8) AS ybar
	FROM day AS y GROUP BY y.uid
),
fit AS MATERIALIZED (
	SELECT y.uid,
	       @noa@.fit_curve(y.sp::float8, y.y::float8, $3) AS c,
	       count(y.y) AS n_days,
	       sum(y.va) / nullif(sum(y.cv_v), 0) AS v,
	       sum(y.va) / nullif(sum(y.sp) FILTER (WHERE y.va IS NOT NULL), 0) AS avg_roas,
	       avg(y.sp) FILTER (WHERE y.d > $1 - $2) AS cur,
	       count(*) FILTER (WHERE y.d > $1 - $2) AS win_days,
	       sum(y.va) FILTER (WHERE y.d > $1 - $2) AS win_value,
	       percentile_cont(0.1) WITHIN GROUP (ORDER BY y.sp::float8) AS p10,
	       percentile_cont(0.9) WITHIN GROUP (ORDER BY y.sp::float8) AS p90
	FROM day AS y
	GROUP BY y.uid
)
SELECT k.pf, k.cp, k.geo, k.role, k.aware, k.kpi, k.cur,
       ($1 - $2 + 1)::date, $1::date,
       f.c::text, f.n_days, f.cur::float8, f.win_days, f.win_value::float8,
       CASE WHEN k.kpi = 'conversions' AND $4 AND f.v > 0 THEN f.v::float8 END,
       f.avg_roas::float8, f.p10, f.p90,
       coalesce(r.beta, 0),
       CASE WHEN r.n > 2 AND r.sxx > 0 THEN sqrt(greatest(r.syy - r.sxy * r.sxy / r.sxx, 0) / (r.n - 2) / r.sxx) END,
       CASE WHEN r.n > 2 AND r.sxx > 0 THEN sqrt(greatest(r.syy - r.sxy * r.sxy / r.sxx, 0) / (r.n - 2)) END,
       r.xbar, r.ybar
FROM unit_kpi AS k
JOIN fit AS f ON f.uid = k.uid
LEFT JOIN slope AS r ON r.uid = k.uid
WHERE f.cur IS NOT NULL AND f.cur > 0
ORDER BY k.pf, k.cp, k.geo
$sql$;

	SELECT n.nspname INTO ext_nsp
	FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
	WHERE e.extname = 'noa';
	q := replace(q, '@noa@', quote_ident(ext_nsp));
	q := replace(q, '@src@', src_sql);      -- last: user identifiers are never rescanned

	RETURN QUERY EXECUTE q
		USING ref_day, window_days, model, expr[8] IS NOT NULL, expr[5] IS NOT NULL, expr[6] IS NOT NULL;
END;
$function$;

COMMENT ON FUNCTION @extschema@._campaign_state(regclass, date, integer, text, text, text, text, text, text, text,
                                                text, text, text, text, text, text) IS
	'internal (used by noa.waste and noa.recommendations): one row per campaign and geo with its current daily spend, value per conversion, spend-KPI slope with its residual sd, and fitted response curve (as text) on the KPI of its role';

CREATE FUNCTION @extschema@.waste(
	source           regclass,
	target_mroas     float8  DEFAULT 1,
	level            float8  DEFAULT 0.9,
	window_days      integer DEFAULT 28,
	as_of            date    DEFAULT NULL,
	date_col         text    DEFAULT 'date_day',
	platform_col     text    DEFAULT 'platform',
	campaign_col     text    DEFAULT 'campaign_id',
	spend_col        text    DEFAULT 'spend',
	impressions_col  text    DEFAULT 'impressions',
	clicks_col       text    DEFAULT 'clicks',
	conversions_col  text    DEFAULT 'conversions',
	value_col        text    DEFAULT 'conversions_value',
	role_col         text    DEFAULT 'campaign_role',
	geo_col          text    DEFAULT 'geo',
	currency_col     text    DEFAULT 'currency',
	model            text    DEFAULT 'hill',
	saturation_share float8  DEFAULT 0.9)
RETURNS TABLE (
	waste_type              text,
	platform                text,
	campaign_id             text,
	geo                     text,
	campaign_role           text,
	kpi                     text,
	period_start            date,
	period_end              date,
	current_spend_per_day   numeric,
	threshold_spend_per_day numeric,
	threshold_lo            numeric,
	threshold_hi            numeric,
	spend_at_stake          numeric,
	spend_at_stake_lo       numeric,
	spend_at_stake_hi       numeric,
	value_lost              numeric,
	value_lost_lo           numeric,
	value_lost_hi           numeric,
	marginal_roas           float8,
	marginal_roas_lo        float8,
	marginal_roas_hi        float8,
	currency                text,
	confidence              text,
	explanation             text)
LANGUAGE plpgsql
STABLE
PARALLEL UNSAFE
CALLED ON NULL INPUT
COST 100000
ROWS 20
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
	ext_nsp  name;
	p        float8;
	t        float8;
	z_one    float8;     -- one-sided normal quantile at level
	q        text;
	err_state  text;
	err_msg    text;
	err_detail text;
	err_hint   text;
BEGIN
	IF target_mroas IS NULL OR NOT (target_mroas > 0 AND target_mroas < 1e6) THEN
		RAISE EXCEPTION 'noa.waste: target_mroas must be a positive number, got %', coalesce(target_mroas::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'target_mroas is the return the last unit of spend must bring back (1 = break-even on revenue; '
			             'e.g. 2.5 when only 40% of revenue is margin).';
	END IF;
	IF level IS NULL OR NOT (level >= 0.5 AND level < 1) THEN
		RAISE EXCEPTION 'noa.waste: level must be at least 0.5 and below 1, got %', coalesce(level::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'level is the confidence of the intervals and tests, e.g. 0.8, 0.9 (default) or 0.95.';
	END IF;
	IF saturation_share IS NULL OR NOT (saturation_share >= 0.5 AND saturation_share < 1) THEN
		RAISE EXCEPTION 'noa.waste: saturation_share must be at least 0.5 and below 1, got %',
			coalesce(saturation_share::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'saturation_share is the share of the maximum response that counts as saturated (default 0.9).';
	END IF;

	-- One-sided standard normal quantile at level (Abramowitz & Stegun 26.2.23,
	-- absolute error below 5e-4: ample for a decision threshold).
	p := 1 - level;
	t := sqrt(-2 * ln(p));
	z_one := t - (2.515517 + 0.802853 * t + 0.010328 * t * t)
	             / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);

	-- $1 source, $2 window_days, $3 target_mroas, $4 level, $5 z_one, $6 as_of,
	-- $7 saturation_share, $8 model, $9 .. $19 the column arguments.
	q := $sql$
WITH
st AS MATERIALIZED (
	SELECT * FROM @noa@._campaign_state($1, $6, $2, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, 'noa.waste')
),
-- everything known per unit at its current daily spend
cu AS MATERIALIZED (
	SELECT row_number() OVER () AS uid, s.platform AS pf, s.campaign_id AS cp, s.geo, s.campaign_role AS role,
	       s.currency, s.kpi, s.awareness AS aware, s.curve::@noa@.curve AS c, s.n_days, s.current_spend AS cur,
	       s.window_days_seen AS win_days, s.spend_p10 AS p10, s.spend_p90 AS p90, s.avg_roas, s.window_value AS win_value,
	       s.value_per_unit AS v, s.n_days AS sl_n, s.slope AS beta, s.slope_se AS beta_se,
	       s.spend_mean AS xbar, s.kpi_mean AS ybar,
	       @noa@.curve_status(s.curve::@noa@.curve) AS status,
	       (@noa@.curve_to_jsonb(s.curve::@noa@.curve) ->> 'at_bound')::boolean AS at_bound,
	       (@noa@.curve_to_jsonb(s.curve::@noa@.curve) ->> 'x_min')::float8 AS x_min,
	       (@noa@.curve_to_jsonb(s.curve::@noa@.curve) ->> 'x_max')::float8 AS x_max
	FROM st AS s
),
cm AS MATERIALIZED (
	SELECT u.*,
	       u.status IN ('converged', 'max_iterations') AS usable,
	       CASE WHEN u.status IN ('converged', 'max_iterations') THEN
	         @noa@.saturation_spend(u.c, $7) END AS sat,
	       CASE WHEN u.status IN ('converged', 'max_iterations') THEN
	         @noa@.saturation_spend_lo(u.c, $7, $4) END AS sat_lo,
	       CASE WHEN u.status IN ('converged', 'max_iterations') THEN
	         @noa@.saturation_spend_hi(u.c, $7, $4) END AS sat_hi,
	       CASE WHEN u.v IS NOT NULL AND u.status IN ('converged', 'max_iterations') THEN
	         @noa@.breakeven_spend(u.c, $3, u.v) END AS be,
	       CASE WHEN u.v IS NOT NULL AND u.status IN ('converged', 'max_iterations') THEN
	         @noa@.breakeven_spend_lo(u.c, $3, u.v, $4) END AS be_lo,
	       CASE WHEN u.v IS NOT NULL AND u.status IN ('converged', 'max_iterations') THEN
	         @noa@.breakeven_spend_hi(u.c, $3, u.v, $4) END AS be_hi,
	       CASE WHEN u.v IS NOT NULL THEN @noa@.marginal_roas(u.c, u.cur, u.v) END AS m,
	       CASE WHEN u.v IS NOT NULL THEN @noa@.marginal_roas_lo(u.c, u.cur, u.v, $4) END AS m_lo,
	       CASE WHEN u.v IS NOT NULL THEN @noa@.marginal_roas_hi(u.c, u.cur, u.v, $4) END AS m_hi,
	       @noa@.response(u.c, u.cur) AS f_cur,
	       -- one-sided bounds of the slope at level (normal approximation)
	       u.beta - $5 * u.beta_se AS beta_lo,
	       u.beta + $5 * u.beta_se AS beta_hi
	FROM cu AS u
),
-- ---- flat KPI: no incremental value, or saturated below the spend observed ----
flat AS (
	SELECT m.*,
	       m.v * m.beta AS mv, m.v * m.beta_lo AS mv_lo, m.v * m.beta_hi AS mv_hi,
	       CASE WHEN m.ybar > 0 THEN m.beta_hi * m.xbar / m.ybar END AS el_hi,
	       -- judged on money: conversions with a value column (a campaign with no conversions at all returns 0)
	       m.kpi = 'conversions' AND m.avg_roas IS NOT NULL AS valued
	FROM cm AS m
	WHERE m.sl_n >= 28 AND m.beta_se IS NOT NULL
	  AND m.p10 > 0 AND m.p90 >= 1.25 * m.p10        -- spend varied enough for a slope to show
	  AND (m.beta_lo <= 0                               -- no significant rise
	       OR (m.v IS NOT NULL AND m.v * m.beta_hi < 0.1 * $3))   -- or a rise worth almost nothing
),
row_niv AS (
	SELECT 'no_incremental_value'::text AS waste_type, n.uid, n.pf, n.cp, n.geo, n.role, n.kpi, n.currency,
	       n.cur, 0::float8 AS thr, 0::float8 AS thr_lo, 0::float8 AS thr_hi,
	       n.cur * $2 AS stake, n.cur * $2 AS stake_lo, n.cur * $2 AS stake_hi,
	       CASE WHEN n.valued THEN $3 * n.cur * $2 END AS lost,
	       CASE WHEN n.valued THEN
	         greatest(0, $3 * n.cur * $2 - coalesce(n.win_value, 0) * $2 / greatest(n.win_days, 1)) END AS lost_lo,
	       CASE WHEN n.valued THEN $3 * n.cur * $2 END AS lost_hi,
	       n.mv AS m, n.mv_lo AS m_lo, n.mv_hi AS m_hi,
	       CASE WHEN n.sl_n >= 56 AND (n.mv_hi < 0.1 * $3 OR (n.v IS NULL AND coalesce(n.el_hi < 0.1, n.beta_hi <= 0)))
	            THEN 'high' ELSE 'medium' END AS confidence,
	       format('%s do not rise measurably with spend: over %s days, each extra 1,000%s a day goes with %s %s a day '
	              '(at most %s more at %s%% confidence)%s. %s %s',
	              initcap(n.kpi), n.sl_n, coalesce(' ' || n.currency, ''),
	              CASE WHEN n.beta >= 0 THEN round((1000 * n.beta)::numeric, 2) || ' more'
	                   ELSE round((-1000 * n.beta)::numeric, 2) || ' fewer' END, n.kpi,
	              round((1000 * n.beta_hi)::numeric, 2), trim_scale(round(($4 * 100)::numeric, 1)),
	              CASE WHEN n.v IS NOT NULL THEN format(', worth at most %s per unit of spend', round(n.mv_hi::numeric, 3))
	                   ELSE '' END,
	              CASE WHEN NOT n.valued
	                   THEN format('No incremental %s can be shown for the %s it spends in the period%s.',
	                               n.kpi, to_char(round((n.cur * $2)::numeric), 'FM999,999,999,990') || coalesce(' ' || n.currency, ''),
	                               CASE WHEN n.aware THEN format(' (awareness campaign: judged on %s, its reach KPI)', n.kpi) ELSE '' END)
	                   ELSE format('Even crediting it with every reported conversion it returns %s per unit of spend, '
	                               'below the target of %s: the %s it spends in the period buy no value that can be shown.',
	                               round(n.avg_roas::numeric, 2), round($3::numeric, 2),
	                               to_char(round((n.cur * $2)::numeric), 'FM999,999,999,990') || coalesce(' ' || n.currency, ''))
	              END,
	              'Pause it, or prove its effect with a holdout test first.') AS explanation
	FROM flat AS n
	WHERE (n.valued AND n.avg_roas < $3)
	   -- without a value, a usable curve saturating below the spend observed explains a flat KPI
	   OR (NOT n.valued AND NOT coalesce(n.usable AND n.sat_hi < n.p10, false))
),
-- flat KPI but the campaign pays on average, and no usable curve: saturated
-- below the lowest spend regularly observed (10th percentile of daily spend)
row_mfs AS (
	SELECT 'past_saturation'::text AS waste_type, n.uid, n.pf, n.cp, n.geo, n.role, n.kpi, n.currency,
	       n.cur, n.p10 AS thr, 0::float8 AS thr_lo, n.p10 AS thr_hi,
	       (n.cur - n.p10) * $2 AS stake, (n.cur - n.p10) * $2 AS stake_lo, n.cur * $2 AS stake_hi,
	       greatest(0, $3 - greatest(n.mv, 0)) * (n.cur - n.p10) * $2 AS lost,
	       greatest(0, $3 - n.mv_hi) * (n.cur - n.p10) * $2 AS lost_lo,
	       greatest(0, $3 - greatest(n.mv_lo, 0)) * (n.cur - n.p10) * $2 AS lost_hi,
	       n.mv AS m, n.mv_lo AS m_lo, n.mv_hi AS m_hi,
	       CASE WHEN n.sl_n >= 56 AND n.mv_hi < 0.5 * $3 THEN 'high' ELSE 'medium' END AS confidence,
	       format('%s are flat across the spend observed: over %s days, each extra 1,000%s a day goes with %s %s a day '
	              '(at most %s more at %s%% confidence), worth at most %s per unit of spend, while the campaign as a whole '
	              'returns %s per unit. It is saturated below %s a day, the lowest spend it regularly ran at (its response '
	              'curve cannot place the point: %s). At %s a day, the %s spent above that level over the %s days buy no '
	              'measurable value. Cap it and watch whether %s drop.',
	              initcap(n.kpi), n.sl_n, coalesce(' ' || n.currency, ''),
	              CASE WHEN n.beta >= 0 THEN round((1000 * n.beta)::numeric, 2) || ' more'
	                   ELSE round((-1000 * n.beta)::numeric, 2) || ' fewer' END, n.kpi,
	              round((1000 * n.beta_hi)::numeric, 2), trim_scale(round(($4 * 100)::numeric, 1)), round(n.mv_hi::numeric, 3),
	              round(n.avg_roas::numeric, 2), to_char(round(n.p10::numeric), 'FM999,999,999,990') || coalesce(' ' || n.currency, ''),
	              replace(coalesce(n.status, 'no curve'), '_', ' '),
	              to_char(round(n.cur::numeric), 'FM999,999,999,990') || coalesce(' ' || n.currency, ''),
	              to_char(round(((n.cur - n.p10) * $2)::numeric), 'FM999,999,999,990') || coalesce(' ' || n.currency, ''),
	              $2, n.kpi) AS explanation
	FROM flat AS n
	WHERE n.v IS NOT NULL AND n.avg_roas >= $3 AND NOT coalesce(n.usable, false) AND n.cur > n.p10
),
-- a weak fit makes every curve-based verdict 'low'
cq AS (
	SELECT m.*,
	       (m.status <> 'converged' OR coalesce(m.at_bound, false) OR m.n_days < 56) AS weak
	FROM cm AS m
	WHERE m.usable AND m.uid NOT IN (SELECT r.uid FROM row_niv AS r)
),
-- ---- past break-even ----------------------------------------------------------------
pb AS (
	SELECT q.*,
	       greatest(coalesce(q.be_lo, q.be), 0) AS lo0,
	       least(coalesce(q.be_hi, q.be), q.cur) AS hi0
	FROM cq AS q
	WHERE q.v IS NOT NULL AND q.be IS NOT NULL AND q.cur > q.be
),
-- net loss against the target on the excess spend, integrated over a pointwise
-- band of marginal ROAS (midpoint rule, 40 steps)
pb_band AS (
	SELECT b.uid,
	       sum(greatest(0, $3 - coalesce(@noa@.marginal_roas_hi(b.c, b.hi0 + (b.cur - b.hi0) * (g.i + 0.5) / 40, b.v, $4), 0)))
	         * max(b.cur - b.hi0) / 40 AS lost_lo,
	       sum(greatest(0, $3 - coalesce(@noa@.marginal_roas_lo(b.c, b.lo0 + (b.cur - b.lo0) * (g.i + 0.5) / 40, b.v, $4), 0)))
	         * max(b.cur - b.lo0) / 40 AS lost_hi,
	       max(@noa@.marginal_roas_hi(b.c, b.x_min + (b.x_max - b.x_min) * g.i / 39.0, b.v, $4)) AS m_hi_max
	FROM pb AS b CROSS JOIN generate_series(0, 39) AS g(i)
	GROUP BY b.uid
),
pb_val AS (
	SELECT b.*, bb.m_hi_max,
	       greatest(0, $3 * (b.cur - b.be) - b.v * (b.f_cur - @noa@.response(b.c, b.be))) AS lost_d,
	       bb.lost_lo AS band_lo, bb.lost_hi AS band_hi,
	       b.be > 0 AND (b.be_lo IS NULL OR b.be_hi IS NULL OR b.be_hi - b.be_lo > b.be
	                     OR b.be < 0.5 * b.x_min OR b.be > b.x_max) AS thr_weak
	FROM pb AS b JOIN pb_band AS bb ON bb.uid = b.uid
),
row_pb AS (
	SELECT 'past_breakeven'::text AS waste_type, b.uid, b.pf, b.cp, b.geo, b.role, b.kpi, b.currency,
	       b.cur, b.be AS thr, CASE WHEN b.be > 0 THEN greatest(b.be_lo, 0) ELSE 0 END AS thr_lo,
	       CASE WHEN b.be > 0 THEN b.be_hi ELSE 0 END AS thr_hi,
	       (b.cur - b.be) * $2 AS stake,
	       greatest(0, b.cur - coalesce(b.be_hi, b.be)) * $2 AS stake_lo,
	       (b.cur - least(b.lo0, b.be)) * $2 AS stake_hi,
	       b.lost_d * $2 AS lost,
	       least(b.band_lo, b.lost_d) * $2 AS lost_lo,
	       greatest(b.band_hi, b.lost_d) * $2 AS lost_hi,
	       b.m, b.m_lo, b.m_hi,
	       CASE WHEN b.weak OR b.thr_weak THEN 'low'
	            WHEN b.be > 0 AND b.be_hi < b.cur THEN 'high'
	            WHEN b.be = 0 AND b.m_hi_max < $3 THEN 'high'
	            ELSE 'medium' END AS confidence,
	       CASE WHEN b.be > 0 THEN
	         format('Spends %s a day; above %s a day (interval %s to %s) the next unit of spend returns less than %s '
	                '(marginal ROAS now %s, interval %s to %s, valuing a conversion at %s). Over the %s days the excess '
	                'spend of %s brought back %s of value: %s less than the target return.%s',
	                to_char(round(b.cur::numeric), 'FM999,999,999,990') || coalesce(' ' || b.currency, ''),
	                to_char(round(b.be::numeric), 'FM999,999,999,990'),
	                coalesce(to_char(round(greatest(b.be_lo, 0)::numeric), 'FM999,999,999,990'), '?'),
	                coalesce(to_char(round(b.be_hi::numeric), 'FM999,999,999,990'), '?'),
	                round($3::numeric, 2), coalesce(round(b.m::numeric, 2)::text, '?'),
	                coalesce(round(b.m_lo::numeric, 2)::text, '?'), coalesce(round(b.m_hi::numeric, 2)::text, '?'),
	                round(b.v::numeric, 2), $2,
	                to_char(round(((b.cur - b.be) * $2)::numeric), 'FM999,999,999,990') || coalesce(' ' || b.currency, ''),
	                to_char(round((b.v * (b.f_cur - @noa@.response(b.c, b.be)) * $2)::numeric), 'FM999,999,999,990'),
	                to_char(round((b.lost_d * $2)::numeric), 'FM999,999,999,990') || coalesce(' ' || b.currency, ''),
	                CASE WHEN b.weak OR b.thr_weak THEN ' The curve is uncertain here: test before acting.'
	                     ELSE format(' Capped at %s a day, its last unit of spend would return the target.',
	                                 to_char(round(b.be::numeric), 'FM999,999,999,990')) END)
	       ELSE
	         format('Spends %s a day, but at no spend level does the next unit return %s (best marginal ROAS seen %s, '
	                'valuing a conversion at %s): every unit of spend returns less than the target, %s lost over the %s days.%s',
	                to_char(round(b.cur::numeric), 'FM999,999,999,990') || coalesce(' ' || b.currency, ''), round($3::numeric, 2),
	                coalesce(round(b.m_hi_max::numeric, 2)::text, '?'), round(b.v::numeric, 2),
	                to_char(round((b.lost_d * $2)::numeric), 'FM999,999,999,990') || coalesce(' ' || b.currency, ''), $2,
	                CASE WHEN b.weak THEN ' The curve is uncertain: test before acting.' ELSE '' END)
	       END AS explanation
	FROM pb_val AS b
),
-- ---- past saturation --------------------------------------------------------------
ps AS (
	SELECT q.*,
	       @noa@.response(q.c, q.sat) AS f_sat,
	       CASE WHEN q.v IS NOT NULL THEN
	         $3 * (q.cur - q.sat) - q.v * (q.f_cur - @noa@.response(q.c, q.sat)) END AS lost_d,
	       q.sat_lo IS NULL OR q.sat_hi IS NULL OR q.sat_hi - q.sat_lo > q.sat
	         OR q.sat < 0.5 * q.x_min OR q.sat > q.x_max AS thr_weak
	FROM cq AS q
	WHERE q.sat IS NOT NULL AND q.sat > 0 AND q.cur > q.sat
),
row_ps AS (
	SELECT 'past_saturation'::text AS waste_type, s.uid, s.pf, s.cp, s.geo, s.role, s.kpi, s.currency,
	       s.cur, s.sat AS thr, s.sat_lo AS thr_lo, s.sat_hi AS thr_hi,
	       (s.cur - s.sat) * $2 AS stake,
	       greatest(0, s.cur - coalesce(s.sat_hi, s.sat)) * $2 AS stake_lo,
	       (s.cur - least(greatest(coalesce(s.sat_lo, s.sat), 0), s.sat)) * $2 AS stake_hi,
	       s.lost_d * $2 AS lost, NULL::float8 AS lost_lo, NULL::float8 AS lost_hi,
	       s.m, s.m_lo, s.m_hi,
	       CASE WHEN s.weak OR s.thr_weak THEN 'low'
	            WHEN s.sat_hi < s.cur THEN 'high'
	            ELSE 'medium' END AS confidence,
	       format('Spends %s a day, past the %s a day (interval %s to %s) at which %s reach %s%% of their maximum of about %s a day. '
	              'The last %s a day add %s %s a day (%s%% of the total)%s.%s',
	              to_char(round(s.cur::numeric), 'FM999,999,999,990') || coalesce(' ' || s.currency, ''),
	              to_char(round(s.sat::numeric), 'FM999,999,999,990'),
	              coalesce(to_char(round(s.sat_lo::numeric), 'FM999,999,999,990'), '?'),
	              coalesce(to_char(round(s.sat_hi::numeric), 'FM999,999,999,990'), '?'),
	              s.kpi, round(($7 * 100)::numeric),
	              CASE WHEN s.f_sat / $7 >= 100 THEN to_char(round((s.f_sat / $7)::numeric), 'FM999,999,999,990')
	                   ELSE round((s.f_sat / $7)::numeric, 1)::text END,
	              to_char(round((s.cur - s.sat)::numeric), 'FM999,999,999,990') || coalesce(' ' || s.currency, ''),
	              CASE WHEN s.f_cur - s.f_sat >= 100 THEN to_char(round((s.f_cur - s.f_sat)::numeric), 'FM999,999,999,990')
	                   ELSE round((s.f_cur - s.f_sat)::numeric, 1)::text END, s.kpi,
	              round((100 * (s.f_cur - s.f_sat) / nullif(s.f_cur, 0))::numeric, 1),
	              CASE WHEN s.aware THEN format(' (awareness campaign: judged on %s, its reach KPI, not on last-click conversions)', s.kpi)
	                   WHEN s.v IS NOT NULL THEN format(', worth %s over the %s days against %s spent',
	                        to_char(round((s.v * (s.f_cur - s.f_sat) * $2)::numeric), 'FM999,999,999,990') || coalesce(' ' || s.currency, ''),
	                        $2,
	                        to_char(round(((s.cur - s.sat) * $2)::numeric), 'FM999,999,999,990') || coalesce(' ' || s.currency, ''))
	                   ELSE '' END,
	              CASE WHEN s.weak OR s.thr_weak THEN ' The curve is uncertain here: test before acting.'
	                   ELSE format(' Capped at %s a day it would keep %s%% of its %s.',
	                               to_char(round(s.sat::numeric), 'FM999,999,999,990'),
	                               round((100 * s.f_sat / nullif(s.f_cur, 0))::numeric), s.kpi) END) AS explanation
	FROM ps AS s
	-- for value KPIs spend past saturation is waste only when it returns less than the target
	WHERE s.v IS NULL OR s.lost_d > 0
),
-- ---- over-invested geos -------------------------------------------------------------
geo_units AS (
	SELECT q.geo, q.currency, q.cur, q.m, q.m_lo, q.m_hi, q.weak,
	       p.lost_d, p.band_lo, p.band_hi, p.be AS pbe, p.be_lo AS pbe_lo, p.be_hi AS pbe_hi
	FROM cq AS q LEFT JOIN pb_val AS p ON p.uid = q.uid
	WHERE q.geo IS NOT NULL AND q.v IS NOT NULL AND q.m IS NOT NULL AND q.m_lo IS NOT NULL AND q.m_hi IS NOT NULL
	UNION ALL
	-- saturated campaigns without a usable curve: marginal return from the slope
	SELECT r.geo, r.currency, r.cur, greatest(r.m, 0), greatest(r.m_lo, 0), greatest(r.m_hi, 0), false,
	       r.lost / $2, r.lost_lo / $2, r.lost_hi / $2, r.thr, r.thr_lo, r.thr_hi
	FROM row_mfs AS r
	WHERE r.geo IS NOT NULL
),
geo_agg AS (
	SELECT g.geo, min(g.currency) AS currency, count(*) AS units, count(DISTINCT g.currency) AS ncur,
	       sum(g.cur) AS cur,
	       sum(g.cur * g.m) / sum(g.cur) AS m, sum(g.cur * g.m_lo) / sum(g.cur) AS m_lo, sum(g.cur * g.m_hi) / sum(g.cur) AS m_hi,
	       sum(least(g.cur, coalesce(g.pbe, g.cur))) AS thr,
	       sum(least(g.cur, coalesce(g.pbe_lo, g.pbe, g.cur))) AS thr_lo,
	       sum(least(g.cur, coalesce(g.pbe_hi, g.pbe, g.cur))) AS thr_hi,
	       sum(coalesce(g.lost_d, 0)) AS lost_d,
	       sum(coalesce(least(g.band_lo, g.lost_d), 0)) AS lost_lo_d,
	       sum(coalesce(greatest(g.band_hi, g.lost_d), 0)) AS lost_hi_d,
	       sum(g.cur) FILTER (WHERE g.weak) AS weak_cur,
	       count(*) FILTER (WHERE g.pbe IS NOT NULL AND g.cur > g.pbe) AS past_units
	FROM geo_units AS g
	GROUP BY g.geo
),
row_geo AS (
	SELECT 'over_invested_geo'::text AS waste_type, NULL::bigint AS uid, NULL::text AS pf, NULL::text AS cp, a.geo,
	       NULL::text AS role, 'conversions'::text AS kpi, a.currency,
	       a.cur, a.thr, a.thr_lo, a.thr_hi,
	       (a.cur - a.thr) * $2 AS stake, (a.cur - a.thr_hi) * $2 AS stake_lo, (a.cur - a.thr_lo) * $2 AS stake_hi,
	       a.lost_d * $2 AS lost, a.lost_lo_d * $2 AS lost_lo, a.lost_hi_d * $2 AS lost_hi,
	       a.m, a.m_lo, a.m_hi,
	       CASE WHEN coalesce(a.weak_cur, 0) > 0.5 * a.cur THEN 'low'
	            WHEN a.m_hi < $3 THEN 'high' ELSE 'medium' END AS confidence,
	       format('Across its %s campaigns judged on conversion value, %s spends %s a day with a spend-weighted marginal ROAS of %s '
	              '(interval %s to %s), below the target of %s: the next unit of spend in %s returns less than it costs. '
	              '%s of them are past break-even; bringing them back to it frees %s a day (%s over the %s days) '
	              'and saves %s of net loss.',
	              a.units, a.geo, to_char(round(a.cur::numeric), 'FM999,999,999,990') || coalesce(' ' || a.currency, ''),
	              round(a.m::numeric, 2), round(a.m_lo::numeric, 2), round(a.m_hi::numeric, 2), round($3::numeric, 2),
	              a.geo, a.past_units,
	              to_char(round((a.cur - a.thr)::numeric), 'FM999,999,999,990') || coalesce(' ' || a.currency, ''),
	              to_char(round(((a.cur - a.thr) * $2)::numeric), 'FM999,999,999,990') || coalesce(' ' || a.currency, ''), $2,
	              to_char(round((a.lost_d * $2)::numeric), 'FM999,999,999,990') || coalesce(' ' || a.currency, '')) AS explanation
	FROM geo_agg AS a
	WHERE a.units >= 2 AND a.ncur <= 1 AND a.m < $3 AND a.past_units > 0
),
allrows AS (
	SELECT * FROM row_niv UNION ALL SELECT * FROM row_mfs UNION ALL SELECT * FROM row_pb UNION ALL SELECT * FROM row_ps
	UNION ALL SELECT * FROM row_geo
)
SELECT a.waste_type, a.pf, a.cp, a.geo, a.role, a.kpi,
       (SELECT max(st.period_start) FROM st), (SELECT max(st.period_end) FROM st),
       round(a.cur::numeric, 2), round(a.thr::numeric, 2), round(a.thr_lo::numeric, 2), round(a.thr_hi::numeric, 2),
       round(a.stake::numeric, 2), round(a.stake_lo::numeric, 2), round(a.stake_hi::numeric, 2),
       round(a.lost::numeric, 2), round(a.lost_lo::numeric, 2), round(a.lost_hi::numeric, 2),
       a.m::float8, a.m_lo::float8, a.m_hi::float8,
       a.currency, a.confidence, a.explanation
FROM allrows AS a
WHERE round(a.stake::numeric, 2) > 0
ORDER BY round(a.stake::numeric, 2) DESC, a.waste_type, a.pf NULLS FIRST, a.cp NULLS FIRST, a.geo NULLS FIRST
$sql$;

	SELECT n.nspname INTO ext_nsp
	FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
	WHERE e.extname = 'noa';
	q := replace(q, '@noa@', quote_ident(ext_nsp));

	BEGIN
		RETURN QUERY EXECUTE q
			USING source, window_days, target_mroas, level, z_one, as_of, saturation_share, model,
			      date_col, platform_col, campaign_col, spend_col, impressions_col, clicks_col, conversions_col,
			      value_col, role_col, geo_col, currency_col;
	EXCEPTION WHEN invalid_parameter_value OR undefined_column OR datatype_mismatch OR null_value_not_allowed
	               OR wrong_object_type THEN
		-- argument errors found while reading the source: report them without
		-- the text of the internal query
		GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_msg = MESSAGE_TEXT,
		                        err_detail = PG_EXCEPTION_DETAIL, err_hint = PG_EXCEPTION_HINT;
		IF coalesce(err_detail, '') = '' THEN
			RAISE EXCEPTION USING ERRCODE = err_state, MESSAGE = err_msg, HINT = coalesce(err_hint, '');
		END IF;
		RAISE EXCEPTION USING ERRCODE = err_state, MESSAGE = err_msg, DETAIL = err_detail, HINT = coalesce(err_hint, '');
	END;
END;
$function$;

COMMENT ON FUNCTION @extschema@.waste(regclass, float8, float8, integer, date, text, text, text, text, text, text,
                                      text, text, text, text, text, text, float8) IS
	'wasted ad spend per campaign and geo over the last window_days: spend past break-even (with the value lost), past saturation, with no incremental value, and over-invested geos; one flat row per finding with the threshold, amounts at stake with intervals, a confidence bucket and an explanation';

-- ---------------------------------------------------------------------------
-- The action plan: noa.recommendations(source, ...)
-- ---------------------------------------------------------------------------
--
-- Ranked, flat rows saying what to fix and what to do, with the money at stake:
--
--   fix_tracking  every data-quality error and warning (noa.data_quality);
--                 errors block all budget advice on their campaign (or on
--                 the whole table when they name no campaign)
--   cut           campaigns with no incremental value (noa.waste, high
--                 confidence): pause them
--   cap_spend     campaigns past break-even or saturation (noa.waste, high
--                 confidence): cap them at the threshold
--   shift_budget  the reallocation of the remaining budget by the optimiser
--                 (noa.allocate over the campaigns with trustworthy curves,
--                 role floors respected), as from -> to pairs
--   scale_up      campaigns whose marginal ROAS stays above the target after
--                 the reallocation, with room before their break-even
--   test_first    any of the above whose evidence is not strong enough
--                 (medium or low confidence): a short experiment with the
--                 campaign, the change and the days needed to tell
--
-- The money figures of cut and cap_spend are noa.waste's, those of
-- shift_budget noa.allocate's, so the functions agree.  Rules, thresholds and
-- the experiment-length formula are in docs/recommendations.md.
--
-- Security as in noa.waste: the relations come in as regclass, columns are
-- resolved by noa._campaign_state and noa.data_quality (format('%I')), noa's
-- own functions are called through the extension's schema looked up in
-- pg_extension, search_path is pinned and the function runs as the caller.
-- STABLE (reads tables, writes nothing); PARALLEL UNSAFE because, like
-- noa.waste, it catches argument errors raised inside (columns, role floors,
-- budgets the optimiser cannot meet) in an EXCEPTION block to report them
-- as its own, and a subtransaction is not allowed in parallel mode.

CREATE FUNCTION @extschema@.recommendations(
	source               regclass,
	budget               numeric  DEFAULT NULL,
	business             regclass DEFAULT NULL,
	target_mroas         float8   DEFAULT 1,
	level                float8   DEFAULT 0.9,
	window_days          integer  DEFAULT 28,
	as_of                date     DEFAULT NULL,
	max_change           float8   DEFAULT 0.5,
	group_min_share      text     DEFAULT NULL,
	date_col             text     DEFAULT 'date_day',
	platform_col         text     DEFAULT 'platform',
	campaign_col         text     DEFAULT 'campaign_id',
	spend_col            text     DEFAULT 'spend',
	impressions_col      text     DEFAULT 'impressions',
	clicks_col           text     DEFAULT 'clicks',
	conversions_col      text     DEFAULT 'conversions',
	value_col            text     DEFAULT 'conversions_value',
	role_col             text     DEFAULT 'campaign_role',
	geo_col              text     DEFAULT 'geo',
	currency_col         text     DEFAULT 'currency',
	business_date_col    text     DEFAULT 'date_day',
	business_orders_col  text     DEFAULT 'orders',
	business_revenue_col text     DEFAULT 'revenue',
	model                text     DEFAULT 'hill')
RETURNS TABLE (
	rank               integer,
	action             text,
	platform           text,
	campaign_id        text,
	geo                text,
	from_campaign      text,
	to_campaign        text,
	amount             numeric,
	amount_per_day     numeric,
	expected_effect    numeric,
	expected_effect_lo numeric,
	expected_effect_hi numeric,
	currency           text,
	period_start       date,
	period_end         date,
	test_days          integer,
	confidence         text,
	reason             text,
	explanation        text)
LANGUAGE plpgsql
STABLE
PARALLEL UNSAFE
CALLED ON NULL INPUT
COST 1000000
ROWS 30
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
	ext_nsp  name;
	p        float8;
	t        float8;
	z_two    float8;     -- two-sided normal quantile at level
	q        text;
	err_state  text;
	err_msg    text;
	err_detail text;
	err_hint   text;
BEGIN
	IF source IS NULL THEN
		RAISE EXCEPTION 'noa.recommendations: source must not be NULL'
			USING ERRCODE = 'null_value_not_allowed',
			      HINT = 'Pass the ad table or view, e.g. noa.recommendations(''noa_demo.ad_spend'').';
	END IF;
	IF target_mroas IS NULL OR NOT (target_mroas > 0 AND target_mroas < 1e6) THEN
		RAISE EXCEPTION 'noa.recommendations: target_mroas must be a positive number, got %', coalesce(target_mroas::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'target_mroas is the return the last unit of spend must bring back (1 = break-even on revenue; '
			             'e.g. 2.5 when only 40% of revenue is margin).';
	END IF;
	IF level IS NULL OR NOT (level >= 0.5 AND level < 1) THEN
		RAISE EXCEPTION 'noa.recommendations: level must be at least 0.5 and below 1, got %', coalesce(level::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'level is the confidence of the intervals and tests, e.g. 0.8, 0.9 (default) or 0.95.';
	END IF;
	IF max_change IS NULL OR NOT (max_change > 0 AND max_change <= 1) THEN
		RAISE EXCEPTION 'noa.recommendations: max_change must be above 0 and at most 1, got %', coalesce(max_change::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'max_change is the largest relative change of one campaign''s daily spend in a reallocation (default 0.5 = ±50%).';
	END IF;
	IF budget IS NOT NULL AND NOT (budget >= 0 AND budget < 'Infinity') THEN
		RAISE EXCEPTION 'noa.recommendations: budget must be 0 or more, got %', budget
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'budget is the total spend for the period of window_days days; leave it NULL to keep today''s total.';
	END IF;

	-- Two-sided standard normal quantile at level (Abramowitz & Stegun 26.2.23).
	p := (1 - level) / 2;
	t := sqrt(-2 * ln(p));
	z_two := t - (2.515517 + 0.802853 * t + 0.010328 * t * t)
	             / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);

	-- $1 source, $2 business, $3 target_mroas, $4 level, $5 window_days, $6 as_of,
	-- $7 max_change, $8 group_min_share, $9 budget, $10 model, $11 z_two,
	-- $12 .. $22 the ad table's columns, $23 .. $25 the business table's,
	-- $26 whether group_min_share names the awareness role.
	q := $sql$
WITH
dq AS MATERIALIZED (
	SELECT d.* FROM @noa@.data_quality($1, $2, $12, $13, $14, $15, $16, $17, $18, $19, $22, $23, $24, $25, $6) AS d
),
-- errors naming a campaign block it; errors naming none block everything
blocked AS (
	SELECT DISTINCT d.platform, d.campaign_id FROM dq AS d WHERE d.severity = 'error' AND d.campaign_id IS NOT NULL
),
block_all AS (
	SELECT coalesce(bool_or(d.severity = 'error' AND d.campaign_id IS NULL), false) AS yes FROM dq AS d
),
warned AS (
	SELECT d.platform, d.campaign_id, string_agg(DISTINCT d.check_name, ', ') AS checks
	FROM dq AS d WHERE d.severity = 'warning' AND d.campaign_id IS NOT NULL AND d.check_name <> 'no_spend_response'
	GROUP BY d.platform, d.campaign_id
),
wst AS MATERIALIZED (
	SELECT w.* FROM @noa@.waste($1, $3, $4, $5, $6, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $10) AS w
	WHERE w.campaign_id IS NOT NULL
),
st AS MATERIALIZED (
	SELECT s.*, s.curve::@noa@.curve AS c
	FROM @noa@._campaign_state($1, $6, $5, $10, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
	                           'noa.recommendations') AS s
),
-- every campaign (and geo) with what is known about it
unit AS MATERIALIZED (
	SELECT row_number() OVER (ORDER BY s.platform, s.campaign_id, s.geo) AS uid, s.*,
	       @noa@.curve_status(s.c) IN ('converged', 'max_iterations') AS usable,
	       coalesce(@noa@.curve_status(s.c) <> 'converged'
	                OR (@noa@.curve_to_jsonb(s.c) ->> 'at_bound')::boolean OR s.n_days < 56, true) AS weak,
	       (@noa@.curve_to_jsonb(s.c) ->> 'sigma')::float8 AS sigma,
	       (@noa@.curve_to_jsonb(s.c) ->> 'x_max')::float8 AS x_max,
	       (SELECT b.yes FROM block_all AS b)
	         OR EXISTS (SELECT 1 FROM blocked AS b
	                    WHERE b.campaign_id = s.campaign_id AND b.platform IS NOT DISTINCT FROM s.platform) AS is_blocked,
	       (SELECT w.checks FROM warned AS w
	         WHERE w.campaign_id = s.campaign_id AND w.platform IS NOT DISTINCT FROM s.platform) AS warnings
	FROM st AS s
),
-- ---- 1. data-quality rows ---------------------------------------------------------
fix AS (
	SELECT 0 AS grp, CASE d.severity WHEN 'error' THEN 0 ELSE 1 END AS sub,
	       'fix_tracking'::text AS action, d.platform, d.campaign_id, NULL::text AS geo,
	       NULL::text AS from_campaign, NULL::text AS to_campaign,
	       d.spend_affected::float8 AS amount, NULL::float8 AS per_day,
	       NULL::float8 AS eff, NULL::float8 AS eff_lo, NULL::float8 AS eff_hi, d.currency,
	       d.first_day AS p_start, d.last_day AS p_end, NULL::integer AS test_days,
	       CASE d.severity WHEN 'error' THEN 'high' ELSE 'medium' END AS confidence, d.check_name AS reason,
	       CASE WHEN d.severity = 'error' AND d.campaign_id IS NULL
	            THEN 'Fix first: no budget advice is given on this table until this is fixed. '
	            WHEN d.severity = 'error'
	            THEN 'Fix first: no budget advice is given on this campaign until this is fixed. '
	            WHEN d.check_name LIKE 'over_attribution%'
	            THEN format('Platforms over-count: judge them with a target_mroas above 1 (about the ratio below) or '
	                        'against the business table. ')
	            ELSE 'Check: ' END || d.explanation AS explanation
	FROM dq AS d
	WHERE d.severity IN ('error', 'warning') AND d.check_name <> 'no_spend_response'
),
-- ---- 2. waste: one verdict per campaign ----------------------------------------------
verdict AS (
	SELECT DISTINCT ON (u.uid) u.uid, w.*
	FROM unit AS u
	JOIN wst AS w ON w.campaign_id = u.campaign_id AND w.platform IS NOT DISTINCT FROM u.platform
	             AND w.geo IS NOT DISTINCT FROM u.geo
	WHERE NOT u.is_blocked AND w.waste_type IN ('no_incremental_value', 'past_breakeven', 'past_saturation')
	ORDER BY u.uid, CASE w.waste_type WHEN 'no_incremental_value' THEN 0 WHEN 'past_breakeven' THEN 1 ELSE 2 END
),
waste_act AS (
	SELECT v.*, u.c, u.sigma, u.slope, u.slope_se, u.resid_sd, u.kpi AS u_kpi, u.warnings, u.current_spend AS cur,
	       v.threshold_spend_per_day::float8 AS thr,
	       CASE WHEN v.confidence = 'high' THEN
	         CASE v.waste_type WHEN 'no_incremental_value' THEN 'cut' ELSE 'cap_spend' END
	       ELSE 'test_first' END AS action,
	       -- expected daily change of the KPI and its noise, for the length of a test
	       CASE WHEN u.usable THEN abs(@noa@.response(u.c, u.current_spend) - @noa@.response(u.c, v.threshold_spend_per_day::float8))
	            ELSE abs(u.slope + $11 * u.slope_se) * (u.current_spend - v.threshold_spend_per_day::float8) END AS delta,
	       CASE WHEN u.usable THEN u.sigma ELSE u.resid_sd END AS noise
	FROM verdict AS v JOIN unit AS u ON u.uid = v.uid
),
waste_rows AS (
	SELECT 1 AS grp, 0 AS sub, a.action, a.platform, a.campaign_id, a.geo,
	       NULL::text AS from_campaign, NULL::text AS to_campaign,
	       a.spend_at_stake::float8 AS amount, (a.cur - a.thr) AS per_day,
	       a.value_lost::float8 AS eff, a.value_lost_lo::float8 AS eff_lo, a.value_lost_hi::float8 AS eff_hi,
	       a.currency, a.period_start AS p_start, a.period_end AS p_end,
	       CASE WHEN a.action = 'test_first' THEN
	         CASE WHEN a.delta > 0 AND a.noise > 0
	              THEN (7 * ceil(least(364, greatest(7, 2 * power($11 + 0.8416, 2) * power(least(a.noise / a.delta, 1e6), 2))) / 7))::integer
	         END END AS test_days,
	       a.confidence, a.waste_type AS reason,
	       CASE a.action
	       WHEN 'cut' THEN format('Pause %s (%s): ', a.campaign_id, coalesce(a.campaign_role, 'no role'))
	       WHEN 'cap_spend' THEN format('Cap %s at %s a day (now %s): ', a.campaign_id,
	                                    to_char(round(a.thr::numeric), 'FM999,999,999,990'),
	                                    to_char(round(a.cur::numeric), 'FM999,999,999,990') || coalesce(' ' || a.currency, ''))
	       ELSE '' END
	       || CASE WHEN a.action = 'test_first' THEN
	            format('Test before acting on %s (%s evidence): lower its spend from %s to %s a day %s and compare %s. '
	                   'The expected change, %s %s a day against daily noise of %s, %s. ',
	                   a.campaign_id, a.confidence,
	                   to_char(round(a.cur::numeric), 'FM999,999,999,990') || coalesce(' ' || a.currency, ''),
	                   to_char(round(a.thr::numeric), 'FM999,999,999,990'),
	                   'on alternate weeks (or in one region only)', a.u_kpi,
	                   coalesce(round(a.delta::numeric, 1)::text, '?'), a.u_kpi, coalesce(round(a.noise::numeric, 1)::text, '?'),
	                   CASE WHEN a.delta > 0 AND a.noise > 0
	                        THEN format('needs about %s days to stand out at %s%% confidence with 80%% power',
	                                    (7 * ceil(least(364, greatest(7, 2 * power($11 + 0.8416, 2) * power(least(a.noise / a.delta, 1e6), 2))) / 7))::integer,
	                                    trim_scale(round(($4 * 100)::numeric, 1)))
	                        ELSE 'cannot be measured from this data' END)
	          ELSE '' END
	       || a.explanation
	       || CASE WHEN a.warnings IS NOT NULL
	               THEN format(' Data warning on this campaign: %s (see fix_tracking).', a.warnings) ELSE '' END AS explanation
	FROM waste_act AS a
),
-- ---- 3. the reallocation ----------------------------------------------------------------
-- The portfolio: trusted campaigns judged on conversion value with a usable
-- curve, at their spend after the cuts and caps above (a capped campaign may
-- only give money, never take it back above its cap).
-- Awareness campaigns stay out unless group_min_share names them: then they
-- join with their conversion curve, held up by their floor.
aware_conv AS MATERIALIZED (
	SELECT s.*, s.curve::@noa@.curve AS c,
	       coalesce(@noa@.curve_status(s.curve::@noa@.curve) <> 'converged'
	                OR (@noa@.curve_to_jsonb(s.curve::@noa@.curve) ->> 'at_bound')::boolean OR s.n_days < 56, true) AS weak,
	       (@noa@.curve_to_jsonb(s.curve::@noa@.curve) ->> 'sigma')::float8 AS sigma,
	       (@noa@.curve_to_jsonb(s.curve::@noa@.curve) ->> 'x_max')::float8 AS x_max
	FROM @noa@._campaign_state($1, $6, $5, $10, $12, $13, $14, $15, $16, $17, $18, $19, NULL, $21, $22,
	                           'noa.recommendations') AS s
	WHERE $26
	  AND @noa@.curve_status(s.curve::@noa@.curve) IN ('converged', 'max_iterations') AND s.value_per_unit IS NOT NULL
),
port AS MATERIALIZED (
	SELECT u.uid, u.platform, u.campaign_id, u.geo, u.campaign_role, u.currency, u.period_start, u.period_end,
	       u.warnings, u.current_spend,
	       CASE WHEN u.awareness THEN 'conversions' ELSE u.kpi END AS kpi,
	       CASE WHEN u.awareness THEN k.c ELSE u.c END AS c,
	       CASE WHEN u.awareness THEN k.value_per_unit ELSE u.value_per_unit END AS value_per_unit,
	       CASE WHEN u.awareness THEN k.sigma ELSE u.sigma END AS sigma,
	       CASE WHEN u.awareness THEN k.weak ELSE u.weak END AS weak,
	       CASE WHEN u.awareness THEN k.x_max ELSE u.x_max END AS x_max,
	       CASE WHEN a.action = 'cap_spend' THEN a.thr ELSE u.current_spend END AS s0,
	       coalesce(a.action = 'cap_spend', false) AS capped,
	       CASE WHEN count(*) OVER (PARTITION BY u.campaign_id) > 1
	            THEN u.campaign_id || ' [' || coalesce(u.platform, '-') || '/' || coalesce(u.geo, '-') || ']'
	            ELSE u.campaign_id END AS key
	FROM unit AS u
	LEFT JOIN waste_act AS a ON a.uid = u.uid
	LEFT JOIN aware_conv AS k ON u.awareness AND k.campaign_id = u.campaign_id
	                         AND k.platform IS NOT DISTINCT FROM u.platform AND k.geo IS NOT DISTINCT FROM u.geo
	WHERE NOT u.is_blocked
	  AND CASE WHEN u.awareness THEN k.c IS NOT NULL ELSE u.usable AND u.value_per_unit IS NOT NULL END
	  AND a.action IS DISTINCT FROM 'cut'
	  AND u.currency IS NOT DISTINCT FROM (SELECT m.currency FROM unit AS m GROUP BY m.currency
	                                      ORDER BY sum(m.current_spend) DESC, m.currency LIMIT 1)
),
-- the budget per day for the portfolio: today's total after the cuts and caps,
-- or the budget given less what the campaigns outside the portfolio keep
budget0 AS (
	SELECT CASE WHEN $9 IS NULL THEN (SELECT sum(p.s0) FROM port AS p)
	            ELSE $9::float8 / $5
	                 - coalesce((SELECT sum(CASE WHEN a.action = 'cut' THEN 0
	                                             WHEN a.action = 'cap_spend' THEN a.thr
	                                             ELSE u.current_spend END)
	                             FROM unit AS u LEFT JOIN waste_act AS a ON a.uid = u.uid
	                             WHERE u.uid NOT IN (SELECT p.uid FROM port AS p)), 0) END AS b,
	       (SELECT sum(p.s0) * (1 - $7) FROM port AS p) AS b_min
),
-- a budget below what the portfolio can reach within -max_change stops there
budget1 AS (
	SELECT greatest(b.b, coalesce(b.b_min, 0), 0) AS b, b.b < b.b_min AS clamped FROM budget0 AS b
),
pf1 AS MATERIALIZED (
	SELECT @noa@.portfolio(p.key, p.c, p.s0, NULL::float8,
	                       CASE WHEN p.capped THEN p.s0 ELSE greatest(p.x_max, p.s0) END,
	                       p.campaign_role, p.value_per_unit, false) AS pf
	FROM port AS p
),
alloc1 AS MATERIALIZED (
	SELECT a.*, p.uid
	FROM pf1, budget1,
	     LATERAL @noa@.allocate(pf1.pf, budget => budget1.b, objective => 'max_response', max_increase => $7,
	                            max_decrease => $7, group_min_share => $8, level => $4) AS a
	JOIN port AS p ON p.key = a.key
	WHERE pf1.pf IS NOT NULL AND a.row_type = 'item'
),
-- the same moves through the simulator, for the intervals of their effect
sim1 AS MATERIALIZED (
	SELECT s.*, p.uid
	FROM pf1,
	     LATERAL (SELECT string_agg(format('set "%s" to %s', replace(a.key, '"', '""'), a.recommended_spend), '; '
	                                ORDER BY a.key) AS ch
	              FROM alloc1 AS a WHERE a.recommended_spend <> round(a.current_spend, 2)) AS c,
	     LATERAL @noa@.simulate(pf1.pf, c.ch, $4) AS s
	JOIN port AS p ON p.key = s.key
	WHERE pf1.pf IS NOT NULL AND c.ch IS NOT NULL AND s.row_type = 'item'
),
moves AS MATERIALIZED (
	SELECT p.uid, p.campaign_id, p.platform, p.geo, p.currency, p.kpi, p.c, p.sigma, p.weak, p.value_per_unit AS v,
	       p.period_start, p.period_end, p.s0, a.recommended_spend::float8 AS s1,
	       a.recommended_spend::float8 - p.s0 AS d, a.marginal_roas_now AS m0, a.marginal_roas_after AS m1,
	       s.delta_value::float8 AS dv,
	       p.value_per_unit * s.delta_response_lo AS dv_lo, p.value_per_unit * s.delta_response_hi AS dv_hi,
	       a.binding_constraint
	FROM port AS p JOIN alloc1 AS a ON a.uid = p.uid JOIN sim1 AS s ON s.uid = p.uid
	WHERE abs(a.recommended_spend::float8 - p.s0) >= 0.5
),
-- pair the money given (lowest marginal ROAS first) with the money taken
-- (highest first) along two cumulative scales
donors AS (
	SELECT m.*, -m.d AS amt, sum(-m.d) OVER (ORDER BY m.m0, m.uid) AS c_end FROM moves AS m WHERE m.d < 0
),
receivers AS (
	SELECT m.*, m.d AS amt, sum(m.d) OVER (ORDER BY m.m0 DESC, m.uid) AS c_end FROM moves AS m WHERE m.d > 0
),
pairs AS (
	SELECT d.uid AS d_uid, r.uid AS r_uid,
	       least(d.c_end, r.c_end) - greatest(d.c_end - d.amt, r.c_end - r.amt) AS a,
	       d.campaign_id AS d_cp, r.campaign_id AS r_cp, r.platform AS r_pf, r.geo AS r_geo, r.currency,
	       r.period_start, r.period_end, d.m0 AS d_m0, r.m0 AS r_m0, d.m1 AS d_m1, r.m1 AS r_m1,
	       d.weak OR r.weak AS weak, r.kpi, r.sigma AS r_sigma, r.c AS r_c, r.s0 AS r_s0,
	       -- each item's change of value, shared out in proportion to the amounts
	       (least(d.c_end, r.c_end) - greatest(d.c_end - d.amt, r.c_end - r.amt)) AS share_amt,
	       d.amt AS d_amt, r.amt AS r_amt, d.dv AS d_dv, d.dv_lo AS d_dv_lo, d.dv_hi AS d_dv_hi,
	       r.dv AS r_dv, r.dv_lo AS r_dv_lo, r.dv_hi AS r_dv_hi
	FROM donors AS d JOIN receivers AS r ON d.c_end - d.amt < r.c_end AND r.c_end - r.amt < d.c_end
),
pair_val AS (
	SELECT q.*,
	       q.r_dv * q.a / q.r_amt + q.d_dv * q.a / q.d_amt AS eff,
	       q.r_dv_lo * q.a / q.r_amt + q.d_dv_lo * q.a / q.d_amt AS eff_lo,
	       q.r_dv_hi * q.a / q.r_amt + q.d_dv_hi * q.a / q.d_amt AS eff_hi,
	       abs(@noa@.response(q.r_c, q.r_s0 + q.a) - @noa@.response(q.r_c, q.r_s0)) AS delta
	FROM pairs AS q WHERE q.a >= 0.5
),
shift_rows AS (
	SELECT 1 AS grp, 0 AS sub,
	       CASE WHEN q.eff_lo > 0 AND NOT q.weak THEN 'shift_budget' ELSE 'test_first' END AS action,
	       NULL::text AS platform, NULL::text AS campaign_id, NULL::text AS geo, q.d_cp AS from_campaign, q.r_cp AS to_campaign,
	       q.a * $5 AS amount, q.a AS per_day, q.eff * $5 AS eff, q.eff_lo * $5 AS eff_lo, q.eff_hi * $5 AS eff_hi,
	       q.currency, q.period_start AS p_start, q.period_end AS p_end,
	       CASE WHEN NOT (q.eff_lo > 0 AND NOT q.weak) AND q.delta > 0 AND q.r_sigma > 0
	            THEN (7 * ceil(least(364, greatest(7, 2 * power($11 + 0.8416, 2) * power(least(q.r_sigma / q.delta, 1e6), 2))) / 7))::integer END AS test_days,
	       CASE WHEN q.eff_lo > 0 AND NOT q.weak THEN 'high' WHEN q.weak THEN 'low' ELSE 'medium' END AS confidence,
	       'reallocation'::text AS reason,
	       format('%sMove %s a day (%s over the %s days) from %s, where the next unit returns %s, to %s, where it returns %s: '
	              '%s more value at the same total spend (interval %s to %s). After the move they return %s and %s. '
	              'Part of noa.allocate''s split of %s a day over %s campaigns%s.',
	              CASE WHEN q.eff_lo > 0 AND NOT q.weak THEN ''
	                   ELSE format('Test first (%s evidence): move the money on alternate weeks for %s days and compare %s of %s. ',
	                               CASE WHEN q.weak THEN 'low' ELSE 'medium' END,
	                               coalesce((7 * ceil(least(364, greatest(7, 2 * power($11 + 0.8416, 2) * power(least(q.r_sigma / nullif(q.delta, 0), 1e6), 2))) / 7))::integer::text, '?'),
	                               q.kpi, q.r_cp) END,
	              to_char(round(q.a::numeric), 'FM999,999,999,990') || coalesce(' ' || q.currency, ''),
	              to_char(round((q.a * $5)::numeric), 'FM999,999,999,990') || coalesce(' ' || q.currency, ''), $5,
	              q.d_cp, round(q.d_m0::numeric, 2), q.r_cp, round(q.r_m0::numeric, 2),
	              to_char(round((q.eff * $5)::numeric), 'FM999,999,999,990') || coalesce(' ' || q.currency, ''),
	              to_char(round((q.eff_lo * $5)::numeric), 'FM999,999,999,990'),
	              to_char(round((q.eff_hi * $5)::numeric), 'FM999,999,999,990'),
	              round(q.d_m1::numeric, 2), round(q.r_m1::numeric, 2),
	              to_char(round((SELECT b.b FROM budget1 AS b)::numeric), 'FM999,999,999,990') || coalesce(' ' || q.currency, ''),
	              (SELECT count(*) FROM port),
	              CASE WHEN $8 IS NOT NULL THEN format(' with role floors %s', $8) ELSE '' END) AS explanation
	FROM pair_val AS q
),
-- a budget given above or below the portfolio's spend: what no pair carries
leftover AS (
	SELECT m.*, abs(m.d) - coalesce((SELECT sum(q.a) FROM pairs AS q WHERE m.uid IN (q.d_uid, q.r_uid)), 0) AS rest,
	       abs(@noa@.response(m.c, m.s1) - @noa@.response(m.c, m.s0)) AS delta
	FROM moves AS m
),
budget_rows AS (
	SELECT 1 AS grp, 0 AS sub,
	       CASE WHEN l.weak THEN 'test_first' WHEN l.d > 0 THEN 'scale_up' ELSE 'cap_spend' END AS action,
	       l.platform, l.campaign_id, l.geo, NULL::text AS from_campaign, NULL::text AS to_campaign,
	       l.rest * $5 AS amount, l.rest AS per_day,
	       (l.dv * l.rest / abs(l.d) - $3 * sign(l.d) * l.rest) * $5 AS eff,
	       (least(l.dv_lo, l.dv) * l.rest / abs(l.d) - $3 * sign(l.d) * l.rest) * $5 AS eff_lo,
	       (greatest(l.dv_hi, l.dv) * l.rest / abs(l.d) - $3 * sign(l.d) * l.rest) * $5 AS eff_hi,
	       l.currency, l.period_start AS p_start, l.period_end AS p_end,
	       CASE WHEN l.weak AND l.delta > 0 AND l.sigma > 0
	            THEN (7 * ceil(least(364, greatest(7, 2 * power($11 + 0.8416, 2) * power(least(l.sigma / l.delta, 1e6), 2))) / 7))::integer END AS test_days,
	       CASE WHEN l.weak THEN 'low' ELSE 'high' END AS confidence, 'budget'::text AS reason,
	       format('%s %s by %s a day (%s over the %s days) to meet the budget of %s: the next unit returns %s there, %s after. '
	              'Value changes by %s (interval %s to %s); with the money valued at the target of %s that is %s.',
	              CASE WHEN l.d > 0 THEN 'Raise' ELSE 'Lower' END, l.campaign_id,
	              to_char(round(l.rest::numeric), 'FM999,999,999,990') || coalesce(' ' || l.currency, ''),
	              to_char(round((l.rest * $5)::numeric), 'FM999,999,999,990') || coalesce(' ' || l.currency, ''), $5,
	              to_char(round($9), 'FM999,999,999,990') || coalesce(' ' || l.currency, ''),
	              round(l.m0::numeric, 2), round(l.m1::numeric, 2),
	              to_char(round((l.dv * l.rest / abs(l.d) * $5)::numeric), 'FMS999,999,999,990'),
	              to_char(round((least(l.dv_lo, l.dv) * l.rest / abs(l.d) * $5)::numeric), 'FMS999,999,999,990'),
	              to_char(round((greatest(l.dv_hi, l.dv) * l.rest / abs(l.d) * $5)::numeric), 'FMS999,999,999,990'),
	              round($3::numeric, 2),
	              to_char(round(((l.dv * l.rest / abs(l.d) - $3 * sign(l.d) * l.rest) * $5)::numeric), 'FMS999,999,999,990'))
	       || CASE WHEN (SELECT b.clamped FROM budget1 AS b)
	               THEN format(' The budget needs deeper cuts than max_change (%s%%) allows: the plan stops at that limit.',
	                           round(($7 * 100)::numeric))
	               ELSE '' END AS explanation
	FROM leftover AS l
	WHERE l.rest >= 0.5
),
-- ---- 4. scale up: extra budget that pays at or above the target ---------------------------
-- (only when no budget is given) noa.allocate with objective max_profit from
-- the reallocated spends: never below them, never above +max_change of the
-- spend before the reallocation nor the highest spend observed; campaigns that
-- gave money in the reallocation, and capped ones, stay where they are.
port2 AS MATERIALIZED (
	SELECT p.*, a.recommended_spend::float8 AS s1,
	       CASE WHEN p.capped OR a.recommended_spend::float8 < p.s0 - 0.005 THEN a.recommended_spend::float8
	            ELSE greatest(least(p.s0 * (1 + $7), p.x_max), a.recommended_spend::float8) END AS hi2
	FROM port AS p JOIN alloc1 AS a ON a.uid = p.uid
	WHERE $9 IS NULL
),
pf2 AS MATERIALIZED (
	SELECT @noa@.portfolio(p.key, p.c, p.s1, p.s1, p.hi2, p.campaign_role, p.value_per_unit, false) AS pf FROM port2 AS p
),
alloc2 AS MATERIALIZED (
	SELECT a.*, p.uid
	FROM pf2, LATERAL @noa@.allocate(pf2.pf, objective => 'max_profit', target => $3, level => $4) AS a
	JOIN port2 AS p ON p.key = a.key
	WHERE pf2.pf IS NOT NULL AND a.row_type = 'item'
),
sim2 AS MATERIALIZED (
	SELECT s.*, p.uid
	FROM pf2,
	     LATERAL (SELECT string_agg(format('set "%s" to %s', replace(a.key, '"', '""'), a.recommended_spend), '; '
	                                ORDER BY a.key) AS ch
	              FROM alloc2 AS a WHERE a.recommended_spend <> round(a.current_spend, 2)) AS c,
	     LATERAL @noa@.simulate(pf2.pf, c.ch, $4) AS s
	JOIN port2 AS p ON p.key = s.key
	WHERE pf2.pf IS NOT NULL AND c.ch IS NOT NULL AND s.row_type = 'item'
),
su AS (
	SELECT p.*, a.recommended_spend::float8 AS s2, a.marginal_roas_now AS m_now, a.marginal_roas_after AS m_after,
	       a.marginal_roas_after_lo AS m_after_lo, a.binding_constraint,
	       s.delta_value::float8 - $3 * (a.recommended_spend::float8 - p.s1) AS gain,
	       p.value_per_unit * s.delta_response_lo - $3 * (a.recommended_spend::float8 - p.s1) AS gain_lo,
	       p.value_per_unit * s.delta_response_hi - $3 * (a.recommended_spend::float8 - p.s1) AS gain_hi,
	       abs(@noa@.response(p.c, a.recommended_spend::float8) - @noa@.response(p.c, p.s1)) AS delta,
	       NOT p.weak AND coalesce(a.marginal_roas_after_lo >= $3, false) AS sure
	FROM port2 AS p JOIN alloc2 AS a ON a.uid = p.uid JOIN sim2 AS s ON s.uid = p.uid
	WHERE a.recommended_spend::float8 >= p.s1 * 1.05 AND a.recommended_spend::float8 - p.s1 >= 0.5
),
scale_rows AS (
	SELECT 1 AS grp, 0 AS sub, CASE WHEN s.sure THEN 'scale_up' ELSE 'test_first' END AS action,
	       s.platform, s.campaign_id, s.geo, NULL::text AS from_campaign, NULL::text AS to_campaign,
	       (s.s2 - s.s1) * $5 AS amount, s.s2 - s.s1 AS per_day,
	       s.gain * $5 AS eff, least(s.gain_lo, s.gain) * $5 AS eff_lo, greatest(s.gain_hi, s.gain) * $5 AS eff_hi,
	       s.currency, s.period_start AS p_start, s.period_end AS p_end,
	       CASE WHEN NOT s.sure AND s.delta > 0 AND s.sigma > 0
	            THEN (7 * ceil(least(364, greatest(7, 2 * power($11 + 0.8416, 2) * power(least(s.sigma / s.delta, 1e6), 2))) / 7))::integer END AS test_days,
	       CASE WHEN s.sure THEN 'high' WHEN s.weak THEN 'low' ELSE 'medium' END AS confidence,
	       'room_before_breakeven'::text AS reason,
	       format('%sRaise %s from %s to %s a day (%s over the %s days): the next unit of spend returns %s now and '
	              '%s at the new level (lower bound %s; target %s); %s. It should bring %s of value, '
	              '%s more than the target return.%s',
	              CASE WHEN s.sure THEN ''
	                   ELSE format('Test first (%s evidence): run the higher spend on alternate weeks for %s days and compare %s. ',
	                               CASE WHEN s.weak THEN 'low' ELSE 'medium' END,
	                               coalesce((7 * ceil(least(364, greatest(7, 2 * power($11 + 0.8416, 2) * power(least(s.sigma / nullif(s.delta, 0), 1e6), 2))) / 7))::integer::text, '?'),
	                               s.kpi) END,
	              s.campaign_id, to_char(round(s.s1::numeric), 'FM999,999,999,990'),
	              to_char(round(s.s2::numeric), 'FM999,999,999,990') || coalesce(' ' || s.currency, ''),
	              to_char(round(((s.s2 - s.s1) * $5)::numeric), 'FM999,999,999,990') || coalesce(' ' || s.currency, ''), $5,
	              round(s.m_now::numeric, 2), round(s.m_after::numeric, 2), round(s.m_after_lo::numeric, 2), round($3::numeric, 2),
	              CASE s.binding_constraint
	                   WHEN 'max_spend' THEN 'the raise stops at the highest spend observed, beyond which the curve is a guess'
	                   WHEN 'min_spend' THEN 'the raise stops where the curve is still reliable'
	                   ELSE CASE WHEN s.s2 >= s.s0 * (1 + $7) - 0.01
	                             THEN format('the raise is limited to +%s%% (max_change)', round(($7 * 100)::numeric))
	                             ELSE 'beyond this level the next unit would return less than the target' END END,
	              to_char(round((s.value_per_unit * (@noa@.response(s.c, s.s2) - @noa@.response(s.c, s.s1)) * $5)::numeric),
	                      'FM999,999,999,990') || coalesce(' ' || s.currency, ''),
	              to_char(round((s.gain * $5)::numeric), 'FM999,999,999,990') || coalesce(' ' || s.currency, ''),
	              CASE WHEN s.warnings IS NOT NULL
	                   THEN format(' Data warning on this campaign: %s (see fix_tracking).', s.warnings) ELSE '' END) AS explanation
	FROM su AS s
	WHERE s.gain > 0
),
allrows AS (
	SELECT * FROM fix
	UNION ALL SELECT * FROM waste_rows
	UNION ALL SELECT * FROM shift_rows
	UNION ALL SELECT * FROM budget_rows
	UNION ALL SELECT * FROM scale_rows
)
SELECT (row_number() OVER (ORDER BY a.grp > 0, a.sub, CASE WHEN a.grp = 0 THEN -coalesce(a.amount, 0) END,
                                    a.eff DESC NULLS LAST, a.amount DESC NULLS LAST, a.action, a.campaign_id,
                                    a.from_campaign, a.to_campaign, a.reason))::integer,
       a.action, a.platform, a.campaign_id, a.geo, a.from_campaign, a.to_campaign,
       round(a.amount::numeric, 2), round(a.per_day::numeric, 2),
       round(a.eff::numeric, 2), round(a.eff_lo::numeric, 2), round(a.eff_hi::numeric, 2),
       a.currency, a.p_start, a.p_end, a.test_days, a.confidence, a.reason, a.explanation
FROM allrows AS a
ORDER BY 1
$sql$;

	SELECT n.nspname INTO ext_nsp
	FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
	WHERE e.extname = 'noa';
	q := replace(q, '@noa@', quote_ident(ext_nsp));

	BEGIN
		RETURN QUERY EXECUTE q
			USING source, business, target_mroas, level, window_days, as_of, max_change, group_min_share, budget, model,
			      z_two, date_col, platform_col, campaign_col, spend_col, impressions_col, clicks_col, conversions_col,
			      value_col, role_col, geo_col, currency_col, business_date_col, business_orders_col, business_revenue_col,
			      coalesce(group_min_share ~* '(^|[,;[:space:]"])awareness"?[[:space:]]*=', false);
	EXCEPTION WHEN invalid_parameter_value OR undefined_column OR datatype_mismatch OR null_value_not_allowed
	               OR wrong_object_type THEN
		-- argument errors raised inside (a column, role floors or a budget the
		-- optimiser cannot meet): report them as this function's, with their
		-- SQLSTATE, detail and hint, without the text of the internal query
		GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_msg = MESSAGE_TEXT,
		                        err_detail = PG_EXCEPTION_DETAIL, err_hint = PG_EXCEPTION_HINT;
		err_msg := 'noa.recommendations: ' || regexp_replace(err_msg, '^noa\.[a-z_]+: ', '');
		err_hint := concat_ws(' ', nullif(err_hint, ''),
		                      CASE WHEN err_state = '22023' AND err_msg !~ 'must|unknown'
		                           THEN '(In noa.recommendations, group_min_share sets the role floors and max_change the relative limits.)' END);
		IF coalesce(err_detail, '') = '' THEN
			RAISE EXCEPTION USING ERRCODE = err_state, MESSAGE = err_msg, HINT = coalesce(err_hint, '');
		END IF;
		RAISE EXCEPTION USING ERRCODE = err_state, MESSAGE = err_msg, DETAIL = err_detail, HINT = coalesce(err_hint, '');
	END;
END;
$function$;

COMMENT ON FUNCTION @extschema@.recommendations(regclass, numeric, regclass, float8, float8, integer, date, float8, text,
                                                text, text, text, text, text, text, text, text, text, text, text,
                                                text, text, text, text) IS
	'the action plan for an ad-spend table: ranked rows (fix_tracking, cut, cap_spend, shift_budget, scale_up, test_first) with the amount, the expected effect with its interval, a confidence bucket and an explanation; data-quality errors come first and block advice on the campaigns they concern';
