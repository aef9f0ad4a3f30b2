-- noa demo data: two years of daily ad spend for 40 campaigns on five ad
-- platforms, the shop's daily orders, the ground truth that generated both,
-- and a list of deliberately planted data problems.
--
-- Run with psql:   psql -d <db> -f demo/generate.sql     (or \i demo/generate.sql)
--
-- Option: budgets change level every 35 days by default, which hides carryover
-- from any fit.  Set the psql variable budget_change_days (1 to 730) for other
-- rhythms, e.g. weekly or daily changes:
--   psql -d <db> -v budget_change_days=7 -f demo/generate.sql
-- The default output is the same with or without the variable set to 35.
--
-- Deterministic: there is no random().  Every random draw is a hash of a seed
-- string (md5 -> 52 bits -> uniform on (0,1); Box-Muller for normals), so every
-- run, server and noa version produces the same rows (see demo/README.md).
-- Needs PostgreSQL 14 or later; noa itself is not needed.
-- The script replaces the schema noa_demo entirely.

\if :{?budget_change_days}
\else
\set budget_change_days 35
\endif
SELECT :'budget_change_days' ~ '^[0-9]{1,3}$' AND :'budget_change_days'::int BETWEEN 1 AND 730
	AS noa_demo_budget_days_ok \gset
\if :noa_demo_budget_days_ok
\else
DO $$ BEGIN RAISE EXCEPTION 'budget_change_days must be a whole number of days between 1 and 730'; END $$;
\endif

DROP SCHEMA IF EXISTS noa_demo CASCADE;
CREATE SCHEMA noa_demo;
COMMENT ON SCHEMA noa_demo IS
	'noa demo data (demo/generate.sql): ad_spend, shop_orders, ground_truth, planted_problems';

-- ---------------------------------------------------------------------------
-- Deterministic generators
-- ---------------------------------------------------------------------------

-- Uniform on (0,1): the first 13 hex digits (52 bits) of md5(seed).
CREATE FUNCTION noa_demo.uniform(seed text) RETURNS double precision
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN ((('x' || substr(md5(seed), 1, 13))::bit(52)::bigint)::double precision + 0.5)
	       / 4503599627370496.0;

-- Standard normal by Box-Muller from two uniforms derived from the seed.
CREATE FUNCTION noa_demo.normal(seed text) RETURNS double precision
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN sqrt(-2.0 * ln(noa_demo.uniform(seed || '|bm1')))
	       * cos(2.0 * pi() * noa_demo.uniform(seed || '|bm2'));

-- The response curve of the ground truth: Hill with maximum b, half-saturation
-- k and shape s.  x is daily spend (EUR/day), or geometric-adstocked spend for
-- campaigns with carryover; the result is conversions per day.
CREATE FUNCTION noa_demo.hill(x double precision, b double precision,
                              k double precision, s double precision)
	RETURNS double precision
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN CASE WHEN x <= 0 THEN 0.0 ELSE b * power(x, s) / (power(x, s) + power(k, s)) END;

-- ---------------------------------------------------------------------------
-- Campaigns: structure written out, numeric parameters drawn from the hash.
-- ---------------------------------------------------------------------------

DROP TABLE IF EXISTS pg_temp.demo_campaign;
CREATE TEMP TABLE demo_campaign AS
SELECT c.campaign_id, c.platform, c.geo, c.campaign_role, c.carryover, c.s_shaped,
       initcap(split_part(c.platform, '_', 1)) || ' ' || c.geo || ' | ' || c.label AS campaign_name,
       split_part(c.platform, '_', 1) || '-' || lower(c.geo) || '-acct' AS account_id,
       c.planted
