// khaothi: what every page shares — the strings, the JSON API, rich text with KaTeX.
"use strict";
var K = (function () {
  var T = JSON.parse(document.getElementById("strings").textContent);

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) for (var key in attrs) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "class") node.className = attrs[key];
      else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), attrs[key]);
      else if (attrs[key] !== null && attrs[key] !== undefined && attrs[key] !== false) node.setAttribute(key, attrs[key] === true ? "" : attrs[key]);
    }
    (children || []).forEach(function (child) { if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child); });
    return node;
  }

  // Calls the JSON API. Resolves with {status, body}; rejects only when the server cannot be reached.
  function api(method, path, body) {
    var options = { method: method, headers: { "X-Khaothi": "1" }, credentials: "same-origin", cache: "no-store" };
    if (body !== undefined) { options.headers["Content-Type"] = "application/json"; options.body = JSON.stringify(body); }
    return fetch(path, options).then(function (response) {
      return response.text().then(function (text) {
        var parsed = null;
        try { parsed = text ? JSON.parse(text) : null; } catch (e) { parsed = { error: { message: text } }; }
        return { status: response.status, body: parsed };
      });
    });
  }

  function message(result) {
    return (result && result.body && result.body.error && result.body.error.message) || ("HTTP " + (result ? result.status : "?"));
  }

  // The refusal's code from the JSON error body ({"error": {"code", "message", "field"}}): pages switch on it.
  function code(result) {
    return (result && result.body && result.body.error && result.body.error.code) || "";
  }

  function escapeHTML(text) {
    return String(text).replace(/[&<>"']/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; });
  }

  // Markdown-lite after escaping: **bold**, *italic*, images ![alt](name) from `media`, line breaks.
  function inline(text, media) {
    var html = escapeHTML(text);
    // ![alt](name), or ![alt](<name with spaces>) (escaped above, so its brackets are &lt; &gt;).
    html = html.replace(/!\[([^\]]*)\]\((?:&lt;(.+?)&gt;|([^)\s]+))\)/g, function (all, alt, bracketed, plain) {
      var name = bracketed || plain;
      var source = media && media[name.replace(/&amp;/g, "&").replace(/&#39;/g, "'").replace(/&quot;/g, '"')];
      return source ? '<img class="figure" alt="' + alt + '" src="' + escapeHTML(source) + '">' : "[" + alt + "]";
    });
    html = html.replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>").replace(/(^|[^*])\*([^*\s][^*]*)\*/g, "$1<em>$2</em>");
    return html.replace(/\n/g, "<br>");
  }

  // Text with $…$ and \(…\) formulas: KaTeX when it is loaded, else the TeX as typed.
  function rich(text, media) {
    var out = "", rest = String(text || ""), pattern = /\$\$([^$]+)\$\$|\$([^$]+)\$|\\\(([\s\S]+?)\\\)/;
    for (;;) {
      var match = pattern.exec(rest);
      if (!match) { out += inline(rest, media); break; }
      out += inline(rest.slice(0, match.index), media);
      var tex = match[1] || match[2] || match[3], display = !!match[1];
      if (window.katex) {
        try { out += window.katex.renderToString(tex, { throwOnError: false, displayMode: display }); }
        catch (e) { out += '<code class="tex">' + escapeHTML(match[0]) + "</code>"; }
      } else {
        out += '<span class="tex">' + escapeHTML(match[0]) + "</span>";
      }
      rest = rest.slice(match.index + match[0].length);
    }
    return out;
  }

  function richNode(tag, text, media, className) {
    var node = el(tag, className ? { "class": className } : null);
    node.innerHTML = rich(text, media);
    return node;
  }

  function points(value) { return String(value).replace(".", ","); }

  // A message with its numbers: "%d" or "%1"…"%9" take `values` in order (an array, or one value), and a
  // plural marker after a number — "{s}" or "{y|ies}" — follows it (English: "1 candidate", "2 candidates";
  // the Vietnamese strings have none).
  function count(template, values) {
    values = Array.isArray(values) ? values : [values];
    var last = null, next = 0;
    return String(template).replace(/%(\d|d|s)|\{([^{}|]*)(?:\|([^{}]*))?\}/g, function (match, slot, one, other) {
      if (slot !== undefined) {
        var value = slot === "d" || slot === "s" ? values[next++] : values[parseInt(slot, 10) - 1];
        if (typeof value === "number") last = value;
        return value === undefined ? match : String(value);
      }
      if (other === undefined) { other = one; one = ""; }
      return last === 1 ? one : other;
    });
  }

  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    return (h > 0 ? h + ":" + (m < 10 ? "0" : "") : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }

  return { T: T, el: el, api: api, message: message, code: code, rich: rich, richNode: richNode, escapeHTML: escapeHTML, points: points, count: count, clock: clock };
})();
