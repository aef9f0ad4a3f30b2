-- Currency and response unit on every row where money or a response appears:
-- noa.allocate, allocation_summary, simulate, curve_summary and curve_points
-- repeat the labels they are given, NULL when not given; an empty label is
-- refused; NULL in any other argument of the curve reports still gives NULL.
BEGIN;
SELECT plan(14);

CREATE TEMP TABLE lbl_curve AS
SELECT k AS key, noa.fit_curve(x, (800 + 100 * k) * x / (x + 600 + 50 * k)) AS c
FROM generate_series(1, 3) AS k, generate_series(20, 2000, 20) AS x GROUP BY k;
CREATE TEMP TABLE lbl_pf AS
SELECT noa.portfolio('c' || key, c, 500, CASE WHEN key = 1 THEN 'search' ELSE 'social' END, 30) AS pf FROM lbl_curve;

-- Every function that shows money or a response has the two columns, as text.
SELECT is((SELECT string_agg(p.proname, ', ' ORDER BY p.proname) FROM pg_proc p
	WHERE p.pronamespace = 'noa'::regnamespace
	  AND p.proname IN ('allocate', 'allocation_summary', 'simulate', 'curve_summary', 'curve_points')
	  AND (SELECT count(*) FROM unnest(p.proargnames, p.proargmodes, p.proallargtypes) AS a(n, m, t)
	       WHERE m IN ('o', 't') AND n IN ('currency', 'response_unit') AND t = 'text'::regtype) = 2
	  AND (SELECT count(*) FROM unnest(p.proargnames, p.proargmodes) AS a(n, m)
	       WHERE m = 'i' AND n IN ('currency', 'response_unit')) = 2),
	'allocate, allocation_summary, curve_points, curve_summary, simulate',
	'each takes currency and response_unit and returns them as text columns');

SELECT is((SELECT count(*)::int FROM lbl_pf, noa.allocate(pf, 1500, currency => 'EUR', response_unit => 'orders') a
	WHERE a.currency = 'EUR' AND a.response_unit = 'orders'), 4, 'allocate: every item and the total row carry the labels');
SELECT is((SELECT count(*)::int FROM lbl_pf, noa.allocate(pf, 1500) a WHERE a.currency IS NULL AND a.response_unit IS NULL), 4,
	'allocate: NULL labels when not given');
SELECT is((SELECT (s.currency, s.response_unit)::text FROM lbl_pf, noa.allocation_summary(pf, 1500, currency => 'USD', response_unit => 'sign-ups') s),
	'(USD,sign-ups)', 'allocation_summary carries the labels');
SELECT is((SELECT count(*)::int FROM lbl_pf, noa.simulate(pf, 'raise c1 by 10%', currency => 'EUR', response_unit => 'EUR revenue') s
	WHERE s.currency = 'EUR' AND s.response_unit = 'EUR revenue'), 4, 'simulate: every row carries the labels');
SELECT is((SELECT count(*)::int FROM lbl_curve, noa.curve_summary(c, 1, 30, currency => 'GBP', response_unit => 'leads') s
	WHERE s.currency = 'GBP' AND s.response_unit = 'leads'), 3, 'curve_summary carries the labels');
SELECT is((SELECT count(*)::int FROM lbl_curve, noa.curve_points(c, 1000, 6, currency => 'GBP', response_unit => 'leads') p
	WHERE p.currency = 'GBP' AND p.response_unit = 'leads'), 18, 'curve_points: every point carries the labels');
SELECT is((SELECT count(*)::int FROM lbl_curve, noa.curve_points(c, 1000, 6) p WHERE p.currency IS NULL AND p.response_unit IS NULL), 18,
	'curve_points: NULL labels when not given');

-- Not STRICT for the labels' sake, yet NULL anywhere else still means no answer.
SELECT is((SELECT s.model FROM noa.curve_summary(NULL::noa.curve) s), NULL, 'curve_summary of a NULL curve is NULL');
SELECT is((SELECT count(*)::int FROM lbl_curve, noa.curve_summary(c, NULL) s WHERE s.model IS NOT NULL), 0,
	'curve_summary with a NULL target is NULL');
SELECT is((SELECT count(*)::int FROM lbl_curve, noa.curve_points(c, NULL)), 0, 'curve_points with a NULL max_spend has no rows');

-- Bad labels.
SELECT throws_ok($$SELECT * FROM lbl_pf, noa.allocate(pf, 1500, currency => '  ')$$, '22023', 'currency must not be empty',
	'allocate: an empty currency is refused (22023)');
SELECT throws_ok($$SELECT * FROM lbl_curve, noa.curve_points(c, 1000, response_unit => '')$$, '22023', 'response_unit must not be empty',
	'curve_points: an empty response_unit is refused (22023)');
SELECT throws_ok($$SELECT * FROM lbl_pf, noa.simulate(pf, NULL, currency => repeat('x', 65))$$, '22023',
	'currency is longer than 64 characters', 'simulate: an overlong label is refused (22023)');

SELECT * FROM finish();
ROLLBACK;
