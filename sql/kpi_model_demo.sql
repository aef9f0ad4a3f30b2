-- The KPI model on the demo data (runs after demo_data, same database): shop
-- orders per country explained by each campaign's spend (one channel per
-- campaign, so each has its own carryover and saturation), with the
-- platforms' reported conversions.  Truth (noa_demo.ground_truth): a
-- campaign's shop-incremental orders are its reported conversions /
-- attribution_factor (0 for the planted no-effect campaign); its long-run
-- marginal orders per euro at the current spend follow from b, k, s and
-- adstock_theta.  The demo's organic demand is multiplicative (level × weekly
-- × yearly × trend), so the model is fitted both ways: the additive default
-- and seasonality=multiplicative.  An oracle that knows every campaign's true
-- carryover and saturation measures how precise any model can be on these data.
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
SELECT count(*) FILTER (WHERE abs(c.incremental / t.incremental - 1) <= 0.10) AS platforms_within_10pct,
	bool_and(t.incremental BETWEEN c.lo AND c.hi) AS truth_in_every_interval
FROM (SELECT platform, sum(contribution) AS incremental, sum(contribution_lo) AS lo, sum(contribution_hi) AS hi
      FROM demo_channels GROUP BY platform) c JOIN factor_truth t USING (platform);

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

-- ---------------------------------------------------------------------------
-- Multiplicative organic demand (seasonality=multiplicative): the weekly swing
-- grows with the season and the trend, as in the demo's generator.
-- ---------------------------------------------------------------------------
CREATE TABLE demo_models_mult AS
SELECT s.geo, noa.fit_kpi_model(s.date_day, s.campaign_id, s.spend::float8, o.orders::float8,
	s.conversions::float8, 'media', 'seasonality=multiplicative') AS model
FROM noa_demo.ad_spend s JOIN noa_demo.shop_orders o USING (date_day, geo)
GROUP BY s.geo;
CREATE TEMP TABLE demo_channels_mult AS
SELECT m.geo, g.platform, c.*
FROM demo_models_mult m CROSS JOIN LATERAL noa.kpi_model_channels(m.model) c
	JOIN noa_demo.ground_truth g ON g.campaign_id = c.channel;
SELECT c.platform, round((sum(c.contribution) / sum(c.reported))::numeric, 2) AS factor,
	round((sum(c.contribution_lo) / sum(c.reported))::numeric, 2) AS factor_lo,
	round((sum(c.contribution_hi) / sum(c.reported))::numeric, 2) AS factor_hi,
	round((t.incremental / t.reported)::numeric, 2) AS true_factor,
	t.incremental / t.reported BETWEEN sum(c.contribution_lo) / sum(c.reported)
		AND sum(c.contribution_hi) / sum(c.reported) AS truth_in_interval
FROM demo_channels_mult c JOIN factor_truth t USING (platform)
GROUP BY c.platform, t.incremental, t.reported ORDER BY c.platform;

-- The oracle: each campaign's true response shape (hill of its true adstock,
-- noise-free) as a linear control, so only its scale is estimated, next to
-- the same multiplicative baseline.  Its scale error is the error of its
-- marginal ROAS (the shape is exact): the floor for any model of these data.
CREATE TEMP TABLE oracle_feature AS
SELECT d.geo, d.campaign_id, d.date_day,
	noa_demo.hill(noa.adstock_geometric(d.date_day, d.spend, g.adstock_theta::float8) OVER w,
		g.b::float8, g.k::float8, g.s::float8) AS response
FROM (SELECT geo, campaign_id, date_day, avg(spend)::float8 AS spend FROM noa_demo.ad_spend GROUP BY 1, 2, 3) d
	JOIN noa_demo.ground_truth g USING (campaign_id)
WHERE g.incremental
WINDOW w AS (PARTITION BY d.campaign_id ORDER BY d.date_day);
CREATE TEMP TABLE oracle_models AS
SELECT r.geo, noa.fit_kpi_model(r.date_day, r.channel, r.value, o.orders::float8, NULL, r.role,
	'seasonality=multiplicative, replicates=10') AS model
FROM (SELECT geo, date_day, 'oracle:' || campaign_id AS channel, response AS value, 'control' AS role FROM oracle_feature
      UNION ALL
      -- a stand-in media channel (the model needs one); it has no effect on orders
      SELECT DISTINCT geo, date_day, 'stand-in', 1.0 + (extract(day FROM date_day)::int % 3), 'media' FROM oracle_feature) r
	JOIN noa_demo.shop_orders o USING (date_day, geo)
GROUP BY r.geo;
CREATE TEMP TABLE oracle_error AS
SELECT e.campaign_id, abs(e.scale * g.attribution_factor - 1) AS error
FROM (SELECT substr(d.component, 8) AS campaign_id, sum(d.value) / sum(f.response) AS scale
      FROM oracle_models m, noa.kpi_model_decomposition(m.model) d
      	JOIN oracle_feature f ON f.campaign_id = substr(d.component, 8) AND f.date_day = d.day
      WHERE d.component LIKE 'oracle:%' GROUP BY 1) e
	JOIN noa_demo.ground_truth g USING (campaign_id);

-- Median error of the incremental marginal ROAS at current spend: additive
-- default, multiplicative, and the oracle's floor.  The issue's 10% target is
-- below that floor: these data do not hold enough information per campaign.
SELECT round(a.err::numeric, 2) AS additive, round(mu.err::numeric, 2) AS multiplicative,
	round(o.err::numeric, 2) AS oracle_floor,
	mu.err < a.err AS multiplicative_better, o.err > 0.10 AS target_10pct_below_floor
FROM (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(c.mroas / t.mroas - 1)) AS err
      FROM demo_channels c JOIN mroas_truth t ON t.campaign_id = c.channel WHERE t.incremental AND c.mroas IS NOT NULL) a,
     (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(c.mroas / t.mroas - 1)) AS err
      FROM demo_channels_mult c JOIN mroas_truth t ON t.campaign_id = c.channel WHERE t.incremental AND c.mroas IS NOT NULL) mu,
     (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY error) AS err FROM oracle_error) o;

-- Per platform, the oracle's incrementality factor (true shapes, scales
-- estimated): even knowing every curve, some platforms land 10-20% off, so a
-- factor within 10% of the truth on every platform is luck on these data.
SELECT g.platform, round((sum(e.contribution) / t.reported)::numeric, 2) AS oracle_factor,
	round((t.incremental / t.reported)::numeric, 2) AS true_factor,
	round((sum(e.contribution) / t.incremental - 1)::numeric, 2) AS oracle_error
FROM (SELECT substr(d.component, 8) AS campaign_id, sum(d.value) AS contribution
      FROM oracle_models m, noa.kpi_model_decomposition(m.model) d WHERE d.component LIKE 'oracle:%' GROUP BY 1) e
	JOIN noa_demo.ground_truth g USING (campaign_id) JOIN factor_truth t ON t.platform = g.platform
GROUP BY g.platform, t.reported, t.incremental ORDER BY g.platform;
