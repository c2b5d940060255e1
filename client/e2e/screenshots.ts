// Writes docs/screenshots/{chat,editor,map}.png: the real server, a few people using
// the real client in headless Chromium (npm run screenshots at the root).
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, signIn } from './support/browser';
import { REPO } from './support/repo';
import { startServer } from './support/server';

const OUT = path.join(REPO, 'docs', 'screenshots');
const VIEWPORT = { width: 1440, height: 900 };
const WAIT = { timeout: 20_000 };

const say = async (page: Page, text: string) => {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
  await page.locator('.message:not(.message-pending) .message-text', { hasText: text.slice(0, 30) }).first().waitFor(WAIT);
};

const chat = async (browser: Browser, base: string) => {
  const ada = await signIn(browser, base, 'ada', '#/chat/lobby', VIEWPORT);
  const bob = await signIn(browser, base, 'bob.lee', '#/chat/lobby', VIEWPORT);
  const carol = await signIn(browser, base, 'carol', '#/chat/lobby', VIEWPORT);
  for (const room of ['design', 'ops']) {
    await ada.getByLabel('Room name').fill(room);
    await ada.getByRole('button', { name: 'Join' }).click();
  }
  await ada.goto(`${base}/#/chat/lobby`);
  await say(bob, 'Morning! The staging server is back up after the restart.');
  await say(carol, 'Nice. Did the chat history survive?');
  await say(bob, 'All of it: every acked message is committed before anyone hears about it.');
  await say(ada, 'I was offline on the train and my messages went out as soon as I reconnected.');
  await say(carol, 'Release notes are in the shared doc, have a look when you can: http://localhost:8080/#/docs/release-notes');
  await say(bob, 'On it. I will add the geofencing part.\nDepot and warehouse fences are drawn already.');
  await bob.goto(`${base}/#/chat/ops`);
  await say(bob, 'Deploy of 0.2 is scheduled for 14:00.');
  await carol.getByRole('textbox', { name: 'Message' }).pressSequentially('Sounds good, I');
  await ada.getByText('carol is typing…').waitFor(WAIT);
  await ada.mouse.move(120, VIEWPORT.height - 120);
  await ada.screenshot({ path: path.join(OUT, 'chat.png') });
  await Promise.all([ada, bob, carol].map((p) => p.context().close()));
};

const editor = async (browser: Browser, base: string) => {
  const ada = await signIn(browser, base, 'ada', '#/docs/release-notes', VIEWPORT);
  await ada.locator('.ql-editor[contenteditable="true"]').waitFor(WAIT);
  await ada.locator('.ql-editor').click();
  await ada.locator('.ql-header.ql-picker .ql-picker-label').click();
  await ada.locator('.ql-header .ql-picker-item[data-value="1"]').click();
  await ada.keyboard.type('Release notes: Rusher 0.2');
  await ada.keyboard.press('Enter');
  await ada.keyboard.type('This release brings ');
  await ada.keyboard.press('Control+B');
  await ada.keyboard.type('live cursors');
  await ada.keyboard.press('Control+B');
  await ada.keyboard.type(' to shared documents, and edits made offline that sync by themselves once the connection is back.');
  await ada.keyboard.press('Enter');
  await ada.locator('.ql-header.ql-picker .ql-picker-label').click();
  await ada.locator('.ql-header .ql-picker-item[data-value="2"]').click();
  await ada.keyboard.type('What changed');
  await ada.keyboard.press('Enter');
  await ada.keyboard.type('- Chat history loads as you scroll up, with presence and typing indicators.');
  await ada.keyboard.press('Enter');
  await ada.keyboard.type('Documents reopen with their version after a restart; nothing typed is lost.');
  await ada.keyboard.press('Enter');
  await ada.keyboard.type('Fences fire enter, exit and dwell events for every device, live.');
  await ada.keyboard.press('Enter');
  await ada.keyboard.press('Enter');
  await ada.keyboard.type('Upgrading is a restart: clients reconnect and resume where they were.');

  const bob = await signIn(browser, base, 'bob.lee', '#/docs/release-notes', VIEWPORT);
  const carol = await signIn(browser, base, 'carol', '#/docs/release-notes', VIEWPORT);
  await bob.locator('.ql-editor strong', { hasText: 'live cursors' }).dblclick();
  await carol.locator('.ql-editor li').nth(1).click();
  await carol.keyboard.press('End');
  await ada.locator('.remote-flag', { hasText: 'bob.lee' }).waitFor(WAIT);
  await ada.locator('.remote-flag', { hasText: 'carol' }).waitFor(WAIT);
  await ada.locator('[data-doc-status="open"]').waitFor(WAIT);
  await ada.locator('.ql-editor p').last().click();
  await ada.keyboard.press('End');
  await ada.screenshot({ path: path.join(OUT, 'editor.png') });
  await Promise.all([ada, bob, carol].map((p) => p.context().close()));
};

const map = async (browser: Browser, base: string) => {
  const ada = await signIn(browser, base, 'ada', '#/map', VIEWPORT);
  const bob = await signIn(browser, base, 'bob.lee', '#/map', VIEWPORT);
  const box = await ada.locator('.map').boundingBox();
  if (!box) throw new Error('the map is not on screen');
  const at = (dx: number, dy: number) => ada.mouse.click(box.x + box.width / 2 + dx, box.y + box.height / 2 + dy);
  const save = async (name: string, dwell?: string) => {
    await ada.getByLabel('Fence name').fill(name);
    if (dwell) await ada.getByLabel('Dwell seconds').fill(dwell);
    await ada.getByRole('button', { name: 'Save fence' }).click();
    await ada.locator('.fence-item', { hasText: name }).waitFor(WAIT);
  };
  await ada.getByRole('button', { name: 'Circle' }).click();
  await at(0, 0);
  await at(70, 0);
  await save('Depot', '5');
  await ada.getByRole('button', { name: 'Polygon' }).click();
  // Across the third device's circle, north-east of the centre.
  for (const [dx, dy] of [
    [60, -230],
    [230, -200],
    [250, -60],
    [120, -40],
    [50, -120],
  ]) {
    await at(dx, dy);
  }
  await at(60, -230);
  await save('Warehouse');
  // On the first device's way west.
  await ada.getByRole('button', { name: 'Circle' }).click();
  await at(-200, 0);
  await at(-150, 0);
  await save('Station');
  await ada.getByRole('button', { name: 'Simulate devices' }).click();
  await bob.locator('.feed-item[data-event="dwell"]').first().waitFor(WAIT);
  await ada.locator('.feed-item[data-event="exit"]').first().waitFor(WAIT);
  await ada.waitForFunction(() => document.querySelectorAll('.feed-item').length >= 8, undefined, { timeout: 40_000 });
  await ada.mouse.move(0, VIEWPORT.height - 1);
  await ada.screenshot({ path: path.join(OUT, 'map.png') });
  await ada.getByRole('button', { name: 'Stop simulation' }).click();
  await Promise.all([ada, bob].map((p) => p.context().close()));
};

const main = async () => {
  fs.mkdirSync(OUT, { recursive: true });
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    await chat(browser, server.base);
    await editor(browser, server.base);
    await map(browser, server.base);
    console.log(`screenshots written to ${path.relative(process.cwd(), OUT)}`);
  } finally {
    await browser.close();
    await server.stop();
  }
};

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
