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
SELECT c.campaign_id, s.* FROM c, noa.curve_summary(c.curve, 1, 45) AS s ORDER BY c.campaign_id;

-- query: curve_points
WITH c AS (SELECT campaign_id, noa.fit_curve(spend::float8, conversions::float8) AS curve
           FROM noa_demo.ad_spend GROUP BY campaign_id)
SELECT c.campaign_id, p.* FROM c, noa.curve_points(c.curve, 3000, 12, 0.9, 45) AS p ORDER BY c.campaign_id, p.point_no;

-- query: allocate
WITH c AS (
	SELECT campaign_id, min(campaign_role) AS role, noa.fit_curve(spend::float8, conversions::float8) AS curve,
	       (avg(spend) FILTER (WHERE date_day > DATE '2025-12-03'))::float8 AS cur,
	       (sum(conversions_value) / sum(conversions))::float8 AS v
	FROM noa_demo.ad_spend GROUP BY campaign_id),
p AS (SELECT noa.portfolio(campaign_id, curve, cur, NULL, NULL, role, v, role = 'awareness') AS pf FROM c)
SELECT a.* FROM p, noa.allocate(p.pf, budget => 50000, group_min_share => 'awareness=0.2') AS a;

-- query: allocation_summary
WITH c AS (
	SELECT campaign_id, noa.fit_curve(spend::float8, conversions::float8) AS curve,
	       (avg(spend) FILTER (WHERE date_day > DATE '2025-12-03'))::float8 AS cur
	FROM noa_demo.ad_spend GROUP BY campaign_id),
p AS (SELECT noa.portfolio(campaign_id, curve, cur) AS pf FROM c)
SELECT s.* FROM p, noa.allocation_summary(p.pf, objective => 'max_profit', target => 0.02) AS s;

-- query: simulate
WITH c AS (
	SELECT campaign_id, min(campaign_role) AS role, noa.fit_curve(spend::float8, conversions::float8) AS curve,
	       (avg(spend) FILTER (WHERE date_day > DATE '2025-12-03'))::float8 AS cur,
	       (sum(conversions_value) / sum(conversions))::float8 AS v
	FROM noa_demo.ad_spend GROUP BY campaign_id),
p AS (SELECT noa.portfolio(campaign_id, curve, cur, role, v) AS pf FROM c)
SELECT s.* FROM p, noa.simulate(p.pf, 'move 20% from ggl-it-10 to tt-fr-03; set ms-de-01 to 0') AS s;

-- query: data_quality
SELECT * FROM noa.data_quality('noa_clients.ads_fr', 'noa_demo.shop_orders', as_of => '2025-12-31');

-- query: waste
SELECT * FROM noa.waste('noa_clients.ads_fr', as_of => '2025-12-31');

-- query: recommendations
SELECT * FROM noa.recommendations('noa_clients.ads_fr', business => 'noa_demo.shop_orders', as_of => '2025-12-31');
