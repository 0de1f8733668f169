/** The same for @wireapp/core-crypto's browser build (its .wasm is measured beside the JS). */
export { ClientId, ConversationId, CoreCrypto, Credential, Database, DeviceId, KeyPackage, Uuid, Welcome, cipherSuiteFromU16, initWasmModule } from '@wireapp/core-crypto/browser';
