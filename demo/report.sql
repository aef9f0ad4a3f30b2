-- noa demo report: what noa says about the bundled demo data (noa_demo.*).
-- Run by scripts/demo.sh after demo/generate.sql.
\set QUIET on
\pset footer off
\pset null '-'
SET extra_float_digits = 0;

\echo
\echo '================================================================================'
\echo ' noa demo: 2 years of daily spend, 40 campaigns on 5 platforms, EUR'
\echo '================================================================================'
SELECT noa.version() AS "engine";
SELECT count(*) AS rows, count(DISTINCT campaign_id) AS campaigns, count(DISTINCT platform) AS platforms,
	min(date_day) AS first_day, max(date_day) AS last_day, round(sum(spend)) AS total_spend_eur
FROM noa_demo.ad_spend;

-- One fitted curve per campaign, kept for every section below.
CREATE TEMP TABLE demo_curves AS
SELECT a.campaign_id, min(a.platform) AS platform, min(a.campaign_role) AS campaign_role,
	noa.fit_curve(a.spend::float8, a.conversions::float8) AS curve,
	-- value of one conversion (EUR), from the platform's own conversion value
	sum(a.conversions_value) / nullif(sum(a.conversions), 0) AS value_per_conversion,
	-- current spend: mean daily spend over the last 28 days
	avg(a.spend) FILTER (WHERE a.date_day > (SELECT max(date_day) FROM noa_demo.ad_spend) - 28) AS current_spend
FROM noa_demo.ad_spend a
GROUP BY a.campaign_id;

\echo
\echo '--- 1. Response curves: what the next euro returns (revenue per EUR at current daily spend) ---'
\echo '    marginal ROAS < 1: the last euro of the day returns less than a euro of revenue.'
\echo '    break-even: the daily spend at which marginal ROAS falls to 1.'
SELECT c.campaign_id, c.platform, c.campaign_role AS role, s.model || '/' || s.status AS fit, s.n,
	round(s.r2::numeric, 2) AS r2,
	round(c.current_spend, 0) AS spend_per_day,
	round(noa.marginal_roas(c.curve, c.current_spend::float8, c.value_per_conversion::float8)::numeric, 2) AS mroas,
	round(noa.marginal_roas_lo(c.curve, c.current_spend::float8, c.value_per_conversion::float8)::numeric, 2) AS mroas_lo,
	round(noa.marginal_roas_hi(c.curve, c.current_spend::float8, c.value_per_conversion::float8)::numeric, 2) AS mroas_hi,
	round(s.breakeven_spend, 0) AS breakeven_per_day,
	coalesce(s.breakeven_note, CASE WHEN s.at_bound THEN 'saturation point not visible in the data' END) AS note
FROM demo_curves c, noa.curve_summary(c.curve, 1, coalesce(c.value_per_conversion, 1)::float8) s
ORDER BY mroas NULLS LAST, c.campaign_id;

\echo
\echo '--- 1b. Carryover: the same curves fitted with the day column, noa.fit_curve(day, spend, conversions) ---'
\echo '    theta: share of a day''s effect that carries over to the next day; the curve then answers the long'
\echo '    run (a lasting daily spend); the same-day fit above misjudges the campaigns that keep working.'
SELECT c.campaign_id, c.campaign_role AS role, round(t.theta::numeric, 2) AS theta,
	round(t.half_life_days::numeric, 1) AS half_life_days,
	round(noa.marginal_roas(d.curve, c.current_spend::float8, c.value_per_conversion::float8)::numeric, 2) AS mroas_same_day_fit,
	round(noa.marginal_roas(l.curve, c.current_spend::float8, c.value_per_conversion::float8)::numeric, 2) AS mroas_long_run
FROM demo_curves c
JOIN (SELECT campaign_id, noa.fit_curve(date_day, spend::float8, conversions::float8) AS curve
	FROM (SELECT DISTINCT * FROM noa_demo.ad_spend) a GROUP BY campaign_id) l USING (campaign_id)
