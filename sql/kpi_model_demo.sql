-- The KPI model on the demo data (runs after demo_data, same database): shop
-- orders per country explained by each platform's spend, with the platforms'
-- reported conversions.  Truth (noa_demo.ground_truth): a campaign's shop-
-- incremental orders are its reported conversions / attribution_factor (0 for
-- the planted no-effect campaign), its long-run marginal orders per euro at the
-- current spend follow from b, k, s and adstock_theta.  The figures below are
-- a record of where the model stands against that truth, not a pass mark.
SET extra_float_digits = 0;

CREATE TABLE demo_models AS
SELECT s.geo, noa.fit_kpi_model(s.date_day, s.platform, s.spend::float8, o.orders::float8,
	s.conversions::float8) AS model
FROM noa_demo.ad_spend s JOIN noa_demo.shop_orders o USING (date_day, geo)
GROUP BY s.geo;

-- Incrementality factor (incremental / reported) per platform, summed over countries.
CREATE TEMP TABLE factor_truth AS
SELECT a.platform, sum(a.conversions)::float8 AS reported,
	sum(CASE WHEN g.incremental THEN a.conversions / g.attribution_factor ELSE 0 END)::float8 AS incremental
FROM noa_demo.ad_spend a JOIN noa_demo.ground_truth g USING (campaign_id) GROUP BY a.platform;
SELECT c.channel AS platform, round((sum(c.contribution) / sum(c.reported))::numeric, 2) AS factor,
	round((sum(c.contribution_lo) / sum(c.reported))::numeric, 2) AS factor_lo,
	round((sum(c.contribution_hi) / sum(c.reported))::numeric, 2) AS factor_hi,
	round((t.incremental / t.reported)::numeric, 2) AS true_factor,
	abs(sum(c.contribution) / t.incremental - 1) <= 0.10 AS within_10pct,
	t.incremental / t.reported BETWEEN sum(c.contribution_lo) / sum(c.reported)
		AND sum(c.contribution_hi) / sum(c.reported) AS truth_in_interval
FROM demo_models m, noa.kpi_model_channels(m.model) c JOIN factor_truth t ON t.platform = c.channel
GROUP BY c.channel, t.incremental, t.reported ORDER BY c.channel;

-- Long-run incremental marginal orders per euro at the current spend, per
-- country and platform: the campaigns' true slopes weighted by their spend.
CREATE TEMP TABLE mroas_truth AS
SELECT g.geo, g.platform,
	sum(g.mean_spend_last_90d * CASE WHEN NOT g.incremental THEN 0
		ELSE noa.marginal_roas(format('v1:hill;status=converged;n=1;iterations=0;starts=1;converged_starts=1;flags=0;'
			'params=%s,%s,%s;cov=0,0,0,0,0,0,0,0,0;ssr=0;sigma=0;r2=1;aicc=0;x_min=0;x_max=1;x_mean=0;y_mean=0',
			g.b, g.k, g.s)::noa.curve, (g.mean_spend_last_90d / (1 - g.adstock_theta))::float8)
			/ (1 - g.adstock_theta) / g.attribution_factor END)
		/ sum(g.mean_spend_last_90d) AS mroas
FROM noa_demo.ground_truth g GROUP BY g.geo, g.platform;
CREATE TEMP TABLE mroas_cmp AS
SELECT m.geo, c.channel, c.mroas, c.mroas_lo, c.mroas_hi, t.mroas AS true_mroas
FROM demo_models m CROSS JOIN LATERAL noa.kpi_model_channels(m.model) c
	JOIN mroas_truth t ON t.geo = m.geo AND t.platform = c.channel;
SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(mroas / true_mroas - 1))::numeric, 2) AS median_mroas_error,
	count(*) FILTER (WHERE true_mroas BETWEEN mroas_lo AND mroas_hi) AS truth_in_interval, count(*) AS channels
FROM mroas_cmp;

-- What the diagnostics say about these fits.
SELECT m.geo, d.item, d.channel FROM demo_models m, noa.kpi_model_diagnostics(m.model) d
WHERE d.severity = 'warning' ORDER BY m.geo, d.item, d.channel;
