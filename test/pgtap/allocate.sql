-- API contract of budget allocation and scenarios: the portfolio type and
-- aggregate, allocate / allocation_summary / simulate signatures, result
-- columns and types, labels, comments, properties of the answers, and the
-- SQLSTATEs of bad input.
BEGIN;
SELECT plan(45);

-- The type and its casts.
SELECT has_type('noa', 'portfolio', 'type noa.portfolio exists');
SELECT has_cast('noa.portfolio', 'jsonb', 'noa.portfolio casts to jsonb');
SELECT is((SELECT typsend <> 0 AND typreceive <> 0 FROM pg_type WHERE oid = 'noa.portfolio'::regtype), true,
	'noa.portfolio has binary send and receive');

-- The aggregate: three signatures, each a parallel partial aggregate.
SELECT has_function('noa', 'portfolio', ARRAY['text', 'noa.curve', 'double precision'],
	'portfolio(key, curve, current_spend)');
SELECT has_function('noa', 'portfolio', ARRAY['text', 'noa.curve', 'double precision', 'text', 'double precision'],
	'portfolio(key, curve, current_spend, group_name, value_per_unit)');
SELECT has_function('noa', 'portfolio', ARRAY['text', 'noa.curve', 'double precision', 'double precision',
	'double precision', 'text', 'double precision', 'boolean'],
	'portfolio(key, curve, current_spend, min_spend, max_spend, group_name, value_per_unit, locked)');
SELECT is((SELECT count(*)::int FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
	WHERE p.pronamespace = 'noa'::regnamespace AND p.proname = 'portfolio'
		AND a.aggcombinefn <> 0 AND a.aggserialfn <> 0 AND a.aggdeserialfn <> 0 AND p.proparallel = 's'), 3,
	'every portfolio aggregate has combine, serial and deserial and is parallel safe');
SELECT is((SELECT prorettype::regtype::text FROM pg_proc WHERE oid = 'noa.portfolio(text, noa.curve, float8)'::regprocedure),
	'noa.portfolio', 'the aggregate returns noa.portfolio');

-- The readers: signatures, labels and comments.
SELECT has_function('noa', 'allocate', ARRAY['noa.portfolio', 'double precision', 'text', 'double precision',
	'double precision', 'double precision', 'text', 'text', 'text', 'text', 'double precision', 'text', 'text'], 'allocate(...) exists');
SELECT has_function('noa', 'allocation_summary', ARRAY['noa.portfolio', 'double precision', 'text', 'double precision',
	'double precision', 'double precision', 'text', 'text', 'text', 'text', 'double precision', 'text', 'text'], 'allocation_summary(...) exists');
SELECT has_function('noa', 'simulate', ARRAY['noa.portfolio', 'text', 'double precision', 'text', 'text'], 'simulate(...) exists');
SELECT is(string_agg(p.oid::regprocedure::text, ', '), NULL,
	'allocate, allocation_summary and simulate are IMMUTABLE, PARALLEL SAFE and not STRICT (NULL means not given)')
FROM pg_proc p WHERE p.pronamespace = 'noa'::regnamespace AND p.proname IN ('allocate', 'allocation_summary', 'simulate')
	AND NOT (p.provolatile = 'i' AND p.proparallel = 's' AND NOT p.proisstrict);
SELECT is((SELECT string_agg(proname || '=' || proretset, ', ' ORDER BY proname) FROM pg_proc
	WHERE pronamespace = 'noa'::regnamespace AND proname IN ('allocate', 'allocation_summary', 'simulate')),
	'allocate=true, allocation_summary=false, simulate=true', 'allocate and simulate return sets, the summary one row');
SELECT is(string_agg(p.oid::regprocedure::text, ', '), NULL, 'every public allocation function has a comment')
FROM pg_proc p WHERE p.pronamespace = 'noa'::regnamespace
	AND p.proname IN ('allocate', 'allocation_summary', 'simulate', 'portfolio', 'portfolio_to_jsonb')
	AND obj_description(p.oid, 'pg_proc') IS NULL;
