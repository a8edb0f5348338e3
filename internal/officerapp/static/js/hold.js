// holdToConfirm makes button act only when it is held down for ms, by
// touch, mouse or keyboard (Space or Enter): one deliberate gesture, never
// an accidental tap. A tap or a shorter press does nothing but call onHint
// (say "hold to send"). onProgress hears 0…1 as the hold goes on, for the
// progress ring. It returns a function that cancels a hold under way.
export function holdToConfirm(button, { ms = 2000, onConfirm, onHint = () => {}, onProgress = () => {} }) {
  let start = 0;
  let raf = 0;
  let timer = 0;
  let active = false;

  const frame = () => {
    onProgress(Math.min(1, (performance.now() - start) / ms));
    raf = requestAnimationFrame(frame);
  };
  const begin = () => {
    if (active) return;
    active = true;
    start = performance.now();
    button.classList.add("holding");
    // The timer decides, not the animation: frames stop in a hidden page.
    timer = setTimeout(() => {
      finish();
      onProgress(1);
      onConfirm();
    }, ms);
    raf = requestAnimationFrame(frame);
  };
  const finish = () => {
    active = false;
    clearTimeout(timer);
    cancelAnimationFrame(raf);
    button.classList.remove("holding");
  };
  const cancel = () => {
    if (!active) return;
    finish();
    onProgress(0);
    onHint();
  };

  button.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    e.preventDefault();
    try { button.setPointerCapture(e.pointerId); } catch { /* a synthetic pointer */ }
    begin();
  });
  button.addEventListener("pointerup", cancel);
  button.addEventListener("pointercancel", cancel);
  button.addEventListener("keydown", (e) => {
    if (e.key !== " " && e.key !== "Enter") return;
    e.preventDefault();
    if (!e.repeat) begin();
  });
  button.addEventListener("keyup", (e) => {
    if (e.key === " " || e.key === "Enter") cancel();
  });
  button.addEventListener("blur", cancel);
  // A click is what a tap makes: it must not do anything by itself.
  button.addEventListener("click", (e) => e.preventDefault());
  // A long press opens a context menu on phones.
  button.addEventListener("contextmenu", (e) => e.preventDefault());
  return cancel;
}
