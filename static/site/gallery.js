// The client gallery viewer. It talks only to the galleries client API (DESIGN.md §5, galleries/api):
//   POST {api}/galleries/unlock/                      {code, email?, pin?} -> {token, gallery}
//   GET  {api}/galleries/{id}/                        -> {title, sets, photo_count, permissions, selection, ...}
//   GET  {api}/galleries/{id}/photos/?set=&cursor=&limit= -> {results, next (a bare cursor)}
//   GET|POST|DELETE {api}/galleries/{id}/favorites/   {photo} -> {lists: {name: [photo ids]}}
//   GET|POST|DELETE {api}/galleries/{id}/selection/   {photo} -> {photos, limit, submitted_at, locked}
//   POST {api}/galleries/{id}/selection/submit/
//   GET  {api}/photos/{id}/download/?size=web|full    (fetched with the token, saved as a file)
//   GET  {api}/galleries/{id}/download/?set=&token=   (the ZIP: a plain link, streamed to disk by the browser)
// Every call after unlock carries `Authorization: Bearer <token>`.
// Speed (issue 14): what the first paint needs (favourites, selection, the first page of photos, and the
// detail when resuming) is fetched at once, not one after the other; the grid is built a few tiles per task
// (no long task); the page opens straight into the viewer's frame when it will show the viewer (a link with
// ?code=, or a token kept by this tab: the inline script in the template), so nothing jumps.
// The e-mailed link `/galleries/?code=…` opens the gallery: the code is taken from the address (and removed
// from it, so it is not left in the history or a shared screenshot) and unlocks as if typed.
// A gallery with a download PIN opens with the code alone (view only; permissions.pin_required): the first
// Download asks for the PIN in a dialog and unlocks again with the code the client typed (kept for this tab
// only, in sessionStorage) and the PIN, which gives a token that may download.
// Favourites (♥) are the client's own lists, unlimited; the selection (✓) counts against the limit and is
// what "Submit selection" sends to the photographer.

import { blurhashAverage, decodeBlurhash } from "./blurhash.js";

const app = document.querySelector("[data-gallery-app]");
const API = app.dataset.api || "/api/client";
const STUDIO = app.dataset.studioName || "your photographer";
const STORAGE_KEY = `focusflow-gallery:${location.host}`;
const PAGE_SIZE = 60;
// The unlock's first page: a screen of photos or more, sized to the window by the template's inline script (why
// there); the next pages are PAGE_SIZE.
const FIRST_PAGE = Number(document.documentElement.dataset.galleryFirstPage) || PAGE_SIZE;
const $ = (selector, scope = app) => scope.querySelector(selector);

const state = {
  token: null,
  code: "", // what the client typed to unlock, to unlock again with the download PIN
  email: "",
  gallery: null,
  set: "",
  photos: [],
  next: null,
  loading: false,
  generation: 0,
  favorites: new Set(),
  selected: new Set(),
  submitted: false,
  current: -1,
  opener: null,
};

class ApiError extends Error {
  constructor(status, error) {
    super(error.message || "Something went wrong. Please try again.");
    this.status = status;
    this.code = error.code || "";
    this.fields = error.fields || {};
  }
}

