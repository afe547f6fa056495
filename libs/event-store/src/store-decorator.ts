import type { EventStore } from './port';

/**
 * The store with some of its methods replaced. A Proxy rather than a wrapper class, so whatever else the
 * adapter offers (rememberStream, adapter-specific extras) stays reachable unchanged.
 */
export function withOverrides<S extends EventStore>(store: S, overrides: Partial<EventStore>): S {
  return new Proxy(store, {
    get: (target, property) => {
      if (Object.hasOwn(overrides, property)) return (overrides as Record<PropertyKey, unknown>)[property];
      const value: unknown = Reflect.get(target, property);
      // Bound to the adapter itself, so its methods never see the proxy as `this`.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
