-- noa.data_quality: every planted demo problem is found; a clean table (and
-- the clean demo campaigns) raise nothing; every check fires on a minimal
-- table built to trigger it; bad arguments give the right SQLSTATE.
SET extra_float_digits = 0;
SET DateStyle = 'ISO, YMD';
SET client_min_messages = warning;
\set ECHO none
\i demo/generate.sql
\set ECHO all
RESET client_min_messages;

-- ---------------------------------------------------------------------------
-- The demo data: one row per planted problem (the two modelling problems show
-- up as no_spend_response), nothing else; errors first, then by spend.
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE demo_dq AS
SELECT * FROM noa.data_quality('noa_demo.ad_spend', 'noa_demo.shop_orders', as_of => '2025-12-31') WITH ORDINALITY AS d;

-- in the function's own order
SELECT check_name, severity, platform, campaign_id, first_day, last_day, rows_affected, spend_affected, currency
FROM demo_dq ORDER BY ordinality;

SELECT p.problem, p.campaign_id, d.check_name,
       d.first_day = p.first_day AND d.last_day = p.last_day AS same_days
FROM noa_demo.planted_problems p
LEFT JOIN demo_dq d ON d.campaign_id = p.campaign_id
ORDER BY p.problem;

SELECT check_name, explanation FROM demo_dq ORDER BY check_name, campaign_id;

-- The 34 clean demo campaigns over two years: silent.
CREATE TEMP VIEW clean_demo AS
SELECT * FROM noa_demo.ad_spend
WHERE campaign_id NOT IN (SELECT campaign_id FROM noa_demo.planted_problems);
SELECT count(DISTINCT campaign_id) AS clean_campaigns FROM clean_demo;
SELECT check_name, campaign_id FROM noa.data_quality('clean_demo', 'noa_demo.shop_orders', as_of => '2025-12-31');

-- ---------------------------------------------------------------------------
-- A clean synthetic table: two campaigns, 12 weeks, varying spend,
-- conversions proportional to spend, a shop table consistent with it.
-- ---------------------------------------------------------------------------
CREATE FUNCTION dq_u(seed text) RETURNS float8 LANGUAGE sql IMMUTABLE
RETURN (('x' || substr(md5(seed), 1, 8))::bit(32)::bigint + 0.5) / 4294967296.0;

CREATE TABLE dq_base AS
SELECT d::date AS date_day, c.platform, c.campaign_id, 'EUR'::text AS currency,
       round(900 + 300 * sin(2 * pi() * (d::date - '2025-01-06'::date + c.phase) / 30.0)
                 + 60 * (dq_u(c.campaign_id || (d::date - '2025-01-06'::date)) - 0.5))::numeric(12,2) AS spend,
       0::numeric AS impressions, 0::numeric AS clicks, 0::numeric AS conversions, 0::numeric AS conversions_value
FROM generate_series('2025-01-06'::date, '2025-03-30'::date, '1 day') AS d,
     (VALUES ('google_ads', 'g1', 0), ('facebook_ads', 'f1', 11)) AS c(platform, campaign_id, phase);
UPDATE dq_base SET impressions = round(spend * 120),
                   conversions = round(spend * 0.025 * (1 + 0.1 * (dq_u('c' || campaign_id || (date_day - '2025-01-06'::date)) - 0.5))::numeric, 2);
UPDATE dq_base SET clicks = round(impressions * 0.02), conversions_value = round(conversions * 60, 2);

CREATE TABLE dq_shop AS
SELECT date_day, round(sum(conversions) * 2 + 20)::integer AS orders, round(sum(conversions_value) * 2 + 1000, 2) AS revenue
FROM dq_base GROUP BY date_day;

SELECT count(*) AS rows, min(spend) AS min_spend, max(spend) AS max_spend, min(conversions) AS min_conv FROM dq_base;
SELECT check_name, campaign_id FROM noa.data_quality('dq_base', 'dq_shop', as_of => '2025-03-30');
SELECT count(*) AS rows_without_business FROM noa.data_quality('dq_base', as_of => '2025-03-31');

-- ---------------------------------------------------------------------------
-- Each check on a minimal table built to trigger it
-- ---------------------------------------------------------------------------
CREATE FUNCTION dq_show(t regclass, b regclass DEFAULT NULL, asof date DEFAULT '2025-03-30')
RETURNS TABLE (check_name text, severity text, platform text, campaign_id text, first_day date, last_day date,
               rows_affected bigint, spend_affected numeric, currency text)
LANGUAGE sql STABLE
AS $$ SELECT check_name, severity, platform, campaign_id, first_day, last_day, rows_affected, spend_affected, currency
      FROM noa.data_quality(t, b, as_of => asof) $$;