SELECT isnt(obj_description('noa.portfolio'::regtype, 'pg_type'), NULL, 'noa.portfolio has a comment');

-- Arguments: names, defaults, and only BI-friendly types besides the portfolio.
SELECT is((SELECT array_to_string(proargnames[1:13], ',') FROM pg_proc WHERE proname = 'allocate'
	AND pronamespace = 'noa'::regnamespace),
	'portfolio,budget,objective,target,max_increase,max_decrease,group_min_share,group_max_share,group_min_spend,group_max_spend,level,currency,response_unit',
	'allocate argument names');
SELECT is((SELECT pronargdefaults FROM pg_proc WHERE proname = 'allocate' AND pronamespace = 'noa'::regnamespace), 12::int2,
	'every allocate argument but the portfolio has a default');
SELECT is((SELECT array_to_string(proargnames[1:5], ',') || '/' || pronargdefaults FROM pg_proc WHERE proname = 'simulate'
	AND pronamespace = 'noa'::regnamespace), 'portfolio,changes,level,currency,response_unit/4', 'simulate argument names and defaults');
SELECT is(count(*)::int, 0, 'arguments are text, float8, numeric, integer, boolean or date (besides the portfolio)')
FROM pg_proc p, unnest(p.proargtypes::oid[]) t
WHERE p.pronamespace = 'noa'::regnamespace AND p.proname IN ('allocate', 'allocation_summary', 'simulate')
	AND t NOT IN ('noa.portfolio'::regtype, 'text'::regtype, 'float8'::regtype, 'numeric'::regtype, 'int4'::regtype,
		'bool'::regtype, 'date'::regtype);

-- Result columns: names and types, flat scalars only.
CREATE FUNCTION pg_temp.out_columns(fn text) RETURNS text LANGUAGE sql AS $$
	SELECT string_agg(n || ' ' || format_type(t, NULL), ', ' ORDER BY o)
	FROM pg_proc p, unnest(p.proargnames, p.proallargtypes, p.proargmodes) WITH ORDINALITY u(n, t, m, o)
	WHERE p.pronamespace = 'noa'::regnamespace AND p.proname = fn AND u.m = 'o'
$$;
SELECT is(pg_temp.out_columns('allocate'),
	'row_type text, key text, group_name text, status text, current_spend numeric, recommended_spend numeric, '
	'delta_spend numeric, delta_pct double precision, min_spend numeric, max_spend numeric, response_now double precision, '
	'response_now_lo double precision, response_now_hi double precision, response_after double precision, '
	'response_after_lo double precision, response_after_hi double precision, value_now numeric, value_after numeric, '
	'roas_now double precision, roas_after double precision, cpa_now numeric, cpa_after numeric, '
	'marginal_roas_now double precision, marginal_roas_after double precision, marginal_roas_after_lo double precision, '
	'marginal_roas_after_hi double precision, binding_constraint text, extrapolated boolean, currency text, '
	'response_unit text, explanation text',
	'allocate result columns');
SELECT is(pg_temp.out_columns('allocation_summary'),
	'objective_name text, status text, method text, budget_amount numeric, target_value double precision, items integer, '
	'items_allocated integer, items_locked integer, items_excluded integer, items_s_shaped integer, current_spend numeric, '
	'recommended_spend numeric, unspent_budget numeric, unspent_reason text, response_now double precision, '
	'response_after double precision, response_after_lo double precision, response_after_hi double precision, '
	'value_now numeric, value_after numeric, value_gain numeric, roas_now double precision, roas_after double precision, '
	'cpa_now numeric, cpa_after numeric, marginal_level double precision, objective_value double precision, '
	'dual_bound double precision, optimality_gap double precision, optimality_gap_rel double precision, '
	'solver_passes integer, currency text, response_unit text, explanation text',
	'allocation_summary result columns');
