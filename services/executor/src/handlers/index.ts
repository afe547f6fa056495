import { DelayHandler } from './delay.handler';
import { EchoHandler } from './echo.handler';
import { FileListenerHandler } from './file-listener.handler';
import { HttpHandler } from './http.handler';
import { MessageListenerHandler } from './message-listener.handler';
import { NoopHandler } from './noop.handler';
import { OrchestrationTaskHandler } from './orchestration-task.handler';
import { PublishHandler } from './publish.handler';

export { AbortError, InvalidPayloadError } from './errors';
export { DirectoryUnavailableError } from './file-listener.handler';
export { HttpRequestError, HttpTimeoutError } from './http.handler';
export {
  DelayHandler,
  EchoHandler,
  FileListenerHandler,
  HttpHandler,
  MessageListenerHandler,
  NoopHandler,
  PublishHandler,
};

/** The job types every executor handles out of the box. */
export const BUILT_IN_HANDLERS = [
  NoopHandler,
  EchoHandler,
  DelayHandler,
  HttpHandler,
  PublishHandler,
  MessageListenerHandler,
  FileListenerHandler,
  OrchestrationTaskHandler,
];