JOIN demo_curves d USING (campaign_id), noa.curve_carryover(l.curve) t
WHERE t.theta >= 0.1 AND t.theta_se < t.theta / 3
ORDER BY t.theta DESC, c.campaign_id;

\echo
\echo '--- 2. Data alarms: what is wrong with the data, before any advice ---'
\echo '    error: numbers are wrong, fix them first (noa gives no budget advice on these campaigns);'
\echo '    warning: numbers are suspect or need a decision.'
SELECT check_name, severity, platform, campaign_id, first_day, last_day, rows_affected AS rows,
	round(spend_affected) AS spend_eur
FROM noa.data_quality('noa_demo.ad_spend', business => 'noa_demo.shop_orders', as_of => '2025-12-31');

\echo
\echo '--- 3. Waste: spend that does not pay, over the last 28 days (2025-12-04 .. 2025-12-31) ---'
\echo '    at_stake: spend above the threshold; value_lost: what it cost beyond what it brought back (EUR).'
\echo '    Awareness campaigns are judged on impressions (reach), never on conversions.'
SELECT waste_type, coalesce(campaign_id, 'geo ' || geo) AS campaign_or_geo, campaign_role AS role, kpi,
	round(current_spend_per_day) AS spend_day, round(threshold_spend_per_day) AS threshold_day,
	round(spend_at_stake) AS at_stake, round(value_lost) AS value_lost,
	round(value_lost_lo) || ' .. ' || round(value_lost_hi) AS value_lost_interval, confidence
FROM noa.waste('noa_demo.ad_spend', as_of => '2025-12-31');
\echo
\echo '    Why, for the two campaigns planted as wasteful:'
SELECT campaign_id, waste_type, rtrim(regexp_replace(explanation, '(.{1,100})( |$)', E'\\1\n', 'g'), E'\n') AS explanation
FROM noa.waste('noa_demo.ad_spend', as_of => '2025-12-31')
WHERE campaign_id IN (SELECT campaign_id FROM noa_demo.planted_problems WHERE problem IN ('no_incremental_effect', 'saturated'))
ORDER BY campaign_id;

-- The action plan of section 5, computed once; section 4 shows the
-- reallocation inside it.
CREATE TEMP TABLE demo_plan AS
SELECT * FROM noa.recommendations('noa_demo.ad_spend', business => 'noa_demo.shop_orders', as_of => '2025-12-31');

-- The portfolio the plan reallocates: campaigns judged on conversion value, with
-- a usable curve and no data error, at their spend after the plan's cuts and caps
-- (a capped campaign may give money, not take it back); awareness campaigns keep
-- their spend (they are judged on reach).
CREATE TEMP TABLE demo_portfolio AS
SELECT noa.portfolio(c.campaign_id, c.curve, c.current_spend::float8 - coalesce(p.amount_per_day, 0)::float8, NULL,
	CASE WHEN p.campaign_id IS NOT NULL THEN c.current_spend::float8 - p.amount_per_day::float8
	     ELSE greatest((c.curve::jsonb ->> 'x_max')::float8, c.current_spend::float8) END,
	c.campaign_role, c.value_per_conversion::float8, false) AS pf,
	sum(c.current_spend::float8 - coalesce(p.amount_per_day, 0)::float8) AS budget
FROM demo_curves c
LEFT JOIN demo_plan p ON p.campaign_id = c.campaign_id AND p.action = 'cap_spend'
WHERE c.campaign_role <> 'awareness' AND noa.curve_status(c.curve) IN ('converged', 'max_iterations')
  AND c.campaign_id NOT IN (SELECT campaign_id FROM demo_plan WHERE action = 'cut'
                            OR (action = 'fix_tracking' AND confidence = 'high'));

\echo
\echo '--- 4. Recommended reallocation: the same daily budget, split for the most value (noa.allocate) ---'
\echo '    After the cuts and caps of section 5; each campaign moves at most +-50%; EUR per day.'
SELECT a.key AS campaign_id, a.group_name AS role, round(a.current_spend) AS spend_day, round(a.recommended_spend) AS new_spend_day,
	round(a.delta_spend) AS delta, round(a.marginal_roas_now::numeric, 2) AS mroas_now,
	round(a.marginal_roas_after::numeric, 2) AS mroas_after, round(a.value_after - a.value_now) AS value_gain_day,
	a.binding_constraint AS limited_by
