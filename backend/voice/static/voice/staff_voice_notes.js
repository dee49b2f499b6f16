// Staff voice-notes page: find a booking, record with MediaRecorder, send through the
// addVoiceNote multipart mutation, and watch notes change live over the voiceNoteUpdates
// subscription (graphql-ws client, graphql-transport-ws protocol). No polling.
(() => {
  "use strict";

  const config = JSON.parse(document.getElementById("config").textContent);
  const $ = (selector, root = document) => root.querySelector(selector);

  const NOTE_FIELDS = `id status transcript editedTranscript editedAt editedBy { username }
    provider error createdAt updatedAt durationSeconds audioUrl language languageSource redactions { kind count }`;
  const BOOKINGS = `query Bookings($filters: BookingFilter) {
    bookings(filters: $filters, ordering: [{startDate: ASC}], pagination: {limit: 50}) {
      id reference guestName startDate endDate nights status accommodation { id name }
    }
  }`;
  const BOOKING = `query Booking($id: ID!) {
    booking(id: $id) {
      id reference status guestName startDate endDate nights accommodation { name } voiceNotes { ${NOTE_FIELDS} }
      history { sequence at actor action changes }
    }
    voiceNoteLanguages(booking: $id)
  }`;
  const SEARCH = `query SearchNotes($query: String!, $language: String) {
    searchVoiceNotes(query: $query, language: $language, pagination: {limit: 20}) {
      snippet note { id language } booking { id guestName startDate accommodation { name } }
    }
  }`;
  const ADD = `mutation AddVoiceNote($booking: ID!, $audio: Upload!, $language: String) {
    addVoiceNote(booking: $booking, audio: $audio, language: $language) {
      __typename ... on VoiceNote { ${NOTE_FIELDS} } ... on OperationInfo { messages { code field message } }
    }
  }`;
  const EDIT = `mutation Edit($id: ID!, $transcript: String!) {
    editVoiceNoteTranscript(id: $id, transcript: $transcript) {
      __typename ... on VoiceNote { ${NOTE_FIELDS} } ... on OperationInfo { messages { code field message } }
    }
  }`;
  const UPDATES = `subscription Updates($booking: ID!) { voiceNoteUpdates(booking: $booking) { ${NOTE_FIELDS} } }`;

  // What a person should read for each refusal code; the server's own message follows it.
  const READABLE = {
    audio_too_long: "The recording is longer than allowed. Record a shorter note.",
    audio_too_large: "The recording is too large to upload.",
    unsupported_audio_format: "The server does not accept the format this browser recorded in.",
    empty_audio: "The recording is empty: check the microphone.",
    undecodable_audio: "The recording could not be read. Please record it again.",
    rate_limited: "Too many uploads for now. Please try again later.",
    not_found: "This booking no longer exists.",
    not_editable: "Only a finished transcript can be corrected.",
    blank: "The correction is empty.",
    max_length: "The correction is too long.",
    csrf_failed: "Your session has expired: reload the page and sign in again.",
    language_not_configured: "This place does not take notes in that language.",
  };
  const LANGUAGE_NAMES = { en: "English", pt: "Portuguese", de: "German", es: "Spanish" };
  const SOURCE_TEXT = { accommodation: "the place's language", request: "chosen", detected: "detected", provider: "detected" };
  const REDACTED_TEXT = { card: "card number", phone: "phone number", email: "e-mail address", iban: "IBAN" };
  const STATUS_TEXT = {
    PENDING: "Waiting for the transcription worker…",
    PROCESSING: "Transcribing…",
    FAILED: "Transcription failed.",
  };

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function refusal(code, message) {
    const readable = READABLE[code];
    return readable && readable !== message ? `${readable} (${message})` : message;
  }

  class RequestFailed extends Error {}

  async function post(body, headers = {}) {
    const response = await fetch(config.graphqlPath, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json", ...headers },
      body,
    });
    let payload;
    try {
      payload = await response.json();
    } catch (error) {
      throw new RequestFailed(`The server answered HTTP ${response.status}.`);
    }
    if (payload.errors && payload.errors.length) {
      const first = payload.errors[0];
      throw new RequestFailed(refusal(first.extensions && first.extensions.code, first.message));
    }
    return payload.data;
  }

  const gql = (query, variables = {}) =>
    post(JSON.stringify({ query, variables }), { "Content-Type": "application/json" });

  function operationMessages(result) {
    return result.messages.map((m) => refusal(m.code, m.message)).join(" ");
  }

  // --- Finding a booking -----------------------------------------------------------

  const bookingList = $("#bookings");
  let current = null; // {booking, unsubscribe}

  async function loadAccommodations() {
    const data = await gql("{ accommodations(pagination: {limit: 100}) { id name } }");
    const select = $("#accommodation");
    for (const place of data.accommodations) {
      select.add(new Option(place.name, place.id));
    }
  }

  async function searchBookings() {
    // End after today: stays going on now and the ones to come.
    // Every status (held, confirmed, cancelled, expired): staff see what happened to a booking.
    const filters = { endDate: { gt: config.today } };
    const guest = $("#guest").value.trim();
    if (guest) filters.guestName = { iContains: guest };
    if ($("#accommodation").value) filters.accommodationId = $("#accommodation").value;
    bookingList.replaceChildren();
    let data;
    try {
      data = await gql(BOOKINGS, { filters });
    } catch (error) {
      bookingList.append(item(`Could not load bookings: ${error.message}`));
      return;
    }
    if (!data.bookings.length) bookingList.append(item("No current or upcoming booking matches."));
    for (const booking of data.bookings) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "booking";
      button.dataset.bookingId = booking.id;
      button.textContent = `${booking.guestName} · ${booking.accommodation.name} · ${booking.startDate} → ${booking.endDate}` +
        ` · ${booking.reference} · ${booking.status.toLowerCase()}`;
      button.addEventListener("click", () => openBooking(booking.id));
      const li = document.createElement("li");
      li.append(button);
      bookingList.append(li);
    }
  }

  function item(text) {
    const li = document.createElement("li");
    li.textContent = text;
    return li;
  }

  // --- One booking: its notes, live --------------------------------------------------

  const notesList = $("#notes");
  const shown = new Map(); // note id -> {element, updatedAt}

  async function openBooking(id) {
    if (current && current.unsubscribe) current.unsubscribe();
    current = { id, unsubscribe: null };
    discardRecording();
    const data = await gql(BOOKING, { id });
    const booking = data.booking;
    if (!booking) {
      setText("#recorder-status", READABLE.not_found);
      return;
    }
    $("#booking-panel").hidden = false;
    $("#booking-title").textContent = `${booking.guestName} at ${booking.accommodation.name}`;
    $("#booking-summary").textContent = `${booking.startDate} → ${booking.endDate} · ${booking.nights} night(s)`;
    $("#booking-reference").textContent = booking.reference;
    $("#booking-status").textContent = booking.status.toLowerCase();
    $("#booking-status").dataset.status = booking.status;
    showHistory(booking.history);
    notesList.replaceChildren();
    shown.clear();
    booking.voiceNotes.slice().reverse().forEach(showNote);
    showLanguageChoice(data.voiceNoteLanguages || []);
    subscribe(booking.id);
    $("#booking-title").focus();
  }

  function showHistory(revisions) {
    const list = $("#history");
    list.replaceChildren();
    for (const revision of revisions) {
      const li = document.createElement("li");
      const changed = Object.keys(revision.changes).join(", ");
      li.textContent = `#${revision.sequence} ${new Date(revision.at).toLocaleString()} · ${revision.action} by ${revision.actor}` +
        (changed ? ` (${changed})` : "");
      li.dataset.action = revision.action;
      list.append(li);
    }
  }

  // A place with several languages: staff may say which one the note is in, or let it be detected
  // among them. A place with one language needs no choice.
  function showLanguageChoice(codes) {
    const select = $("#note-language");
    select.replaceChildren(new Option(`Detect (${codes.map((c) => LANGUAGE_NAMES[c] || c).join(" or ")})`, ""));
    for (const code of codes) select.add(new Option(LANGUAGE_NAMES[code] || code, code));
    $("#language-choice").hidden = codes.length < 2;
  }

  // --- Searching transcripts -------------------------------------------------------------

  // The server marks matches with [[ and ]] in plain text: build <mark> elements, never HTML.
  function highlighted(snippet) {
    const fragment = document.createDocumentFragment();
    snippet.split(/(\[\[.*?\]\])/).forEach((part) => {
      if (part.startsWith("[[") && part.endsWith("]]")) {
        const mark = document.createElement("mark");
        mark.textContent = part.slice(2, -2);
        fragment.append(mark);
      } else if (part) {
        fragment.append(document.createTextNode(part));
      }
    });
    return fragment;
  }

  async function searchTranscripts() {
    const list = $("#transcript-hits");
    const query = $("#said").value.trim();
    list.replaceChildren();
    if (!query) return;
    let data;
    try {
      data = await gql(SEARCH, { query, language: $("#said-language").value || null });
    } catch (error) {
      list.append(item(`Could not search: ${error.message}`));
      return;
    }
    if (!data.searchVoiceNotes.length) list.append(item("No note says that."));
    for (const hit of data.searchVoiceNotes) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "booking hit";
      button.dataset.noteId = hit.note.id;
      const where = document.createElement("strong");
      where.textContent = `${hit.booking.guestName} · ${hit.booking.accommodation.name} · ${hit.booking.startDate}`;
      const said = document.createElement("span");
      said.className = "snippet";
      said.lang = hit.note.language || "";
      said.append(highlighted(hit.snippet));
      button.append(where, document.createElement("br"), said);
      button.addEventListener("click", () => openBooking(hit.booking.id));
      const li = document.createElement("li");
      li.append(button);
      list.append(li);
    }
  }

  async function refreshNotes() {
    if (!current) return;
    const data = await gql(BOOKING, { id: current.id });
    if (data.booking) data.booking.voiceNotes.slice().reverse().forEach(showNote);
  }

  let wsClient = null;
  function subscriptionClient() {
    if (wsClient) return wsClient;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    let connectedBefore = false;
    wsClient = graphqlWs.createClient({
      url: `${scheme}//${location.host}${config.graphqlPath}`,
      retryAttempts: Infinity,
      shouldRetry: () => true,
      on: {
        connected: () => {
          setText("#live-state", "● live");
          // Back after a drop: read what changed meanwhile, once (not polling).
          if (connectedBefore) refreshNotes().catch(() => {});
          connectedBefore = true;
        },
        closed: (event) => {
          setText("#live-state", event && event.code === 4403
            ? "○ live updates refused: sign in again" : "○ reconnecting…");
        },
      },
    });
    return wsClient;
  }

  function subscribe(bookingId) {
    const unsubscribe = subscriptionClient().subscribe(
      { query: UPDATES, variables: { booking: bookingId } },
      {
        next: (result) => {
          if (result.data && current && current.id === bookingId) showNote(result.data.voiceNoteUpdates);
        },
        error: (error) => setText("#live-state", `○ live updates stopped: ${describe(error)}`),
        complete: () => {},
      },
    );
    current.unsubscribe = unsubscribe;
  }

  function describe(error) {
    if (Array.isArray(error)) return error.map((e) => e.message).join(" ");
    if (error && error.reason) return error.reason;
    return (error && error.message) || "connection closed";
  }

  function showNote(note) {
    const known = shown.get(note.id);
    // Events and query answers can cross; never let an older state replace a newer one.
    if (known && Date.parse(known.updatedAt) > Date.parse(note.updatedAt)) return;
    const element = known ? known.element : $("#note-template").content.firstElementChild.cloneNode(true);
    if (!known) {
      element.dataset.noteId = note.id;
      wireNote(element);
      notesList.prepend(element);
    }
    shown.set(note.id, { element, updatedAt: note.updatedAt, note });
    renderNote(element, note);
  }

  function renderNote(element, note) {
    const field = (name) => element.querySelector(`[data-field="${name}"]`);
    element.dataset.status = note.status;
    field("status").textContent = note.status.toLowerCase();
    field("status").className = `badge badge-${note.status.toLowerCase()}`;
    field("created").textContent = new Date(note.createdAt).toLocaleString();
    field("provider").textContent = note.provider ? `by ${note.provider}` : "";
    field("language").hidden = !note.language;
    field("language").textContent = note.language
      ? `${LANGUAGE_NAMES[note.language] || note.language}${note.languageSource ? ` · ${SOURCE_TEXT[note.languageSource] || note.languageSource}` : ""}`
      : "";
    const removed = (note.redactions || []).map((r) => `${r.count} ${REDACTED_TEXT[r.kind] || r.kind}${r.count > 1 ? "s" : ""}`);
    field("redacted").hidden = !removed.length;
    field("redacted").textContent = removed.length ? `Removed: ${removed.join(", ")}` : "";
    field("transcript").lang = note.language || "";
    const text = note.editedTranscript || note.transcript;
    field("transcript").textContent = text || (note.status === "COMPLETED" ? "(no speech recognised)" : STATUS_TEXT[note.status]);
    field("transcript").classList.toggle("waiting", !text);
    field("machine").hidden = !note.editedTranscript;
    field("machine").textContent = `Machine transcript: ${note.transcript}`;
    field("edited").hidden = !note.editedAt;
    if (note.editedAt) {
      const who = note.editedBy ? note.editedBy.username : "a former user";
      field("edited").textContent = `Corrected by ${who}, ${new Date(note.editedAt).toLocaleString()}`;
    }
    field("error").hidden = note.status !== "FAILED" || !note.error;
    field("error").textContent = note.error;
    const audio = field("audio");
    if (audio.getAttribute("src") !== note.audioUrl) audio.setAttribute("src", note.audioUrl);
    element.querySelector('[data-action="edit"]').hidden = note.status !== "COMPLETED";
  }

  function wireNote(element) {
    const editBox = element.querySelector(".edit");
    const message = element.querySelector('[data-field="note-message"]');
    const textarea = element.querySelector('[data-field="edit-text"]');
    const editButton = element.querySelector('[data-action="edit"]');
    editButton.addEventListener("click", () => {
      const { note } = shown.get(element.dataset.noteId);
      textarea.value = note.editedTranscript || note.transcript;
      editBox.hidden = false;
      editButton.hidden = true;
      textarea.focus();
    });
    element.querySelector('[data-action="cancel"]').addEventListener("click", () => {
      editBox.hidden = true;
      editButton.hidden = false;
      editButton.focus();
    });
    element.querySelector('[data-action="save"]').addEventListener("click", async () => {
      message.textContent = "Saving…";
      try {
        const data = await gql(EDIT, { id: element.dataset.noteId, transcript: textarea.value });
        const result = data.editVoiceNoteTranscript;
        if (result.__typename === "OperationInfo") {
          message.textContent = operationMessages(result);
          return;
        }
        showNote(result);
        message.textContent = "Correction saved.";
        editBox.hidden = true;
        editButton.hidden = false;
      } catch (error) {
        message.textContent = error.message;
      }
    });
  }

  // --- Recording -----------------------------------------------------------------------

  const recordButton = $("#record");
  const stopButton = $("#stop");
  const sendButton = $("#send");
  const discardButton = $("#discard");
  const preview = $("#preview");
  let recorder = null;
  let recording = null; // {blob, seconds}
  let ticker = null;

  const clock = (seconds) => `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, "0")}`;
  $("#max-time").textContent = clock(config.maxSeconds);

  function recorderType() {
    // WebM/Opus where supported (Chromium, Firefox); MP4/AAC on Safari.
    const candidates = ["audio/webm;codecs=opus", "audio/webm", "audio/mp4;codecs=mp4a.40.2", "audio/mp4"];
    return candidates.find((type) => window.MediaRecorder && MediaRecorder.isTypeSupported(type)) || "";
  }

  async function startRecording() {
    if (!window.MediaRecorder || !navigator.mediaDevices) {
      setText("#recorder-status", "This browser cannot record audio.");
      return;
    }
    discardRecording();
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      setText("#recorder-status", `No microphone: ${error.message}`);
      return;
    }
    const type = recorderType();
    recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
    const chunks = [];
    const started = performance.now();
    // Stop a little before the limit: containers round durations up.
    const limit = Math.max(1, config.maxSeconds - 0.5);
    recorder.addEventListener("dataavailable", (event) => event.data.size && chunks.push(event.data));
    recorder.addEventListener("stop", () => {
      clearInterval(ticker);
      stream.getTracks().forEach((track) => track.stop());
      const seconds = (performance.now() - started) / 1000;
      const blob = new Blob(chunks, { type: recorder.mimeType || type });
      recording = { blob, seconds };
      preview.src = URL.createObjectURL(blob);
      preview.hidden = false;
      recordButton.disabled = false;
      stopButton.disabled = true;
      sendButton.disabled = false;
      discardButton.disabled = false;
      const limited = seconds >= limit ? ` Stopped at the ${clock(config.maxSeconds)} limit.` : "";
      setText("#recorder-status", `Recorded ${clock(seconds)}.${limited} Listen back, then send or discard.`);
      sendButton.focus();
    });
    recorder.start(250);
    recordButton.disabled = true;
    stopButton.disabled = false;
    stopButton.focus();
    setText("#recorder-status", "Recording…");
    ticker = setInterval(() => {
      const elapsed = (performance.now() - started) / 1000;
      $("#timer").textContent = clock(elapsed);
      if (elapsed >= limit && recorder.state === "recording") recorder.stop();
    }, 200);
  }

  function stopRecording() {
    if (recorder && recorder.state === "recording") recorder.stop();
  }

  function discardRecording() {
    stopRecording();
    recording = null;
    if (preview.src) URL.revokeObjectURL(preview.src);
    preview.removeAttribute("src");
    preview.hidden = true;
    sendButton.disabled = true;
    discardButton.disabled = true;
    $("#timer").textContent = "0:00";
  }

  async function sendRecording() {
    if (!recording || !current) return;
    if (recording.blob.size > config.maxBytes) {
      setText("#recorder-status", READABLE.audio_too_large);
      return;
    }
    const extension = recording.blob.type.includes("mp4") ? "m4a" : "webm";
    const form = new FormData();
    const language = $("#language-choice").hidden ? null : $("#note-language").value || null;
    form.append("operations", JSON.stringify({ query: ADD, variables: { booking: current.id, audio: null, language } }));
    form.append("map", JSON.stringify({ 0: ["variables.audio"] }));
    form.append("0", recording.blob, `voice-note.${extension}`);
    sendButton.disabled = true;
    setText("#recorder-status", "Sending…");
    try {
      const result = (await post(form)).addVoiceNote;
      if (result.__typename === "OperationInfo") {
        setText("#recorder-status", operationMessages(result));
        sendButton.disabled = false;
        return;
      }
      showNote(result);
      discardRecording();
      setText("#recorder-status", "Sent. The transcript appears below when it is ready.");
    } catch (error) {
      setText("#recorder-status", error.message);
      sendButton.disabled = false;
    }
  }

  function setText(selector, text) {
    $(selector).textContent = text;
  }

  recordButton.addEventListener("click", startRecording);
  stopButton.addEventListener("click", stopRecording);
  sendButton.addEventListener("click", sendRecording);
  discardButton.addEventListener("click", () => {
    discardRecording();
    setText("#recorder-status", "Recording discarded.");
    recordButton.focus();
  });
  $("#search").addEventListener("submit", (event) => {
    event.preventDefault();
    searchBookings();
  });
  $("#transcript-search").addEventListener("submit", (event) => {
    event.preventDefault();
    searchTranscripts();
  });

  loadAccommodations().catch(() => {});
  searchBookings();
})();