FROM (VALUES
 ('ggl-de-01', 'google_ads',    'DE', 'conversion',    false, false, 'Search Brand',        'saturated'),
 ('ggl-de-02', 'google_ads',    'DE', 'conversion',    false, false, 'Search Generic',      NULL),
 ('ggl-de-03', 'google_ads',    'DE', 'consideration', false, true,  'Shopping',            NULL),
 ('ggl-de-04', 'google_ads',    'DE', 'awareness',     true,  true,  'YouTube',             NULL),
 ('ggl-fr-05', 'google_ads',    'FR', 'conversion',    false, false, 'Search Generic',      'duplicate_day'),
 ('ggl-fr-06', 'google_ads',    'FR', 'consideration', false, false, 'Shopping',            NULL),
 ('ggl-fr-07', 'google_ads',    'FR', 'awareness',     true,  true,  'YouTube',             NULL),
 ('ggl-es-08', 'google_ads',    'ES', 'conversion',    false, true,  'Search Generic',      NULL),
 ('ggl-es-09', 'google_ads',    'ES', 'consideration', true,  false, 'Performance Max',     NULL),
 ('ggl-it-10', 'google_ads',    'IT', 'conversion',    false, false, 'Search Generic',      NULL),
 ('ggl-it-11', 'google_ads',    'IT', 'consideration', false, true,  'Shopping',            NULL),
 ('ggl-it-12', 'google_ads',    'IT', 'awareness',     true,  false, 'Demand Gen',          NULL),
 ('fb-de-01',  'facebook_ads',  'DE', 'conversion',    false, false, 'Retargeting',         NULL),
 ('fb-de-02',  'facebook_ads',  'DE', 'consideration', true,  true,  'Prospecting',         NULL),
 ('fb-de-03',  'facebook_ads',  'DE', 'awareness',     true,  true,  'Reach',               NULL),
 ('fb-fr-04',  'facebook_ads',  'FR', 'conversion',    false, false, 'Retargeting',         'tracking_break'),
 ('fb-fr-05',  'facebook_ads',  'FR', 'awareness',     true,  false, 'Reach',               NULL),
 ('fb-es-06',  'facebook_ads',  'ES', 'conversion',    false, true,  'Advantage+ Shopping', NULL),
 ('fb-es-07',  'facebook_ads',  'ES', 'consideration', false, false, 'Prospecting',         NULL),
 ('fb-it-08',  'facebook_ads',  'IT', 'conversion',    false, false, 'Retargeting',         NULL),
 ('fb-it-09',  'facebook_ads',  'IT', 'consideration', true,  true,  'Prospecting',         NULL),
 ('fb-it-10',  'facebook_ads',  'IT', 'awareness',     true,  false, 'Video Views',         NULL),
 ('tt-de-01',  'tiktok_ads',    'DE', 'awareness',     true,  true,  'TopView',             NULL),
 ('tt-de-02',  'tiktok_ads',    'DE', 'consideration', false, false, 'In-Feed Traffic',     'no_incremental_effect'),
 ('tt-fr-03',  'tiktok_ads',    'FR', 'consideration', true,  true,  'Spark Ads',           NULL),
 ('tt-es-04',  'tiktok_ads',    'ES', 'conversion',    false, false, 'Shop Ads',            NULL),
 ('tt-it-05',  'tiktok_ads',    'IT', 'awareness',     true,  false, 'Reach',               NULL),
 ('tt-it-06',  'tiktok_ads',    'IT', 'consideration', false, true,  'In-Feed Traffic',     NULL),
 ('li-de-01',  'linkedin_ads',  'DE', 'consideration', false, false, 'Lead Gen Forms',      'conversions_exceed_clicks'),
 ('li-de-02',  'linkedin_ads',  'DE', 'awareness',     true,  true,  'Sponsored Content',   NULL),
 ('li-fr-03',  'linkedin_ads',  'FR', 'conversion',    false, true,  'Lead Gen Forms',      NULL),
 ('li-es-04',  'linkedin_ads',  'ES', 'consideration', true,  false, 'Sponsored Content',   NULL),
 ('li-it-05',  'linkedin_ads',  'IT', 'conversion',    false, false, 'Conversation Ads',    NULL),
 ('li-it-06',  'linkedin_ads',  'IT', 'awareness',     true,  true,  'Video',               NULL),
 ('ms-de-01',  'microsoft_ads', 'DE', 'conversion',    false, false, 'Search Brand',        NULL),
 ('ms-de-02',  'microsoft_ads', 'DE', 'conversion',    false, true,  'Search Generic',      NULL),
 ('ms-fr-03',  'microsoft_ads', 'FR', 'conversion',    false, false, 'Search Generic',      'missing_week'),
 ('ms-es-04',  'microsoft_ads', 'ES', 'consideration', false, true,  'Shopping',            NULL),
 ('ms-it-05',  'microsoft_ads', 'IT', 'conversion',    false, false, 'Search Generic',      NULL),
 ('ms-it-06',  'microsoft_ads', 'IT', 'consideration', true,  false, 'Audience',            NULL)
) AS c(campaign_id, platform, geo, campaign_role, carryover, s_shaped, label, planted);

