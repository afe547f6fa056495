import { stream } from './api';
import type { Transition } from './types';

type Listener = (t: Transition) => void;
type OpenListener = () => void;

/**
 * One tenant-wide feed for the whole page; views subscribe while mounted. A reconnection tells the
 * views to reload, as notices sent while the feed was down are not replayed.
 */
class LiveFeed {
  private listeners = new Set<Listener>();
  private openListeners = new Set<OpenListener>();
  private abort?: AbortController;
  connected = false;

  start(): void {
    this.abort?.abort();
    this.abort = new AbortController();
    let first = true;
    stream(
      '/events',
      (e) => {
        try {
          const t = JSON.parse(e.data) as Transition;
          for (const l of [...this.listeners]) l(t);
        } catch {
          // Not a transition: ignored.
        }
      },
      this.abort.signal,
      () => {
        this.connected = true;
        if (!first) for (const l of [...this.openListeners]) l();
        first = false;
      },
    );
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onReconnect(listener: OpenListener): () => void {
    this.openListeners.add(listener);
    return () => this.openListeners.delete(listener);
  }
}

export const live = new LiveFeed();
