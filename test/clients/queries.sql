-- The queries of the client type test (scripts/client-types.sh): every
-- analyst-facing function of noa, read through psycopg2, pgjdbc and
-- node-postgres, each of which checks that every column is a plain number,
-- text, date or boolean and never NaN or Infinity.  One query per
-- "-- query: NAME" header; they run on the demo data, the source-reading
-- functions on noa_clients.ads_fr (the French campaigns, to keep it quick).
-- Curves of every campaign include two that cannot be fitted (NULL answers)
-- and spend 0, where a concave curve's slope may be unbounded.

-- query: version
SELECT noa.version() AS version;

-- query: curve accessors
WITH c AS (
	SELECT campaign_id, noa.fit_curve(spend::float8, conversions::float8) AS curve,
	       noa.fit_curve(spend::float8, conversions::float8, 'auto') AS auto_curve, avg(spend)::float8 AS sp
	FROM noa_demo.ad_spend GROUP BY campaign_id)
SELECT campaign_id, noa.curve_status(curve) AS status, noa.curve_model(auto_curve) AS auto_model,
       noa.curve_param(curve, 'b') AS b, noa.curve_param(curve, 's') AS s,
       noa.response(curve, sp) AS response, noa.response_lo(curve, sp) AS response_lo, noa.response_hi(curve, sp) AS response_hi,
       noa.marginal_roas(curve, sp, 45) AS mroas, noa.marginal_roas_lo(curve, sp, 45) AS mroas_lo,
       noa.marginal_roas_hi(curve, sp, 45) AS mroas_hi, noa.marginal_roas(curve, 0, 45) AS mroas_at_zero,
       noa.breakeven_spend(curve, 1, 45) AS breakeven, noa.breakeven_spend_lo(curve, 1, 45) AS breakeven_lo,
       noa.breakeven_spend_hi(curve, 1, 45) AS breakeven_hi, noa.breakeven_note(curve, 1, 45) AS breakeven_note,
       noa.saturation_spend(curve, 0.9) AS saturation, noa.saturation_spend_lo(curve, 0.9) AS saturation_lo,
       noa.saturation_spend_hi(curve, 0.9) AS saturation_hi, noa.response(auto_curve, 0) AS response_at_zero
FROM c ORDER BY campaign_id;

-- query: curve_summary
WITH c AS (SELECT campaign_id, noa.fit_curve(spend::float8, conversions::float8) AS curve
           FROM noa_demo.ad_spend GROUP BY campaign_id)
SELECT c.campaign_id, s.* FROM c, noa.curve_summary(c.curve, 1, 45, currency => 'EUR', response_unit => 'conversions') AS s ORDER BY c.campaign_id;

-- query: curve_points
WITH c AS (SELECT campaign_id, noa.fit_curve(spend::float8, conversions::float8) AS curve
           FROM noa_demo.ad_spend GROUP BY campaign_id)
SELECT c.campaign_id, p.* FROM c, noa.curve_points(c.curve, 3000, 12, 0.9, 45, 'EUR', 'conversions') AS p ORDER BY c.campaign_id, p.point_no;

-- query: allocate
WITH c AS (
	SELECT campaign_id, min(campaign_role) AS role, noa.fit_curve(spend::float8, conversions::float8) AS curve,
	       (avg(spend) FILTER (WHERE date_day > DATE '2025-12-03'))::float8 AS cur,
	       (sum(conversions_value) / sum(conversions))::float8 AS v
	FROM noa_demo.ad_spend GROUP BY campaign_id),
p AS (SELECT noa.portfolio(campaign_id, curve, cur, NULL, NULL, role, v, role = 'awareness') AS pf FROM c)
SELECT a.* FROM p, noa.allocate(p.pf, budget => 50000, group_min_share => 'awareness=0.2',
                         currency => 'EUR', response_unit => 'conversions') AS a;

