-- fit_curve under parallel query and partitionwise aggregation: the plan
-- shows partial aggregation and the curves equal the serial ones bit for bit.
SET extra_float_digits = 0;

CREATE TABLE campaign_days AS
SELECT c AS campaign_id, d AS day,
	(200 + 40 * c + 900 * (1 + sin(d * 0.37 + c))) ::float8 AS spend,
	(30 + c) * (200 + 40 * c + 900 * (1 + sin(d * 0.37 + c))) / ((200 + 40 * c + 900 * (1 + sin(d * 0.37 + c))) + 500 + 10 * c)
		+ 0.5 * cos(d * 1.7 + c) AS conversions
FROM generate_series(1, 40) c, generate_series(1, 365) d;
ANALYZE campaign_days;

CREATE TABLE serial_fits AS
SELECT campaign_id, noa.fit_curve(spend, conversions) AS c FROM campaign_days GROUP BY campaign_id;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;

EXPLAIN (COSTS OFF)
SELECT campaign_id, noa.fit_curve(spend, conversions) FROM campaign_days GROUP BY campaign_id;

CREATE TABLE parallel_fits AS
SELECT campaign_id, noa.fit_curve(spend, conversions) AS c FROM campaign_days GROUP BY campaign_id;

-- Whole-table fit: partial aggregation in each worker, combined in the leader.
EXPLAIN (COSTS OFF) SELECT noa.fit_curve(spend, conversions, 'exponential') FROM campaign_days;
SELECT (SELECT noa.fit_curve(spend, conversions, 'exponential') FROM campaign_days)::text
	= (SELECT noa.fit_curve(spend, conversions, 'exponential' ORDER BY day) FROM campaign_days)::text AS whole_table_identical;

SELECT count(*) AS campaigns, count(*) FILTER (WHERE s.c::text = p.c::text) AS identical_curves,
	count(*) FILTER (WHERE noa.curve_status(p.c) = 'converged') AS converged
FROM serial_fits s JOIN parallel_fits p USING (campaign_id);

-- noa.portfolio under parallel aggregation: 999 items without curve or group,
-- each smaller on the wire than an item with a curve, pass through
-- serial/deserial and equal the serial value (an ordered aggregate is serial).
CREATE TABLE t AS SELECT g FROM generate_series(1, 999) AS g;
ANALYZE t;
EXPLAIN (COSTS OFF) SELECT noa.portfolio(g::text, NULL, 1) FROM t;
SELECT jsonb_array_length(p::jsonb -> 'items') AS items,
	p::text = (SELECT noa.portfolio(g::text, NULL, 1 ORDER BY g) FROM t)::text AS same_as_serial
FROM (SELECT noa.portfolio(g::text, NULL, 1) AS p FROM t) AS x;

-- Partitionwise aggregation over a partitioned table, grouped by a non-partition key.
CREATE TABLE campaign_days_part (campaign_id int, day int, spend float8, conversions float8) PARTITION BY RANGE (day);
CREATE TABLE campaign_days_h1 PARTITION OF campaign_days_part FOR VALUES FROM (1) TO (183);
CREATE TABLE campaign_days_h2 PARTITION OF campaign_days_part FOR VALUES FROM (183) TO (366);
INSERT INTO campaign_days_part SELECT * FROM campaign_days;
ANALYZE campaign_days_part;
SET enable_partitionwise_aggregate = on;
SET max_parallel_workers_per_gather = 0;
EXPLAIN (COSTS OFF)
SELECT campaign_id, noa.fit_curve(spend, conversions) FROM campaign_days_part GROUP BY campaign_id;
SELECT count(*) FILTER (WHERE s.c::text = p.c::text) AS identical_partitionwise
FROM serial_fits s JOIN (SELECT campaign_id, noa.fit_curve(spend, conversions) AS c
	FROM campaign_days_part GROUP BY campaign_id) p USING (campaign_id);
