-- noa.fit_curve: recovery of known curves, model choice, GROUP BY, order
-- independence, degenerate groups, bad input and cancellation.
SET extra_float_digits = 0;

-- Deterministic data: each family with known parameters plus a fixed wobble.
CREATE TABLE truth (family text, b float8, p2 float8, p3 float8);
INSERT INTO truth VALUES
	('hill', 100, 800, 2), ('hill_concave', 60, 400, 0.7), ('exponential', 80, 600, NULL),
	('michaelis_menten', 150, 900, NULL), ('logistic', 90, 700, 0.006), ('tanh', 70, 500, NULL),
	('power', 2.5, 0.5, NULL), ('linear', 0.03, NULL, NULL);
CREATE TABLE points AS
SELECT t.family, x::float8 * 20 AS spend,
	CASE t.family
		WHEN 'hill' THEN t.b * (x * 20.0) ^ t.p3 / ((x * 20.0) ^ t.p3 + t.p2 ^ t.p3)
		WHEN 'hill_concave' THEN t.b * (x * 20.0) ^ t.p3 / ((x * 20.0) ^ t.p3 + t.p2 ^ t.p3)
		WHEN 'exponential' THEN t.b * (1 - exp(-(x * 20.0) / t.p2))
		WHEN 'michaelis_menten' THEN t.b * (x * 20.0) / (t.p2 + x * 20.0)
		WHEN 'logistic' THEN t.b * (1 / (1 + exp(-t.p3 * (x * 20.0 - t.p2))) - 1 / (1 + exp(t.p3 * t.p2)))
			/ (1 / (1 + exp(-t.p3 * t.p2)))
		WHEN 'tanh' THEN t.b * tanh(x * 20.0 / t.p2)
		WHEN 'power' THEN t.b * (x * 20.0) ^ t.p2
		WHEN 'linear' THEN t.b * x * 20.0
	END + 0.8 * sin(x * 7.31) AS response
FROM truth t, generate_series(1, 150) x;

CREATE TABLE fits AS
SELECT family, noa.fit_curve(spend, response,
	CASE family WHEN 'hill_concave' THEN 'hill' ELSE family END) AS c
FROM points GROUP BY family;

-- Every family converges and recovers its parameters within 3 standard errors.
SELECT f.family, s.model, s.status, s.n,
	round(s.b::numeric, 3) AS b, round(coalesce(s.k, s.m, s.a)::numeric, 3) AS second,
	round(coalesce(s.s, s.r)::numeric, 5) AS third,
	abs(s.b - t.b) <= 3 * s.b_se AS b_within_3se,
	coalesce(abs(coalesce(s.k, s.m, s.a) - t.p2) <= 3 * coalesce(s.k_se, s.m_se, s.a_se), true) AS second_within_3se,
	coalesce(abs(coalesce(s.s, s.r) - t.p3) <= 3 * coalesce(s.s_se, s.r_se), true) AS third_within_3se,
	s.r2 > 0.99 AS r2_above_099
FROM fits f JOIN truth t USING (family), noa.curve_summary(f.c) s
ORDER BY f.family;

-- 'auto' picks by AICc and records that it chose.
SELECT family, noa.curve_model(c) AS chosen, (c::jsonb ->> 'auto_selected')::boolean AS auto_selected
FROM (SELECT family, noa.fit_curve(spend, response, 'auto') AS c FROM points
	WHERE family IN ('hill', 'michaelis_menten', 'linear') GROUP BY family) a ORDER BY family;

-- The two-argument aggregate fits a Hill curve.
SELECT noa.curve_model(noa.fit_curve(spend, response)) FROM points WHERE family = 'hill';

-- Same answer whatever the row order (the final function sorts the points).
SELECT (SELECT noa.fit_curve(spend, response ORDER BY spend DESC) FROM points WHERE family = 'hill')::text
	= (SELECT noa.fit_curve(spend, response ORDER BY response, spend) FROM points WHERE family = 'hill')::text
	AS order_independent;

-- NULL rows are skipped like any SQL aggregate does.
SELECT noa.fit_curve(spend, response)::text = (SELECT noa.fit_curve(spend, response) FROM points WHERE family = 'hill')::text
	AS nulls_skipped
FROM (SELECT spend, response FROM points WHERE family = 'hill'
	UNION ALL SELECT NULL, 5 UNION ALL SELECT 5, NULL) p;

-- Degenerate groups give a status, not an error.
SELECT g, noa.curve_status(c) AS status, noa.curve_model(c) AS model, noa.response(c, 10) AS response
FROM (VALUES
	('one point', (SELECT noa.fit_curve(1, 1))),
	('two points', (SELECT noa.fit_curve(x, x) FROM generate_series(1, 2) x)),
	('constant spend', (SELECT noa.fit_curve(7, x) FROM generate_series(1, 40) x)),
	('all zero', (SELECT noa.fit_curve(0, 0) FROM generate_series(1, 40) x)),
	('zero spend, some response', (SELECT noa.fit_curve(0, x) FROM generate_series(1, 40) x))
) v(g, c) ORDER BY g;
SELECT noa.fit_curve(x, y) IS NULL AS empty_group_is_null FROM (VALUES (1::float8, 1::float8)) v(x, y) WHERE false;

-- Constant response: the curve is flat in spend, said through its status or a near-zero slope.
SELECT noa.curve_status(c) IN ('converged', 'max_iterations', 'not_identifiable') AS has_status,
	coalesce(noa.marginal_roas(c, 500) < 0.01, true) AS no_marginal_return
FROM (SELECT noa.fit_curve(x * 10, 7) AS c FROM generate_series(1, 50) x) s;

-- Bad input.
SELECT noa.fit_curve(x, y) FROM (VALUES (1::float8, 'NaN'::float8)) v(x, y);
SELECT noa.fit_curve(x, y) FROM (VALUES ('-Infinity'::float8, 1::float8)) v(x, y);
SELECT noa.fit_curve(x, y) FROM (VALUES (-3::float8, 1::float8)) v(x, y);
SELECT noa.fit_curve(x, y) FROM (VALUES (3::float8, -1::float8)) v(x, y);
SELECT noa.fit_curve(x, y, 'cubic') FROM (VALUES (1::float8, 1::float8)) v(x, y);
SELECT noa.fit_curve(x, y, NULL) FROM (VALUES (1::float8, 1::float8)) v(x, y);
SELECT noa.fit_curve(x, y, m) FROM (VALUES (1::float8, 1::float8, 'hill'), (2, 2, 'power')) v(x, y, m);
SET noa.max_points = 100;
SELECT noa.fit_curve(x, x) FROM generate_series(1, 101) x;
RESET noa.max_points;

-- A long fit stays cancellable: statement_timeout interrupts it inside the solver.
CREATE TABLE many_points AS SELECT (x % 5000)::float8 AS spend, 50 * (x % 5000) / ((x % 5000) + 900.0) + (x % 7) AS response
FROM generate_series(1, 400000) x;
SET statement_timeout = '300ms';
SELECT noa.fit_curve(spend, response, 'auto') FROM many_points;
RESET statement_timeout;
