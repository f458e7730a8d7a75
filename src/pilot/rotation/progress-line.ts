// The one-line progress display of `spike operator rotate` on a terminal
// (stderr): redrawn in place with a carriage return, erased before anything
// else is printed. Off (draws nothing) when stderr is not a terminal or the
// output is JSON.
import { rotationPhaseText, type RotationPhase } from '../breakglass/status.js';

const BAR_WIDTH = 30;
/** Carriage return, then erase to the end of the line (ECMA-48 EL). */
const REDRAW = '\r\x1b[K';

/** `[#########---------------------]` for done of total. */
export function progressBar(done: number, total: number): string {
  const filled = total <= 0 ? BAR_WIDTH : Math.min(BAR_WIDTH, Math.floor((done / total) * BAR_WIDTH));
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
}

/** The line for a running rotation: the bar while re-encrypting, then the keepers awaited. */
export function rotationProgressText(phase: RotationPhase, done: number, total: number, waiting: readonly number[]): string {
  if (phase === 'reencrypting') return `Re-encrypting stored records ${progressBar(done, total)} ${done}/${total}`;
  const text = rotationPhaseText(phase, done, total, waiting);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** While SPIKE Nexus cannot be asked. */
export const UNAVAILABLE_PROGRESS_TEXT = 'SPIKE Nexus cannot be reached right now; retrying (the rotation goes on by itself)';

export class ProgressLine {
  #shown = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly enabled: boolean,
  ) {}

  show(text: string): void {
    if (!this.enabled) return;
    this.write(`${REDRAW}${text}`);
    this.#shown = true;
  }

  /** Erases the line, if anything was drawn. */
  clear(): void {
    if (!this.#shown) return;
    this.write(REDRAW);
    this.#shown = false;
  }
}
