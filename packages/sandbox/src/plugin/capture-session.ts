import { encodeContainer, type Outcome } from '../container/format.js';
import { CameraError, openCamera, stopCamera } from './camera.js';
import { deliver, newEventSessionId } from './deliver.js';
import type { SessionOptions } from './options.js';
import { Overlay } from './overlay.js';
import { type Clip, RecorderError, recordClip } from './recorder.js';
import { pickStrings } from './strings.js';
import { type OzLivenessError, PluginErrorCode } from './types.js';

/**
 * One `open()` call: overlay → camera → clip → the person's choice → container. It ends exactly
 * once, with exactly one of `on_capture_complete`, `on_error` or `on_close`; ending always turns
 * the camera off and removes the overlay.
 */
export class CaptureSession {
  readonly eventSessionId = newEventSessionId();
  private readonly overlay: Overlay;
  private readonly abort = new AbortController();
  private stream: MediaStream | null = null;
  private clip: Clip | null = null;
  private packing = false;
  private ended = false;

  constructor(
    private readonly options: SessionOptions,
    private readonly onEnded: (session: CaptureSession) => void,
  ) {
    const { lang, strings } = pickStrings(options.lang);
    this.overlay = new Overlay(strings, lang, {
      onClose: () => this.close(),
      onOutcome: (outcome) => void this.complete(outcome),
    });
  }

  start(): void {
    this.overlay.mount();
    void this.capture();
  }

  /** The person closed it, or the page called `OzLiveness.close()` or opened another session. */
  close(): void {
    const onClose = this.options.callbacks.onClose;
    this.end(() => onClose?.());
  }

  hide(): void {
    this.overlay.hide();
  }

  private async capture(): Promise<void> {
    try {
      const stream = await openCamera();
      if (this.ended) {
        stopCamera(stream);
        return;
      }
      this.stream = stream;
      this.overlay.showStream(stream);
      this.overlay.setPhase('recording');
      this.clip = await recordClip(stream, this.abort.signal);
      if (this.ended) return;
      // The clip is all the session needs from the camera: it goes off before the choice.
      this.overlay.freezePreview();
      stopCamera(stream);
      this.overlay.setPhase('choosing');
    } catch (error) {
      if (!this.ended) this.fail(error);
    }
  }

  private async complete(outcome: Outcome): Promise<void> {
    const clip = this.clip;
    if (this.ended || this.packing || !clip) return;
    this.packing = true;
    this.overlay.setPhase('packing');
    try {
      const { sessionToken, actions, meta } = this.options;
      const bytes = await encodeContainer(
        {
          session_token: sessionToken,
          actions,
          meta,
          outcome,
          clip_type: clip.type,
          captured_at: clip.startedAt.toISOString(),
        },
        clip.bytes,
      );
      if (this.ended) return;
      const capsule = new Blob([bytes as Uint8Array<ArrayBuffer>], {
        type: 'application/octet-stream',
      });
      const action = actions[0] ?? '';
      const onCaptureComplete = this.options.callbacks.onCaptureComplete;
      this.end(() => {
        if (onCaptureComplete) onCaptureComplete(action, capsule);
        else console.warn('[OzLiveness sandbox] no on_capture_complete: the capsule is dropped');
      });
    } catch (error) {
      if (!this.ended) {
        this.fail(
          new RecorderError('the clip could not be packed into a container', {
            name: error instanceof Error ? error.name : 'UnknownError',
            detail: error instanceof Error ? error.message : String(error),
          }),
        );
      }
    }
  }

  private fail(error: unknown): void {
    const known = error instanceof CameraError || error instanceof RecorderError;
    const report: OzLivenessError = {
      code: known ? error.code : PluginErrorCode.CAPTURE_FAILED,
      event_session_id: this.eventSessionId,
      message: known ? error.message : 'the capture failed unexpectedly',
      context: known ? error.context : { detail: String(error) },
    };
    const onError = this.options.callbacks.onError;
    this.end(() => {
      if (onError) onError(report);
      else console.error('[OzLiveness sandbox] on_error is not set:', report);
    });
  }

  private end(notify: () => void): void {
    if (this.ended) return;
    this.ended = true;
    this.abort.abort(new DOMException('The capture session ended', 'AbortError'));
    stopCamera(this.stream);
    this.overlay.remove();
    this.onEnded(this);
    deliver(notify);
  }
}
