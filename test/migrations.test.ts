// The Prisma schemas and the committed SQL migrations must describe the same
// database: the schema engine that would diff them cannot be downloaded here,
// so this test applies the migrations to an empty PGlite and compares the
// result with the Prisma schema's DMMF, table by table and column by column.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { get_dmmf } from '@prisma/prisma-schema-wasm';
import { applyMigrations, type SqlExecutor } from '../common/migrations';
import { SUBGRAPH_NAMES } from '../common/topology';

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'object' | 'enum';
  type: string;
  isRequired: boolean;
  isList: boolean;
  hasDefaultValue: boolean;
  nativeType: [string, string[]] | null;
  relationFromFields?: string[];
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  fields: { name: string }[];
}
interface Dmmf {
  datamodel: { models: DmmfModel[]; enums: { name: string; values: { name: string }[] }[]; indexes: DmmfIndex[] };
}

// Indexes only SQL can express; each is documented in its Prisma schema.
const SQL_ONLY_INDEXES = new Set(['certification_one_open_per_product', 'product_price_asc_id_idx', 'product_price_desc_id_idx']);

function executor(db: PGlite): SqlExecutor {
  return {
    exec: async (sql) => {
      await db.exec(sql);
    },
    query: async <Row>(sql: string, params: unknown[] = []) => (await db.query<Row>(sql, params)).rows,
  };
}

function expectedColumnType(field: DmmfField): string {
  if (field.kind === 'enum') return field.type;
  const native = field.nativeType;
  if (native?.[0] === 'Char') return `character(${native[1][0]})`;
  if (native?.[0] === 'Timestamptz') return `timestamp(${native[1][0] ?? 6}) with time zone`;
  if (native?.[0] === 'Decimal') return `numeric(${native[1].join(',')})`;
  switch (field.type) {
    case 'String':
      return 'text';
    case 'Int':
      return 'integer';
    case 'BigInt':
      return 'bigint';
    case 'Boolean':
      return 'boolean';
    case 'DateTime':
      return 'timestamp without time zone';
    case 'Decimal':
      return 'numeric(65,30)';
    default:
      return field.type;
  }
}

describe.each(SUBGRAPH_NAMES)('the %s store', (name) => {
  const dir = join(__dirname, '..', 'subgraphs', name, 'prisma');
  const dmmf = JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: readFileSync(join(dir, 'schema.prisma'), 'utf8') }))) as Dmmf;
  let db: PGlite;
  let sql: SqlExecutor;

  beforeAll(async () => {
    db = new PGlite();
    sql = executor(db);
    await applyMigrations(sql, join(dir, 'migrations'));
  });
  afterAll(() => db.close());

  it('has exactly the tables and columns of the Prisma schema, with their types and nullability', async () => {
    const columns = await sql.query<{ table_name: string; column_name: string; type: string; nullable: boolean; has_default: boolean }>(`
      SELECT c.relname AS table_name, a.attname AS column_name,
             CASE WHEN t.typtype = 'e' THEN t.typname ELSE format_type(a.atttypid, a.atttypmod) END AS type,
             NOT a.attnotnull AS nullable, a.atthasdef AS has_default
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_type t ON t.oid = a.atttypid
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
        AND c.relname <> '_prisma_migrations'`);
    const actual = columns.map((c) => `${c.table_name}.${c.column_name}: ${c.type}${c.nullable ? '' : ' not null'}${c.has_default ? ' default' : ''}`).sort();
    const expected = dmmf.datamodel.models
      .flatMap((model) =>
        model.fields
          .filter((field) => field.kind !== 'object')
          .map((field) => {
            const generatedDefault = field.hasDefaultValue;
            return `${model.dbName ?? model.name}.${field.dbName ?? field.name}: ${expectedColumnType(field)}${field.isRequired ? ' not null' : ''}${generatedDefault ? ' default' : ''}`;
          }),
      )
      .sort();
    expect(actual).toEqual(expected);
  });

  it('has the enums of the Prisma schema', async () => {
    const rows = await sql.query<{ name: string; value: string }>(`
      SELECT t.typname AS name, e.enumlabel AS value FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
      ORDER BY t.typname, e.enumsortorder`);
    const actual = rows.map((row) => `${row.name}.${row.value}`);
    const expected = dmmf.datamodel.enums.flatMap((en) => en.values.map((value) => `${en.name}.${value.name}`));
    expect(actual.sort()).toEqual(expected.sort());
  });

  it('has the primary keys, unique and plain indexes of the Prisma schema, and no others but documented SQL-only ones', async () => {
    const rows = await sql.query<{ index: string; table: string; is_unique: boolean; is_primary: boolean; columns: string[] }>(`
      SELECT i.relname AS index, t.relname AS "table", x.indisunique AS is_unique, x.indisprimary AS is_primary,
             array_agg(a.attname ORDER BY k.ordinality) AS columns
      FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
      JOIN unnest(x.indkey) WITH ORDINALITY AS k(attnum, ordinality) ON true
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'
      GROUP BY i.relname, t.relname, x.indisunique, x.indisprimary`);
    const modelTable = new Map(dmmf.datamodel.models.map((model) => [model.name, model]));
    const columnOf = (model: DmmfModel, field: string) => {
      const found = model.fields.find((f) => f.name === field);
      return found?.dbName ?? field;
    };
    const expected = dmmf.datamodel.indexes
      .map((index) => {
        const model = modelTable.get(index.model)!;
        const kind = index.type === 'id' ? 'primary' : index.type === 'unique' ? 'unique' : 'index';
        return `${model.dbName ?? model.name} ${kind} (${index.fields.map((f) => columnOf(model, f.name)).join(', ')})`;
      })
      .sort();
    const actual = rows
      .filter((row) => !SQL_ONLY_INDEXES.has(row.index))
      .map((row) => `${row.table} ${row.is_primary ? 'primary' : row.is_unique ? 'unique' : 'index'} (${row.columns.join(', ')})`)
      .sort();
    expect(actual).toEqual(expected);
  });

  it('has a foreign key for every relation of the Prisma schema', async () => {
    const rows = await sql.query<{ table: string; columns: string }>(`
      SELECT c.conrelid::regclass::text AS "table",
             (SELECT string_agg(a.attname, ', ' ORDER BY a.attnum) FROM pg_attribute a
              WHERE a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)) AS columns
      FROM pg_constraint c WHERE c.contype = 'f'`);
    const actual = rows.map((row) => `${row.table.replace(/"/g, '')} (${row.columns})`).sort();
    const expected = dmmf.datamodel.models
      .flatMap((model) =>
        model.fields
          .filter((field) => field.kind === 'object' && field.relationFromFields?.length)
          .map((field) => {
            const columns = field.relationFromFields!.map((from) => model.fields.find((f) => f.name === from)?.dbName ?? from);
            return `${model.dbName ?? model.name} (${columns.join(', ')})`;
          }),
      )
      .sort();
    expect(actual).toEqual(expected);
  });

  it('applies each migration once: a second run changes nothing', async () => {
    expect(await applyMigrations(sql, join(dir, 'migrations'))).toEqual([]);
  });
});