async function call(path, { method = "GET", body, raw = false, auth = true } = {}) {
  const headers = { Accept: "application/json" };
  if (state.token && auth) headers.Authorization = `Bearer ${state.token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return answerOf(fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }), raw);
}

// A fetch's answer as call() gives it: the JSON, or an ApiError.
async function answerOf(request, raw = false) {
  let response;
  try {
    response = await request;
  } catch {
    throw new ApiError(0, { code: "network", message: "We couldn’t reach the gallery. Check your connection and try again." });
  }
  if (!response.ok) {
    let error = {};
    try {
      error = (await response.json()).error || {};
    } catch {
      error = {};
    }
    throw new ApiError(response.status, error);
  }
  if (raw) return response;
  return response.status === 204 ? null : response.json();
}

// --- gallery fields (galleries/api/serializers.py: gallery_payload) ---
const permissions = (g) => g.permissions || {};
const selectionLimit = (g) => permissions(g).selection_limit ?? null;
const downloadable = (g) => Boolean(permissions(g).downloadable);
const pinRequired = (g) => Boolean(permissions(g).pin_required);
const downloadSize = (g) => (permissions(g).download_resolution === "full" ? "full" : "web");
const setKey = (s) => String(s.id);
const photoCount = (g) => g.photo_count ?? null;

// --- messages -----------------------------------------------------------------
function unlockMessage(error, withPin) {
  const code = error.code || "";
  // A recipient's own link (galleries/sharing.py) withdrawn or past its date: the gallery itself is open.
  if (code.startsWith("share_link_")) return error.message;
  if (error.status === 410 || code.includes("expired")) {
    return `This gallery has expired, so its photos are no longer available. Please contact ${STUDIO} — they can reopen it for you.`;
  }
  // The gallery's own attempt limit says how long to wait; the per-address throttle does not.
  if (code === "too_many_attempts") return error.message;
  if (error.status === 429) return "Too many tries. Please wait a minute, then try the code again.";
  if (code.includes("pin")) return error.message;
  if ([400, 403, 404].includes(error.status)) {
    // A wrong PIN answers exactly like a wrong code (galleries/access.py), so name both when both were sent.
    return withPin
      ? "That code and PIN don’t open a gallery. Check both in your photographer’s e-mail and try again."
      : "We couldn’t find a gallery with that code. Check the code in your photographer’s e-mail and try again.";
  }
  return error.message;
}

function pinMessage(error) {
  const code = error.code || "";
  if (error.status === 410 || code.includes("expired")) return unlockMessage(error, true);
  if (code === "too_many_attempts") return error.message;
  if (error.status === 429) return "Too many tries. Please wait a minute, then try the PIN again.";
  // The API answers a wrong PIN as it answers a wrong code (galleries/access.py); the code opened the gallery.
  if (error.status === 404) return "That PIN isn’t right. Check the PIN your photographer gave you and try again.";
  if (error.fields.pin) return "That PIN isn’t right: a download PIN is 4 digits.";
  return error.message;
}

let toastTimer = null;
function toast(message) {
  const el = $("[data-toast]");
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.hidden = true;
  }, 5000);
}

// --- unlock --------------------------------------------------------------------
async function unlock(event) {
  event.preventDefault();
  await unlockWith(event.currentTarget);
}

// `early`: the unlock the template's inline script already asked for (an e-mailed link), while this module
// was loading: {code, answer: the fetch}. Used once, for that code as the link gave it.
async function unlockWith(form, early = null) {
  const message = $("[data-unlock-message]");
  const code = form.elements.code.value.trim();
  message.hidden = true;
  form.elements.code.removeAttribute("aria-invalid");
  if (!code) {
    message.textContent = "Please enter your access code.";
    message.hidden = false;
    form.elements.code.setAttribute("aria-invalid", "true");
    form.elements.code.focus();
    return;
  }
  const email = form.elements.email.value.trim();
  const body = { code };
  if (email) body.email = email;
  if (form.elements.pin.value.trim()) body.pin = form.elements.pin.value.trim();
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    state.token = null;
    const asked = early && early.code === code && !body.email && !body.pin;
    // The unlock answers the gallery's first state too (`first`: its first photos, the favourites and the
    // selection): the grid needs no second round trip.
    const { token, gallery, first } = asked
      ? await answerOf(early.answer)
      : await call(`${API}/galleries/unlock/`, { method: "POST", body: { ...body, first_page: FIRST_PAGE } });
    Object.assign(state, { token, code, email });
    remember(gallery);
    await openGallery(gallery, null, first ? [first.favorites, first.selection, first.photos] : null);
  } catch (error) {
    showUnlockForm();
    message.textContent = unlockMessage(error, Boolean(body.pin));
    message.hidden = false;
    form.elements.code.setAttribute("aria-invalid", "true");
    form.elements.code.focus();
  } finally {
    button.disabled = false;
  }
}

// This tab only: sessionStorage ends with the tab, and "Leave gallery" clears it.
function remember(gallery) {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ token: state.token, gallery: gallery.id, code: state.code, email: state.email }));
}

async function resume() {
  const saved = savedSession();
  if (!saved || !saved.token) return false;
  Object.assign(state, { token: saved.token, code: saved.code || "", email: saved.email || "" });
  try {
    // The detail is fetched beside the rest, not before it.
    await openGallery({ id: saved.gallery }, call(`${API}/galleries/${saved.gallery}/`));
    return true;
  } catch (error) {
    lock();
    if (error.status === 410) {
      // Closed since this tab opened it (the gallery expired, or the recipient's link was withdrawn): say so.
      const message = $("[data-unlock-message]");
      message.textContent = unlockMessage(error, false);
      message.hidden = false;
    }
    return false;
  }
}

function savedSession() {
  try {
    return JSON.parse(sessionStorage.getItem(STORAGE_KEY) || "null");
  } catch {
    return null;
  }
}

// The e-mailed link: `?code=…` (taken out of the address at once, so it stays in no history entry).
function codeFromLink() {
  const params = new URLSearchParams(location.search);
  if (!params.has("code")) return "";
  const code = (params.get("code") || "").trim();
  params.delete("code");
  const query = params.toString();
  history.replaceState(history.state, "", `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
  return code;
}

async function start() {
  const code = codeFromLink();
  const saved = savedSession();
  // The same link opened again in this tab keeps the session (and the e-mail the favourites follow).
  if (code && !(saved?.token && (saved.code || "").toUpperCase() === code.toUpperCase())) {
    const form = $("[data-unlock-form]");
    form.elements.code.value = code;
    const early = window.galleryUnlock || null;
    window.galleryUnlock = null;
    await unlockWith(form, early);
    return;
  }
  if (!(await resume())) showUnlockForm();
}

// The template's inline script marks the page `gallery-opening` when it expects to show the viewer: the
// unlock form stays hidden and the viewer's frame holds the space. Settled when either is shown for real.
function settle() {
  document.documentElement.classList.remove("gallery-opening");
}

function showUnlockForm() {
  $("[data-viewer]").hidden = true;
  $("[data-unlock]").hidden = false;
  settle();
}

function lock() {
  sessionStorage.removeItem(STORAGE_KEY);
  if (pinDialog.open) pinDialog.close();
  if (!lightbox.hidden) closeLightbox();
  Object.assign(state, {
    token: null,
    code: "",
    email: "",
    gallery: null,
    photos: [],
    next: null,
    favorites: new Set(),
    selected: new Set(),
    submitted: false,
  });
  state.generation += 1;
  state.loading = false;
  app.classList.remove("selection-pending");
  showUnlockForm();
  $("[data-grid]").replaceChildren();
}