SELECT is(pg_temp.out_columns('simulate'),
	'row_type text, key text, group_name text, status text, current_spend numeric, proposed_spend numeric, '
	'delta_spend numeric, delta_pct double precision, response_now double precision, response_now_lo double precision, '
	'response_now_hi double precision, response_after double precision, response_after_lo double precision, '
	'response_after_hi double precision, delta_response double precision, delta_response_lo double precision, '
	'delta_response_hi double precision, value_now numeric, value_after numeric, delta_value numeric, cpa_now numeric, '
	'cpa_after numeric, roas_now double precision, roas_after double precision, marginal_roas_now double precision, '
	'marginal_roas_after double precision, extrapolated boolean, currency text, response_unit text, explanation text',
	'simulate result columns');

-- A portfolio to question.
CREATE TEMP TABLE tap_items (id text, role text, c noa.curve, spend float8, vpu float8);
INSERT INTO tap_items
SELECT 'c' || i, CASE WHEN i % 3 = 0 THEN 'awareness' ELSE 'conversion' END,
	format('v1:%s;status=converged;n=60;iterations=5;starts=2;converged_starts=2;flags=0;params=%s,%s,%s;'
		'cov=4,1,0,1,100,0,0,0,%s;ssr=50;sigma=0.9;r2=0.95;aicc=5;x_min=50;x_max=3000;x_mean=800;y_mean=40',
		CASE WHEN i % 4 = 0 THEN 'exponential' ELSE 'hill' END, 50 + 10 * i, 300 + 50 * i,
		CASE WHEN i % 4 = 0 THEN 0 ELSE 0.5 + 0.02 * i END, CASE WHEN i % 4 = 0 THEN 0 ELSE 0.0001 END)::noa.curve,
	200 + 40 * i, 10 + i
FROM generate_series(1, 24) i;
CREATE TEMP TABLE tap_pf AS SELECT noa.portfolio(id, c, spend, role, vpu) AS p FROM tap_items;

SELECT is((SELECT count(*)::int FROM tap_pf, noa.allocate(p, budget => 20000)), 25, 'one row per item plus a total row');
SELECT cmp_ok((SELECT abs(sum(recommended_spend) FILTER (WHERE row_type = 'item') - 20000) FROM tap_pf,
	noa.allocate(p, budget => 20000)), '<=', 0.005::numeric, 'the recommended spends add up to the budget (to the cent)');
SELECT cmp_ok((SELECT sum(recommended_spend) FROM tap_pf, noa.allocate(p, budget => 20000, group_min_share => 'awareness=0.6') a
	WHERE a.row_type = 'item' AND a.group_name = 'awareness'), '>=', 11999.99::numeric, 'a group minimum share holds');
SELECT is((SELECT count(*)::int FROM tap_pf, noa.allocate(p, budget => 20000, max_increase => 0.2, max_decrease => 0.1)
	WHERE row_type = 'item' AND NOT (recommended_spend BETWEEN round(current_spend * 0.9, 2) - 0.01
		AND round(current_spend * 1.2, 2) + 0.01)), 0, 'relative limits hold for every item');
SELECT is((SELECT status FROM tap_pf, noa.allocation_summary(p, budget => 20000)), 'optimal',
	'concave curves: the answer is certified optimal');
SELECT cmp_ok((SELECT optimality_gap_rel FROM tap_pf, noa.allocation_summary(p, budget => 20000)), '<=', 1e-9::float8,
	'the certified relative gap is at most 1e-9');
-- Rows are evaluated at the spends rounded to cents, so a marginal return may
-- differ from the level by what a cent of spend changes it (and no more).
SELECT is((SELECT count(*)::int FROM tap_pf, noa.allocate(p, budget => 20000) a JOIN tap_items i ON i.id = a.key
	WHERE a.row_type = 'item' AND a.binding_constraint = 'budget'
		AND abs(a.marginal_roas_after - (SELECT marginal_level FROM tap_pf q, noa.allocation_summary(q.p, budget => 20000)))
			> abs(noa.marginal_roas(i.c, a.recommended_spend::float8 - 0.01, i.vpu)
				- noa.marginal_roas(i.c, a.recommended_spend::float8 + 0.01, i.vpu)) + 1e-9), 0,
	'every freely set item ends at the common marginal level (KKT, up to a cent of spend)');
