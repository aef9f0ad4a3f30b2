-- noa.waste: wasted spend per campaign and geo.  Runs after demo_data (same
-- database, noa_demo loaded).  On the demo data every planted waste problem is
-- found, clean awareness campaigns are not judged on conversions, and the
-- figures match the ground truth within their intervals; on clean synthetic
-- data nothing is found; bad arguments give the documented SQLSTATEs.
SET extra_float_digits = 0;

-- Errors as one line: SQLSTATE, message and hint (no file/line noise).
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
-- The demo data
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE w AS SELECT * FROM noa.waste('noa_demo.ad_spend', as_of => '2025-12-31');

SELECT waste_type, campaign_id, geo, campaign_role AS role, kpi,
	round(current_spend_per_day) AS spend_day, round(threshold_spend_per_day) AS threshold,
	round(threshold_lo) AS thr_lo, round(threshold_hi) AS thr_hi,
	round(spend_at_stake) AS at_stake, round(value_lost) AS value_lost,
	round(value_lost_lo) AS lost_lo, round(value_lost_hi) AS lost_hi,
	round(marginal_roas::numeric, 2) AS mroas, currency, confidence
FROM w;

-- Every row: one period, money in cents, no NaN, intervals around the point.
SELECT count(*) AS rows,
	count(DISTINCT (period_start, period_end)) AS periods, min(period_start) AS period_start, max(period_end) AS period_end,
	bool_and(spend_at_stake > 0) AS stake_positive,
	bool_and(spend_at_stake = round(spend_at_stake, 2) AND coalesce(value_lost = round(value_lost, 2), true)) AS cents,
	bool_and(spend_at_stake BETWEEN spend_at_stake_lo AND spend_at_stake_hi) AS stake_in_interval,
	bool_and(value_lost IS NULL OR value_lost_lo IS NULL OR value_lost BETWEEN value_lost_lo AND value_lost_hi) AS lost_in_interval,
	bool_and(threshold_lo IS NULL OR threshold_spend_per_day BETWEEN threshold_lo AND threshold_hi) AS threshold_in_interval,
	bool_and(explanation <> '' AND confidence IN ('high', 'medium', 'low')) AS explained,
	bool_and(coalesce(marginal_roas::text, '') NOT IN ('NaN', 'Infinity', '-Infinity')) AS no_nan,
	bool_and(currency = 'EUR') AS currency
FROM w;
-- Sorted by the money at stake.
SELECT bool_and(ok) AS sorted_by_stake FROM (
	SELECT spend_at_stake <= lag(spend_at_stake) OVER () OR lag(spend_at_stake) OVER () IS NULL AS ok FROM w) s;

-- The planted waste problems are found: tt-de-02 has no incremental effect,
-- ggl-de-01 runs far past saturation.
SELECT p.problem, p.campaign_id,
	string_agg(w.waste_type || '/' || w.confidence, ', ' ORDER BY w.waste_type) AS found
FROM noa_demo.planted_problems p LEFT JOIN w ON w.campaign_id = p.campaign_id
WHERE p.problem IN ('no_incremental_effect', 'saturated')
GROUP BY p.problem, p.campaign_id ORDER BY 1;
SELECT explanation FROM w WHERE campaign_id IN ('tt-de-02', 'ggl-de-01') ORDER BY campaign_id, waste_type;

-- No campaign with an effect is called "no incremental value".
SELECT string_agg(w.campaign_id, ', ') AS wrongly_no_effect
FROM w JOIN noa_demo.ground_truth g USING (campaign_id)
WHERE w.waste_type = 'no_incremental_value' AND g.incremental;

-- Awareness campaigns are judged on reach (impressions), never on conversions;
-- their curves do not saturate in the demo, so none of them is flagged.
SELECT count(*) FILTER (WHERE campaign_role = 'awareness') AS awareness_rows,
	count(*) FILTER (WHERE campaign_role = 'awareness' AND kpi = 'conversions') AS awareness_judged_on_conversions
FROM w;
-- Without the role column every campaign is judged on conversions, and the
-- awareness campaigns would be condemned.
SELECT count(DISTINCT w2.campaign_id) AS awareness_flagged_without_roles
FROM noa.waste('noa_demo.ad_spend', as_of => '2025-12-31', role_col => NULL) w2
JOIN noa_demo.ground_truth g USING (campaign_id)
WHERE g.campaign_role = 'awareness';

