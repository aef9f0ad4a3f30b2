// noa's client type test through node-postgres (`pg` from npm, pinned in
// package-lock.json; scripts/client-types.sh installs it with `npm ci`).
//
// Runs every query of test/clients/queries.sql and checks that each column has
// a plain PostgreSQL type (integer, float8, numeric, text, date, boolean), that
// the values are JavaScript booleans, numbers, strings or Dates (int8 and
// numeric arrive as strings, as node-postgres does by default, and must parse
// to finite numbers) and that no number is NaN or infinite.
// Connection from PGHOST, PGPORT, PGDATABASE, PGUSER (unix sockets work).
// Prints one line per query and, last, "node-postgres: N passed, M failed".
'use strict';
const fs = require('fs');
const { Client } = require('pg');

// bool, int8, int2, int4, text, float4, float8, varchar, date, numeric
const PLAIN_OIDS = new Set([16, 20, 21, 23, 25, 700, 701, 1043, 1082, 1700]);
const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

// The [name, sql] pairs of queries.sql, split on its "-- query: NAME" headers.
function readQueries(path) {
  const queries = [];
  let current = null;
  for (const line of fs.readFileSync(path, 'utf8').split('\n')) {
    const m = line.match(/^-- query: (.+)/);
    if (m) {
      current = [m[1].trim(), ''];
      queries.push(current);
    } else if (current) {
      current[1] += line + '\n';
    }
  }
  return queries;
}

// Why a value of a column of type oid is not a plain, finite one (null when it is).
function badValue(oid, v) {
  if (v === null) return null;
  switch (oid) {
    case 16: return typeof v === 'boolean' ? null : `${typeof v} for boolean`;
    case 20: case 1700: return typeof v === 'string' && DECIMAL_TEXT.test(v) ? null : `number text ${v}`;
    case 21: case 23: case 700: case 701:
      return typeof v === 'number' && Number.isFinite(v) ? null : `number ${v}`;
    case 1082: return v instanceof Date && !isNaN(v.getTime()) ? null : `date ${v}`;
    default: return typeof v === 'string' ? null : `${typeof v} for text`;
  }
}

async function main() {
  const path = process.argv[2] || 'test/clients/queries.sql';
  const client = new Client();
  await client.connect();
  await client.query('SET default_transaction_read_only = on');
  let passed = 0, failed = 0;
  for (const [name, sql] of readQueries(path)) {
    let problems = [], rows = 0;
    try {
      const res = await client.query(sql);
      rows = res.rows.length;
      for (const f of res.fields)
        if (!PLAIN_OIDS.has(f.dataTypeID)) problems.push(`column ${f.name} has type oid ${f.dataTypeID}`);
      for (const row of res.rows)
        for (const f of res.fields) {
          const why = badValue(f.dataTypeID, row[f.name]);
          if (why) problems.push(`column ${f.name}: ${why}`);
        }
    } catch (e) {
      problems.push(`${e.code} ${String(e.message).split('\n')[0]}`);
    }
    if (problems.length === 0 && rows > 0) {
      passed++;
      console.log(`ok node-postgres ${name} (${rows} rows)`);
    } else {
      failed++;
      console.log(`not ok node-postgres ${name}: ${problems.slice(0, 5).join('; ') || 'no rows'}`);
    }
  }
  await client.end();
  console.log(`node-postgres: ${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((e) => { console.log(`node-postgres: 0 passed, 1 failed (${e.message})`); process.exitCode = 1; });
