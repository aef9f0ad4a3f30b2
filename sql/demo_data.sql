-- The demo data (demo/generate.sql): shape, every planted problem, a
-- determinism checksum, and that the platform-reported conversions really
-- follow the ground-truth response curves.
SET extra_float_digits = 0;
SET DateStyle = 'ISO, YMD';
SET client_min_messages = warning;
\set ECHO none
\i demo/generate.sql
\set ECHO all
RESET client_min_messages;

-- ---------------------------------------------------------------------------
-- Shape
-- ---------------------------------------------------------------------------
SELECT attname, format_type(atttypid, atttypmod) AS type
FROM pg_attribute WHERE attrelid = 'noa_demo.ad_spend'::regclass AND attnum > 0 ORDER BY attnum;

SELECT count(*) AS rows, count(DISTINCT campaign_id) AS campaigns, min(date_day) AS first_day,
       max(date_day) AS last_day, count(DISTINCT date_day) AS days, string_agg(DISTINCT currency, ',') AS currency
FROM noa_demo.ad_spend;

SELECT platform, count(DISTINCT campaign_id) AS campaigns,
       count(DISTINCT campaign_id) FILTER (WHERE campaign_role = 'awareness') AS awareness,
       count(DISTINCT campaign_id) FILTER (WHERE campaign_role = 'consideration') AS consideration,
       count(DISTINCT campaign_id) FILTER (WHERE campaign_role = 'conversion') AS conversion,
       string_agg(DISTINCT geo, ',') AS geos
FROM noa_demo.ad_spend GROUP BY platform ORDER BY platform;

SELECT count(*) AS shop_rows, count(DISTINCT geo) AS geos, min(date_day), max(date_day),
       min(orders) > 0 AS orders_positive, string_agg(DISTINCT currency, ',') AS currency
FROM noa_demo.shop_orders;

SELECT count(*) AS campaigns,
       count(*) FILTER (WHERE has_carryover) AS with_carryover,
       count(*) FILTER (WHERE has_carryover AND adstock_theta BETWEEN 0.3 AND 0.7) AS theta_in_range,
       count(*) FILTER (WHERE NOT has_carryover AND adstock_theta = 0) AS no_carryover_theta_0,
       count(*) FILTER (WHERE s <= 1) AS concave,
       count(*) FILTER (WHERE s BETWEEN 1.5 AND 3) AS s_shaped,
       count(*) FILTER (WHERE planted_problem IS NULL) AS clean,
       count(*) FILTER (WHERE NOT incremental) AS not_incremental
FROM noa_demo.ground_truth;

-- Noise sd is 5-10% of the campaign's mean response, for every campaign with an effect.
SELECT count(*) AS campaigns,
       count(*) FILTER (WHERE g.noise_sd / m.mean_conv BETWEEN 0.04 AND 0.12) AS sd_5_to_10_pct
FROM noa_demo.ground_truth g
JOIN (SELECT campaign_id, avg(conversions) AS mean_conv FROM noa_demo.ad_spend GROUP BY 1) m USING (campaign_id)
WHERE g.b > 0 AND g.planted_problem IS DISTINCT FROM 'tracking_break';

-- Spend varies a lot inside every campaign: its 5th percentile below 700 EUR/day, its
-- 95th above 1,300 (except the saturated campaign, which is kept near 8-15 x k).
SELECT count(*) AS campaigns,
       count(*) FILTER (WHERE p05 < 700 AND p95 > 1300) AS wide_spend_range,
       count(*) FILTER (WHERE lo >= 50 AND hi <= 10000) AS within_50_to_10000,
       min(p95 / p05) >= 2 AS every_p95_over_p05_at_least_2
FROM (SELECT campaign_id, min(spend) AS lo, max(spend) AS hi,
             percentile_cont(0.05) WITHIN GROUP (ORDER BY spend) AS p05,
             percentile_cont(0.95) WITHIN GROUP (ORDER BY spend) AS p95
      FROM noa_demo.ad_spend GROUP BY 1) q;

-- Funnel consistency: clicks <= impressions everywhere; conversions <= clicks
-- except the planted rows.  Truncation of the noise at 0 is rare.
SELECT count(*) FILTER (WHERE clicks > impressions) AS clicks_over_impressions,
       count(*) FILTER (WHERE conversions > clicks) AS conversions_over_clicks,
       count(*) FILTER (WHERE conversions > clicks AND campaign_id <> 'li-de-01') AS outside_planted,
       count(*) FILTER (WHERE conversions = 0 AND g.planted_problem IS NULL) AS truncated_at_zero_clean,
       count(*) FILTER (WHERE spend <= 0 OR impressions <= 0) AS nonpositive
FROM noa_demo.ad_spend JOIN noa_demo.ground_truth g USING (campaign_id);

-- conversions_value = conversions x the campaign's order value (3% noise).
SELECT count(*) AS campaigns,
       count(*) FILTER (WHERE abs(ratio / avg_order_value - 1) < 0.01) AS value_per_conversion_matches
