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

  it('forgets the least recently used statement beyond its capacity', () => {
    const db = cachingStatements(connection, 2);
    db.prepare('SELECT 1').all([]);
    db.prepare('SELECT 2').all([]);
    db.prepare('SELECT 1').all([]); // now SELECT 2 is the least recently used
    db.prepare('SELECT 3').all([]);
    db.prepare('SELECT 1').all([]);
    db.prepare('SELECT 2').all([]);
    expect(prepared).toEqual(['SELECT 1', 'SELECT 2', 'SELECT 3', 'SELECT 2']);
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

  it('keeps answering after the schema changed under a kept statement', () => {
    const db = cachingStatements(connection);
    db.prepare('INSERT INTO t (name) VALUES (?)').run(['a']);
    connection.exec('ALTER TABLE t ADD COLUMN note text; CREATE INDEX t_by_name ON t (name)');
    db.prepare('INSERT INTO t (name) VALUES (?)').run(['b']);
    expect(db.prepare('SELECT name, note FROM t ORDER BY id').all([])).toEqual([
      { name: 'a', note: null },
      { name: 'b', note: null },
    ]);
  });
});