-- Numeric parameters.  Every parameter of the response model is rounded
-- BEFORE it is used, so noa_demo.ground_truth holds exactly the values that
-- generated the data.
DROP TABLE IF EXISTS pg_temp.demo_param;
CREATE TEMP TABLE demo_param AS
WITH p AS (
	SELECT c.*,
	       -- typical daily spend, EUR/day
	       CASE WHEN c.planted = 'saturated' THEN 900
	            ELSE round(600 + 700 * noa_demo.uniform(c.campaign_id || '|level')) END::numeric AS level,
	       CASE WHEN NOT c.carryover THEN 0
	            WHEN c.campaign_role = 'awareness' THEN round((0.50 + 0.20 * noa_demo.uniform(c.campaign_id || '|theta'))::numeric, 2)
	            ELSE round((0.30 + 0.20 * noa_demo.uniform(c.campaign_id || '|theta'))::numeric, 2) END AS theta,
	       CASE WHEN c.planted = 'saturated' THEN 2.0
	            WHEN c.s_shaped THEN round((1.5 + 1.3 * noa_demo.uniform(c.campaign_id || '|s'))::numeric, 2)
	            ELSE round((0.6 + 0.4 * noa_demo.uniform(c.campaign_id || '|s'))::numeric, 2) END AS s,
	       -- cost per conversion at the typical spend, EUR
	       CASE c.campaign_role WHEN 'conversion' THEN 18 + 22 * noa_demo.uniform(c.campaign_id || '|cpa')
	                            WHEN 'consideration' THEN 35 + 25 * noa_demo.uniform(c.campaign_id || '|cpa')
	                            ELSE 60 + 40 * noa_demo.uniform(c.campaign_id || '|cpa') END AS cpa,
	       CASE c.platform WHEN 'google_ads' THEN 1.2 WHEN 'facebook_ads' THEN 1.5 WHEN 'tiktok_ads' THEN 1.8
	                       WHEN 'linkedin_ads' THEN 1.3 ELSE 1.15 END::numeric AS attribution_factor,
	       round((45 + 75 * noa_demo.uniform(c.campaign_id || '|aov'))::numeric, 2) AS avg_order_value,
	       CASE c.platform WHEN 'google_ads' THEN 6 WHEN 'facebook_ads' THEN 8 WHEN 'tiktok_ads' THEN 5
	                       WHEN 'linkedin_ads' THEN 30 ELSE 7 END
	         * (0.8 + 0.4 * noa_demo.uniform(c.campaign_id || '|cpm')) AS cpm,
	       CASE c.platform WHEN 'google_ads' THEN 0.035 WHEN 'facebook_ads' THEN 0.012 WHEN 'tiktok_ads' THEN 0.010
	                       WHEN 'linkedin_ads' THEN 0.008 ELSE 0.030 END
	         * (0.8 + 0.4 * noa_demo.uniform(c.campaign_id || '|ctr')) AS ctr
	FROM demo_campaign c
), q AS (
	SELECT p.*,
	       p.level / (1 - p.theta) AS x_typical,   -- typical (adstocked) response input
	       CASE WHEN p.planted = 'saturated' THEN round(p.level / 11)
	            WHEN p.s_shaped THEN round(p.level / (1 - p.theta) * (0.55 + 0.35 * noa_demo.uniform(p.campaign_id || '|k')))
	            ELSE round(p.level / (1 - p.theta) * (0.5 + 1.0 * noa_demo.uniform(p.campaign_id || '|k'))) END AS k
	FROM p
), r AS (
	SELECT q.*,
	       -- b such that the expected response at the typical input is level / cpa
	       CASE WHEN q.planted = 'no_incremental_effect' THEN 0
	            ELSE round((q.level / q.cpa * (1 + power(q.k / q.x_typical, q.s)))::numeric, 2) END AS b,
	       (q.level / q.cpa)
	         * CASE WHEN q.s_shaped THEN 0.05 + 0.02 * noa_demo.uniform(q.campaign_id || '|sd')
	                ELSE 0.05 + 0.05 * noa_demo.uniform(q.campaign_id || '|sd') END AS sd_raw
	FROM q
)
SELECT r.campaign_id, r.platform, r.geo, r.campaign_role, r.carryover, r.s_shaped, r.planted,
       r.campaign_name, r.account_id,
       r.level, r.theta, r.s, r.k, r.b,
       CASE WHEN r.planted = 'no_incremental_effect' THEN 0 ELSE round(r.sd_raw::numeric, 3) END AS noise_sd,
       r.avg_order_value, r.attribution_factor, r.cpm, r.ctr,
       -- spend process
       floor(35 * noa_demo.uniform(r.campaign_id || '|regime_offset'))::int AS regime_offset,
       CASE WHEN r.planted = 'saturated' THEN 0.25 ELSE 0.75 END AS regime_amp,
       0.05 + 0.15 * noa_demo.uniform(r.campaign_id || '|week_amp') AS week_amp,
       floor(7 * noa_demo.uniform(r.campaign_id || '|week_peak'))::int + 1 AS week_peak,
       0.10 + 0.20 * noa_demo.uniform(r.campaign_id || '|year_amp') AS year_amp,
       CASE WHEN r.planted = 'saturated' THEN 0.08
            ELSE 0.12 + 0.10 * noa_demo.uniform(r.campaign_id || '|sigma') END AS sigma,
       40 + floor(300 * noa_demo.uniform(r.campaign_id || '|low_test'))::int AS low_test_start,
       400 + floor(280 * noa_demo.uniform(r.campaign_id || '|high_test'))::int AS high_test_start
