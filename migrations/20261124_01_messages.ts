import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('messages', (t) => {
    t.string('room', 128).notNullable();
    t.integer('seq').notNullable();
    t.string('id', 128).notNullable();
    t.string('user', 64).notNullable();
    t.text('text').notNullable();
    t.bigInteger('at').notNullable();
    // The one index: history reads and the start-up scan go by (room, seq). Resends
    // are recognised in memory (the dedupe window), so there is no index on id: a
    // random-key index would cost every insert more than the row itself.
    t.primary(['room', 'seq']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('messages');
}
