-- API contract of carryover: the time-aware fit_curve aggregates, the adstock
-- window aggregates, the carryover accessors, labels and error codes.
BEGIN;
SELECT plan(19);

-- The time-aware fit: parallel / partial aggregation like the same-day one.
SELECT ok(EXISTS (SELECT 1 FROM pg_aggregate a WHERE a.aggfnoid = 'noa.fit_curve(date, float8, float8)'::regprocedure
	AND a.aggcombinefn <> 0 AND a.aggserialfn <> 0 AND a.aggdeserialfn <> 0 AND a.aggfinalmodify = 'r'),
	'fit_curve(day, spend, response) has combine, serial and deserial, read-only final');
SELECT ok(EXISTS (SELECT 1 FROM pg_aggregate a WHERE a.aggfnoid = 'noa.fit_curve(date, float8, float8, text)'::regprocedure
	AND a.aggcombinefn <> 0 AND a.aggserialfn <> 0 AND a.aggdeserialfn <> 0 AND a.aggfinalmodify = 'r'),
	'fit_curve(day, spend, response, model) has combine, serial and deserial, read-only final');
SELECT is((SELECT string_agg(proparallel::text, '') FROM pg_proc WHERE oid IN ('noa.fit_curve(date, float8, float8)'::regprocedure,
	'noa.fit_curve(date, float8, float8, text)'::regprocedure)), 'ss', 'time-aware fit_curve is parallel safe');

-- Adstock window aggregates: final functions never modify the state a window frame reuses.
SELECT is((SELECT count(*)::int FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
	WHERE p.pronamespace = 'noa'::regnamespace AND p.proname LIKE 'adstock\_%' AND a.aggfinalmodify = 'r'), 10,
	'ten adstock aggregates (date and period forms), all with read-only final functions');
SELECT has_function('noa', 'adstock_geometric', ARRAY['date', 'double precision', 'double precision'], 'adstock_geometric(day, spend, theta)');
SELECT has_function('noa', 'adstock_geometric', ARRAY['date', 'double precision', 'double precision', 'integer', 'boolean'],
	'adstock_geometric(day, spend, theta, max_lag, normalized)');
SELECT has_function('noa', 'adstock_delayed', ARRAY['date', 'double precision', 'double precision', 'double precision', 'integer', 'boolean'],
	'adstock_delayed(day, spend, alpha, theta, max_lag, normalized)');

-- Accessors.
SELECT is(string_agg(p.oid::regprocedure::text, ', ' ORDER BY 1), NULL, 'carryover accessors are IMMUTABLE STRICT PARALLEL SAFE')
FROM pg_proc p WHERE p.pronamespace = 'noa'::regnamespace AND p.proname IN ('curve_carryover', 'marginal_roas_same_day')
	AND NOT (p.provolatile = 'i' AND p.proisstrict AND p.proparallel = 's');
SELECT is((SELECT array_agg(n ORDER BY o) FROM unnest(
	(SELECT proargnames FROM pg_proc WHERE oid = 'noa.curve_carryover(noa.curve)'::regprocedure),
	(SELECT proargmodes::text[] FROM pg_proc WHERE oid = 'noa.curve_carryover(noa.curve)'::regprocedure))
	WITH ORDINALITY AS x(n, m, o) WHERE m = 'o'),
	ARRAY['carryover', 'period_days', 'theta', 'theta_se', 'half_life_days', 'long_run_multiplier', 'same_day_share', 'at_bound', 'answers', 'note'],
	'curve_carryover columns');
SELECT is((SELECT answers FROM noa.curve_carryover((SELECT noa.fit_curve(x, 10 * x / (x + 5)) FROM generate_series(1, 30) x))),
	'same_day', 'a curve fitted without days answers the same day');

-- Error codes.
CREATE TEMP TABLE days AS SELECT DATE '2024-01-01' + t AS day, 100 + 50 * (t % 5)::float8 AS spend,
	(100 + 50 * (t % 5)) / 10.0 AS response FROM generate_series(0, 59) t;
SELECT throws_ok('SELECT noa.fit_curve(day, spend, response) FROM (SELECT * FROM days UNION ALL SELECT * FROM days WHERE day = DATE ''2024-01-05'') s',
	'21000', NULL, 'a repeated day is a cardinality violation');
SELECT throws_ok('SELECT noa.fit_curve(day, NULL::float8, response) FROM days', '22004', NULL, 'a NULL spend is refused');
SELECT throws_ok('SELECT noa.fit_curve(day, -spend, response) FROM days', '22023', NULL, 'a negative spend is refused');
SELECT lives_ok('SELECT noa.fit_curve(day, spend, NULL::float8) FROM days', 'NULL responses are days without an observation');
SELECT throws_ok('SELECT noa.adstock_geometric(day, spend, 0.5) FROM days', '42809', NULL, 'adstock outside a window is refused');
SELECT throws_ok('SELECT noa.adstock_geometric(day, spend, 1.0) OVER (ORDER BY day) FROM days', '22023', NULL, 'theta 1 is refused');
SELECT throws_ok('SELECT noa.adstock_weibull_cdf(day, spend, -1, 0.5, 5) OVER (ORDER BY day) FROM days', '22023', NULL, 'negative shape is refused');
SELECT throws_ok('SELECT noa.adstock_geometric(day, spend, 0.5) OVER (ORDER BY day DESC) FROM days', '22023', NULL, 'days going backwards are refused');
SELECT throws_ok($$SELECT 'v2:hill;carryover=geometric'::noa.curve$$, '22P02', NULL, 'a truncated version-2 literal is a syntax error');

SELECT * FROM finish();
ROLLBACK;
