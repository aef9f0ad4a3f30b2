-- The questions asked of both databases: noa_single (one ordinary table) and
-- noa_shard (the same rows hash-partitioned over three clusters).  Each answer
-- starts with a line "== name"; run.sh compares the two outputs answer by
-- answer as text.  The settings are those a sharded deployment would use; on
-- the single server they change nothing.
SET enable_partitionwise_aggregate = on;
SET enable_async_append = on;

\echo == fit_curve_by_campaign
SELECT campaign_id, noa.fit_curve(spend::float8, conversions::float8)
FROM noa_demo.ad_spend GROUP BY campaign_id ORDER BY campaign_id;

\echo == fit_curve_auto_by_campaign
SELECT campaign_id, noa.fit_curve(spend::float8, conversions::float8, 'auto')
FROM noa_demo.ad_spend GROUP BY campaign_id ORDER BY campaign_id;

-- Accessors applied to the fit in the same query are sent along with it.
\echo == accessors_by_campaign
SELECT campaign_id,
       noa.marginal_roas(noa.fit_curve(spend::float8, conversions_value::float8), 1000) AS mroas_at_1000,
       noa.breakeven_spend(noa.fit_curve(spend::float8, conversions_value::float8)) AS breakeven
FROM noa_demo.ad_spend GROUP BY campaign_id ORDER BY campaign_id;

\echo == fit_curve_by_platform
SELECT platform, noa.fit_curve(spend::float8, conversions::float8)
FROM noa_demo.ad_spend GROUP BY platform ORDER BY platform;

\echo == fit_curve_whole_table
SELECT noa.fit_curve(spend::float8, conversions::float8, 'exponential') FROM noa_demo.ad_spend;

-- Curves per campaign (pushed to the shards), gathered into one portfolio at
-- the coordinator, with each campaign's mean daily spend of the last 28 days.
\echo == portfolio_allocate
WITH fits AS (
	SELECT campaign_id, platform, noa.fit_curve(spend::float8, conversions_value::float8) AS curve,
	       avg(spend) FILTER (WHERE date_day > date '2025-12-31' - 28)::float8 AS spend_now
	FROM noa_demo.ad_spend GROUP BY campaign_id, platform
), p AS (
	SELECT noa.portfolio(campaign_id, curve, spend_now, platform, 1) AS portfolio FROM fits
)
SELECT a.* FROM p, noa.allocate(p.portfolio, budget => 40000, group_max_share => 'tiktok_ads=0.2') AS a;

\echo == portfolio_allocation_summary
WITH fits AS (
	SELECT campaign_id, platform, noa.fit_curve(spend::float8, conversions_value::float8) AS curve,
	       avg(spend) FILTER (WHERE date_day > date '2025-12-31' - 28)::float8 AS spend_now
	FROM noa_demo.ad_spend GROUP BY campaign_id, platform
), p AS (
	SELECT noa.portfolio(campaign_id, curve, spend_now, platform, 1) AS portfolio FROM fits
)
SELECT s.* FROM p, noa.allocation_summary(p.portfolio, budget => 40000, group_max_share => 'tiktok_ads=0.2') AS s;

\echo == data_quality
SELECT * FROM noa.data_quality('noa_demo.ad_spend', 'noa_demo.shop_orders', as_of => '2025-12-31');

\echo == waste
SELECT * FROM noa.waste('noa_demo.ad_spend', as_of => '2025-12-31');

-- A view that keeps one period (created by run.sh in both databases).
\echo == waste_on_period_view
SELECT * FROM noa.waste('noa_demo.ad_spend_2025', as_of => '2025-12-31');

\echo == recommendations
SELECT * FROM noa.recommendations('noa_demo.ad_spend', business => 'noa_demo.shop_orders', as_of => '2025-12-31');
