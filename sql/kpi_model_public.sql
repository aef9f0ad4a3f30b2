-- The KPI model on public data with known truth (PyMC-Marketing, Apache-2.0;
-- see test/data/mmm/LICENSE.md for the data-generating processes).
SET extra_float_digits = 0;

-- mmm_example.csv: weekly, two channels, two one-week events given as controls.
CREATE TABLE mmm_example (date_week date, y float8, x1 float8, x2 float8, event_1 float8, event_2 float8,
	dayofyear int, t int);
\copy mmm_example FROM 'test/data/mmm/mmm_example.csv' WITH (FORMAT csv, HEADER true)

-- The analyst's shape: one row per day and series; events carry role 'event'.
CREATE TABLE example_rows AS
SELECT e.date_week AS day, r.channel, r.value, e.y AS kpi, r.role
FROM mmm_example e,
	LATERAL (VALUES ('x1', e.x1, 'media'), ('x2', e.x2, 'media'),
	                ('event_1', e.event_1, 'event'), ('event_2', e.event_2, 'event')) AS r(channel, value, role);

CREATE TABLE example_model AS
SELECT noa.fit_kpi_model(day, channel, value, kpi, NULL, role, NULL) AS model FROM example_rows;

-- Truth: ROAS 4968 / 2275 per unit of spend, adstock 0.4 / 0.2, shares 29.1% / 7.0% of all sales.
CREATE TEMP TABLE example_truth (channel text, roas float8, alpha float8, share float8);
INSERT INTO example_truth VALUES ('x1', 274848 / 55.33, 0.4, 0.291), ('x2', 65906 / 28.97, 0.2, 0.070);

SELECT c.channel, round(c.roas::numeric, -1) AS roas, round(t.roas::numeric, -1) AS true_roas,
	abs(c.roas / t.roas - 1) <= 0.10 AS roas_within_10pct,
	t.roas BETWEEN c.roas_lo AND c.roas_hi AS roas_in_interval,
	round(c.adstock_alpha::numeric, 2) AS alpha, abs(c.adstock_alpha - t.alpha) <= 0.05 AS alpha_within_005,
	round(c.share::numeric, 3) AS share, abs(c.share - t.share) <= 0.03 AS share_within_3pt,
	c.saturation, c.note
FROM example_model, noa.kpi_model_channels(model) c JOIN example_truth t USING (channel)
ORDER BY c.channel;

SELECT round(value::numeric, 3) AS nrmse, value <= 0.05 AS nrmse_at_most_005
FROM example_model, noa.kpi_model_diagnostics(model) WHERE item = 'nrmse';
SELECT item, severity FROM example_model, noa.kpi_model_diagnostics(model) WHERE severity = 'warning';

-- mmm_roas_data.csv: x1 is confounded by z.  With z as a control the ROAS is
-- recovered (true 93.39 / 171.41; the data were made with a 4-week window).
CREATE TABLE roas_data (date date, dayofyear int, quarter text, trend float8, cs float8, cc float8,
	seasonality float8, z float8, x1 float8, x2 float8, epsilon float8, x1_adstock float8, x2_adstock float8,
	x1_adstock_saturated float8, x2_adstock_saturated float8, x1_effect float8, x2_effect float8,
	y float8, y01 float8, y02 float8);
\copy roas_data FROM 'test/data/mmm/mmm_roas_data.csv' WITH (FORMAT csv, HEADER true)

CREATE TABLE roas_models AS
SELECT with_z, noa.fit_kpi_model(r.date, x.channel, x.value, r.y, NULL, x.role, 'max_lag=4') AS model
FROM roas_data r,
	(VALUES (true), (false)) AS w(with_z),
	LATERAL (VALUES ('x1', r.x1, 'media'), ('x2', r.x2, 'media'), ('z', r.z, 'control')) AS x(channel, value, role)
WHERE x.role = 'media' OR with_z
GROUP BY with_z;

CREATE TEMP TABLE roas_truth (channel text, roas float8);
INSERT INTO roas_truth
SELECT 'x1', sum(y - y01) / sum(x1) FROM roas_data UNION ALL SELECT 'x2', sum(y - y02) / sum(x2) FROM roas_data;
SELECT channel, round(roas::numeric, 2) AS true_roas FROM roas_truth ORDER BY channel;

-- With the confounder: within 5%.  Without it: the bias the confounder causes.
SELECT m.with_z, c.channel, round(c.roas::numeric, 1) AS roas,
	round((c.roas / t.roas - 1)::numeric, 3) AS bias,
	CASE WHEN m.with_z THEN abs(c.roas / t.roas - 1) <= 0.05 END AS within_5pct,
	t.roas BETWEEN c.roas_lo AND c.roas_hi AS truth_in_interval
FROM roas_models m, noa.kpi_model_channels(m.model) c JOIN roas_truth t USING (channel)
ORDER BY m.with_z DESC, c.channel;

-- The decomposition adds up to the fitted KPI on every week; baseline parts
-- and media never exceed the KPI.
SELECT bool_and(abs(d.total - f.fitted) <= 1e-6 * abs(f.fitted)) AS adds_up,
	bool_and(d.media <= f.kpi) AS media_below_kpi,
	bool_and(d.organic >= 0) AS organic_nonnegative
FROM example_model m,
	LATERAL (SELECT day, sum(value) AS total, sum(value) FILTER (WHERE component_type = 'media') AS media,
	                sum(value) FILTER (WHERE component_type = 'organic') AS organic
	         FROM noa.kpi_model_decomposition(m.model) GROUP BY day) d
	JOIN noa.kpi_model_fitted(m.model) f USING (day);
