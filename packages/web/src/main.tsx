import { render } from 'preact';
import { ChatStore } from './data/chat-store.ts';
import { App } from './ui/app.tsx';
import { StoreContext } from './ui/store-context.ts';
import './styles/tokens.css';
import './styles/app.css';

const store = new ChatStore(location.origin);
// Tests and the console can reach the store; nothing in the app depends on it.
(window as unknown as { michat: ChatStore }).michat = store;
render(
  <StoreContext.Provider value={store}>
    <App />
  </StoreContext.Provider>,
  document.getElementById('app')!,
);
void store.boot();
