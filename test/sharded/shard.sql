-- A shard (run in database noa_shard on each of the two other clusters): noa,
-- and an empty table for its hash partition of noa_demo.ad_spend, with the
-- columns of the single-server table read through postgres_fdw.
-- psql variables: single_host, single_port (the coordinator) and part (e.g. ad_spend_p1).
CREATE EXTENSION noa;
CREATE EXTENSION postgres_fdw;
CREATE SERVER single FOREIGN DATA WRAPPER postgres_fdw
	OPTIONS (host :'single_host', port :'single_port', dbname 'noa_single');
CREATE USER MAPPING FOR CURRENT_USER SERVER single;
CREATE SCHEMA staging;
IMPORT FOREIGN SCHEMA noa_demo LIMIT TO (ad_spend) FROM SERVER single INTO staging;
CREATE SCHEMA noa_demo;
CREATE TABLE noa_demo.:part (LIKE staging.ad_spend);
DROP SCHEMA staging CASCADE;
DROP SERVER single CASCADE;
