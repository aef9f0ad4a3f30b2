-- Decisions on incremental value, scored against the demo's ground truth
-- (runs after demo_data, same database; issue 11's acceptance).
--
-- Truth (demo/generate.sql): a campaign's platform-reported conversions per
-- day follow b·x^s/(x^s + k^s) of its (geometric, θ) adstocked spend; the shop
-- gains reported ÷ attribution_factor of them (none for the planted campaign
-- without effect), each worth the campaign's avg_order_value.  At a lasting
-- spend x the adstock is x/(1−θ), so the long-run true curve is a Hill curve
-- with half-saturation k·(1−θ), and its incremental value per conversion is
-- avg_order_value ÷ attribution_factor.
--
-- noa's side, with public functions only: one curve per campaign on what the
-- platform reports (noa.fit_curve), the current spend and value per
-- conversion of the last 28 days; the KPI model of shop orders (one model
-- per country, one channel per campaign); the incrementality factor pooled
-- per platform (noa.incrementality_by) rescales each campaign's curve
-- (noa.curve_scale, interval carried).
--
-- Scored on the 34 clean campaigns (no planted problem):
--   * the call: scale when the marginal ROAS at current spend is above 1,
--     cut (lower spend) when below; truth within ±5% of 1 is a hold, where
--     either call costs little and both count as right;
--   * the median relative error of incremental marginal ROAS;
--   * a reallocation of the same total budget (each campaign ±50%): what noa
--     claims it gains, what it truly gains on the true curves, and the best
--     gain under the same limits (noa.allocate on the true curves).
SET extra_float_digits = 0;

CREATE TEMP TABLE dec_models AS
SELECT s.geo, noa.fit_kpi_model(s.date_day, s.campaign_id, s.spend::float8, o.orders::float8,
	s.conversions::float8) AS model
FROM noa_demo.ad_spend s JOIN noa_demo.shop_orders o USING (date_day, geo)
GROUP BY s.geo;

-- the incrementality factor per platform, pooled over each country's campaign channels
CREATE TEMP TABLE dec_factor AS
SELECT f.* FROM noa.incrementality_by((SELECT array_agg(m.model ORDER BY m.geo) FROM dec_models m),
                                       'noa_demo.ad_spend', 'platform') f;
SELECT f.key AS platform, round(f.factor::numeric, 2) AS factor, round(f.factor_lo::numeric, 2) AS factor_lo,
	round(f.factor_hi::numeric, 2) AS factor_hi, f.channels, round(1 / t.af, 2) AS true_factor,
	1 / t.af BETWEEN f.factor_lo AND f.factor_hi AS truth_in_interval
FROM dec_factor f JOIN (SELECT platform, avg(attribution_factor) AS af FROM noa_demo.ground_truth GROUP BY platform) t
	ON t.platform = f.key
ORDER BY f.key;

CREATE TEMP TABLE dec_campaign AS
WITH win AS (
	SELECT a.campaign_id, avg(a.spend)::float8 AS x, (sum(a.conversions_value) / nullif(sum(a.conversions), 0))::float8 AS v
	FROM noa_demo.ad_spend a WHERE a.date_day > '2025-12-31'::date - 28 GROUP BY a.campaign_id
), fit AS (
	SELECT a.campaign_id, noa.fit_curve(a.spend::float8, a.conversions::float8) AS pc
	FROM noa_demo.ad_spend a GROUP BY a.campaign_id
)
SELECT g.campaign_id, g.platform, w.x, w.v, fit.pc,
	noa.curve_scale(fit.pc, f.factor, f.factor_lo, f.factor_hi) AS ic,
	format('v1:hill;status=converged;n=1;iterations=0;starts=1;converged_starts=1;flags=0;'
	       'params=%s,%s,%s;cov=0,0,0,0,0,0,0,0,0;ssr=0;sigma=0;r2=1;aicc=0;x_min=0;x_max=1;x_mean=0;y_mean=0',
	       g.b, g.k * (1 - g.adstock_theta), g.s)::noa.curve AS tc,
	CASE WHEN g.incremental THEN (g.avg_order_value / g.attribution_factor)::float8 ELSE 0 END AS tv
FROM noa_demo.ground_truth g JOIN win w USING (campaign_id) JOIN fit USING (campaign_id)
	JOIN dec_factor f ON f.key = g.platform
WHERE g.planted_problem IS NULL;

CREATE TEMP TABLE dec_call AS
SELECT c.campaign_id, noa.marginal_roas(c.pc, c.x, c.v) AS m_platform, noa.marginal_roas(c.ic, c.x, c.v) AS m_incremental,
	noa.marginal_roas_lo(c.ic, c.x, c.v) AS m_incremental_lo, noa.marginal_roas_hi(c.ic, c.x, c.v) AS m_incremental_hi,
	noa.marginal_roas(c.tc, c.x, c.tv) AS m_true
FROM dec_campaign c;

-- every clean campaign gets an answer
SELECT count(*) AS campaigns, count(m_platform) AS platform_valued, count(m_incremental) AS incremental_valued FROM dec_call;

-- the calls and the error: platform-valued (today) next to incremental
SELECT 'platform' AS valued_on,
	count(*) FILTER (WHERE abs(m_true - 1) < 0.05 OR (m_platform > 1) = (m_true > 1)) AS calls_right,
	round(percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(m_platform / m_true - 1))::numeric, 2) AS median_mroas_error
