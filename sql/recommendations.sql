-- noa.recommendations: the ranked action plan.  Runs after demo_data (same
-- database, noa_demo loaded).  Data-quality errors come first and block advice
-- on their campaigns; every planted problem of the demo is acted on; the money
-- figures agree with noa.waste and noa.allocate; low-confidence moves become
-- experiments with a computed length; bad arguments give the documented SQLSTATEs.
SET extra_float_digits = 0;

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

-- ---------------------------------------------------------------------------
-- The demo's action plan
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE plan AS
SELECT * FROM noa.recommendations('noa_demo.ad_spend', business => 'noa_demo.shop_orders', as_of => '2025-12-31');

SELECT rank, action, coalesce(campaign_id, from_campaign || ' -> ' || to_campaign, platform, '(table)') AS what,
	round(amount) AS amount, round(amount_per_day) AS per_day, round(expected_effect) AS effect,
	round(expected_effect_lo) AS effect_lo, round(expected_effect_hi) AS effect_hi, test_days, confidence, reason
FROM plan ORDER BY rank;

-- Shape: ranks 1..n, data alarms first (errors before warnings), then money by expected effect.
SELECT count(*) AS rows, min(rank) AS first_rank, max(rank) = count(*) AS consecutive,
	bool_and(action IN ('fix_tracking', 'cap_spend', 'cut', 'shift_budget', 'scale_up', 'test_first')) AS known_actions,
	max(rank) FILTER (WHERE action = 'fix_tracking') < min(rank) FILTER (WHERE action <> 'fix_tracking') AS alarms_first,
	max(rank) FILTER (WHERE action = 'fix_tracking' AND confidence = 'high')
		< min(rank) FILTER (WHERE action = 'fix_tracking' AND confidence <> 'high') AS errors_first,
	bool_and(explanation <> '' AND confidence IN ('high', 'medium', 'low')) AS explained,
	bool_and(currency = 'EUR') AS currency,
	bool_and(amount IS NULL OR amount = round(amount, 2)) AS cents
FROM plan;
SELECT bool_and(ok) AS money_rows_by_effect FROM (
	SELECT expected_effect <= lag(expected_effect) OVER (ORDER BY rank) OR lag(expected_effect) OVER (ORDER BY rank) IS NULL
		OR expected_effect IS NULL AS ok
	FROM plan WHERE action <> 'fix_tracking') s;

-- Every planted problem is acted on.
SELECT p.problem, p.campaign_id,
	string_agg(DISTINCT r.action || '/' || r.reason, ', ') AS actions
FROM noa_demo.planted_problems p
LEFT JOIN plan r ON p.campaign_id IN (r.campaign_id, r.from_campaign, r.to_campaign)
GROUP BY p.problem, p.campaign_id ORDER BY p.problem;

-- Errors block advice: no money row touches fb-fr-04 (tracking break) or ggl-fr-05 (duplicates).
SELECT count(*) AS money_rows_on_blocked_campaigns
FROM plan r
WHERE r.action <> 'fix_tracking'
  AND (SELECT array_agg(campaign_id) FROM plan WHERE action = 'fix_tracking' AND confidence = 'high')
      && ARRAY[r.campaign_id, r.from_campaign, r.to_campaign];
SELECT explanation FROM plan WHERE action = 'fix_tracking' AND campaign_id = 'fb-fr-04';

-- Awareness campaigns are not cut or capped on conversions.
SELECT count(*) AS awareness_money_rows
FROM plan r JOIN noa_demo.ground_truth g ON g.campaign_id IN (r.campaign_id, r.from_campaign, r.to_campaign)
WHERE g.campaign_role = 'awareness' AND r.action <> 'fix_tracking';

-- Numbers agree with noa.waste: each cut and cap carries the waste row's spend at stake and value lost.
SELECT count(*) AS cuts_and_caps,
	count(*) FILTER (WHERE r.amount = w.spend_at_stake AND r.expected_effect IS NOT DISTINCT FROM w.value_lost
	                 AND r.expected_effect_lo IS NOT DISTINCT FROM w.value_lost_lo) AS same_as_waste
FROM plan r
JOIN LATERAL (SELECT * FROM noa.waste('noa_demo.ad_spend', as_of => '2025-12-31') w
              WHERE w.campaign_id = r.campaign_id
              ORDER BY CASE w.waste_type WHEN 'no_incremental_value' THEN 0 WHEN 'past_breakeven' THEN 1 ELSE 2 END
              LIMIT 1) w ON true
WHERE r.action IN ('cut', 'cap_spend');

-- Two explanations in full.
SELECT action, explanation FROM plan WHERE campaign_id IN ('tt-de-02', 'ggl-de-01') ORDER BY rank;
SELECT action, explanation FROM plan WHERE action IN ('shift_budget', 'test_first') ORDER BY rank LIMIT 2;

