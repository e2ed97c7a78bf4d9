// The studio site's booking page, built on the public client API alone — what a custom client site can do
// too (docs/api.md, "Build a client site"): the studio's profile (GET /api/client/studio/) and its packages
// (GET /api/client/packages/), free slots from GET /api/client/availability/, and the request to
// POST /api/client/bookings/ (DESIGN.md §5). Times are shown in the visitor's zone, with the studio's beside
// them when the two differ.

import { clearErrors, formFields, GENERIC_ERROR, postJSON, showErrors } from "./site.js";

const app = document.querySelector("[data-booking-app]");
const DAY_MS = 24 * 60 * 60 * 1000;
const FETCH_DAYS = 56; // one availability request covers eight weeks (the API allows 62 days)
const SEARCH_AHEAD = 4; // look this many chunks ahead for the first free time before giving up

if (app) start(app);

async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await response.json();
  if (!response.ok) throw new Error(body?.error?.message || GENERIC_ERROR);
  return body;
}

async function start(app) {
  const api = app.dataset.api;
  const $ = (selector) => app.querySelector(selector);
  const packagesBox = $("[data-packages]");
  const packagesStatus = $("[data-packages-status]");
  let profile;
  let packages;
  // The page carries the API's answers and their cards (its first state, drawn on the server so nothing moves
  // when this script starts); a page without them (a custom site) asks the API.
  const first = document.getElementById("booking-first-state");
  const drawn = Boolean(first);
  try {
    if (drawn) ({ profile, packages } = JSON.parse(first.textContent));
    else [profile, packages] = await Promise.all([getJSON(`${api}/studio/`), getJSON(`${api}/packages/`)]);
  } catch (error) {
    packagesStatus.textContent = "The sessions could not be loaded just now. Please reload the page in a moment.";
    return;
  }
  const studioTz = profile.time_zone || "UTC";
  app.dataset.studioTz = studioTz;
  const visitorTz = Intl.DateTimeFormat().resolvedOptions().timeZone || studioTz;
  const sameZone = zoneOffsetsMatch(visitorTz, studioTz);
  const slotsStep = $("[data-slots-step]");
  const detailsStep = $("[data-details-step]");
  const done = $("[data-booking-done]");
  const form = $("[data-booking-form]");
  const daysBox = $("[data-slot-days]");
  const status = $("[data-slots-status]");
  const prev = $("[data-prev-week]");
  const next = $("[data-next-week]");

  if (drawn) {
    // Already on the page: the cards and, with no packages, the empty state.
  } else if (packages.length) {
    packagesBox.append(...packages.map(packageCard));
    packagesBox.hidden = false;
    packagesStatus.textContent = "";
    packagesStatus.hidden = true;
  } else {
    packagesStatus.className = "empty";
    packagesStatus.textContent = "No sessions are open for booking online just now.";
    if (profile.contact?.email) {
      const write = document.createElement("a");
      write.href = `mailto:${profile.contact.email}`;
      write.textContent = "Write to us";
      packagesStatus.append(" ", write, " and we’ll find a time.");
    }
  }

  const state = { sessionType: null, packageInput: null, weekStart: null, slots: [], fetchedUntil: null, chosen: null };

  $("[data-tz-note]").textContent = sameZone
    ? `Times are in ${cityOf(studioTz)} time.`
    : `Times are shown in your time zone (${cityOf(visitorTz)}), with ${cityOf(studioTz)} time — where the studio is — beside them.`;

  app.querySelectorAll("input[name=session_type]").forEach((input) => {
    input.addEventListener("change", () => choosePackage(input));
  });
  prev.addEventListener("click", () => showWeek(addDays(state.weekStart, -7)));
  next.addEventListener("click", () => showWeek(addDays(state.weekStart, 7)));
  $("[data-change-time]").addEventListener("click", () => {
    detailsStep.hidden = true;
    slotsStep.scrollIntoView({ block: "start" });
    daysBox.querySelector("button")?.focus();
  });
  form.addEventListener("submit", submit);

  async function choosePackage(input) {
    state.sessionType = input.value;
    state.packageInput = input;
    state.slots = [];
    state.chosen = null;
    detailsStep.hidden = true;
    slotsStep.hidden = false;
    const today = studioToday();
    state.fetchedUntil = today;
    status.textContent = "Looking for free times…";
    daysBox.replaceChildren();
    // Jump to the first week with a free time (a wedding may need weeks of notice).
    for (let chunk = 0; chunk < SEARCH_AHEAD && !state.slots.length; chunk += 1) {
      if (!(await fetchMore())) return;
    }
    const first = state.slots[0];
    showWeek(first ? studioDate(first.local_start) : today);
  }

  // Fetch the next FETCH_DAYS of slots (dates are the studio's days, as the API reads them).
  async function fetchMore() {
    const start = state.fetchedUntil;
    const end = addDays(start, FETCH_DAYS);
    const url = `${api}/availability/?session_type=${encodeURIComponent(state.sessionType)}&start=${start}&end=${end}`;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      const body = await response.json();
      if (!response.ok) throw new Error(body?.error?.message || GENERIC_ERROR);
      const known = new Set(state.slots.map((slot) => slot.start));
      state.slots.push(...body.slots.filter((slot) => !known.has(slot.start)));
      state.fetchedUntil = end;
      return true;
    } catch (error) {
      status.textContent = error.message || GENERIC_ERROR;
      return false;
    }
  }

  async function showWeek(weekStart) {
    const today = studioToday();
    state.weekStart = weekStart < today ? today : weekStart;
    const weekEnd = addDays(state.weekStart, 7);
    while (weekEnd > state.fetchedUntil) {
      if (!(await fetchMore())) return;
    }
    prev.disabled = state.weekStart <= today;
    $("[data-week-label]").textContent = `${formatDay(calendarDay(state.weekStart), "UTC", { day: "numeric", month: "long" })} – ${formatDay(calendarDay(addDays(weekEnd, -1)), "UTC", { day: "numeric", month: "long", year: "numeric" })}`;

    const week = state.slots.filter((slot) => {
      const day = studioDate(slot.local_start);
      return day >= state.weekStart && day < weekEnd;
    });
    daysBox.replaceChildren(...groupByVisitorDay(week).map(renderDay));
    status.textContent = week.length
      ? `${week.length} free time${week.length === 1 ? "" : "s"} this week.`
      : "No free times this week — try later dates.";
  }

  function groupByVisitorDay(slots) {
    const days = new Map();
    for (const slot of slots) {
      const label = formatDay(new Date(slot.start), visitorTz, { weekday: "long", day: "numeric", month: "long" });
      if (!days.has(label)) days.set(label, []);
      days.get(label).push(slot);
    }
    return [...days.entries()];
  }

  function renderDay([label, slots]) {
    const day = document.createElement("section");
    day.className = "slot-day";
    const heading = document.createElement("h3");
    heading.textContent = label;
    const list = document.createElement("ul");
    list.className = "slot-list";
    for (const slot of slots) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "slot";
      button.dataset.slot = slot.start;
      const time = document.createElement("span");
      time.className = "slot-time";
      time.textContent = formatTime(slot.start, visitorTz);
      button.append(time);
      if (!sameZone) {
        const theirs = document.createElement("span");
        theirs.className = "slot-studio-time";
        theirs.textContent = `${formatTime(slot.start, studioTz)} ${cityOf(studioTz)}`;
        button.append(theirs);
      }
      button.setAttribute("aria-label", spokenTime(slot));
      button.setAttribute("aria-pressed", String(state.chosen?.start === slot.start));
      button.addEventListener("click", () => chooseSlot(slot));
      item.append(button);
      list.append(item);
    }
    day.append(heading, list);
    return day;
  }

  function spokenTime(slot) {
    const mine = `${formatDay(new Date(slot.start), visitorTz, { weekday: "long", day: "numeric", month: "long" })}, ${formatTime(slot.start, visitorTz)}`;
    return sameZone ? mine : `${mine} your time (${formatTime(slot.start, studioTz)} ${cityOf(studioTz)} time)`;
  }

  function chooseSlot(slot) {
    state.chosen = slot;
    daysBox.querySelectorAll("[data-slot]").forEach((button) => {
      button.setAttribute("aria-pressed", String(button.dataset.slot === slot.start));
    });
    const name = state.packageInput.dataset.packageName;
    $("[data-chosen]").textContent = `${name} · ${describe(slot)}`;
    detailsStep.hidden = false;
    clearErrors(form);
    const heading = detailsStep.querySelector("h2");
    heading.scrollIntoView({ block: "start", behavior: "smooth" });
    heading.focus({ preventScroll: true });
  }

  function describe(slot) {
    const day = formatDay(new Date(slot.start), visitorTz, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
    const mine = `${day}, ${formatTime(slot.start, visitorTz)}–${formatTime(slot.end, visitorTz)}`;
    return sameZone ? mine : `${mine} your time (${formatTime(slot.start, studioTz)}–${formatTime(slot.end, studioTz)} in ${cityOf(studioTz)})`;
  }

  async function submit(event) {
    event.preventDefault();
    clearErrors(form);
    if (!state.chosen) return;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const data = { ...formFields(form), session_type: Number(state.sessionType), start: state.chosen.start };
      const { ok, status: code, body } = await postJSON(`${api}/bookings/`, data);
      if (ok) return booked(body, data.email);
      const error = (body && body.error) || { message: GENERIC_ERROR };
      showErrors(form, error);
      if (code === 409 || ["too_soon", "too_far", "outside_hours", "in_the_past", "day_full"].includes(error.code)) {
        // The time went while they typed: fresh slots, their details kept.
        state.slots = [];
        state.fetchedUntil = studioToday();
        await showWeek(state.weekStart);
      }
    } catch {
      showErrors(form, { message: GENERIC_ERROR });
    } finally {
      button.disabled = false;
    }
  }

  function booked(booking, email) {
    slotsStep.hidden = true;
    detailsStep.hidden = true;
    app.querySelector(".booking-step").hidden = true;
    const confirmed = booking.status === "confirmed";
    $("[data-done-heading]").textContent = confirmed ? "You’re booked!" : "Request sent — thank you!";
    $("[data-done-summary]").textContent = `${booking.session_type.name}, ${describe(state.chosen)}.${confirmed ? "" : ` ${profile.name} will confirm your time shortly.`}`;
    $("[data-done-email]").textContent = email;
    const steps = $("[data-next-steps]");
    steps.replaceChildren();
    if (booking.contract) {
      steps.append(step("Read and sign your contract", `/contracts/${booking.contract.token}/`, "Sign the contract"));
    }
    if (booking.invoice && booking.invoice.next_payment) {
      const amount = formatMoney(booking.invoice.next_payment, booking.invoice.currency);
      const text = booking.contract ? `Then pay your ${amount} deposit to hold the date` : `Pay your ${amount} deposit to hold the date`;
      steps.append(step(text, `/invoices/${booking.invoice.token}/`, booking.contract ? "View the invoice" : "Pay the deposit"));
    }
    if (!steps.children.length) {
      steps.append(step("Look out for our e-mail with everything you need for the day.", null, null));
    }
    done.hidden = false;
    done.focus();
    done.scrollIntoView({ block: "start" });
  }

  function step(text, href, action) {
    const item = document.createElement("li");
    const p = document.createElement("p");
    p.textContent = text;
    item.append(p);
    if (href) {
      const link = document.createElement("a");
      link.className = item.previousSibling ? "button button-quiet" : "button";
      link.href = href;
      link.textContent = action;
      item.append(link);
    }
    return item;
  }
}