// --- the gallery ---------------------------------------------------------------
// `gallery`: the unlock answer's gallery, or {id} with `detail` (a promise of it) when resuming.
// Everything the first paint needs is asked for at once: one round trip after the unlock, not three. The
// header (the title is the largest text) shows as soon as the gallery's detail is here; the grid follows
// with the photos, the selection bar with the favourites and the selection (the detail only counts them).
// `started`: those three answers when the unlock carried them (its `first`), in order.
async function openGallery(gallery, detail = null, started = null) {
  state.generation += 1;
  const generation = state.generation;
  Object.assign(state, { set: "", photos: [], next: null, loading: true, favorites: new Set(), selected: new Set() });
  $("[data-grid]").replaceChildren();
  const rest = Promise.all(
    started || [
      call(`${API}/galleries/${gallery.id}/favorites/`),
      call(`${API}/galleries/${gallery.id}/selection/`),
      call(photosUrl(gallery.id, "")),
    ],
  );
  rest.catch(() => {}); // awaited below; not an unhandled rejection while the detail is awaited
  let page;
  try {
    const fresh = await (detail || gallery);
    if (generation !== state.generation) return;
    showHeader(fresh);
    const [favorites, selection, first] = await rest;
    if (generation !== state.generation) return;
    applyFavorites(favorites);
    applySelection(selection);
    page = first;
  } finally {
    if (generation === state.generation) state.loading = false;
  }
  updateSelection();
  app.classList.remove("selection-pending");
  state.loading = true;
  try {
    await showPage(page, generation);
  } finally {
    if (generation === state.generation) state.loading = false;
  }
  if (generation === state.generation) {
    $("[data-load-more]").hidden = !state.next;
    loadMoreSoon();
  }
}

function showHeader(gallery) {
  state.gallery = gallery;
  $("[data-unlock]").hidden = true;
  $("[data-viewer]").hidden = false;
  const title = $("[data-gallery-title]");
  title.textContent = gallery.title;
  document.title = `${gallery.title} · ${STUDIO}`;
  const count = photoCount(gallery);
  $("[data-gallery-meta]").textContent = count === null ? "" : `${count} photo${count === 1 ? "" : "s"}`;
  showExpiry(gallery.expires_at);
  const downloadAll = $("[data-download-all]");
  downloadAll.hidden = !downloadable(gallery);
  $("[data-lightbox-download]").hidden = !downloadable(gallery);
  renderTabs(gallery.sets || []);
  markTab("");
  app.classList.add("selection-pending");
  settle();
  // In the next frame, where the browser lays the page out anyway: focus() now would lay out the page inside
  // this task (a forced layout). Not when the client has put the focus somewhere since.
  requestAnimationFrame(() => {
    const focus = document.activeElement;
    if (!$("[data-viewer]").hidden && (!focus || focus === document.body || focus.closest("[data-unlock]"))) {
      title.focus({ preventScroll: true });
    }
  });
}

function photosUrl(galleryId, set) {
  const params = new URLSearchParams({ limit: PAGE_SIZE });
  if (set) params.set("set", set);
  return `${API}/galleries/${galleryId}/photos/?${params}`;
}

function markTab(key) {
  $("[data-tabs]").querySelectorAll("[role=tab]").forEach((tab) => {
    const selected = tab.dataset.set === key;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
  });
}

// A date as the site writes them ("Thursday 4 March 2027", Django's "l j F Y"), in the client's time zone. Not
// toLocaleDateString(): a page's first Intl date format loads the locale's data, 15–50 ms of main thread here
// and four times that on a mid-range phone, inside the task that opens the gallery (a long task: TBT).
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
];
const longDate = (d) => `${WEEKDAYS[d.getDay()]} ${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}`;

function showExpiry(expiresAt) {
  const el = $("[data-expiry]");
  if (!expiresAt) {
    el.hidden = true;
    return;
  }
  const expires = new Date(expiresAt);
  const days = Math.max(0, Math.floor((expires - Date.now()) / 86400000));
  const date = longDate(expires);
  if (days === 0) el.textContent = `Last day: this gallery closes on ${date}. Download your favourites today.`;
  else if (days <= 7) el.textContent = `Only ${days} day${days === 1 ? "" : "s"} left: this gallery closes on ${date}. Download your favourites before then.`;
  else el.textContent = `Available until ${date}.`;
  el.classList.toggle("expiry-soon", days <= 7);
  el.hidden = false;
}

function renderTabs(sets) {
  const tabs = $("[data-tabs]");
  tabs.replaceChildren();
  if (sets.length < 2) {
    tabs.hidden = true;
    return;
  }
  const entries = [["", "All photos", photoCount(state.gallery)], ...sets.map((s) => [setKey(s), s.name, s.photo_count])];
  for (const [key, name, count] of entries) {
    const tab = document.createElement("button");
    tab.type = "button";
    tab.setAttribute("role", "tab");
    tab.dataset.set = key;
    tab.textContent = count === null ? name : `${name} `;
    if (count !== null) {
      const badge = document.createElement("span");
      badge.className = "tab-count";
      badge.textContent = count;
      tab.append(badge);
    }
    tab.addEventListener("click", () => loadSet(key));
    tab.addEventListener("keydown", (event) => {
      const all = [...tabs.querySelectorAll("[role=tab]")];
      const i = all.indexOf(tab);
      const target = { ArrowRight: all[i + 1] || all[0], ArrowLeft: all[i - 1] || all.at(-1) }[event.key];
      if (target) {
        target.focus();
        target.click();
      }
    });
    tabs.append(tab);
  }
  tabs.hidden = false;
}

async function loadSet(key) {
  state.generation += 1;
  state.set = key;
  state.photos = [];
  state.next = null;
  $("[data-grid]").replaceChildren();
  markTab(key);
  await loadPage(photosUrl(state.gallery.id, key), { fresh: true });
}

