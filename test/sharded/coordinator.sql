-- The coordinator (database noa_shard on the first cluster): noa_demo.ad_spend
-- hash-partitioned by campaign into three partitions, one local and two
-- postgres_fdw foreign tables on the shards, filled with the rows of the
-- single-server copy (database noa_single on the same cluster); shop_orders
-- stays local.  psql variables: host0..host2, port0..port2.
CREATE EXTENSION noa;
CREATE EXTENSION postgres_fdw;

-- The single-server copy, only to read its column definitions and rows.
CREATE SERVER single FOREIGN DATA WRAPPER postgres_fdw
	OPTIONS (host :'host0', port :'port0', dbname 'noa_single');
CREATE USER MAPPING FOR CURRENT_USER SERVER single;
CREATE SCHEMA staging;
IMPORT FOREIGN SCHEMA noa_demo LIMIT TO (ad_spend, shop_orders) FROM SERVER single INTO staging;

-- The shards.  extensions 'noa' lets postgres_fdw send noa's functions and
-- aggregates to them; async_capable lets the Append scan them concurrently.
CREATE SERVER shard1 FOREIGN DATA WRAPPER postgres_fdw
	OPTIONS (host :'host1', port :'port1', dbname 'noa_shard', extensions 'noa',
	         async_capable 'true', fetch_size '10000', batch_size '1000');
CREATE SERVER shard2 FOREIGN DATA WRAPPER postgres_fdw
	OPTIONS (host :'host2', port :'port2', dbname 'noa_shard', extensions 'noa',
	         async_capable 'true', fetch_size '10000', batch_size '1000');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard1;
CREATE USER MAPPING FOR CURRENT_USER SERVER shard2;

CREATE SCHEMA noa_demo;
CREATE TABLE noa_demo.ad_spend (LIKE staging.ad_spend) PARTITION BY HASH (campaign_id);
CREATE TABLE noa_demo.ad_spend_p0 PARTITION OF noa_demo.ad_spend FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE FOREIGN TABLE noa_demo.ad_spend_p1 PARTITION OF noa_demo.ad_spend FOR VALUES WITH (MODULUS 3, REMAINDER 1)
	SERVER shard1 OPTIONS (schema_name 'noa_demo', table_name 'ad_spend_p1');
CREATE FOREIGN TABLE noa_demo.ad_spend_p2 PARTITION OF noa_demo.ad_spend FOR VALUES WITH (MODULUS 3, REMAINDER 2)
	SERVER shard2 OPTIONS (schema_name 'noa_demo', table_name 'ad_spend_p2');
INSERT INTO noa_demo.ad_spend SELECT * FROM staging.ad_spend;

CREATE TABLE noa_demo.shop_orders (LIKE staging.shop_orders);
INSERT INTO noa_demo.shop_orders SELECT * FROM staging.shop_orders;

DROP SCHEMA staging CASCADE;
DROP SERVER single CASCADE;
ANALYZE noa_demo.ad_spend, noa_demo.ad_spend_p0, noa_demo.ad_spend_p1, noa_demo.ad_spend_p2, noa_demo.shop_orders;