-- ---------------------------------------------------------------------------
-- Waste against the ground truth
-- ---------------------------------------------------------------------------
-- Clean campaigns without carryover (their curve is a same-day Hill curve) and
-- judged on conversions: the true break-even spend solves
-- aov * d/dx [b x^s / (x^s + k^s)] = 1 beyond the curve's peak; found on a
-- 0.5 EUR grid.  The true excess spend over the 28 days must lie inside
-- [spend_at_stake_lo, spend_at_stake_hi] (or be 0 where no row was given), and
-- the true net loss inside [value_lost_lo, value_lost_hi].
CREATE TEMP TABLE truth AS
WITH g AS (
	SELECT g.campaign_id, g.b::float8 AS b, g.k::float8 AS k, g.s::float8 AS s, g.avg_order_value::float8 AS aov,
		(SELECT avg(d.spend)::float8 FROM noa_demo.ad_spend d
		 WHERE d.campaign_id = g.campaign_id AND d.date_day > '2025-12-31'::date - 28) AS cur
	FROM noa_demo.ground_truth g
	WHERE NOT g.has_carryover AND g.planted_problem IS NULL AND g.campaign_role <> 'awareness'
), grid AS (
	SELECT g.campaign_id, x.i * 0.5 AS x,
		g.aov * g.b * g.s * power(g.k, g.s) * power(x.i * 0.5, g.s - 1) / power(power(x.i * 0.5, g.s) + power(g.k, g.s), 2) AS mroas
	FROM g CROSS JOIN generate_series(1, 20000) AS x(i)
)
SELECT g.*, coalesce(max(grid.x) FILTER (WHERE grid.mroas >= 1), 0) AS true_be
FROM g JOIN grid USING (campaign_id)
GROUP BY g.campaign_id, g.b, g.k, g.s, g.aov, g.cur;

CREATE TEMP TABLE truth_cmp AS
SELECT t.campaign_id, round(t.true_be::numeric) AS true_be, round(w.threshold_spend_per_day) AS breakeven,
	round(w.threshold_lo) AS be_lo, round(w.threshold_hi) AS be_hi,
	round((28 * greatest(t.cur - t.true_be, 0))::numeric, 2) AS true_excess,
	w.spend_at_stake_lo, w.spend_at_stake_hi,
	round((28 * greatest(0, (t.cur - t.true_be)
		- t.aov * (noa_demo.hill(t.cur, t.b, t.k, t.s) - noa_demo.hill(least(t.true_be, t.cur), t.b, t.k, t.s))))::numeric, 2) AS true_loss,
	w.value_lost_lo, w.value_lost_hi
FROM truth t LEFT JOIN w ON w.campaign_id = t.campaign_id AND w.waste_type = 'past_breakeven';

SELECT campaign_id, true_be, breakeven, be_lo, be_hi, round(true_excess) AS true_excess,
	round(spend_at_stake_lo) AS stake_lo, round(spend_at_stake_hi) AS stake_hi,
	round(true_loss) AS true_loss, round(value_lost_lo) AS lost_lo, round(value_lost_hi) AS lost_hi
FROM truth_cmp ORDER BY campaign_id;

-- Flagged exactly when truly past break-even; excess and loss covered at about the
-- nominal 90% (a rate of at least 0.8 over these ~18 campaigns).
SELECT count(*) AS campaigns,
	count(*) FILTER (WHERE (true_excess > 0) = (breakeven IS NOT NULL)) AS flag_agrees_with_truth,
	round(avg(CASE WHEN breakeven IS NULL THEN (true_excess = 0)::int
		ELSE (true_excess BETWEEN spend_at_stake_lo AND spend_at_stake_hi)::int END), 2) AS excess_coverage,
	round(avg((true_loss BETWEEN value_lost_lo AND value_lost_hi)::int) FILTER (WHERE breakeven IS NOT NULL), 2) AS loss_coverage,
	avg(CASE WHEN breakeven IS NULL THEN (true_excess = 0)::int
		ELSE (true_excess BETWEEN spend_at_stake_lo AND spend_at_stake_hi)::int END) >= 0.8
	AND avg((true_loss BETWEEN value_lost_lo AND value_lost_hi)::int) FILTER (WHERE breakeven IS NOT NULL) >= 0.8 AS about_nominal
FROM truth_cmp;

-- ---------------------------------------------------------------------------
-- Synthetic tables with known answers
-- ---------------------------------------------------------------------------
-- Clean: spend well below break-even and saturation, every KPI responds.
CREATE TEMP TABLE syn_clean AS
SELECT '2025-01-01'::date + t AS date_day, 'google_ads'::text AS platform, c.id AS campaign_id, c.role AS campaign_role,
	'DE'::text AS geo, 'EUR'::text AS currency, x.spend,
	round((x.spend * 150 * (1 + 0.03 * noa_demo.normal(c.id || '|i|' || t)))::numeric) AS impressions,
	round((x.spend * 1.2)::numeric) AS clicks,
	round(greatest(0, c.b * x.spend / (x.spend + c.k) + 0.04 * c.b * 0.3 * noa_demo.normal(c.id || '|c|' || t))::numeric, 2) AS conversions,
	round((greatest(0, c.b * x.spend / (x.spend + c.k) + 0.04 * c.b * 0.3 * noa_demo.normal(c.id || '|c|' || t)) * c.aov)::numeric, 2) AS conversions_value