FROM (SELECT g.campaign_id, g.avg_order_value, sum(a.conversions_value) / sum(a.conversions) AS ratio
      FROM noa_demo.ad_spend a JOIN noa_demo.ground_truth g USING (campaign_id)
      WHERE g.planted_problem IS NULL GROUP BY 1, 2) q;

-- ---------------------------------------------------------------------------
-- Planted problems: exactly six, each on its own campaign, each really there
-- ---------------------------------------------------------------------------
SELECT problem, platform, campaign_id, first_day, last_day FROM noa_demo.planted_problems ORDER BY problem;
SELECT count(DISTINCT campaign_id) AS distinct_campaigns FROM noa_demo.planted_problems;
SELECT campaign_id, planted_problem FROM noa_demo.ground_truth WHERE planted_problem IS NOT NULL ORDER BY 1;

-- (1) duplicated day: the only (campaign, day) with two rows, identical copies
SELECT campaign_id, date_day, count(*) AS copies, count(DISTINCT a::text) AS distinct_rows
FROM noa_demo.ad_spend a GROUP BY campaign_id, date_day HAVING count(*) > 1;

-- (2) tracking break: 21 days of ~0 conversions while spend goes on inside its usual range
SELECT count(*) AS days, max(conversions) AS max_conversions, sum(conversions) AS conversions,
       min(spend) > 0 AS spend_every_day,
       min(spend) >= (SELECT percentile_cont(0.05) WITHIN GROUP (ORDER BY spend) FROM noa_demo.ad_spend WHERE campaign_id = 'fb-fr-04')
       AND max(spend) <= (SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY spend) FROM noa_demo.ad_spend WHERE campaign_id = 'fb-fr-04')
         AS spend_within_p05_p95,
       (SELECT min(conversions) FROM noa_demo.ad_spend
         WHERE campaign_id = 'fb-fr-04' AND date_day BETWEEN '2025-09-15' AND '2025-10-12') AS min_conversions_4_weeks_before
FROM noa_demo.ad_spend WHERE campaign_id = 'fb-fr-04' AND date_day BETWEEN '2025-10-13' AND '2025-11-02';

-- (3) no incremental effect: b = 0, 0-2 conversions a day, unrelated to spend
SELECT g.b, g.incremental, min(a.conversions) AS min_conv, max(a.conversions) AS max_conv,
       count(DISTINCT a.conversions) AS distinct_values, abs(corr(a.spend, a.conversions)) < 0.1 AS uncorrelated
FROM noa_demo.ad_spend a JOIN noa_demo.ground_truth g USING (campaign_id)
WHERE campaign_id = 'tt-de-02' GROUP BY g.b, g.incremental;

-- (4) far past saturation: spend at about 8-15 x k; marginal ROAS at current spend ~ 0
SELECT g.k, round(g.mean_spend_last_90d / g.k, 1) AS spend_over_k,
       round(percentile_cont(0.1) WITHIN GROUP (ORDER BY a.spend)::numeric / g.k, 1) AS p10_over_k,
       round(percentile_cont(0.9) WITHIN GROUP (ORDER BY a.spend)::numeric / g.k, 1) AS p90_over_k,
       -- d hill / dx * value per conversion at the mean spend of the last 90 days
       round((g.b * g.s * power(g.k, g.s) * power(g.mean_spend_last_90d, g.s - 1)
              / power(power(g.mean_spend_last_90d, g.s) + power(g.k, g.s), 2) * g.avg_order_value), 3) AS marginal_roas
FROM noa_demo.ad_spend a JOIN noa_demo.ground_truth g USING (campaign_id)
WHERE campaign_id = 'ggl-de-01' GROUP BY g.k, g.b, g.s, g.mean_spend_last_90d, g.avg_order_value;

-- (5) conversions > clicks on five rows of one campaign
SELECT campaign_id, date_day, clicks, conversions FROM noa_demo.ad_spend WHERE conversions > clicks ORDER BY 1, 2;

-- (6) missing week: the only gap in any campaign's dates
SELECT campaign_id, date_day + 1 AS gap_from, next_day - 1 AS gap_to, next_day - date_day - 1 AS missing_days
FROM (SELECT campaign_id, date_day, lead(date_day) OVER (PARTITION BY campaign_id ORDER BY date_day) AS next_day
      FROM (SELECT DISTINCT campaign_id, date_day FROM noa_demo.ad_spend) d) q
WHERE next_day > date_day + 1;

-- ---------------------------------------------------------------------------
-- Ground truth: conversions follow the Hill curve of each clean campaign
-- ---------------------------------------------------------------------------
-- Adstock is recomputed from the rows (x_t = spend_t + theta x_{t-1}); the
-- residuals conversions - hill(x) must have mean ~0, sd ~noise_sd and no
-- correlation with spend.  A wrong curve (k doubled) must fail the same test.
CREATE TEMP TABLE dd AS
SELECT a.campaign_id, row_number() OVER (PARTITION BY a.campaign_id ORDER BY a.date_day) AS t,
       a.spend, a.conversions
