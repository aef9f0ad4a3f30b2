-- Runs on noa 0.1.0 (its functions only): fits curves of every family and
-- builds portfolios from deterministic rows and stores them in tables, as an
-- analyst's database holds them before ALTER EXTENSION noa UPDATE.
SET client_min_messages = warning;
CREATE TABLE upg_points AS
SELECT f.family, (40 * k)::float8 AS spend,
       (900 * (40 * k) / (40 * k + 700.0) * (1 + 0.04 * sin(k * 1.7)))::float8 AS response
FROM unnest(ARRAY['hill', 'exponential', 'michaelis_menten', 'logistic', 'tanh', 'power', 'linear', 'auto']) AS f(family),
     generate_series(1, 45) AS k;

CREATE TABLE upg_curve (id text PRIMARY KEY, c noa.curve NOT NULL);
INSERT INTO upg_curve
SELECT family, noa.fit_curve(spend, response, family) FROM upg_points GROUP BY family;
INSERT INTO upg_curve
SELECT 'default', noa.fit_curve(spend, response) FROM upg_points WHERE family = 'hill';
INSERT INTO upg_curve	-- too few points: a curve that carries its status instead of parameters
SELECT 'two_points', noa.fit_curve(spend, response) FROM upg_points WHERE family = 'hill' AND spend <= 80;

CREATE TABLE upg_portfolio (id text PRIMARY KEY, p noa.portfolio NOT NULL);
INSERT INTO upg_portfolio
SELECT 'plain', noa.portfolio(id, c, 400 + length(id) * 10) FROM upg_curve WHERE id <> 'two_points';
INSERT INTO upg_portfolio
SELECT 'grouped', noa.portfolio(id, c, 300 + length(id) * 20, CASE WHEN id < 'l' THEN 'search' ELSE 'social' END, 45)
FROM upg_curve WHERE id <> 'two_points';
INSERT INTO upg_portfolio
SELECT 'bounded', noa.portfolio(id, c, 500, 100, 1500, NULL, 30 + length(id), id = 'tanh')
FROM upg_curve WHERE id IN ('hill', 'tanh', 'power', 'logistic');