-- Numbers agree with noa.allocate and noa.simulate: rebuild the portfolio the plan
-- reallocates (trusted campaigns judged on conversion value, at their spend after
-- the caps, capped ones unable to take money back) and compare totals.
CREATE TEMP TABLE st AS
SELECT * FROM noa._campaign_state('noa_demo.ad_spend', '2025-12-31', 28, 'hill', 'date_day', 'platform', 'campaign_id',
	'spend', 'impressions', 'clicks', 'conversions', 'conversions_value', 'campaign_role', 'geo', 'currency');
CREATE TEMP TABLE pf AS
SELECT noa.portfolio(s.campaign_id, s.curve::noa.curve, s.current_spend - coalesce(c.amount_per_day, 0)::float8, NULL,
	CASE WHEN c.campaign_id IS NOT NULL THEN s.current_spend - c.amount_per_day::float8
	     ELSE greatest((s.curve::noa.curve::jsonb ->> 'x_max')::float8, s.current_spend) END,
	s.campaign_role, s.value_per_unit, false) AS p,
	sum(s.current_spend - coalesce(c.amount_per_day, 0)::float8) AS budget
FROM st s LEFT JOIN plan c ON c.campaign_id = s.campaign_id AND c.action = 'cap_spend'
WHERE NOT s.awareness AND s.value_per_unit IS NOT NULL
  AND noa.curve_status(s.curve::noa.curve) IN ('converged', 'max_iterations')
  AND s.campaign_id NOT IN (SELECT campaign_id FROM plan WHERE action = 'cut' OR (action = 'fix_tracking' AND confidence = 'high'));
SELECT a.items, round(a.value_gain * 28) AS allocate_gain_28d,
	(SELECT round(sum(expected_effect)) FROM plan WHERE reason = 'reallocation') AS plan_shift_effect,
	abs(a.value_gain * 28 - (SELECT sum(expected_effect) FROM plan WHERE reason = 'reallocation')) < 0.001 * a.value_gain * 28
		AS agree_with_allocate,
	(SELECT round(sum(amount)) FROM plan WHERE reason = 'reallocation') AS plan_money_moved,
	round(28 * (SELECT sum(greatest(delta_spend, 0)) FROM pf, noa.allocate(pf.p, budget => pf.budget, max_increase => 0.5,
		max_decrease => 0.5) WHERE row_type = 'item')) AS allocate_money_moved
FROM pf, noa.allocation_summary(pf.p, budget => pf.budget, max_increase => 0.5, max_decrease => 0.5) a;
SELECT round(28 * s.delta_value) AS simulated_gain_28d,
	abs(28 * s.delta_value - (SELECT sum(expected_effect) FROM plan WHERE reason = 'reallocation'))
		< 0.001 * 28 * s.delta_value AS agree_with_simulate
FROM pf, noa.simulate(pf.p, (SELECT string_agg(format('move %s from "%s" to "%s"', amount_per_day, from_campaign, to_campaign), '; '
                             ORDER BY rank) FROM plan WHERE reason = 'reallocation')) s
WHERE s.row_type = 'total';

-- Role floors go to the optimiser: with consideration campaigns held at 48% of
-- the reallocated budget or more, the consideration share after the moves is at
-- least 48% (about 45% without the floor).
CREATE TEMP TABLE plan_floor AS
SELECT * FROM noa.recommendations('noa_demo.ad_spend', business => 'noa_demo.shop_orders', as_of => '2025-12-31',
	group_min_share => 'consideration=0.48');
SELECT f.name, round((sum(CASE WHEN s.campaign_role = 'consideration' THEN s.spend1 END) / sum(s.spend1))::numeric, 3) AS consideration_share,
	sum(CASE WHEN s.campaign_role = 'consideration' THEN s.spend1 END) / sum(s.spend1) >= 0.48 - 1e-6 AS floor_respected
