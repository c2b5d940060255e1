import type { Knex } from 'knex';

// Activity feeds. A post is one row, whatever the number of followers: timelines are
// read from the follow graph and an in-memory index of the activities (rebuilt from
// these tables at start), never from rows written per follower.
export async function up(knex: Knex): Promise<void> {
  // In SQLite an `integer` primary key is the rowid itself: no second index to write per
  // row. Postgres's integer is 32 bits: there the key is a bigint.
  const idColumn = (t: Knex.CreateTableBuilder) => (knex.client.dialect === 'postgresql' ? t.bigInteger('id').primary() : t.integer('id').primary());
  await knex.schema.createTable('feed_activities', (t) => {
    // Given out by the server in commit order; the wire shows it zero-padded.
    idColumn(t);
    t.string('actor', 64).notNullable();
    t.string('verb', 32).notNullable();
    t.string('object', 256).notNullable();
    t.string('target', 256).nullable();
    t.text('text').nullable();
    t.string('visibility', 9).notNullable();
    t.bigInteger('at').notNullable();
    // Cleared when the activity is deleted, so that the key may be used again.
    t.string('foreign_id', 128).nullable();
    // A deleted activity stays as a tombstone: its id is never given out again.
    t.boolean('deleted').notNullable().defaultTo(false);
    // No index by actor: timelines and user feeds are read from the in-memory index,
    // activities from the store only by id. foreign_id is unique per actor where given.
    t.unique(['actor', 'foreign_id'], { indexName: 'feed_activities_foreign_id', predicate: knex.whereNotNull('foreign_id') });
  });
  await knex.schema.createTable('feed_follows', (t) => {
    t.string('follower', 64).notNullable();
    t.string('followee', 64).notNullable();
    t.bigInteger('at').notNullable();
    t.primary(['follower', 'followee']);
  });
  await knex.schema.createTable('feed_blocks', (t) => {
    t.string('blocker', 64).notNullable();
    t.string('blocked', 64).notNullable();
    t.bigInteger('at').notNullable();
    t.primary(['blocker', 'blocked']);
  });
  await knex.schema.createTable('feed_reactions', (t) => {
    t.bigInteger('activity').notNullable();
    t.string('kind', 32).notNullable();
    t.string('user', 64).notNullable();
    t.text('text').nullable();
    t.bigInteger('at').notNullable();
    t.primary(['activity', 'kind', 'user']);
  });
  // One row per notification group: (user, verb, object, UTC day).
  await knex.schema.createTable('feed_groups', (t) => {
    idColumn(t);
    t.string('user', 64).notNullable();
    t.string('verb', 32).notNullable();
    t.string('object', 256).notNullable();
    // The activity it is about (reactions), so that deleting the activity deletes its groups.
    t.bigInteger('activity').nullable();
    t.integer('day').notNullable();
    // The latest distinct actors, at most 10, the latest first (JSON).
    t.text('actors').notNullable();
    t.integer('actor_count').notNullable();
    t.integer('count').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.boolean('seen').notNullable();
    t.boolean('read').notNullable();
    t.index(['user', 'updated_at']);
    t.index(['activity']);
    t.index(['day']);
  });
  // Every distinct actor of a group: what makes actor_count exact across restarts.
  await knex.schema.createTable('feed_group_actors', (t) => {
    t.bigInteger('group_id').notNullable().references('id').inTable('feed_groups').onDelete('CASCADE');
    t.string('actor', 64).notNullable();
    t.primary(['group_id', 'actor']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['feed_group_actors', 'feed_groups', 'feed_reactions', 'feed_blocks', 'feed_follows', 'feed_activities']) await knex.schema.dropTable(table);
}
