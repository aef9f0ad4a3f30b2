-- report/kpi_model.sql: the KPI model's rows for the report, included by
-- report/data.sql only when noa's KPI model and its decision functions are in
-- the catalog and a business table is given.  Models of the shop's orders per
-- day: one per country with a channel per campaign when the business table
-- has a geo column (as the demo's does), otherwise one model of all orders
-- with a channel per platform (or the models in the variable models, when
-- set).  From them: the orders split into components
-- (channels summed per platform), the incrementality factor per platform
-- (noa.incrementality_by), the action plan on incremental value
-- (noa.recommendations(..., incrementality =>)) and the backtest of the last
-- 28 days (noa.kpi_model_backtest).
\set kpi_name orders
-- A model per country needs more days than parameters (8 base terms plus 3
-- per channel): with less than twice that in any country, one model of all
-- orders with a channel per platform is fitted instead.
SELECT :'models' <> '' AS given_models,
	EXISTS (SELECT FROM pg_attribute WHERE attrelid = :'biz'::regclass AND attname = 'geo' AND NOT attisdropped)
	AND NOT EXISTS (
		SELECT FROM (SELECT count(DISTINCT date_day) AS days, count(DISTINCT campaign_id) AS campaigns
		             FROM :src WHERE date_day <= :'as_of'::date GROUP BY geo) g
		WHERE g.days < 2 * (8 + 3 * g.campaigns)) AS per_geo \gset
\if :given_models
-- Models already fitted (the variable models: a table with a column of type
-- noa.kpi_model and, for one model per country, a geo column) are reused.
SELECT (SELECT attname FROM pg_attribute WHERE attrelid = :'models'::regclass AND NOT attisdropped
	AND atttypid = 'noa.kpi_model'::regtype ORDER BY attnum LIMIT 1) AS models_col,
	EXISTS (SELECT FROM pg_attribute WHERE attrelid = :'models'::regclass AND attname = 'geo' AND NOT attisdropped)
	AS models_geo \gset
\if :models_geo
CREATE TEMP TABLE r_models AS SELECT geo::text AS geo, :"models_col" AS model FROM :models;
\else
CREATE TEMP TABLE r_models AS SELECT NULL::text AS geo, :"models_col" AS model FROM :models;
\endif
\elif :per_geo
CREATE TEMP TABLE r_models AS
SELECT s.geo, noa.fit_kpi_model(s.date_day, s.campaign_id, s.spend::float8, b.orders::float8, s.conversions::float8) AS model
FROM (SELECT date_day, geo, campaign_id, sum(spend) AS spend, sum(conversions) AS conversions
      FROM :src WHERE date_day <= :'as_of'::date GROUP BY date_day, geo, campaign_id) s
JOIN (SELECT date_day, geo, sum(orders) AS orders
      FROM :biz WHERE date_day <= :'as_of'::date GROUP BY date_day, geo) b USING (date_day, geo)
GROUP BY s.geo;
\else
CREATE TEMP TABLE r_models AS
SELECT NULL::text AS geo, noa.fit_kpi_model(d.date_day, d.platform, d.spend, b.orders, d.conversions) AS model
FROM (SELECT date_day, platform, sum(spend)::float8 AS spend, sum(conversions)::float8 AS conversions
      FROM :src WHERE date_day <= :'as_of'::date GROUP BY date_day, platform) d
JOIN (SELECT date_day, sum(orders)::float8 AS orders
      FROM :biz WHERE date_day <= :'as_of'::date GROUP BY date_day) b USING (date_day);
\endif

-- Organic parts (baseline, seasonality) at the bottom of the stack, then
-- controls and events, then the channels; by name within each.  A channel
-- named like a campaign is shown as its platform, summed over the models.
CREATE TEMP TABLE r_channel_platform AS
SELECT DISTINCT ON (campaign_id) campaign_id AS channel, platform FROM :src ORDER BY campaign_id, platform;
INSERT INTO r_kpi_decomposition
SELECT x.day, coalesce(cp.platform, x.component),
	1000 * CASE min(x.component_type) WHEN 'organic' THEN 0 WHEN 'media' THEN 2 ELSE 1 END
	+ dense_rank() OVER (ORDER BY coalesce(cp.platform, x.component))::integer,
	sum(x.value)
FROM r_models k CROSS JOIN noa.kpi_model_decomposition(k.model) x
LEFT JOIN r_channel_platform cp ON x.component_type = 'media' AND cp.channel = x.component
GROUP BY x.day, coalesce(cp.platform, x.component);

INSERT INTO r_kpi_channels
SELECT f.key, f.reported, f.contribution, f.factor, f.factor_lo, f.factor_hi
FROM noa.incrementality_by((SELECT array_agg(model ORDER BY geo) FROM r_models), :'src'::regclass, 'platform') f;

-- The action plan valued on what the shop gains; the report compares it with
-- the platform-valued one per campaign.
INSERT INTO r_plan_incremental
SELECT * FROM noa.recommendations(:'src'::regclass, business => :'biz'::regclass, as_of => :'as_of'::date,
	incrementality => 'r_models', incrementality_by => 'platform');

-- Per campaign, the actions of the platform-valued plan and of this one,
-- where they or the experiment they ask for differ
-- (data-tracking fixes left aside).
INSERT INTO r_plan_changes
WITH p AS (SELECT campaign_id, string_agg(action, ', ' ORDER BY rank) AS actions,
                  min(experiment) AS experiment, min(test_days) AS test_days FROM r_plan
           WHERE campaign_id IS NOT NULL AND action <> 'fix_tracking' GROUP BY campaign_id),
     i AS (SELECT campaign_id, string_agg(action, ', ' ORDER BY rank) AS actions,
                  min(incrementality_factor) AS factor, min(incrementality_factor_lo) AS factor_lo,
                  min(incrementality_factor_hi) AS factor_hi,
                  min(experiment) AS experiment, min(test_days) AS test_days
           FROM r_plan_incremental WHERE campaign_id IS NOT NULL AND action <> 'fix_tracking' GROUP BY campaign_id)
SELECT coalesce(p.campaign_id, i.campaign_id) AS campaign_id, coalesce(p.actions, '') AS on_platform_reports,
	p.experiment, p.test_days, coalesce(i.actions, ''), i.factor, i.factor_lo, i.factor_hi, i.experiment, i.test_days
FROM p FULL JOIN i USING (campaign_id)
WHERE (p.actions IS DISTINCT FROM i.actions OR p.experiment IS DISTINCT FROM i.experiment);

-- The backtest: each model refitted up to 28 days before as_of forecasts those
-- days from the spend that was made.  Too short a history is no error here:
-- the report says why the backtest is missing.
CREATE FUNCTION pg_temp.r_backtest(model noa.kpi_model, cutoff date)
RETURNS TABLE (day date, predicted float8, predicted_lo float8, predicted_hi float8, actual float8,
	abs_pct_error float8, coverage float8, problem text)
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY SELECT b.day, b.predicted, b.predicted_lo, b.predicted_hi, b.actual, b.abs_pct_error, b.coverage,
		NULL::text
	FROM noa.kpi_model_backtest(model, cutoff) b WHERE b.component = 'total';
EXCEPTION WHEN OTHERS THEN
	RETURN QUERY SELECT NULL::date, NULL::float8, NULL::float8, NULL::float8, NULL::float8, NULL::float8,
		NULL::float8, SQLERRM;
END $$;
INSERT INTO r_backtest
SELECT k.geo, b.* FROM r_models k, pg_temp.r_backtest(k.model, :'as_of'::date - 28) b;