FROM demo_portfolio d, noa.allocate(d.pf, budget => d.budget, max_increase => 0.5, max_decrease => 0.5) a
WHERE a.row_type = 'item' AND abs(a.delta_spend) >= 1
ORDER BY a.delta_spend DESC, a.key;
SELECT s.items AS campaigns, round(s.current_spend) AS budget_day, round(s.value_now) AS value_day_now,
	round(s.value_after) AS value_day_after, round(s.value_gain) AS gain_day, round(28 * s.value_gain) AS gain_28_days,
	round(s.response_after_lo::numeric, 1) || ' .. ' || round(s.response_after_hi::numeric, 1) AS conversions_day_after_90pct,
	s.status
FROM demo_portfolio d, noa.allocation_summary(d.pf, budget => d.budget, max_increase => 0.5, max_decrease => 0.5) s;

\echo
\echo '--- 5. Action plan: what to fix and what to do, in order (noa.recommendations) ---'
\echo '    amount: EUR over the 28 days; effect: value gained (or loss avoided) beyond the target return of 1, with its 90% interval.'
\echo '    fix_tracking errors block all budget advice on their campaign; test_first = run the experiment first.'
SELECT rank, action, coalesce(campaign_id, from_campaign || ' -> ' || to_campaign) AS what, round(amount) AS amount_eur,
	round(expected_effect) AS effect_eur, round(expected_effect_lo) || ' .. ' || round(expected_effect_hi) AS effect_interval,
	test_days, confidence, reason
FROM demo_plan ORDER BY rank;
\echo
\echo '    In total, by action:'
SELECT action, count(*) AS rows, round(sum(amount)) AS amount_eur, round(sum(expected_effect)) AS effect_eur
FROM demo_plan GROUP BY action ORDER BY min(rank);
\echo
\echo '    The first steps, explained:'
SELECT rank, action, rtrim(regexp_replace(explanation, '(.{1,110})( |$)', E'\\1\n', 'g'), E'\n') AS explanation
FROM demo_plan
WHERE rank IN (SELECT min(rank) FROM demo_plan GROUP BY action)
ORDER BY rank;

\echo
\echo '================================================================================'
\echo ' 6. Incrementality: what the shop really gains (noa.fit_kpi_model)'
\echo '================================================================================'
\echo '    Platforms over-count.  A model of the shop''s own orders per country (one channel per campaign,'
\echo '    with carryover and saturation) says what each campaign really adds.'
CREATE TEMP TABLE demo_models AS
SELECT s.geo, noa.fit_kpi_model(s.date_day, s.campaign_id, s.spend::float8, o.orders::float8, s.conversions::float8) AS model
FROM noa_demo.ad_spend s JOIN noa_demo.shop_orders o USING (date_day, geo)
GROUP BY s.geo;

\echo
\echo '--- 6a. The model per country: fit, and where the orders come from (share of all orders, 2 years) ---'
SELECT m.geo,
	(SELECT round(d.value::numeric, 2) FROM noa.kpi_model_diagnostics(m.model) d WHERE d.item = 'r2') AS r2,
	(SELECT round(d.value::numeric, 3) FROM noa.kpi_model_diagnostics(m.model) d WHERE d.item = 'nrmse_holdout') AS nrmse_holdout,
	(SELECT round(100 * sum(x.value) FILTER (WHERE x.component_type = 'organic') / sum(x.value)) FROM noa.kpi_model_decomposition(m.model) x) AS organic_pct,
	(SELECT round(100 * sum(x.value) FILTER (WHERE x.component_type = 'media') / sum(x.value)) FROM noa.kpi_model_decomposition(m.model) x) AS media_pct,
	(SELECT count(*) FROM noa.kpi_model_diagnostics(m.model) d WHERE d.severity = 'warning') AS warnings