FROM dec_call
UNION ALL
SELECT 'incremental',
	count(*) FILTER (WHERE abs(m_true - 1) < 0.05 OR (m_incremental > 1) = (m_true > 1)),
	round(percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(m_incremental / m_true - 1))::numeric, 2)
FROM dec_call;

-- the calls that change when valued on incremental value, and the truth
SELECT campaign_id, round(m_platform::numeric, 2) AS platform_mroas, round(m_incremental::numeric, 2) AS incremental_mroas,
	round(m_incremental_lo::numeric, 2) AS lo, round(m_incremental_hi::numeric, 2) AS hi, round(m_true::numeric, 2) AS true_mroas
FROM dec_call WHERE (m_platform > 1) <> (m_incremental > 1) ORDER BY campaign_id;

-- acceptance: every call right, median error within 10%; the truth inside most intervals
SELECT count(*) FILTER (WHERE abs(m_true - 1) < 0.05 OR (m_incremental > 1) = (m_true > 1)) = count(*) AS every_call_right,
	percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(m_incremental / m_true - 1)) <= 0.10 AS median_error_within_10pct,
	count(*) FILTER (WHERE m_true BETWEEN m_incremental_lo AND m_incremental_hi) >= 0.8 * count(*) AS truth_in_80pct_of_intervals
FROM dec_call;

-- The reallocation: same total, every campaign within ±50% of its spend.
CREATE TEMP TABLE dec_plan AS
SELECT 'platform'::text AS valued_on, a.key, a.recommended_spend::float8 AS s1, (a.value_after - a.value_now)::float8 AS claim
FROM (SELECT noa.portfolio(c.campaign_id, c.pc, c.x, NULL, NULL, NULL, c.v, false) AS p FROM dec_campaign c) q,
	noa.allocate(q.p, budget => (SELECT sum(x) FROM dec_campaign), max_increase => 0.5, max_decrease => 0.5) a
WHERE a.row_type = 'item'
UNION ALL
SELECT 'incremental', a.key, a.recommended_spend::float8, (a.value_after - a.value_now)::float8
FROM (SELECT noa.portfolio(c.campaign_id, c.ic, c.x, NULL, NULL, NULL, c.v, false) AS p FROM dec_campaign c) q,
	noa.allocate(q.p, budget => (SELECT sum(x) FROM dec_campaign), max_increase => 0.5, max_decrease => 0.5) a
WHERE a.row_type = 'item'
UNION ALL
SELECT 'truth (best possible)', a.key, a.recommended_spend::float8, (a.value_after - a.value_now)::float8
FROM (SELECT noa.portfolio(c.campaign_id, c.tc, c.x, NULL, NULL, NULL, c.tv, false) AS p FROM dec_campaign c) q,
	noa.allocate(q.p, budget => (SELECT sum(x) FROM dec_campaign), max_increase => 0.5, max_decrease => 0.5) a
WHERE a.row_type = 'item';

CREATE TEMP TABLE dec_gain AS
SELECT p.valued_on, sum(p.claim) AS claimed,
	sum((noa.response(c.tc, p.s1) - noa.response(c.tc, c.x)) * c.tv) AS true_gain
FROM dec_plan p JOIN dec_campaign c ON c.campaign_id = p.key
GROUP BY p.valued_on;
SELECT valued_on, round(claimed::numeric, -1) AS claimed_per_day, round(true_gain::numeric, -1) AS true_gain_per_day,
	round((true_gain / (SELECT g.true_gain FROM dec_gain g WHERE g.valued_on = 'truth (best possible)'))::numeric, 2) AS share_of_best