SELECT is((SELECT count(*)::int FROM tap_pf, noa.allocate(p, objective => 'max_profit', target => 1.5) a JOIN tap_items i ON i.id = a.key
	WHERE a.row_type = 'item' AND a.binding_constraint = 'target_mroas'
		AND abs(a.marginal_roas_after - 1.5) > abs(noa.marginal_roas(i.c, a.recommended_spend::float8 - 0.01, i.vpu)
			- noa.marginal_roas(i.c, a.recommended_spend::float8 + 0.01, i.vpu)) + 1e-9), 0,
	'max_profit: every free item stops at the target marginal ROAS (up to a cent of spend)');
SELECT is((SELECT count(*)::int FROM tap_pf, noa.allocate(p, budget => 20000) a
	WHERE a.response_now::text IN ('NaN', 'Infinity', '-Infinity') OR a.marginal_roas_after::text IN ('NaN', 'Infinity')
		OR a.roas_after::text IN ('NaN', 'Infinity') OR a.delta_pct::text IN ('NaN', 'Infinity', '-Infinity')), 0,
	'no NaN or Infinity in the results');
SELECT is((SELECT string_agg(DISTINCT s.status, ',') FROM tap_pf, noa.simulate(p, 'move 20% from c1 to c2') s
	WHERE s.key IN ('c1', 'c2')), 'changed', 'simulate reports the changed items');
SELECT is((SELECT proposed_spend FROM tap_pf, noa.simulate(p, 'move 20% from c1 to c2') WHERE row_type = 'total'),
	(SELECT current_spend FROM tap_pf, noa.simulate(p) WHERE row_type = 'total'), 'a transfer keeps the total spend');
SELECT is((SELECT p::text FROM tap_pf), (SELECT noa.portfolio(id, c, spend, role, vpu ORDER BY id DESC)::text FROM tap_items),
	'the portfolio does not depend on row order');

-- Bad input and its SQLSTATEs.
SELECT throws_ok($$SELECT * FROM tap_pf, noa.allocate(p, budget => -1)$$, '22023', NULL, 'negative budget: 22023');
SELECT throws_ok($$SELECT * FROM tap_pf, noa.allocate(p, budget => 'NaN')$$, '22023', NULL, 'NaN budget: 22023');
SELECT throws_ok($$SELECT * FROM tap_pf, noa.allocate(p, budget => 100, objective => 'maximize')$$, '22023', NULL,
	'unknown objective: 22023');
SELECT throws_ok($$SELECT * FROM tap_pf, noa.allocate(p, budget => 5000, max_decrease => 0)$$, '22023', NULL,
	'a budget below the items'' minimums: 22023');
SELECT throws_ok($$SELECT * FROM tap_pf, noa.allocate(p, budget => 5000, group_min_share => 'awareness=0.8, conversion=0.3')$$,
	'22023', NULL, 'minimum shares above 100%: 22023');
SELECT throws_ok($$SELECT * FROM tap_pf, noa.allocate(p, budget => 5000, group_min_share => 'brand=0.1')$$, '22023', NULL,
	'unknown group: 22023');
SELECT throws_ok($$SELECT noa.portfolio(id, c, spend, 900, 100, role, vpu, false) FROM tap_items$$, '22023', NULL,
	'min_spend above max_spend: 22023');
SELECT throws_ok($$SELECT noa.portfolio(NULL::text, c, spend) FROM tap_items$$, '22004', NULL, 'NULL key: 22004');
SELECT throws_ok($$SELECT * FROM tap_pf, noa.simulate(p, 'move 20% to c2')$$, '22023', NULL, 'simulate syntax error: 22023');
SELECT throws_ok($$SELECT * FROM tap_pf, noa.simulate(p, 'cut nowhere by 10')$$, '22023', NULL, 'simulate unknown key: 22023');
SELECT throws_ok($$SELECT '{"version": 1}'::noa.portfolio$$, '22P02', NULL, 'malformed portfolio text: 22P02');

SELECT * FROM finish();
ROLLBACK;