FROM (VALUES ('c-conv', 'conversion', 100.0, 2000.0, 80.0), ('c-cons', 'consideration', 60.0, 1500.0, 90.0),
             ('c-aware', 'awareness', 30.0, 3000.0, 50.0)) AS c(id, role, b, k, aov)
CROSS JOIN generate_series(0, 364) AS t
CROSS JOIN LATERAL (SELECT round((700 * exp(0.45 * noa_demo.normal(c.id || '|s|' || t)))::numeric, 2) AS spend) AS x;

SELECT count(*) AS rows_on_clean_data FROM noa.waste('syn_clean');

-- Wasteful: a conversion campaign far past break-even (true break-even 474.6
-- EUR/day), an awareness campaign past its reach saturation (90% of the
-- impressions at 1,731 EUR/day), and a campaign whose conversions ignore spend.
CREATE TEMP TABLE syn_waste AS
SELECT '2025-01-01'::date + t AS date_day, 'meta'::text AS platform, c.id AS campaign_id, c.role AS campaign_role,
	'FR'::text AS geo, 'EUR'::text AS currency, x.spend,
	CASE c.id WHEN 'w-aware' THEN round((300000 * power(x.spend, 1.5) / (power(x.spend, 1.5) + power(400, 1.5))
	                                    * (1 + 0.02 * noa_demo.normal(c.id || '|i|' || t)))::numeric)
	          ELSE round(x.spend * 100) END AS impressions,
	round(x.spend) AS clicks,
	CASE c.id WHEN 'w-conv' THEN round(greatest(0, 40 * x.spend / (x.spend + 300) + 1.2 * noa_demo.normal(c.id || '|c|' || t))::numeric, 2)
	          WHEN 'w-none' THEN floor(4 * noa_demo.uniform(c.id || '|c|' || t))::numeric
	          ELSE round((3 + 0.5 * noa_demo.normal(c.id || '|c|' || t))::numeric, 2) END AS conversions,
	0::numeric AS conversions_value
FROM (VALUES ('w-conv', 'conversion', 1200), ('w-aware', 'awareness', 2600), ('w-none', 'consideration', 900)) AS c(id, role, level)
CROSS JOIN generate_series(0, 364) AS t
CROSS JOIN LATERAL (SELECT round((c.level * exp(0.3 * noa_demo.normal(c.id || '|s|' || t)))::numeric, 2) AS spend) AS x;
UPDATE syn_waste SET conversions_value = round(conversions * CASE campaign_id WHEN 'w-conv' THEN 50 ELSE 60 END, 2);

SELECT waste_type, campaign_id, campaign_role AS role, kpi, round(threshold_spend_per_day) AS threshold,
	round(threshold_lo) AS thr_lo, round(threshold_hi) AS thr_hi, confidence,
	CASE campaign_id WHEN 'w-conv' THEN 474.6 WHEN 'w-aware' THEN 1731.0 END
		BETWEEN threshold_lo AND threshold_hi AS truth_in_interval
FROM noa.waste('syn_waste') WHERE campaign_id IS NOT NULL ORDER BY campaign_id, waste_type;
SELECT explanation FROM noa.waste('syn_waste') WHERE campaign_id = 'w-aware';

-- A stricter target moves the break-even down and raises the waste.
SELECT target, round(threshold_spend_per_day) AS breakeven, round(spend_at_stake) AS at_stake, round(value_lost) AS value_lost
FROM unnest(ARRAY[1, 1.5]::float8[]) AS target,
	LATERAL noa.waste('syn_waste', target_mroas => target) w
WHERE w.campaign_id = 'w-conv' AND w.waste_type = 'past_breakeven' ORDER BY target;

-- The period: as_of and window_days choose it; current spend is its daily mean.
SELECT period_start, period_end, round(current_spend_per_day, 2) AS spend_day,
	(SELECT round(avg(spend), 2) FROM syn_waste WHERE campaign_id = 'w-conv' AND date_day BETWEEN '2025-06-17' AND '2025-06-30') AS expected