FROM dec_gain ORDER BY valued_on;

-- acceptance: the claim within ±20% of the true gain, and ≥ 95% of the best gain
SELECT abs(g.claimed / g.true_gain - 1) <= 0.20 AS claim_within_20pct,
	g.true_gain >= 0.95 * b.true_gain AS at_least_95pct_of_best
FROM dec_gain g, dec_gain b WHERE g.valued_on = 'incremental' AND b.valued_on = 'truth (best possible)';

-- The issue's own measure: the demo report's reallocation (section 4 of
-- demo/report.sql: the clean, non-awareness campaigns with a usable curve, at
-- their spend after the platform-valued plan's cuts and caps, a capped
-- campaign never above its cap, each within ±50%, the same total).  Today's
-- answer on platform reports claims +1,363 a day and truly gains +951 of the
-- best +1,096 under these limits.
CREATE TEMP TABLE s4_curves AS
SELECT a.campaign_id, min(a.platform) AS platform, min(a.campaign_role) AS campaign_role,
	noa.fit_curve(a.spend::float8, a.conversions::float8) AS curve,
	(sum(a.conversions_value) / nullif(sum(a.conversions), 0))::float8 AS v,
	(avg(a.spend) FILTER (WHERE a.date_day > '2025-12-31'::date - 28))::float8 AS cur
FROM noa_demo.ad_spend a GROUP BY a.campaign_id;
CREATE TEMP TABLE s4_plan AS
SELECT * FROM noa.recommendations('noa_demo.ad_spend', business => 'noa_demo.shop_orders', as_of => '2025-12-31');
CREATE TEMP TABLE s4_items AS
SELECT c.campaign_id, c.curve AS pc, noa.curve_scale(c.curve, f.factor, f.factor_lo, f.factor_hi) AS ic, c.v, c.campaign_role,
	c.cur - coalesce(p.amount_per_day, 0)::float8 AS s0,
	CASE WHEN p.campaign_id IS NOT NULL THEN c.cur - p.amount_per_day::float8
	     ELSE greatest((c.curve::jsonb ->> 'x_max')::float8, c.cur) END AS hi,
	format('v1:hill;status=converged;n=1;iterations=0;starts=1;converged_starts=1;flags=0;'
	       'params=%s,%s,%s;cov=0,0,0,0,0,0,0,0,0;ssr=0;sigma=0;r2=1;aicc=0;x_min=0;x_max=1;x_mean=0;y_mean=0',
	       g.b, g.k * (1 - g.adstock_theta), g.s)::noa.curve AS tc,
	CASE WHEN g.incremental THEN (g.avg_order_value / g.attribution_factor)::float8 ELSE 0 END AS tv
FROM s4_curves c JOIN noa_demo.ground_truth g USING (campaign_id) JOIN dec_factor f ON f.key = c.platform
LEFT JOIN s4_plan p ON p.campaign_id = c.campaign_id AND p.action = 'cap_spend'
WHERE c.campaign_role <> 'awareness' AND noa.curve_status(c.curve) IN ('converged', 'max_iterations')
  AND c.campaign_id NOT IN (SELECT campaign_id FROM s4_plan WHERE action = 'cut' OR (action = 'fix_tracking' AND confidence = 'high'));
CREATE TEMP TABLE s4_alloc AS
SELECT 'platform'::text AS valued_on, a.key, a.recommended_spend::float8 AS s1, (a.value_after - a.value_now)::float8 AS claim
FROM (SELECT noa.portfolio(campaign_id, pc, s0, NULL, hi, campaign_role, v, false) AS p, sum(s0) AS b FROM s4_items) q,
	noa.allocate(q.p, budget => q.b, max_increase => 0.5, max_decrease => 0.5) a WHERE a.row_type = 'item'
UNION ALL
SELECT 'incremental', a.key, a.recommended_spend::float8, (a.value_after - a.value_now)::float8
FROM (SELECT noa.portfolio(campaign_id, ic, s0, NULL, hi, campaign_role, v, false) AS p, sum(s0) AS b FROM s4_items) q,
	noa.allocate(q.p, budget => q.b, max_increase => 0.5, max_decrease => 0.5) a WHERE a.row_type = 'item'
