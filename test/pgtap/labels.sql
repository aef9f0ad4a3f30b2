-- Labels are promises: functions whose result depends on a setting are not
-- IMMUTABLE, and the prescriptive functions do not pay for JIT compilation of
-- their generated queries (seconds of uncancellable work).
BEGIN;
SELECT plan(12);

-- Binary send/receive of noa.portfolio convert keys to and from client_encoding.
SELECT is((SELECT provolatile FROM pg_proc WHERE oid = 'noa.portfolio_send(noa.portfolio)'::regprocedure), 's',
	'portfolio_send is STABLE (depends on client_encoding)');
SELECT is((SELECT provolatile FROM pg_proc WHERE oid = 'noa.portfolio_recv(internal)'::regprocedure), 's',
	'portfolio_recv is STABLE (depends on client_encoding)');

-- The fit aggregate's point-adding functions read noa.max_points.
SELECT is((SELECT provolatile FROM pg_proc WHERE oid = 'noa.fit_curve_sfunc(internal, float8, float8)'::regprocedure), 's',
	'fit_curve_sfunc is STABLE (reads noa.max_points)');
SELECT is((SELECT provolatile FROM pg_proc WHERE oid = 'noa.fit_curve_model_sfunc(internal, float8, float8, text)'::regprocedure), 's',
	'fit_curve_model_sfunc is STABLE (reads noa.max_points)');
SELECT is((SELECT provolatile FROM pg_proc WHERE oid = 'noa.fit_curve_timed_sfunc(internal, date, float8, float8)'::regprocedure), 's',
	'fit_curve_timed_sfunc is STABLE (reads noa.max_points)');
SELECT is((SELECT provolatile FROM pg_proc WHERE oid = 'noa.fit_curve_timed_model_sfunc(internal, date, float8, float8, text)'::regprocedure), 's',
	'fit_curve_timed_model_sfunc is STABLE (reads noa.max_points)');
SELECT is((SELECT provolatile FROM pg_proc WHERE oid = 'noa.fit_curve_combine(internal, internal)'::regprocedure), 's',
	'fit_curve_combine is STABLE (reads noa.max_points)');
SELECT is((SELECT provolatile FROM pg_proc WHERE oid = 'noa.fit_curve_deserial(bytea, internal)'::regprocedure), 's',
	'fit_curve_deserial is STABLE (reads noa.max_points)');

-- No JIT for the generated queries of the prescriptive functions.
SELECT ok((SELECT 'jit=off' = ANY (proconfig) FROM pg_proc WHERE proname = 'data_quality'
	AND pronamespace = 'noa'::regnamespace), 'data_quality runs with jit = off');
SELECT ok((SELECT 'jit=off' = ANY (proconfig) FROM pg_proc WHERE proname = 'waste'
	AND pronamespace = 'noa'::regnamespace), 'waste runs with jit = off');
SELECT ok((SELECT 'jit=off' = ANY (proconfig) FROM pg_proc WHERE proname = 'recommendations'
	AND pronamespace = 'noa'::regnamespace), 'recommendations runs with jit = off');
SELECT ok((SELECT 'jit=off' = ANY (proconfig) FROM pg_proc WHERE proname = '_campaign_state'
	AND pronamespace = 'noa'::regnamespace), '_campaign_state runs with jit = off');

SELECT * FROM finish();
ROLLBACK;