// A tab switch starts a new generation: answers for the old tab are dropped.
async function loadPage(url, { fresh = false } = {}) {
  if (state.loading && !fresh) return;
  const generation = state.generation;
  state.loading = true;
  const status = $("[data-grid-status]");
  status.textContent = "Loading photos…";
  status.hidden = false;
  try {
    const page = await call(url);
    if (generation !== state.generation) return;
    await showPage(page, generation);
  } catch (error) {
    if (generation !== state.generation) return;
    status.textContent = error.status === 401 || error.status === 403 ? "Your access has ended. Please enter your code again." : error.message;
    if (error.status === 401) lock();
  } finally {
    if (generation === state.generation) {
      state.loading = false;
      $("[data-load-more]").hidden = !state.next;
    }
  }
  if (generation === state.generation) loadMoreSoon();
}

// A page of photos into the grid, built a few tiles per task (60 at once was one long task: TBT) aside, then
// put in the grid at once: justified rows re-flow as tiles join them, so tiles added in steps would resize the
// ones on screen (CLS). Tiles of a stale generation are not built. The first photos start loading as their
// <img> is made.
const TILES_PER_TASK = 4;
const nextTask = () =>
  globalThis.scheduler?.yield ? globalThis.scheduler.yield() : new Promise((resolve) => setTimeout(resolve, 0));

async function showPage(page, generation) {
  const start = state.photos.length;
  const photos = page.results;
  state.photos.push(...photos);
  state.next = page.next ? nextUrl(page.next) : null;
  const tiles = document.createDocumentFragment();
  for (let i = 0; i < photos.length; i += TILES_PER_TASK) {
    if (i) {
      await nextTask();
      if (generation !== state.generation) return;
    }
    photos.slice(i, i + TILES_PER_TASK).forEach((photo, j) => tiles.append(tile(photo, start + i + j)));
  }
  $("[data-grid]").append(tiles);
  schedulePlaceholders();
  const status = $("[data-grid-status]");
  status.textContent = state.photos.length ? "" : "There are no photos here yet.";
  status.hidden = !status.textContent; // an empty line that moves as the grid grows would count as a shift
}

// Infinite scroll: load the next page while the end of the grid is near the viewport.
function loadMoreIfNearEnd() {
  const end = $("[data-grid-end]");
  if (state.next && !state.loading && !$("[data-viewer]").hidden && end.getBoundingClientRect().top < innerHeight + 600) {
    loadPage(state.next);
  }
}

// The same, once the browser has laid out the tiles just added: asked at once, getBoundingClientRect() would lay
// out the whole grid inside the task that built it (a forced layout: one long task, TBT). The observer below
// covers the grid's end moving; this covers a page too short to move it out of reach.
function loadMoreSoon() {
  requestAnimationFrame(() => setTimeout(loadMoreIfNearEnd, 0));
}

// `next` is an opaque cursor for the same query.
function nextUrl(next) {
  const params = new URLSearchParams({ cursor: next, limit: PAGE_SIZE });
  if (state.set) params.set("set", state.set);
  return `${API}/galleries/${state.gallery.id}/photos/?${params}`;
}

function srcset(photo) {
  const r = photo.renditions || {};
  // `tile` (800 px) sits between the 400 px thumb and the 1,600 px preview: portrait tiles on dense screens
  // took the preview. Older photos may have no tile yet (null): the others still serve.
  return ["thumb", "tile", "preview"]
    .filter((name) => r[name])
    .map((name) => `${r[name].url} ${r[name].width}w`)
    .join(", ");
}

function altText(photo, index) {
  return `Photo ${index + 1}${photo.filename ? ` (${photo.filename})` : ""}`;
}

// The rows' height (gallery.css: .justified --row) in CSS px: 7.5rem on phones, at most 15rem elsewhere.
const ROW_PX = { phone: 120, wide: 240 };
const ROW_STRETCH = 1.15;
const EAGER_TILES = 8;
const HIGH_PRIORITY_TILES = 3;

const placeholderQueue = [];
let placeholdersScheduled = false;
const whenIdle = (work) => (window.requestIdleCallback ? requestIdleCallback(work, { timeout: 2000 }) : setTimeout(work, 50));

// A couple per idle period: on a slow phone one canvas costs a few milliseconds, and no task may grow long.
const PLACEHOLDERS_PER_TASK = 2;

function drawPlaceholders(deadline) {
  let drawn = 0;
  while (placeholderQueue.length && drawn < PLACEHOLDERS_PER_TASK && (!deadline || deadline.didTimeout || deadline.timeRemaining() > 8)) {
    const { item, open, hash, ratio } = placeholderQueue.shift();
    if (!item.isConnected || item.classList.contains("loaded")) continue;
    const canvas = document.createElement("canvas");
    canvas.className = "tile-placeholder";
    canvas.width = 32;
    canvas.height = Math.max(1, Math.round(32 / ratio));
    try {
      const pixels = decodeBlurhash(hash, canvas.width, canvas.height);
      canvas.getContext("2d").putImageData(new ImageData(pixels, canvas.width, canvas.height), 0, 0);
      open.prepend(canvas);
      drawn += 1;
    } catch {
      // A malformed blurhash only costs the placeholder.
    }
  }
  placeholdersScheduled = placeholderQueue.length > 0;
  if (placeholdersScheduled) whenIdle(drawPlaceholders);
}

function schedulePlaceholders() {
  if (placeholdersScheduled || !placeholderQueue.length) return;
  placeholdersScheduled = true;
  whenIdle(drawPlaceholders);
}