UNION ALL
SELECT 'truth (best possible)', a.key, a.recommended_spend::float8, (a.value_after - a.value_now)::float8
FROM (SELECT noa.portfolio(campaign_id, tc, s0, NULL, hi, campaign_role, tv, false) AS p, sum(s0) AS b FROM s4_items) q,
	noa.allocate(q.p, budget => q.b, max_increase => 0.5, max_decrease => 0.5) a WHERE a.row_type = 'item';
CREATE TEMP TABLE s4_gain AS
SELECT p.valued_on, count(*) AS items, sum(p.claim) AS claimed,
	sum((noa.response(i.tc, p.s1) - noa.response(i.tc, i.s0)) * i.tv) AS true_gain
FROM s4_alloc p JOIN s4_items i ON i.campaign_id = p.key GROUP BY p.valued_on;
SELECT valued_on, items, round(claimed::numeric) AS claimed_per_day, round(true_gain::numeric) AS true_gain_per_day,
	round((true_gain / (SELECT g.true_gain FROM s4_gain g WHERE g.valued_on = 'truth (best possible)'))::numeric, 2) AS share_of_best
FROM s4_gain ORDER BY valued_on;
-- acceptance: the claim within ±20% of the true gain, and ≥ 95% of the best gain
SELECT abs(g.claimed / g.true_gain - 1) <= 0.20 AS claim_within_20pct,
	g.true_gain >= 0.95 * b.true_gain AS at_least_95pct_of_best
FROM s4_gain g, s4_gain b WHERE g.valued_on = 'incremental' AND b.valued_on = 'truth (best possible)';

-- ---------------------------------------------------------------------------
-- noa.waste and noa.recommendations with incrementality => the models
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE dec_waste AS
SELECT w.* FROM noa.waste('noa_demo.ad_spend', as_of => '2025-12-31',
                          incrementality => 'dec_models') w;
-- every campaign row on conversions is valued on incremental value, with its factor inside its interval;
-- its marginal ROAS is the platform-valued one times the factor
SELECT value_source, count(*) AS rows,
	bool_and(incrementality_factor BETWEEN incrementality_factor_lo AND incrementality_factor_hi) AS factor_in_interval,
	bool_and(explanation LIKE '%Valued on incremental value%') AS explained
FROM dec_waste WHERE campaign_id IS NOT NULL GROUP BY value_source ORDER BY value_source;
SELECT w.campaign_id, round(w.marginal_roas::numeric, 2) AS mroas, round(w.marginal_roas_lo::numeric, 2) AS lo,
	round(w.marginal_roas_hi::numeric, 2) AS hi, round(c.m_incremental::numeric, 2) AS scored_mroas,
	round(c.m_true::numeric, 2) AS true_mroas
FROM dec_waste w JOIN dec_call c USING (campaign_id)
WHERE w.waste_type = 'past_breakeven' AND w.campaign_id IN ('tt-es-04', 'fb-de-02', 'ggl-es-08', 'ggl-it-11')
ORDER BY w.campaign_id;

CREATE TEMP TABLE dec_plan_rows AS
SELECT r.* FROM noa.recommendations('noa_demo.ad_spend', business => 'noa_demo.shop_orders', as_of => '2025-12-31',
                                    incrementality => 'dec_models') r;
-- the campaigns whose call changes are not cut or capped with confidence: they get a test
SELECT campaign_id, action, confidence, experiment, test_days, value_source
FROM dec_plan_rows WHERE campaign_id IN ('tt-es-04', 'fb-de-02', 'ggl-es-08', 'ggl-it-11') ORDER BY campaign_id, rank;
-- every test_first row names an experiment and its length; money rows say how they are valued
SELECT action, count(*) AS rows, count(experiment) AS with_experiment, count(test_days) AS with_days,
	count(value_source) AS with_value_source, string_agg(DISTINCT value_source, ', ') AS value_sources
FROM dec_plan_rows GROUP BY action ORDER BY action;
-- every clean campaign the plan caps or cuts confidently is truly past its incremental break-even
SELECT count(*) AS confident_caps, count(*) FILTER (WHERE c.m_true < 1) AS truly_past_breakeven
FROM dec_plan_rows r JOIN dec_call c USING (campaign_id)
WHERE r.action IN ('cut', 'cap_spend') AND r.confidence = 'high';

-- Without models nothing changes but the new columns.
SELECT count(*) AS rows, count(*) FILTER (WHERE value_source = 'platform_reported') AS platform_reported,
	count(incrementality_factor) AS with_factor
FROM noa.waste('noa_demo.ad_spend', as_of => '2025-12-31') WHERE campaign_id IS NOT NULL;