-- duplicate_rows: two days of g1 loaded twice
CREATE TABLE v_dup AS SELECT * FROM dq_base;
INSERT INTO v_dup SELECT * FROM dq_base WHERE campaign_id = 'g1' AND date_day IN ('2025-02-03', '2025-02-04');
SELECT * FROM dq_show('v_dup');

-- duplicate_keys: a second, different row for one day
CREATE TABLE v_dupkey AS SELECT * FROM dq_base;
INSERT INTO v_dupkey VALUES ('2025-02-10', 'facebook_ads', 'f1', 'EUR', 10, 1200, 24, 0.25, 15);
SELECT * FROM dq_show('v_dupkey');

-- missing_days: three days without rows
CREATE TABLE v_gap AS SELECT * FROM dq_base WHERE NOT (campaign_id = 'g1' AND date_day BETWEEN '2025-02-10' AND '2025-02-12');
SELECT * FROM dq_show('v_gap');

-- non_finite_value and negative_value (numeric NaN and Infinity exist)
CREATE TABLE v_bad AS SELECT * FROM dq_base;
UPDATE v_bad SET spend = 'NaN' WHERE campaign_id = 'g1' AND date_day = '2025-02-05';
UPDATE v_bad SET conversions = 'Infinity' WHERE campaign_id = 'f1' AND date_day = '2025-02-06';
UPDATE v_bad SET spend = -50 WHERE campaign_id = 'g1' AND date_day = '2025-02-07';
SELECT * FROM dq_show('v_bad');

-- the same through float8 columns
CREATE TABLE v_badf AS SELECT date_day, platform, campaign_id, currency, spend::float8 AS spend, impressions::float8 AS impressions,
       clicks::float8 AS clicks, conversions::float8 AS conversions, conversions_value::float8 AS conversions_value FROM dq_base;
UPDATE v_badf SET conversions_value = '-Infinity' WHERE campaign_id = 'f1' AND date_day = '2025-03-03';
UPDATE v_badf SET impressions = 'NaN' WHERE campaign_id = 'f1' AND date_day = '2025-03-04';
SELECT * FROM dq_show('v_badf');

-- fractional_count: half a click
CREATE TABLE v_frac AS SELECT * FROM dq_base;
UPDATE v_frac SET clicks = clicks + 0.5 WHERE campaign_id = 'f1' AND date_day = '2025-02-08';
SELECT * FROM dq_show('v_frac');

-- missing_key: a row without campaign id
CREATE TABLE v_key AS SELECT * FROM dq_base;
INSERT INTO v_key VALUES ('2025-02-09', 'google_ads', NULL, 'EUR', 99, 1000, 20, 2, 120);
SELECT * FROM dq_show('v_key');

-- future_date: a row dated a month ahead (which also opens a gap up to it)
CREATE TABLE v_future AS SELECT * FROM dq_base;
INSERT INTO v_future SELECT current_date + 30, platform, campaign_id, currency, spend, impressions, clicks, conversions, conversions_value
FROM dq_base WHERE campaign_id = 'g1' AND date_day = '2025-03-30';
SELECT check_name, severity, campaign_id, rows_affected, last_day = current_date + 30 AS is_future
FROM noa.data_quality('v_future', as_of => '2025-03-30') WHERE check_name <> 'missing_days';

-- clicks_exceed_impressions, conversions_exceed_clicks, value_without_conversions, spend_without_impressions
CREATE TABLE v_funnel AS SELECT * FROM dq_base;
UPDATE v_funnel SET clicks = impressions + 5 WHERE campaign_id = 'f1' AND date_day = '2025-02-12';
UPDATE v_funnel SET clicks = 10 WHERE campaign_id = 'g1' AND date_day IN ('2025-02-13', '2025-02-14');
UPDATE v_funnel SET conversions = 0 WHERE campaign_id = 'f1' AND date_day = '2025-02-14';
UPDATE v_funnel SET impressions = 0, clicks = 0, conversions = 0, conversions_value = 0
WHERE campaign_id = 'g1' AND date_day = '2025-02-15';
SELECT * FROM dq_show('v_funnel');

