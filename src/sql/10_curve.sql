
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
-- combine, serial and deserial make it a parallel / partial aggregate.  The
-- functions that add points read the setting noa.max_points, so they are
-- STABLE, not IMMUTABLE.
CREATE FUNCTION @extschema@.fit_curve_sfunc(internal, float8, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_fit_accum' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.fit_curve_model_sfunc(internal, float8, float8, text) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_fit_accum_model' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.fit_curve_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_fit_combine' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.fit_curve_serial(internal) RETURNS bytea
	AS 'MODULE_PATHNAME', 'noa_fit_serial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.fit_curve_deserial(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_fit_deserial' LANGUAGE C STABLE STRICT PARALLEL SAFE;
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

-- curve_summary and curve_points are not STRICT only so that the labels
-- currency and response_unit may be NULL (their columns are NULL then); a NULL
-- in any other argument gives NULL, as STRICT would.
CREATE FUNCTION @extschema@.curve_summary(curve @extschema@.curve, target_mroas float8 DEFAULT 1,
	value_per_unit float8 DEFAULT 1, level float8 DEFAULT 0.9, currency text DEFAULT NULL,
	response_unit text DEFAULT NULL,
	OUT model text, OUT status text, OUT auto_selected boolean, OUT at_bound boolean, OUT n integer,
	OUT b float8, OUT b_se float8, OUT k float8, OUT k_se float8, OUT s float8, OUT s_se float8,
	OUT m float8, OUT m_se float8, OUT r float8, OUT r_se float8, OUT a float8, OUT a_se float8,
	OUT r2 float8, OUT rmse float8, OUT aicc float8,
	OUT spend_min numeric, OUT spend_max numeric, OUT spend_mean numeric,
	OUT half_saturation_spend numeric, OUT breakeven_spend numeric, OUT breakeven_lo numeric,
	OUT breakeven_hi numeric, OUT breakeven_note text, OUT saturation_spend numeric,
	OUT iterations integer, OUT starts integer, OUT converged_starts integer,
	OUT currency text, OUT response_unit text, OUT note text)
	AS 'MODULE_PATHNAME', 'noa_curve_summary' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.curve_summary(@extschema@.curve, float8, float8, float8, text, text) IS
	'one flat row describing a fitted curve: parameters with standard errors, fit statistics, spend range, break-even and saturation spend, with the currency and response unit as given';

CREATE FUNCTION @extschema@.curve_points(curve @extschema@.curve, max_spend float8, points integer DEFAULT 50,
	level float8 DEFAULT 0.9, value_per_unit float8 DEFAULT 1, currency text DEFAULT NULL,
	response_unit text DEFAULT NULL,
	OUT point_no integer, OUT spend float8, OUT response float8, OUT response_lo float8,
	OUT response_hi float8, OUT marginal_roas float8, OUT in_observed_range boolean,
	OUT currency text, OUT response_unit text)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'noa_curve_points' LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 50;
COMMENT ON FUNCTION @extschema@.curve_points(@extschema@.curve, float8, integer, float8, float8, text, text) IS
	'chart points on a round spend grid (steps of 1, 2 or 5 times a power of ten, at most points values) from 0 to the first grid value at or above max_spend, with the response, its interval and marginal ROAS, and the currency and response unit as given; curves asked with the same max_spend and points share the grid';