FROM r;

-- ---------------------------------------------------------------------------
-- Daily latent series: spend, adstock, expected and reported response.
-- ---------------------------------------------------------------------------

DROP TABLE IF EXISTS pg_temp.demo_day;
CREATE TEMP TABLE demo_day AS
SELECT p.campaign_id, g.t, ('2024-01-01'::date + g.t) AS date_day,
       round((p.level * exp(
           -- budget regime: a new level every :budget_change_days days (35 by default)
           p.regime_amp * (2 * noa_demo.uniform(p.campaign_id || '|regime|'
                                 || ((g.t + p.regime_offset) / :budget_change_days)::text) - 1)
           -- weekly and yearly seasonality of the budget
         + p.week_amp * cos(2 * pi() * (extract(isodow FROM '2024-01-01'::date + g.t)::int - p.week_peak) / 7.0)
         + p.year_amp * cos(2 * pi() * (extract(doy FROM '2024-01-01'::date + g.t)::int - 320) / 365.25)
           -- flighting of awareness campaigns, January to April 2025: two weeks on, two weeks low
         + CASE WHEN p.campaign_role = 'awareness' AND g.t BETWEEN 371 AND 482
                THEN CASE WHEN ((g.t - 371) / 14) % 2 = 0 THEN 0.40 ELSE -0.50 END ELSE 0 END
           -- two 10-day tests: one at very low, one at very high spend
         + CASE WHEN p.planted = 'saturated' THEN 0
                WHEN g.t BETWEEN p.low_test_start AND p.low_test_start + 9
                     THEN CASE WHEN p.s_shaped THEN -0.9 ELSE -1.2 END
                WHEN g.t BETWEEN p.high_test_start AND p.high_test_start + 9 THEN 0.9
                ELSE 0 END
           -- day-to-day lognormal variation
         + p.sigma * noa_demo.normal(p.campaign_id || '|spend|' || g.t::text)
       ))::numeric, 2) AS spend
FROM demo_param p
CROSS JOIN generate_series(0, 730) AS g(t);
CREATE INDEX ON demo_day (campaign_id, t);
ANALYZE demo_day;

-- Geometric adstock x*_t = spend_t + theta * x*_{t-1} (x*_0 = spend_0); for
-- campaigns without carryover theta = 0, so x* is the same-day spend.
DROP TABLE IF EXISTS pg_temp.demo_adstock;
CREATE TEMP TABLE demo_adstock AS
WITH RECURSIVE a(campaign_id, t, x) AS (
	SELECT d.campaign_id, d.t, d.spend::double precision
	FROM demo_day d WHERE d.t = 0
	UNION ALL
	SELECT a.campaign_id, a.t + 1, n.spend::double precision + p.theta::double precision * a.x
	FROM a
	JOIN demo_day n ON n.campaign_id = a.campaign_id AND n.t = a.t + 1
	JOIN demo_param p ON p.campaign_id = a.campaign_id
)
SELECT * FROM a;

