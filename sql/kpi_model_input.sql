-- The KPI model's SQL object: input shapes, order and plan independence,
-- text round trip, bad input (errors and warning rows), and its curves in the
-- portfolio and allocator.
SET extra_float_digits = 0;

-- Two years of daily rows for three channels; a deterministic pseudo-noise.
CREATE FUNCTION pseudo_noise(i int) RETURNS float8 LANGUAGE sql IMMUTABLE
	RETURN (sin(i * 12.9898) * 43758.5453) - floor(sin(i * 12.9898) * 43758.5453) - 0.5;
CREATE TABLE spend_by_day AS
SELECT '2024-01-01'::date + d AS day, 'ch_' || c AS channel,
	greatest(0, 200 + 120 * sin(d * 0.05 * c + c) + 60 * pseudo_noise(d * 7 + c))::float8 AS spend,
	(30 + 5 * c + 10 * pseudo_noise(d * 11 + c))::float8 AS platform_conversions
FROM generate_series(0, 729) d, generate_series(1, 3) c;
CREATE TABLE kpi_by_day AS
SELECT s.day, 800 + 60 * cos(2 * pi() * extract(isodow FROM s.day) / 7)
	+ sum(40 * sqrt(s.spend / 100.0)) + 25 * pseudo_noise((s.day - '2024-01-01')::int) AS orders
FROM spend_by_day s GROUP BY s.day;
ANALYZE spend_by_day, kpi_by_day;

-- The natural join of spend by channel and day with the KPI by day.
CREATE TABLE models AS
SELECT 'join' AS how, noa.fit_kpi_model(s.day, s.channel, s.spend, k.orders, s.platform_conversions) AS model
FROM spend_by_day s JOIN kpi_by_day k USING (day);

SELECT channel, spend, current_spend, contribution > 0 AS has_effect, roas > 0 AS positive_roas,
	roas_lo <= roas AND roas <= roas_hi AS roas_inside_interval,
	incrementality IS NOT NULL AS has_factor, saturation, note
FROM models, noa.kpi_model_channels(model) ORDER BY channel;

-- Row order does not matter: reversed and shuffled input gives the same bytes.
INSERT INTO models
SELECT 'reversed', noa.fit_kpi_model(s.day, s.channel, s.spend, k.orders, s.platform_conversions
	ORDER BY s.day DESC, s.channel DESC)
FROM spend_by_day s JOIN kpi_by_day k USING (day);
INSERT INTO models
SELECT 'shuffled', noa.fit_kpi_model(s.day, s.channel, s.spend, k.orders, s.platform_conversions
	ORDER BY md5(s.channel || s.day))
FROM spend_by_day s JOIN kpi_by_day k USING (day);

-- Parallel plan: partial aggregation in workers, combined in the leader.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT noa.fit_kpi_model(s.day, s.channel, s.spend, k.orders, s.platform_conversions)
FROM spend_by_day s JOIN kpi_by_day k USING (day);
INSERT INTO models
SELECT 'parallel', noa.fit_kpi_model(s.day, s.channel, s.spend, k.orders, s.platform_conversions)
FROM spend_by_day s JOIN kpi_by_day k USING (day);
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

SELECT how, model::text = (SELECT model::text FROM models WHERE how = 'join') AS identical
FROM models ORDER BY how;

-- Text round trip, and damaged text refused.
SELECT model::text::noa.kpi_model::text = model::text AS text_round_trip FROM models WHERE how = 'join';
SELECT 'garbage'::noa.kpi_model;
SELECT 'kpi_model:v1:AAAA'::noa.kpi_model;

-- The decomposition adds up to the fitted KPI, media below the KPI.
SELECT count(DISTINCT d.day) AS days,
	bool_and(abs(d.total - f.fitted) <= 1e-6 * abs(f.fitted)) AS adds_up,
	bool_and(d.media <= f.kpi) AS media_below_kpi
FROM models m,
	LATERAL (SELECT day, sum(value) AS total, sum(value) FILTER (WHERE component_type = 'media') AS media
	         FROM noa.kpi_model_decomposition(m.model) GROUP BY day) d
	JOIN noa.kpi_model_fitted(m.model) f USING (day)
