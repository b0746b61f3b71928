import { settingsState } from './settings.svelte';

export type Outcome = 'success' | 'duplicate' | 'failure';

/** Each outcome its own tune, told apart without looking: up for queued, one note for a duplicate, down for a failure. */
const tunes: Record<Outcome, { type: OscillatorType; notes: number[]; ms: number }> = {
  success: { type: 'sine', notes: [660, 880], ms: 110 },
  duplicate: { type: 'triangle', notes: [587], ms: 160 },
  failure: { type: 'square', notes: [311, 208], ms: 180 },
};

/**
 * A read's outcome for a technician who is not looking at the screen: a generated tone (Web Audio,
 * no sound files) and a flash of the window's edge. Both follow the Feedback setting (on unless
 * switched off).
 */
export class FeedbackState {
  /** The latest flash; its element fades out by itself and stays, invisible, until the next one. */
  flash = $state<{ outcome: Outcome; id: number } | null>(null);
  private audio: AudioContext | null = null;
  private flashes = 0;

  get enabled(): boolean {
    return settingsState.settings?.feedback ?? true;
  }

  signal(outcome: Outcome): void {
    if (!this.enabled) return;
    this.play(outcome);
    this.flash = { outcome, id: ++this.flashes };
  }

  private play(outcome: Outcome): void {
    try {
      this.audio ??= new AudioContext();
      // A browser may hold audio back until the first click; the desktop app never does.
      void this.audio.resume();
      const tune = tunes[outcome];
      let at = this.audio.currentTime + 0.01;
      for (const frequency of tune.notes) {
        const oscillator = this.audio.createOscillator();
        const gain = this.audio.createGain();
        oscillator.type = tune.type;
        oscillator.frequency.value = frequency;
        // A short rise and fall: no click at either end.
        gain.gain.setValueAtTime(0.0001, at);
        gain.gain.exponentialRampToValueAtTime(outcome === 'failure' ? 0.08 : 0.2, at + 0.015);
        gain.gain.exponentialRampToValueAtTime(0.0001, at + tune.ms / 1000);
        oscillator.connect(gain).connect(this.audio.destination);
        oscillator.start(at);
        oscillator.stop(at + tune.ms / 1000 + 0.02);
        at += tune.ms / 1000 + 0.03;
      }
    } catch {
      // No audio device: the flash still says it.
    }
  }
}

export const feedback = new FeedbackState();
