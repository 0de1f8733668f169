import { MemoryStore } from '../../src/index.ts';
import { runLocalStoreTests } from './local-store-suite.ts';

// One instance is the data: a reload or a second tab in one process holds the same object.
runLocalStoreTests('MemoryStore', async () => {
  const store = new MemoryStore();
  return { store, reopen: async () => store, second: async () => store, cleanup: () => store.close() };
});
