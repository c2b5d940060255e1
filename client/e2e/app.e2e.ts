// Two people, two browser pages, one real server: chat, a shared document, a geofence, a feed.
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, signIn } from './support/browser';
import { RunningServer, startServer } from './support/server';
import { CHROMIUM, describeWith } from '../../spec/support/services';

/** Long enough for a slow CI machine, short enough that a broken feature fails fast. */
const WAIT = { timeout: 20_000 };

describeWith(CHROMIUM, 'the web client', (chromium) => {
  let server: RunningServer;
  let browser: Browser;
  const pages: Page[] = [];

  const open = async (user: string, hash: string) => {
    const page = await signIn(browser, server.base, user, hash);
    pages.push(page);
    return page;
  };

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser(chromium);
  });

  afterEach(async () => {
    await Promise.all(pages.splice(0).map((p) => p.context().close()));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** The editor's lines, as Quill holds them (innerText would add blank lines between paragraphs). */
  const editorLines = (page: Page) => page.locator('.ql-editor > *').allTextContents();

  describe('chat', () => {
    it('two people see each other arrive, type, talk and leave', async () => {
      const ada = await open('ada', '#/chat/e2e-chat');
      const bob = await open('bob', '#/chat/e2e-chat');

      await ada.locator('.members .member-name', { hasText: 'bob' }).waitFor(WAIT);
      await bob.locator('.members .member-name', { hasText: 'ada' }).waitFor(WAIT);

      await bob.getByRole('textbox', { name: 'Message' }).pressSequentially('hi');
      await ada.getByText('bob is typing…').waitFor(WAIT);

      await ada.getByRole('textbox', { name: 'Message' }).fill('hello from ada');
      await ada.getByRole('textbox', { name: 'Message' }).press('Enter');
      await bob.locator('.message-text', { hasText: 'hello from ada' }).waitFor(WAIT);

      await bob.getByRole('textbox', { name: 'Message' }).fill('hello back from bob');
      await bob.getByRole('textbox', { name: 'Message' }).press('Enter');
      await ada.locator('.message-text', { hasText: 'hello back from bob' }).waitFor(WAIT);

      // Both see the same conversation, in the same order.
      const texts = (p: Page) => p.locator('.message:not(.message-pending) .message-text').allInnerTexts();
      expect(await texts(ada)).toEqual(['hello from ada', 'hello back from bob']);
      expect(await texts(bob)).toEqual(['hello from ada', 'hello back from bob']);

      await bob.context().close();
      await ada.locator('.members .member-name', { hasText: 'bob' }).waitFor({ ...WAIT, state: 'detached' });
    });
  });

  describe('documents', () => {
    it('two people typing at once into the same document end with the same text', async () => {
      const ada = await open('ada', '#/docs/e2e-doc');
      await ada.locator('.ql-editor[contenteditable="true"]').waitFor(WAIT);
      await ada.locator('.ql-editor').click();
      await ada.keyboard.type('first line');
      await ada.keyboard.press('Enter');
      await ada.keyboard.type('second line');

      const bob = await open('bob', '#/docs/e2e-doc');
      await bob.locator('.ql-editor p', { hasText: 'second line' }).waitFor(WAIT);

      // ada at the end of the first line, bob at the end of the second, typing together.
      await ada.locator('.ql-editor p').nth(0).click();
      await ada.keyboard.press('End');
      await bob.locator('.ql-editor p').nth(1).click();
      await bob.keyboard.press('End');
      await Promise.all([ada.keyboard.type(' alpha alpha alpha alpha', { delay: 25 }), bob.keyboard.type(' bravo bravo bravo bravo', { delay: 25 })]);

      const expected = ['first line alpha alpha alpha alpha', 'second line bravo bravo bravo bravo'];
      for (const page of [ada, bob]) {
        await page.waitForFunction(
          (lines) => JSON.stringify(Array.from(document.querySelectorAll('.ql-editor > *'), (e) => e.textContent)) === JSON.stringify(lines),
          expected,
          WAIT,
        );
        // Nothing left to send: both copies are the server's.
        await page.locator('[data-doc-status="open"]').waitFor(WAIT);
      }
      expect(await editorLines(ada)).toEqual(await editorLines(bob));

      // Each sees where the other is.
      await ada.locator('.remote-flag', { hasText: 'bob' }).waitFor(WAIT);
      await bob.locator('.remote-flag', { hasText: 'ada' }).waitFor(WAIT);
    });
  });

  describe('geofences', () => {
    /** Clicks at (dx, dy) px from the centre of the map. */
    const clickMap = async (page: Page, dx: number, dy: number) => {
      const box = await page.locator('.map').boundingBox();
      if (!box) throw new Error('the map is not on screen');
      await page.mouse.click(box.x + box.width / 2 + dx, box.y + box.height / 2 + dy);
    };

    it('a simulated device entering a fence shows an event on the other page', async () => {
      const ada = await open('ada', '#/map');
      const bob = await open('bob', '#/map');

      await ada.getByRole('button', { name: 'Circle' }).click();
      await clickMap(ada, 0, 0);
      await clickMap(ada, 120, 0);
      await ada.getByLabel('Fence name').fill('Depot');
      await ada.getByRole('button', { name: 'Save fence' }).click();
      await ada.locator('.fence-item', { hasText: 'Depot' }).waitFor(WAIT);

      await ada.getByRole('button', { name: 'Simulate devices' }).click();
      // ada-van-1 starts at the centre of the map, inside the circle.
      await bob.locator('.feed-item[data-event="enter"]', { hasText: 'ada-van-1' }).filter({ hasText: 'Depot' }).waitFor(WAIT);
      await ada.getByRole('button', { name: 'Stop simulation' }).click();
    });

    it("shows the server's refusal of a polygon that crosses itself", async () => {
      const ada = await open('ada', '#/map');
      await ada.getByRole('button', { name: 'Polygon' }).click();
      // A bow tie: its edges cross in the middle.
      await clickMap(ada, -100, -100);
      await clickMap(ada, 100, 100);
      await clickMap(ada, 100, -100);
      await clickMap(ada, -100, 100);
      await ada.keyboard.press('Enter');
      await ada.getByLabel('Fence name').fill('Bow tie');
      await ada.getByRole('button', { name: 'Save fence' }).click();
      const error = ada.locator('.fence-form [role="alert"]');
      await error.waitFor(WAIT);
      expect(await error.innerText()).toMatch(/intersect|cross/i);
      expect(await ada.locator('.fence-item', { hasText: 'Bow tie' }).count()).toBe(0);
    });

    it('imports a GeoJSON file dropped on the map: created, repaired and refused, and draws the fences', async () => {
      const ada = await open('ada', '#/map');
      const bob = await open('bob', '#/map');
      const square = (w: number, s: number, e: number, n: number) => [[w, s], [e, s], [e, n], [w, n], [w, s]];
      const file = {
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', properties: { label: 'Yard' }, geometry: { type: 'Polygon', coordinates: [square(2.29, 48.855, 2.295, 48.86)] } },
          { type: 'Feature', properties: { label: 'Islands' }, geometry: { type: 'MultiPolygon', coordinates: [[square(2.3, 48.855, 2.302, 48.857)], [square(2.303, 48.858, 2.305, 48.86)]] } },
          { type: 'Feature', properties: { label: 'Knot' }, geometry: { type: 'Polygon', coordinates: [[[2.31, 48.855], [2.315, 48.86], [2.315, 48.855], [2.31, 48.86], [2.31, 48.855]]] } },
          { type: 'Feature', properties: { label: 'Nowhere' }, geometry: { type: 'Polygon', coordinates: [[[2.3, 48.8], [2.31, 48.8], [2.31, 91], [2.3, 48.8]]] } },
          { type: 'Feature', properties: { label: 'Pin' }, geometry: { type: 'Point', coordinates: [2.29, 48.85] } },
        ],
      };
      await ada.getByLabel('Name property').fill('label');
      const paths = () => ada.locator('.leaflet-overlay-pane path.fence-shape').count();
      const before = await paths();

      // A real drop: a DataTransfer holding the file, dragged over the map and dropped.
      const dataTransfer = await ada.evaluateHandle((text) => {
        const dt = new DataTransfer();
        dt.items.add(new File([text], 'zones.geojson', { type: 'application/geo+json' }));
        return dt;
      }, JSON.stringify(file));
      await ada.locator('.map-area').dispatchEvent('dragover', { dataTransfer });
      await ada.locator('.drop-hint').waitFor(WAIT);
      await ada.locator('.map-area').dispatchEvent('drop', { dataTransfer });

      const report = ada.getByRole('status', { name: 'Import summary' });
      await report.waitFor(WAIT);
      expect(await report.locator('.import-counts').innerText()).toMatch(/zones\.geojson: 2 created · 1 repaired · 1 refused · 1 skipped/);
      expect(await report.locator('[data-refused="Nowhere"]').innerText()).toMatch(/latitude 91 is outside \[-90, 90\]/);
      for (const name of ['Yard', 'Islands', 'Knot']) await ada.locator('.fence-item', { hasText: name }).waitFor(WAIT);
      expect(await ada.locator('.fence-item', { hasText: 'Knot' }).innerText()).toMatch(/MultiPolygon · 2 parts/);
      expect(await paths()).toBe(before + 3);
      // The other page learns of them from the server.
      await bob.reload();
      await bob.locator('[data-connection="open"]').waitFor(WAIT);
      for (const name of ['Yard', 'Islands', 'Knot']) await bob.locator('.fence-item', { hasText: name }).waitFor(WAIT);
    });
  });

  describe('feeds', () => {
    it('two people befriend each other; a friends-only post, a like, and the notification it makes', async () => {
      const ada = await open('ada', '#/feed');
      const bob = await open('bob', '#/feed');

      await ada.getByLabel('Follow someone').fill('bob');
      await ada.getByRole('button', { name: 'Follow', exact: true }).click();
      await ada.locator('.person', { hasText: 'bob' }).getByText('Following').waitFor(WAIT);

      // bob's bell counts ada's follow; he follows her back from the list.
      await bob.locator('.bell-count', { hasText: '1' }).waitFor(WAIT);
      await bob.locator('.person', { hasText: 'ada' }).getByRole('button', { name: 'Follow back' }).click();
      await bob.locator('.person', { hasText: 'ada' }).getByText('Friends').waitFor(WAIT);

      await ada.getByLabel("What's new").fill('only for my friends');
      await ada.getByLabel('Visibility').selectOption('friends');
      await ada.getByRole('button', { name: 'Post' }).click();
      const post = bob.locator('.activity', { hasText: 'only for my friends' });
      await post.waitFor(WAIT);
      expect(await post.locator('.activity-visibility').innerText()).toBe('Friends');

      await post.getByRole('button', { name: 'Like' }).click();
      await post.locator('.like-count', { hasText: '1' }).waitFor(WAIT);

      // ada: bob's follow back and his like, unseen; opening the bell shows them and sees them.
      await ada.locator('.bell-count', { hasText: '2' }).waitFor(WAIT);
      await ada.getByRole('button', { name: 'Notifications' }).click();
      await ada.locator('.notification', { hasText: 'bob liked your post' }).waitFor(WAIT);
      await ada.locator('.notification', { hasText: 'bob followed you' }).waitFor(WAIT);
      await ada.locator('.bell-count').waitFor({ ...WAIT, state: 'detached' });
    });
  });

  describe('reconnecting', () => {
    it('comes back by itself after the server restarts, and what was sent meanwhile arrives', async () => {
      const ada = await open('ada', '#/chat/e2e-restart');
      const bob = await open('bob', '#/chat/e2e-restart');
      await ada.locator('.members .member-name', { hasText: 'bob' }).waitFor(WAIT);

      const restarted = server.restart();
      await ada.locator('[data-connection="waiting"], [data-connection="connecting"]').waitFor(WAIT);
      await ada.getByRole('textbox', { name: 'Message' }).fill('sent while the server was away');
      await ada.getByRole('textbox', { name: 'Message' }).press('Enter');
      await restarted;

      await ada.locator('[data-connection="open"]').waitFor(WAIT);
      await bob.locator('.message-text', { hasText: 'sent while the server was away' }).waitFor(WAIT);
      await ada.locator('.message:not(.message-pending) .message-text', { hasText: 'sent while the server was away' }).waitFor(WAIT);
    });

    it('keeps editing a document through a server restart, and both copies end the same', async () => {
      const ada = await open('ada', '#/docs/e2e-restart');
      await ada.locator('.ql-editor[contenteditable="true"]').waitFor(WAIT);
      await ada.locator('.ql-editor').click();
      await ada.keyboard.type('before');
      const bob = await open('bob', '#/docs/e2e-restart');
      await bob.locator('.ql-editor p', { hasText: 'before' }).waitFor(WAIT);

      const restarted = server.restart();
      await ada.locator('[data-connection="waiting"], [data-connection="connecting"]').waitFor(WAIT);
      await ada.keyboard.type(' during');
      await restarted;

      // ada reopens with her version and sends what she typed; bob's copy catches up.
      for (const page of [ada, bob]) {
        await page.locator('.ql-editor p', { hasText: 'before during' }).waitFor(WAIT);
        await page.locator('[data-doc-status="open"]').waitFor(WAIT);
      }
      await bob.locator('.ql-editor').click();
      await bob.keyboard.press('Control+End');
      await bob.keyboard.type(' after');
      await ada.locator('.ql-editor p', { hasText: 'before during after' }).waitFor(WAIT);
      expect(await editorLines(ada)).toEqual(await editorLines(bob));
    });
  });
});