-- tracking_break: six days of zero conversions while spend goes on; and a
-- break still going on at the newest day (f1, last four days)
CREATE TABLE v_break AS SELECT * FROM dq_base;
UPDATE v_break SET conversions = 0, conversions_value = 0 WHERE campaign_id = 'g1' AND date_day BETWEEN '2025-03-01' AND '2025-03-06';
UPDATE v_break SET conversions = 0, conversions_value = 0 WHERE campaign_id = 'f1' AND date_day >= '2025-03-27';
SELECT * FROM dq_show('v_break');
-- two zero days are not enough (a run needs 3 days), and halving is not a collapse
CREATE TABLE v_nobreak AS SELECT * FROM dq_base;
UPDATE v_nobreak SET conversions = 0, conversions_value = 0 WHERE campaign_id = 'g1' AND date_day BETWEEN '2025-03-01' AND '2025-03-02';
UPDATE v_nobreak SET conversions = conversions / 2 WHERE campaign_id = 'f1' AND date_day BETWEEN '2025-03-01' AND '2025-03-14';
SELECT * FROM dq_show('v_nobreak');
-- nor is a spend cut to a fifth (conversions fall with it)
CREATE TABLE v_spendcut AS SELECT * FROM dq_base;
UPDATE v_spendcut SET spend = spend / 5, impressions = round(impressions / 5), clicks = round(clicks / 5),
                      conversions = round(conversions / 5, 2), conversions_value = round(conversions_value / 5, 2)
WHERE campaign_id = 'g1' AND date_day >= '2025-03-01';
SELECT * FROM dq_show('v_spendcut');

-- spend_spike: one day at 8 times the usual spend; a lasting budget increase is not a spike
CREATE TABLE v_spike AS SELECT * FROM dq_base;
UPDATE v_spike SET spend = spend * 8 WHERE campaign_id = 'f1' AND date_day = '2025-02-20';
SELECT * FROM dq_show('v_spike');
CREATE TABLE v_level AS SELECT * FROM dq_base;
UPDATE v_level SET spend = spend * 3, impressions = impressions * 3, clicks = clicks * 3,
                   conversions = conversions * 2, conversions_value = conversions_value * 2
WHERE campaign_id = 'f1' AND date_day >= '2025-02-20';
SELECT * FROM dq_show('v_level');
-- a jump on the newest day has no "after" yet: judged against the days before
CREATE TABLE v_lastday AS SELECT * FROM dq_base;
UPDATE v_lastday SET spend = spend * 8 WHERE campaign_id = 'f1' AND date_day = '2025-03-30';
SELECT * FROM dq_show('v_lastday');

-- no_spend_response: conversions that ignore spend
CREATE TABLE v_flat AS SELECT * FROM dq_base;
UPDATE v_flat SET conversions = round((20 + 2 * (dq_u('flat' || (date_day - '2025-01-06'::date)) - 0.5))::numeric, 2)
WHERE campaign_id = 'f1';
SELECT * FROM dq_show('v_flat');

-- over-attribution: the platforms claim more than the shop recorded
CREATE TABLE v_shop_low AS SELECT date_day, round(orders * 0.2)::integer AS orders, round(revenue * 0.2, 2) AS revenue FROM dq_shop;
SELECT * FROM dq_show('dq_base', 'v_shop_low');

-- attribution shift: two weeks in which the shop recorded half its orders (the
-- ratio jumps), and one week in which its revenue tripled (the ratio drops)
CREATE TABLE v_shop_gap AS SELECT * FROM dq_shop;
UPDATE v_shop_gap SET orders = orders / 2 WHERE date_day BETWEEN '2025-02-10' AND '2025-02-23';
UPDATE v_shop_gap SET revenue = revenue * 3 WHERE date_day BETWEEN '2025-03-17' AND '2025-03-23';
SELECT * FROM dq_show('dq_base', 'v_shop_gap');
SELECT check_name, explanation FROM noa.data_quality('dq_base', 'v_shop_gap', as_of => '2025-03-30');

-- mixed_currency and missing_currency
CREATE TABLE v_cur AS SELECT * FROM dq_base;
UPDATE v_cur SET currency = 'USD' WHERE campaign_id = 'f1' AND date_day >= '2025-03-01';
UPDATE v_cur SET currency = NULL WHERE campaign_id = 'g1' AND date_day = '2025-02-16';
SELECT * FROM dq_show('v_cur');

-- stale_data (per platform) and stale_business_data
SELECT * FROM dq_show('dq_base', 'dq_shop', '2025-04-10');
SELECT count(*) AS rows_within_allowance FROM noa.data_quality('dq_base', 'dq_shop', as_of => '2025-04-10', max_staleness_days => 11);

-- empty_source
CREATE TABLE v_empty (LIKE dq_base);
SELECT * FROM dq_show('v_empty');

-- column_not_found (info): an optional column absent under its default name
CREATE TABLE v_nocur AS SELECT date_day, platform, campaign_id, spend, impressions, clicks, conversions, conversions_value FROM dq_base;
SELECT check_name, severity, explanation FROM noa.data_quality('v_nocur', as_of => '2025-03-30');
SELECT count(*) AS rows_with_currency_col_null FROM noa.data_quality('v_nocur', currency_col => NULL, as_of => '2025-03-30');

