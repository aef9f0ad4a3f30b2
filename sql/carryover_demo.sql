-- The time-aware fit recovers the demo's carryover (noa_demo.ground_truth) with
-- budgets that change level every 35 days (the default demo), every week and
-- every day: per campaign with carryover, theta within ±0.10 of the truth and
-- the long-run marginal ROAS at current spend (mean of the last 90 days, in
-- platform-reported conversions) within 15% of the truth.  Campaigns without
-- carryover should get theta near 0.  Prints pass counts, not floats.
SET extra_float_digits = 0;
SET client_min_messages = warning;

CREATE TEMP TABLE recovery (budget_change_days int, campaign_id text, has_carryover boolean,
	true_theta float8, theta float8, status text, mroas_fit float8, mroas_same_day_fit float8, mroas_true float8);

\set ECHO none
\set budget_change_days 35
\i demo/generate.sql
\set ECHO all

-- Fit every campaign (rows loaded twice are dropped) and compare with the truth:
-- long-run marginal at lasting spend x is hill'(x / (1 - theta)) / (1 - theta).
PREPARE measure(int) AS
INSERT INTO recovery
SELECT $1, g.campaign_id, g.has_carryover, g.adstock_theta::float8, t.theta, noa.curve_status(f.c),
	noa.marginal_roas(f.c, g.mean_spend_last_90d::float8), noa.marginal_roas(f.same_day, g.mean_spend_last_90d::float8),
	(g.b * g.s * power(g.k, g.s) * power(x.a, g.s - 1) / power(power(x.a, g.s) + power(g.k, g.s), 2)
		/ (1 - g.adstock_theta))::float8
FROM (SELECT a.campaign_id, noa.fit_curve(a.date_day, a.spend::float8, a.conversions::float8) AS c,
		noa.fit_curve(a.spend::float8, a.conversions::float8) AS same_day
	FROM (SELECT DISTINCT * FROM noa_demo.ad_spend) a GROUP BY a.campaign_id) f
JOIN noa_demo.ground_truth g USING (campaign_id)
CROSS JOIN LATERAL noa.curve_carryover(f.c) t
CROSS JOIN LATERAL (SELECT g.mean_spend_last_90d / (1 - g.adstock_theta) AS a) x
WHERE g.planted_problem IS NULL;

EXECUTE measure(35);
\set ECHO none
\set budget_change_days 7
\i demo/generate.sql
EXECUTE measure(7);
\set budget_change_days 1
\i demo/generate.sql
EXECUTE measure(1);
\set ECHO all
RESET client_min_messages;

-- Campaigns with carryover: every target met at every budget rhythm.
SELECT budget_change_days, count(*) AS campaigns,
	count(*) FILTER (WHERE status = 'converged') AS converged,
	count(*) FILTER (WHERE abs(theta - true_theta) <= 0.10) AS theta_within_010,
	count(*) FILTER (WHERE abs(mroas_fit / mroas_true - 1) <= 0.15) AS mroas_within_15pct,
	percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(mroas_fit / mroas_true - 1)) <= 0.05 AS median_mroas_error_below_5pct,
	-- a same-day fit of the same rows misses the long run
	count(*) FILTER (WHERE abs(mroas_same_day_fit / mroas_true - 1) <= 0.15 AND mroas_same_day_fit IS NOT NULL)
		AS same_day_fit_within_15pct
FROM recovery WHERE has_carryover GROUP BY budget_change_days ORDER BY budget_change_days DESC;

-- Clean campaigns without carryover: theta stays near 0 and the answers stay right.
SELECT budget_change_days, count(*) AS campaigns,
	count(*) FILTER (WHERE theta <= 0.10) AS theta_at_most_010,
	count(*) FILTER (WHERE abs(mroas_fit / mroas_true - 1) <= 0.15) AS mroas_within_15pct
FROM recovery WHERE NOT has_carryover GROUP BY budget_change_days ORDER BY budget_change_days DESC;

-- Later tests regenerate the default demo themselves; leave nothing behind.
SET client_min_messages = warning;
DROP SCHEMA noa_demo CASCADE;
RESET client_min_messages;
