// The sandbox page: pick a person or a group, read the chat as Telegram shows it, type, tap, send files.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { world: null, texts: {}, current: null, sender: null, version: null, seen: {}, busy: false };
const COLORS = ["#e53e3e", "#dd6b20", "#38a169", "#3182ce", "#805ad5", "#d53f8c", "#319795"];

async function api(path, options = {}) {
  const response = await fetch(path, options);
  if (!response.ok) throw new Error((await response.text()) || response.statusText);
  return response.json();
}

function postJson(path, body) {
  return api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function avatar(entry) {
  const node = el("div", "avatar", entry.members ? "👥" : initials(entry.name));
  node.style.background = COLORS[Math.abs(entry.id) % COLORS.length];
  return node;
}

function initials(name) {
  const words = name.trim().split(/\s+/);
  return (words[words.length - 1] || "?").charAt(0).toUpperCase();
}

function entries() {
  return state.world ? [...state.world.people, ...state.world.groups] : [];
}

function currentEntry() {
  return entries().find((entry) => entry.id === state.current) || null;
}

// Sidebar: people and groups, with a badge for messages not seen yet.
function renderSidebar() {
  const texts = state.texts;
  document.documentElement.lang = state.world.locale;
  document.title = texts.title;
  $("title").textContent = texts.title;
  $("fictional").textContent = texts.fictional;
  $("clock").textContent = "🕗 " + state.world.clock;
  $("advance").textContent = texts.advance;
  $("reset").textContent = texts.reset;
  $("people-title").textContent = texts.people;
  $("groups-title").textContent = texts.groups;
  $("text").placeholder = texts.placeholder;
  $("send").title = texts.send;
  $("attach").title = texts.attach;
  $("send-as-label").textContent = texts.send_as;
  for (const [listId, list] of [["people", state.world.people], ["groups", state.world.groups]]) {
    const ul = $(listId);
    ul.replaceChildren();
    for (const entry of list) {
      const li = el("li");
      li.dataset.chat = entry.id;
      if (entry.id === state.current) {
        li.classList.add("active");
        state.seen[entry.id] = entry.count;
      }
      const who = el("div", "who");
      who.append(el("div", "name", entry.name), el("div", "about", entry.about));
      li.append(avatar(entry), who);
      const unseen = entry.count - (state.seen[entry.id] || 0);
      if (unseen > 0) li.append(el("span", "badge", String(unseen)));
      li.addEventListener("click", () => selectChat(entry.id));
      ul.append(li);
    }
  }
  const entry = currentEntry();
  if (entry) $("chat-about").textContent = entry.about;  // e.g. "not linked yet" goes once the invite is used
}

async function loadWorld() {
  state.world = await api("/api/world");
  state.texts = state.world.texts;
  renderSidebar();
  if (state.current === null) renderEmptyChat();
}

function renderEmptyChat() {
  $("chat-name").textContent = state.texts.title;
  $("chat-about").textContent = "";
  $("messages").replaceChildren(el("div", "hint", state.texts.pick));
  $("composer").classList.add("disabled");
}

function selectChat(chatId) {
  state.current = chatId;
  state.version = null;
  state.rendered = false;
  const entry = currentEntry();
  state.sender = entry.members ? (state.sender && entry.members.includes(state.sender) ? state.sender : entry.members[0]) : entry.id;
  $("chat-avatar").replaceWith(Object.assign(avatar(entry), { id: "chat-avatar" }));
  $("chat-name").textContent = entry.name;
  $("chat-about").textContent = entry.about;
  $("composer").classList.remove("disabled");
  $("attach").hidden = Boolean(entry.members);
  const sendAs = $("send-as");
  sendAs.hidden = !entry.members;
  if (entry.members) {
    const select = $("sender");
    select.replaceChildren(
      ...entry.members.map((id) => {
        const option = el("option", "", state.world.people.find((p) => p.id === id).name);
        option.value = id;
        option.selected = id === state.sender;
        return option;
      }),
    );
  }
  renderSidebar();
  loadChat();
}

async function loadChat() {
  if (state.current === null || !state.world) return;
  const chatId = state.current;
  const asked = (state.asked = (state.asked || 0) + 1);
  const data = await api(`/api/chats/${chatId}?version=${encodeURIComponent(state.version || "")}`);
  // A slow answer must not draw over a newer one, nor a chat the reader has left.
  if (asked !== state.asked || chatId !== state.current || data.unchanged) return;
  state.version = data.version;
  renderMessages(data.messages);
  renderReplyKeyboard(data.keyboard);
}

function renderMessages(messages) {
  const box = $("messages");
  // Follow the newest message when the reader was already at the bottom (or just acted).
  state.stick = state.stick || !state.rendered || box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  box.replaceChildren();
  const entry = currentEntry();
  if (!entry.members) box.append(startCard(entry, messages));
  if (messages.length === 0) box.append(el("div", "hint", state.texts.empty));
  for (const message of messages) box.append(renderMessage(message, Boolean(entry.members)));
  if (state.stick) box.scrollTop = box.scrollHeight;
  state.rendered = true;
}

function followNewest() {
  const box = $("messages");
  if (state.stick) box.scrollTop = box.scrollHeight;
}

// Until the person is linked, the invite link they received stays at hand; an empty chat starts with /start.
function startCard(entry, messages) {
  const card = el("div", "hint");
  if (!entry.invite && messages.length > 0) {
    card.hidden = true;
    return card;
  }
  if (entry.invite) {
    card.append(el("div", "", fill(state.texts.invite_hint, { name: entry.name })));
    const link = el("div", "", entry.invite);
    link.style.fontSize = "12px";
    link.style.color = "#718096";
    const open = el("button", "", state.texts.open_invite);
    open.id = "open-invite";
    open.addEventListener("click", () => openLink(entry.invite));
    card.append(link, open);
  } else {
    const start = el("button", "", state.texts.start);
    start.addEventListener("click", () => sendText("/start"));
    card.append(start);
  }
  return card;
}

function renderMessage(message, inGroup) {
  const wrap = el("div", "message" + (message.from_bot ? "" : " mine"));
  wrap.dataset.id = message.id;
  const bubble = el("div", "bubble");
  if (inGroup && !message.from_bot) bubble.append(el("div", "sender", message.sender));
  if (message.photo) {
    const img = el("img");
    img.width = message.photo.width;  // the space is kept before the picture arrives
    img.height = message.photo.height;
    img.src = `/api/files/${encodeURIComponent(message.photo.file_id)}`;
    img.alt = message.text || "📷";
    img.addEventListener("load", followNewest);  // a picture grows the chat after it is drawn
    bubble.append(img);
  }
  if (message.document) {
    const doc = el("div", "document", "📄 ");
    const link = el("a", "", message.document.name || state.texts.download);
    link.href = `/api/files/${encodeURIComponent(message.document.file_id)}`;
    link.download = message.document.name || "";
    doc.append(link);
    bubble.append(doc);
  }
  const body = el("div", "text");
  body.append(renderText(message.text, message.entities || []));
  bubble.append(body);
  const meta = el("div", "meta", (message.edited ? state.texts.edited + " · " : "") + message.time);
  bubble.append(meta);
  wrap.append(bubble);
  if (message.buttons.length) wrap.append(renderInlineKeyboard(message));
  return wrap;
}

// Telegram entities carry UTF-16 offsets, which is how JavaScript strings count too.
function renderText(text, entities) {
  const fragment = document.createDocumentFragment();
  const cuts = new Set([0, text.length]);
  for (const e of entities) {
    cuts.add(e.offset);
    cuts.add(e.offset + e.length);
  }
  const points = [...cuts].filter((p) => p >= 0 && p <= text.length).sort((a, b) => a - b);
  for (let i = 0; i + 1 < points.length; i++) {
    const [start, end] = [points[i], points[i + 1]];
    let node = document.createTextNode(text.slice(start, end));
    for (const e of entities) {
      if (e.offset <= start && e.offset + e.length >= end) node = wrapEntity(node, e, text.slice(e.offset, e.offset + e.length));
    }
    fragment.append(node);
  }
  return fragment;
}

const ENTITY_TAGS = { bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code", pre: "code", spoiler: "span", blockquote: "i" };

function wrapEntity(node, entity, whole) {
  let tag = ENTITY_TAGS[entity.type];
  let outer;
  if (entity.type === "text_link" || entity.type === "url") {
    const href = entity.type === "url" ? whole : entity.url;
    outer = el("a");
    if (/^https?:\/\//.test(href)) outer.href = href;  // never a javascript: or relative link
    outer.addEventListener("click", (event) => {
      event.preventDefault();
      openLink(href);
    });
  } else if (tag) {
    outer = el(tag);
  } else {
    return node;
  }
  outer.append(node);
  return outer;
}

// Links to this bot with ?start= are deep links: Telegram sends "/start <payload>" from the person.
// Other web links open in a new tab (offline, most will not load); anything else is not followed.
function openLink(href) {
  const match = /^https:\/\/t\.me\/([A-Za-z0-9_]+)\?start=([A-Za-z0-9_-]+)$/.exec(href);
  if (!match || match[1] !== state.world.bot_username) {
    if (/^https?:\/\//.test(href)) window.open(href, "_blank", "noopener");
    return;
  }
  const entry = currentEntry();
  if (entry && entry.members) selectChat(state.sender);
  sendText(`/start ${match[2]}`);
}

function renderInlineKeyboard(message) {
  const keyboard = el("div", "inline-keyboard");
  for (const row of message.buttons) {
    const line = el("div", "row");
    for (const button of row) {
      const node = el("button", "", button.text);
      node.type = "button";
      node.addEventListener("click", () => (button.url ? openLink(button.url) : press(message.id, button.callback_data)));
      line.append(node);
    }
    keyboard.append(line);
  }
  return keyboard;
}

function renderReplyKeyboard(rows) {
  const box = $("reply-keyboard");
  box.replaceChildren();
  box.hidden = !rows;
  for (const row of rows || []) {
    const line = el("div", "row");
    for (const button of row) {
      const node = el("button", "", button.text);
      node.type = "button";
      node.addEventListener("click", () => (button.request_contact ? shareContact() : sendText(button.text)));
      line.append(node);
    }
    box.append(line);
  }
}

function toast(text, alert = false) {
  const box = $("toast");
  box.textContent = text;
  box.className = alert ? "alert" : "";
  box.hidden = false;
  clearTimeout(state.toastTimer);
  state.toastTimer = setTimeout(() => (box.hidden = true), alert ? 6000 : 3000);
}

async function act(work) {
  state.stick = true;
  try {
    await work();
  } catch (error) {
    toast(fill(state.texts.failed, { reason: error.message }));
  }
  await loadChat();
}

function sendText(text) {
  return act(() => postJson(`/api/chats/${state.current}/messages`, { sender: state.sender, text }));
}

function shareContact() {
  return act(() => postJson(`/api/chats/${state.current}/messages`, { sender: state.sender, contact: true }));
}

function press(messageId, data) {
  return act(async () => {
    const answer = await postJson(`/api/chats/${state.current}/press`, { sender: state.sender, message_id: messageId, data });
    if (answer.text) toast(answer.text, answer.alert);
  });
}

function upload(file, caption) {
  const form = new FormData();
  form.append("sender", state.sender);
  form.append("caption", caption);
  form.append("file", file, file.name);
  return act(() => api(`/api/chats/${state.current}/files`, { method: "POST", body: form }));
}

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("text").value.trim();
  if (!text || state.current === null) return;
  $("text").value = "";
  sendText(text);
});

$("file").addEventListener("change", () => {
  const file = $("file").files[0];
  if (!file) return;
  const caption = $("text").value.trim();
  $("text").value = "";
  $("file").value = "";
  upload(file, caption);
});

$("messages").addEventListener("scroll", () => {
  const box = $("messages");
  state.stick = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
});

$("sender").addEventListener("change", () => (state.sender = Number($("sender").value)));

async function control(button, work) {
  button.disabled = true;
  try {
    await work();
  } catch (error) {
    toast(fill(state.texts.failed, { reason: error.message }));
  } finally {
    button.disabled = false;
  }
}

$("advance").addEventListener("click", () =>
  control($("advance"), async () => {
    const result = await postJson("/api/clock", { days: 1 });
    toast(result.message);
    await loadWorld();
  }),
);

$("reset").addEventListener("click", () => {
  if (!window.confirm(state.texts.reset_confirm)) return;
  control($("reset"), async () => {
    const result = await postJson("/api/reset", {});
    state.seen = {};
    state.version = null;
    state.rendered = false;
    await loadWorld();
    if (state.current !== null) selectChat(state.current);
    toast(result.message);
  });
});

async function poll(work, delay) {
  try {
    await work();
  } catch (error) {
    // The sandbox may be restarting; the next round tries again.
  }
  setTimeout(() => poll(work, delay), delay);
}

poll(loadWorld, 1500);
poll(loadChat, 700);