FROM noa.waste('syn_waste', as_of => '2025-06-30', window_days => 14)
WHERE campaign_id = 'w-conv' AND waste_type = 'past_breakeven';

-- ---------------------------------------------------------------------------
-- Any relation, any column names; duplicates count once; read-only
-- ---------------------------------------------------------------------------
CREATE TEMP VIEW "Odd View" AS
SELECT date_day AS "Day", campaign_id AS "Campaign Id", spend AS "cost""; --", conversions AS "Conv",
	conversions_value AS "Revenue", campaign_role AS "Role"
FROM syn_waste;
CREATE TEMP TABLE via_view AS
SELECT waste_type, campaign_id, spend_at_stake, value_lost, confidence FROM noa.waste('"Odd View"', date_col => 'Day',
	campaign_col => 'Campaign Id', spend_col => 'cost"; --', conversions_col => 'Conv', value_col => 'Revenue',
	role_col => 'Role', platform_col => NULL, geo_col => NULL, currency_col => NULL, impressions_col => NULL,
	clicks_col => NULL);
CREATE TEMP TABLE via_table AS
SELECT waste_type, campaign_id, spend_at_stake, value_lost, confidence FROM noa.waste('syn_waste', platform_col => NULL,
	geo_col => NULL, currency_col => NULL, impressions_col => NULL, clicks_col => NULL);
SELECT (SELECT count(*) FROM via_view) AS rows_through_view, (SELECT count(*) FROM via_table) AS rows_from_table,
	(SELECT count(*) FROM (SELECT * FROM via_view INTERSECT SELECT * FROM via_table) s) AS identical;

CREATE TEMP TABLE syn_dup AS SELECT * FROM syn_waste UNION ALL SELECT * FROM syn_waste;
SELECT (SELECT array_agg(w ORDER BY w::text) FROM noa.waste('syn_dup') w)
	= (SELECT array_agg(w ORDER BY w::text) FROM noa.waste('syn_waste') w) AS duplicates_count_once;

-- Broken rows (negative, NaN, infinite) are left out instead of failing the query.
CREATE TEMP TABLE syn_broken AS SELECT * FROM syn_waste;
ALTER TABLE syn_broken ALTER COLUMN spend TYPE numeric, ALTER COLUMN conversions TYPE numeric;
INSERT INTO syn_broken (date_day, platform, campaign_id, campaign_role, geo, currency, spend, impressions, clicks, conversions, conversions_value)
VALUES ('2025-03-01', 'meta', 'w-conv', 'conversion', 'FR', 'EUR', 'NaN', 1, 1, 1, 1),
       ('2025-03-02', 'meta', 'w-conv', 'conversion', 'FR', 'EUR', -50, 1, 1, 1, 1),
       ('2025-03-03', 'meta', 'w-conv', 'conversion', 'FR', 'EUR', 900, 1, 1, 'Infinity', 1),
       (NULL, 'meta', 'w-conv', 'conversion', 'FR', 'EUR', 900, 1, 1, 1, 1);
SELECT count(*) AS rows_with_broken_input, count(DISTINCT campaign_id) AS campaigns FROM noa.waste('syn_broken');

BEGIN TRANSACTION READ ONLY;
SELECT count(*) AS rows_in_read_only_transaction FROM noa.waste('syn_waste');
COMMIT;

-- Empty table, one row: no rows, no error.
CREATE TEMP TABLE syn_empty AS SELECT * FROM syn_waste WHERE false;
SELECT count(*) AS rows_empty FROM noa.waste('syn_empty');
CREATE TEMP TABLE syn_one AS SELECT * FROM syn_waste LIMIT 1;
SELECT count(*) AS rows_one FROM noa.waste('syn_one');

-- ---------------------------------------------------------------------------
-- Bad arguments
-- ---------------------------------------------------------------------------
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.waste(NULL)$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.waste('syn_waste', target_mroas => 0)$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.waste('syn_waste', target_mroas => 'NaN')$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.waste('syn_waste', level => 1)$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.waste('syn_waste', window_days => 0)$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.waste('syn_waste', as_of => 'infinity')$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.waste('syn_waste', model => 'cubic')$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.waste('syn_waste', saturation_share => 1)$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.waste('syn_waste', spend_col => 'cost')$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.waste('syn_waste', spend_col => 'Spend')$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.waste('syn_waste', geo_col => 'country')$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.waste('syn_waste', date_col => NULL)$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.waste('syn_waste', spend_col => 'campaign_id')$$);
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.waste('syn_waste', date_col => 'spend')$$);
CREATE TEMP SEQUENCE syn_seq;
SELECT pg_temp.sqlstate_of($$SELECT * FROM noa.waste('syn_seq')$$);
