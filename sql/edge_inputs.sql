-- Edge inputs from the hardening sweep (issue 17): huge counts, extreme
-- amounts and dates, degenerate allocation limits and look-alike campaign
-- names.  Each must give a finding, a clean exclusion or a clear error,
-- never XX000, 22003/22008, NaN in text or a false 'optimal'.
SET extra_float_digits = 0;
SET DateStyle = 'ISO, YMD';

-- Errors as one line: SQLSTATE and message (no file/line noise).
CREATE FUNCTION pg_temp.sqlstate_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text; msg text;
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
	RETURN st || ': ' || msg;
END $$;

-- A steady campaign (about 1,000 a day, conversions proportional to spend).
CREATE TABLE e_base AS
SELECT d::date AS date_day, 'google_ads'::text AS platform, c AS campaign_id, 'EUR'::text AS currency,
       round((1000 + 250 * sin(d::date - '2025-01-01'::date + length(c)))::numeric, 2) AS spend,
       0::numeric AS impressions, 0::numeric AS clicks, 0::numeric AS conversions, 0::numeric AS conversions_value
FROM generate_series('2025-01-01'::date, '2025-04-30'::date, '1 day') AS d, unnest(ARRAY['e1', 'e2']) AS c;
UPDATE e_base SET impressions = round(spend * 100), clicks = round(spend * 2), conversions = round(spend * 0.03, 2);
UPDATE e_base SET conversions_value = conversions * 50;

-- ---- tracking break on counts above 2^31 (4e10 a day, then 1e9 for 11 days):
-- an O(1) tail, no integer overflow, no sum over the counts
CREATE TABLE e_huge AS SELECT * FROM e_base WHERE campaign_id = 'e1';
UPDATE e_huge SET impressions = 1e13, clicks = 1e12, conversions = 4e10;
UPDATE e_huge SET conversions = 1e9 WHERE date_day >= '2025-04-20';
SELECT check_name, campaign_id, first_day, last_day, rows_affected, right(explanation, 120) AS tail
FROM noa.data_quality('e_huge', as_of => '2025-04-30') WHERE check_name = 'tracking_break';

-- ---- extreme amounts and dates: data_quality reports them; waste and
-- recommendations leave those rows out and still judge the rest ------------
CREATE TABLE e_extreme AS SELECT * FROM e_base;
UPDATE e_extreme SET spend = 1e400 WHERE campaign_id = 'e1' AND date_day = '2025-02-01';
INSERT INTO e_extreme VALUES ('infinity', 'google_ads', 'e1', 'EUR', 1000, 1e5, 2000, 30, 1500),
	('5874897-12-31', 'google_ads', 'e2', 'EUR', 1000, 1e5, 2000, 30, 1500),
	('4713-01-01 BC', 'google_ads', 'e2', 'EUR', 1000, 1e5, 2000, 30, 1500);
CREATE TABLE e_extreme_f AS SELECT date_day, platform, campaign_id, currency, spend::float8 AS spend,
	impressions::float8 AS impressions, clicks::float8 AS clicks, conversions::float8 AS conversions,
	conversions_value::float8 AS conversions_value FROM e_base;
UPDATE e_extreme_f SET spend = 1e308 WHERE date_day IN ('2025-02-01', '2025-02-02');
UPDATE e_extreme_f SET conversions = 1e308 WHERE campaign_id = 'e2' AND date_day = '2025-02-03';
SELECT check_name, severity, campaign_id, first_day, last_day, rows_affected, spend_affected
FROM noa.data_quality('e_extreme', as_of => '2025-04-30') ORDER BY check_name, campaign_id;
SELECT check_name, severity, campaign_id, first_day, last_day, rows_affected, spend_affected
FROM noa.data_quality('e_extreme_f', as_of => '2025-04-30') ORDER BY check_name, campaign_id;
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.waste('e_extreme', as_of => '2025-04-30')$$) AS waste_numeric,
	pg_temp.sqlstate_of($$SELECT * FROM noa.waste('e_extreme_f', as_of => '2025-04-30')$$) AS waste_float8,
	pg_temp.sqlstate_of($$SELECT * FROM noa.recommendations('e_extreme', as_of => '2025-04-30')$$) AS recs_numeric,
	pg_temp.sqlstate_of($$SELECT * FROM noa.recommendations('e_extreme_f', as_of => '2025-04-30')$$) AS recs_float8,
	pg_temp.sqlstate_of($$SELECT * FROM noa.waste('e_extreme')$$) AS waste_no_as_of;