DROP TABLE IF EXISTS pg_temp.demo_fact;
CREATE TEMP TABLE demo_fact AS
WITH base AS (
	SELECT p.campaign_id, d.t, d.date_day, d.spend, a.x,
	       CASE WHEN p.planted = 'no_incremental_effect'
	            -- sparse conversions that have nothing to do with spend
	            THEN CASE WHEN noa_demo.uniform(p.campaign_id || '|conv|' || d.t::text) < 0.45 THEN 0
	                      WHEN noa_demo.uniform(p.campaign_id || '|conv|' || d.t::text) < 0.80 THEN 1
	                      ELSE 2 END::double precision
	            ELSE greatest(0.0, noa_demo.hill(a.x, p.b::float8, p.k::float8, p.s::float8)
	                               + p.noise_sd::float8 * noa_demo.normal(p.campaign_id || '|conv|' || d.t::text))
	       END AS conv_raw,
	       noa_demo.hill(a.x, p.b::float8, p.k::float8, p.s::float8)
	         + p.noise_sd::float8 * noa_demo.normal(p.campaign_id || '|conv|' || d.t::text) < 0
	         AND p.planted IS DISTINCT FROM 'no_incremental_effect' AS truncated,
	       p.avg_order_value, p.attribution_factor, p.planted,
	       round((d.spend / p.cpm::numeric * 1000)
	             * exp(0.05 * noa_demo.normal(p.campaign_id || '|impr|' || d.t::text))::numeric) AS impressions,
	       p.ctr
	FROM demo_param p
	JOIN demo_day d ON d.campaign_id = p.campaign_id
	JOIN demo_adstock a ON a.campaign_id = d.campaign_id AND a.t = d.t
)
SELECT b.campaign_id, b.t, b.date_day, b.spend, b.x, b.truncated,
       round(b.conv_raw::numeric, 2) AS conversions,
       round(round(b.conv_raw::numeric, 2) * b.avg_order_value
             * (1 + 0.03 * noa_demo.normal(b.campaign_id || '|aov|' || b.t::text))::numeric, 2) AS conversions_value,
       b.impressions::bigint AS impressions,
       round(b.impressions * (b.ctr * exp(0.08 * noa_demo.normal(b.campaign_id || '|ctr|' || b.t::text)))::numeric)::bigint AS clicks,
       -- the shop sees only the truly incremental part of what the platform reports
       CASE WHEN b.planted = 'no_incremental_effect' THEN 0
            ELSE round(b.conv_raw::numeric, 2) / b.attribution_factor END AS incremental
FROM base b;

-- ---------------------------------------------------------------------------
-- noa_demo.ad_spend (Fivetran ad_reporting column names, one row per day and campaign)
-- ---------------------------------------------------------------------------

CREATE TABLE noa_demo.ad_spend (
	date_day          date          NOT NULL,
	platform          text          NOT NULL,
	account_id        text          NOT NULL,
	campaign_id       text          NOT NULL,
	campaign_name     text          NOT NULL,
	campaign_role     text          NOT NULL,
	geo               text          NOT NULL,
	currency          text          NOT NULL,
	spend             numeric(12,2) NOT NULL,
	impressions       bigint        NOT NULL,
	clicks            bigint        NOT NULL,
	conversions       numeric(12,2) NOT NULL,
	conversions_value numeric(14,2) NOT NULL
);
COMMENT ON TABLE noa_demo.ad_spend IS
	'demo ad platform report, one row per day and campaign (with planted problems, see noa_demo.planted_problems); spend in EUR/day, conversions as reported by the platform';

INSERT INTO noa_demo.ad_spend
SELECT f.date_day, c.platform, c.account_id, c.campaign_id, c.campaign_name, c.campaign_role, c.geo, 'EUR',
       f.spend, f.impressions,
       -- planted (5): clicks under-reported on five days, below conversions
       CASE WHEN c.planted = 'conversions_exceed_clicks' AND f.date_day BETWEEN '2024-11-04' AND '2024-11-08'
            THEN floor(f.conversions / 2)::bigint ELSE f.clicks END,
       -- planted (2): conversion tracking broken for 21 days, spend unaffected
       CASE WHEN c.planted = 'tracking_break' AND f.date_day BETWEEN '2025-10-13' AND '2025-11-02'
            THEN CASE WHEN noa_demo.uniform(c.campaign_id || '|break|' || f.t::text) < 0.15 THEN 1 ELSE 0 END
            ELSE f.conversions END,
       CASE WHEN c.planted = 'tracking_break' AND f.date_day BETWEEN '2025-10-13' AND '2025-11-02'
            THEN CASE WHEN noa_demo.uniform(c.campaign_id || '|break|' || f.t::text) < 0.15 THEN c.avg_order_value ELSE 0 END
            ELSE f.conversions_value END
