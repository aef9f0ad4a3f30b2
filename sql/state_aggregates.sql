-- The internal aggregates of the campaign state: noa._p10_p90 must equal
-- percentile_cont(0.1) and (0.9) bit for bit, and noa._repeated_days the rows
-- whose day another row of the group has, whatever the plan: NULLs skipped,
-- ties, one row, groups of one repeated day, days on both sides of day 0,
-- days too far apart for its bitmap, hashed, sorted and parallel.
SET client_min_messages = warning;
CREATE TEMP TABLE agg_rows AS
SELECT g, CASE WHEN i % 11 = 0 THEN NULL ELSE '2025-01-01'::date + (i * 7 + g) % (30 + g) END AS d,
       CASE WHEN i % 13 = 0 THEN NULL ELSE round((100 * sin(i * g) + (i % 5))::numeric, 2)::float8 END AS x
FROM generate_series(1, 6) AS g, generate_series(1, 40 * g) AS i
UNION ALL SELECT 7, '2025-02-01', 3.5                          -- one row
UNION ALL SELECT 8, NULL, NULL                                 -- only NULLs
UNION ALL SELECT 9, '2025-02-01', 1 UNION ALL SELECT 9, '2025-02-01', 1
-- days before and after day 0 (2000-01-01) and around word edges, repeated
UNION ALL SELECT 10, '2000-01-01'::date + (i * 37) % 301 - 150, i FROM generate_series(1, 500) AS i
-- days 200 years apart (wider than the day bitmap: a list of days) and the infinities, repeated
UNION ALL SELECT 11, CASE i % 7 WHEN 0 THEN 'infinity'::date WHEN 1 THEN '-infinity'::date
                            ELSE '1850-01-01'::date + (i * 9973) % 73000 END, i
          FROM generate_series(1, 300) AS i;
ANALYZE agg_rows;
CREATE FUNCTION pg_temp.agg_check(config text) RETURNS TABLE (config text, groups bigint, same_percentiles bigint, same_repeats bigint)
LANGUAGE sql AS $$
SELECT config, count(*),
       count(*) FILTER (WHERE p[1] IS NOT DISTINCT FROM p10 AND p[2] IS NOT DISTINCT FROM p90),
       count(*) FILTER (WHERE r = n - nd)
FROM (SELECT g, noa._p10_p90(x) AS p, noa._repeated_days(d) AS r, count(d) AS n, count(DISTINCT d) AS nd,
             percentile_cont(0.1) WITHIN GROUP (ORDER BY x) AS p10,
             percentile_cont(0.9) WITHIN GROUP (ORDER BY x) AS p90
      FROM agg_rows GROUP BY g) AS a
$$;
SELECT * FROM pg_temp.agg_check('default');
SELECT g, noa._p10_p90(x), noa._repeated_days(d) FROM agg_rows WHERE g IN (7, 8, 9) GROUP BY g ORDER BY g;
-- without the ordered-set aggregates the groups can hash, or be split over parallel workers
CREATE FUNCTION pg_temp.agg_digest() RETURNS text LANGUAGE sql AS $$
SELECT md5(string_agg(format('%s %s %s', g, p, r), ',' ORDER BY g))
FROM (SELECT g, noa._p10_p90(x) AS p, noa._repeated_days(d) AS r FROM agg_rows GROUP BY g) AS a
$$;
CREATE TEMP TABLE digests AS SELECT 'default' AS config, pg_temp.agg_digest() AS digest;
SET enable_hashagg = off;
INSERT INTO digests SELECT 'enable_hashagg off', pg_temp.agg_digest();
RESET enable_hashagg;
SET enable_sort = off;
INSERT INTO digests SELECT 'enable_sort off', pg_temp.agg_digest();
RESET enable_sort;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
SET force_parallel_mode = on;
INSERT INTO digests SELECT 'forced parallel', pg_temp.agg_digest();
RESET ALL;
SELECT config, digest = (SELECT d.digest FROM digests AS d WHERE d.config = 'default') AS same FROM digests ORDER BY config;
-- Longer than one sorted run (65,536 values), the final functions merge runs
-- (src/sort_cancellable.c): still bit for bit percentile_cont, and a fit
-- (plain and time-aware) does not depend on the order of its rows.
CREATE TEMP TABLE long_rows AS
SELECT i, (('x' || substr(md5(i::text), 1, 8))::bit(32)::bigint / 4294967296.0)::float8 * 1000 AS x
FROM generate_series(1, 150000) AS i;
SELECT noa._p10_p90(x) = ARRAY[percentile_cont(0.1) WITHIN GROUP (ORDER BY x),
                               percentile_cont(0.9) WITHIN GROUP (ORDER BY x)] AS long_percentiles,
       noa._repeated_days('2000-01-01'::date + i % 100000) AS long_repeats
FROM long_rows;
SELECT (SELECT noa.fit_curve(x, 5 * x / (x + 300) + (i % 7) * 0.01)::text FROM (SELECT * FROM long_rows ORDER BY i) AS s)
     = (SELECT noa.fit_curve(x, 5 * x / (x + 300) + (i % 7) * 0.01)::text FROM (SELECT * FROM long_rows ORDER BY md5(i::text)) AS s)
       AS long_fit_same,
       (SELECT noa.fit_curve('1800-01-01'::date + i, x, 5 * x / (x + 300))::text FROM (SELECT * FROM long_rows ORDER BY i) AS s)
     = (SELECT noa.fit_curve('1800-01-01'::date + i, x, 5 * x / (x + 300))::text FROM (SELECT * FROM long_rows ORDER BY md5(i::text)) AS s)
       AS long_timed_fit_same;
