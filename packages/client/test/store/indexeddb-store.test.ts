import 'fake-indexeddb/auto';
import { IndexedDbStore, type LocalStore } from '../../src/index.ts';
import { runLocalStoreTests } from './local-store-suite.ts';

let databases = 0;

// Each handle is its own connection to one database, as each browser tab has.
runLocalStoreTests('IndexedDbStore (fake-indexeddb)', async () => {
  const name = `michat-test-${++databases}`;
  const handles: LocalStore[] = [];
  const open = async () => {
    const store = await IndexedDbStore.open(name);
    handles.push(store);
    return store;
  };
  const store = await open();
  return {
    store,
    reopen: async () => {
      await store.close();
      return open();
    },
    second: open,
    cleanup: async () => {
      await Promise.all(handles.map((s) => s.close()));
      indexedDB.deleteDatabase(name);
    },
  };
});