function packageCard(pkg) {
  const card = document.createElement("label");
  card.className = "package-card";
  const input = document.createElement("input");
  input.type = "radio";
  input.name = "session_type";
  input.value = String(pkg.id);
  input.dataset.packageName = pkg.name;
  card.append(input);
  if (pkg.cover_image) {
    const thumb = pkg.cover_image.renditions.thumb;
    const img = document.createElement("img");
    img.className = "package-cover";
    Object.assign(img, { src: thumb.url, width: thumb.width, height: thumb.height, alt: "", loading: "lazy" });
    card.append(img); // decorative: the package's name says what it is
  }
  const price = pkg.price ? ` · ${formatMoney(pkg.price, pkg.currency)}` : "";
  card.append(span("package-name", pkg.name), span("package-meta", `${formatDuration(pkg.duration_minutes)}${price}`));
  if (pkg.description) card.append(span("package-description", pkg.description));
  if (pkg.deposit) card.append(span("package-deposit", `${formatMoney(pkg.deposit, pkg.currency)} deposit holds your time`));
  if (pkg.location) card.append(span("package-location", pkg.location));
  return card;
}

function span(className, text) {
  const element = document.createElement("span");
  element.className = className;
  element.textContent = text;
  return element;
}

function formatDuration(totalMinutes) {
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  const parts = [];
  if (hours) parts.push(`${hours} hour${hours === 1 ? "" : "s"}`);
  if (minutes) parts.push(`${minutes} minutes`);
  return parts.join(" ") || "0 minutes";
}

