
-- ---------------------------------------------------------------------------
-- Incremental valuation: turn curves fitted on what platforms report into
-- curves of what the business gains, with the uncertainty of the conversion.
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.curve_scale(curve @extschema@.curve, factor float8, factor_lo float8 DEFAULT NULL,
	factor_hi float8 DEFAULT NULL, level float8 DEFAULT 0.9) RETURNS @extschema@.curve
	AS 'MODULE_PATHNAME', 'noa_curve_scale_sql' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.curve_scale(@extschema@.curve, float8, float8, float8, float8) IS
	'the curve with its response multiplied by factor; the factor''s interval [factor_lo, factor_hi] at level widens every interval of the result (product of independent estimates)';

-- A campaign's (platform-reported) curve rescaled by the incrementality
-- factor of its channel in a KPI model, with the factor's 90% interval.
-- NULL when the model has no such channel, no reported values, or no
-- measurable incremental effect for it (factor 0 or unknown).
CREATE FUNCTION @extschema@.incremental_curve(curve @extschema@.curve, model @extschema@.kpi_model, channel text)
	RETURNS @extschema@.curve
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT @extschema@.curve_scale(incremental_curve.curve, c.incrementality, c.incrementality_lo,
	                               c.incrementality_hi, 0.9)
	FROM @extschema@.kpi_model_channels(incremental_curve.model) AS c
	WHERE c.channel = incremental_curve.channel AND c.incrementality > 0
	  AND c.incrementality_lo <= c.incrementality AND c.incrementality <= c.incrementality_hi;
END;
COMMENT ON FUNCTION @extschema@.incremental_curve(@extschema@.curve, @extschema@.kpi_model, text) IS
	'a platform-reported curve rescaled by its channel''s incrementality factor in the model (90% interval carried into the curve); NULL when the channel is unknown or has no measurable effect';