WHERE m.how = 'join';

-- Curves: KPI per day at a lasting daily spend; accessors, portfolio and allocator take them.
CREATE TABLE curves AS
SELECT ch.channel, noa.kpi_model_curve(m.model, ch.channel) AS curve, ch.current_spend::float8 AS current_spend, ch.mroas
FROM models m, noa.kpi_model_channels(m.model) ch WHERE m.how = 'join';
SELECT channel, noa.curve_model(curve), noa.curve_status(curve),
	-- current_spend is rounded to cents, so the slopes agree to about 1e-4
	abs(noa.marginal_roas(curve, current_spend) - mroas) <= 1e-3 * mroas AS mroas_matches
FROM curves ORDER BY channel;
SELECT noa.kpi_model_curve(model, 'nope') IS NULL AS unknown_is_null FROM models WHERE how = 'join';
SELECT a.row_type, a.key, a.current_spend, a.recommended_spend > 0 AS funded
FROM (SELECT noa.portfolio(channel, curve, current_spend) AS p FROM curves) q,
	noa.allocate(q.p, budget => 600) a
ORDER BY a.row_type DESC, a.key;

-- Diagnostics on clean data: statistics, and no warnings.
SELECT item, severity FROM models, noa.kpi_model_diagnostics(model) WHERE how = 'join' ORDER BY item;

-- Bad input that still fits gives warning rows, never confident numbers:
-- identical channels, zero and constant spend, a missing day, a negative KPI, NULLs.
CREATE TABLE bad_rows AS
SELECT s.day, s.channel, s.spend, k.orders AS kpi FROM spend_by_day s JOIN kpi_by_day k USING (day)
WHERE s.day <> '2024-06-01'
UNION ALL SELECT s.day, 'copy_of_ch_1', s.spend, k.orders FROM spend_by_day s JOIN kpi_by_day k USING (day)
	WHERE s.channel = 'ch_1' AND s.day <> '2024-06-01'
UNION ALL SELECT day, 'never_spent', 0, orders FROM kpi_by_day WHERE day <> '2024-06-01'
UNION ALL SELECT day, 'always_100', 100, orders FROM kpi_by_day WHERE day <> '2024-06-01'
UNION ALL SELECT '2024-06-02', 'ch_1', NULL, NULL;
UPDATE bad_rows SET kpi = -kpi WHERE day = '2024-07-01';
CREATE TABLE bad_model AS SELECT noa.fit_kpi_model(day, channel, spend, kpi) AS model FROM bad_rows;
SELECT item, channel, value, severity FROM bad_model, noa.kpi_model_diagnostics(model)
WHERE severity = 'warning' ORDER BY item, channel;
SELECT channel, roas, mroas, incrementality, note FROM bad_model, noa.kpi_model_channels(model)
WHERE note IS NOT NULL ORDER BY channel;

-- Errors: each says what to fix.
SELECT noa.fit_kpi_model(day, channel, spend, kpi) FROM bad_rows WHERE day < '2024-01-05';
SELECT noa.fit_kpi_model(s.day, s.channel, s.spend, k.orders + s.spend) FROM spend_by_day s JOIN kpi_by_day k USING (day);
SELECT noa.fit_kpi_model(day, channel, -spend, 1.0::float8) FROM spend_by_day;
SELECT noa.fit_kpi_model(day, channel, 'NaN'::float8, 1.0::float8) FROM spend_by_day;
SELECT noa.fit_kpi_model(day, channel, spend, 1.0::float8, NULL, 'sponsor', NULL) FROM spend_by_day;
SELECT noa.fit_kpi_model(day, channel, spend, 1.0::float8, NULL, 'media', 'max_lag=0') FROM spend_by_day;
SELECT noa.fit_kpi_model(day, channel, spend, 1.0::float8, NULL, 'control', NULL) FROM spend_by_day;
SELECT noa.fit_kpi_model(day, channel, 0::float8, orders) FROM kpi_by_day, (VALUES ('a'), ('b')) v(channel);
SELECT noa.fit_kpi_model(day, channel, spend, orders) IS NULL AS empty_is_null FROM spend_by_day JOIN kpi_by_day USING (day) WHERE false;