-- Other column names (e.g. a Google Ads staging view), through the overrides
CREATE VIEW v_renamed AS
SELECT date_day AS "Day", platform AS source, campaign_id AS "Campaign", currency AS ccy, spend AS cost,
       impressions AS impr, clicks AS click_count, conversions AS conv, conversions_value AS conv_value
FROM v_dup;
SELECT check_name, campaign_id, first_day, last_day, rows_affected, spend_affected
FROM noa.data_quality('v_renamed', date_col => 'Day', platform_col => 'source', campaign_col => 'Campaign',
                      spend_col => 'cost', impressions_col => 'impr', clicks_col => 'click_count',
                      conversions_col => 'conv', value_col => 'conv_value', currency_col => 'ccy', as_of => '2025-03-30');

-- Awkward identifiers are quoted, never spliced in
CREATE TABLE "we'ird ""dq"" tab$" AS
SELECT date_day AS "date day", platform, campaign_id AS "camp""aign", spend AS "sp'end", currency FROM v_gap;
SELECT check_name, campaign_id, first_day, last_day, rows_affected
FROM noa.data_quality('"we''ird ""dq"" tab$"', date_col => 'date day', campaign_col => 'camp"aign',
                      spend_col => 'sp''end', impressions_col => NULL, clicks_col => NULL, conversions_col => NULL,
                      value_col => NULL, as_of => '2025-03-30');

-- A temporary table works too (the function is PARALLEL RESTRICTED for this)
CREATE TEMP TABLE v_tmp AS SELECT * FROM v_gap;
SELECT check_name, campaign_id FROM noa.data_quality('v_tmp', as_of => '2025-03-30');

-- Output types and no NaN anywhere
SELECT count(*) AS rows, count(*) FILTER (WHERE spend_affected = 'NaN') AS nan_spend,
       count(*) FILTER (WHERE explanation IS NULL OR explanation = '') AS no_explanation
FROM noa.data_quality('v_bad', as_of => '2025-03-30');

-- ---------------------------------------------------------------------------
-- Bad arguments
-- ---------------------------------------------------------------------------
CREATE FUNCTION dq_error(q text, OUT code text, OUT message text, OUT hint text) LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	code := 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
END $$;

SELECT * FROM dq_error($$SELECT * FROM noa.data_quality('dq_base', spend_col => 'cost')$$);
SELECT * FROM dq_error($$SELECT * FROM noa.data_quality('dq_base', spend_col => 'Spend')$$);
SELECT * FROM dq_error($$SELECT * FROM noa.data_quality('dq_base', impressions_col => 'impr')$$);
SELECT * FROM dq_error($$SELECT * FROM noa.data_quality('dq_base', 'dq_shop', business_date_col => 'day')$$);
SELECT * FROM dq_error($$SELECT * FROM noa.data_quality('dq_base', 'dq_shop', business_orders_col => 'order_count')$$);
SELECT * FROM dq_error($$SELECT * FROM noa.data_quality('dq_base', campaign_col => NULL)$$);
SELECT * FROM dq_error($$SELECT * FROM noa.data_quality(NULL)$$);
SELECT * FROM dq_error($$SELECT * FROM noa.data_quality('dq_base', max_staleness_days => -1)$$);
SELECT * FROM dq_error($$SELECT * FROM noa.data_quality('dq_base', spend_col => 'currency')$$);
SELECT * FROM dq_error($$SELECT * FROM noa.data_quality('dq_base', date_col => 'spend')$$);
CREATE SEQUENCE dq_seq;
SELECT * FROM dq_error($$SELECT * FROM noa.data_quality('dq_seq')$$);
SELECT * FROM dq_error($$SELECT * FROM noa.data_quality('no_such_table')$$);
-- as a plain error, the way a client sees it
\set SHOW_CONTEXT never
SELECT * FROM noa.data_quality('dq_base', clicks_col => 'clicks_all');
\set SHOW_CONTEXT errors

DROP VIEW v_renamed, clean_demo;
DROP TABLE demo_dq;
DROP TABLE dq_base, dq_shop, v_dup, v_dupkey, v_gap, v_bad, v_badf, v_frac, v_key, v_future, v_funnel, v_break,
           v_nobreak, v_spendcut, v_spike, v_level, v_lastday, v_flat, v_shop_low, v_shop_gap, v_cur, v_empty,
           v_nocur, "we'ird ""dq"" tab$";
DROP SEQUENCE dq_seq;
DROP FUNCTION dq_show, dq_error, dq_u;
