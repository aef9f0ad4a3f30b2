
-- ---------------------------------------------------------------------------
-- KPI model (marketing-mix model): the noa.kpi_model type, the fit_kpi_model
-- aggregate, and the questions asked of a model as flat rows.
-- ---------------------------------------------------------------------------

CREATE TYPE @extschema@.kpi_model;

CREATE FUNCTION @extschema@.kpi_model_in(cstring) RETURNS @extschema@.kpi_model
	AS 'MODULE_PATHNAME', 'noa_kpi_model_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.kpi_model_out(@extschema@.kpi_model) RETURNS cstring
	AS 'MODULE_PATHNAME', 'noa_kpi_model_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.kpi_model_recv(internal) RETURNS @extschema@.kpi_model
	AS 'MODULE_PATHNAME', 'noa_kpi_model_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.kpi_model_send(@extschema@.kpi_model) RETURNS bytea
	AS 'MODULE_PATHNAME', 'noa_kpi_model_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.kpi_model (
	INPUT = @extschema@.kpi_model_in,
	OUTPUT = @extschema@.kpi_model_out,
	RECEIVE = @extschema@.kpi_model_recv,
	SEND = @extschema@.kpi_model_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = extended
);
COMMENT ON TYPE @extschema@.kpi_model IS
	'a fitted model of a business KPI: baseline, trend, seasonality, controls and each channel''s carryover and saturation, with its inputs, intervals and diagnostics';

