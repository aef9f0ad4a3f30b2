-- NIST StRD certified nonlinear regressions through the SQL API with automatic
-- starts: the families that match a NIST model reproduce the certified
-- parameters and standard deviations.  Data: test/data/nist (public domain).
-- Misra1a, BoxBOD: y = b1 (1 - exp(-b2 x))  = exponential with b = b1, k = 1/b2.
-- Misra1d:         y = b1 b2 x / (1 + b2 x)  = michaelis_menten with b = b1, k = 1/b2.
SET extra_float_digits = 0;

CREATE TABLE nist (problem text, x float8, y float8);
CREATE TEMP TABLE nist_load (x float8, y float8);
\copy nist_load FROM 'test/data/nist/Misra1a.csv' WITH (FORMAT csv, HEADER true)
INSERT INTO nist SELECT 'Misra1a', x, y FROM nist_load; TRUNCATE nist_load;
\copy nist_load FROM 'test/data/nist/BoxBOD.csv' WITH (FORMAT csv, HEADER true)
INSERT INTO nist SELECT 'BoxBOD', x, y FROM nist_load; TRUNCATE nist_load;
\copy nist_load FROM 'test/data/nist/Misra1d.csv' WITH (FORMAT csv, HEADER true)
INSERT INTO nist SELECT 'Misra1d', x, y FROM nist_load;

CREATE TABLE certified (problem text, family text, b1 float8, b2 float8, sd1 float8, sd2 float8, rss float8);
INSERT INTO certified VALUES
	('Misra1a', 'exponential', 2.3894212918E+02, 5.5015643181E-04, 2.7070075241E+00, 7.2668688436E-06, 1.2455138894E-01),
	('BoxBOD', 'exponential', 2.1380940889E+02, 5.4723748542E-01, 1.2354515176E+01, 1.0455993237E-01, 1.1680088766E+03),
	('Misra1d', 'michaelis_menten', 4.3736970754E+02, 3.0227324449E-04, 3.6489174345E+00, 2.9334354479E-06, 5.6419295283E-02);

CREATE FUNCTION lre(est float8, cert float8) RETURNS float8 LANGUAGE sql IMMUTABLE
	RETURN CASE WHEN est = cert THEN 11 ELSE least(11, -log(abs(est - cert) / abs(cert))) END;

CREATE TABLE nist_fits AS
SELECT c.problem, c.family, noa.fit_curve(n.x, n.y, c.family) AS curve
FROM certified c JOIN nist n USING (problem) GROUP BY c.problem, c.family;

-- Estimates, mapped back to NIST's parameters, and their log relative errors.
CREATE TABLE nist_lre AS
SELECT f.problem, s.status,
	s.b AS b1, 1 / s.k AS b2, s.b_se AS sd1, s.k_se / (s.k * s.k) AS sd2,
	(f.curve::jsonb ->> 'ssr')::float8 AS rss,
	lre(s.b, c.b1) AS lre_b1, lre(1 / s.k, c.b2) AS lre_b2,
	lre(s.b_se, c.sd1) AS lre_sd1, lre(s.k_se / (s.k * s.k), c.sd2) AS lre_sd2,
	lre((f.curve::jsonb ->> 'ssr')::float8, c.rss) AS lre_rss
FROM nist_fits f JOIN certified c USING (problem), noa.curve_summary(f.curve) s;

SELECT problem, status,
	to_char(b1, '9.999999EEEE') AS b1, to_char(b2, '9.999999EEEE') AS b2,
	lre_b1 >= 6 AND lre_b2 >= 6 AS params_6_digits,
	lre_sd1 >= 3 AND lre_sd2 >= 3 AS sds_3_digits,
	lre_rss >= 6 AS rss_6_digits
FROM nist_lre ORDER BY problem;