FROM noa_demo.ad_spend a JOIN noa_demo.ground_truth g USING (campaign_id)
WHERE g.planted_problem IS NULL;
CREATE INDEX ON dd (campaign_id, t);
ANALYZE dd;
CREATE TEMP TABLE resid AS
WITH RECURSIVE x(campaign_id, t, x) AS (
	SELECT campaign_id, t, spend::float8 FROM dd WHERE t = 1
	UNION ALL
	SELECT x.campaign_id, x.t + 1, d.spend::float8 + g.adstock_theta::float8 * x.x
	FROM x JOIN dd d ON d.campaign_id = x.campaign_id AND d.t = x.t + 1
	       JOIN noa_demo.ground_truth g ON g.campaign_id = x.campaign_id
)
SELECT d.campaign_id, g.has_carryover, d.spend::float8 AS spend, g.noise_sd::float8 AS sd,
       d.conversions::float8 - noa_demo.hill(x.x, g.b::float8, g.k::float8, g.s::float8) AS res,
       d.conversions::float8 - noa_demo.hill(x.x, g.b::float8, 2 * g.k::float8, g.s::float8) AS res_wrong_k
FROM x JOIN dd d USING (campaign_id, t) JOIN noa_demo.ground_truth g USING (campaign_id);

SELECT has_carryover, count(*) AS campaigns,
       count(*) FILTER (WHERE abs(mean_res) / sd < 0.2) AS mean_residual_ok,
       count(*) FILTER (WHERE sd_res / sd BETWEEN 0.9 AND 1.1) AS residual_sd_ok,
       count(*) FILTER (WHERE abs(corr_spend) < 0.15) AS uncorrelated_with_spend,
       count(*) FILTER (WHERE abs(mean_wrong) / sd < 0.2 AND sd_wrong / sd BETWEEN 0.9 AND 1.1) AS wrong_k_passes
FROM (SELECT campaign_id, has_carryover, min(sd) AS sd, avg(res) AS mean_res, stddev(res) AS sd_res,
             corr(res, spend) AS corr_spend, avg(res_wrong_k) AS mean_wrong, stddev(res_wrong_k) AS sd_wrong
      FROM resid GROUP BY 1, 2) q
GROUP BY has_carryover ORDER BY has_carryover;

-- The same, shown for one clean campaign without carryover.
SELECT campaign_id, count(*) AS days, round((avg(res) / min(sd))::numeric, 2) AS mean_res_in_sd,
       round((stddev(res) / min(sd))::numeric, 2) AS sd_ratio, round(corr(res, spend)::numeric, 2) AS corr_spend
FROM resid WHERE campaign_id = 'ggl-de-02' GROUP BY campaign_id;

-- Shop orders = organic baseline + truly incremental conversions (reported /
-- attribution factor): the baseline left after removing what the campaigns
-- truly added is positive on every day in every country, and the platforms
-- together report more than their true effect.
SELECT count(*) AS geo_days, count(*) FILTER (WHERE s.orders - i.incremental > 0) AS positive_baseline,
       round(avg(i.incremental / s.orders), 2) AS incremental_share_of_orders
FROM noa_demo.shop_orders s
JOIN (SELECT a.date_day, a.geo, sum(a.conversions / g.attribution_factor) FILTER (WHERE g.incremental) AS incremental
      FROM noa_demo.ad_spend a JOIN noa_demo.ground_truth g USING (campaign_id) GROUP BY 1, 2) i USING (date_day, geo);
SELECT round((SELECT sum(conversions) FROM noa_demo.ad_spend) / (SELECT sum(orders) FROM noa_demo.shop_orders), 2)
         AS reported_per_order,
       round((SELECT sum(a.conversions / g.attribution_factor) FROM noa_demo.ad_spend a
              JOIN noa_demo.ground_truth g USING (campaign_id) WHERE g.incremental)
             / (SELECT sum(conversions) FROM noa_demo.ad_spend), 2) AS truly_incremental_share_of_reported;

-- ---------------------------------------------------------------------------
-- Determinism: the same rows on every run
-- ---------------------------------------------------------------------------
SELECT 'ad_spend' AS tab, md5(string_agg(a::text, E'\n' ORDER BY campaign_id, date_day, a::text)) FROM noa_demo.ad_spend a
UNION ALL
SELECT 'shop_orders', md5(string_agg(s::text, E'\n' ORDER BY date_day, geo)) FROM noa_demo.shop_orders s
UNION ALL
SELECT 'ground_truth', md5(string_agg(g::text, E'\n' ORDER BY campaign_id)) FROM noa_demo.ground_truth g
UNION ALL
SELECT 'planted_problems', md5(string_agg(p::text, E'\n' ORDER BY problem)) FROM noa_demo.planted_problems p;

-- A second run gives the same checksum.
CREATE TEMP TABLE first_run AS SELECT md5(string_agg(a::text, E'\n' ORDER BY campaign_id, date_day, a::text)) AS h
FROM noa_demo.ad_spend a;
SET client_min_messages = warning;
\set ECHO none
\i demo/generate.sql
\set ECHO all
RESET client_min_messages;
SELECT (SELECT h FROM first_run) = md5(string_agg(a::text, E'\n' ORDER BY campaign_id, date_day, a::text)) AS same_after_rerun
FROM noa_demo.ad_spend a;

DROP TABLE dd, resid, first_run;