CREATE FUNCTION @extschema@.fit_kpi_model_sfunc(internal, date, text, float8, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_kpi_accum4' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.fit_kpi_model_sfunc(internal, date, text, float8, float8, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_kpi_accum5' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.fit_kpi_model_sfunc(internal, date, text, float8, float8, float8, text, text)
	RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_kpi_accum7' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.fit_kpi_model_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_kpi_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.fit_kpi_model_serial(internal) RETURNS bytea
	AS 'MODULE_PATHNAME', 'noa_kpi_serial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.fit_kpi_model_deserial(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_kpi_deserial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.fit_kpi_model_final(internal) RETURNS @extschema@.kpi_model
	AS 'MODULE_PATHNAME', 'noa_kpi_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.fit_kpi_model(day date, channel text, spend float8, kpi float8) (
	SFUNC = @extschema@.fit_kpi_model_sfunc,
	STYPE = internal,
	FINALFUNC = @extschema@.fit_kpi_model_final,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = @extschema@.fit_kpi_model_combine,
	SERIALFUNC = @extschema@.fit_kpi_model_serial,
	DESERIALFUNC = @extschema@.fit_kpi_model_deserial,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.fit_kpi_model(date, text, float8, float8) IS
	'fit a KPI model from rows (day, channel, spend, kpi): spend of a channel on a day is summed, the KPI repeats per day';

CREATE AGGREGATE @extschema@.fit_kpi_model(day date, channel text, spend float8, kpi float8, reported float8) (
	SFUNC = @extschema@.fit_kpi_model_sfunc,
	STYPE = internal,
	FINALFUNC = @extschema@.fit_kpi_model_final,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = @extschema@.fit_kpi_model_combine,
	SERIALFUNC = @extschema@.fit_kpi_model_serial,
	DESERIALFUNC = @extschema@.fit_kpi_model_deserial,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.fit_kpi_model(date, text, float8, float8, float8) IS
	'fit a KPI model; reported = what the platform claims in KPI units (e.g. conversions), for the incrementality factor';

CREATE AGGREGATE @extschema@.fit_kpi_model(day date, channel text, value float8, kpi float8, reported float8,
	role text, options text) (
	SFUNC = @extschema@.fit_kpi_model_sfunc,
	STYPE = internal,
	FINALFUNC = @extschema@.fit_kpi_model_final,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = @extschema@.fit_kpi_model_combine,
	SERIALFUNC = @extschema@.fit_kpi_model_serial,
	DESERIALFUNC = @extschema@.fit_kpi_model_deserial,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.fit_kpi_model(date, text, float8, float8, float8, text, text) IS
	'fit a KPI model; role media (spend) or control/event (a series the KPI depends on); options e.g. ''max_lag=8, holdout=13, replicates=200, saturation=tanh, seasonality=multiplicative''';

CREATE FUNCTION @extschema@.kpi_model_channels(model @extschema@.kpi_model)
	RETURNS TABLE (channel text, spend numeric, current_spend numeric,
	               contribution float8, contribution_lo float8, contribution_hi float8, share float8,
	               roas float8, roas_lo float8, roas_hi float8,
	               mroas float8, mroas_lo float8, mroas_hi float8,
	               half_life_days float8, adstock_alpha float8, saturation text, saturation_spend numeric,
	               reported float8, incrementality float8, incrementality_lo float8, incrementality_hi float8,
	               note text)
	AS 'MODULE_PATHNAME', 'noa_kpi_model_channels' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 20;
COMMENT ON FUNCTION @extschema@.kpi_model_channels(@extschema@.kpi_model) IS
	'per channel: incremental contribution and share of the KPI, ROAS, long-run marginal ROAS at current spend (mean of the last 90 days), carryover half-life, saturation spend, reported value and incrementality factor, with 90% bootstrap intervals';

CREATE FUNCTION @extschema@.kpi_model_decomposition(model @extschema@.kpi_model)
	RETURNS TABLE (day date, component text, component_type text, value float8)
	AS 'MODULE_PATHNAME', 'noa_kpi_model_decomposition' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 5000;
COMMENT ON FUNCTION @extschema@.kpi_model_decomposition(@extschema@.kpi_model) IS
	'per period: baseline (intercept + trend), seasonality, each control and each channel; the values of a period add up to the fitted KPI';

CREATE FUNCTION @extschema@.kpi_model_fitted(model @extschema@.kpi_model)
	RETURNS TABLE (day date, kpi float8, fitted float8, residual float8, holdout boolean)
	AS 'MODULE_PATHNAME', 'noa_kpi_model_fitted' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION @extschema@.kpi_model_fitted(@extschema@.kpi_model) IS
	'per period: the KPI (NULL when missing), the fitted value, the residual, and whether the period was in the time holdout';

CREATE FUNCTION @extschema@.kpi_model_diagnostics(model @extschema@.kpi_model)
	RETURNS TABLE (item text, channel text, value float8, severity text, message text)
	AS 'MODULE_PATHNAME', 'noa_kpi_model_diagnostics' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 20;
COMMENT ON FUNCTION @extschema@.kpi_model_diagnostics(@extschema@.kpi_model) IS
	'fit statistics (R2, NRMSE in sample and on the time holdout, DECOMP.RSSD, residual autocorrelation) and warnings in plain words';

CREATE FUNCTION @extschema@.kpi_model_curve(model @extschema@.kpi_model, channel text) RETURNS @extschema@.curve
	AS 'MODULE_PATHNAME', 'noa_kpi_model_curve' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.kpi_model_curve(@extschema@.kpi_model, text) IS
	'one channel''s long-run response (KPI per period at a lasting spend per period) as a noa.curve for the accessors, noa.portfolio and noa.allocate; NULL for an unknown channel';

-- Calibration with lift tests (experiments).
CREATE FUNCTION @extschema@.calibrate_kpi_model(model @extschema@.kpi_model, experiments regclass)
	RETURNS @extschema@.kpi_model
	AS 'MODULE_PATHNAME', 'noa_kpi_model_calibrate' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.calibrate_kpi_model(@extschema@.kpi_model, regclass) IS
	'the model refitted with lift tests from a table (channel, start_day, end_day, lift, lift_se [, spend_diff]): each test is a likelihood term on the channel''s effect over its window';

CREATE FUNCTION @extschema@.kpi_model_experiments(model @extschema@.kpi_model)
	RETURNS TABLE (channel text, start_day date, end_day date, lift float8, lift_se float8, spend_diff numeric,
	               predicted_before float8, z_before float8, predicted float8, predicted_lo float8,
	               predicted_hi float8, z float8, agrees boolean, verdict text)
	AS 'MODULE_PATHNAME', 'noa_kpi_model_experiments' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION @extschema@.kpi_model_experiments(@extschema@.kpi_model) IS
	'per lift test of a calibrated model: the data-only prediction and its distance in standard errors (model uncertainty included), the calibrated prediction with its 90% interval and distance, and a verdict';

CREATE FUNCTION @extschema@.kpi_model_calibration(model @extschema@.kpi_model)
	RETURNS TABLE (channel text, tests int, roas_before float8, roas float8, roas_change float8,
	               mroas_before float8, mroas float8, mroas_change float8, contribution_change float8)
	AS 'MODULE_PATHNAME', 'noa_kpi_model_calibration' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 20;
COMMENT ON FUNCTION @extschema@.kpi_model_calibration(@extschema@.kpi_model) IS
	'per channel of a calibrated model: ROAS, marginal ROAS and contribution on the data alone and after the lift tests (no rows for an uncalibrated model)';

-- Track record: fit up to a day, forecast the following periods, compare.
CREATE FUNCTION @extschema@.kpi_model_backtest(model @extschema@.kpi_model, cutoff date, horizon int DEFAULT 28)
	RETURNS TABLE (day date, component text, predicted float8, predicted_lo float8, predicted_hi float8,
	               actual float8, error float8, abs_pct_error float8, covered boolean, coverage float8)
	AS 'MODULE_PATHNAME', 'noa_kpi_model_backtest' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 300;
COMMENT ON FUNCTION @extschema@.kpi_model_backtest(@extschema@.kpi_model, date, int) IS
	'the model refitted on the periods up to cutoff (with the lift tests that ended by then), its forecast of the next horizon periods from the spend actually made with 90% intervals, and the KPI that happened; per day the total and each channel, then summary rows (day NULL): sums, mean absolute percentage error and interval coverage';

CREATE FUNCTION @extschema@.kpi_model_followup(model @extschema@.kpi_model, decision_day date, channel text,
	horizon int DEFAULT 28)
	RETURNS TABLE (channel text, decision_day date, horizon int, spend_before numeric, spend_after numeric,
	               predicted_effect float8, realized_effect float8, realized_lo float8, realized_hi float8,
	               realized_share float8, verdict text)
	AS 'MODULE_PATHNAME', 'noa_kpi_model_followup' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION @extschema@.kpi_model_followup(@extschema@.kpi_model, date, text, int) IS
	'did a spend change deliver: the model refitted up to decision_day forecasts the next horizon periods with the channel''s spend as it was made and held at its last-28-period mean; predicted_effect is the difference, realized_effect the actual KPI minus the held forecast (90% interval from the residual noise), and their ratio';
