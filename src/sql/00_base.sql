\echo Use "CREATE EXTENSION noa" to load this file. \quit

-- noa install script.  Edited as src/sql/*.sql (one concern per file) and
-- concatenated by the Makefile into noa--<version>.sql.  This first part runs
-- only on CREATE EXTENSION; the update script (scripts/update-script.py) is
-- built from all the later parts.
-- Rules: objects are created in @extschema@ (written outside quotes); no OR
-- REPLACE, IF NOT EXISTS or DO; SQL bodies are BEGIN ATOMIC or pin search_path.

-- First: refuse a schema noa made beforehand by another role (CVE-2023-39417
-- class).  noa.control names the schema, and CREATE EXTENSION adopts an
-- existing one as it is; the guard raises an error unless the installing role
-- owns it and no other role may create objects in it.
CREATE FUNCTION @extschema@.install_guard() RETURNS void
	AS 'MODULE_PATHNAME', 'noa_install_guard'
	LANGUAGE C VOLATILE;
SELECT @extschema@.install_guard();
DROP FUNCTION @extschema@.install_guard();