function tile(photo, index) {
  const item = document.createElement("li");
  item.className = "tile";
  const width = photo.width || photo.renditions?.thumb?.width || 4;
  const height = photo.height || photo.renditions?.thumb?.height || 3;
  item.style.setProperty("--ar", (width / height).toFixed(4));
  item.dataset.photo = photo.id;

  const open = document.createElement("button");
  open.type = "button";
  open.className = "tile-open";
  open.setAttribute("aria-label", `Open ${altText(photo, index)}`);
  if (photo.blurhash) {
    // The average colour at once; the blurred picture (a canvas each) for the tiles further down, when the
    // page is idle: the first screen's photos are loading already, and 60 canvases were a long task.
    const average = blurhashAverage(photo.blurhash);
    if (average) item.style.backgroundColor = average;
    if (index >= EAGER_TILES) placeholderQueue.push({ item, open, hash: photo.blurhash, ratio: width / height });
  }
  const img = document.createElement("img");
  img.alt = altText(photo, index);
  // The first screen loads at once (the largest paint is one of them); the rest as they come near.
  if (index < EAGER_TILES) {
    img.loading = "eager";
    if (index < HIGH_PRIORITY_TILES) img.fetchPriority = "high";
  } else {
    img.loading = "lazy";
  }
  img.decoding = "async";
  img.width = photo.renditions?.thumb?.width || width;
  img.height = photo.renditions?.thumb?.height || height;
  // A justified row is --row high and a tile about aspect × row wide (a little more where the row is
  // stretched to the edge): so the browser picks the thumb, tile or preview that fills it, not more.
  const ar = width / height;
  img.sizes = `(max-width: 640px) ${Math.round(ar * ROW_PX.phone * ROW_STRETCH)}px, ${Math.round(ar * ROW_PX.wide * ROW_STRETCH)}px`;
  img.srcset = srcset(photo);
  img.src = photo.renditions?.thumb?.url || photo.renditions?.preview?.url || "";
  img.addEventListener("load", () => item.classList.add("loaded"), { once: true });
  open.append(img);
  open.addEventListener("click", () => openLightbox(index, open));

  const heart = document.createElement("button");
  heart.type = "button";
  heart.className = "tile-favorite";
  heart.dataset.favorite = photo.id;
  heart.innerHTML = '<span aria-hidden="true"></span>';
  heart.addEventListener("click", () => toggleFavorite(photo.id));
  const check = document.createElement("button");
  check.type = "button";
  check.className = "tile-select";
  check.dataset.select = photo.id;
  check.innerHTML = '<span aria-hidden="true"></span>';
  check.addEventListener("click", () => toggleSelected(photo.id));
  item.append(open, heart, check);
  paintFavorite(heart, photo);
  paintSelected(check, photo);
  return item;
}

// --- favourites and the selection --------------------------------------------
function applyFavorites(answer) {
  // {lists: {"Favourites": [ids], ...}}: a photo is a favourite when it is in any list.
  state.favorites = new Set(Object.values(answer.lists || {}).flat().map(Number));
}

function applySelection(answer) {
  state.selected = new Set((answer.photos || []).map(Number));
  state.submitted = Boolean(answer.locked);
}

function paintFavorite(button, photo) {
  const on = state.favorites.has(Number(photo.id));
  button.setAttribute("aria-pressed", String(on));
  button.setAttribute("aria-label", `${on ? "Remove" : "Add"} ${photo.filename || "photo"} ${on ? "from" : "to"} favourites`);
  button.querySelector("span").textContent = on ? "♥" : "♡";
}

function paintSelected(button, photo) {
  const on = state.selected.has(Number(photo.id));
  button.setAttribute("aria-pressed", String(on));
  button.setAttribute("aria-label", `${on ? "Unselect" : "Select"} ${photo.filename || "photo"}`);
  button.querySelector("span").textContent = on ? "✓" : "+";
  button.disabled = state.submitted;
}

function repaint() {
  for (const photo of state.photos) {
    const heart = app.querySelector(`[data-favorite="${photo.id}"]`);
    if (heart) paintFavorite(heart, photo);
    const check = app.querySelector(`[data-select="${photo.id}"]`);
    if (check) paintSelected(check, photo);
  }
  const current = state.photos[state.current];
  if (current) paintLightboxButtons(current);
  updateSelection();
}

// Changes still on their way; a submitted selection must include them.
const pending = new Set();

async function track(request) {
  pending.add(request);
  try {
    return await request;
  } finally {
    pending.delete(request);
  }
}

async function toggleFavorite(photoId) {
  const id = Number(photoId);
  const adding = !state.favorites.has(id);
  adding ? state.favorites.add(id) : state.favorites.delete(id);
  repaint();
  try {
    const answer = await track(
      call(`${API}/galleries/${state.gallery.id}/favorites/`, { method: adding ? "POST" : "DELETE", body: { photo: id } }),
    );
    applyFavorites(answer);
  } catch (error) {
    adding ? state.favorites.delete(id) : state.favorites.add(id);
    toast(error.message);
  }
  repaint();
}

async function toggleSelected(photoId) {
  const id = Number(photoId);
  if (state.submitted) {
    toast("Your selection has been sent, so it can’t be changed here. Contact your photographer to change it.");
    return;
  }
  const adding = !state.selected.has(id);
  const limit = selectionLimit(state.gallery);
  if (adding && limit && state.selected.size >= limit) {
    toast(`You’ve chosen ${limit} of ${limit}. Remove a photo from your selection to choose another.`);
    return;
  }
  adding ? state.selected.add(id) : state.selected.delete(id);
  repaint();
  try {
    const answer = await track(
      call(`${API}/galleries/${state.gallery.id}/selection/`, { method: adding ? "POST" : "DELETE", body: { photo: id } }),
    );
    applySelection(answer);
  } catch (error) {
    adding ? state.selected.delete(id) : state.selected.add(id);
    if (error.code === "selection_locked") state.submitted = true;
    toast(error.message);
  }
  repaint();
}