FROM demo_models m ORDER BY m.geo;

\echo
\echo '--- 6b. Incrementality per platform: incremental orders per reported conversion (noa.incrementality_by) ---'
\echo '    Pooled over the campaigns of all four countries; the 90% interval is conservative.'
CREATE TEMP TABLE demo_factor AS
SELECT f.* FROM noa.incrementality_by((SELECT array_agg(model ORDER BY geo) FROM demo_models), 'noa_demo.ad_spend', 'platform') f;
SELECT key AS platform, round(factor::numeric, 2) AS factor, round(factor_lo::numeric, 2) || ' .. ' || round(factor_hi::numeric, 2) AS interval_90,
	channels AS campaigns, round(reported) AS reported_conversions, round(contribution) AS incremental_orders
FROM demo_factor ORDER BY factor;

\echo
\echo '--- 6c. The curves on incremental value: marginal ROAS at current spend, as reported and as the shop gains ---'
\echo '    Each campaign''s curve rescaled by its platform''s factor (noa.curve_scale; the factor''s interval widens'
\echo '    the curve''s).  Rows: the campaigns whose call (above or below a return of 1) changes.'
SELECT c.campaign_id, c.platform,
	round(noa.marginal_roas(c.curve, c.current_spend::float8, c.value_per_conversion::float8)::numeric, 2) AS mroas_reported,
	round(noa.marginal_roas(i.curve, c.current_spend::float8, c.value_per_conversion::float8)::numeric, 2) AS mroas_incremental,
	round(noa.marginal_roas_lo(i.curve, c.current_spend::float8, c.value_per_conversion::float8)::numeric, 2) || ' .. '
	  || round(noa.marginal_roas_hi(i.curve, c.current_spend::float8, c.value_per_conversion::float8)::numeric, 2) AS interval_90,
	round(noa.breakeven_spend(c.curve, 1, c.value_per_conversion::float8)) AS breakeven_reported,
	round(noa.breakeven_spend(i.curve, 1, c.value_per_conversion::float8)) AS breakeven_incremental
FROM demo_curves c JOIN demo_factor f ON f.key = c.platform,
	LATERAL (SELECT noa.curve_scale(c.curve, f.factor, f.factor_lo, f.factor_hi) AS curve) i
WHERE c.campaign_role <> 'awareness' AND c.value_per_conversion IS NOT NULL
  AND (noa.marginal_roas(c.curve, c.current_spend::float8, c.value_per_conversion::float8) > 1)
   <> (noa.marginal_roas(i.curve, c.current_spend::float8, c.value_per_conversion::float8) > 1)
ORDER BY c.campaign_id;

\echo
\echo '--- 6d. The action plan on incremental value (noa.recommendations(..., incrementality => 'demo_models')) ---'
\echo '    The same plan as section 5, valued on what the shop gains.  Campaigns whose action changes:'
CREATE TEMP TABLE demo_plan_incremental AS
SELECT * FROM noa.recommendations('noa_demo.ad_spend', business => 'noa_demo.shop_orders', as_of => '2025-12-31',
	incrementality => 'demo_models');
WITH p AS (SELECT campaign_id, string_agg(action, ', ' ORDER BY rank) AS actions FROM demo_plan
           WHERE campaign_id IS NOT NULL AND action <> 'fix_tracking' GROUP BY campaign_id),
     i AS (SELECT campaign_id, string_agg(action, ', ' ORDER BY rank) AS actions,
                  min(round(incrementality_factor::numeric, 2)) AS factor, min(experiment) AS experiment, min(test_days) AS test_days
           FROM demo_plan_incremental WHERE campaign_id IS NOT NULL AND action <> 'fix_tracking' GROUP BY campaign_id)
SELECT coalesce(p.campaign_id, i.campaign_id) AS campaign_id, coalesce(p.actions, '-') AS on_platform_reports,
	coalesce(i.actions, '-') AS on_incremental_value, i.factor, i.experiment, i.test_days
