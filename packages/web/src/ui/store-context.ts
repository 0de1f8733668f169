import { createContext } from 'preact';
import { useContext, useEffect, useReducer } from 'preact/hooks';
import type { ChatStore } from '../data/chat-store.ts';

export const StoreContext = createContext<ChatStore | null>(null);

/** The store, re-rendering the caller on every change (batched to one per frame). */
export function useChatStore(): ChatStore {
  const store = useStore();
  const [, force] = useReducer((n: number) => n + 1, 0);
  useEffect(() => store.signal.subscribe(() => force(undefined)), [store]);
  return store;
}

/** The store without subscribing (for components whose parent re-renders them). */
export function useStore(): ChatStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('no ChatStore in context');
  return store;
}