FROM (VALUES ('no floor', 'plan'), ('consideration=0.48', 'plan_floor')) AS f(name, tab)
CROSS JOIN LATERAL (
	SELECT s.campaign_id, s.campaign_role,
	       s.current_spend - coalesce((SELECT sum(r.amount_per_day) FROM plan r WHERE f.tab = 'plan' AND r.action = 'cap_spend'
	                                    AND r.campaign_id = s.campaign_id), 0)::float8
	                       - coalesce((SELECT sum(r.amount_per_day) FROM plan_floor r WHERE f.tab = 'plan_floor' AND r.action = 'cap_spend'
	                                    AND r.campaign_id = s.campaign_id), 0)::float8
	       + coalesce((SELECT sum(CASE WHEN r.to_campaign = s.campaign_id THEN r.amount_per_day ELSE -r.amount_per_day END)
	                   FROM (SELECT * FROM plan WHERE f.tab = 'plan' UNION ALL SELECT * FROM plan_floor WHERE f.tab = 'plan_floor') r
	                   WHERE r.reason = 'reallocation' AND s.campaign_id IN (r.from_campaign, r.to_campaign)), 0)::float8 AS spend1
	FROM st s
	WHERE NOT s.awareness AND s.value_per_unit IS NOT NULL
	  AND noa.curve_status(s.curve::noa.curve) IN ('converged', 'max_iterations')
	  AND s.campaign_id NOT IN (SELECT campaign_id FROM plan WHERE action = 'cut' OR (action = 'fix_tracking' AND confidence = 'high'))
) s
GROUP BY f.name ORDER BY f.name;

-- Awareness campaigns keep their spend unless group_min_share names them; then
-- they join the reallocation, valued on conversions, held up by their floor.
SELECT f.floor, count(*) FILTER (WHERE g.campaign_role = 'awareness') AS rows_moving_awareness_money,
	round(sum(r.amount) FILTER (WHERE g.campaign_role = 'awareness')) AS awareness_money_moved
FROM (VALUES ('none'), ('awareness=0.15')) AS f(floor),
	LATERAL noa.recommendations('noa_demo.ad_spend', as_of => '2025-12-31',
	                            group_min_share => nullif(f.floor, 'none')) r
	LEFT JOIN noa_demo.ground_truth g ON g.campaign_id IN (r.from_campaign, r.to_campaign, r.campaign_id)
WHERE r.action <> 'fix_tracking'
GROUP BY f.floor ORDER BY f.floor;

-- A budget for the whole table (per period): below today's spend the plan
-- lowers campaigns to meet it, above it raises them; the optimiser decides which.
SELECT b.budget, r.action, r.reason, count(*) AS rows, round(sum(r.amount)) AS amount
FROM (VALUES (1100000::numeric), (1400000::numeric)) AS b(budget),
	LATERAL noa.recommendations('noa_demo.ad_spend', budget => b.budget, as_of => '2025-12-31') r
WHERE r.action <> 'fix_tracking'
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;

-- ---------------------------------------------------------------------------
-- Synthetic tables with known answers
-- ---------------------------------------------------------------------------
-- Clean and under-invested: nothing to fix, cut or cap; money moves to the
-- campaign whose next euro returns most, which is also scaled up.
CREATE TEMP TABLE syn_clean AS
SELECT '2025-01-01'::date + t AS date_day, 'google_ads'::text AS platform, c.id AS campaign_id, c.role AS campaign_role,
	'DE'::text AS geo, 'EUR'::text AS currency, x.spend,
	round((x.spend * 150)::numeric) AS impressions, round((x.spend * 1.2)::numeric) AS clicks,
	round(greatest(0, c.b * x.spend / (x.spend + c.k) + 1.2 * noa_demo.normal(c.id || '|c|' || t))::numeric, 2) AS conversions,
	round((greatest(0, c.b * x.spend / (x.spend + c.k) + 1.2 * noa_demo.normal(c.id || '|c|' || t)) * c.aov)::numeric, 2) AS conversions_value
FROM (VALUES ('c-conv', 'conversion', 100.0, 2000.0, 80.0), ('c-cons', 'consideration', 60.0, 1500.0, 90.0),
             ('c-aware', 'awareness', 30.0, 3000.0, 50.0)) AS c(id, role, b, k, aov)
CROSS JOIN generate_series(0, 364) AS t
CROSS JOIN LATERAL (SELECT round((700 * exp(0.45 * noa_demo.normal(c.id || '|s|' || t)))::numeric, 2) AS spend) AS x;

SELECT rank, action, coalesce(campaign_id, from_campaign || ' -> ' || to_campaign) AS what, round(amount_per_day) AS per_day,
	round(expected_effect) AS effect, confidence, reason
FROM noa.recommendations('syn_clean', as_of => '2025-12-31') ORDER BY rank;

-- Scale-up against the truth: c-conv's true break-even is 2,000 a day
-- (80 * 100 * 2000 / (x + 2000)^2 = 1); the raise never goes beyond it.
SELECT campaign_id, round(amount_per_day) AS raise_per_day,
	round(amount_per_day + (SELECT avg(spend) FROM syn_clean s WHERE s.campaign_id = r.campaign_id AND s.date_day > '2025-12-03')) AS new_spend_day
FROM noa.recommendations('syn_clean', as_of => '2025-12-31') r WHERE action IN ('scale_up', 'test_first') ORDER BY 1;

