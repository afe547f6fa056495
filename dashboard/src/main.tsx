import { render } from 'preact';
import { App } from './app';

const root = document.getElementById('app') as HTMLElement;
// The static "Loading…" placeholder is replaced, not kept beside the app.
root.replaceChildren();
render(<App />, root);
