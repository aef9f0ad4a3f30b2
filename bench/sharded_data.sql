-- Bench data for bench/sharded_bench.sh: noa_demo.ad_spend (demo column layout,
-- run after demo/generate.sql) refilled with 1,000 campaigns x 365 days of
-- Hill-curve responses with campaign-specific parameters and deterministic
-- noise, on five platforms.
TRUNCATE noa_demo.ad_spend;
INSERT INTO noa_demo.ad_spend
SELECT date '2025-01-01' + d - 1,
       (ARRAY['google_ads', 'facebook_ads', 'tiktok_ads', 'linkedin_ads', 'microsoft_ads'])[1 + c % 5],
       'bench-acct', 'c' || lpad(c::text, 4, '0'), 'bench campaign ' || c, 'conversion', 'DE', 'EUR',
       round(spend::numeric, 2), round(spend * 90)::bigint, round(spend * 1.5)::bigint,
       round(conversions::numeric, 2), round(conversions::numeric * 60, 2)
FROM (SELECT c, d, spend,
             greatest(0, b * spend ^ s / (spend ^ s + k ^ s) + 0.05 * b * sin(d * 12.9898 + c * 78.233)) AS conversions
      FROM (SELECT c, d, 20 + 40 * (c % 17) AS b, 300 + 25 * (c % 23) AS k, 0.6 + 0.1 * (c % 15) AS s,
                   (100 + 10 * (c % 50)) * (0.3 + 2.2 * (0.5 + 0.5 * sin(d * 0.173 + c))) AS spend
            FROM generate_series(1, 1000) c, generate_series(1, 365) d) p) g;
ANALYZE noa_demo.ad_spend;
