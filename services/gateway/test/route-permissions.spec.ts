import { ROUTE_PERMISSIONS, routeKey } from '../src/auth/route-permissions';
import { setupOpenApi } from '../src/openapi/openapi';
import { startGateway, type TestGateway } from './gateway.test-helper';

jest.setTimeout(60_000);

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Nest mounts middleware (e.g. the request logger) as a catch-all route for every method: not an endpoint. */
const isMiddlewareMount = (route: { path: string; methods: Record<string, boolean> }) => route.path === '/{*path}' && Object.keys(route.methods).length > 20;

describe('route-permissions.ts covers the router', () => {
  let gw: TestGateway;
  let served: string[];

  beforeAll(async () => {
    gw = await startGateway();
    // As main.ts wires it, so the docs routes are part of the router too.
    setupOpenApi(gw.app);
    const stack = (gw.app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } }).router.stack;
    served = stack
      .flatMap((layer) => (layer.route && !isMiddlewareMount(layer.route) ? Object.keys(layer.route.methods).map((m) => routeKey(m.toUpperCase(), layer.route!.path)) : []))
      .filter((key, i, all) => all.indexOf(key) === i);
  });
  afterAll(async () => {
    await gw.stop();
  });

  it('maps every route the Express router serves to a permission (a new route without a line here is denied)', () => {
    expect(served.length).toBeGreaterThan(40);
    expect(served.filter((key) => ROUTE_PERMISSIONS[key] === undefined)).toEqual([]);
  });

  it('holds no line for a route that does not exist (a renamed route would otherwise be denied silently)', () => {
    expect(Object.keys(ROUTE_PERMISSIONS).filter((key) => !served.includes(key))).toEqual([]);
  });
});