FROM demo_fact f
JOIN demo_param c ON c.campaign_id = f.campaign_id
-- planted (6): one campaign has no rows for a whole week
WHERE NOT (c.planted IS NOT DISTINCT FROM 'missing_week' AND f.date_day BETWEEN '2025-03-10' AND '2025-03-16')
ORDER BY f.date_day, c.platform, c.campaign_id;

-- planted (1): every row of one campaign for one day loaded twice
INSERT INTO noa_demo.ad_spend
SELECT a.* FROM noa_demo.ad_spend a
JOIN demo_param c ON c.campaign_id = a.campaign_id
WHERE c.planted = 'duplicate_day' AND a.date_day = '2025-06-17';

-- ---------------------------------------------------------------------------
-- noa_demo.shop_orders: the business truth per day and country
-- ---------------------------------------------------------------------------

CREATE TABLE noa_demo.shop_orders (
	date_day date          NOT NULL,
	geo      text          NOT NULL,
	orders   integer       NOT NULL,
	revenue  numeric(14,2) NOT NULL,
	currency text          NOT NULL,
	PRIMARY KEY (date_day, geo)
);
COMMENT ON TABLE noa_demo.shop_orders IS
	'demo shop orders per day and country: organic baseline (weekly and yearly seasonality, noise) plus the truly incremental conversions of all campaigns';

INSERT INTO noa_demo.shop_orders
WITH geo(geo, base, shop_aov) AS (
	VALUES ('DE', 420.0, 68.0), ('FR', 330.0, 72.0), ('ES', 240.0, 58.0), ('IT', 260.0, 61.0)
), baseline AS (
	SELECT g.geo, g.shop_aov, d.t, '2024-01-01'::date + d.t AS date_day,
	       g.base
	         * (1 + 0.12 * cos(2 * pi() * (extract(isodow FROM '2024-01-01'::date + d.t)::int - 7) / 7.0))
	         * (1 + 0.20 * cos(2 * pi() * (extract(doy FROM '2024-01-01'::date + d.t)::int - 335) / 365.25))
	         * (1 + 0.10 * d.t / 365.0)
	         + 0.04 * g.base * noa_demo.normal('shop|' || g.geo || '|' || d.t::text) AS organic
	FROM geo g CROSS JOIN generate_series(0, 730) AS d(t)
), incr AS (
	SELECT c.geo, f.t, sum(f.incremental) AS orders, sum(f.incremental * c.avg_order_value) AS revenue
	FROM demo_fact f JOIN demo_param c ON c.campaign_id = f.campaign_id
	GROUP BY c.geo, f.t
)
SELECT b.date_day, b.geo,
       round(b.organic::numeric + i.orders)::integer,
       round(b.organic::numeric * b.shop_aov::numeric
             * (1 + 0.02 * noa_demo.normal('shop_aov|' || b.geo || '|' || b.t::text))::numeric
             + i.revenue, 2),
       'EUR'
FROM baseline b JOIN incr i ON i.geo = b.geo AND i.t = b.t
ORDER BY b.date_day, b.geo;

-- ---------------------------------------------------------------------------
-- noa_demo.ground_truth: one row per campaign
-- ---------------------------------------------------------------------------

CREATE TABLE noa_demo.ground_truth (
	campaign_id         text PRIMARY KEY,
	platform            text          NOT NULL,
	campaign_role       text          NOT NULL,
	geo                 text          NOT NULL,
	model               text          NOT NULL,
	b                   numeric(10,2) NOT NULL,
	k                   numeric(10,2) NOT NULL,
	s                   numeric(6,2)  NOT NULL,
	adstock_theta       numeric(4,2)  NOT NULL,
	has_carryover       boolean       NOT NULL,
	noise_sd            numeric(10,3) NOT NULL,
	avg_order_value     numeric(10,2) NOT NULL,
	attribution_factor  numeric(4,2)  NOT NULL,
	incremental         boolean       NOT NULL,
	planted_problem     text,
	mean_spend_last_90d numeric(12,2) NOT NULL
);
COMMENT ON TABLE noa_demo.ground_truth IS
	'the response model that generated noa_demo.ad_spend: reported conversions/day = b * x^s / (x^s + k^s) + N(0, noise_sd), truncated at 0';
