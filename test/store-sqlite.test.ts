import { join } from 'node:path';
import { openSqliteStore } from '../src/store/index.js';
import { Cleanup, tempDir } from './helpers.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('SQLite file', async () => {
  const cleanup = new Cleanup();
  const path = join(tempDir(cleanup), 'nested', 'maestro.db');
  let store = await openSqliteStore(path);
  cleanup.add(() => store.close());
  return {
    store,
    async reopen() {
      store = await openSqliteStore(path);
      return store;
    },
    cleanup: () => cleanup.run(),
  };
});
