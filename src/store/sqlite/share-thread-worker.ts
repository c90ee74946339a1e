/**
 * The SQLite share writer thread: its own connection to the store's file (WAL lets it write while the main
 * thread's connection reads), one transaction per batch, and the batch's ids sent back only after COMMIT returned.
 * The synchronous commit (an fsync) therefore blocks this thread, never the event loop that owns the sockets.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { openSqliteConnection } from './connection.js';
import { INSERT_SHARE_SQL, insertShareRows } from './share-insert.js';
import { type FromShareThread, fromShareColumns, type ShareColumns, type ShareThreadData, type ToShareThread } from './share-thread-messages.js';

const data = workerData as ShareThreadData;
const port = parentPort;
if (port === null) throw new Error('share-thread-worker must run in a worker thread');

interface Connection {
  db: Database.Database;
  insert: Database.Statement;
}
let connection: Connection | null = null;

/** Opened on first need and again after a failure that left it unusable, so a transient open error is not fatal. */
function connect(): Connection {
  if (connection !== null) return connection;
  const db = openSqliteConnection(data.file);
  try {
    connection = { db, insert: db.prepare(INSERT_SHARE_SQL) };
  } catch (err) {
    db.close();
    throw err;
  }
  return connection;
}

function send(message: FromShareThread): void {
  port?.postMessage(message);
}

function failure(seq: number, err: unknown): FromShareThread {
  const code = (err as { code?: unknown }).code;
  return {
    t: 'failed',
    seq,
    message: err instanceof Error ? err.message : String(err),
    code: typeof code === 'string' ? code : null,
  };
}

function holdWhileAsked(): void {
  const gate = data.holdCommit;
  if (gate === null) return;
  while (Atomics.load(gate, 0) !== 0) Atomics.wait(gate, 0, Atomics.load(gate, 0), 50);
}

function writeBatch(seq: number, columns: ShareColumns): void {
  const shares = fromShareColumns(columns);
  let conn: Connection;
  try {
    conn = connect();
  } catch (err) {
    send(failure(seq, err));
    return;
  }
  try {
    conn.db.exec('BEGIN IMMEDIATE');
    const ids = insertShareRows(conn.insert, shares);
    holdWhileAsked();
    conn.db.exec('COMMIT');
    send({ t: 'durable', seq, ids });
  } catch (err) {
    try {
      if (conn.db.inTransaction) conn.db.exec('ROLLBACK');
    } catch {
      // A connection that cannot even roll back is dropped (closing it rolls back); the next batch reopens.
      connection = null;
      conn.db.close();
    }
    send(failure(seq, err));
  }
}

port.on('message', (message: ToShareThread) => {
  switch (message.t) {
    case 'open':
      try {
        connect();
        send({ t: 'opened' });
      } catch (err) {
        send(failure(0, err));
      }
      return;
    case 'insert':
      writeBatch(message.seq, message.shares);
      return;
    case 'close':
      connection?.db.close();
      connection = null;
      port.close();
      return;
  }
});
