import { describe, expect, it } from 'vitest';
import { ProvisioningClient, type FetchLike } from '../../electron/adapters/api/provisioning-client';

const KEY = 'sk-test-0123456789abcdef';
const ID = '50363154-3931-44f0-8022-121b6401627d';
const device = { id: ID, deviceType: 'nrf9160_SICA', tags: [], status: 'READY' };

/** A client whose every request gets this answer; the URLs it asked for are kept. */
function answering(make: () => Response) {
  const asked: string[] = [];
  const fetch: FetchLike = async (url) => {
    asked.push(url);
    return make();
  };
  const client = new ProvisioningClient({
    baseUrl: 'https://api.provisioning.nrfcloud.com/v1/',
    apiKey: KEY,
    userAgent: 'test',
    fetch,
  });
  return { client, asked };
}

const json = (status: number, body: unknown) =>
  new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
const html = (status: number) =>
  new Response('<!DOCTYPE html><html><body>Guest Wi-Fi: accept the terms</body></html>', {
    status,
    headers: { 'Content-Type': 'text/html' },
  });

describe('a 2xx counts only as the documented answer', () => {
  it('a claim answered with the very device it claimed is done', async () => {
    const { client } = answering(() => json(201, device));
    expect(await client.claim('t', [], ID)).toMatchObject({ kind: 'ok', value: { id: ID } });
  });

  it.each([
    ['an empty object', () => json(200, {})],
    ['another device', () => json(201, { ...device, id: '00000000-0000-0000-0000-000000000000' })],
    ['an empty body', () => new Response('', { status: 201 })],
  ])('a claim answered with %s is no answer: it may have happened, so it is looked up', async (_n, make) => {
    const { client } = answering(make);
    expect(await client.claim('t', [], ID)).toMatchObject({
      kind: 'transient',
      status: expect.any(Number),
      maybeSent: true,
    });
  });

  it('a block takes 204, or a 200 that is empty or the device; `200 {}` is no answer', async () => {
    expect(await answering(() => new Response(null, { status: 204 })).client.block(ID)).toMatchObject({
      kind: 'ok',
    });
    expect(await answering(() => new Response('', { status: 200 })).client.block(ID)).toMatchObject({
      kind: 'ok',
    });
    expect(await answering(() => json(200, device)).client.block(ID)).toMatchObject({ kind: 'ok' });
    expect(await answering(() => json(200, {})).client.block(ID)).toMatchObject({ kind: 'transient' });
  });

  it('a device list page needs its items list; a tag list likewise', async () => {
    expect(await answering(() => json(200, {})).client.listDevicesPage(100, null)).toMatchObject({
      kind: 'transient',
    });
    expect(await answering(() => json(200, { items: [] })).client.listDevicesPage(100, null)).toMatchObject({
      kind: 'ok',
      value: { items: [], next: null },
    });
    expect(await answering(() => json(200, { tags: 1 })).client.listTags()).toMatchObject({
      kind: 'transient',
    });
  });

  it('a bulk answer needs one of the documented lists, or the legacy request id', async () => {
    expect(await answering(() => json(200, {})).client.bulkClaim('t')).toMatchObject({ kind: 'transient' });
    expect(await answering(() => json(200, { failed: [] })).client.bulkClaim('t')).toMatchObject({
      kind: 'ok',
    });
    expect(await answering(() => json(202, { bulkOpsRequestId: 'b1' })).client.bulkClaim('t')).toMatchObject({
      kind: 'ok',
    });
  });

  it('a body that breaks off is no answer, whatever the status said', async () => {
    const { client } = answering(
      () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('{"id": "'));
              controller.error(new Error('connection reset'));
            },
          }),
          { status: 201 },
        ),
    );
    expect(await client.claim('t', [], ID)).toMatchObject({
      kind: 'transient',
      message: expect.stringMatching(/broke off/),
      maybeSent: true,
    });
  });
});

describe('answers that are not the API', () => {
  it.each([200, 403, 404])(
    'a web page with %i is a captive portal or proxy, never a refused key or a rejection',
    async (status) => {
      const { client } = answering(() => html(status));
      expect(await client.claim('t', [], ID)).toMatchObject({
        kind: 'not-api',
        message: expect.stringMatching(/captive portal/),
        maybeSent: status === 200,
      });
    },
  );

  it("a gateway's web page with 5xx is a passing failure: the request may have gone through", async () => {
    const { client } = answering(() => html(502));
    expect(await client.block(ID)).toMatchObject({ kind: 'transient', status: 502, maybeSent: true });
  });

  it('a redirect is not followed and is named', async () => {
    const { client } = answering(
      () => new Response(null, { status: 302, headers: { Location: 'http://10.0.0.1/login' } }),
    );
    expect(await client.getDevice(ID)).toMatchObject({
      kind: 'not-api',
      message: expect.stringContaining('redirected to http://10.0.0.1'),
      maybeSent: false,
    });
  });
});

describe('requests stay where they were built for', () => {
  it.each(['.', '..'])('refuses a tag named %s before anything is sent', async (name) => {
    const { client, asked } = answering(() => new Response(null, { status: 204 }));
    expect(await client.deleteTag(name)).toMatchObject({
      kind: 'rejected',
      message: expect.stringMatching(/cannot be sent/),
    });
    expect(await client.updateTag(name, { tag: 'x', description: null })).toMatchObject({ kind: 'rejected' });
    expect(asked).toEqual([]);
  });

  it('sends an ordinary tag name as one path segment', async () => {
    const { client, asked } = answering(() => new Response(null, { status: 204 }));
    await client.deleteTag('location=Trondheim/2');
    expect(asked).toEqual([
      'https://api.provisioning.nrfcloud.com/v1/claimed-devices/tags/location%3DTrondheim%2F2',
    ]);
  });
});

describe('the key is taken out of every answer before anything else reads it', () => {
  it('an error body that echoes the key across the cut keeps no part of it', async () => {
    const { client } = answering(() => json(400, { message: `${'x'.repeat(290)}Bearer ${KEY} echoed` }));
    const outcome = await client.claim('t', [], ID);
    expect(outcome.kind).toBe('rejected');
    const text = JSON.stringify(outcome);
    expect(text).not.toContain(KEY.slice(0, 8));
  });

  it("a 2xx body echoing the key is stored without it (a device's raw object, a bulk row's message)", async () => {
    const { client } = answering(() => json(201, { ...device, note: `called with ${KEY}` }));
    const outcome = await client.claim('t', [], ID);
    expect(JSON.stringify(outcome)).not.toContain(KEY);
    const bulk = await answering(() =>
      json(200, { failed: [{ row: 1, message: `key ${KEY} refused` }] }),
    ).client.bulkClaim('t');
    expect(JSON.stringify(bulk)).not.toContain(KEY);
  });
});
