// Progressive enhancement for the studio site: the inquiry form posts to the
// client API (DESIGN.md §5) and shows its answer in place. Without JavaScript
// the form is still a plain form. The form helpers are shared with booking.js
// and contract.js.

export const GENERIC_ERROR = "We couldn’t send your message just now. Please try again in a moment.";

// POST JSON to the client API; resolves to {ok, status, body} and never throws on HTTP errors.
export async function postJSON(url, data) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(data),
    credentials: "same-origin",
  });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return { ok: response.ok, status: response.status, body };
}

export function formFields(form) {
  const data = {};
  for (const [name, value] of new FormData(form).entries()) {
    if (typeof value === "string" && value.trim() !== "") data[name] = value.trim();
  }
  return data;
}

export function clearErrors(form) {
  form.querySelectorAll("[data-error-for]").forEach((el) => {
    el.hidden = true;
    el.textContent = "";
  });
  form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  const message = form.querySelector("[data-form-message]");
  message.hidden = true;
  message.textContent = "";
}

export function showErrors(form, error) {
  const message = form.querySelector("[data-form-message]");
  let firstInvalid = null;
  const unplaced = [];
  for (const [name, messages] of Object.entries(error.fields || {})) {
    const text = Array.isArray(messages) ? messages.join(" ") : String(messages);
    const slot = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
    const input = form.elements.namedItem(name);
    if (slot && input) {
      slot.textContent = text;
      slot.hidden = false;
      input.setAttribute("aria-invalid", "true");
      firstInvalid = firstInvalid || input;
    } else {
      unplaced.push(text);
    }
  }
  message.textContent = [error.message || GENERIC_ERROR, ...unplaced].join(" ");
  message.hidden = false;
  (firstInvalid || message).focus?.();
}

async function submitInquiry(event) {
  const form = event.currentTarget;
  event.preventDefault();
  clearErrors(form);
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const { ok, body } = await postJSON(form.action, formFields(form));
    if (ok) {
      const thanks = form.parentElement.querySelector("[data-inquiry-thanks]");
      form.hidden = true;
      thanks.hidden = false;
      thanks.focus();
      return;
    }
    showErrors(form, (body && body.error) || { message: GENERIC_ERROR });
  } catch {
    showErrors(form, { message: GENERIC_ERROR });
  } finally {
    button.disabled = false;
  }
}

document.querySelectorAll("[data-inquiry-form]").forEach((form) => {
  form.addEventListener("submit", submitInquiry);
});