FROM p FULL JOIN i USING (campaign_id)
WHERE p.actions IS DISTINCT FROM i.actions
ORDER BY 1;
\echo
\echo '    In total, by action (platform-valued plan, then incremental):'
SELECT 'platform' AS valued_on, action, count(*) AS rows, round(sum(amount)) AS amount_eur, round(sum(expected_effect)) AS effect_eur
FROM demo_plan WHERE action <> 'fix_tracking' GROUP BY action
UNION ALL
SELECT 'incremental', action, count(*), round(sum(amount)), round(sum(expected_effect))
FROM demo_plan_incremental WHERE action <> 'fix_tracking' GROUP BY action
ORDER BY 1 DESC, 2;
\echo
\echo '    A test_first on incremental value, explained:'
SELECT rank, action, rtrim(regexp_replace(explanation, '(.{1,110})( |$)', E'\\1\n', 'g'), E'\n') AS explanation
FROM demo_plan_incremental WHERE campaign_id = 'tt-es-04' AND action = 'test_first';

\echo
\echo '--- 6e. Closing the loop: the lift test noa asked for, and the model calibrated with it ---'
\echo '    noa asked for "lift_test: tiktok_ads in ES" (tt-es-04 is TikTok''s only campaign in Spain).  Here it is'
\echo '    run on the demo''s truth: tt-es-04 paused from 2025-11-03 to 2025-11-30, the shop''s lost orders measured'
\echo '    with a 15% standard error, and the Spanish model calibrated with it (noa.calibrate_kpi_model).'
CREATE FUNCTION pg_temp.true_holdout_lift(campaign text, first_day date, last_day date) RETURNS float8
LANGUAGE sql STABLE AS $$
	-- the orders the shop loses when the campaign is off in the window: truth from noa_demo.ground_truth
	WITH d AS (
		SELECT date_day, sum(spend)::float8 AS spend FROM noa_demo.ad_spend WHERE campaign_id = campaign GROUP BY date_day
	), a AS (
		SELECT date_day,
			noa.adstock_geometric(date_day, spend, g.adstock_theta::float8) OVER w AS x,
			noa.adstock_geometric(date_day, CASE WHEN date_day BETWEEN first_day AND last_day THEN 0 ELSE spend END,
				g.adstock_theta::float8) OVER w AS x_off
		FROM d, noa_demo.ground_truth g WHERE g.campaign_id = campaign
		WINDOW w AS (ORDER BY date_day)
	)
	SELECT sum(noa_demo.hill(a.x, g.b::float8, g.k::float8, g.s::float8)
	         - noa_demo.hill(a.x_off, g.b::float8, g.k::float8, g.s::float8)) / g.attribution_factor::float8
	FROM a, noa_demo.ground_truth g
	WHERE g.campaign_id = campaign AND a.date_day BETWEEN first_day AND last_day
	GROUP BY g.attribution_factor
$$;
CREATE TEMP TABLE demo_lift_tests AS
SELECT 'tt-es-04'::text AS channel, date '2025-11-03' AS start_day, date '2025-11-30' AS end_day,
	pg_temp.true_holdout_lift('tt-es-04', '2025-11-03', '2025-11-30') AS lift,
	0.15 * pg_temp.true_holdout_lift('tt-es-04', '2025-11-03', '2025-11-30') AS lift_se;
CREATE TEMP TABLE demo_models_calibrated AS
SELECT geo, CASE WHEN geo = 'ES' THEN noa.calibrate_kpi_model(model, 'demo_lift_tests') ELSE model END AS model
FROM demo_models;
SELECT e.channel, e.start_day, e.end_day, round(e.lift) AS measured_lift, round(e.predicted_before) AS model_before,
	round(e.predicted) AS model_after, e.verdict