-- A source without campaign roles (Fivetran-shaped): judged as conversion campaigns, said so, never high.
CREATE TEMP VIEW dec_no_role AS
SELECT date_day, platform, campaign_id, spend, impressions, clicks, conversions, conversions_value
FROM noa_demo.ad_spend WHERE geo = 'DE';
SELECT waste_type, campaign_id, confidence, explanation LIKE '%has no role in the data%' AS says_no_role
FROM noa.waste('dec_no_role', as_of => '2025-12-31', role_col => NULL)
WHERE campaign_id IN ('tt-de-02', 'ggl-de-02', 'li-de-01') ORDER BY campaign_id, waste_type;
SELECT action, count(*) AS rows FROM noa.recommendations('dec_no_role', as_of => '2025-12-31', role_col => NULL)
WHERE action IN ('cut', 'cap_spend', 'test_first') GROUP BY action ORDER BY action;

-- ---------------------------------------------------------------------------
-- Bad input
-- ---------------------------------------------------------------------------
CREATE FUNCTION pg_temp.sqlstate_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text; msg text; hint text;
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
	RETURN st || ': ' || msg || coalesce(' | HINT: ' || nullif(hint, ''), '');
END $$;
SELECT pg_temp.sqlstate_of($$SELECT noa.curve_scale(pc, 0) FROM dec_campaign LIMIT 1$$);
SELECT pg_temp.sqlstate_of($$SELECT noa.curve_scale(pc, -1) FROM dec_campaign LIMIT 1$$);
SELECT pg_temp.sqlstate_of($$SELECT noa.curve_scale(pc, 'NaN') FROM dec_campaign LIMIT 1$$);
SELECT pg_temp.sqlstate_of($$SELECT noa.curve_scale(pc, 0.8, 0.5) FROM dec_campaign LIMIT 1$$);
SELECT pg_temp.sqlstate_of($$SELECT noa.curve_scale(pc, 0.8, 0.9, 1.2) FROM dec_campaign LIMIT 1$$);
SELECT pg_temp.sqlstate_of($$SELECT noa.curve_scale(pc, 0.8, 0.5, 1.2, 1.5) FROM dec_campaign LIMIT 1$$);
SELECT pg_temp.sqlstate_of($$SELECT noa.curve_scale(pc, 0.8, 0.5, 1.2, NULL) FROM dec_campaign LIMIT 1$$);
SELECT noa.curve_scale(NULL, 0.8) IS NULL AS null_curve, noa.curve_scale(pc, NULL) IS NULL AS null_factor
FROM dec_campaign LIMIT 1;
SELECT noa.incremental_curve(pc, (SELECT model FROM dec_models WHERE geo = 'DE'), 'no-such-channel') IS NULL AS unknown_channel
FROM dec_campaign LIMIT 1;
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.incrementality_by(NULL, 'noa_demo.ad_spend', 'no_such_column')$$);
CREATE TEMP TABLE dec_no_models (geo text, model noa.kpi_model);
CREATE TEMP TABLE dec_two_models (a noa.kpi_model, b noa.kpi_model);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.waste('noa_demo.ad_spend', incrementality => 'dec_no_models')$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.waste('noa_demo.ad_spend', incrementality => 'dec_two_models')$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.waste('noa_demo.ad_spend', incrementality => 'noa_demo.shop_orders')$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.waste('noa_demo.ad_spend', incrementality_by => NULL,
	incrementality => 'dec_models')$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.recommendations('noa_demo.ad_spend', incrementality_by => 'channel',
	incrementality => 'dec_models')$$);
-- a model fitted without reported values has no factors: the rows stay on platform reports and say why
CREATE TEMP TABLE dec_model_no_reported AS
SELECT noa.fit_kpi_model(s.date_day, s.platform, s.spend::float8, o.orders::float8) AS model
FROM noa_demo.ad_spend s JOIN noa_demo.shop_orders o USING (date_day, geo) WHERE s.geo = 'FR';
SELECT key, factor, note FROM noa.incrementality_by((SELECT array_agg(model) FROM dec_model_no_reported), 'noa_demo.ad_spend')
ORDER BY key;
SELECT value_source, count(*) AS rows,
	bool_and(explanation LIKE '%the KPI model has no incrementality factor for it%') AS explained
FROM noa.waste('noa_demo.ad_spend', as_of => '2025-12-31', incrementality => 'dec_model_no_reported')
WHERE campaign_id IS NOT NULL AND kpi = 'conversions' GROUP BY value_source;