// --- dates: the API speaks ISO 8601; "studio days" are YYYY-MM-DD strings in the studio's zone ---

function cityOf(zone) {
  return zone.split("/").pop().replaceAll("_", " ");
}

function zoneOffsetsMatch(a, b) {
  if (a === b) return true;
  // Different names for the same clock (Europe/London vs Europe/Jersey) over the next year.
  const now = Date.now();
  return [0, 91, 182, 273].every((days) => {
    const when = new Date(now + days * DAY_MS);
    return formatTime(when, a) === formatTime(when, b) && dateIn(when, a) === dateIn(when, b);
  });
}

function dateIn(when, zone) {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(when);
}

function studioToday() {
  return dateIn(new Date(), document.querySelector("[data-booking-app]").dataset.studioTz || "UTC");
}

function studioDate(localIso) {
  return localIso.slice(0, 10); // local_start is already in the studio's zone
}

function addDays(isoDate, days) {
  const [y, m, d] = isoDate.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d) + days * DAY_MS).toISOString().slice(0, 10);
}

function calendarDay(isoDate) {
  const [y, m, d] = isoDate.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d)); // a calendar date: format it in UTC
}

function formatDay(when, zone, options) {
  return new Intl.DateTimeFormat(undefined, { ...options, timeZone: zone }).format(when);
}

function formatTime(when, zone) {
  return new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", timeZone: zone }).format(new Date(when));
}

export function formatMoney(minorUnits, currency) {
  const format = new Intl.NumberFormat(undefined, { style: "currency", currency: currency.toUpperCase() });
  const digits = format.resolvedOptions().maximumFractionDigits;
  return format.format(minorUnits / 10 ** digits);
}