-- query: allocation_summary
WITH c AS (
	SELECT campaign_id, noa.fit_curve(spend::float8, conversions::float8) AS curve,
	       (avg(spend) FILTER (WHERE date_day > DATE '2025-12-03'))::float8 AS cur
	FROM noa_demo.ad_spend GROUP BY campaign_id),
p AS (SELECT noa.portfolio(campaign_id, curve, cur) AS pf FROM c)
SELECT s.* FROM p, noa.allocation_summary(p.pf, objective => 'max_profit', target => 0.02, currency => 'EUR') AS s;

-- query: simulate
WITH c AS (
	SELECT campaign_id, min(campaign_role) AS role, noa.fit_curve(spend::float8, conversions::float8) AS curve,
	       (avg(spend) FILTER (WHERE date_day > DATE '2025-12-03'))::float8 AS cur,
	       (sum(conversions_value) / sum(conversions))::float8 AS v
	FROM noa_demo.ad_spend GROUP BY campaign_id),
p AS (SELECT noa.portfolio(campaign_id, curve, cur, role, v) AS pf FROM c)
SELECT s.* FROM p, noa.simulate(p.pf, 'move 20% from ggl-it-10 to tt-fr-03; set ms-de-01 to 0',
                         currency => 'EUR', response_unit => 'conversions') AS s;

-- query: data_quality
SELECT * FROM noa.data_quality('noa_clients.ads_fr', 'noa_demo.shop_orders', as_of => '2025-12-31');

-- query: waste
SELECT * FROM noa.waste('noa_clients.ads_fr', as_of => '2025-12-31');

-- query: recommendations
SELECT * FROM noa.recommendations('noa_clients.ads_fr', business => 'noa_demo.shop_orders', as_of => '2025-12-31');

-- query: kpi_model_channels
-- French shop orders explained by each platform's spend (the KPI model, with the
-- platforms' claimed conversions for the incrementality factor).
WITH m AS (
	SELECT noa.fit_kpi_model(s.date_day, s.platform, s.spend::float8, o.orders::float8, s.conversions::float8) AS model
	FROM noa_demo.ad_spend s JOIN noa_demo.shop_orders o USING (date_day, geo)
	WHERE s.geo = 'FR')
SELECT c.* FROM m, noa.kpi_model_channels(m.model) c;

-- query: kpi_model_decomposition
WITH m AS (
	SELECT noa.fit_kpi_model(s.date_day, s.platform, s.spend::float8, o.orders::float8, s.conversions::float8) AS model
	FROM noa_demo.ad_spend s JOIN noa_demo.shop_orders o USING (date_day, geo)
	WHERE s.geo = 'FR')
SELECT d.* FROM m, noa.kpi_model_decomposition(m.model) d;

-- query: kpi_model_fitted
WITH m AS (
	SELECT noa.fit_kpi_model(s.date_day, s.platform, s.spend::float8, o.orders::float8, s.conversions::float8) AS model
	FROM noa_demo.ad_spend s JOIN noa_demo.shop_orders o USING (date_day, geo)
	WHERE s.geo = 'FR')
SELECT f.* FROM m, noa.kpi_model_fitted(m.model) f;

-- query: kpi_model_diagnostics
WITH m AS (
	SELECT noa.fit_kpi_model(s.date_day, s.platform, s.spend::float8, o.orders::float8, s.conversions::float8) AS model
	FROM noa_demo.ad_spend s JOIN noa_demo.shop_orders o USING (date_day, geo)
	WHERE s.geo = 'FR')
SELECT g.* FROM m, noa.kpi_model_diagnostics(m.model) g;

-- query: kpi_model_curve
WITH m AS (
	SELECT noa.fit_kpi_model(s.date_day, s.platform, s.spend::float8, o.orders::float8, s.conversions::float8) AS model
	FROM noa_demo.ad_spend s JOIN noa_demo.shop_orders o USING (date_day, geo)
	WHERE s.geo = 'FR')
