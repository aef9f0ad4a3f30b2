-- The KPI model on the demo data (runs after demo_data, same database): shop
-- orders per country explained by each campaign's spend (one channel per
-- campaign, so each has its own carryover and saturation), with the
-- platforms' reported conversions.  Truth (noa_demo.ground_truth): a
-- campaign's shop-incremental orders are its reported conversions /
-- attribution_factor (0 for the planted no-effect campaign); its long-run
-- marginal orders per euro at the current spend follow from b, k, s and
-- adstock_theta.  The figures are a record of where the model stands against
-- that truth (issue 10 asks for factors within 10% and mROAS within 10%).
SET extra_float_digits = 0;

CREATE TABLE demo_models AS
SELECT s.geo, noa.fit_kpi_model(s.date_day, s.campaign_id, s.spend::float8, o.orders::float8,
	s.conversions::float8) AS model
FROM noa_demo.ad_spend s JOIN noa_demo.shop_orders o USING (date_day, geo)
GROUP BY s.geo;

CREATE TEMP TABLE demo_channels AS
SELECT m.geo, g.platform, c.*
FROM demo_models m CROSS JOIN LATERAL noa.kpi_model_channels(m.model) c
	JOIN noa_demo.ground_truth g ON g.campaign_id = c.channel;

-- Incrementality factor (incremental / reported) per platform, summed over its campaigns.
CREATE TEMP TABLE factor_truth AS
SELECT a.platform, sum(a.conversions)::float8 AS reported,
	sum(CASE WHEN g.incremental THEN a.conversions / g.attribution_factor ELSE 0 END)::float8 AS incremental
FROM noa_demo.ad_spend a JOIN noa_demo.ground_truth g USING (campaign_id) GROUP BY a.platform;
SELECT c.platform, round((sum(c.contribution) / sum(c.reported))::numeric, 2) AS factor,
	round((sum(c.contribution_lo) / sum(c.reported))::numeric, 2) AS factor_lo,
	round((sum(c.contribution_hi) / sum(c.reported))::numeric, 2) AS factor_hi,
	round((t.incremental / t.reported)::numeric, 2) AS true_factor,
	abs(sum(c.contribution) / t.incremental - 1) <= 0.10 AS within_10pct,
	t.incremental / t.reported BETWEEN sum(c.contribution_lo) / sum(c.reported)
		AND sum(c.contribution_hi) / sum(c.reported) AS truth_in_interval
FROM demo_channels c JOIN factor_truth t USING (platform)
GROUP BY c.platform, t.incremental, t.reported ORDER BY c.platform;

-- Long-run incremental marginal orders per euro at the current spend, per campaign.
CREATE TEMP TABLE mroas_truth AS
SELECT g.campaign_id, g.incremental,
	CASE WHEN NOT g.incremental THEN 0
		ELSE noa.marginal_roas(format('v1:hill;status=converged;n=1;iterations=0;starts=1;converged_starts=1;flags=0;'
			'params=%s,%s,%s;cov=0,0,0,0,0,0,0,0,0;ssr=0;sigma=0;r2=1;aicc=0;x_min=0;x_max=1;x_mean=0;y_mean=0',
			g.b, g.k, g.s)::noa.curve, (g.mean_spend_last_90d / (1 - g.adstock_theta))::float8)
			/ (1 - g.adstock_theta) / g.attribution_factor END AS mroas
FROM noa_demo.ground_truth g;
SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(c.mroas / t.mroas - 1))::numeric, 2) AS median_mroas_error,
	count(*) FILTER (WHERE t.mroas BETWEEN c.mroas_lo AND c.mroas_hi) AS truth_in_interval,
	count(*) AS campaigns
FROM demo_channels c JOIN mroas_truth t ON t.campaign_id = c.channel
WHERE t.incremental AND c.mroas IS NOT NULL;

-- The planted campaign without any effect on the shop.
SELECT c.channel, round(c.roas::numeric, 4) AS roas, c.contribution_lo <= 0.1 * c.contribution_hi AS interval_reaches_zero
FROM demo_channels c JOIN noa_demo.ground_truth g ON g.campaign_id = c.channel WHERE NOT g.incremental;

-- What the diagnostics say about these fits.
SELECT m.geo, d.item, d.channel FROM demo_models m, noa.kpi_model_diagnostics(m.model) d
WHERE d.severity = 'warning' ORDER BY m.geo, d.item, d.channel;