-- A short, noisy history past break-even: the evidence is weak, so the cap
-- becomes an experiment.  Its length is n = 2 (z + 0.8416)^2 (sigma / delta)^2
-- days rounded up to whole weeks, with delta the expected daily change of
-- conversions and sigma the curve's residual sd.
CREATE TEMP TABLE syn_short AS
SELECT '2025-01-01'::date + t AS date_day, 'meta'::text AS platform, 'short'::text AS campaign_id,
	'conversion'::text AS campaign_role, x.spend,
	round(greatest(0, 40 * x.spend / (x.spend + 300) + 3 * noa_demo.normal('short|c|' || t))::numeric, 2) AS conversions,
	round((greatest(0, 40 * x.spend / (x.spend + 300) + 3 * noa_demo.normal('short|c|' || t)) * 50)::numeric, 2) AS conversions_value
FROM generate_series(0, 41) AS t
CROSS JOIN LATERAL (SELECT round((1000 * exp(0.4 * noa_demo.normal('short|s|' || t)))::numeric, 2) AS spend) AS x;
SELECT rank, action, campaign_id, round(amount_per_day) AS per_day, round(expected_effect) AS effect, test_days, confidence, reason
FROM noa.recommendations('syn_short', as_of => '2025-02-11');
SELECT r.test_days = 7 * ceil(greatest(7, 2 * power(1.6449 + 0.8416, 2)
		* power((c.curve::noa.curve::jsonb ->> 'sigma')::float8
		        / abs(noa.response(c.curve::noa.curve, c.current_spend) - noa.response(c.curve::noa.curve, w.threshold_spend_per_day::float8)), 2)) / 7)
	AS test_days_as_documented
FROM noa.recommendations('syn_short', as_of => '2025-02-11') r,
	noa._campaign_state('syn_short', '2025-02-11', 28, 'hill', 'date_day', NULL, 'campaign_id', 'spend', NULL, NULL,
	                    'conversions', 'conversions_value', 'campaign_role', NULL, NULL) c,
	noa.waste('syn_short', as_of => '2025-02-11') w
WHERE r.action = 'test_first' AND w.waste_type = 'past_breakeven';
SELECT explanation FROM noa.recommendations('syn_short', as_of => '2025-02-11') WHERE action = 'test_first';

-- An error that names no campaign (two campaigns in another currency) blocks every money row.
CREATE TEMP TABLE syn_mixed AS
SELECT * FROM syn_clean UNION ALL
SELECT date_day, platform, 'usd-' || campaign_id, campaign_role, geo, 'USD', spend, impressions, clicks, conversions,
	conversions_value FROM syn_clean WHERE campaign_id IN ('c-conv', 'c-cons');
SELECT action, reason, count(*) AS rows FROM noa.recommendations('syn_mixed', as_of => '2025-12-31') GROUP BY 1, 2 ORDER BY 1, 2;

-- Read-only.
BEGIN TRANSACTION READ ONLY;
SELECT count(*) > 0 AS runs_read_only FROM noa.recommendations('syn_clean', as_of => '2025-12-31');
COMMIT;

-- ---------------------------------------------------------------------------
-- Bad arguments
-- ---------------------------------------------------------------------------
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.recommendations(NULL)$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.recommendations('syn_clean', budget => -5)$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.recommendations('syn_clean', target_mroas => -1)$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.recommendations('syn_clean', level => 0.2)$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.recommendations('syn_clean', window_days => 400)$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.recommendations('syn_clean', max_change => 2)$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.recommendations('syn_clean', conversions_col => 'orders')$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.recommendations('syn_clean', business => 'noa_demo.ground_truth')$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.recommendations('syn_clean', model => 'quadratic')$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.recommendations('syn_clean', group_min_share => 'consideration=1.5')$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.recommendations('syn_clean', as_of => '2025-12-31', group_min_share => 'display=0.2')$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.recommendations('noa_demo.ad_spend', as_of => '2025-12-31', group_min_share => 'consideration=0.6')$$);

-- As known on as_of: the demo's tracking break (2025-10-13 to 2025-11-02) is
-- not known on 2025-06-30, so neither data_quality nor recommendations report
-- it or block its campaign then; on 2025-12-31 both do.
SELECT d.as_of, (SELECT count(*) FROM noa.data_quality('noa_demo.ad_spend', as_of => d.as_of)
                 WHERE check_name = 'tracking_break') AS dq_breaks,
       (SELECT count(*) FROM noa.recommendations('noa_demo.ad_spend', as_of => d.as_of)
        WHERE reason = 'tracking_break') AS plan_breaks,
       (SELECT count(*) FROM noa.data_quality('noa_demo.ad_spend', as_of => d.as_of)
        WHERE first_day > d.as_of) AS dq_rows_starting_later
FROM (VALUES ('2025-06-30'::date), ('2025-12-31')) AS d(as_of);