COMMENT ON COLUMN noa_demo.ground_truth.b IS 'maximum platform-reported conversions per day (the Hill asymptote)';
COMMENT ON COLUMN noa_demo.ground_truth.k IS 'half-saturation input in EUR/day: same-day spend, or adstocked spend when has_carryover';
COMMENT ON COLUMN noa_demo.ground_truth.s IS 'Hill shape: <= 1 concave, > 1 S-shaped';
COMMENT ON COLUMN noa_demo.ground_truth.adstock_theta IS 'geometric adstock decay: x*_t = spend_t + theta * x*_{t-1}; 0 when there is no carryover';
COMMENT ON COLUMN noa_demo.ground_truth.noise_sd IS 'sd of the additive Gaussian noise, conversions per day';
COMMENT ON COLUMN noa_demo.ground_truth.avg_order_value IS 'EUR per conversion; conversions_value = conversions * avg_order_value * (1 + N(0, 0.03))';
COMMENT ON COLUMN noa_demo.ground_truth.attribution_factor IS 'platform over-count: truly incremental conversions = reported / attribution_factor';
COMMENT ON COLUMN noa_demo.ground_truth.incremental IS 'false when the campaign has no causal effect on shop orders';
COMMENT ON COLUMN noa_demo.ground_truth.mean_spend_last_90d IS 'mean daily spend, EUR/day, 2025-10-03 .. 2025-12-31';

INSERT INTO noa_demo.ground_truth
SELECT p.campaign_id, p.platform, p.campaign_role, p.geo, 'hill', p.b, p.k, p.s, p.theta, p.carryover,
       p.noise_sd, p.avg_order_value, p.attribution_factor,
       p.planted IS DISTINCT FROM 'no_incremental_effect', p.planted,
       (SELECT round(avg(d.spend), 2) FROM demo_day d
         WHERE d.campaign_id = p.campaign_id AND d.date_day > '2025-12-31'::date - 90)
FROM demo_param p
ORDER BY p.campaign_id;

-- ---------------------------------------------------------------------------
-- noa_demo.planted_problems
-- ---------------------------------------------------------------------------

CREATE TABLE noa_demo.planted_problems (
	problem     text PRIMARY KEY,
	platform    text NOT NULL,
	campaign_id text NOT NULL,
	first_day   date NOT NULL,
	last_day    date NOT NULL,
	description text NOT NULL
);
COMMENT ON TABLE noa_demo.planted_problems IS 'the data problems planted in noa_demo.ad_spend on purpose';

INSERT INTO noa_demo.planted_problems
SELECT v.problem, p.platform, p.campaign_id, v.first_day, v.last_day, v.description
FROM (VALUES
 ('duplicate_day', '2025-06-17'::date, '2025-06-17'::date,
  'every row of the campaign for this day was loaded twice'),
 ('tracking_break', '2025-10-13', '2025-11-02',
  'conversions and conversion value drop to about 0 for 21 days while spend continues normally; shop orders are unaffected'),
 ('no_incremental_effect', '2024-01-01', '2025-12-31',
  'b = 0: the platform reports 0-2 conversions a day at random, unrelated to spend; the campaign adds nothing to shop orders'),
 ('saturated', '2024-01-01', '2025-12-31',
  'daily spend runs at about 8-15 times the half-saturation k (S-shaped, s = 2), so the marginal ROAS at current spend is close to 0 although the average ROAS looks good'),
 ('conversions_exceed_clicks', '2024-11-04', '2024-11-08',
  'clicks under-reported on five days: conversions exceed clicks'),
 ('missing_week', '2025-03-10', '2025-03-16',
  'no rows at all for seven consecutive days inside the active range')
) AS v(problem, first_day, last_day, description)
JOIN demo_param p ON p.planted = v.problem;

ANALYZE noa_demo.ad_spend, noa_demo.shop_orders, noa_demo.ground_truth, noa_demo.planted_problems;

DROP TABLE pg_temp.demo_fact, pg_temp.demo_adstock, pg_temp.demo_day, pg_temp.demo_param, pg_temp.demo_campaign;
