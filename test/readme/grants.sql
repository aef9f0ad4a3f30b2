-- README's grants (section "Permissions"), checked as the role they create:
-- noa_analyst, not a superuser, with USAGE on schema noa and SELECT on the
-- demo tables, can call every analyst-facing function; a role without the
-- USAGE grant gets 42501.  scripts/test.sh has run README's SQL blocks first.
BEGIN;
SELECT plan(11);

SELECT ok(NOT rolsuper AND NOT rolcreaterole AND NOT rolcreatedb, 'noa_analyst is a plain role')
FROM pg_roles WHERE rolname = 'noa_analyst';

-- an analyst without the grant on schema noa
CREATE ROLE noa_no_usage;
GRANT USAGE ON SCHEMA noa_demo TO noa_no_usage;
GRANT SELECT ON ALL TABLES IN SCHEMA noa_demo TO noa_no_usage;
SET LOCAL ROLE noa_no_usage;
SELECT throws_ok($$SELECT * FROM noa.waste('noa_demo.ad_spend')$$, '42501', NULL,
	'without USAGE on schema noa: permission denied');
RESET ROLE;

SET LOCAL ROLE noa_analyst;
CREATE TEMP TABLE analyst_curves AS
SELECT campaign_id, min(campaign_role) AS campaign_role, noa.fit_curve(spend::float8, conversions::float8) AS curve,
       (avg(spend) FILTER (WHERE date_day > DATE '2025-12-31' - 28))::float8 AS current_spend,
       (sum(conversions_value) / nullif(sum(conversions), 0))::float8 AS value_per_unit
FROM noa_demo.ad_spend GROUP BY campaign_id;
SELECT is((SELECT count(*) FROM analyst_curves WHERE noa.curve_status(curve) IS NOT NULL), 40::bigint,
	'fit_curve: a curve for each of the 40 demo campaigns');
SELECT cmp_ok((SELECT count(*) FROM analyst_curves c, noa.curve_summary(c.curve) s WHERE s.b IS NOT NULL), '>', 0::bigint,
	'curve_summary');
SELECT is((SELECT count(*) FROM analyst_curves c, noa.curve_points(c.curve, 3000, 10) p WHERE c.campaign_id = 'ggl-de-02'),
	10::bigint, 'curve_points');
CREATE TEMP TABLE analyst_pf AS
SELECT noa.portfolio(campaign_id, curve, current_spend, campaign_role, value_per_unit) AS pf FROM analyst_curves;
SELECT is((SELECT status FROM analyst_pf, noa.allocate(pf, budget => 50000) a WHERE a.row_type = 'total'),
	'optimal', 'allocate');
SELECT is((SELECT status FROM analyst_pf, noa.allocation_summary(pf, budget => 50000)), 'optimal', 'allocation_summary');
SELECT is((SELECT status FROM analyst_pf, noa.simulate(pf, 'raise tt-fr-03 by 100') s WHERE s.key = 'tt-fr-03'),
	'changed', 'simulate');
SELECT is((SELECT count(*) FROM noa.data_quality('noa_demo.ad_spend', 'noa_demo.shop_orders', as_of => '2025-12-31')),
	6::bigint, 'data_quality: the six planted problems');
SELECT cmp_ok((SELECT count(*) FROM noa.waste('noa_demo.ad_spend', as_of => '2025-12-31')), '>', 0::bigint, 'waste');
SELECT is((SELECT min(rank) FROM noa.recommendations('noa_demo.ad_spend', as_of => '2025-12-31')), 1, 'recommendations');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
