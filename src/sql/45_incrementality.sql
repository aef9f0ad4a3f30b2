
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

-- Incrementality factors pooled over groups of campaigns: for each value of
-- the column by_col of source (platform by default), the model channels that
-- belong to it -- a channel named like the value itself (models with one
-- channel per platform), or named like a campaign (campaign_col) whose rows
-- carry that value (models with one channel per campaign) -- are pooled:
-- factor = Σ incremental contribution ÷ Σ reported, over every model given
-- (e.g. one model per country).  The interval pools the channels' 90% bounds
-- the same way (Σ lower ÷ Σ reported .. Σ upper ÷ Σ reported): a sum of
-- bounds is at least as wide as the bound of the sum, so the interval is
-- conservative.  Sums run in a fixed order (by channel and values), so the
-- answer depends neither on the plan nor on the order of the models.  Channels without a measured contribution (warnings in
-- noa.kpi_model_diagnostics) are left out and counted in the note.
-- Security as in noa.waste: source is a regclass, columns enter the query only
-- through format('%I'), search_path is pinned, and the function runs as the caller.
CREATE FUNCTION @extschema@.incrementality_by(
	models       @extschema@.kpi_model[],
	source       regclass,
	by_col       text DEFAULT 'platform',
	campaign_col text DEFAULT 'campaign_id')
RETURNS TABLE (
	key          text,
	factor       float8,
	factor_lo    float8,
	factor_hi    float8,
	channels     integer,
	contribution float8,
	reported     float8,
	note         text)
LANGUAGE plpgsql
STABLE
PARALLEL RESTRICTED
CALLED ON NULL INPUT
ROWS 10
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
	ext_nsp name;
	col     text;
	q       text;
BEGIN
	IF source IS NULL OR by_col IS NULL OR campaign_col IS NULL THEN
		RAISE EXCEPTION 'noa.incrementality_by: source, by_col and campaign_col must not be NULL'
			USING ERRCODE = 'null_value_not_allowed',
			      HINT = 'Pass the ad table, the column that groups campaigns (e.g. ''platform'') and the campaign column.';
	END IF;
	FOREACH col IN ARRAY ARRAY[by_col, campaign_col] LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute AS a
		               WHERE a.attrelid = source AND a.attname = col::name AND a.attnum > 0 AND NOT a.attisdropped) THEN
			RAISE EXCEPTION 'noa.incrementality_by: column % does not exist in %', pg_catalog.quote_ident(col), source
				USING ERRCODE = 'undefined_column',
				      HINT = 'by_col names the column whose values group campaigns (platform, geo, ...); campaign_col the campaign id.';
		END IF;
	END LOOP;
	SELECT n.nspname INTO ext_nsp
	FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
	WHERE e.extname = 'noa';
	q := format($sql$
WITH
ch AS (
	SELECT m.ord, c.channel, c.contribution, c.contribution_lo, c.contribution_hi, c.reported
	FROM pg_catalog.unnest($1) WITH ORDINALITY AS m(model, ord), %1$s.kpi_model_channels(m.model) AS c
),
map AS (
	SELECT DISTINCT (t.%3$I)::pg_catalog.text AS key, (t.%4$I)::pg_catalog.text AS campaign
	FROM %2$s AS t WHERE t.%3$I IS NOT NULL AND t.%4$I IS NOT NULL
),
hit AS (
	SELECT k.key, c.* FROM ch AS c JOIN (SELECT DISTINCT m.key FROM map AS m) AS k ON k.key = c.channel
	UNION
	SELECT m.key, c.* FROM ch AS c JOIN map AS m ON m.campaign = c.channel
),
-- a fixed order for the float8 sums (rows equal in every column may swap: same sum)
hit_o AS (
	SELECT h.*, pg_catalog.row_number() OVER (PARTITION BY h.key ORDER BY h.channel, h.contribution, h.contribution_lo,
	                                          h.contribution_hi, h.reported) AS rn
	FROM hit AS h
)
SELECT h.key,
       pg_catalog.sum(h.contribution ORDER BY h.rn) / NULLIF(pg_catalog.sum(h.reported ORDER BY h.rn) FILTER (WHERE h.contribution IS NOT NULL), 0),
       pg_catalog.sum(h.contribution_lo ORDER BY h.rn) / NULLIF(pg_catalog.sum(h.reported ORDER BY h.rn) FILTER (WHERE h.contribution IS NOT NULL), 0),
       pg_catalog.sum(h.contribution_hi ORDER BY h.rn) / NULLIF(pg_catalog.sum(h.reported ORDER BY h.rn) FILTER (WHERE h.contribution IS NOT NULL), 0),
       pg_catalog.count(*)::integer,
       pg_catalog.sum(h.contribution ORDER BY h.rn),
       pg_catalog.sum(h.reported ORDER BY h.rn) FILTER (WHERE h.contribution IS NOT NULL),
       pg_catalog.concat_ws('; ',
         CASE WHEN pg_catalog.count(h.contribution) < pg_catalog.count(*)
              THEN pg_catalog.format('%%s of %%s channels have no measured contribution and are left out',
                                     pg_catalog.count(*) - pg_catalog.count(h.contribution), pg_catalog.count(*)) END,
         CASE WHEN pg_catalog.count(h.reported) = 0
              THEN 'no reported values: fit the model with the reported column to get factors' END)
FROM hit_o AS h
GROUP BY h.key
ORDER BY h.key
$sql$, pg_catalog.quote_ident(ext_nsp), source, by_col, campaign_col);
	RETURN QUERY EXECUTE q USING models;
END;
$function$;
COMMENT ON FUNCTION @extschema@.incrementality_by(@extschema@.kpi_model[], regclass, text, text) IS
	'incrementality factor (incremental ÷ reported) per value of by_col of source (e.g. per platform), pooled over the matching channels of the models, with a conservative 90% interval';
