import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('messages', (t) => {
    t.string('room', 128).notNullable();
    t.integer('seq').notNullable();
    t.string('id', 128).notNullable();
    t.string('user', 64).notNullable();
    t.text('text').notNullable();
    t.bigInteger('at').notNullable();
    t.primary(['room', 'seq']);
    // Not unique: resends are recognised in memory within the dedupe window, and a
    // constraint failure here would fail a whole batch of other people's writes.
    t.index(['room', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('messages');
}
