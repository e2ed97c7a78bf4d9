// Sessions → Calendar: drag a session onto another day (month: same time of day) or hour (week) to move it.
// The server decides (bookings/admin/calendar.py move_view → scheduling.reschedule): on a refusal the calendar
// stays as it was and says why; outside the weekly hours it asks before trying again.
(() => {
  const root = document.querySelector("[data-calendar]");
  if (!root) return;
  const message = root.querySelector("[data-calendar-message]");
  const csrf = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="))?.split("=")[1]
    || document.querySelector("[name=csrfmiddlewaretoken]")?.value || "";
  let dragged = null;

  const say = (text, isError) => {
    message.textContent = text;
    message.hidden = false;
    message.classList.toggle("is-error", Boolean(isError));
  };

  const move = async (booking, start, outsideHours = false) => {
    say("Moving…");
    const response = await fetch(root.dataset.moveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ booking, start, outside_hours: outsideHours }),
    });
    const result = await response.json().catch(() => ({ ok: false, message: "The server did not answer." }));
    if (result.ok) {
      say(result.message);
      window.location.reload();
      return;
    }
    if (result.code === "outside_hours" && !outsideHours
        && window.confirm(`${result.message}\n\nBook it outside your hours anyway?`)) {
      await move(booking, start, true);
      return;
    }
    say(result.message || "That did not work.", true);
  };

  root.addEventListener("dragstart", (event) => {
    const link = event.target.closest("[data-booking]");
    if (!link) return;
    dragged = link;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", link.dataset.booking);
  });
  const targetOf = (event) => event.target.closest("[data-drop-day], [data-drop-start]");
  root.addEventListener("dragover", (event) => {
    const target = targetOf(event);
    if (!target || !dragged) return;
    event.preventDefault();
    target.classList.add("is-drop-target");
  });
  root.addEventListener("dragleave", (event) => targetOf(event)?.classList.remove("is-drop-target"));
  root.addEventListener("drop", (event) => {
    const target = targetOf(event);
    if (!target || !dragged) return;
    event.preventDefault();
    target.classList.remove("is-drop-target");
    const start = target.dataset.dropStart || `${target.dataset.dropDay}T${dragged.dataset.time}`;
    move(dragged.dataset.booking, start);
    dragged = null;
  });
})();
