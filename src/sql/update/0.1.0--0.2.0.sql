-- Hand-written part of the update 0.1.0 -> 0.2.0.  scripts/update-script.py puts
-- it first and generates the rest from the install-script parts: functions and
-- aggregates that 0.1.0 created become CREATE OR REPLACE, new ones CREATE.
-- Here goes only what CREATE OR REPLACE cannot do: drop a function or aggregate
-- whose result type, OUT columns, argument names or defaults changed (the
-- generated part then creates it anew), and changes to types.  No CASCADE: a
-- user's view over a dropped function must stop the update, not vanish.

-- Currency and response-unit columns (issue 14): new arguments and OUT columns.
DROP FUNCTION @extschema@.curve_summary(@extschema@.curve, float8, float8, float8);
DROP FUNCTION @extschema@.curve_points(@extschema@.curve, float8, integer, float8, float8);
DROP FUNCTION @extschema@.allocate(@extschema@.portfolio, float8, text, float8, float8, float8, text, text, text, text, float8);
DROP FUNCTION @extschema@.allocation_summary(@extschema@.portfolio, float8, text, float8, float8, float8, text, text, text, text, float8);
DROP FUNCTION @extschema@.simulate(@extschema@.portfolio, text, float8);

-- The three report functions (PL/pgSQL, RETURNS TABLE) gain arguments and
-- columns during 0.2.0 (incrementality in waste and recommendations, branch
-- dec; the point-in-time and error work on data_quality).  Dropping their 0.1.0
-- signatures is right before and after each change: the generated part
-- creates the current ones.
DROP FUNCTION @extschema@.data_quality(regclass, regclass, text, text, text, text, text, text, text, text,
	text, text, text, text, date, integer);
DROP FUNCTION @extschema@.waste(regclass, float8, float8, integer, date, text, text, text, text, text, text,
	text, text, text, text, text, text, float8);
DROP FUNCTION @extschema@.recommendations(regclass, numeric, regclass, float8, float8, integer, date, float8,
	text, text, text, text, text, text, text, text, text, text, text, text, text, text, text, text);
