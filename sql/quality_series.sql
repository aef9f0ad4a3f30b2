-- The internal functions behind noa.data_quality's single pass over the rows:
-- noa._collect_days (one campaign's rows as its daily series, sorted by day,
-- with the rows that repeat a day) must equal the same built in SQL whatever
-- the plan; noa._day_gaps must find every run of missing days;
-- noa._measures_suspect must agree with the SQL form of the per-row checks on
-- every edge value.
SET client_min_messages = warning;
CREATE TEMP TABLE series_rows AS
SELECT g, CASE WHEN i % 11 = 0 THEN NULL ELSE '2025-01-01'::date + (i * 7 + g) % (30 + 3 * g) END AS d,
       CASE WHEN i % 13 = 0 THEN NULL WHEN i % 17 = 0 THEN 'NaN' ELSE round((100 * sin(i * g) + (i % 5))::numeric, 2)::float8 END AS sp,
       CASE WHEN i % 7 = 0 THEN NULL WHEN i % 19 = 0 THEN 'Infinity' ELSE (i % 9)::float8 END AS cv
FROM generate_series(1, 6) AS g, generate_series(1, 40 * g) AS i
UNION ALL SELECT 7, '2025-02-01', 3.5, 1                       -- one row
UNION ALL SELECT 8, NULL, 1, 1                                 -- no day: no series
UNION ALL SELECT 9, 'infinity', 1, 1                           -- an infinite day is no day either
UNION ALL SELECT 10, '2025-02-03', 1, 1 UNION ALL SELECT 10, '2025-02-01', 2, NULL;
ANALYZE series_rows;
-- the same series in SQL: days sorted (then spend, then conversions, NaN and
-- NULL last), non-finite measures as NULL, repeats = rows - distinct days
CREATE FUNCTION pg_temp.series_sql() RETURNS TABLE (g int, days date[], spend float8[], conversions float8[], repeated bigint)
LANGUAGE sql AS $$
SELECT g, array_agg(d ORDER BY d, s NULLS LAST, c NULLS LAST),
       array_agg(s ORDER BY d, s NULLS LAST, c NULLS LAST),
       array_agg(c ORDER BY d, s NULLS LAST, c NULLS LAST),
       count(*) - count(DISTINCT d)
FROM (SELECT g, d, CASE WHEN sp > '-Infinity' AND sp < 'Infinity' THEN sp END AS s,
             CASE WHEN cv > '-Infinity' AND cv < 'Infinity' THEN cv END AS c
      FROM series_rows WHERE isfinite(d)) AS r
GROUP BY g
$$;
CREATE FUNCTION pg_temp.series_c() RETURNS TABLE (g int, s noa._day_series)
LANGUAGE sql AS $$ SELECT g, noa._collect_days(d, sp, cv) FROM series_rows GROUP BY g $$;
SELECT count(*) AS groups,
       count(*) FILTER (WHERE (c.s).days = q.days AND (c.s).spend IS NOT DISTINCT FROM q.spend
                        AND (c.s).conversions IS NOT DISTINCT FROM q.conversions AND (c.s).repeated = q.repeated) AS same
