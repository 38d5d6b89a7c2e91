// voicebot browser widget. Embed with one tag:
//   <script src="https://HOST/static/widget.js" data-dialogue="pizza_order" data-token="KEY"></script>
// Options (data-*): dialogue, token, server (default: the script's origin), autostart ("1"),
// target (CSS selector of an element to render into; default: a floating panel).
// Protocol: docs/websocket.md. No build step, no external resources.
(function () {
  "use strict";
  var SAMPLE_RATE_HZ = 16000;
  var STATES = {
    idle: "Press start to call",
    connecting: "Connecting…",
    listening: "Listening",
    speaking: "Bot speaking",
    ended: "Call ended",
    error: "Error"
  };
  var script = document.currentScript;
  var base = script && script.src ? new URL(script.src, location.href) : new URL(location.href);

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  var CSS = [
    ".vb-panel{font:14px/1.4 system-ui,sans-serif;border:1px solid #ccd;border-radius:10px;background:#fff;",
    "color:#222;width:340px;box-shadow:0 4px 18px rgba(0,0,0,.15);display:flex;flex-direction:column}",
    ".vb-floating{position:fixed;right:16px;bottom:16px;z-index:2147483000}",
    ".vb-head{display:flex;align-items:center;gap:8px;padding:10px 12px;border-bottom:1px solid #eee}",
    ".vb-dot{width:10px;height:10px;border-radius:50%;background:#999}",
    ".vb-panel[data-state=connecting] .vb-dot{background:#e0a800}",
    ".vb-panel[data-state=listening] .vb-dot{background:#1a8f3a}",
    ".vb-panel[data-state=speaking] .vb-dot{background:#1f6feb}",
    ".vb-panel[data-state=error] .vb-dot{background:#c62828}",
    ".vb-status{flex:1;font-weight:600}",
    ".vb-log{height:240px;overflow-y:auto;padding:8px 12px;display:flex;flex-direction:column;gap:6px}",
    ".vb-msg{padding:6px 9px;border-radius:8px;max-width:85%}",
    ".vb-bot{background:#eef3ff;align-self:flex-start}",
    ".vb-caller{background:#e9f7ec;align-self:flex-end}",
    ".vb-partial{color:#777;font-style:italic;align-self:flex-end;min-height:1.4em;padding:0 12px}",
    ".vb-foot{display:flex;gap:6px;padding:8px 12px;border-top:1px solid #eee}",
    ".vb-foot input{flex:1;padding:5px}",
    ".vb-btn{padding:5px 12px;border:0;border-radius:6px;background:#1f6feb;color:#fff;cursor:pointer}",
    ".vb-btn[data-action=stop]{background:#c62828}"
  ].join("");

  function VoicebotWidget(options) {
    this.options = options;
    this.ws = null;
    this.context = null;
    this.stream = null;
    this.worklet = null;
    this.sources = [];
    this.playAt = 0;
    this.botAudioEnded = true;
    this.state = "idle";
    this.build();
  }

  VoicebotWidget.prototype.build = function () {
    if (!document.getElementById("vb-style")) {
      var style = el("style", { id: "vb-style" });
      style.textContent = CSS;
      document.head.appendChild(style);
    }
    var target = this.options.target ? document.querySelector(this.options.target) : null;
    this.root = el("div", { "class": "vb-panel" + (target ? "" : " vb-floating"), id: "voicebot-widget",
                            role: "region", "aria-label": "Voice assistant" });
    var head = el("div", { "class": "vb-head" });
    head.appendChild(el("span", { "class": "vb-dot", "aria-hidden": "true" }));
    this.statusEl = el("span", { "class": "vb-status", id: "voicebot-status", role: "status",
                                 "aria-live": "polite" });
    head.appendChild(this.statusEl);
    this.button = el("button", { "class": "vb-btn", type: "button", "data-action": "start" }, "Start");
    head.appendChild(this.button);
    this.log = el("div", { "class": "vb-log", id: "voicebot-log", "aria-live": "polite" });
    this.partial = el("div", { "class": "vb-partial", id: "voicebot-partial" });
    var foot = el("form", { "class": "vb-foot" });
    this.input = el("input", { type: "text", placeholder: "Type instead of speaking", "aria-label": "Message" });
    foot.appendChild(this.input);
    foot.appendChild(el("button", { "class": "vb-btn", type: "submit" }, "Send"));
    this.root.appendChild(head);
    this.root.appendChild(this.log);
    this.root.appendChild(this.partial);
    this.root.appendChild(foot);
    (target || document.body).appendChild(this.root);
    var self = this;
    this.button.addEventListener("click", function () {
      if (self.button.getAttribute("data-action") === "start") self.start(); else self.stop();
    });
    foot.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = self.input.value.trim();
      if (text && self.ws && self.ws.readyState === WebSocket.OPEN) {
        self.ws.send(JSON.stringify({ type: "text", text: text }));
        self.say("caller", text);
        self.input.value = "";
      }
    });
    this.setState("idle");
  };

  VoicebotWidget.prototype.setState = function (state, detail) {
    this.state = state;
    this.root.setAttribute("data-state", state);
    this.statusEl.textContent = detail ? STATES[state] + ": " + detail : STATES[state];
    var running = state === "connecting" || state === "listening" || state === "speaking";
    this.button.textContent = running ? "Hang up" : "Start";
    this.button.setAttribute("data-action", running ? "stop" : "start");
  };

  VoicebotWidget.prototype.say = function (who, text) {
    var node = el("div", { "class": "vb-msg vb-" + who }, text);
    this.log.appendChild(node);
    this.log.scrollTop = this.log.scrollHeight;
  };

  VoicebotWidget.prototype.url = function () {
    var server = this.options.server ? new URL(this.options.server, location.href) : base;
    var scheme = server.protocol === "https:" ? "wss:" : "ws:";
    var url = scheme + "//" + server.host + "/ws?dialogue=" + encodeURIComponent(this.options.dialogue || "");
    if (this.options.token) url += "&token=" + encodeURIComponent(this.options.token);
    return url;
  };

  VoicebotWidget.prototype.start = async function () {
    if (!this.options.dialogue) { this.setState("error", "no dialogue chosen"); return; }
    this.setState("connecting");
    this.log.textContent = "";
    try {
      this.context = new AudioContext({ latencyHint: "interactive" });
      if (this.context.state === "suspended") await this.context.resume();
      this.stream = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true }
      });
      await this.context.audioWorklet.addModule(new URL("capture-worklet.js", base).href);
    } catch (err) {
      this.fail("microphone unavailable (" + (err && err.message ? err.message : err) + ")");
      return;
    }
    var self = this;
    var ws = new WebSocket(this.url());
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    ws.onopen = function () {
      ws.send(JSON.stringify({ type: "start", sample_rate_hz: SAMPLE_RATE_HZ, encoding: "pcm_s16le",
                               variables: self.options.variables || {} }));
    };
    ws.onmessage = function (event) {
      if (typeof event.data === "string") self.onMessage(JSON.parse(event.data));
      else self.play(event.data);
    };
    ws.onerror = function () { if (self.state !== "ended") self.fail("connection problem"); };
    ws.onclose = function (event) {
      self.release();
      if (self.state !== "error" && self.state !== "ended") {
        if (event.code === 1000) self.setState("ended"); else self.fail("closed (" + event.code + ")");
      }
    };
  };

  VoicebotWidget.prototype.startCapture = function () {
    var source = this.context.createMediaStreamSource(this.stream);
    this.worklet = new AudioWorkletNode(this.context, "voicebot-capture",
                                        { processorOptions: { targetRate: SAMPLE_RATE_HZ } });
    var ws = this.ws;
    this.worklet.port.onmessage = function (event) {
      if (ws.readyState === WebSocket.OPEN) ws.send(event.data);
    };
    source.connect(this.worklet);
    // Keep the node pulled by the graph without sending the microphone to the speakers.
    var mute = this.context.createGain();
    mute.gain.value = 0;
    this.worklet.connect(mute).connect(this.context.destination);
  };

  VoicebotWidget.prototype.onMessage = function (message) {
    switch (message.type) {
      case "ready":
        this.callId = message.call_id;
        this.root.setAttribute("data-call-id", message.call_id);
        this.startCapture();
        this.setState("listening");
        break;
      case "bot":
        this.say("bot", message.text);
        this.botAudioEnded = false;
        this.setState("speaking");
        break;
      case "transcript":
        if (message.final) { this.partial.textContent = ""; this.say("caller", message.text); }
        else this.partial.textContent = message.text;
        break;
      case "audio_end":
        this.botAudioEnded = true;
        this.whenPlayed();
        break;
      case "clear":
        this.flush();
        break;
      case "transfer":
        this.say("bot", "(transferring" + (message.target ? " to " + message.target : "") + ")");
        break;
      case "end":
        this.record = message.record;
        this.root.setAttribute("data-outcome", (message.record && message.record.outcome) || "");
        this.setState("ended", message.record && message.record.outcome);
        break;
      case "error":
        this.say("bot", "Error: " + message.message);
        if (this.state === "connecting") this.fail(message.message);
        break;
    }
  };

  // Bot audio: 16 kHz s16le chunks scheduled back to back on the audio clock, so there are no gaps.
  VoicebotWidget.prototype.play = function (buffer) {
    var pcm = new Int16Array(buffer);
    if (!pcm.length || !this.context) return;
    var audio = this.context.createBuffer(1, pcm.length, SAMPLE_RATE_HZ);
    var data = audio.getChannelData(0);
    for (var i = 0; i < pcm.length; i++) data[i] = pcm[i] / 32768;
    var node = this.context.createBufferSource();
    node.buffer = audio;
    node.connect(this.context.destination);
    var now = this.context.currentTime;
    if (this.playAt < now + 0.02) this.playAt = now + 0.06; // (re)start with a small jitter cushion
    node.start(this.playAt);
    this.playAt += audio.duration;
    var self = this;
    this.sources.push(node);
    node.onended = function () {
      self.sources = self.sources.filter(function (s) { return s !== node; });
      self.whenPlayed();
    };
    if (this.state === "listening") this.setState("speaking");
  };

  VoicebotWidget.prototype.whenPlayed = function () {
    if (this.botAudioEnded && this.sources.length === 0 && this.state === "speaking") this.setState("listening");
  };

  VoicebotWidget.prototype.flush = function () {
    this.sources.forEach(function (s) { try { s.stop(); } catch (e) { /* already stopped */ } });
    this.sources = [];
    this.playAt = 0;
    this.botAudioEnded = true;
    if (this.state === "speaking") this.setState("listening");
  };

  VoicebotWidget.prototype.stop = function () {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: "stop" }));
    else this.release();
  };

  VoicebotWidget.prototype.fail = function (why) {
    this.setState("error", why);
    this.release();
  };

  VoicebotWidget.prototype.release = function () {
    this.flush();
    if (this.worklet) { this.worklet.port.onmessage = null; this.worklet.disconnect(); this.worklet = null; }
    if (this.stream) { this.stream.getTracks().forEach(function (t) { t.stop(); }); this.stream = null; }
    if (this.context) { this.context.close(); this.context = null; }
  };

  function fromAttributes(node) {
    var data = node ? node.dataset : {};
    var variables = {};
    try { variables = data.variables ? JSON.parse(data.variables) : {}; } catch (e) { variables = {}; }
    return { dialogue: data.dialogue, token: data.token, server: data.server, target: data.target,
             autostart: data.autostart === "1", variables: variables };
  }

  window.VoicebotWidget = VoicebotWidget;
  if (script && script.dataset && script.dataset.manual !== "1") {
    var init = function () {
      var widget = new VoicebotWidget(fromAttributes(script));
      window.voicebot = widget;
      if (widget.options.autostart) widget.start();
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
  }
})();
