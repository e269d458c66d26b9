// The microphone and the speaker: asking for the microphone (and saying clearly why it
// failed), listing the audio devices, and remembering the agent's choice in this browser.

export type MicrophoneProblem = 'denied' | 'no-device' | 'in-use' | 'insecure' | 'failed';

export interface AudioDevices {
  inputs: MediaDeviceInfo[];
  outputs: MediaDeviceInfo[];
}

export interface DeviceChoice {
  input: string;
  output: string;
}

const storageKey = 'tenor.phone.devices';

export function rememberedDevices(): DeviceChoice {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(storageKey) ?? 'null');
    if (typeof stored === 'object' && stored !== null) {
      const s = stored as Partial<Record<keyof DeviceChoice, unknown>>;
      return { input: typeof s.input === 'string' ? s.input : '', output: typeof s.output === 'string' ? s.output : '' };
    }
  } catch (err) {
    console.debug('tenor: the remembered audio devices could not be read', err);
  }
  return { input: '', output: '' };
}

export function rememberDevices(choice: DeviceChoice): void {
  localStorage.setItem(storageKey, JSON.stringify(choice));
}

/** The constraints for the chosen microphone ('' = the browser's default). */
export function microphoneConstraints(input: string): MediaStreamConstraints {
  return { audio: input === '' ? true : { deviceId: { exact: input } }, video: false };
}

/** Why getUserMedia refused, in words the panel translates. */
export function microphoneProblem(err: unknown): MicrophoneProblem {
  const name = err instanceof DOMException ? err.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'no-device';
  if (name === 'NotReadableError' || name === 'AbortError') return 'in-use';
  return 'failed';
}

/**
 * Ask for the microphone once (the browser's permission prompt) and list the audio devices
 * while it is open (a browser that keeps no permission shows device names and ids only
 * then), then stop it: the phone opens its own stream per call.
 */
export async function askForMicrophone(input: string): Promise<{ problem: MicrophoneProblem } | { devices: AudioDevices }> {
  if (!window.isSecureContext || navigator.mediaDevices === undefined) return { problem: 'insecure' };
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia(microphoneConstraints(input));
  } catch (err) {
    console.debug('tenor: microphone refused', err);
    return { problem: microphoneProblem(err) };
  }
  try {
    return { devices: await listAudioDevices() };
  } finally {
    for (const track of stream.getTracks()) track.stop();
  }
}

export async function listAudioDevices(): Promise<AudioDevices> {
  const all = await navigator.mediaDevices.enumerateDevices();
  // An empty id is a device the page may not name yet (no permission).
  const named = all.filter((d) => d.deviceId !== '');
  return { inputs: named.filter((d) => d.kind === 'audioinput'), outputs: named.filter((d) => d.kind === 'audiooutput') };
}

/** HTMLMediaElement.setSinkId where the browser has it (Chromium); '' is the default output. */
export async function playOn(element: HTMLMediaElement, output: string): Promise<void> {
  const withSink = element as HTMLMediaElement & { setSinkId?: (id: string) => Promise<void> };
  if (withSink.setSinkId !== undefined) await withSink.setSinkId(output);
}
