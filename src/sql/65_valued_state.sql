
-- ---------------------------------------------------------------------------
-- Internal: the campaign state valued on platform reports or on incremental
-- value -- the one place where noa.waste and noa.recommendations switch.
-- ---------------------------------------------------------------------------
--
-- noa._valued_state returns noa._campaign_state's rows plus how they are
-- valued.  Without models (incrementality NULL) the rows are unchanged and
-- say 'platform_reported'.  With models (incrementality: a table or view with
-- one column of type noa.kpi_model, e.g. one model per country), every campaign judged on conversions
-- whose group (the value of the column incrementality_by, e.g. platform) has
-- an incrementality factor in the models (noa.incrementality_by) gets:
--   * its curve rescaled by the factor, the factor's 90% interval carried
--     into the curve (noa.curve_scale), so every threshold, marginal ROAS and
--     value interval derived from it is incremental and honestly wider;
--   * the model-free figures (slope with its standard error, window value,
--     average return, residual sd, mean KPI) rescaled the same way, the
--     slope's standard error combining both uncertainties;
--   * value_source 'incremental_model' and the factor with its interval;
--   * point_curve: the curve rescaled by the factor alone (no interval), for
--     what the factor cannot change -- the shape, so where saturation sets
--     in, and whether the curve itself can place a threshold.
-- Spend always comes from the platform reports.  Awareness campaigns (judged
-- on impressions or clicks, which platforms do not over-claim the way they
-- claim conversions) keep their reported figures.  A campaign whose group has
-- no usable factor keeps its reported figures and says so.  no_role marks
-- campaigns without a role (no role column, or NULL): they are judged as
-- conversion campaigns, which is a guess.
--
-- Security as in noa._campaign_state: source is a regclass, the group column
-- enters the query only through format('%I'), search_path is pinned.
-- Internal: the KPI models kept in a table or view (its one column of type
-- noa.kpi_model), one row each, for the incrementality argument of noa.waste
-- and noa.recommendations.  Errors name the caller and say what to pass.
CREATE FUNCTION @extschema@._kpi_models(rel regclass, caller text) RETURNS SETOF @extschema@.kpi_model
LANGUAGE plpgsql
STABLE
PARALLEL RESTRICTED
STRICT
ROWS 4
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
	ext_nsp   name;
	n_cols    bigint;
	model_col name;
	n_models  bigint;
BEGIN
	SELECT n.nspname INTO ext_nsp
	FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
	WHERE e.extname = 'noa';
	SELECT pg_catalog.count(*), pg_catalog.min(a.attname) INTO n_cols, model_col
	FROM pg_catalog.pg_attribute AS a
	WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped
	  AND a.atttypid = pg_catalog.to_regtype(pg_catalog.quote_ident(ext_nsp) || '.kpi_model');
	IF n_cols <> 1 THEN
		RAISE EXCEPTION '%: incrementality % must have exactly one column of type noa.kpi_model, it has %', caller, rel, n_cols
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Pass the table or view where the KPI models are kept, e.g. CREATE TABLE shop_models AS '
			             'SELECT geo, noa.fit_kpi_model(...) AS model ... GROUP BY geo; then incrementality => ''shop_models''.';
	END IF;
	RETURN QUERY EXECUTE format('SELECT t.%1$I FROM %2$s AS t WHERE t.%1$I IS NOT NULL', model_col, rel);
	GET DIAGNOSTICS n_models = ROW_COUNT;
	IF n_models = 0 THEN
		RAISE EXCEPTION '%: incrementality % must hold at least one KPI model', caller, rel
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Fit the models first (noa.fit_kpi_model), or leave incrementality NULL to value on platform reports.';
	END IF;
END;
$function$;
COMMENT ON FUNCTION @extschema@._kpi_models(regclass, text) IS
	'internal (used by noa.waste and noa.recommendations): the KPI models kept in a table or view, one row each';

CREATE FUNCTION @extschema@._valued_state(
	source            regclass,
	as_of             date,
	window_days       integer,
	model             text,
	date_col          text,
	platform_col      text,
	campaign_col      text,
	spend_col         text,
	impressions_col   text,
	clicks_col        text,
	conversions_col   text,
	value_col         text,
	role_col          text,
	geo_col           text,
	currency_col      text,
	caller            text,
	incrementality    regclass,
	incrementality_by text)
RETURNS SETOF @extschema@._unit_state
LANGUAGE plpgsql
STABLE
PARALLEL RESTRICTED
CALLED ON NULL INPUT
COST 100000
ROWS 50
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $function$
DECLARE
	fn      text := coalesce(caller, 'noa._valued_state');
	ext_nsp name;
	q       text;
