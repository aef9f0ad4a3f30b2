
-- ---------------------------------------------------------------------------
-- Carryover: adstock transforms (window aggregates), the time-aware curve fit,
-- and what a carryover curve says about time.
-- ---------------------------------------------------------------------------

-- Window-only aggregates: x*_t on each row of OVER (PARTITION BY ... ORDER BY day).
-- Outside a window they raise an error (the order of days matters), so they have
-- no combine function.  The final function only reads the state.
CREATE FUNCTION @extschema@.adstock_final(internal) RETURNS float8
	AS 'MODULE_PATHNAME', 'noa_adstock_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.adstock_geometric_sfunc(internal, date, float8, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_adstock_geometric_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.adstock_geometric(day date, spend float8, theta float8) (
	SFUNC = @extschema@.adstock_geometric_sfunc,
	STYPE = internal,
	FINALFUNC = @extschema@.adstock_final,
	FINALFUNC_MODIFY = READ_ONLY
);
COMMENT ON AGGREGATE @extschema@.adstock_geometric(date, float8, float8) IS
	'window function: geometric adstock x*_t = x_t + theta*x*_{t-1} (Robyn adstock_geometric; unnormalised, whole history; a missing day is a day without spend)';

CREATE FUNCTION @extschema@.adstock_geometric_window_sfunc(internal, date, float8, float8, integer, boolean) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_adstock_geometric_window_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.adstock_geometric(day date, spend float8, theta float8, max_lag integer, normalized boolean) (
	SFUNC = @extschema@.adstock_geometric_window_sfunc,
	STYPE = internal,
	FINALFUNC = @extschema@.adstock_final,
	FINALFUNC_MODIFY = READ_ONLY
);
COMMENT ON AGGREGATE @extschema@.adstock_geometric(date, float8, float8, integer, boolean) IS
	'window function: sum over lags l = 0..max_lag of theta^l * x_{t-l}, divided by the sum of the weights when normalized (Meridian max_lag; PyMC-Marketing l_max = max_lag + 1)';

CREATE FUNCTION @extschema@.adstock_delayed_sfunc(internal, date, float8, float8, float8, integer, boolean) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_adstock_delayed_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.adstock_delayed(day date, spend float8, alpha float8, theta float8, max_lag integer,
	normalized boolean) (
	SFUNC = @extschema@.adstock_delayed_sfunc,
	STYPE = internal,
	FINALFUNC = @extschema@.adstock_final,
	FINALFUNC_MODIFY = READ_ONLY
);
COMMENT ON AGGREGATE @extschema@.adstock_delayed(date, float8, float8, float8, integer, boolean) IS
	'window function: delayed adstock, weights alpha^((l - theta)^2) for lags l = 0..max_lag, peak at lag theta (PyMC-Marketing DelayedAdstock, l_max = max_lag + 1)';

CREATE FUNCTION @extschema@.adstock_weibull_cdf_sfunc(internal, date, float8, float8, float8, integer) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_adstock_weibull_cdf_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.adstock_weibull_cdf(day date, spend float8, shape float8, scale float8, max_lag integer) (
	SFUNC = @extschema@.adstock_weibull_cdf_sfunc,
	STYPE = internal,
	FINALFUNC = @extschema@.adstock_final,
	FINALFUNC_MODIFY = READ_ONLY
);
COMMENT ON AGGREGATE @extschema@.adstock_weibull_cdf(date, float8, float8, float8, integer) IS
	'window function: Robyn Weibull CDF adstock, weights 1 then the cumulative product of Weibull survival; scale is a fraction of the window (windlen = max_lag + 1)';

CREATE FUNCTION @extschema@.adstock_weibull_pdf_sfunc(internal, date, float8, float8, float8, integer) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_adstock_weibull_pdf_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.adstock_weibull_pdf(day date, spend float8, shape float8, scale float8, max_lag integer) (
	SFUNC = @extschema@.adstock_weibull_pdf_sfunc,
	STYPE = internal,
	FINALFUNC = @extschema@.adstock_final,
	FINALFUNC_MODIFY = READ_ONLY
);
COMMENT ON AGGREGATE @extschema@.adstock_weibull_pdf(date, float8, float8, float8, integer) IS
	'window function: Robyn Weibull PDF adstock, weights the min-max normalised Weibull density at lags 1..max_lag+1 (a lagged peak when shape > 1); scale is a fraction of the window';

