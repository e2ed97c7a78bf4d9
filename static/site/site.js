// Progressive enhancement for the studio site: the inquiry form posts to the
// client API (DESIGN.md §5) and shows its answer in place. Without JavaScript
// the form is still a plain form.

const GENERIC_ERROR = "We couldn’t send your message just now. Please try again in a moment.";

function formFields(form) {
  const data = {};
  for (const [name, value] of new FormData(form).entries()) {
    if (typeof value === "string" && value.trim() !== "") data[name] = value.trim();
  }
  return data;
}

function clearErrors(form) {
  form.querySelectorAll("[data-error-for]").forEach((el) => {
    el.hidden = true;
    el.textContent = "";
  });
  form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  const message = form.querySelector("[data-form-message]");
  message.hidden = true;
  message.textContent = "";
}

function showErrors(form, error) {
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
    const response = await fetch(form.action, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(formFields(form)),
      credentials: "same-origin",
    });
    if (response.ok) {
      const thanks = form.parentElement.querySelector("[data-inquiry-thanks]");
      form.hidden = true;
      thanks.hidden = false;
      thanks.focus();
      return;
    }
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
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
