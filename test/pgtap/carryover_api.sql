-- API contract of carryover: the time-aware fit_curve aggregates, the adstock
-- window aggregates, the carryover accessors, labels and error codes.
BEGIN;
SELECT plan(21);

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

-- A window sweep (the garden sweep calls aggregates only as plain aggregates): every
-- adstock window function, each argument after the day in turn at edge values, over a
-- short series with a gap.  Nothing may raise an internal error, and every answer is
-- finite and non-negative.
CREATE TEMP TABLE sweep_log (call text, sqlstate text, finite boolean);
CREATE FUNCTION pg_temp.sweep() RETURNS void LANGUAGE plpgsql AS $sweep$
DECLARE
	f record;
	i int;
	j int;
	v text;
	args text[];
	call text;
	bad int;
BEGIN
	FOR f IN SELECT p.oid::regproc::text AS fn, p.pronargs, ARRAY(SELECT unnest(p.proargtypes::oid[])::regtype::text) AS types
		FROM pg_proc p WHERE p.pronamespace = 'noa'::regnamespace AND p.proname LIKE 'adstock\_%' AND p.prokind = 'a'
	LOOP
		FOR i IN 2..f.pronargs LOOP
			FOREACH v IN ARRAY CASE f.types[i] WHEN 'integer' THEN ARRAY['0', '1', '(-1)', '3660', '3661', '2147483647']
				WHEN 'boolean' THEN ARRAY['true', 'false']
				ELSE ARRAY['0', '0.5', '1', '(-1)', '''NaN''', '''Infinity''', '''-Infinity''', '1e300', '1e-300'] END
			LOOP
				args := ARRAY[CASE WHEN f.types[1] = 'date' THEN 'd' ELSE '(d - DATE ''2024-01-01'')' END, 's'];
				FOR j IN 3..f.pronargs LOOP
					args := args || CASE WHEN j = i THEN format('%s::%s', v, f.types[j])
						WHEN f.types[j] = 'integer' THEN '4' WHEN f.types[j] = 'boolean' THEN 'true'
						WHEN f.fn = 'noa.adstock_delayed' AND j = 4 THEN '1::float8' ELSE '0.5::float8' END;
				END LOOP;
				IF i = 2 THEN
					args[2] := format('CASE WHEN d = DATE ''2024-01-03'' THEN %s::float8 ELSE s END', v);
				END IF;
				call := format('SELECT count(*) FILTER (WHERE NOT (a >= 0 AND a < ''Infinity'')) FROM (SELECT %s(%s) OVER (ORDER BY d) AS a '
					'FROM (VALUES (DATE ''2024-01-01'', 10::float8), (DATE ''2024-01-02'', 0), (DATE ''2024-01-03'', 5), '
					'(DATE ''2024-01-09'', 7)) v(d, s)) w', f.fn, array_to_string(args, ', '));
				BEGIN
					EXECUTE call INTO bad;
					INSERT INTO sweep_log VALUES (call, '00000', bad = 0);
				EXCEPTION WHEN OTHERS THEN
					INSERT INTO sweep_log VALUES (call, SQLSTATE, NULL);
				END;
			END LOOP;
		END LOOP;
	END LOOP;
END $sweep$;
SELECT lives_ok('SELECT pg_temp.sweep()', 'the adstock window sweep runs to the end');
SELECT is((SELECT count(*)::int FROM sweep_log WHERE sqlstate LIKE 'XX%' OR sqlstate LIKE '58%' OR finite = false), 0,
	'no internal error and no non-finite or negative answer in the adstock window sweep');

SELECT * FROM finish();
ROLLBACK;