function updateSelection() {
  const count = state.selected.size;
  const limit = selectionLimit(state.gallery || {});
  const counter = $("[data-selection-count]");
  const submit = $("[data-submit-selection]");
  const hearts = state.favorites.size ? ` · ♥ ${state.favorites.size}` : "";
  if (state.submitted) {
    counter.textContent = `Selection sent: ${count} photo${count === 1 ? "" : "s"}. ${STUDIO} has it.`;
    submit.disabled = true;
    submit.textContent = "Selection sent";
    return;
  }
  counter.textContent = (limit ? `${count} of ${limit} selected` : `${count} selected`) + hearts;
  counter.classList.toggle("at-limit", Boolean(limit) && count >= limit);
  submit.disabled = count === 0;
  submit.textContent = "Submit selection";
}

// A selection can't be changed once sent: say so, and send only when the client confirms.
const confirmDialog = $("[data-confirm-dialog]");
let confirmAnswered = null;

function confirmSelection() {
  const count = state.selected.size;
  const limit = selectionLimit(state.gallery);
  const chosen = limit ? `${count} of ${limit} photos` : `${count} photo${count === 1 ? "" : "s"}`;
  $("[data-confirm-text]").textContent =
    `You’ve chosen ${chosen}. Once sent, ${STUDIO} gets your selection and it can’t be changed here.`;
  confirmDialog.returnValue = "";
  confirmDialog.showModal();
  $("[data-confirm-send]").focus();
  return new Promise((resolve) => {
    confirmAnswered = resolve;
  });
}

confirmDialog.addEventListener("close", () => {
  confirmAnswered?.(confirmDialog.returnValue === "send");
  confirmAnswered = null;
  $("[data-submit-selection]").focus();
});
$("[data-confirm-send]").addEventListener("click", () => confirmDialog.close("send"));
$("[data-confirm-cancel]").addEventListener("click", () => confirmDialog.close());

async function submitSelection() {
  if (!(await confirmSelection())) return;
  const submit = $("[data-submit-selection]");
  submit.disabled = true;
  await Promise.allSettled([...pending]);
  try {
    applySelection(await call(`${API}/galleries/${state.gallery.id}/selection/submit/`, { method: "POST" }));
    repaint();
    toast(`Thank you! Your selection of ${state.selected.size} photos was sent to ${STUDIO}.`);
  } catch (error) {
    toast(error.message);
    updateSelection();
  }
}

// --- downloads: fetched with the token, then saved --------------------------------
function filenameFrom(response, fallback) {
  const header = response.headers.get("Content-Disposition") || "";
  const match = /filename\*=UTF-8''([^;]+)|filename="?([^";]+)"?/i.exec(header);
  return match ? decodeURIComponent(match[1] || match[2]) : fallback;
}

// --- the download PIN: asked for at the first download, in a dialog --------------------
const pinDialog = $("[data-pin-dialog]");
const pinForm = $("[data-pin-form]");
const pinMessageEl = $("[data-pin-message]");
let pinAnswered = null; // resolves the promise askForPin() returned
let pinOpener = null;

// Resolves true when this token may download (the PIN was given now or at unlock), false when the client
// closed the dialog.
function pinReady() {
  if (!pinRequired(state.gallery)) return Promise.resolve(true);
  if (!state.code) {
    // A token kept from before this tab remembered the code: unlock again, with the PIN this time.
    lock();
    const message = $("[data-unlock-message]");
    message.textContent = "To download, enter your access code again with your download PIN.";
    message.hidden = false;
    $("#gallery-pin").focus();
    return Promise.resolve(false);
  }
  pinOpener = document.activeElement;
  pinForm.reset();
  showPinError("");
  pinDialog.showModal();
  pinForm.elements.pin.focus();
  return new Promise((resolve) => {
    pinAnswered = resolve;
  });
}

function showPinError(text) {
  pinMessageEl.textContent = text;
  pinMessageEl.hidden = !text;
  const input = pinForm.elements.pin;
  if (text) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

async function submitPin(event) {
  event.preventDefault();
  const pin = pinForm.elements.pin.value.trim();
  if (!pin) {
    showPinError("Please enter your download PIN.");
    pinForm.elements.pin.focus();
    return;
  }
  const button = pinForm.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const body = { code: state.code, pin };
    if (state.email) body.email = state.email; // the same e-mail keeps the same favourites and selection
    const { token, gallery } = await call(`${API}/galleries/unlock/`, { method: "POST", body, auth: false });
    state.token = token;
    state.gallery = gallery;
    remember(gallery);
    pinDialog.close("ok");
  } catch (error) {
    showPinError(pinMessage(error));
    pinForm.elements.pin.select();
  } finally {
    button.disabled = false;
  }
}

// Esc, Cancel or a successful PIN all end here.
pinDialog.addEventListener("close", () => {
  const ok = pinDialog.returnValue === "ok";
  pinDialog.returnValue = "";
  if (pinOpener?.isConnected) pinOpener.focus();
  pinAnswered?.(ok);
  pinAnswered = null;
});
pinForm.addEventListener("submit", submitPin);
$("[data-pin-cancel]").addEventListener("click", () => pinDialog.close());

async function download(url, fallbackName) {
  toast("Preparing your download…");
  try {
    const response = await call(url, { raw: true });
    const blob = await response.blob();
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = filenameFrom(response, fallbackName);
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60000);
    toast("Your download has started.");
  } catch (error) {
    if (error.code === "pin_required") {
      // The photographer set a PIN after this client unlocked: ask for it now, then try again.
      state.gallery.permissions = { ...permissions(state.gallery), pin_required: true };
      if (await pinReady()) await download(url, fallbackName);
      return;
    }
    toast(error.message);
  }
}

