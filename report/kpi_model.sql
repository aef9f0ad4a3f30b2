-- report/kpi_model.sql: the KPI model's rows for the report, included by
-- report/data.sql only when noa's KPI model (noa.fit_kpi_model,
-- noa.kpi_model_decomposition, noa.kpi_model_channels) is in the catalog and
-- a business table is given.  One model of the shop's orders per day, with a
-- channel per platform: its spend per day and, for the incrementality factor,
-- the conversions the platform reports.
\set kpi_name orders
CREATE TEMP TABLE r_kpi AS
SELECT noa.fit_kpi_model(d.date_day, d.platform, d.spend, b.orders, d.conversions) AS model
FROM (SELECT date_day, platform, sum(spend)::float8 AS spend, sum(conversions)::float8 AS conversions
      FROM :src WHERE date_day <= :'as_of'::date GROUP BY date_day, platform) d
JOIN (SELECT date_day, sum(orders)::float8 AS orders
      FROM :biz WHERE date_day <= :'as_of'::date GROUP BY date_day) b USING (date_day);

-- Organic parts (baseline, seasonality) at the bottom of the stack, then
-- controls and events, then the channels; by name within each.
INSERT INTO r_kpi_decomposition
SELECT x.day, x.component,
	1000 * CASE x.component_type WHEN 'organic' THEN 0 WHEN 'media' THEN 2 ELSE 1 END
	+ dense_rank() OVER (ORDER BY x.component)::integer,
	x.value
FROM r_kpi k, noa.kpi_model_decomposition(k.model) x;

INSERT INTO r_kpi_channels
SELECT c.channel, c.reported, c.contribution, c.incrementality, c.incrementality_lo, c.incrementality_hi
FROM r_kpi k, noa.kpi_model_channels(k.model) c;