-- ---- allocation limits --------------------------------------------------------
CREATE TABLE e_items (id text, grp text, c noa.curve, spend float8, vpu float8);
INSERT INTO e_items VALUES
 ('search', 'conv', 'v1:hill;status=converged;n=100;iterations=5;starts=3;converged_starts=3;flags=0;params=80,300,0.8;cov=4,2,0,2,100,0,0,0,0.0001;ssr=90;sigma=0.96;r2=0.95;aicc=10;x_min=10;x_max=1500;x_mean=400;y_mean=40', 500, 40),
 ('video', 'aware', 'v1:hill;status=converged;n=100;iterations=7;starts=3;converged_starts=3;flags=0;params=120,800,2.2;cov=25,40,0.01,40,900,0.02,0.01,0.02,0.0004;ssr=180;sigma=1.3553;r2=0.97;aicc=65.2;x_min=50;x_max=2500;x_mean=900;y_mean=60', 1000, 30);
CREATE TABLE e_pf AS SELECT noa.portfolio(id, c, spend, NULL, NULL, grp, vpu, false) AS p FROM e_items;
-- a CPA target so small that 1 / target overflows: a clear 22023, not XX000
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.allocation_summary((SELECT p FROM e_pf), objective => 'target_cpa', target => 1e-310)$$) AS tiny_cpa;
-- budgets and targets beyond 1e13, and a target that would spend beyond it: refused, never a false 'optimal'
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.allocation_summary((SELECT p FROM e_pf), 1e110)$$) AS huge_budget;
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.allocation_summary((SELECT p FROM e_pf), objective => 'target_roas', target => 1e20)$$) AS huge_target;
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.allocation_summary((SELECT p FROM e_pf), objective => 'target_cpa', target => 9e12)$$) AS unbounded_spend;
SELECT pg_temp.sqlstate_of($$SELECT noa.portfolio('x', NULL, 1e300)$$) AS huge_item_spend;
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.simulate((SELECT p FROM e_pf), 'set search to 1e300')$$) AS huge_change,
	pg_temp.sqlstate_of($$SELECT * FROM noa.simulate((SELECT p FROM e_pf), 'scale all by 1e12')$$) AS huge_factor;
-- a group capped at 0 (by amount or share) closes its items: a certified answer, a finite gap, no NaN in text
SELECT g.spec, s.status, s.recommended_spend, s.optimality_gap_rel, s.explanation ~ 'NaN' AS nan_in_text
FROM (VALUES ('conv=0', NULL), (NULL, 'conv=0%')) AS g(spec, share_spec),
	LATERAL noa.allocation_summary((SELECT p FROM e_pf), 2000, group_max_spend => g.spec, group_max_share => g.share_spec) AS s;
SELECT key, status, recommended_spend, binding_constraint
FROM noa.allocate((SELECT p FROM e_pf), 2000, group_max_spend => 'conv=0') WHERE row_type = 'item' ORDER BY key;

-- ---- unambiguous campaign names in the action plan: 'ggl-de-02' on two platforms
-- and a campaign literally named 'ggl-de-02 [google_ads/-]' (once a duplicate key)
CREATE TABLE e_keys AS
SELECT d::date AS date_day, k.platform, k.campaign_id, 'EUR'::text AS currency, k.eff,
       round((1000 + 600 * sin((d::date - '2025-01-01'::date) * 0.3 + k.ph))::numeric, 2) AS spend,
       0::numeric AS impressions, 0::numeric AS clicks, 0::numeric AS conversions, 0::numeric AS conversions_value
FROM generate_series('2025-01-01'::date, '2025-06-30'::date, '1 day') AS d,
     (VALUES ('google_ads', 'ggl-de-02', 0, 90), ('microsoft_ads', 'ggl-de-02', 1, 30), ('google_ads', 'ggl-de-02 [google_ads/-]', 2, 50)) AS k(platform, campaign_id, ph, eff);
UPDATE e_keys SET conversions = round((eff * spend / (spend + 800) * (1 + 0.05 * sin(date_day - '2025-01-01'::date)))::numeric, 2),
	impressions = round(spend * 100), clicks = round(spend * 2);
UPDATE e_keys SET conversions_value = conversions * 100;
SELECT rank, action, platform, campaign_id, from_campaign, to_campaign, amount, confidence FROM noa.recommendations('e_keys', as_of => '2025-06-30');