FROM demo_models_calibrated m, noa.kpi_model_experiments(m.model) e WHERE m.geo = 'ES';
\echo
\echo '    The factor before and after (true: 0.56 for every TikTok campaign): the tested campaign''s own factor'
\echo '    narrows and moves toward the truth; TikTok''s pooled factor (six campaigns, one tested) moves little.'
SELECT 'tt-es-04 (campaign)' AS factor_of, round(b.incrementality::numeric, 2) AS before,
	round(b.incrementality_lo::numeric, 2) || ' .. ' || round(b.incrementality_hi::numeric, 2) AS interval_before,
	round(a.incrementality::numeric, 2) AS after,
	round(a.incrementality_lo::numeric, 2) || ' .. ' || round(a.incrementality_hi::numeric, 2) AS interval_after
FROM demo_models m JOIN demo_models_calibrated c USING (geo),
	noa.kpi_model_channels(m.model) b, noa.kpi_model_channels(c.model) a
WHERE m.geo = 'ES' AND b.channel = 'tt-es-04' AND a.channel = 'tt-es-04'
UNION ALL
SELECT 'tiktok_ads (pooled)', round(b.factor::numeric, 2),
	round(b.factor_lo::numeric, 2) || ' .. ' || round(b.factor_hi::numeric, 2),
	round(a.factor::numeric, 2), round(a.factor_lo::numeric, 2) || ' .. ' || round(a.factor_hi::numeric, 2)
FROM demo_factor b
JOIN noa.incrementality_by((SELECT array_agg(model ORDER BY geo) FROM demo_models_calibrated), 'noa_demo.ad_spend', 'platform') a
	USING (key)
WHERE b.key = 'tiktok_ads';
\echo
\echo '    tt-es-04''s marginal ROAS at current spend on its own factor (noa.incremental_curve), before and after'
\echo '    the test (true: 0.67): the campaign the platform called worth scaling (1.22) is now clearly below 1.'
SELECT c.campaign_id, round(noa.marginal_roas(c.curve, c.current_spend::float8, c.value_per_conversion::float8)::numeric, 2) AS reported,
	round(noa.marginal_roas(noa.incremental_curve(c.curve, m.model, c.campaign_id), c.current_spend::float8, c.value_per_conversion::float8)::numeric, 2) AS before,
	round(noa.marginal_roas_lo(noa.incremental_curve(c.curve, m.model, c.campaign_id), c.current_spend::float8, c.value_per_conversion::float8)::numeric, 2)
	  || ' .. ' || round(noa.marginal_roas_hi(noa.incremental_curve(c.curve, m.model, c.campaign_id), c.current_spend::float8, c.value_per_conversion::float8)::numeric, 2) AS interval_before,
	round(noa.marginal_roas(noa.incremental_curve(c.curve, k.model, c.campaign_id), c.current_spend::float8, c.value_per_conversion::float8)::numeric, 2) AS after,
	round(noa.marginal_roas_lo(noa.incremental_curve(c.curve, k.model, c.campaign_id), c.current_spend::float8, c.value_per_conversion::float8)::numeric, 2)
	  || ' .. ' || round(noa.marginal_roas_hi(noa.incremental_curve(c.curve, k.model, c.campaign_id), c.current_spend::float8, c.value_per_conversion::float8)::numeric, 2) AS interval_after
FROM demo_curves c, demo_models m, demo_models_calibrated k
WHERE c.campaign_id = 'tt-es-04' AND m.geo = 'ES' AND k.geo = 'ES';

\echo
\echo '--- 6f. Track record: the model refitted up to 3 December 2025 forecasts the last 28 days (noa.kpi_model_backtest) ---'
\echo '    From the spend actually made, 28-day totals; "coverage" is the share of days whose orders fell inside'
\echo '    the day''s 90% interval (over 16 such windows, sql/kpi_model_backtest.sql: 86% of 448 days).'
SELECT m.geo, round(b.predicted::numeric) AS forecast_orders,
	round(b.actual::numeric) AS actual_orders, round(100 * b.abs_pct_error::numeric, 1) AS daily_error_pct,
	round(100 * b.coverage::numeric) AS coverage_pct
FROM demo_models m, noa.kpi_model_backtest(m.model, '2025-12-03') b
WHERE b.day IS NULL AND b.component = 'total'
ORDER BY m.geo;
