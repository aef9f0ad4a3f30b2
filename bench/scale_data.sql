-- Scale data for bench/scale_bench.sh: :campaigns campaigns x 730 days of
-- daily ad rows shaped like noa_demo.ad_spend (Fivetran ad_reporting column
-- names, campaign_role, geo, currency), in table :tbl.
--   psql -v campaigns=500 -v tbl=ads_500 -f bench/scale_data.sql
-- Deterministic (md5-seeded draws, no random()).  Each campaign has a Hill
-- response with its own maximum, half-saturation and noise; budgets change
-- level every 35 days; one campaign in ten is an awareness campaign.  Planted
-- problems so every check has work: a 21-day tracking break in 1 campaign of
-- 50 (October 2025), a ten-fold spend spike on one day in 1 of 40, duplicated
-- rows on 3 days in 1 of 60, a 4-day gap in 1 of 70.
DROP TABLE IF EXISTS :"tbl";
CREATE TABLE :"tbl" (
	date_day          date          NOT NULL,
	platform          text          NOT NULL,
	account_id        text          NOT NULL,
	campaign_id       text          NOT NULL,
	campaign_role     text          NOT NULL,
	geo               text          NOT NULL,
	currency          text          NOT NULL,
	spend             numeric(12,2) NOT NULL,
	impressions       bigint        NOT NULL,
	clicks            bigint        NOT NULL,
	conversions       numeric(12,2) NOT NULL,
	conversions_value numeric(14,2) NOT NULL
);

INSERT INTO :"tbl"
WITH camp AS (
	SELECT c,
	       (ARRAY['google_ads', 'facebook_ads', 'microsoft_ads', 'tiktok_ads', 'linkedin_ads'])[1 + c % 5] AS platform,
	       'c' || lpad(c::text, 5, '0') AS campaign_id,
	       CASE WHEN c % 10 = 3 THEN 'awareness' ELSE 'conversion' END AS campaign_role,
	       (ARRAY['DE', 'FR', 'NL', 'AT'])[1 + c % 4] AS geo,
	       200 + 1800 * (('x' || substr(md5('lvl' || c), 1, 8))::bit(32)::bigint / 4294967296.0) AS base,
	       20 + 80 * (('x' || substr(md5('max' || c), 1, 8))::bit(32)::bigint / 4294967296.0) AS bmax,
	       300 + 2000 * (('x' || substr(md5('k' || c), 1, 8))::bit(32)::bigint / 4294967296.0) AS k,
	       40 + 60 * (('x' || substr(md5('aov' || c), 1, 8))::bit(32)::bigint / 4294967296.0) AS aov
	FROM generate_series(1, :campaigns) AS c
),
day AS (
	SELECT m.*, t, '2024-01-01'::date + t AS date_day,
	       -- budget level per 35-day block, day-to-day noise
	       m.base * (0.4 + 1.2 * (('x' || substr(md5(m.c || 'b' || (t / 35)), 1, 8))::bit(32)::bigint / 4294967296.0))
	         * (0.9 + 0.2 * (('x' || substr(md5(m.c || 'd' || t), 1, 8))::bit(32)::bigint / 4294967296.0)) AS sp0,
	       ('x' || substr(md5(m.c || 'n' || t), 1, 8))::bit(32)::bigint / 4294967296.0 AS u
	FROM camp AS m, generate_series(0, 729) AS t
),
val AS (
	SELECT d.*,
	       CASE WHEN d.c % 40 = 7 AND d.t = 400 THEN 10 * d.sp0 ELSE d.sp0 END AS sp,
	       greatest(0, d.bmax * d.sp0 / (d.sp0 + d.k) * (0.75 + 0.5 * d.u)) AS cv0
	FROM day AS d
	WHERE NOT (d.c % 70 = 11 AND d.t BETWEEN 300 AND 303)
)
SELECT v.date_day, v.platform, 'acct' || (v.c % 17), v.campaign_id, v.campaign_role, v.geo, 'EUR',
       round(v.sp::numeric, 2),
       round(v.sp * (900 + 200 * v.u))::bigint,
       round(v.sp * (1.5 + v.u))::bigint,
       CASE WHEN v.c % 50 = 5 AND v.date_day BETWEEN '2025-10-13' AND '2025-11-02' THEN 0
            ELSE round(v.cv0::numeric) END,
       CASE WHEN v.c % 50 = 5 AND v.date_day BETWEEN '2025-10-13' AND '2025-11-02' THEN 0
            ELSE round((round(v.cv0) * v.aov)::numeric, 2) END
FROM val AS v;

-- duplicated rows (exact copies) on three days
INSERT INTO :"tbl" SELECT * FROM :"tbl"
WHERE campaign_id IN (SELECT 'c' || lpad(c::text, 5, '0') FROM generate_series(1, :campaigns) AS c WHERE c % 60 = 13)
  AND date_day BETWEEN '2025-03-01' AND '2025-03-03';
ANALYZE :"tbl";