// The ZIP is streamed as it is built: a plain link (the API takes ?token=) lets the browser write it to disk
// instead of holding a whole gallery in memory.
function downloadAllUrl() {
  const params = new URLSearchParams({ token: state.token });
  if (state.set) params.set("set", state.set);
  return `${API}/galleries/${state.gallery.id}/download/?${params}`;
}

// Asked first with HEAD (the same checks, nothing counted): while the gallery's web-size files are still being
// made the API answers 503 download_preparing with Retry-After, and a plain link would be a failed download.
const PREPARING_TRIES = 5;
const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

async function downloadAll() {
  if (!(await pinReady())) return;
  const url = downloadAllUrl();
  for (let tries = 1; ; tries += 1) {
    let response;
    try {
      response = await fetch(url, { method: "HEAD" });
    } catch {
      toast("We couldn’t reach the gallery. Check your connection and try again.");
      return;
    }
    if (response.ok) break;
    if (response.status !== 503) {
      if (await downloadAllRefused(url)) break;
      return;
    }
    if (tries >= PREPARING_TRIES) {
      toast("Your photos are still being prepared. Please try Download all again in a few minutes.");
      return;
    }
    const wait = Math.min(300, Math.max(1, Number(response.headers.get("Retry-After")) || 10));
    toast(`Preparing your photos… ready in about ${wait} s. The download will start by itself.`);
    await sleep(wait);
  }
  const link = document.createElement("a");
  link.href = url;
  link.download = "";
  document.body.append(link);
  link.click();
  link.remove();
  toast("Your download has started. Large galleries take a while; keep this page open.");
}

// A HEAD answer has no body: the refusal's message comes from GET, which refuses the same way before counting
// anything. Should it go through after all (the gallery changed in between), its body is not read but
// abandoned, which gives the download back, and the link is followed (true).
async function downloadAllRefused(url) {
  const controller = new AbortController();
  try {
    await answerOf(fetch(url, { headers: { Accept: "application/json" }, signal: controller.signal }), true);
    controller.abort();
    return true;
  } catch (error) {
    if (error.code === "pin_required") {
      // The photographer set a PIN after this client unlocked: ask for it now, then try again.
      state.gallery.permissions = { ...permissions(state.gallery), pin_required: true };
      if (await pinReady()) await downloadAll();
      return false;
    }
    toast(error.message);
    return false;
  }
}

// --- lightbox ----------------------------------------------------------------------
const lightbox = $("[data-lightbox]");
const lightboxImage = $("[data-lightbox-image]");

function paintLightboxButtons(photo) {
  const heart = $("[data-lightbox-favorite]");
  const favourite = state.favorites.has(Number(photo.id));
  heart.setAttribute("aria-pressed", String(favourite));
  heart.querySelector("[aria-hidden]").textContent = favourite ? "♥" : "♡";
  heart.querySelector("[data-label]").textContent = favourite ? "Favourited" : "Favourite";
  const check = $("[data-lightbox-select]");
  const selected = state.selected.has(Number(photo.id));
  check.setAttribute("aria-pressed", String(selected));
  check.querySelector("[aria-hidden]").textContent = selected ? "✓" : "+";
  check.querySelector("[data-label]").textContent = selected ? "Selected" : "Select";
  check.disabled = state.submitted;
}

// --- comments on a photo, in the lightbox (the client API's comments: this client's own) ----------------
const commentsPanel = $("[data-comments]");
const commentForm = $("[data-comment-form]");
const commentButton = $("[data-lightbox-comment]");
const comments = new Map(); // photo id -> this client's comments on it

function showCommentMessage(text) {
  const el = $("[data-comment-message]");
  el.textContent = text;
  el.hidden = !text;
  if (text) commentForm.elements.body.setAttribute("aria-invalid", "true");
  else commentForm.elements.body.removeAttribute("aria-invalid");
}

function renderComments(list) {
  const items = list.map((comment) => {
    const item = document.createElement("li");
    const body = document.createElement("p");
    body.textContent = comment.body;
    const when = document.createElement("time");
    when.dateTime = comment.created_at;
    when.textContent = new Date(comment.created_at).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
    item.append(body, when);
    return item;
  });
  if (!items.length) {
    const none = document.createElement("li");
    none.className = "comment-none";
    none.textContent = `No comments yet. Anything ${STUDIO} should know about this photo? A retouch, a crop, a print?`;
    items.push(none);
  }
  $("[data-comment-list]").replaceChildren(...items);
}

async function loadComments(photo) {
  const id = Number(photo.id);
  showCommentMessage("");
  if (!comments.has(id)) {
    $("[data-comment-list]").replaceChildren();
    try {
      const answer = await call(`${API}/galleries/${state.gallery.id}/comments/?photo=${id}`);
      comments.set(id, answer.results || []);
    } catch (error) {
      showCommentMessage(error.message);
      return;
    }
  }
  if (Number(state.photos[state.current]?.id) === id) renderComments(comments.get(id));
}

function toggleComments(open = commentsPanel.hidden) {
  commentsPanel.hidden = !open;
  commentButton.setAttribute("aria-expanded", String(open));
  lightbox.classList.toggle("with-comments", open);
  if (open) {
    loadComments(state.photos[state.current]);
    commentForm.elements.body.focus();
  }
}

