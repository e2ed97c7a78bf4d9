// A gallery's Photos page (galleries/admin_photos.py). Tick photos for the toolbar's actions (shift-click ticks a
// range); drag a photo (or the ticked ones) to another place to reorder, saved through galleries.curation.reorder;
// drop files from the computer onto the grid to upload them, three at a time, each tile showing its progress and
// then its thumbnail once the pipeline has made it (the status view, polled). Each file goes in parts and resumes
// after a drop (galleries/multipart.py): straight to the bucket with S3 storage, to the admin on local storage.
(() => {
  const root = document.querySelector("[data-gallery-manager]");
  if (!root) return;
  const grid = root.querySelector("[data-grid]");
  const dropZone = root.querySelector("[data-drop-zone]");
  const toolbar = document.getElementById("manager-actions");
  const csrf = toolbar.querySelector("[name=csrfmiddlewaretoken]").value;
  const message = root.querySelector("[data-message]");
  const uploadSummary = root.querySelector("[data-upload-summary]");

  const say = (text, isError) => {
    message.textContent = text;
    message.hidden = false;
    message.classList.toggle("is-error", Boolean(isError));
  };

  // --- Share: copy the client's link (and a recipient's new link) ------------------------------------------
  root.querySelectorAll("[data-copy-link]").forEach((button) => {
    button.addEventListener("click", async () => {
      const row = button.closest(".gallery-manager-share-row");
      const link = row.querySelector("[data-share-link]");
      const copied = row.querySelector("[data-copied]");
      try {
        await navigator.clipboard.writeText(link.value);
        copied.textContent = "Link copied.";
      } catch (error) {
        link.select(); // no clipboard access (an insecure origin): selected, for Ctrl+C
        copied.textContent = "Press Ctrl+C (⌘C) to copy the selected link.";
      }
    });
  });

  // --- Selection -------------------------------------------------------------------------------------
  const boxes = () => [...grid.querySelectorAll("input[name=photos]")];
  const selectAll = root.querySelector("[data-select-all]");
  const selectedCount = root.querySelector("[data-selected-count]");
  let lastTicked = null;

  const refresh = () => {
    const all = boxes();
    const ticked = all.filter((box) => box.checked);
    selectedCount.textContent = `${ticked.length} selected`;
    toolbar.querySelectorAll("[data-needs-selection]").forEach((button) => { button.disabled = !ticked.length; });
    all.forEach((box) => box.closest("[data-photo]").classList.toggle("is-selected", box.checked));
    selectAll.checked = ticked.length > 0 && ticked.length === all.length;
  };

  grid.addEventListener("click", (event) => {
    const box = event.target.closest("input[name=photos]");
    if (!box) return;
    if (event.shiftKey && lastTicked && lastTicked !== box) {
      const all = boxes();
      const [from, to] = [all.indexOf(lastTicked), all.indexOf(box)].sort((a, b) => a - b);
      all.slice(from, to + 1).forEach((other) => { other.checked = box.checked; });
    }
    lastTicked = box;
    refresh();
  });
  selectAll.addEventListener("change", () => {
    boxes().forEach((box) => { box.checked = selectAll.checked; });
    refresh();
  });
  toolbar.addEventListener("submit", (event) => {
    const button = event.submitter;
    if (button?.dataset.confirm && !window.confirm(button.dataset.confirm)) event.preventDefault();
  });
  // Enter in "Move to position" moves (the form's first button would otherwise hide the photos).
  toolbar.querySelector("[name=position]")?.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    toolbar.querySelector("button[value=position]")?.click();
  });
  refresh();

  // --- Reorder -----------------------------------------------------------------------------------------
  const tiles = () => [...grid.querySelectorAll("[data-photo]")];
  const isFileDrag = (event) => [...(event.dataTransfer?.types || [])].includes("Files");
  let dragged = [];
  let marked = null;

  const unmark = () => {
    marked?.classList.remove("is-drop-before", "is-drop-after");
    marked = null;
  };
  const after = (tile, event) => {
    const box = tile.getBoundingClientRect();
    return event.clientX > box.left + box.width / 2;
  };

  grid.addEventListener("dragstart", (event) => {
    const tile = event.target.closest("[data-photo]");
    if (!tile) return;
    // Dragging a ticked photo takes all the ticked ones along, in their order.
    dragged = tile.classList.contains("is-selected") ? tiles().filter((t) => t.classList.contains("is-selected")) : [tile];
    dragged.forEach((t) => t.classList.add("is-dragging"));
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", tile.dataset.photo);
  });
  grid.addEventListener("dragover", (event) => {
    if (!dragged.length) return;
    const over = event.target.closest("[data-photo]");
    event.preventDefault();
    if (!over || dragged.includes(over)) return unmark();
    unmark();
    marked = over;
    over.classList.add(after(over, event) ? "is-drop-after" : "is-drop-before");
  });
  grid.addEventListener("dragend", () => {
    dragged.forEach((t) => t.classList.remove("is-dragging"));
    dragged = [];
    unmark();
  });
  grid.addEventListener("drop", async (event) => {
    if (!dragged.length) return;
    event.preventDefault();
    const over = event.target.closest("[data-photo]");
    const moving = dragged;
    unmark();
    if (!over || moving.includes(over)) return;
    const before = tiles();
    const anchor = after(over, event) ? over.nextSibling : over;
    moving.forEach((t) => grid.insertBefore(t, anchor));
    await saveOrder(before);
  });

  const saveOrder = async (before) => {
    say("Saving the new order…");
    const response = await fetch(root.dataset.reorderUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify({ ids: tiles().map((t) => Number(t.dataset.photo)) }),
    }).catch(() => null);
    const result = response ? await response.json().catch(() => ({})) : {};
    if (response?.ok && result.ok) {
      say(result.message);
      root.querySelector("[data-sort]").textContent = "Manual order";
      return;
    }
    before.forEach((t) => grid.appendChild(t)); // back as it was, so the page shows what is saved
    say(result.message || "The new order could not be saved (network error). Try again.", true);
  };

  // --- Upload ------------------------------------------------------------------------------------------
  const pending = new Map(); // photo id → tile, until the pipeline says ready or failed
  const totals = { files: 0, sent: 0, ready: 0, failed: 0 };

  const summarise = () => {
    uploadSummary.hidden = false;
    const left = totals.files - totals.sent;
    uploadSummary.textContent = `Uploaded ${totals.sent} of ${totals.files}${left ? "…" : "."} `
      + `${totals.ready} ready, ${pending.size} processing${totals.failed ? `, ${totals.failed} failed` : ""}.`;
  };

  // The summary line at the top, as the page writes it (manager.html), from the counts each poll brings.
  const showCounts = (counts) => {
    const line = root.querySelector("[data-counts]");
    if (!line || !counts) return;
    const parts = [`${counts.total} photo${counts.total === 1 ? "" : "s"}: ${counts.ready} ready`];
    if (counts.processing) parts.push(`${counts.processing} processing`);
    if (counts.failed) parts.push(`<a href="?status=failed">${counts.failed} failed</a>`);
    if (counts.hidden) parts.push(`${counts.hidden} hidden`);
    line.innerHTML = parts.join(", "); // numbers only: nothing from a user goes in
    const position = toolbar.querySelector("[name=position]");
    if (position) position.max = Math.max(counts.total, 1);
  };

  const statusLabel = (tile, html) => { tile.querySelector("[data-status-label]").innerHTML = html; };
  const escape = (text) => String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

  const uploadTile = (file) => {
    grid.querySelector("[data-empty]")?.remove();
    const tile = document.createElement("li");
    tile.className = "photo-tile status-uploading";
    tile.dataset.uploading = "";
    tile.innerHTML = `<label class="photo-tile-pick"></label>
      <div class="photo-tile-image"><span class="photo-tile-placeholder">…</span></div>
      <div class="photo-tile-name"></div>
      <div class="photo-tile-status" data-status-label><progress max="100" value="0"></progress></div>
      <div class="photo-tile-badges"></div>`;
    tile.querySelector(".photo-tile-name").textContent = file.name;
    tile.querySelector(".photo-tile-name").title = file.name;
    grid.appendChild(tile);
    return tile;
  };

  const uploadFailed = (tile, text) => {
    tile.className = "photo-tile status-failed";
    statusLabel(tile, `<span class="w-status w-status--label photo-failed">Not uploaded</span> <span class="photo-tile-reason">${escape(text)}</span>`);
    totals.failed += 1;
  };

  const accepted = (tile, body) => {
    tile.dataset.photo = body.id;
    delete tile.dataset.uploading;
    tile.draggable = true;
    tile.className = "photo-tile status-processing";
    tile.querySelector(".photo-tile-pick").innerHTML = `<input type="checkbox" name="photos" value="${body.id}" form="manager-actions" aria-label="Select ${escape(body.filename)}">`;
    statusLabel(tile, '<span class="w-status">Processing</span>');
    pending.set(String(body.id), tile);
  };

  // Resumable (galleries/multipart.py): the file goes in parts to the URLs `sign` gives (presigned S3 URLs, or
  // the admin's part view on local storage). The upload's id is kept in localStorage under the file's name, size
  // and date, so after a network drop (retried here) or a reload (drop the same files again) only the parts the
  // storage does not have yet are sent.
  const RESUME_KEY = `focusflow-multipart:${location.pathname}`;
  const saved = () => { try { return JSON.parse(localStorage.getItem(RESUME_KEY) || "{}"); } catch (error) { return {}; } };
  const remember = (fileKey, id) => {
    const all = saved();
    if (id) all[fileKey] = id; else delete all[fileKey];
    try { localStorage.setItem(RESUME_KEY, JSON.stringify(all)); } catch (error) { /* private mode: no resume after reload */ }
  };
  const json = async (url, options = {}) => {
    const response = await fetch(url, { credentials: "same-origin", ...options });
    return { status: response.status, body: await response.json().catch(() => ({})) };
  };
  const pause = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });
  const sameSite = (url) => new URL(url, location.href).origin === location.origin;
  // → [status, the admin's refusal or null]. Local storage: the part goes to the admin itself, which wants the
  // CSRF token (never sent to S3) and refuses with a message; S3 answers XML (an expired URL is signed again).
  const putPart = (url, blob, onProgress) => new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    if (sameSite(url)) xhr.setRequestHeader("X-CSRFToken", csrf);
    xhr.upload.onprogress = onProgress;
    xhr.onload = () => {
      let refusal = null;
      if (sameSite(url) && xhr.status >= 400 && xhr.status < 500) {
        try { refusal = JSON.parse(xhr.responseText).error?.message || null; } catch (error) { /* not JSON */ }
        refusal = refusal || `Upload refused (${xhr.status}).`;
      }
      resolve([xhr.status, refusal]);
    };
    xhr.onerror = () => resolve([0, null]);
    xhr.send(blob);
  });

  const sendMultipart = async (file, tile) => {
    const headers = { "X-CSRFToken": csrf, "Content-Type": "application/json" };
    const base = root.dataset.multipartUrl;
    const fileKey = `${file.name}:${file.size}:${file.lastModified}`;
    let state = null;
    const known = saved()[fileKey];
    if (known) {
      const found = await json(`${base}${known}/`);
      if (found.status === 200 && !found.body.photo) state = found.body; else remember(fileKey, null);
    }
    if (!state) {
      const started = await json(base, {
        method: "POST", headers, body: JSON.stringify({ filename: file.name, size: file.size, set: root.dataset.uploadSet }),
      });
      if (started.status !== 201) return uploadFailed(tile, started.body.error?.message || `Upload refused (${started.status}).`);
      state = started.body;
      remember(fileKey, state.upload);
    }
    const done = new Set(state.done);
    const partBytes = (n) => Math.min(state.part_size, file.size - (n - 1) * state.part_size);
    let sentBytes = [...done].reduce((sum, n) => sum + partBytes(n), 0);
    const bar = () => tile.querySelector("progress");
    for (let attempt = 0; done.size < state.parts; attempt += 1) {
      const missing = [];
      for (let n = 1; n <= state.parts; n += 1) if (!done.has(n)) missing.push(n);
      const signed = await json(`${base}${state.upload}/sign/`, { method: "POST", headers, body: JSON.stringify({ parts: missing.slice(0, 100) }) })
        .catch(() => ({ status: 0, body: {} }));
      if (signed.status === 200) {
        for (const n of missing.slice(0, 100)) {
          const blob = file.slice((n - 1) * state.part_size, n * state.part_size);
          const [status, refusal] = await putPart(signed.body.urls[n], blob, (event) => {
            if (event.lengthComputable) bar().value = (100 * (sentBytes + event.loaded)) / file.size;
          });
          if (refusal) return uploadFailed(tile, refusal); // the admin said no: retrying would not help
          if (status < 200 || status >= 300) break; // a drop: sign again and go on from the missing parts
          done.add(n);
          sentBytes += blob.size;
          if (tile.querySelector(".photo-tile-reason")) statusLabel(tile, '<progress max="100" value="0"></progress>');
          bar().value = (100 * sentBytes) / file.size;
          attempt = 0;
        }
      } else if (signed.status >= 400) {
        return uploadFailed(tile, signed.body.error?.message || `Upload refused (${signed.status}).`);
      }
      if (done.size < state.parts) {
        if (attempt >= 8) return uploadFailed(tile, "The connection keeps dropping: drop this file again later to go on where it stopped.");
        statusLabel(tile, `<progress max="100" value="${(100 * sentBytes) / file.size}"></progress> <span class="photo-tile-reason">Connection lost, retrying…</span>`);
        await pause(Math.min(30000, 1000 * 2 ** attempt));
      }
    }
    const completed = await json(`${base}${state.upload}/complete/`, { method: "POST", headers });
    if (completed.status === 201) {
      remember(fileKey, null);
      return accepted(tile, completed.body);
    }
    if (completed.status !== 400 || !/have not arrived/.test(completed.body.error?.message || "")) remember(fileKey, null);
    return uploadFailed(tile, completed.body.error?.message || `Upload failed (${completed.status}).`);
  };

  const upload = async (files) => {
    const queue = files.map((file) => [file, uploadTile(file)]);
    totals.files += files.length;
    summarise();
    // Three at a time: a 2,000-photo upload must not open 2,000 connections.
    const worker = async () => {
      while (queue.length) {
        const [file, tile] = queue.shift();
        await sendMultipart(file, tile).catch(() => uploadFailed(tile, "Network error: try this file again."));
        totals.sent += 1;
        summarise();
      }
    };
    await Promise.all([worker(), worker(), worker()]);
  };

  const poll = async () => {
    const ids = [...pending.keys()].slice(0, 500);
    if (ids.length) {
      const response = await fetch(`${root.dataset.statusUrl}?ids=${ids.join(",")}`, { credentials: "same-origin" }).catch(() => null);
      const body = response?.ok ? await response.json().catch(() => ({ photos: [] })) : { photos: [] };
      for (const photo of body.photos) {
        const tile = pending.get(String(photo.id));
        if (!tile) continue;
        if (photo.status === "ready" && photo.thumb) {
          tile.className = "photo-tile status-ready";
          tile.querySelector(".photo-tile-image").innerHTML = `<img src="${escape(photo.thumb)}" alt="" draggable="false">`;
          statusLabel(tile, '<span class="w-status w-status--primary">Ready</span>');
          pending.delete(String(photo.id));
          totals.ready += 1;
        } else if (photo.status === "failed") {
          tile.className = "photo-tile status-failed";
          tile.querySelector(".photo-tile-image").innerHTML = '<span class="photo-tile-placeholder">✕</span>';
          statusLabel(tile, `<span class="w-status w-status--label photo-failed">Failed</span> <span class="photo-tile-reason">${escape(photo.failure_reason)}</span>`);
          pending.delete(String(photo.id));
          totals.failed += 1;
        }
      }
      showCounts(body.counts);
      if (totals.files) summarise();
    }
    window.setTimeout(poll, 1500);
  };

  // Photos still processing when the page was opened get their thumbnails too, without a reload.
  tiles().filter((t) => ["pending", "processing"].includes(t.dataset.status)).forEach((t) => pending.set(t.dataset.photo, t));

  dropZone.addEventListener("dragover", (event) => {
    if (!isFileDrag(event)) return;
    event.preventDefault();
    dropZone.classList.add("is-drop-target");
  });
  dropZone.addEventListener("dragleave", (event) => {
    if (!dropZone.contains(event.relatedTarget)) dropZone.classList.remove("is-drop-target");
  });
  dropZone.addEventListener("drop", (event) => {
    if (!isFileDrag(event)) return;
    event.preventDefault();
    dropZone.classList.remove("is-drop-target");
    upload([...event.dataTransfer.files]);
  });
  root.querySelector("[data-file-input]").addEventListener("change", (event) => {
    upload([...event.target.files]);
    event.target.value = "";
  });
  poll();
})();
