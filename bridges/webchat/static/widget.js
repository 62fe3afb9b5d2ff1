/* Relaydesk web chat widget: <script src=".../webchat/widget.js" data-key="wc_..." async>.
   No framework, no outside requests but the desk's. Texts are set with textContent only. */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !me.dataset.key || window.relaydeskWebchat) return;
  var d = me.dataset, key = d.key, base = new URL(me.src, location.href).origin;
  var T = {
    en: ["Chat with us", "Open chat", "Close chat", "Messages", "Your message", "Send",
      "You", "Operator", "Connecting…", "This chat is not available on this site.",
      "Too many messages: wait a moment.", "new"],
    ru: ["Напишите нам", "Открыть чат", "Закрыть чат", "Сообщения", "Ваше сообщение",
      "Отправить", "Вы", "Оператор", "Подключение…", "Этот чат недоступен на этом сайте.",
      "Слишком много сообщений: подождите немного.", "новых"],
    uk: ["Напишіть нам", "Відкрити чат", "Закрити чат", "Повідомлення", "Ваше повідомлення",
      "Надіслати", "Ви", "Оператор", "Підключення…", "Цей чат недоступний на цьому сайті.",
      "Забагато повідомлень: зачекайте трохи.", "нових"]
  };
  var lang = (d.lang || document.documentElement.lang || navigator.language || "en")
    .slice(0, 2).toLowerCase();
  if (!T[lang]) lang = "en";
  /* Files: the attach button, refusals, "sending", sizes. */
  var TF = {
    en: ["Attach a file", "The file is too large.",
      "This kind of file cannot be sent: images, PDF, text and office documents only.",
      "Sending the file…", "The file could not be sent: try again.", "KB", "MB"],
    ru: ["Прикрепить файл", "Файл слишком большой.",
      "Такой файл отправить нельзя: только изображения, PDF, текст и офисные документы.",
      "Отправка файла…", "Не удалось отправить файл: попробуйте ещё раз.", "КБ", "МБ"],
    uk: ["Прикріпити файл", "Файл завеликий.",
      "Такий файл надіслати не можна: лише зображення, PDF, текст і офісні документи.",
      "Надсилання файлу…", "Не вдалося надіслати файл: спробуйте ще раз.", "КБ", "МБ"]
  };
  var t = T[lang], store = "relaydesk:" + key, token = null;
  try { token = localStorage.getItem(store); } catch (e) { /* private mode: one visit */ }
  var last = 0, rows = {}, outq = [], socket = null, ready = false, polling = false;
  var filesWaiting = [];
  var stopped = false, delay = 1000, unread = 0, started = false;

  function el(tag, attrs, text) {
    var n = document.createElement(tag);
    for (var a in attrs) n.setAttribute(a, attrs[a]);
    if (text != null) n.textContent = text;
    return n;
  }
  var host = el("div", { id: "relaydesk-webchat" });
  var root = host.attachShadow({ mode: "open" });
  root.appendChild(el("style", {}, [
    ":host{all:initial;position:fixed;bottom:20px;right:20px;z-index:2147483000;",
    "font:15px/1.4 system-ui,sans-serif;color:#1b1f24}:host(.left){right:auto;left:20px}",
    "button{font:inherit;cursor:pointer}:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}",
    ".open{border:0;border-radius:28px;padding:12px 18px;background:var(--c);color:var(--f);",
    "box-shadow:0 2px 8px #0004}.badge{margin-left:6px;padding:0 6px;border-radius:9px;",
    "background:#fff;color:#b3261e;font-weight:700}",
    "section{position:absolute;bottom:0;right:0;width:min(360px,90vw);height:min(520px,80vh);",
    "display:flex;flex-direction:column;background:#fff;border-radius:12px;",
    "box-shadow:0 4px 24px #0005;overflow:hidden}:host(.left) section{right:auto;left:0}",
    "section[hidden]{display:none}header{display:flex;align-items:center;padding:10px 14px;",
    "background:var(--c);color:var(--f)}h2{flex:1;margin:0;font-size:16px}",
    ".close{border:0;background:none;color:inherit;font-size:22px;line-height:1}",
    ".log{flex:1;overflow-y:auto;padding:10px}.line{margin:6px 0;max-width:85%}",
    ".line p{margin:0;padding:8px 10px;border-radius:10px;background:#eef1f4;",
    "white-space:pre-wrap;overflow-wrap:anywhere}.in{margin-left:auto}",
    ".in p{background:var(--c);color:var(--f)}.notice p,.question p{background:#fff7e0}",
    ".who{display:block;font-size:12px;color:#57606a}.choices{display:flex;gap:4px;",
    "flex-wrap:wrap;margin-top:4px}.choices button{border:1px solid #57606a;border-radius:6px;",
    "background:#fff;padding:4px 8px}.choices [aria-pressed=true]{background:var(--c);",
    "color:var(--f)}.status{margin:0;padding:0 10px;font-size:13px;color:#57606a}",
    "form{display:flex;gap:6px;padding:10px;border-top:1px solid #d0d7de}",
    "textarea{flex:1;resize:none;font:inherit;padding:6px;border:1px solid #57606a;",
    "border-radius:6px}form button{border:0;border-radius:6px;padding:0 12px;",
    "background:var(--c);color:var(--f)}form .attach{padding:0 8px;background:#eef1f4;",
    "color:#1b1f24;font-size:20px;font-weight:700}.files a{display:block;margin-top:4px;color:inherit}",
    ".files img{max-width:100%;max-height:200px;border-radius:8px}",
    "[hidden]{display:none!important}.ask{flex-direction:column;align-items:stretch}.ask label{display:flex;flex-direction:column;",
    "font-size:13px;gap:2px}.ask input,.ask textarea{font:inherit;padding:6px;border:1px solid #57606a;",
    "border-radius:6px}.ask [aria-invalid=true]{border-color:#b3261e}.err{margin:0;color:#b3261e;",
    "font-size:13px}.ask button{padding:8px}.away{margin:0;padding:8px 10px;background:#fff7e0;",
    "font-size:14px}.mark{display:block;text-align:right;font-size:12px;color:#57606a}"
  ].join("")));
  var opener = el("button", { "class": "open", type: "button", "aria-expanded": "false",
    "aria-controls": "rdw-panel" });
  var panel = el("section", { id: "rdw-panel", role: "dialog", "aria-labelledby": "rdw-title" });
  panel.hidden = true;
  var head = el("header", {}), title = el("h2", { id: "rdw-title" });
  var closer = el("button", { "class": "close", type: "button", "aria-label": t[2] }, "×");
  var log = el("div", { "class": "log", role: "log", "aria-live": "polite", "aria-label": t[3],
    tabindex: "0" });
  var status = el("p", { "class": "status", role: "status" });
  var form = el("form", {});
  var input = el("textarea", { rows: "2", maxlength: "4096", "aria-label": t[4] });
  form.append(input, el("button", { type: "submit" }, t[5]));
  attachControls();
  head.append(title, closer);
  panel.append(head, log, status, form);
  root.append(opener, panel);

  function look(l) {
    l = l || {};
    var c = /^#[0-9a-f]{6}$/i.test(d.color || "") ? d.color : (l.color || "#1f6feb");
    var n = parseInt(c.slice(1), 16), lum = [n >> 16, n >> 8 & 255, n & 255].map(function (v) {
      v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    var L = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
    host.style.setProperty("--c", c);
    host.style.setProperty("--f", 1.05 / (L + 0.05) >= (L + 0.05) / 0.05 ? "#fff" : "#000");
    host.className = (d.position || l.position) === "left" ? "left" : "";
    title.textContent = d.title || l.title || t[0];
    badge();
  }
  function badge() {
    opener.textContent = title.textContent;
    opener.setAttribute("aria-label", t[1] + (unread ? " (" + unread + " " + t[11] + ")" : ""));
    if (unread) opener.appendChild(el("span", { "class": "badge", "aria-hidden": "true" }, unread));
  }
  function toggle(open) {
    panel.hidden = !open;
    opener.hidden = open;
    opener.setAttribute("aria-expanded", String(open));
    if (open) { unread = 0; badge(); start(); focusForm(); log.scrollTop = log.scrollHeight; }
    else opener.focus();
  }
  opener.onclick = function () { toggle(true); };
  closer.onclick = function () { toggle(false); };
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") toggle(false); });
  input.addEventListener("input", typing);
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });
  form.onsubmit = function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    var id = "m" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
    outq.push(signed({ type: "message", id: id, text: text, language: lang }));
    flush();
  };

  function show(it) {
    if (it.id > last) last = it.id;
    var row = rows[it.id];
    if (it.deleted) { if (row) row.remove(); delete rows[it.id]; return; }
    var fresh = !row;
    if (fresh) {
      row = rows[it.id] = el("div", { "class": "line " + it.kind, "data-id": it.id });
      var next = null;
      for (var i = 0; i < log.children.length && !next; i++)
        if (+log.children[i].getAttribute("data-id") > it.id) next = log.children[i];
      log.insertBefore(row, next);
    } else row.textContent = "";
    var who = it.kind === "in" ? t[6] : it.kind === "out" ? it.author || t[7] : null;
    if (who) row.appendChild(el("span", { "class": "who" }, who));
    if (it.text || !it.files) row.appendChild(el("p", {}, it.text || ""));
    if (it.files) showFiles(row, it.files);
    if (it.buttons) {
      var group = el("div", { "class": "choices", role: "group", "aria-label": it.text || "" });
      it.buttons.forEach(function (label, i) {
        var b = el("button", { type: "button", "aria-pressed": String(i === it.answered) }, label);
        b.disabled = it.answered != null;
        b.onclick = function () {
          group.querySelectorAll("button").forEach(function (x) { x.disabled = true; });
          input.focus(); /* a disabled button would leave the keyboard nowhere */
          outq.push({ type: "choose", item: it.id, choice: i });
          flush();
        };
        group.appendChild(b);
      });
      row.appendChild(group);
    }
    if (it.kind === "in" && (it.read || it.id <= readUpto)) { mark(row); markRead(it.id); }
    log.scrollTop = log.scrollHeight;
    if (fresh && it.kind !== "in" && panel.hidden && ready) { unread++; badge(); }
  }
  function handle(f) {
    if (f.type === "welcome") {
      token = f.token;
      try { localStorage.setItem(store, token); } catch (e) { /* kept for this page only */ }
      look(f.look);
      f.items.forEach(show);
      asked(f);
      ready = true; delay = 1000; status.textContent = "";
      flush();
      filesWaiting.splice(0).forEach(sendFile);
    } else if (f.type === "item") show(f.item);
    else if (f.type === "items") { f.items.forEach(show); markRead(f.read); }
    else if (f.type === "sent" || f.type === "chosen") {
      received(f);
      outq = outq.filter(function (q) { return q.id !== f.id && q.item !== f.item; });
      if (f.item && f.item.id) show(f.item);
    } else if (f.type === "error" || f.type === "refused") refused(f);
  }
  function refused(f) {
    if (formRefused(f)) return;
    var code = f.code || (f.error && f.error.code);
    if (code === "bad_token") {
      token = null; ready = false;
      try { localStorage.removeItem(store); } catch (e) { /* nothing kept */ }
      if (socket) socket.close(); else session();
    } else if (code === "rate_limited") status.textContent = t[10];
    else if (code === "file_too_big" || code === "file_type") fileRefused(code);
    else if (code === "origin_not_allowed" || code === "unknown_key") {
      stopped = true; status.textContent = t[9]; form.hidden = true;
    }
    if (code !== "rate_limited") outq = outq.filter(function (q) { return q.id !== f.id; });
  }
  function flush() {
    if (!ready) return;
    outq.forEach(function (q) {
      if (socket) socket.send(JSON.stringify(q));
      else post(q.type === "choose" ? "choices" : "messages", q).then(handle, retry);
    });
    if (!socket) outq = outq.filter(function (q) { return q.type === "message"; });
  }
  function post(path, body) {
    body.token = token;
    return fetch(base + "/webchat/" + path + "?key=" + encodeURIComponent(key), {
      method: "POST", headers: { "Content-Type": "text/plain" }, body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) { var e = j.error || {}; e.id = body.id; refused(e); throw j; }
        return j;
      });
    });
  }
  function retry() {
    ready = false; socket = null;
    if (stopped) return;
    status.textContent = t[8];
    setTimeout(polling ? session : connect, delay);
    delay = Math.min(delay * 2, 30000);
  }
  function session() {
    polling = true;
    post("session", { after: last, language: lang }).then(function (f) { handle(f); poll(); },
      function (e) { if (!e || !e.error) retry(); });
  }
  function poll() {
    if (stopped || !ready) return;
    post("poll", { after: last, read: readUpto }).then(function (f) { handle(f); poll(); },
      function (e) { if (!e || !e.error) retry(); });
  }
  function connect() {
    var opened = false, ws;
    status.textContent = t[8];
    try {
      ws = new WebSocket(base.replace(/^http/, "ws") + "/webchat/ws?key=" + encodeURIComponent(key));
    } catch (e) { return session(); }
    ws.onopen = function () {
      opened = true; socket = ws;
      ws.send(JSON.stringify({ type: "hello", token: token, after: last, language: lang }));
    };
    ws.onmessage = function (e) { handle(JSON.parse(e.data)); };
    ws.onclose = function () {
      if (!opened) return session(); /* WebSockets blocked, or refused: ask over HTTP */
      retry();
    };
  }
  /* Files: a labelled attach button (the file input stays hidden), the upload over HTTP,
     and a line's files: pictures shown, other files as links with name and size. */
  function attachControls() {
    var f = TF[lang], picker = el("input", { type: "file", hidden: "", tabindex: "-1",
      accept: "image/*,.pdf,.txt,.csv,.rtf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp" });
    var attach = el("button", { type: "button", "class": "attach", "aria-label": f[0],
      title: f[0] }, "+");
    attach.onclick = function () { picker.click(); };
    picker.onchange = function () {
      var file = picker.files && picker.files[0];
      picker.value = "";
      if (file) sendFile(file);
    };
    form.insertBefore(attach, input);
    form.appendChild(picker);
  }
  function sendFile(file) {
    var f = TF[lang], body = new FormData();
    /* Chosen while connecting: it goes once connected, as a text typed meanwhile does. */
    if (!ready || !token) { filesWaiting.push(file); status.textContent = f[3]; return; }
    var q = signed({ id: "f" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10) });
    body.append("token", token);
    body.append("id", q.id);
    body.append("language", lang);
    if (q.name) body.append("name", q.name); /* the form's values go with the first message */
    if (q.email) body.append("email", q.email);
    body.append("file", file, file.name);
    status.textContent = f[3];
    fetch(base + "/webchat/files?key=" + encodeURIComponent(key), { method: "POST", body: body })
      .then(function (r) {
        return r.json().then(function (j) {
          if (r.ok) { status.textContent = ""; handle(j); return; }
          var e = j.error || {}; e.id = q.id; unsigned(q.id); refused(e);
        });
      }).catch(function () { unsigned(q.id); status.textContent = f[4]; });
  }
  function fileRefused(code) { status.textContent = TF[lang][code === "file_too_big" ? 1 : 2]; }
  function fileSize(n) {
    var f = TF[lang];
    return n >= 1048576 ? (n / 1048576).toFixed(1) + " " + f[6] :
      Math.max(1, Math.round(n / 1024)) + " " + f[5];
  }
  function showFiles(row, files) {
    var box = el("div", { "class": "files" });
    files.forEach(function (f) {
      if (typeof f.url !== "string" || f.url.charAt(0) !== "/") return;
      var a = el("a", { href: base + f.url, target: "_blank", rel: "noopener" });
      if (/^image\//.test(f.type)) a.appendChild(el("img", { src: base + f.url, alt: f.name }));
      else {
        a.setAttribute("download", f.name);
        a.textContent = f.name + " (" + fileSize(f.size) + ")";
      }
      box.appendChild(a);
    });
    row.appendChild(box);
  }
  /* The pre-chat and offline forms, "read" marks and the visitor's typing sign. */
  var F = {
    en: ["Your name", "Email", "(optional)", "Start the chat", "Before we start, tell us who you are.",
      "We are away now.", "We are back {0}.", "Leave your name, email and message: we will answer as soon as we are back.",
      "Thank you: your message was received. We will answer here as soon as we can.", "Read",
      "Please write your name.", "Please write your email.", "This does not look like an email address."],
    ru: ["Ваше имя", "Email", "(необязательно)", "Начать чат", "Прежде чем начать, представьтесь, пожалуйста.",
      "Сейчас нас нет на месте.", "Вернёмся {0}.", "Оставьте имя, email и сообщение: ответим, как только вернёмся.",
      "Спасибо: ваше сообщение получено. Ответим здесь, как только сможем.", "Прочитано",
      "Напишите, пожалуйста, ваше имя.", "Напишите, пожалуйста, ваш email.", "Это не похоже на адрес email."],
    uk: ["Ваше ім'я", "Email", "(необов'язково)", "Почати чат", "Перш ніж почати, представтеся, будь ласка.",
      "Зараз нас немає на місці.", "Повернемося {0}.", "Залиште ім'я, email і повідомлення: відповімо, щойно повернемося.",
      "Дякуємо: ваше повідомлення отримано. Відповімо тут, щойно зможемо.", "Прочитано",
      "Напишіть, будь ласка, ваше ім'я.", "Напишіть, будь ласка, ваш email.", "Це не схоже на адресу email."]
  }[lang];
  var profile = null, asking = null, readUpto = 0, typedAt = 0, away = el("p", { "class": "away" });
  away.hidden = true;
  panel.insertBefore(away, log);
  function asked(f) {
    markRead(f.read);
    away.hidden = !f.away;
    if (f.away) {
      var back = f.away.back_at && new Date(f.away.back_at);
      away.textContent = F[5] + (back ? " " + F[6].replace("{0}", back.toLocaleString(lang,
        { weekday: "long", hour: "2-digit", minute: "2-digit" })) : "");
    }
    if (!f.form || profile) {
      if (asking) { asking.remove(); asking = null; }
      form.hidden = stopped;
    } else if (!asking || asking.spec.kind !== f.form.kind) {
      if (asking) asking.remove();
      ask(f.form);
    }
  }
  function ask(spec) {
    var box = el("form", { "class": "ask", novalidate: "" }), fields = {};
    box.appendChild(el("p", { "class": "status" }, spec.kind === "offline" ? F[7] : F[4]));
    [["name", F[0], "text", "name"], ["email", F[1], "email", "email"], ["text", t[4]]].forEach(function (d) {
      var mode = d[0] === "text" ? (spec.kind === "offline" ? "required" : "off") : spec[d[0]];
      if (mode === "off") return;
      var id = "rdw-" + d[0], label = el("label", { "for": id }, d[1] + (mode === "optional" ? " " + F[2] : ""));
      var f = el(d[2] ? "input" : "textarea", d[2] ? { id: id, type: d[2], autocomplete: d[3], maxlength: "254" }
        : { id: id, rows: "3", maxlength: "4096" });
      if (mode === "required") f.setAttribute("aria-required", "true");
      var err = el("p", { "class": "err", id: id + "-e", role: "alert" });
      f.setAttribute("aria-describedby", id + "-e");
      label.appendChild(f);
      box.append(label, err);
      fields[d[0]] = { f: f, err: err, mode: mode };
    });
    box.appendChild(el("button", { type: "submit" }, spec.kind === "offline" ? t[5] : F[3]));
    box.onsubmit = function (e) {
      e.preventDefault();
      var bad = null, v = {};
      for (var k in fields) {
        var x = fields[k], value = x.f.value.trim();
        var why = x.mode === "required" && !value ? (k === "email" ? F[11] : k === "name" ? F[10] : t[4])
          : k === "email" && value && !/^[^@\s]+@[^@\s]+\.[^@\s.]+$/.test(value) ? F[12] : "";
        fieldError(x, why);
        if (why && !bad) bad = x.f;
        v[k] = value;
      }
      if (bad) return bad.focus();
      profile = { name: v.name || null, email: v.email || null, kind: spec.kind };
      box.remove(); asking = null; form.hidden = false;
      if (v.text) { input.value = v.text; form.requestSubmit(); } else input.focus();
    };
    asking = box; box.fields = fields; box.spec = spec;
    form.hidden = true;
    panel.insertBefore(box, status);
    if (!panel.hidden) focusForm();
  }
  function focusForm() {
    var first = asking && asking.querySelector("input,textarea");
    (first || input).focus();
  }
  function fieldError(x, why) {
    x.err.textContent = why;
    x.f.setAttribute("aria-invalid", String(!!why));
  }
  function signed(q) {
    if (profile && !profile.sent) {
      q.name = profile.name; q.email = profile.email; q.form = profile.kind; profile.sent = q.id;
    }
    return q;
  }
  function formRefused(f) {
    var e = f.error || f, code = e.code;
    if (code !== "form_required" && code !== "bad_email" && code !== "form_too_long") return false;
    var q = outq.filter(function (x) { return x.id === f.id; })[0] || {};
    outq = outq.filter(function (x) { return x.id !== f.id; });
    var spec = { kind: q.form || "prechat", name: "optional", email: "optional" };
    if (asking) spec = asking.spec; else if (q.form === "offline") spec.name = spec.email = "required";
    else spec[e.field || "email"] = "required";
    profile = null;
    if (!asking) ask(spec);
    var x = asking.fields[e.field] || asking.fields.email;
    if (q.text && asking.fields.text) asking.fields.text.f.value = q.text;
    else if (q.text) input.value = q.text;
    if (q.name && asking.fields.name) asking.fields.name.f.value = q.name;
    if (q.email && asking.fields.email) asking.fields.email.f.value = q.email;
    if (x) { fieldError(x, e.message); x.f.focus(); }
    return true;
  }
  function unsigned(id) { if (profile && profile.sent === id) profile.sent = false; }
  function received(f) {
    if (profile && profile.sent === f.id) {
      if (profile.kind === "offline") status.textContent = F[8];
      profile.sent = true;
    }
  }
  function markRead(upto) {
    if (!(upto > readUpto)) return;
    readUpto = upto;
    for (var id in rows) {
      var row = rows[id];
      if (+id <= upto && /\bin\b/.test(row.className)) mark(row);
    }
  }
  function mark(row) {
    if (!row.querySelector(".mark")) row.appendChild(el("span", { "class": "mark" }, "✓ " + F[9]));
  }
  function typing() {
    var now = Date.now();
    if (!ready || now - typedAt < 3000 || !input.value.trim()) return;
    typedAt = now;
    if (socket) socket.send(JSON.stringify({ type: "typing" }));
    else post("typing", {}).then(null, function () { /* a sign only: never retried */ });
  }
  function start() { if (!started) { started = true; connect(); } }
  look();
  document.body.appendChild(host);
  if (token) start(); /* a returning visitor: their history and new answers */
  window.relaydeskWebchat = { open: function () { toggle(true); } };
})();
