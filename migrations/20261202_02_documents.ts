import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('doc_ops', (t) => {
    t.string('doc', 128).notNullable();
    t.integer('version').notNullable();
    // The op as applied (a Quill delta, JSON), made on version - 1.
    t.text('op').notNullable();
    t.string('user', 64).notNullable();
    t.string('id', 128).nullable();
    t.bigInteger('at').notNullable();
    // One op per version: two writers that ordered the same version cannot both commit.
    t.primary(['doc', 'version']);
  });
  await knex.schema.createTable('doc_snapshots', (t) => {
    t.string('doc', 128).notNullable();
    t.integer('version').notNullable();
    t.text('content').notNullable();
    t.primary(['doc', 'version']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('doc_snapshots');
  await knex.schema.dropTable('doc_ops');
}
