import Database from 'better-sqlite3';
import { cachingStatements } from './statement-cache';

describe('cachingStatements', () => {
  let connection: Database.Database;
  let prepared: string[];
  beforeEach(() => {
    connection = new Database(':memory:');
    connection.exec('CREATE TABLE t (id integer PRIMARY KEY, name text)');
    prepared = [];
    const prepare = connection.prepare.bind(connection);
    connection.prepare = ((sql: string) => {
      prepared.push(sql);
      return prepare(sql);
    });
  });
  afterEach(() => connection.close());

  it('prepares a statement once and runs it again with new parameters', () => {
    const db = cachingStatements(connection);
    db.prepare('INSERT INTO t (name) VALUES (?)').run(['a']);
    db.prepare('INSERT INTO t (name) VALUES (?)').run(['b']);
    expect(db.prepare('SELECT name FROM t ORDER BY id').all([])).toEqual([{ name: 'a' }, { name: 'b' }]);
    expect(prepared).toEqual(['INSERT INTO t (name) VALUES (?)', 'SELECT name FROM t ORDER BY id']);
  });

  it('forgets the least recently used statement beyond its number of statements', () => {
    const db = cachingStatements(connection, { statements: 2, characters: 1_000 });
    db.prepare('SELECT 1').all([]);
    db.prepare('SELECT 2').all([]);
    db.prepare('SELECT 1').all([]); // now SELECT 2 is the least recently used
    db.prepare('SELECT 3').all([]);
    db.prepare('SELECT 1').all([]);
    db.prepare('SELECT 2').all([]);
    expect(prepared).toEqual(['SELECT 1', 'SELECT 2', 'SELECT 3', 'SELECT 2']);
  });

  it('forgets the least recently used statements beyond its characters, and keeps none longer than them all', () => {
    const db = cachingStatements(connection, { statements: 100, characters: 20 });
    db.prepare('SELECT 1').all([]); // 8 characters
    db.prepare('SELECT 22').all([]); // 9: 17 in all
    db.prepare('SELECT 333').all([]); // 10: SELECT 1 goes
    db.prepare('SELECT 22').all([]);
    db.prepare('SELECT 1').all([]); // back; SELECT 333 goes (SELECT 22 was used since)
    db.prepare('SELECT 4444444444444444').all([]); // 23: longer than all; never kept
    db.prepare('SELECT 4444444444444444').all([]);
    db.prepare('SELECT 22').all([]);
    expect(prepared).toEqual(['SELECT 1', 'SELECT 22', 'SELECT 333', 'SELECT 1', 'SELECT 4444444444444444', 'SELECT 4444444444444444']);
  });

  it('does not hand out a statement that is still being iterated', () => {
    const db = cachingStatements(connection);
    db.prepare('INSERT INTO t (name) VALUES (?)').run(['a']);
    db.prepare('INSERT INTO t (name) VALUES (?)').run(['b']);
    const outer = db.prepare('SELECT name FROM t ORDER BY id').iterate([]);
    const names = [...outer].map((row) => {
      const inner = db.prepare('SELECT name FROM t ORDER BY id').all([]);
      return `${(row as { name: string }).name}:${inner.length}`;
    });
    expect(names).toEqual(['a:2', 'b:2']);
  });

  it('answers with the new schema from a statement kept from before the change', () => {
    const db = cachingStatements(connection);
    db.prepare('INSERT INTO t (name) VALUES (?)').run(['a']);
    expect(db.prepare('SELECT * FROM t').all([])).toEqual([{ id: 1, name: 'a' }]);
    connection.exec('ALTER TABLE t ADD COLUMN note text; CREATE INDEX t_by_name ON t (name)');
    db.prepare('INSERT INTO t (name) VALUES (?)').run(['b']);
    expect(db.prepare('SELECT * FROM t').all([])).toEqual([
      { id: 1, name: 'a', note: null },
      { id: 2, name: 'b', note: null },
    ]);
    // The same statements, kept across the change.
    expect(prepared).toEqual(['INSERT INTO t (name) VALUES (?)', 'SELECT * FROM t']);
  });
});