BEGIN
	SELECT n.nspname INTO ext_nsp
	FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
	WHERE e.extname = 'noa';
	IF incrementality IS NULL THEN
		q := format($sql$
SELECT s.*, s.curve, s.campaign_role IS NULL, 'platform_reported'::pg_catalog.text, NULL::pg_catalog.text,
       NULL::pg_catalog.float8, NULL::pg_catalog.float8, NULL::pg_catalog.float8
FROM %1$s._campaign_state($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) AS s
$sql$, pg_catalog.quote_ident(ext_nsp));
		RETURN QUERY EXECUTE q USING source, as_of, window_days, model, date_col, platform_col, campaign_col,
			spend_col, impressions_col, clicks_col, conversions_col, value_col, role_col, geo_col, currency_col, fn;
		RETURN;
	END IF;
	IF incrementality_by IS NULL THEN
		RAISE EXCEPTION '%: incrementality_by must not be NULL when incrementality is given', fn
			USING ERRCODE = 'null_value_not_allowed',
			      HINT = 'incrementality_by names the column of the source whose values share one incrementality factor, '
			             'e.g. ''platform'' (default) or the campaign column when each campaign is a channel of the model.';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute AS a
	               WHERE a.attrelid = source AND a.attname = incrementality_by::name AND a.attnum > 0 AND NOT a.attisdropped) THEN
		RAISE EXCEPTION '%: column % does not exist in %', fn, pg_catalog.quote_ident(incrementality_by), source
			USING ERRCODE = 'undefined_column',
			      HINT = 'incrementality_by names the column of the source whose values share one incrementality factor, e.g. ''platform''.';
	END IF;
	q := format($sql$
WITH
st AS MATERIALIZED (
	SELECT s.* FROM %1$s._campaign_state($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) AS s
),
fac AS MATERIALIZED (
	SELECT f.* FROM %1$s.incrementality_by(ARRAY(SELECT %1$s._kpi_models($17, $16)), $1, $18, $7) AS f
),
-- each campaign's group; a campaign in more than one group gets none
grp AS (
	SELECT (t.%2$I)::pg_catalog.text AS cp, pg_catalog.min((t.%3$I)::pg_catalog.text) AS key,
	       pg_catalog.count(DISTINCT (t.%3$I)::pg_catalog.text) AS keys
	FROM %4$s AS t WHERE t.%2$I IS NOT NULL AND t.%3$I IS NOT NULL
	GROUP BY 1
),
v AS (
	SELECT s.*, g.key, f.factor AS f, f.factor_lo AS f_lo, f.factor_hi AS f_hi,
	       s.kpi = 'conversions' AND NOT s.awareness AND g.keys = 1 AND f.factor > 0
	         AND f.factor_lo <= f.factor AND f.factor <= f.factor_hi AS use_f,
	       (f.factor_hi - f.factor_lo) / (2 * 1.6448536269514722) AS f_sd
	FROM st AS s LEFT JOIN grp AS g ON g.cp = s.campaign_id LEFT JOIN fac AS f ON f.key = g.key AND g.keys = 1
)
SELECT v.platform, v.campaign_id, v.geo, v.campaign_role, v.awareness, v.kpi, v.currency, v.period_start, v.period_end,
       CASE WHEN v.use_f THEN %1$s.curve_scale(v.curve::%1$s.curve, v.f, v.f_lo, v.f_hi, 0.9)::pg_catalog.text
            ELSE v.curve END,
       v.n_days, v.current_spend, v.window_days_seen,
       CASE WHEN v.use_f THEN v.window_value * v.f ELSE v.window_value END,
       v.value_per_unit,
       CASE WHEN v.use_f THEN v.avg_roas * v.f ELSE v.avg_roas END,
       v.spend_p10, v.spend_p90,
       CASE WHEN v.use_f THEN v.slope * v.f ELSE v.slope END,
       CASE WHEN v.use_f THEN pg_catalog.sqrt(v.f * v.f * v.slope_se * v.slope_se + v.slope * v.slope * v.f_sd * v.f_sd
                                               + v.slope_se * v.slope_se * v.f_sd * v.f_sd)
            ELSE v.slope_se END,
       CASE WHEN v.use_f THEN v.resid_sd * v.f ELSE v.resid_sd END,
       v.spend_mean,
       CASE WHEN v.use_f THEN v.kpi_mean * v.f ELSE v.kpi_mean END,
       CASE WHEN v.use_f THEN %1$s.curve_scale(v.curve::%1$s.curve, v.f)::pg_catalog.text ELSE v.curve END,
       v.campaign_role IS NULL,
       CASE WHEN v.use_f THEN 'incremental_model' ELSE 'platform_reported' END,
       v.key,
       CASE WHEN v.use_f THEN v.f END, CASE WHEN v.use_f THEN v.f_lo END, CASE WHEN v.use_f THEN v.f_hi END
FROM v
$sql$, pg_catalog.quote_ident(ext_nsp), campaign_col, incrementality_by, source);
	RETURN QUERY EXECUTE q USING source, as_of, window_days, model, date_col, platform_col, campaign_col,
		spend_col, impressions_col, clicks_col, conversions_col, value_col, role_col, geo_col, currency_col, fn,
		incrementality, incrementality_by;
END;
$function$;
COMMENT ON FUNCTION @extschema@._valued_state(regclass, date, integer, text, text, text, text, text, text, text,
                                              text, text, text, text, text, text, regclass, text) IS
	'internal (used by noa.waste and noa.recommendations): noa._campaign_state''s rows valued on platform reports, or on incremental value with each group''s incrementality factor from KPI models';
