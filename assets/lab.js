// The console's test lab: Retell's side of the custom-LLM protocol, in the browser.
//
// The page asks the server for a lab call id (a CSRF-checked POST that registers the call as a
// test), opens the same WebSocket Retell opens for a phone call, and then behaves as Retell
// does: it answers the server's config with call_details, pings every 2 s, and turns each
// thing the caller types (or says, where the browser recognises speech) into a user utterance
// and a response_required carrying the whole transcript and a new response_id. The agent's
// words are shown as they stream; a response superseded by a newer id is cut off and anything
// later for it is dropped, as Retell drops it. end_call and transfer_number end the call; the
// page then files the end of the call (no webhook comes for a lab call).
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const startForm = $("lab-start");
  const sayForm = $("lab-say");
  const log = $("lab-transcript");
  if (!startForm || !sayForm || !log) return;
  const text = $("lab-text");
  const mic = $("lab-mic");
  const csrf = startForm.querySelector("input[name=csrf]").value;

  let call = null; // what the server returned: call_id, websocket, activity, end
  let socket = null;
  let pinger = null;
  let transcript = []; // [{role, content}], as Retell sends it
  let requested = 0; // the latest response_id asked for (0: the greeting)
  let responses = new Map(); // response_id -> {span, text, done}
  let ended = null; // why the call ended, once it has

  function status(message) {
    $("lab-status").textContent = message;
  }

  function scrolled(node) {
    log.append(node);
    log.scrollTop = log.scrollHeight;
    return node;
  }

  function said(who, kind) {
    const p = document.createElement("p");
    p.className = "said " + kind;
    const b = document.createElement("b");
    b.textContent = who;
    const words = document.createElement("span");
    words.className = "words";
    p.append(b, " ", words);
    scrolled(p);
    return words;
  }

  function note(message, kind) {
    const p = document.createElement("p");
    p.className = "event" + (kind ? " " + kind : "");
    p.textContent = message;
    return scrolled(p);
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  function busy(on) {
    $("lab-call").disabled = on;
    $("lab-from").disabled = on;
    for (const id of ["lab-hangup", "lab-text", "lab-send", "lab-silent", "lab-mic"]) {
      $(id).disabled = !on;
    }
    if (on) text.focus();
  }

  function refreshLists() {
    if (window.htmx) window.htmx.trigger(document.body, "lab-changed");
  }

  // The lab call's tool calls and appointments, polled by htmx while the call is on.
  function showActivity() {
    if (window.htmx) {
      window.htmx.ajax("GET", call.activity, { target: "#lab-activity", swap: "outerHTML" });
    }
  }

  startForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (socket) return;
    status("Starting a call…");
    let response;
    try {
      response = await fetch(startForm.action, {
        method: "POST",
        body: new URLSearchParams({ csrf }),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
    } catch (err) {
      status("The server cannot be reached.");
      return;
    }
    const json = (response.headers.get("content-type") || "").includes("application/json");
    if (!response.ok || !json) {
      status(response.status === 403
        ? "This page has expired: reload it and try again."
        : "No call could be started (signed out? Reload the page).");
      return;
    }
    call = await response.json();
    connect();
  });

  function connect() {
    transcript = [];
    responses = new Map();
    requested = 0;
    ended = null;
    log.replaceChildren();
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(scheme + "//" + location.host + call.websocket);
    status("Calling…");
    busy(true);
    socket.addEventListener("open", () => {
      status("On the line · " + call.call_id);
      pinger = setInterval(() => send({ interaction_type: "ping_pong", timestamp: Date.now() }), 2000);
      showActivity();
    });
    socket.addEventListener("message", (message) => {
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch (err) {
        note("An unreadable frame came from the server.", "failed");
        return;
      }
      receive(frame);
    });
    socket.addEventListener("close", (event) => closed(event));
  }

  function receive(frame) {
    switch (frame.response_type) {
      case "config":
        if (frame.config && frame.config.call_details) send({ interaction_type: "call_details", call: details() });
        break;
      case "response":
        respond(frame);
        break;
      case "tool_call_invocation":
        note("Tool: " + frame.name + " " + (frame.arguments || ""), "tool");
        break;
      case "tool_call_result":
        if (frame.successful === false) note("The tool failed.", "tool failed");
        refreshLists();
        break;
      default:
        // ping_pong answers, and anything newer: nothing to show.
        break;
    }
  }

  // What Retell's call_details says of a phone call; the number is the one typed.
  function details() {
    const from = $("lab-from").value.trim();
    const details = {
      call_id: call.call_id,
      call_type: "phone_call",
      direction: "inbound",
      call_status: "ongoing",
      metadata: { test_lab: true },
    };
    if (from) details.from_number = from;
    return details;
  }

  function respond(frame) {
    const id = frame.response_id;
    // Only the latest request is answered; anything for an older one is dropped.
    if (id !== requested) return;
    let response = responses.get(id);
    if (!response) {
      response = { span: said("Receptionist", "agent streaming"), text: "", done: false };
      responses.set(id, response);
    }
    if (response.done) return;
    response.text += typeof frame.content === "string" ? frame.content : "";
    response.span.textContent = response.text;
    log.scrollTop = log.scrollHeight;
    if (!frame.content_complete) return;
    response.done = true;
    const line = response.span.parentElement;
    line.classList.remove("streaming");
    if (response.text) {
      transcript.push({ role: "agent", content: response.text });
      speak(response.text);
    } else {
      line.remove();
    }
    if (frame.end_call) {
      note("The receptionist ended the call.", "end");
      hangUp("agent_hangup");
    } else if (frame.transfer_number) {
      note("Transferred to " + frame.transfer_number + ".", "transfer");
      hangUp("call_transfer");
    }
  }

  // A newer request supersedes one still streaming: what arrived of it was said, cut off.
  function supersede() {
    const open = responses.get(requested);
    if (open && !open.done) {
      open.done = true;
      open.span.parentElement.classList.remove("streaming");
      open.span.parentElement.classList.add("cut");
      if (open.text) transcript.push({ role: "agent", content: open.text });
    }
    if (window.speechSynthesis) window.speechSynthesis.cancel();
  }

  function callerSays(words) {
    words = words.trim();
    if (!words || !socket || socket.readyState !== WebSocket.OPEN) return;
    supersede();
    said("Caller", "user").textContent = words;
    transcript.push({ role: "user", content: words });
    requested += 1;
    send({ interaction_type: "response_required", response_id: requested, transcript: transcript.slice() });
  }

  sayForm.addEventListener("submit", (event) => {
    event.preventDefault();
    callerSays(text.value);
    text.value = "";
    text.focus();
  });

  // The caller stays silent: Retell asks for a reminder.
  $("lab-silent").addEventListener("click", () => {
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    supersede();
    note("(The caller says nothing.)");
    requested += 1;
    send({ interaction_type: "reminder_required", response_id: requested, transcript: transcript.slice() });
  });

  $("lab-hangup").addEventListener("click", () => {
    note("You hung up.", "end");
    hangUp("user_hangup");
  });

  function hangUp(reason) {
    if (ended) return;
    ended = reason;
    if (socket) socket.close(1000, "hang up");
  }

  function closed(event) {
    clearInterval(pinger);
    pinger = null;
    if (!ended) {
      ended = "user_hangup";
      note("The line closed (" + (event.code || "no code") + ").", "end");
    }
    socket = null;
    busy(false);
    status("The call has ended.");
    fileEnd(ended).finally(() => {
      refreshLists();
    });
  }

  // No webhook comes for a lab call: the page files its end, with the transcript it kept.
  function fileEnd(reason) {
    if (!call) return Promise.resolve();
    const body = new URLSearchParams({ csrf, reason, transcript: JSON.stringify(transcript) });
    return fetch(call.end, { method: "POST", body, credentials: "same-origin" }).catch(() => {});
  }

  window.addEventListener("pagehide", () => {
    if (socket && !ended && navigator.sendBeacon) {
      ended = "user_hangup";
      navigator.sendBeacon(call.end, new URLSearchParams({ csrf, reason: ended, transcript: JSON.stringify(transcript) }));
    }
  });

  function speak(words) {
    if (!$("lab-speak").checked || !window.speechSynthesis) return;
    const utterance = new SpeechSynthesisUtterance(words);
    utterance.lang = "en-US";
    window.speechSynthesis.speak(utterance);
  }

  // Speech in, where the browser recognises it: each final result is the caller's turn.
  const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
  if (Recognition && mic) {
    mic.hidden = false;
    let listening = null;
    mic.addEventListener("click", () => {
      if (listening) {
        listening.stop();
        return;
      }
      listening = new Recognition();
      listening.lang = "en-US";
      listening.interimResults = false;
      listening.addEventListener("result", (event) => {
        const result = event.results[event.results.length - 1];
        if (result && result.isFinal) callerSays(result[0].transcript);
      });
      listening.addEventListener("error", (event) => note("Speech: " + event.error + ".", "failed"));
      listening.addEventListener("end", () => {
        listening = null;
        mic.textContent = "Speak";
      });
      mic.textContent = "Listening… (click to stop)";
      listening.start();
    });
  }
})();
