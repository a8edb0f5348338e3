// The new-job alert: a beep made with Web Audio (no sound file) and a
// vibration, where the browser allows them. Browsers let a page make sound
// only after the user has touched it, so the audio is unlocked on the
// first touch or key press.

let audio = null;

// unlockAudio prepares the sound on the page's first touch or key press.
export function unlockAudio() {
  const init = () => {
    try {
      audio = audio || new AudioContext();
      audio.resume();
    } catch { /* no Web Audio: the alert is visual and vibrates */ }
  };
  addEventListener("pointerdown", init, { once: true, capture: true });
  addEventListener("keydown", init, { once: true, capture: true });
}

// alarm beeps three times, two tones, and vibrates.
export function alarm() {
  try {
    if (navigator.vibrate) navigator.vibrate([400, 150, 400, 150, 400]);
  } catch { /* not allowed yet */ }
  if (!audio || audio.state !== "running") return false;
  const t0 = audio.currentTime;
  for (let i = 0; i < 3; i++) {
    for (const [j, freq] of [880, 660].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      const t = t0 + i * 0.5 + j * 0.2;
      osc.type = "square";
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.3, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.18);
      osc.connect(gain).connect(audio.destination);
      osc.start(t);
      osc.stop(t + 0.2);
    }
  }
  return true;
}
