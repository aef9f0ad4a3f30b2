-- Same input, same output, bit for bit, whatever the plan: noa.waste,
-- noa.data_quality and noa.recommendations on the demo table (loaded by
-- demo_data) under hash aggregation off, sorting off and forced parallel
-- plans, compared through an md5 of their rows in output order.  Before the
-- slope sums became exact, waste's marginal ROAS changed in the last digits
-- with enable_hashagg and enable_sort.
SET client_min_messages = warning;
CREATE TEMP TABLE det_runs (config text, fn text, digest text, n bigint);
CREATE FUNCTION pg_temp.digests(config text, src regclass) RETURNS void LANGUAGE sql AS $$
INSERT INTO det_runs
SELECT config, 'waste', md5(string_agg(w::text, E'\n' ORDER BY w.ordinality)), count(*)
FROM noa.waste(src, as_of => '2025-12-31') WITH ORDINALITY AS w
UNION ALL
SELECT config, 'data_quality', md5(string_agg(w::text, E'\n' ORDER BY w.ordinality)), count(*)
FROM noa.data_quality(src, as_of => '2025-12-31') WITH ORDINALITY AS w
UNION ALL
SELECT config, 'recommendations', md5(string_agg(w::text, E'\n' ORDER BY w.ordinality)), count(*)
FROM noa.recommendations(src, as_of => '2025-12-31') WITH ORDINALITY AS w
$$;

SET max_parallel_workers_per_gather = 0;
SELECT pg_temp.digests('serial', 'noa_demo.ad_spend');
SET enable_hashagg = off;
SELECT pg_temp.digests('serial, enable_hashagg off', 'noa_demo.ad_spend');
RESET enable_hashagg;
SET enable_sort = off;
SELECT pg_temp.digests('serial, enable_sort off', 'noa_demo.ad_spend');
RESET enable_sort;
-- parallel plans wherever possible, and the leader only as a gatherer
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET min_parallel_index_scan_size = 0;
SET parallel_leader_participation = off;
SET force_parallel_mode = on;
SELECT pg_temp.digests('forced parallel', 'noa_demo.ad_spend');
SET enable_hashagg = off;
SELECT pg_temp.digests('forced parallel, enable_hashagg off', 'noa_demo.ad_spend');
RESET ALL;

SELECT fn, config, n AS rows, digest = first_value(digest) OVER (PARTITION BY fn ORDER BY config = 'serial' DESC) AS same_as_serial
FROM det_runs ORDER BY fn, config;