-- The same transforms over an integer period number (e.g. weeks since a start,
-- for weekly rows): a lag is one period instead of one day.
CREATE FUNCTION @extschema@.adstock_geometric_period_sfunc(internal, integer, float8, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_adstock_geometric_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.adstock_geometric(period integer, spend float8, theta float8) (
	SFUNC = @extschema@.adstock_geometric_period_sfunc,
	STYPE = internal,
	FINALFUNC = @extschema@.adstock_final,
	FINALFUNC_MODIFY = READ_ONLY
);
COMMENT ON AGGREGATE @extschema@.adstock_geometric(integer, float8, float8) IS
	'window function: adstock_geometric over an integer period number (one lag = one period, e.g. a week) instead of a date';
CREATE FUNCTION @extschema@.adstock_geometric_window_period_sfunc(internal, integer, float8, float8, integer, boolean) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_adstock_geometric_window_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.adstock_geometric(period integer, spend float8, theta float8, max_lag integer, normalized boolean) (
	SFUNC = @extschema@.adstock_geometric_window_period_sfunc,
	STYPE = internal,
	FINALFUNC = @extschema@.adstock_final,
	FINALFUNC_MODIFY = READ_ONLY
);
COMMENT ON AGGREGATE @extschema@.adstock_geometric(integer, float8, float8, integer, boolean) IS
	'window function: adstock_geometric over an integer period number (one lag = one period, e.g. a week) instead of a date';
CREATE FUNCTION @extschema@.adstock_delayed_period_sfunc(internal, integer, float8, float8, float8, integer, boolean) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_adstock_delayed_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.adstock_delayed(period integer, spend float8, alpha float8, theta float8, max_lag integer,
	normalized boolean) (
	SFUNC = @extschema@.adstock_delayed_period_sfunc,
	STYPE = internal,
	FINALFUNC = @extschema@.adstock_final,
	FINALFUNC_MODIFY = READ_ONLY
);
COMMENT ON AGGREGATE @extschema@.adstock_delayed(integer, float8, float8, float8, integer, boolean) IS
	'window function: adstock_delayed over an integer period number (one lag = one period, e.g. a week) instead of a date';
CREATE FUNCTION @extschema@.adstock_weibull_cdf_period_sfunc(internal, integer, float8, float8, float8, integer) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_adstock_weibull_cdf_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.adstock_weibull_cdf(period integer, spend float8, shape float8, scale float8, max_lag integer) (
	SFUNC = @extschema@.adstock_weibull_cdf_period_sfunc,
	STYPE = internal,
	FINALFUNC = @extschema@.adstock_final,
	FINALFUNC_MODIFY = READ_ONLY
);
COMMENT ON AGGREGATE @extschema@.adstock_weibull_cdf(integer, float8, float8, float8, integer) IS
	'window function: adstock_weibull_cdf over an integer period number (one lag = one period, e.g. a week) instead of a date';
CREATE FUNCTION @extschema@.adstock_weibull_pdf_period_sfunc(internal, integer, float8, float8, float8, integer) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_adstock_weibull_pdf_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.adstock_weibull_pdf(period integer, spend float8, shape float8, scale float8, max_lag integer) (
	SFUNC = @extschema@.adstock_weibull_pdf_period_sfunc,
	STYPE = internal,
	FINALFUNC = @extschema@.adstock_final,
	FINALFUNC_MODIFY = READ_ONLY
);
COMMENT ON AGGREGATE @extschema@.adstock_weibull_pdf(integer, float8, float8, float8, integer) IS
	'window function: adstock_weibull_pdf over an integer period number (one lag = one period, e.g. a week) instead of a date';

-- The time-aware fit: fit_curve with a day column estimates geometric carryover
-- jointly with the saturation curve; the resulting curve answers the long run.
-- The transition functions read noa.max_points, so they are STABLE (as fit_curve's).
CREATE FUNCTION @extschema@.fit_curve_timed_sfunc(internal, date, float8, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_fit_accum_timed' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.fit_curve_timed_model_sfunc(internal, date, float8, float8, text) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_fit_accum_timed_model' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.fit_curve_timed_model_final(internal, date, float8, float8, text) RETURNS @extschema@.curve
	AS 'MODULE_PATHNAME', 'noa_fit_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.fit_curve(day date, spend float8, response float8) (
	SFUNC = @extschema@.fit_curve_timed_sfunc,
	STYPE = internal,
	FINALFUNC = @extschema@.fit_curve_final,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = @extschema@.fit_curve_combine,
	SERIALFUNC = @extschema@.fit_curve_serial,
	DESERIALFUNC = @extschema@.fit_curve_deserial,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.fit_curve(date, float8, float8) IS
	'fit a Hill curve with geometric carryover to daily (day, spend, response) rows, one row per day; the curve answers the long run (see noa.curve_carryover)';

CREATE AGGREGATE @extschema@.fit_curve(day date, spend float8, response float8, model text) (
	SFUNC = @extschema@.fit_curve_timed_model_sfunc,
	STYPE = internal,
	FINALFUNC = @extschema@.fit_curve_timed_model_final,
	FINALFUNC_EXTRA,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = @extschema@.fit_curve_combine,
	SERIALFUNC = @extschema@.fit_curve_serial,
	DESERIALFUNC = @extschema@.fit_curve_deserial,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.fit_curve(date, float8, float8, text) IS
	'fit a response curve of the named family with geometric carryover to daily (day, spend, response) rows; the curve answers the long run';

CREATE FUNCTION @extschema@.curve_carryover(curve @extschema@.curve,
	OUT carryover text, OUT period_days integer, OUT theta float8, OUT theta_se float8, OUT half_life_days float8,
	OUT long_run_multiplier float8, OUT same_day_share float8, OUT at_bound boolean,
	OUT answers text, OUT note text)
	AS 'MODULE_PATHNAME', 'noa_curve_carryover' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.curve_carryover(@extschema@.curve) IS
	'one flat row on the carryover a curve was fitted with: the period (1 day for daily rows, 7 for weekly), theta per period, its standard error, half-life in days, long-run multiplier 1/(1-theta), and whether the answers are long run';

CREATE FUNCTION @extschema@.marginal_roas_same_day(curve @extschema@.curve, spend float8, value_per_unit float8 DEFAULT 1)
	RETURNS float8
	AS 'MODULE_PATHNAME', 'noa_marginal_roas_same_day' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.marginal_roas_same_day(@extschema@.curve, float8, float8) IS
	'the part of the (long-run) marginal ROAS that arrives in the period of spend (the day, for daily rows): (1 - theta) * marginal_roas; equal to marginal_roas for a curve without carryover';