FROM pg_temp.series_c() AS c JOIN pg_temp.series_sql() AS q USING (g);
SELECT g, (s).* FROM pg_temp.series_c() WHERE g >= 7 ORDER BY g;
-- hashed, sorted, partial in parallel workers (combine, serial, deserial): one answer
CREATE FUNCTION pg_temp.series_digest() RETURNS text LANGUAGE sql AS $$
SELECT md5(string_agg(format('%s %s', g, s), ',' ORDER BY g)) FROM pg_temp.series_c()
$$;
CREATE TEMP TABLE digests AS SELECT 'default' AS config, pg_temp.series_digest() AS digest;
SET enable_hashagg = off;
INSERT INTO digests SELECT 'enable_hashagg off', pg_temp.series_digest();
RESET enable_hashagg;
SET enable_sort = off;
INSERT INTO digests SELECT 'enable_sort off', pg_temp.series_digest();
RESET enable_sort;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
SET force_parallel_mode = on;
INSERT INTO digests SELECT 'forced parallel', pg_temp.series_digest();
RESET ALL;
SET client_min_messages = warning;
SELECT config, digest = (SELECT d.digest FROM digests AS d WHERE d.config = 'default') AS same FROM digests ORDER BY config;
-- longer than one sorted run (65,536 rows): the merge path, in any row order
SELECT (SELECT noa._collect_days(d, x, NULL)::text FROM (SELECT '2000-01-01'::date + i % 100000 AS d, (i % 1000)::float8 AS x
                                                       FROM generate_series(1, 150000) AS i ORDER BY i) AS s)
     = (SELECT noa._collect_days(d, x, NULL)::text FROM (SELECT '2000-01-01'::date + i % 100000 AS d, (i % 1000)::float8 AS x
                                                       FROM generate_series(1, 150000) AS i ORDER BY md5(i::text)) AS s)
       AS long_same,
       (SELECT (noa._collect_days('2000-01-01'::date + i % 100000, 0, 0)).repeated FROM generate_series(1, 150000) AS i)
       AS long_repeats;

-- ---- runs of missing days ----------------------------------------------------
SELECT * FROM noa._day_gaps(ARRAY['2025-01-10', '2025-01-03', '2025-01-04', '2025-01-07', '2025-01-11']::date[]);
SELECT count(*) AS gaps FROM noa._day_gaps(ARRAY['2025-01-03', '2025-01-04']::date[]);
SELECT count(*) AS gaps FROM noa._day_gaps(ARRAY[]::date[]);
SELECT * FROM noa._day_gaps(ARRAY['2025-01-03', '2025-01-03']::date[]);
SELECT * FROM noa._day_gaps(ARRAY['2025-01-03', NULL]::date[]);

-- ---- the per-row checks ----------------------------------------------------------
-- every combination of edge values, against the SQL form of the checks
CREATE TEMP TABLE edge_values (x) AS
VALUES (NULL::numeric), ('NaN'), ('Infinity'), ('-Infinity'), (-0.01), (0), (0.5), (1), (2), (3.00),
       (999999999999999.99), (1e15), (-1e15);
CREATE TEMP TABLE edge_rows AS
SELECT a.x AS sp, b.x AS im, c.x AS cl, d.x AS cv, e.x AS va
FROM edge_values AS a, edge_values AS b, edge_values AS c, edge_values AS d, edge_values AS e
WHERE (a.x IS NULL OR a.x IN (-0.01, 0, 1, 'NaN')) AND (e.x IS NULL OR e.x IN (0, 2, '-Infinity'));
SELECT count(*) AS combinations,
       count(*) FILTER (WHERE coalesce(noa._measures_suspect(sp, im, cl, cv, va), false)
                              = coalesce(NOT coalesce(sp >= 0 AND sp < 1e15, true) OR NOT coalesce(cv >= 0 AND cv < 1e15, true)
                                         OR NOT coalesce(va >= 0 AND va < 1e15, true)
                                         OR NOT coalesce(im >= 0 AND im < 1e15 AND (scale(im) = 0 OR im = trunc(im)), true)
                                         OR NOT coalesce(cl >= 0 AND cl < 1e15 AND (scale(cl) = 0 OR cl = trunc(cl)), true)
                                         OR cl > im OR cv > cl OR (va > 0 AND cv = 0) OR (sp > 0 AND im = 0), false)) AS agree,
       count(*) FILTER (WHERE noa._measures_suspect(sp, im, cl, cv, va)) AS suspect
FROM edge_rows;
SELECT noa._measures_suspect(10, 1000, 20, 2, 90) AS clean, noa._measures_suspect(NULL, NULL, NULL, NULL, NULL) AS all_null,
       noa._measures_suspect(10, 1000, 20.5, 2, 90) AS fractional_clicks, noa._measures_suspect(10, 1000, 2000, 2, 90) AS funnel;