commentButton.addEventListener("click", () => toggleComments());
commentForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const photo = state.photos[state.current];
  const body = commentForm.elements.body.value.trim();
  if (!body) {
    showCommentMessage("Write your comment first.");
    commentForm.elements.body.focus();
    return;
  }
  const button = commentForm.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const comment = await call(`${API}/galleries/${state.gallery.id}/comments/`, {
      method: "POST",
      body: { photo: Number(photo.id), body },
    });
    const id = Number(photo.id);
    comments.set(id, [...(comments.get(id) || []), comment]);
    commentForm.reset();
    showCommentMessage("");
    if (Number(state.photos[state.current]?.id) === id) renderComments(comments.get(id));
    toast(`Your comment was sent to ${STUDIO}.`);
  } catch (error) {
    showCommentMessage(error.fields?.body ? error.message || "Please check your comment." : error.message);
  } finally {
    button.disabled = false;
  }
});

function showPhoto(index) {
  const photo = state.photos[index];
  if (!photo) return;
  state.current = index;
  const r = photo.renditions || {};
  lightboxImage.removeAttribute("src");
  lightboxImage.srcset = srcset(photo);
  lightboxImage.sizes = "100vw";
  lightboxImage.src = (r.preview || r.thumb || {}).url || "";
  lightboxImage.alt = altText(photo, index);
  const total = photoCount(state.gallery) && !state.set ? photoCount(state.gallery) : state.photos.length;
  $("[data-lightbox-caption]").textContent = `${index + 1} of ${Math.max(total, state.photos.length)}${photo.filename ? ` · ${photo.filename}` : ""}`;
  paintLightboxButtons(photo);
  if (!commentsPanel.hidden) loadComments(photo);
  $("[data-lightbox-prev]").disabled = index === 0;
  $("[data-lightbox-next]").disabled = index === state.photos.length - 1 && !state.next;
  if (index >= state.photos.length - 3 && state.next) loadPage(state.next);
}

function openLightbox(index, opener) {
  state.opener = opener;
  lightbox.hidden = false;
  document.body.classList.add("lightbox-open");
  showPhoto(index);
  $("[data-lightbox-close]").focus();
}

function closeLightbox() {
  lightbox.hidden = true;
  document.body.classList.remove("lightbox-open");
  state.current = -1;
  state.opener?.focus();
}

async function step(delta) {
  const target = state.current + delta;
  if (target >= state.photos.length && state.next) await loadPage(state.next);
  if (target >= 0 && target < state.photos.length) showPhoto(target);
}

lightbox.addEventListener("keydown", (event) => {
  // Arrow keys move the caret while writing a comment, not the photo.
  if (event.target.closest?.("textarea, input") && event.key !== "Escape" && event.key !== "Tab") return;
  if (event.key === "Escape") closeLightbox();
  else if (event.key === "ArrowRight") step(1);
  else if (event.key === "ArrowLeft") step(-1);
  else if (event.key === "Tab") {
    // Keep focus inside the dialog.
    const focusable = [...lightbox.querySelectorAll("button:not([disabled]):not([hidden]), textarea")].filter(
      (el) => el.getClientRects().length > 0,
    );
    const i = focusable.indexOf(document.activeElement);
    const next = event.shiftKey ? focusable[i - 1] || focusable.at(-1) : focusable[i + 1] || focusable[0];
    event.preventDefault();
    next.focus();
  } else return;
});

let swipeStart = null;
const stage = $("[data-lightbox-stage]");
stage.addEventListener("pointerdown", (event) => {
  swipeStart = { x: event.clientX, y: event.clientY };
});
stage.addEventListener("pointerup", (event) => {
  if (!swipeStart) return;
  const dx = event.clientX - swipeStart.x;
  const dy = event.clientY - swipeStart.y;
  swipeStart = null;
  if (Math.abs(dx) > 50 && Math.abs(dx) > Math.abs(dy)) step(dx < 0 ? 1 : -1);
});
stage.addEventListener("click", (event) => {
  if (event.target === stage) closeLightbox();
});

$("[data-lightbox-close]").addEventListener("click", closeLightbox);
$("[data-lightbox-prev]").addEventListener("click", () => step(-1));
$("[data-lightbox-next]").addEventListener("click", () => step(1));
$("[data-lightbox-favorite]").addEventListener("click", () => toggleFavorite(state.photos[state.current].id));
$("[data-lightbox-select]").addEventListener("click", () => toggleSelected(state.photos[state.current].id));
$("[data-lightbox-download]").addEventListener("click", async () => {
  const photo = state.photos[state.current];
  if (!(await pinReady())) return;
  const size = downloadSize(state.gallery);
  const url = `${API}/photos/${photo.id}/download/?size=${size}`;
  if (size === "full") {
    // Full size answers with a redirect to a signed link of the original (maybe on S3): let the browser follow it.
    const link = document.createElement("a");
    link.href = `${url}&${new URLSearchParams({ token: state.token })}`;
    link.download = "";
    document.body.append(link);
    link.click();
    link.remove();
    return;
  }
  download(url, `${(photo.filename || `photo-${photo.id}`).replace(/\.[^.]+$/, "")}.jpg`);
});

// --- wiring ----------------------------------------------------------------------
$("[data-unlock-form]").addEventListener("submit", unlock);
$("[data-lock]").addEventListener("click", lock);
$("[data-submit-selection]").addEventListener("click", submitSelection);
$("[data-download-all]").addEventListener("click", downloadAll);
$("[data-load-more]").addEventListener("click", () => state.next && loadPage(state.next));
if ("IntersectionObserver" in window) {
  new IntersectionObserver(loadMoreIfNearEnd, { rootMargin: "600px" }).observe($("[data-grid-end]"));
}
start();