SELECT c.channel, noa.curve_status(noa.kpi_model_curve(m.model, c.channel)) AS status,
       noa.marginal_roas(noa.kpi_model_curve(m.model, c.channel), c.current_spend::float8, 1) AS mroas
FROM m, noa.kpi_model_channels(m.model) c;

-- query: kpi_model_experiments
-- The French platform model calibrated with one lift test (noa_clients.lift_tests_fr).
WITH m AS (
	SELECT noa.calibrate_kpi_model(noa.fit_kpi_model(s.date_day, s.platform, s.spend::float8, o.orders::float8,
	                                                 s.conversions::float8), 'noa_clients.lift_tests_fr') AS model
	FROM noa_demo.ad_spend s JOIN noa_demo.shop_orders o USING (date_day, geo)
	WHERE s.geo = 'FR')
SELECT e.* FROM m, noa.kpi_model_experiments(m.model) e;

-- query: kpi_model_calibration
WITH m AS (
	SELECT noa.calibrate_kpi_model(noa.fit_kpi_model(s.date_day, s.platform, s.spend::float8, o.orders::float8,
	                                                 s.conversions::float8), 'noa_clients.lift_tests_fr') AS model
	FROM noa_demo.ad_spend s JOIN noa_demo.shop_orders o USING (date_day, geo)
	WHERE s.geo = 'FR')
SELECT c.* FROM m, noa.kpi_model_calibration(m.model) c;

-- query: kpi_model_backtest
WITH m AS (
	SELECT noa.fit_kpi_model(s.date_day, s.platform, s.spend::float8, o.orders::float8, s.conversions::float8) AS model
	FROM noa_demo.ad_spend s JOIN noa_demo.shop_orders o USING (date_day, geo)
	WHERE s.geo = 'FR')
SELECT b.* FROM m, noa.kpi_model_backtest(m.model, '2025-09-30', 28) b;

-- query: kpi_model_followup
WITH m AS (
	SELECT noa.fit_kpi_model(s.date_day, s.platform, s.spend::float8, o.orders::float8, s.conversions::float8) AS model
	FROM noa_demo.ad_spend s JOIN noa_demo.shop_orders o USING (date_day, geo)
	WHERE s.geo = 'FR')
SELECT f.* FROM m, noa.kpi_model_followup(m.model, '2025-09-30', 'facebook_ads', 28) f;

-- query: carryover
-- The time-aware fit (one row per day) of a YouTube campaign with carryover, its
-- carryover row, same-day and long-run answers, and the adstock window functions.
WITH c AS (
	SELECT noa.fit_curve(date_day, spend::float8, conversions::float8) AS curve
	FROM noa_demo.ad_spend WHERE campaign_id = 'ggl-de-04')
SELECT k.*, noa.marginal_roas(c.curve, 500, 45) AS mroas_long_run,
       noa.marginal_roas_same_day(c.curve, 500, 45) AS mroas_same_day
FROM c, noa.curve_carryover(c.curve) k;

-- query: adstock window functions
SELECT date_day,
       noa.adstock_geometric(date_day, spend::float8, 0.5) OVER w AS geometric,
       noa.adstock_geometric(date_day, spend::float8, 0.5, 7, true) OVER w AS geometric_normalised,
       noa.adstock_delayed(date_day, spend::float8, 0.5, 2, 7, true) OVER w AS delayed,
       noa.adstock_weibull_cdf(date_day, spend::float8, 1.5, 0.3, 14) OVER w AS weibull_cdf,
       noa.adstock_weibull_pdf(date_day, spend::float8, 2.0, 0.3, 14) OVER w AS weibull_pdf,
       noa.adstock_geometric((date_day - DATE '2024-01-01'), spend::float8, 0.5) OVER w AS geometric_by_period
FROM noa_demo.ad_spend WHERE campaign_id = 'ggl-de-04'
WINDOW w AS (ORDER BY date_day);
