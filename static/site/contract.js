// The contract page: draw (or type) a signature and sign through
// POST /api/client/contracts/{token}/sign/ with the SHA-256 of the text the client read.

import { clearErrors, GENERIC_ERROR, postJSON, showErrors } from "./site.js";

const app = document.querySelector("[data-contract-app]");
const form = app?.querySelector("[data-sign-form]");

if (form) {
  const canvas = form.querySelector("[data-signature-pad]");
  const context = canvas.getContext("2d");
  const nameInput = form.elements.namedItem("typed_name");
  let inked = false;
  let drawing = false;

  function resetPad() {
    context.clearRect(0, 0, canvas.width, canvas.height);
    context.lineWidth = 3;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#111";
    inked = false;
  }
  resetPad();

  function point(event) {
    const box = canvas.getBoundingClientRect();
    return [((event.clientX - box.left) * canvas.width) / box.width, ((event.clientY - box.top) * canvas.height) / box.height];
  }

  canvas.addEventListener("pointerdown", (event) => {
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    context.beginPath();
    context.moveTo(...point(event));
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    context.lineTo(...point(event));
    context.stroke();
    inked = true;
  });
  const stop = () => {
    drawing = false;
  };
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);

  form.querySelector("[data-clear-signature]").addEventListener("click", resetPad);
  // For keyboard and screen-reader users, and anyone who would rather not draw.
  form.querySelector("[data-use-typed]").addEventListener("click", () => {
    const name = nameInput.value.trim();
    if (!name) {
      showErrors(form, { message: "Type your name first.", fields: { typed_name: ["Type your full name."] } });
      return;
    }
    resetPad();
    context.fillStyle = "#111";
    context.font = "italic 64px 'Brush Script MT', 'Segoe Script', cursive";
    context.textBaseline = "middle";
    context.fillText(name, 24, canvas.height / 2, canvas.width - 48);
    inked = true;
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    if (!inked) {
      showErrors(form, { message: "Please sign in the box (or use your typed name).", fields: { signature_image: ["Draw your signature."] } });
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const { ok, body } = await postJSON(`${app.dataset.api}/sign/`, {
        typed_name: nameInput.value.trim(),
        signature_image: canvas.toDataURL("image/png"),
        consent: form.elements.namedItem("consent").checked,
        sha256: app.dataset.sha256,
      });
      if (ok) {
        window.location.reload(); // the page now shows the signed contract and what comes next
        return;
      }
      showErrors(form, (body && body.error) || { message: GENERIC_ERROR });
    } catch {
      showErrors(form, { message: GENERIC_ERROR });
    } finally {
      button.disabled = false;
    }
  });
}
