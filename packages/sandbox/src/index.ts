export {
  ContainerFormatError,
  type ContainerHeader,
  decodeContainer,
  encodeContainer,
  type Outcome,
} from './container/format.js';
export { SandboxControl } from './control.js';
export type { Fault, FaultKind } from './faults.js';
export type { SandboxCredentials, SandboxOptions } from './options.js';
export type { QueuedOutcome, Resolution } from './outcomes.js';
export type { ReceivedRequest } from './request-log.js';
export { type RunningSandbox, startSandbox } from './server.js';
export { createTestContainer, type TestContainerInput } from './test-container.js';
