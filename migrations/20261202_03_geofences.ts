import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('fences', (t) => {
    t.string('id', 128).primary();
    t.string('name', 256).notNullable();
    // The shape as the protocol has it (GeoJSON Polygon or Circle), JSON.
    t.text('shape').notNullable();
    t.integer('dwell_ms').nullable();
    t.bigInteger('updated_at').notNullable();
  });
  // Every location update, in arrival order (rowid), stale ones too. A device's state at
  // start is its last update that was not stale, with the stays its events left open;
  // so an update is one row, not a row and a device upsert.
  await knex.schema.createTable('locations', (t) => {
    t.string('device', 128).notNullable();
    t.string('user', 64).notNullable();
    t.double('lat').notNullable();
    t.double('lng').notNullable();
    t.bigInteger('at').notNullable();
    t.double('accuracy').nullable();
    t.boolean('stale').notNullable();
  });
  await knex.schema.createTable('fence_events', (t) => {
    t.string('fence', 128).notNullable();
    t.string('device', 128).notNullable();
    t.string('event', 8).notNullable();
    t.double('lat').notNullable();
    t.double('lng').notNullable();
    t.bigInteger('at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('fence_events');
  await knex.schema.dropTable('locations');
  await knex.schema.dropTable('fences');
}
